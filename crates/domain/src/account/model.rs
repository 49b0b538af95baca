//! Sessions, token claims and reset codes.

use std::time::Duration;

use time::OffsetDateTime;

use crate::ids::{SessionId, UserId};
use crate::room::Room;
use crate::user::{Email, User};

/// A login session (S2): a token is valid only while its session is neither revoked
/// nor expired.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    pub id: SessionId,
    pub user_id: UserId,
    pub issued_at: OffsetDateTime,
    pub expires_at: OffsetDateTime,
    pub revoked: bool,
}

impl Session {
    /// Whether a request at `now` may use this session.
    pub fn is_active(&self, now: OffsetDateTime) -> bool {
        !self.revoked && now < self.expires_at
    }
}

/// What a token says (S2). The codec adds `iss` and `sub` itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Claims {
    pub user_id: UserId,
    pub session_id: SessionId,
    pub issued_at: OffsetDateTime,
    pub expires_at: OffsetDateTime,
}

/// The result of a successful login.
#[derive(Debug, Clone, PartialEq)]
pub struct LoginOutcome {
    pub token: String,
    pub expires_at: OffsetDateTime,
    pub user: User,
    /// The rooms the user is a member of (R12).
    pub rooms: Vec<Room>,
}

/// A verified request: the user and the session its token belongs to.
#[derive(Debug, Clone, PartialEq)]
pub struct Authenticated {
    pub user: User,
    pub session: Session,
}

/// A stored reset code (S3): only its hash is kept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResetCode {
    pub email: Email,
    pub code_hash: String,
    pub expires_at: OffsetDateTime,
    /// Wrong attempts so far; at `AccountPolicy::max_code_attempts` the code is burned.
    pub failed_attempts: u32,
    /// Set once the code was used; a used code never works again.
    pub used: bool,
}

/// The tunable numbers of S1–S4, from configuration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountPolicy {
    /// `auth.min_password_length` (default 8).
    pub min_password_length: usize,
    /// `auth.token_ttl` (default 24 h).
    pub token_ttl: Duration,
    /// `auth.reset_code_length` (default 6).
    pub reset_code_length: usize,
    /// How long a reset code is valid (10 minutes).
    pub reset_code_ttl: Duration,
    /// Wrong attempts after which a code is burned (5).
    pub max_code_attempts: u32,
    /// Reset requests allowed per email within `reset_email_window` (3 per 10 min).
    pub reset_requests_per_email: u32,
    pub reset_email_window: Duration,
    /// Reset requests allowed per client IP within `reset_ip_window` (30 per hour).
    pub reset_requests_per_ip: u32,
    pub reset_ip_window: Duration,
    /// `auth.reset_lockout`: how long E1105 lasts once a limit is hit (1 h).
    pub reset_lockout: Duration,
    /// Failed logins per userId within `login_window` before a lockout (5 in 15 min).
    pub login_failures_per_user: u32,
    /// Failed logins per client IP within `login_window` before a lockout (50).
    pub login_failures_per_ip: u32,
    pub login_window: Duration,
    /// How long E1103 lasts (15 min).
    pub login_lockout: Duration,
    /// `auth.registrations_per_ip_per_hour`: accounts one client address may
    /// register within `registration_window` (S10, 300 per hour).
    pub registrations_per_ip: u32,
    pub registration_window: Duration,
}

impl Default for AccountPolicy {
    fn default() -> Self {
        const MINUTE: u64 = 60;
        Self {
            min_password_length: 8,
            token_ttl: Duration::from_secs(24 * 60 * MINUTE),
            reset_code_length: 6,
            reset_code_ttl: Duration::from_secs(10 * MINUTE),
            max_code_attempts: 5,
            reset_requests_per_email: 3,
            reset_email_window: Duration::from_secs(10 * MINUTE),
            reset_requests_per_ip: 30,
            reset_ip_window: Duration::from_secs(60 * MINUTE),
            reset_lockout: Duration::from_secs(60 * MINUTE),
            login_failures_per_user: 5,
            login_failures_per_ip: 50,
            login_window: Duration::from_secs(15 * MINUTE),
            login_lockout: Duration::from_secs(15 * MINUTE),
            registrations_per_ip: 300,
            registration_window: Duration::from_secs(60 * MINUTE),
        }
    }
}

impl AccountPolicy {
    /// The longest window the limits of S3, S4 and S10 count hits in.
    pub fn longest_throttle_window(&self) -> Duration {
        [self.reset_email_window, self.reset_ip_window, self.login_window, self.registration_window]
            .into_iter()
            .max()
            .unwrap_or_default()
    }
}

/// POST /user/register, as received.
#[derive(Debug, Clone, Default)]
pub struct Registration {
    pub user_id: String,
    pub password: String,
    pub user_name: String,
    pub email: String,
    /// The client's address, for S10's limit per address.
    pub client_ip: Option<String>,
}

/// POST /user/login, as received, with the client's address for S4.
#[derive(Debug, Clone, Default)]
pub struct LoginAttempt {
    pub user_id: String,
    pub password: String,
    pub client_ip: Option<String>,
}

/// PUT /user/update, as received: at least one field.
#[derive(Debug, Clone, Default)]
pub struct ProfileChanges {
    pub user_name: Option<String>,
    pub email: Option<String>,
}

/// POST /user/forgetPwd, as received.
#[derive(Debug, Clone, Default)]
pub struct ResetRequest {
    pub email: String,
    pub client_ip: Option<String>,
}

/// What a reset request produced: the code itself only when the mailer hands it
/// back to the caller (`mail.transport = "response"`, the seed's behaviour).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ResetRequested {
    pub code_for_response: Option<String>,
}

/// PUT /user/updatePwd, as received.
#[derive(Debug, Clone, Default)]
pub struct PasswordReset {
    pub email: String,
    pub new_password: String,
    pub code: String,
}
