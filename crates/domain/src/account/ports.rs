//! The account service (inbound) and the ports it needs (outbound).

use std::time::Duration;

use async_trait::async_trait;
use time::OffsetDateTime;

use super::error::*;
use super::model::*;
use crate::ids::{SessionId, UserId};
use crate::user::Email;

/// Account operations, as the API calls them.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait AccountService: Send + Sync {
    /// Registers a user (R1).
    async fn register(&self, registration: Registration) -> Result<(), RegisterError>;
    /// Checks the credentials (S1, S4), opens a session (S2) and lists the user's
    /// rooms (R12).
    async fn login(&self, attempt: LoginAttempt) -> Result<LoginOutcome, LoginError>;
    /// Resolves a token to its user and live session (S2, R11).
    async fn authenticate(&self, token: Option<String>) -> Result<Authenticated, AuthError>;
    /// Whether the caller's session is still open (S2, R11): asked again once a
    /// live connection is subscribed, so a logout that raced the connect is
    /// seen (S9). [`AuthError::InvalidToken`] when it ended.
    async fn still_signed_in(&self, caller: &Authenticated) -> Result<(), AuthError>;
    /// Changes the name and/or email of the caller (R1).
    async fn update_profile(&self, caller: &Authenticated, changes: ProfileChanges) -> Result<(), UpdateProfileError>;
    /// Revokes the caller's session and ends its live connections (R11).
    async fn logout(&self, caller: &Authenticated) -> Result<(), LogoutError>;
    /// Issues a reset code and hands it to the mailer (S3).
    async fn request_password_reset(&self, request: ResetRequest) -> Result<ResetRequested, RequestResetError>;
    /// Sets a new password with a reset code and revokes every session (S3, R11).
    async fn reset_password(&self, reset: PasswordReset) -> Result<(), ResetPasswordError>;
}

/// Storage of sessions (S2).
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait SessionStore: Send + Sync {
    /// MUST store a new session.
    async fn insert(&self, session: &Session) -> anyhow::Result<()>;
    /// MUST return the session with this id, revoked or not.
    async fn find(&self, id: &SessionId) -> anyhow::Result<Option<Session>>;
    /// MUST mark the session revoked; revoking twice is not an error.
    async fn revoke(&self, id: &SessionId) -> anyhow::Result<()>;
    /// MUST mark every session of the user revoked and return their ids.
    async fn revoke_all_of(&self, user: &UserId) -> anyhow::Result<Vec<SessionId>>;
    /// MUST delete every session that expired at or before `now`, revoked or not,
    /// and return how many it deleted (S10).
    async fn purge_expired(&self, now: OffsetDateTime) -> anyhow::Result<u64>;
}

/// Storage of reset codes (S3): one live code per email.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait ResetCodeStore: Send + Sync {
    /// MUST store `code` as the only code of its email, voiding any earlier one.
    async fn replace(&self, code: &ResetCode) -> anyhow::Result<()>;
    /// MUST return the current code of the email, if any.
    async fn find(&self, email: &Email) -> anyhow::Result<Option<ResetCode>>;
    /// MUST count one attempt on the email's code, in one atomic step, if the code
    /// is unused, unexpired at `now` and has fewer than `max_attempts` attempts,
    /// and return whether it did. However many attempts race, at most
    /// `max_attempts` are ever claimed for one code (S8).
    async fn claim_attempt(&self, email: &Email, max_attempts: u32, now: OffsetDateTime) -> anyhow::Result<bool>;
    /// MUST mark the email's code used, and return `false` if it was already used or
    /// gone, so that two concurrent uses cannot both succeed.
    async fn mark_used(&self, email: &Email) -> anyhow::Result<bool>;
    /// MUST delete every code that is used or expired at `now` (a burned code that
    /// has not expired stays), and return how many it deleted (S10).
    async fn purge_stale(&self, now: OffsetDateTime) -> anyhow::Result<u64>;
}

/// Why a token was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TokenError {
    #[error("malformed or badly signed token")]
    Invalid,
    #[error("expired token")]
    Expired,
}

/// Signed tokens (S2).
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
pub trait TokenCodec: Send + Sync {
    /// MUST sign the claims (HS256, with `iss` and `sub`).
    fn issue(&self, claims: &Claims) -> anyhow::Result<String>;
    /// MUST verify signature, issuer and expiry and return the claims.
    fn verify(&self, token: &str) -> Result<Claims, TokenError>;
}

/// How a mailer gets a reset code to its user.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Delivery {
    /// Sent (or logged) out of band, after the answer.
    Sent,
    /// Returned in the HTTP answer (`mail.transport = "response"`); nothing is sent.
    ReturnToCaller,
}

/// Delivery of reset codes.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait Mailer: Send + Sync {
    /// MUST say how this mailer delivers; the same answer every time.
    fn delivery(&self) -> Delivery;
    /// MUST deliver `code` to `to`, valid for `valid_for` (only called when
    /// [`Mailer::delivery`] is [`Delivery::Sent`]). The account service runs it
    /// after the answer, so it may take as long as the mail server does.
    async fn send_reset_code(&self, to: &Email, code: &str, valid_for: Duration) -> anyhow::Result<()>;
}
