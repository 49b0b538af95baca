//! Messaging errors (R9, S6) to catalogue entries, one table per error (see
//! [`refusals!`]): a new variant in the domain fails to compile here until
//! someone decides its answer.

use chatroom_domain::message::{HistoryError, PostImageError, PostMessageError};

use super::refusals::refusals;

refusals! {
    PostMessageError {
        Invalid(..) => E1001InvalidInput,
        NotFound => E2001RoomNotFound,
        NotMember => E2004NotMemberToSendMessage,
        Unexpected(..) => E5000Internal,
    }
    PostImageError {
        Invalid(..) => E1001InvalidInput,
        NotFound => E2001RoomNotFound,
        NotMember => E2004NotMemberToSendImage,
        UnsupportedType => E1301UnsupportedImage,
        TooLarge => E1302ImageTooLarge,
        TooMany { retry_after } => E1202TooManyUploads,
        Unexpected(..) => E5000Internal,
    }
    HistoryError {
        Invalid(..) => E1001InvalidInput,
        NotFound => E2001RoomNotFound,
        NotMember => E2004NotMemberToList,
        Unexpected(..) => E5000Internal,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalogue::Failure;
    use crate::language::Lang;

    /// E2004 has one code and a seed notice per situation (SPEC §5).
    #[test]
    fn r9_each_non_member_refusal_gets_e2004_with_the_notice_of_its_situation() {
        let notice = |failure: Failure| (failure.entry().code(), failure.notice(Lang::Zh));

        assert_eq!(notice(PostImageError::NotMember.into()), (2004, "不在房间内无法发送图片".to_owned()));
        assert_eq!(notice(PostMessageError::NotMember.into()), (2004, "不在房间内无法发送消息".to_owned()));
        assert_eq!(notice(HistoryError::NotMember.into()), (2004, "用户不在房间内，无权限查找".to_owned()));
    }
}
