//! [`Argon2PasswordHasher`]: the `PasswordHasher` port with argon2id (S1). Hashing
//! costs tens of milliseconds of CPU, so it runs on tokio's blocking pool, never on
//! the async workers. A login for an unknown userId verifies against a dummy hash
//! made with the same parameters, so it costs what a wrong password costs.

use anyhow::Context as _;
use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{self, PasswordHasher as _, PasswordVerifier as _, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use async_trait::async_trait;
use chatroom_domain::user::{Password, PasswordHash, PasswordHasher};

/// Argon2id with a random 16-byte salt per hash, stored as a PHC string
/// (`$argon2id$v=19$m=19456,t=2,p=1$<salt>$<hash>`).
#[derive(Clone)]
pub struct Argon2PasswordHasher {
    argon2: Argon2<'static>,
    /// What `verify(_, None)` checks against; never matches any password in practice.
    dummy_hash: String,
}

impl Argon2PasswordHasher {
    /// Memory cost of S1, in KiB.
    pub const M_COST_KIB: u32 = 19_456;
    /// Iterations of S1.
    pub const T_COST: u32 = 2;
    /// Parallelism of S1.
    pub const P_COST: u32 = 1;

    /// The hasher with the parameters of S1 (m = 19456 KiB, t = 2, p = 1).
    /// Computes the dummy hash, so it blocks for one hash: call it at start-up.
    pub fn new() -> anyhow::Result<Self> {
        Self::with_params(Self::M_COST_KIB, Self::T_COST, Self::P_COST)
    }

    /// A hasher with other costs, for tests that cannot afford S1's; production
    /// uses [`Argon2PasswordHasher::new`].
    pub fn with_params(m_cost_kib: u32, t_cost: u32, p_cost: u32) -> anyhow::Result<Self> {
        let params = Params::new(m_cost_kib, t_cost, p_cost, None)
            .map_err(|e| anyhow::anyhow!("invalid argon2 parameters: {e}"))?;
        let argon2 = Argon2::new(Algorithm::Argon2id, Version::V0x13, params);
        let mut unguessable = [0u8; 32];
        argon2::password_hash::rand_core::RngCore::fill_bytes(&mut OsRng, &mut unguessable);
        let dummy_hash = hash_with(&argon2, &unguessable).context("computing the dummy password hash")?;
        Ok(Self { argon2, dummy_hash })
    }
}

impl std::fmt::Debug for Argon2PasswordHasher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Argon2PasswordHasher").field("params", self.argon2.params()).finish_non_exhaustive()
    }
}

fn hash_with(argon2: &Argon2<'_>, password: &[u8]) -> anyhow::Result<String> {
    let salt = SaltString::generate(&mut OsRng);
    let hash = argon2.hash_password(password, &salt).map_err(|e| anyhow::anyhow!("argon2 hashing failed: {e}"))?;
    Ok(hash.to_string())
}

/// `Ok(false)` on a mismatch; an error only when the stored hash is unreadable.
fn verify_with(argon2: &Argon2<'_>, password: &[u8], phc: &str) -> anyhow::Result<bool> {
    let parsed =
        password_hash::PasswordHash::new(phc).map_err(|e| anyhow::anyhow!("stored password hash is malformed: {e}"))?;
    match argon2.verify_password(password, &parsed) {
        Ok(()) => Ok(true),
        Err(password_hash::Error::Password) => Ok(false),
        Err(e) => Err(anyhow::anyhow!("argon2 verification failed: {e}")),
    }
}

#[async_trait]
impl PasswordHasher for Argon2PasswordHasher {
    async fn hash(&self, password: &Password) -> anyhow::Result<PasswordHash> {
        let argon2 = self.argon2.clone();
        let password = password.clone();
        let phc = tokio::task::spawn_blocking(move || hash_with(&argon2, password.expose().as_bytes()))
            .await
            .context("password hashing task failed")??;
        Ok(PasswordHash::new(phc))
    }

    async fn verify(&self, password: &Password, hash: Option<PasswordHash>) -> anyhow::Result<bool> {
        let argon2 = self.argon2.clone();
        let password = password.clone();
        let (phc, known_user) = match hash {
            Some(hash) => (hash.as_str().to_owned(), true),
            None => (self.dummy_hash.clone(), false),
        };
        let matches = tokio::task::spawn_blocking(move || verify_with(&argon2, password.expose().as_bytes(), &phc))
            .await
            .context("password verification task failed")??;
        Ok(known_user && matches)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Small costs keep the suite fast; one test checks the S1 defaults.
    fn fast_hasher() -> Argon2PasswordHasher {
        Argon2PasswordHasher::with_params(Params::MIN_M_COST, 1, 1).unwrap()
    }

    fn password(text: &str) -> Password {
        Password::parse("userPwd", text, 1).unwrap()
    }

    #[tokio::test]
    async fn s1_default_hashes_are_argon2id_with_the_specified_costs() {
        let hasher = Argon2PasswordHasher::new().unwrap();
        let hash = hasher.hash(&password("correct horse")).await.unwrap();
        assert!(hash.as_str().starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{}", hash.as_str());
        assert!(hasher.dummy_hash.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"));
    }

    #[tokio::test]
    async fn s1_a_hash_verifies_its_password_and_nothing_else() {
        let hasher = fast_hasher();
        let hash = hasher.hash(&password("correct horse")).await.unwrap();
        assert!(hasher.verify(&password("correct horse"), Some(hash.clone())).await.unwrap());
        assert!(!hasher.verify(&password("correct hors"), Some(hash)).await.unwrap());
    }

    #[tokio::test]
    async fn s1_every_hash_has_its_own_salt() {
        let hasher = fast_hasher();
        let first = hasher.hash(&password("same password")).await.unwrap();
        let second = hasher.hash(&password("same password")).await.unwrap();
        assert_ne!(first.as_str(), second.as_str());
    }

    #[tokio::test]
    async fn s1_an_unknown_user_is_refused_after_a_real_verification() {
        let hasher = fast_hasher();
        assert!(!hasher.verify(&password("anything"), None).await.unwrap());
        // The dummy is a genuine hash with the same parameters, so `None` pays for
        // one full argon2 run, like a wrong password does.
        let dummy = Params::try_from(&password_hash::PasswordHash::new(&hasher.dummy_hash).unwrap()).unwrap();
        let own = hasher.argon2.params();
        assert_eq!((dummy.m_cost(), dummy.t_cost(), dummy.p_cost()), (own.m_cost(), own.t_cost(), own.p_cost()));
    }

    #[tokio::test]
    async fn a_malformed_stored_hash_is_an_error_not_a_mismatch() {
        let hasher = fast_hasher();
        let stored = PasswordHash::new("not a phc string".to_owned());
        assert!(hasher.verify(&password("anything"), Some(stored)).await.is_err());
    }

    #[test]
    fn impossible_parameters_are_refused_at_construction() {
        assert!(Argon2PasswordHasher::with_params(0, 0, 0).is_err());
    }
}
