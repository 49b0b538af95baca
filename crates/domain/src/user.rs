//! Users: who they are (identifier, display name, email) and what proves it
//! (a password and its hash). Registration and login live in [`crate::account`].

pub mod model;
pub mod ports;

pub use model::{Email, Password, PasswordHash, ProfileUpdate, User, UserName};
pub use ports::{PasswordHasher, UserRepository};
