//! Account errors (R1, R11, S3, S4) to catalogue entries, variant by variant.
//! No `_ =>` arm: a new variant in the domain fails to compile here until someone
//! decides its answer.

use chatroom_domain::account::{
    AuthError, LoginError, LogoutError, RegisterError, RequestResetError, ResetPasswordError, UpdateProfileError,
};

use super::entry::Entry;
use super::failure::Failure;
use super::refusals::Refusals;

impl From<RegisterError> for Failure {
    fn from(err: RegisterError) -> Self {
        match err {
            RegisterError::Invalid(invalid) => Self::invalid(invalid),
            RegisterError::Taken => Self::new(Entry::E1101UserExists),
            RegisterError::Unexpected(e) => Self::unexpected(&e),
        }
    }
}

impl From<LoginError> for Failure {
    fn from(err: LoginError) -> Self {
        match err {
            LoginError::Invalid(invalid) => Self::invalid(invalid),
            LoginError::BadCredentials => Self::new(Entry::E1102LoginFailed),
            LoginError::LockedOut { retry_after } => Self::new(Entry::E1103TooManyLogins).with_retry_after(retry_after),
            LoginError::Unexpected(e) => Self::unexpected(&e),
        }
    }
}

impl From<AuthError> for Failure {
    fn from(err: AuthError) -> Self {
        match err {
            AuthError::MissingToken => Self::new(Entry::E1002MissingToken),
            AuthError::InvalidToken => Self::new(Entry::E1002InvalidToken),
            AuthError::Unexpected(e) => Self::unexpected(&e),
        }
    }
}

impl From<UpdateProfileError> for Failure {
    fn from(err: UpdateProfileError) -> Self {
        match err {
            UpdateProfileError::Invalid(invalid) => Self::invalid(invalid),
            UpdateProfileError::EmailTaken => Self::new(Entry::E1104EmailTaken),
            UpdateProfileError::Unexpected(e) => Self::unexpected(&e),
        }
    }
}

impl From<LogoutError> for Failure {
    fn from(err: LogoutError) -> Self {
        match err {
            LogoutError::Unexpected(e) => Self::unexpected(&e),
        }
    }
}

impl From<RequestResetError> for Failure {
    fn from(err: RequestResetError) -> Self {
        match err {
            RequestResetError::Invalid(invalid) => Self::invalid(invalid),
            RequestResetError::TooManyRequests { retry_after } => {
                Self::new(Entry::E1105TooManyResets).with_retry_after(retry_after)
            }
            RequestResetError::Unexpected(e) => Self::unexpected(&e),
        }
    }
}

impl From<ResetPasswordError> for Failure {
    fn from(err: ResetPasswordError) -> Self {
        match err {
            ResetPasswordError::Invalid(invalid) => Self::invalid(invalid),
            ResetPasswordError::WrongCode => Self::new(Entry::E1106WrongCode),
            ResetPasswordError::Unexpected(e) => Self::unexpected(&e),
        }
    }
}

// What each error can be answered with, beside E5000 (for the OpenAPI document).

impl Refusals for RegisterError {
    fn entries() -> Vec<Entry> {
        vec![Entry::E1001InvalidInput, Entry::E1101UserExists]
    }
}

impl Refusals for LoginError {
    fn entries() -> Vec<Entry> {
        vec![Entry::E1001InvalidInput, Entry::E1102LoginFailed, Entry::E1103TooManyLogins]
    }
}

impl Refusals for AuthError {
    fn entries() -> Vec<Entry> {
        vec![Entry::E1002MissingToken, Entry::E1002InvalidToken]
    }
}

impl Refusals for UpdateProfileError {
    fn entries() -> Vec<Entry> {
        vec![Entry::E1001InvalidInput, Entry::E1104EmailTaken]
    }
}

impl Refusals for LogoutError {
    fn entries() -> Vec<Entry> {
        Vec::new()
    }
}

impl Refusals for RequestResetError {
    fn entries() -> Vec<Entry> {
        vec![Entry::E1001InvalidInput, Entry::E1105TooManyResets]
    }
}

