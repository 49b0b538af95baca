//! Credentials: argon2id password hashing (S1), HS256 session tokens (S2) and the
//! JWT secret kept in the data directory when none is configured.

mod password;
mod secret;
mod token;

pub use password::Argon2PasswordHasher;
pub use secret::load_or_create_secret;
pub use token::{JwtTokenCodec, DEFAULT_ISSUER, MIN_SECRET_BYTES};
