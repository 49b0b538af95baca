//! The entries of SPEC §5: code, HTTP status and the zh/en `Msg` and `Notice` of
//! each. The Chinese texts are the seed's, character for character; an entry whose
//! seed text differs by situation (E1002's Msg, E2004's Notice) has one variant per
//! situation, all with the same code.

use poem::http::StatusCode;

use crate::language::Lang;

/// One entry of the error catalogue (SPEC §5).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Entry {
    /// E1001: an input broke a rule of SPEC §3, or could not be parsed.
    E1001InvalidInput,
    /// E1002: no token in the request.
    E1002MissingToken,
    /// E1002: a malformed, expired or revoked token (R11).
    E1002InvalidToken,
    /// E1004: unknown route.
    E1004UnknownRoute,
    /// E1005: known route, wrong method (answered with `Allow`).
    E1005MethodNotAllowed,
    /// E1006: a body in a content type the operation does not take.
    E1006UnsupportedContentType,
    /// E1007: a body over the limit of SPEC §4.
    E1007BodyTooLarge,
    /// E1101: R1, the userId or email is taken.
    E1101UserExists,
    /// E1102: bad userId or password (one answer for both).
    E1102LoginFailed,
    /// E1103: S4 login lockout (answered with `Retry-After`).
    E1103TooManyLogins,
    /// E1104: the email belongs to another user.
    E1104EmailTaken,
    /// E1105: S3 reset-code request limits (answered with `Retry-After`).
    E1105TooManyResets,
    /// E1106: wrong, expired, used or burned reset code.
    E1106WrongCode,
    /// E1107: S10 registrations per client address (answered with `Retry-After`).
    E1107TooManyRegistrations,
    /// E1201: WebSocket flood limit (W10); only ever an error frame, never HTTP.
    E1201TooFast,
    /// E1301: not PNG, JPEG, GIF or WebP (S6).
    E1301UnsupportedImage,
    /// E1302: image over `images.max_bytes`.
    E1302ImageTooLarge,
    /// E1202: S10 image uploads per user (answered with `Retry-After`).
    E1202TooManyUploads,
    /// E1303: a WebSocket route called without `Upgrade`.
    E1303WebSocketRequired,
    /// E1304: unknown image id.
    E1304ImageNotFound,
    /// E2001: no such room.
    E2001RoomNotFound,
    /// E2002: R5, the caller is not the owner.
    E2002NotOwner,
    /// E2003: the target (or the caller leaving/reconnecting) is not a member.
    E2003NotInRoom,
    /// E2004: R9, a non-member listing members or reading history.
    E2004NotMemberToList,
    /// E2004: R9, a non-member sending an image.
    E2004NotMemberToSendImage,
    /// E2004: R9, a non-member sending a message (WebSocket error frame).
    E2004NotMemberToSendMessage,
    /// E2005: R4, the room is full.
    E2005RoomFull,
    /// E2006: R4, the room is private.
    E2006RoomPrivate,
    /// E2007: R2, the room id or name is taken.
    E2007RoomExists,
    /// E2008: R6, the owner named themself.
    E2008SelfTarget,
    /// E2009: R7, capacity below the member count.
    E2009CapacityTooSmall,
    /// E2010: R14, kicked recently (answered with `Retry-After`).
    E2010KickedRecently,
    /// E5000: anything unexpected; details only in the log.
    E5000Internal,
    /// E5003: the database or the bus is unreachable (answered with `Retry-After`).
    E5003Unavailable,
}

/// A text in both languages.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Text {
    /// Simplified Chinese (the seed's string where the seed has one).
    pub zh: &'static str,
    /// English.
    pub en: &'static str,
}

impl Text {
    /// The text in `lang`.
    pub fn get(self, lang: Lang) -> &'static str {
        lang.pick(self.zh, self.en)
    }
}

const fn t(zh: &'static str, en: &'static str) -> Text {
    Text { zh, en }
}

/// Everything the catalogue says about one entry.
struct Spec {
    code: i32,
    status: StatusCode,
    msg: Text,
    notice: Text,
}

const fn spec(code: i32, status: StatusCode, msg: Text, notice: Text) -> Spec {
    Spec { code, status, msg, notice }
}

/// An entry whose `Msg` and `Notice` are the same text, as most of the seed's are.
const fn same(code: i32, status: StatusCode, text: Text) -> Spec {
    spec(code, status, text, text)
}

