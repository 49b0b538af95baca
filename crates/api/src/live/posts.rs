//! The client's frames (W8): each text frame is read as a [`ClientFrame`] and
//! answered (a pong, the ack of a stored message, or an error frame) on a task
//! of the connection's own, so a post waiting on the database never keeps the
//! session from delivering the room's events.

use std::sync::Arc;

use chatroom_domain::ids::RoomKey;
use chatroom_domain::message::{MessageDraft, MessageService};
use chatroom_domain::user::User;
use tokio::sync::mpsc;
use tokio_tungstenite::tungstenite::Utf8Bytes;

use super::outbound::Pusher;
use crate::catalogue::{Failure, Text};
use crate::language::Lang;
use crate::wire::{ClientFrame, ServerFrame, UnknownType};

/// Client frames waiting for their answer (W8); beyond this the client is
/// sending faster than it is served and gets E1201.
const PENDING_POSTS: usize = 64;

/// W8: binary frames carry nothing the protocol knows.
pub(crate) const BINARY_FRAME: Text = Text {
    zh: "不支持二进制帧，图片请用/room/sendImg发送",
    en: "Binary frames are not accepted; send images with /room/sendImg",
};

/// W8: a JSON frame whose `type` is neither `message` nor `ping`.
const UNKNOWN_TYPE: Text = Text { zh: "type只能是message或ping", en: "type must be message or ping" };

/// The error frame of a refused client frame (W6).
pub(crate) fn refused(failure: &Failure, lang: Lang) -> ServerFrame {
    ServerFrame::Error { code: failure.entry().code(), msg: failure.notice(lang) }
}

/// The session's end of its [`PostHandler`].
pub(crate) struct Posts {
    pub(crate) frames: mpsc::Sender<Utf8Bytes>,
    pub(crate) handler: tokio::task::JoinHandle<()>,
}

impl Posts {
    /// Lets the handler answer the frames it already has (D5: a queued post is
    /// answered, committed or refused, before the close frame), for at most
    /// `patience`.
    pub(crate) async fn finish(self, patience: std::time::Duration) {
        drop(self.frames);
        let _ = tokio::time::timeout(patience, self.handler).await;
    }
}

/// Answers a connection's text frames (W8), on a task of its own.
pub(crate) struct PostHandler {
    /// The connection's queue, for the answers.
    pub(crate) replies: Pusher,
    pub(crate) messages: Arc<dyn MessageService>,
    pub(crate) user: User,
    pub(crate) room: RoomKey,
    pub(crate) lang: Lang,
}

impl PostHandler {
    /// Starts the handler on a task of its own; the frames sent through the
    /// answer's end are answered in order until it is dropped, and the task
    /// ends once the last one is answered.
    pub(crate) fn start(self) -> Posts {
        let (frames, queue) = mpsc::channel(PENDING_POSTS);
        Posts { frames, handler: tokio::spawn(self.run(queue)) }
    }

    /// Answers the frames one after the other (so the client's messages keep
    /// their order), until the session drops its end of the queue. Answers
    /// pushed after the connection closed are dropped; an unacked message is
    /// resent by the client and deduplicated by its clientMsgId (D3).
    async fn run(self, mut queue: mpsc::Receiver<Utf8Bytes>) {
        while let Some(text) = queue.recv().await {
            let reply = answer(&text, &self.user, &self.room, self.messages.as_ref(), self.lang).await;
            if self.replies.push(&reply).is_err() {
                // The queue is full or gone: the session closes the connection.
                return;
            }
        }
    }
}

