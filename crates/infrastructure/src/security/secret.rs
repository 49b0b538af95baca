//! The JWT secret generated on first start when none is configured (S2): 64 random
//! bytes, hex-encoded in `<data_dir>/jwt_secret`, readable by the owner only, reused
//! on every later start so tokens survive a restart.

use std::fs;
use std::io::{ErrorKind, Write as _};
use std::path::Path;

use anyhow::Context as _;
use rand::rngs::OsRng;
use rand::RngCore as _;

use super::token::MIN_SECRET_BYTES;

/// The file name inside the data directory.
const SECRET_FILE_NAME: &str = "jwt_secret";

const GENERATED_SECRET_BYTES: usize = 64;

/// Returns the secret stored in `data_dir/jwt_secret`, creating the directory and a
/// fresh random secret (mode 0600 on unix) when there is none yet. A stored secret
/// that is not hex or shorter than 32 bytes is an error, never silently replaced:
/// replacing it would log every user out.
pub fn load_or_create_secret(data_dir: &Path) -> anyhow::Result<Vec<u8>> {
    let path = data_dir.join(SECRET_FILE_NAME);
    fs::create_dir_all(data_dir).with_context(|| format!("creating the data directory {}", data_dir.display()))?;
    if path.exists() {
        return read_secret(&path);
    }
    let mut secret = vec![0u8; GENERATED_SECRET_BYTES];
    OsRng.fill_bytes(&mut secret);
    // Written in full to a 0600 temporary file first, then linked into place without
    // overwriting, so a crash never leaves a truncated secret behind.
    let mut file = tempfile::NamedTempFile::new_in(data_dir)
        .with_context(|| format!("creating a temporary file in {}", data_dir.display()))?;
    file.write_all(hex::encode(&secret).as_bytes())
        .and_then(|()| file.as_file().sync_all())
        .context("writing the new JWT secret")?;
    match file.persist_noclobber(&path) {
        Ok(_) => {
            tracing::info!(path = %path.display(), "generated a new JWT secret");
            Ok(secret)
        }
        // Another process created it in the meantime: theirs wins.
        Err(e) if e.error.kind() == ErrorKind::AlreadyExists => read_secret(&path),
        Err(e) => Err(e.error).with_context(|| format!("storing the JWT secret in {}", path.display())),
    }
}

fn read_secret(path: &Path) -> anyhow::Result<Vec<u8>> {
    let text = fs::read_to_string(path).with_context(|| format!("reading the JWT secret {}", path.display()))?;
    let secret = hex::decode(text.trim()).with_context(|| format!("{} is not hex", path.display()))?;
    if secret.len() < MIN_SECRET_BYTES {
        anyhow::bail!("{} holds {} bytes; at least {MIN_SECRET_BYTES} are required", path.display(), secret.len());
    }
    warn_if_readable_by_others(path);
    Ok(secret)
}

#[cfg(unix)]
fn warn_if_readable_by_others(path: &Path) {
    use std::os::unix::fs::PermissionsExt as _;
    if let Ok(meta) = fs::metadata(path) {
        if meta.permissions().mode() & 0o077 != 0 {
            tracing::warn!(path = %path.display(), "the JWT secret is accessible to other users; chmod 600 it");
        }
    }
}

#[cfg(not(unix))]
fn warn_if_readable_by_others(_path: &Path) {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn s2_the_first_start_generates_a_64_byte_secret_and_later_starts_reuse_it() {
        let dir = tempfile::tempdir().unwrap();
        let data_dir = dir.path().join("data");
        let first = load_or_create_secret(&data_dir).unwrap();
        assert_eq!(first.len(), 64);
        assert_eq!(load_or_create_secret(&data_dir).unwrap(), first);
        let text = fs::read_to_string(data_dir.join(SECRET_FILE_NAME)).unwrap();
        assert_eq!(text, hex::encode(&first));
    }

    #[cfg(unix)]
    #[test]
    fn s2_the_generated_secret_is_readable_by_its_owner_only() {
        use std::os::unix::fs::PermissionsExt as _;
        let dir = tempfile::tempdir().unwrap();
        load_or_create_secret(dir.path()).unwrap();
        let mode = fs::metadata(dir.path().join(SECRET_FILE_NAME)).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }

    #[test]
    fn s2_a_stored_secret_that_is_too_short_or_not_hex_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(SECRET_FILE_NAME);
        fs::write(&path, hex::encode([7u8; 31])).unwrap();
        assert!(load_or_create_secret(dir.path()).is_err());
        fs::write(&path, "not hex at all").unwrap();
        assert!(load_or_create_secret(dir.path()).is_err());
    }

    #[test]
    fn s2_a_stored_secret_is_read_with_surrounding_whitespace_ignored() {
        let dir = tempfile::tempdir().unwrap();
        fs::write(dir.path().join(SECRET_FILE_NAME), format!("{}\n", hex::encode([9u8; 32]))).unwrap();
        assert_eq!(load_or_create_secret(dir.path()).unwrap(), vec![9u8; 32]);
    }
}