const NOT_IN_ROOM: Text = t("用户不在房间内", "The user is not in the room");
const TOKEN_NOTICE: Text = t("登录失败", "Login failed, please log in again");

impl Entry {
    /// Every entry, for documentation and tests.
    pub const ALL: [Entry; 34] = [
        Self::E1001InvalidInput,
        Self::E1002MissingToken,
        Self::E1002InvalidToken,
        Self::E1004UnknownRoute,
        Self::E1005MethodNotAllowed,
        Self::E1006UnsupportedContentType,
        Self::E1007BodyTooLarge,
        Self::E1101UserExists,
        Self::E1102LoginFailed,
        Self::E1103TooManyLogins,
        Self::E1104EmailTaken,
        Self::E1105TooManyResets,
        Self::E1106WrongCode,
        Self::E1107TooManyRegistrations,
        Self::E1201TooFast,
        Self::E1301UnsupportedImage,
        Self::E1302ImageTooLarge,
        Self::E1202TooManyUploads,
        Self::E1303WebSocketRequired,
        Self::E1304ImageNotFound,
        Self::E2001RoomNotFound,
        Self::E2002NotOwner,
        Self::E2003NotInRoom,
        Self::E2004NotMemberToList,
        Self::E2004NotMemberToSendImage,
        Self::E2004NotMemberToSendMessage,
        Self::E2005RoomFull,
        Self::E2006RoomPrivate,
        Self::E2007RoomExists,
        Self::E2008SelfTarget,
        Self::E2009CapacityTooSmall,
        Self::E2010KickedRecently,
        Self::E5000Internal,
        Self::E5003Unavailable,
    ];

