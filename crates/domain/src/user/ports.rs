//! Outbound ports of the user area.

use async_trait::async_trait;

use super::model::{Email, Password, PasswordHash, ProfileUpdate, User};
use crate::ids::UserId;

/// Why a user could not be stored.
#[derive(Debug, thiserror::Error)]
pub enum UserWriteError {
    /// The userId or the email already belongs to a user (R1).
    #[error("user id or email already taken")]
    IdOrEmailTaken,
    #[error(transparent)]
    Unexpected(#[from] anyhow::Error),
}

/// Storage of users.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait UserRepository: Send + Sync {
    /// MUST store the user, or return `IdOrEmailTaken` when its id or its email
    /// exists already (R1), even when two inserts race.
    async fn insert(&self, user: &User) -> Result<(), UserWriteError>;
    /// MUST return the user with this id, if any.
    async fn find_by_id(&self, id: &UserId) -> anyhow::Result<Option<User>>;
    /// MUST return the user with this (lower-cased) email, if any.
    async fn find_by_email(&self, email: &Email) -> anyhow::Result<Option<User>>;
    /// MUST change the fields of `update` that are set, and return `IdOrEmailTaken`
    /// when the email belongs to another user (R1).
    async fn update_profile(&self, id: &UserId, update: &ProfileUpdate) -> Result<(), UserWriteError>;
    /// MUST replace the user's password hash.
    async fn update_password(&self, id: &UserId, hash: &PasswordHash) -> anyhow::Result<()>;
}

/// Password hashing (S1).
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait PasswordHasher: Send + Sync {
    /// MUST return a salted argon2id hash; MUST NOT block the async runtime.
    async fn hash(&self, password: &Password) -> anyhow::Result<PasswordHash>;
    /// MUST tell whether `password` matches `hash`. When `hash` is `None` (unknown
    /// user) it MUST spend the same time as a real verification and return `false`,
    /// so an unknown userId cannot be told from a wrong password (S1).
    async fn verify(&self, password: &Password, hash: Option<PasswordHash>) -> anyhow::Result<bool>;
}
