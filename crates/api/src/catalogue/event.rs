//! Messaging errors (R9, S6) to catalogue entries, variant by variant.
//! No `_ =>` arm: a new variant in the domain fails to compile here until someone
//! decides its answer.

use chatroom_domain::event::{HistoryError, PostImageError, PostMessageError};

use super::entry::Entry;
use super::failure::Failure;

impl From<PostMessageError> for Failure {
    fn from(err: PostMessageError) -> Self {
        match err {
            PostMessageError::Invalid(invalid) => Self::invalid(invalid),
            PostMessageError::NotFound => Self::new(Entry::E2001RoomNotFound),
            PostMessageError::NotMember => Self::new(Entry::E2004NotMemberToSendMessage),
            PostMessageError::Unexpected(e) => Self::unexpected(&e),
        }
    }
}

impl From<PostImageError> for Failure {
    fn from(err: PostImageError) -> Self {
        match err {
            PostImageError::Invalid(invalid) => Self::invalid(invalid),
            PostImageError::NotFound => Self::new(Entry::E2001RoomNotFound),
            PostImageError::NotMember => Self::new(Entry::E2004NotMemberToSendImage),
            PostImageError::UnsupportedType => Self::new(Entry::E1301UnsupportedImage),
            PostImageError::TooLarge => Self::new(Entry::E1302ImageTooLarge),
            PostImageError::Unexpected(e) => Self::unexpected(&e),
        }
    }
}

impl From<HistoryError> for Failure {
    fn from(err: HistoryError) -> Self {
        match err {
            HistoryError::Invalid(invalid) => Self::invalid(invalid),
            HistoryError::NotFound => Self::new(Entry::E2001RoomNotFound),
            HistoryError::NotMember => Self::new(Entry::E2004NotMemberToList),
            HistoryError::Unexpected(e) => Self::unexpected(&e),
        }
    }
}

#[cfg(test)]
mod tests {
    use chatroom_domain::validation::{InvalidInput, Rule};

    use super::*;
    use crate::language::Lang;

    fn code(failure: impl Into<Failure>) -> i32 {
        failure.into().entry().code()
    }

    fn invalid() -> InvalidInput {
        InvalidInput::new("content", Rule::Length { min: 1, max: 4000 })
    }

    fn boom() -> anyhow::Error {
        anyhow::anyhow!("store gone")
    }

    #[test]
    fn post_message_errors_map_to_e1001_e2001_e2004_e5000() {
        assert_eq!(code(PostMessageError::Invalid(invalid())), 1001);
        assert_eq!(code(PostMessageError::NotFound), 2001);
        assert_eq!(code(PostMessageError::NotMember), 2004);
        assert_eq!(code(PostMessageError::Unexpected(boom())), 5000);
    }

    #[test]
    fn post_image_errors_map_to_s6_codes_and_e2004_with_the_seed_image_notice() {
        assert_eq!(code(PostImageError::Invalid(invalid())), 1001);
        assert_eq!(code(PostImageError::NotFound), 2001);
        let refused = Failure::from(PostImageError::NotMember);
        assert_eq!(refused.entry().code(), 2004);
        assert_eq!(refused.notice(Lang::Zh), "不在房间内无法发送图片");
        assert_eq!(code(PostImageError::UnsupportedType), 1301);
        assert_eq!(code(PostImageError::TooLarge), 1302);
        assert_eq!(code(PostImageError::Unexpected(boom())), 5000);
    }

    #[test]
    fn history_errors_map_to_e1001_e2001_e2004_e5000() {
        assert_eq!(code(HistoryError::Invalid(invalid())), 1001);
        assert_eq!(code(HistoryError::NotFound), 2001);
        assert_eq!(code(HistoryError::NotMember), 2004);
        assert_eq!(code(HistoryError::Unexpected(boom())), 5000);
    }
}