    fn spec(self) -> Spec {
        use StatusCode as S;
        match self {
            Self::E1001InvalidInput => spec(
                1001,
                S::BAD_REQUEST,
                t("输入参数无效", "Invalid input"),
                t("输入参数无效", "The input is invalid"),
            ),
            Self::E1002MissingToken => spec(
                1002,
                S::UNAUTHORIZED,
                t("请求头中的token为空", "The token in the request header is empty"),
                TOKEN_NOTICE,
            ),
            Self::E1002InvalidToken => spec(1002, S::UNAUTHORIZED, t("无效的token", "Invalid token"), TOKEN_NOTICE),
            Self::E1004UnknownRoute => same(1004, S::NOT_FOUND, t("接口不存在", "No such endpoint")),
            Self::E1005MethodNotAllowed => same(1005, S::METHOD_NOT_ALLOWED, t("方法不允许", "Method not allowed")),
            Self::E1006UnsupportedContentType => {
                same(1006, S::UNSUPPORTED_MEDIA_TYPE, t("不支持的内容类型", "Unsupported content type"))
            }
            Self::E1007BodyTooLarge => same(1007, S::PAYLOAD_TOO_LARGE, t("请求体过大", "Request body too large")),
            Self::E1101UserExists => spec(
                1101,
                S::CONFLICT,
                t("用户已存在", "User already exists"),
                t("用户Id或邮箱已存在，请重新注册", "The user id or email already exists, please register again"),
            ),
            Self::E1102LoginFailed => {
                spec(1102, S::UNAUTHORIZED, t("登录失败", "Login failed"), t("id或密码错误", "Wrong id or password"))
            }
            Self::E1103TooManyLogins => spec(
                1103,
                S::TOO_MANY_REQUESTS,
                t("登录尝试过多", "Too many login attempts"),
                t("登录尝试过多，请稍后再试", "Too many login attempts, please try again later"),
            ),
            Self::E1104EmailTaken => spec(
                1104,
                S::CONFLICT,
                t("邮箱已被绑定", "Email already bound"),
                t("邮箱已被绑定", "This email is already bound to another account"),
            ),
            Self::E1105TooManyResets => spec(
                1105,
                S::TOO_MANY_REQUESTS,
                t("发送多次拉入黑名单", "Too many requests, temporarily blocked"),
                t("发送多次拉入黑名单", "Too many code requests, temporarily blocked"),
            ),
            Self::E1106WrongCode => same(1106, S::BAD_REQUEST, t("验证码错误", "Wrong verification code")),
            Self::E1107TooManyRegistrations => spec(
                1107,
                S::TOO_MANY_REQUESTS,
                t("注册过于频繁", "Too many registrations"),
                t("注册过于频繁，请稍后再试", "Too many registrations from this address, please try again later"),
            ),
            Self::E1201TooFast => same(1201, S::TOO_MANY_REQUESTS, t("发送过快", "Sending too fast")),
            Self::E1301UnsupportedImage => spec(
                1301,
                S::UNSUPPORTED_MEDIA_TYPE,
                t("图片格式不支持", "Unsupported image format"),
                t("仅支持 PNG、JPEG、GIF、WebP", "Only PNG, JPEG, GIF and WebP are supported"),
            ),
            Self::E1302ImageTooLarge => same(1302, S::PAYLOAD_TOO_LARGE, t("图片过大", "Image too large")),
            Self::E1202TooManyUploads => spec(
                1202,
                S::TOO_MANY_REQUESTS,
                t("上传过于频繁", "Too many uploads"),
                t("上传过于频繁，请稍后再试", "Too many image uploads, please try again later"),
            ),
            Self::E1303WebSocketRequired => {
                same(1303, S::UPGRADE_REQUIRED, t("需要WebSocket连接", "WebSocket connection required"))
            }
            Self::E1304ImageNotFound => same(1304, S::NOT_FOUND, t("图片不存在", "Image not found")),
            Self::E2001RoomNotFound => same(2001, S::NOT_FOUND, t("房间不存在", "The room does not exist")),
            Self::E2002NotOwner => spec(
                2002,
                S::FORBIDDEN,
                t("不是房主无权限", "Not the owner, no permission"),
                t("你不是房主无权限", "You are not the owner of this room"),
            ),
            Self::E2003NotInRoom => spec(2003, S::NOT_FOUND, NOT_IN_ROOM, NOT_IN_ROOM),
            Self::E2004NotMemberToList => spec(
                2004,
                S::FORBIDDEN,
                NOT_IN_ROOM,
                t("用户不在房间内，无权限查找", "You are not in the room and may not look into it"),
            ),
            Self::E2004NotMemberToSendImage => spec(
                2004,
                S::FORBIDDEN,
                NOT_IN_ROOM,
                t("不在房间内无法发送图片", "You are not in the room and cannot send images"),
            ),
            Self::E2004NotMemberToSendMessage => spec(
                2004,
                S::FORBIDDEN,
                NOT_IN_ROOM,
                t("不在房间内无法发送消息", "You are not in the room and cannot send messages"),
            ),
            Self::E2005RoomFull => same(2005, S::CONFLICT, t("房间人数已满", "The room is full")),
            Self::E2006RoomPrivate => {
                same(2006, S::FORBIDDEN, t("房间不允许其他人进入", "The room does not admit others"))
            }
            Self::E2007RoomExists => spec(
                2007,
                S::CONFLICT,
                t("房间已存在", "Room already exists"),
                t("房间Id或房间名已存在", "The room id or room name already exists"),
            ),
            Self::E2008SelfTarget => spec(
                2008,
                S::CONFLICT,
                t("不能对自己操作", "Cannot act on yourself"),
                t("不能踢出或转让给自己", "You cannot kick or transfer to yourself"),
            ),
            Self::E2009CapacityTooSmall => spec(
                2009,
                S::CONFLICT,
                t("容量过小", "Capacity too small"),
                t("容量不能小于当前人数", "The capacity cannot be below the current member count"),
            ),
            Self::E2010KickedRecently => spec(
                2010,
                S::FORBIDDEN,
                t("已被踢出", "Kicked out"),
                t("你已被踢出该房间，请稍后再试", "You were kicked out of this room, please try again later"),
            ),
            Self::E5000Internal => same(5000, S::INTERNAL_SERVER_ERROR, t("系统错误", "System error")),
            Self::E5003Unavailable => {
                same(5003, S::SERVICE_UNAVAILABLE, t("服务暂不可用", "Service temporarily unavailable"))
            }
        }
    }

    /// The `Code` of the envelope (1001 for E1001); the same in every language.
    pub fn code(self) -> i32 {
        self.spec().code
    }

    /// The HTTP status of SPEC §5 (answers use 200 instead under
    /// `legacy_status_200`). E1201 is never sent over HTTP; it says 429.
    pub fn status(self) -> StatusCode {
        self.spec().status
    }

    /// The short reason (`Msg`).
    pub fn msg(self) -> Text {
        self.spec().msg
    }

    /// The text for a person (`Notice`). E1001 answers replace it with one that
    /// names the field and its rule.
    pub fn notice(self) -> Text {
        self.spec().notice
    }
}
