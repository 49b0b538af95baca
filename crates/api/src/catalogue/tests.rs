//! The catalogue against the table of SPEC §5.

use poem::http::StatusCode;

use super::*;
use crate::language::Lang;

/// SPEC §5: code and HTTP status of every entry (E1201 is WebSocket-only).
fn spec_table(entry: Entry) -> (i32, u16) {
    match entry {
        Entry::E1001InvalidInput => (1001, 400),
        Entry::E1002MissingToken | Entry::E1002InvalidToken => (1002, 401),
        Entry::E1004UnknownRoute => (1004, 404),
        Entry::E1005MethodNotAllowed => (1005, 405),
        Entry::E1006UnsupportedContentType => (1006, 415),
        Entry::E1007BodyTooLarge => (1007, 413),
        Entry::E1101UserExists => (1101, 409),
        Entry::E1102LoginFailed => (1102, 401),
        Entry::E1103TooManyLogins => (1103, 429),
        Entry::E1104EmailTaken => (1104, 409),
        Entry::E1105TooManyResets => (1105, 429),
        Entry::E1106WrongCode => (1106, 400),
        Entry::E1107TooManyRegistrations => (1107, 429),
        Entry::E1201TooFast => (1201, 429),
        Entry::E1202TooManyUploads => (1202, 429),
        Entry::E1301UnsupportedImage => (1301, 415),
        Entry::E1302ImageTooLarge => (1302, 413),
        Entry::E1303WebSocketRequired => (1303, 426),
        Entry::E1304ImageNotFound => (1304, 404),
        Entry::E2001RoomNotFound => (2001, 404),
        Entry::E2002NotOwner => (2002, 403),
        Entry::E2003NotInRoom => (2003, 404),
        Entry::E2004NotMemberToList | Entry::E2004NotMemberToSendImage | Entry::E2004NotMemberToSendMessage => {
            (2004, 403)
        }
        Entry::E2005RoomFull => (2005, 409),
        Entry::E2006RoomPrivate => (2006, 403),
        Entry::E2007RoomExists => (2007, 409),
        Entry::E2008SelfTarget => (2008, 409),
        Entry::E2009CapacityTooSmall => (2009, 409),
        Entry::E2010KickedRecently => (2010, 403),
        Entry::E5000Internal => (5000, 500),
        Entry::E5003Unavailable => (5003, 503),
    }
}

#[test]
fn every_catalogue_entry_has_non_empty_zh_and_en_texts_and_the_status_of_spec_5() {
    for entry in Entry::ALL {
        let (code, status) = spec_table(entry);
        assert_eq!(entry.code(), code, "{entry:?}");
        assert_eq!(entry.status(), StatusCode::from_u16(status).unwrap(), "{entry:?}");
        for text in [entry.msg(), entry.notice()] {
            assert!(!text.zh.is_empty() && !text.en.is_empty(), "{entry:?}");
            assert_ne!(text.zh, text.en, "{entry:?} is not translated");
        }
    }
}

#[test]
fn the_catalogue_lists_every_entry_once() {
    let unique: std::collections::HashSet<_> = Entry::ALL.iter().collect();
    assert_eq!(unique.len(), Entry::ALL.len());
}

#[test]
fn seed_texts_are_kept_character_for_character() {
    let zh = |entry: Entry| (entry.msg().get(Lang::Zh), entry.notice().get(Lang::Zh));
    assert_eq!(zh(Entry::E1002MissingToken).0, "请求头中的token为空");
    assert_eq!(zh(Entry::E1002InvalidToken).0, "无效的token");
    assert_eq!(zh(Entry::E1101UserExists), ("用户已存在", "用户Id或邮箱已存在，请重新注册"));
    assert_eq!(zh(Entry::E1102LoginFailed), ("登录失败", "id或密码错误"));
    assert_eq!(zh(Entry::E1105TooManyResets), ("发送多次拉入黑名单", "发送多次拉入黑名单"));
    assert_eq!(zh(Entry::E1107TooManyRegistrations), ("注册过于频繁", "注册过于频繁，请稍后再试"));
    assert_eq!(zh(Entry::E1202TooManyUploads), ("上传过于频繁", "上传过于频繁，请稍后再试"));
    assert_eq!(zh(Entry::E2001RoomNotFound), ("房间不存在", "房间不存在"));
    assert_eq!(zh(Entry::E2002NotOwner), ("不是房主无权限", "你不是房主无权限"));
    assert_eq!(zh(Entry::E2003NotInRoom).1, "用户不在房间内");
    assert_eq!(zh(Entry::E2004NotMemberToList).1, "用户不在房间内，无权限查找");
    assert_eq!(zh(Entry::E2004NotMemberToSendImage).1, "不在房间内无法发送图片");
}

#[test]
fn codes_never_change_with_the_language() {
    let failure = Failure::new(Entry::E2005RoomFull);
    assert_eq!(failure.envelope(Lang::Zh).err.code, failure.envelope(Lang::En).err.code);
    assert_eq!(failure.envelope(Lang::En).err.msg, "The room is full");
}
