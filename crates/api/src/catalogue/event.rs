//! Messaging errors (R9, S6) to catalogue entries, variant by variant.
//! No `_ =>` arm: a new variant in the domain fails to compile here until someone
//! decides its answer.

use chatroom_domain::message::{HistoryError, PostImageError, PostMessageError};

use super::entry::Entry;
use super::failure::Failure;
use super::refusals::Refusals;

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

impl Refusals for PostImageError {
    fn entries() -> Vec<Entry> {
        vec![
            Entry::E1001InvalidInput,
            Entry::E2001RoomNotFound,
            Entry::E2004NotMemberToSendImage,
            Entry::E1301UnsupportedImage,
            Entry::E1302ImageTooLarge,
        ]
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

impl Refusals for HistoryError {
    fn entries() -> Vec<Entry> {
        vec![Entry::E1001InvalidInput, Entry::E2001RoomNotFound, Entry::E2004NotMemberToList]
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

    /// The documented entries of each error are exactly the entries its variants
    /// map to (E5000 is documented for every operation).
    #[test]
    fn each_error_documents_the_entries_its_variants_map_to() {
        use crate::catalogue::refusals::test_support::{mapped_entries as entries, sorted};

        assert_eq!(
            entries(vec![
                PostImageError::Invalid(invalid()).into(),
                PostImageError::NotFound.into(),
                PostImageError::NotMember.into(),
                PostImageError::UnsupportedType.into(),
                PostImageError::TooLarge.into(),
                PostImageError::Unexpected(boom()).into(),
            ]),
            sorted(PostImageError::entries())
        );
        assert_eq!(
            entries(vec![
                HistoryError::Invalid(invalid()).into(),
                HistoryError::NotFound.into(),
                HistoryError::NotMember.into(),
                HistoryError::Unexpected(boom()).into(),
            ]),
            sorted(HistoryError::entries())
        );
    }
}