impl Refusals for ResetPasswordError {
    fn entries() -> Vec<Entry> {
        vec![Entry::E1001InvalidInput, Entry::E1106WrongCode]
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use chatroom_domain::validation::{InvalidInput, Rule};

    use super::*;

    fn code(failure: impl Into<Failure>) -> i32 {
        failure.into().entry().code()
    }

    fn invalid() -> InvalidInput {
        InvalidInput::new("userEmail", Rule::EmailFormat)
    }

    fn boom() -> anyhow::Error {
        anyhow::anyhow!("database gone")
    }

    #[test]
    fn register_errors_map_to_e1001_e1101_e5000() {
        assert_eq!(code(RegisterError::Invalid(invalid())), 1001);
        assert_eq!(code(RegisterError::Taken), 1101);
        assert_eq!(code(RegisterError::Unexpected(boom())), 5000);
    }

    #[test]
    fn login_errors_map_to_e1001_e1102_e1103_e5000_and_s4_lockout_retries_later() {
        assert_eq!(code(LoginError::Invalid(invalid())), 1001);
        assert_eq!(code(LoginError::BadCredentials), 1102);
        let locked = Failure::from(LoginError::LockedOut { retry_after: Duration::from_secs(900) });
        assert_eq!((locked.entry().code(), locked.retry_after()), (1103, Some(Duration::from_secs(900))));
        assert_eq!(code(LoginError::Unexpected(boom())), 5000);
    }

    #[test]
    fn auth_errors_map_to_the_two_e1002_reasons_and_e5000() {
        assert_eq!(Failure::from(AuthError::MissingToken).entry(), Entry::E1002MissingToken);
        assert_eq!(Failure::from(AuthError::InvalidToken).entry(), Entry::E1002InvalidToken);
        assert_eq!(code(AuthError::Unexpected(boom())), 5000);
    }

    #[test]
    fn update_profile_errors_map_to_e1001_e1104_e5000() {
        assert_eq!(code(UpdateProfileError::Invalid(invalid())), 1001);
        assert_eq!(code(UpdateProfileError::EmailTaken), 1104);
        assert_eq!(code(UpdateProfileError::Unexpected(boom())), 5000);
    }

    #[test]
    fn logout_errors_map_to_e5000() {
        assert_eq!(code(LogoutError::Unexpected(boom())), 5000);
    }

    #[test]
    fn request_reset_errors_map_to_e1001_e1105_e5000_and_s3_blacklist_retries_later() {
        assert_eq!(code(RequestResetError::Invalid(invalid())), 1001);
        let blocked = Failure::from(RequestResetError::TooManyRequests { retry_after: Duration::from_secs(3600) });
        assert_eq!((blocked.entry().code(), blocked.retry_after()), (1105, Some(Duration::from_secs(3600))));
        assert_eq!(code(RequestResetError::Unexpected(boom())), 5000);
    }

    #[test]
    fn reset_password_errors_map_to_e1001_e1106_e5000() {
        assert_eq!(code(ResetPasswordError::Invalid(invalid())), 1001);
        assert_eq!(code(ResetPasswordError::WrongCode), 1106);
        assert_eq!(code(ResetPasswordError::Unexpected(boom())), 5000);
    }

    #[test]
    fn e1001_from_the_domain_names_the_refused_field() {
        let failure = Failure::from(RegisterError::Invalid(invalid()));
        assert!(failure.notice(crate::language::Lang::Zh).contains("userEmail"));
    }

    #[test]
    fn e5000_answers_carry_no_detail_of_the_unexpected_error() {
        let failure = Failure::from(RegisterError::Unexpected(boom()));
        for lang in [crate::language::Lang::Zh, crate::language::Lang::En] {
            let envelope = failure.envelope(lang);
            assert!(!envelope.err.msg.contains("database") && !envelope.err.notice.contains("database"));
        }
    }

    /// The documented entries of each error are exactly the entries its variants
    /// map to (E5000 is documented for every operation).
    #[test]
    fn each_error_documents_the_entries_its_variants_map_to() {
        use crate::catalogue::refusals::test_support::{mapped_entries as entries, sorted};

        let wait = Duration::from_secs(1);
        assert_eq!(
            entries(vec![RegisterError::Invalid(invalid()).into(), RegisterError::Taken.into()]),
            sorted(RegisterError::entries())
        );
        assert_eq!(
            entries(vec![
                LoginError::Invalid(invalid()).into(),
                LoginError::BadCredentials.into(),
                LoginError::LockedOut { retry_after: wait }.into()
            ]),
            sorted(LoginError::entries())
        );
        assert_eq!(
            entries(vec![AuthError::MissingToken.into(), AuthError::InvalidToken.into()]),
            sorted(AuthError::entries())
        );
        assert_eq!(
            entries(vec![UpdateProfileError::Invalid(invalid()).into(), UpdateProfileError::EmailTaken.into()]),
            sorted(UpdateProfileError::entries())
        );
        assert_eq!(entries(vec![LogoutError::Unexpected(boom()).into()]), sorted(LogoutError::entries()));
        assert_eq!(
            entries(vec![
                RequestResetError::Invalid(invalid()).into(),
                RequestResetError::TooManyRequests { retry_after: wait }.into()
            ]),
            sorted(RequestResetError::entries())
        );
        assert_eq!(
            entries(vec![ResetPasswordError::Invalid(invalid()).into(), ResetPasswordError::WrongCode.into()]),
            sorted(ResetPasswordError::entries())
        );
    }
}