/// The answer to one text frame of `user` in `room`: a pong, the ack of the
/// stored message (D1), or the refusal.
async fn answer(text: &str, user: &User, room: &RoomKey, messages: &dyn MessageService, lang: Lang) -> ServerFrame {
    let draft = match ClientFrame::parse(text) {
        Ok(ClientFrame::Ping) => return ServerFrame::Pong,
        Ok(ClientFrame::Message { content, client_msg_id }) => MessageDraft { content, client_msg_id },
        Err(UnknownType) => return refused(&Failure::invalid_with(UNKNOWN_TYPE), lang),
    };
    let client_msg_id = draft.client_msg_id.clone();
    match messages.post_message(user, room, draft).await {
        Ok(appended) => ServerFrame::Ack { client_msg_id, seq: appended.event.seq },
        Err(e) => refused(&Failure::from(e), lang),
    }
}

#[cfg(test)]
mod tests {
    use chatroom_domain::ids::{Incarnation, RoomId, Seq, UserId};
    use chatroom_domain::message::ports::MockMessageService;
    use chatroom_domain::message::PostMessageError;
    use chatroom_domain::timeline::{Appended, EventKind, RoomEvent, SystemEvent};
    use chatroom_domain::user::{Email, PasswordHash, UserName};

    use super::*;

    fn alice() -> User {
        User {
            id: UserId::parse("alice").unwrap(),
            name: UserName::parse("alice").unwrap(),
            email: Email::parse("alice@example.com").unwrap(),
            password_hash: PasswordHash::new("$argon2id$stub".to_owned()),
            created_at: time::OffsetDateTime::UNIX_EPOCH,
        }
    }

    /// A service that stores one message, expecting `content` and `id`, as seq 7.
    fn storing(content: &'static str, id: Option<&'static str>) -> MockMessageService {
        let mut messages = MockMessageService::new();
        let expected = move |draft: &MessageDraft| draft.content == content && draft.client_msg_id.as_deref() == id;
        messages.expect_post_message().withf(move |_, _, draft| expected(draft)).times(1).returning(|_, room, _| {
            let event = RoomEvent {
                room_id: room.id.clone(),
                seq: Seq::new(7),
                at: time::OffsetDateTime::UNIX_EPOCH,
                kind: EventKind::System(SystemEvent::Joined(UserId::parse("alice").unwrap())),
            };
            Ok(Appended { event, duplicate: false })
        });
        messages
    }

    async fn reply(text: &str, messages: MockMessageService) -> ServerFrame {
        answer(text, &alice(), &RoomKey::new(RoomId::parse("r1").unwrap(), Incarnation::new(1)), &messages, Lang::Zh)
            .await
    }

    #[tokio::test]
    async fn w8_raw_text_is_a_message_of_the_whole_text_acked_without_client_msg_id() {
        let messages = storing("hello", None);
        assert_eq!(reply("hello", messages).await, ServerFrame::Ack { client_msg_id: None, seq: Seq::new(7) });
    }

    #[tokio::test]
    async fn w6_a_message_frame_is_acked_with_its_client_msg_id() {
        let messages = storing("hi", Some("c1"));
        let frame = r#"{"type":"message","content":"hi","clientMsgId":"c1"}"#;
        assert_eq!(
            reply(frame, messages).await,
            ServerFrame::Ack { client_msg_id: Some("c1".into()), seq: Seq::new(7) }
        );
    }

    #[tokio::test]
    async fn w6_a_ping_is_answered_with_a_pong_and_stores_nothing() {
        assert_eq!(reply(r#"{"type":"ping"}"#, MockMessageService::new()).await, ServerFrame::Pong);
    }

    #[tokio::test]
    async fn w8_an_unknown_type_is_refused_with_e1001_and_stores_nothing() {
        let frame = reply(r#"{"type":"image"}"#, MockMessageService::new()).await;
        assert_eq!(frame, ServerFrame::Error { code: 1001, msg: UNKNOWN_TYPE.zh.to_owned() });
    }

    #[tokio::test]
    async fn r9_a_refused_message_is_answered_with_its_catalogue_code() {
        let mut messages = MockMessageService::new();
        messages.expect_post_message().returning(|_, _, _| Err(PostMessageError::NotMember));
        assert!(matches!(reply("hello", messages).await, ServerFrame::Error { code: 2004, .. }));
    }
}
