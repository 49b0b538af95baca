//! [`Argon2PasswordHasher`]: the `PasswordHasher` port with argon2id (S1). Hashing
//! costs tens of milliseconds of CPU, so it runs on threads of its own (one per
//! core), never on the async workers. A login for an unknown userId verifies against a dummy hash
//! made with the same parameters, so it costs what a wrong password costs.

use std::cell::RefCell;
use std::sync::{Arc, Mutex, PoisonError};

use anyhow::Context as _;
use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{self, SaltString};
use argon2::{Algorithm, Argon2, Block, Params, Version};
use async_trait::async_trait;
use chatroom_domain::user::{Password, PasswordHash, PasswordHasher};
use tokio::sync::oneshot;

/// Argon2id with a random 16-byte salt per hash, stored as a PHC string
/// (`$argon2id$v=19$m=19456,t=2,p=1$<salt>$<hash>`).
#[derive(Clone)]
pub struct Argon2PasswordHasher {
    argon2: Argon2<'static>,
    /// What `verify(_, None)` checks against; never matches any password in practice.
    dummy_hash: String,
    /// Hashes run on a few threads of their own, one per core: each hash takes
    /// 19 MiB and a core for ~15 ms, so more in parallel only queues on the CPU,
    /// and on tokio's blocking pool every new thread would keep its own 19 MiB
    /// with the allocator (hundreds of MiB after a burst of logins).
    workers: Workers,
}

/// A job for the hashing threads.
type Job = Box<dyn FnOnce() + Send>;

/// Hashes waiting for a thread; beyond this a login is refused (E5000) rather
/// than queued without bound.
const QUEUED_JOBS: usize = 4096;

/// The hashing threads, fed through one queue; they end when the last handle
/// is dropped.
#[derive(Clone)]
struct Workers {
    jobs: std::sync::mpsc::SyncSender<Job>,
}

impl Workers {
    fn start(threads: usize) -> anyhow::Result<Self> {
        let (jobs, queue) = std::sync::mpsc::sync_channel::<Job>(QUEUED_JOBS);
        let queue = Arc::new(Mutex::new(queue));
        for i in 0..threads.max(1) {
            let queue = Arc::clone(&queue);
            std::thread::Builder::new()
                .name(format!("argon2-{i}"))
                .spawn(move || loop {
                    // The lock is held only to take the next job, not to run it.
                    let job = queue.lock().unwrap_or_else(PoisonError::into_inner).recv();
                    match job {
                        Ok(job) => job(),
                        Err(_) => return,
                    }
                })
                .context("starting a password hashing thread")?;
        }
        Ok(Self { jobs })
    }

    /// Runs `work` on a hashing thread and waits for its result without
    /// blocking the async runtime.
    async fn run<T: Send + 'static>(&self, work: impl FnOnce() -> T + Send + 'static) -> anyhow::Result<T> {
        let (done, result) = oneshot::channel();
        self.jobs
            .try_send(Box::new(move || {
                let _ = done.send(work());
            }))
            .map_err(|_| anyhow::anyhow!("too many password hashes queued"))?;
        result.await.context("a password hashing thread stopped")
    }
}

impl Argon2PasswordHasher {
    /// Memory cost of S1, in KiB.
    const M_COST_KIB: u32 = 19_456;
    /// Iterations of S1.
    const T_COST: u32 = 2;
    /// Parallelism of S1.
    const P_COST: u32 = 1;

    /// The hasher with the parameters of S1 (m = 19456 KiB, t = 2, p = 1).
    /// Computes the dummy hash, so it blocks for one hash: call it at start-up.
    pub fn new() -> anyhow::Result<Self> {
        Self::with_params(Self::M_COST_KIB, Self::T_COST, Self::P_COST)
    }

    /// A hasher with other costs, for tests that cannot afford S1's; production
    /// uses [`Argon2PasswordHasher::new`].
    fn with_params(m_cost_kib: u32, t_cost: u32, p_cost: u32) -> anyhow::Result<Self> {
        let params = Params::new(m_cost_kib, t_cost, p_cost, None)
            .map_err(|e| anyhow::anyhow!("invalid argon2 parameters: {e}"))?;
        let argon2 = Argon2::new(Algorithm::Argon2id, Version::V0x13, params);
        let mut unguessable = [0u8; 32];
        argon2::password_hash::rand_core::RngCore::fill_bytes(&mut OsRng, &mut unguessable);
        let cores = std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get);
        let workers = Workers::start(cores)?;
        // On a hashing thread, whose memory is reused anyway, not on the caller's.
        let (done, dummy) = std::sync::mpsc::channel();
        let hashing = argon2.clone();
        workers
            .jobs
            .send(Box::new(move || {
                let _ = done.send(hash_with(&hashing, &unguessable));
            }))
            .map_err(|_| anyhow::anyhow!("the password hashing threads stopped"))?;
        let dummy_hash = dummy
            .recv()
            .context("the password hashing threads stopped")?
            .context("computing the dummy password hash")?;
        Ok(Self { argon2, dummy_hash, workers })
    }
}

impl std::fmt::Debug for Argon2PasswordHasher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Argon2PasswordHasher").field("params", self.argon2.params()).finish_non_exhaustive()
    }
}

