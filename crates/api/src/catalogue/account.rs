//! Account errors (R1, R11, S3, S4) to catalogue entries, one table per error
//! (see [`refusals!`]): a new variant in the domain fails to compile here until
//! someone decides its answer.

use chatroom_domain::account::{
    AuthError, LoginError, LogoutError, RegisterError, RequestResetError, ResetPasswordError, UpdateProfileError,
};

use super::refusals::refusals;

refusals! {
    RegisterError {
        Invalid(..) => E1001InvalidInput,
        Taken => E1101UserExists,
        TooMany { retry_after } => E1107TooManyRegistrations,
        Unexpected(..) => E5000Internal,
    }
    LoginError {
        Invalid(..) => E1001InvalidInput,
        BadCredentials => E1102LoginFailed,
        LockedOut { retry_after } => E1103TooManyLogins,
        Unexpected(..) => E5000Internal,
    }
    AuthError {
        MissingToken => E1002MissingToken,
        InvalidToken => E1002InvalidToken,
        Unexpected(..) => E5000Internal,
    }
    UpdateProfileError {
        Invalid(..) => E1001InvalidInput,
        EmailTaken => E1104EmailTaken,
        Unexpected(..) => E5000Internal,
    }
    LogoutError {
        Unexpected(..) => E5000Internal,
    }
    RequestResetError {
        Invalid(..) => E1001InvalidInput,
        TooManyRequests { retry_after } => E1105TooManyResets,
        Unexpected(..) => E5000Internal,
    }
    ResetPasswordError {
        Invalid(..) => E1001InvalidInput,
        WrongCode => E1106WrongCode,
        Unexpected(..) => E5000Internal,
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;
    use crate::catalogue::{Entry, Failure};

    #[test]
    fn s4_a_locked_out_login_is_e1103_with_retry_after() {
        let locked = Failure::from(LoginError::LockedOut { retry_after: Duration::from_secs(900) });

        assert_eq!((locked.entry(), locked.retry_after()), (Entry::E1103TooManyLogins, Some(Duration::from_secs(900))));
    }

    #[test]
    fn s3_a_blacklisted_reset_request_is_e1105_with_retry_after() {
        let blocked = Failure::from(RequestResetError::TooManyRequests { retry_after: Duration::from_secs(3600) });

        assert_eq!(
            (blocked.entry(), blocked.retry_after()),
            (Entry::E1105TooManyResets, Some(Duration::from_secs(3600)))
        );
    }
}
