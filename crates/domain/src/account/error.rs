//! One error enum per account operation. The API's catalogue maps every variant to
//! exactly one entry of SPEC §5.

use std::time::Duration;

use crate::validation::InvalidInput;

/// POST /user/register.
#[derive(Debug, thiserror::Error)]
pub enum RegisterError {
    #[error(transparent)]
    Invalid(#[from] InvalidInput),
    /// R1: the userId or the email is taken (E1101).
    #[error("user id or email already taken")]
    Taken,
    /// S10: the client's address registered `registrations_per_ip` accounts
    /// within the hour (E1107).
    #[error("too many registrations")]
    TooMany { retry_after: Duration },
    #[error(transparent)]
    Unexpected(#[from] anyhow::Error),
}

/// POST /user/login.
#[derive(Debug, thiserror::Error)]
pub enum LoginError {
    #[error(transparent)]
    Invalid(#[from] InvalidInput),
    /// Unknown userId or wrong password, indistinguishable (E1102).
    #[error("bad user id or password")]
    BadCredentials,
    /// S4: too many failures for this userId or client (E1103).
    #[error("too many failed logins")]
    LockedOut { retry_after: Duration },
    #[error(transparent)]
    Unexpected(#[from] anyhow::Error),
}

/// Checking the token of a request (E1002).
#[derive(Debug, thiserror::Error)]
pub enum AuthError {
    /// No token at all.
    #[error("no token")]
    MissingToken,
    /// Malformed, badly signed, expired or revoked token, or a deleted user (R11).
    #[error("invalid token")]
    InvalidToken,
    #[error(transparent)]
    Unexpected(#[from] anyhow::Error),
}

/// PUT /user/update.
#[derive(Debug, thiserror::Error)]
pub enum UpdateProfileError {
    #[error(transparent)]
    Invalid(#[from] InvalidInput),
    /// R1: the new email belongs to another user (E1104).
    #[error("email already bound to another user")]
    EmailTaken,
    #[error(transparent)]
    Unexpected(#[from] anyhow::Error),
}

/// DELETE /user/exit.
#[derive(Debug, thiserror::Error)]
pub enum LogoutError {
    #[error(transparent)]
    Unexpected(#[from] anyhow::Error),
}

/// POST /user/forgetPwd.
#[derive(Debug, thiserror::Error)]
pub enum RequestResetError {
    #[error(transparent)]
    Invalid(#[from] InvalidInput),
    /// S3: too many requests for this email or client (E1105).
    #[error("too many reset requests")]
    TooManyRequests { retry_after: Duration },
    #[error(transparent)]
    Unexpected(#[from] anyhow::Error),
}

/// PUT /user/updatePwd.
#[derive(Debug, thiserror::Error)]
pub enum ResetPasswordError {
    #[error(transparent)]
    Invalid(#[from] InvalidInput),
    /// S3: wrong, expired, used or burned code, or unknown email (E1106).
    #[error("wrong reset code")]
    WrongCode,
    #[error(transparent)]
    Unexpected(#[from] anyhow::Error),
}