thread_local! {
    /// The argon2 working memory of this hashing thread, reused by every hash it
    /// computes: allocating 19 MiB per hash left that much resident per hash
    /// with the allocator (seen: +19.5 MiB of RSS per registration).
    static MEMORY: RefCell<Vec<Block>> = const { RefCell::new(Vec::new()) };
}

/// The raw argon2 output of `password` with `salt`, into `out`, in this
/// thread's reusable memory.
fn hash_into(argon2: &Argon2<'_>, password: &[u8], salt: &[u8], out: &mut [u8]) -> anyhow::Result<()> {
    MEMORY.with(|memory| {
        let mut memory = memory.borrow_mut();
        let blocks = argon2.params().block_count();
        if memory.len() != blocks {
            memory.clear();
            memory.resize(blocks, Block::default());
        }
        argon2
            .hash_password_into_with_memory(password, salt, out, memory.as_mut_slice())
            .map_err(|e| anyhow::anyhow!("argon2 hashing failed: {e}"))
    })
}

/// A PHC string (`$argon2id$v=19$m=…,t=…,p=…$<salt>$<hash>`) for `password`
/// with a new random salt.
fn hash_with(argon2: &Argon2<'_>, password: &[u8]) -> anyhow::Result<String> {
    let salt = SaltString::generate(&mut OsRng);
    let mut raw_salt = [0u8; 64];
    let raw_salt = salt.decode_b64(&mut raw_salt).map_err(|e| anyhow::anyhow!("salt: {e}"))?;
    let mut out = [0u8; Params::DEFAULT_OUTPUT_LEN];
    hash_into(argon2, password, raw_salt, &mut out)?;
    let phc = password_hash::PasswordHash {
        algorithm: Algorithm::Argon2id.ident(),
        version: Some(Version::V0x13.into()),
        params: argon2.params().try_into().map_err(|e| anyhow::anyhow!("argon2 parameters: {e}"))?,
        salt: Some(salt.as_salt()),
        hash: Some(password_hash::Output::new(&out).map_err(|e| anyhow::anyhow!("argon2 output: {e}"))?),
    };
    Ok(phc.to_string())
}

/// `Ok(false)` on a mismatch; an error only when the stored hash is unreadable.
/// A hash made with other parameters is checked with those parameters.
fn verify_with(password: &[u8], phc: &str) -> anyhow::Result<bool> {
    let parsed =
        password_hash::PasswordHash::new(phc).map_err(|e| anyhow::anyhow!("stored password hash is malformed: {e}"))?;
    let (Some(salt), Some(expected)) = (parsed.salt, parsed.hash) else {
        anyhow::bail!("stored password hash has no salt or no hash");
    };
    let params = Params::try_from(&parsed).map_err(|e| anyhow::anyhow!("stored password hash parameters: {e}"))?;
    let algorithm = Algorithm::try_from(parsed.algorithm).map_err(|e| anyhow::anyhow!("stored algorithm: {e}"))?;
    let version = parsed.version.map(Version::try_from).transpose().map_err(|e| anyhow::anyhow!("version: {e}"))?;
    let stored = Argon2::new(algorithm, version.unwrap_or_default(), params);
    let mut raw_salt = [0u8; 64];
    let raw_salt = salt.decode_b64(&mut raw_salt).map_err(|e| anyhow::anyhow!("stored salt: {e}"))?;
    let mut out = vec![0u8; expected.len()];
    hash_into(&stored, password, raw_salt, &mut out)?;
    // `Output`'s equality is constant-time.
    Ok(password_hash::Output::new(&out).map_err(|e| anyhow::anyhow!("argon2 output: {e}"))? == expected)
}

#[async_trait]
impl PasswordHasher for Argon2PasswordHasher {
    async fn hash(&self, password: &Password) -> anyhow::Result<PasswordHash> {
        let argon2 = self.argon2.clone();
        let password = password.clone();
        let phc = self.workers.run(move || hash_with(&argon2, password.expose().as_bytes())).await??;
        Ok(PasswordHash::new(phc))
    }

    async fn verify(&self, password: &Password, hash: Option<PasswordHash>) -> anyhow::Result<bool> {
        let password = password.clone();
        let (phc, known_user) = match hash {
            Some(hash) => (hash.as_str().to_owned(), true),
            None => (self.dummy_hash.clone(), false),
        };
        let matches = self.workers.run(move || verify_with(password.expose().as_bytes(), &phc)).await??;
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

    #[tokio::test]
    async fn s1_hashes_are_standard_phc_strings_both_ways() {
        use argon2::password_hash::{PasswordHasher as _, PasswordVerifier as _};

        let hasher = fast_hasher();
        let password = Password::parse("userPwd", "correct horse", 8).unwrap();
        // Ours verifies with the argon2 crate's own API…
        let ours = hasher.hash(&password).await.unwrap();
        let parsed = password_hash::PasswordHash::new(ours.as_str()).unwrap();
        assert!(hasher.argon2.verify_password(b"correct horse", &parsed).is_ok());
        // …and a hash made by that API (or stored by an earlier release) verifies with ours.
        let salt = SaltString::generate(&mut OsRng);
        let standard = hasher.argon2.hash_password(b"correct horse", &salt).unwrap().to_string();
        assert!(hasher.verify(&password, Some(PasswordHash::new(standard.clone()))).await.unwrap());
        let wrong = Password::parse("userPwd", "wrong horse!", 8).unwrap();
        assert!(!hasher.verify(&wrong, Some(PasswordHash::new(standard))).await.unwrap());
    }
}
