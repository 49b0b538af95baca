//! The frames the server sends (SPEC §7, W1–W7): one enum tagged on `type`,
//! camelCase, built from the domain's values and written by serde. Live
//! sessions and `GET /room/messages` both send an event as [`ServerFrame::event`].

use chatroom_domain::ids::{RoomId, Seq, UserId};
use chatroom_domain::room::Room;
use chatroom_domain::timeline::{EventKind, RoomEvent, Sender, SystemEvent};
use chatroom_domain::user::User;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use super::formats::{rfc3339, room, seq};
use super::{image_url, RoomDto};

/// A frame from the server to a client.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq)]
#[serde(tag = "type", rename_all = "camelCase", rename_all_fields = "camelCase")]
pub enum ServerFrame {
    /// W1: the first frame of every session.
    Welcome {
        #[serde(with = "room")]
        room: RoomDto,
        you: UserRef,
        /// The userIds of the members with an open connection, the caller's included.
        online: Vec<String>,
        /// The room's last seq when the session opened.
        #[serde(with = "seq")]
        last_seq: Seq,
    },
    /// W2: the replay is over; live frames follow.
    CaughtUp {
        /// The last seq sent in the opening (the room's last seq at least).
        #[serde(with = "seq")]
        last_seq: Seq,
    },
    /// W3: a message.
    Message {
        room_id: String,
        #[serde(with = "seq")]
        seq: Seq,
        from: UserRef,
        content: String,
        #[serde(with = "rfc3339")]
        sent_at: OffsetDateTime,
        /// The sender's id for the message (D3), when it gave one.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        client_msg_id: Option<String>,
    },
    /// W4: an image, served at `url`.
    Image {
        room_id: String,
        #[serde(with = "seq")]
        seq: Seq,
        from: UserRef,
        url: String,
        /// Its MIME type, told by its bytes (S6).
        content_type: String,
        #[serde(with = "rfc3339")]
        sent_at: OffsetDateTime,
    },
    /// W5: a persisted change of the room.
    System {
        room_id: String,
        #[serde(with = "seq")]
        seq: Seq,
        /// `event`, with `userId` or `room`.
        #[serde(flatten)]
        change: SystemChange,
        #[serde(with = "rfc3339")]
        sent_at: OffsetDateTime,
    },
    /// W7: the room is gone; the close (4002) follows. A `system` frame without
    /// seq, as it is not persisted; never read back, as its tag is `System`'s.
    #[serde(rename = "system", skip_deserializing)]
    Dissolved { room_id: String, event: Dissolution },
    /// W5: another member's first connection opened or last one closed (no seq).
    Presence { room_id: String, event: PresenceChange, user_id: String },
    /// W6: the sender's message is committed with this seq (D1).
    Ack {
        /// The message's clientMsgId; none for raw text.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        client_msg_id: Option<String>,
        #[serde(with = "seq")]
        seq: Seq,
    },
    /// W6: a refused client frame, with its catalogue code and notice.
    Error { code: i32, msg: String },
    /// W6: the answer to `{"type":"ping"}`.
    Pong,
}

/// A user as frames name one: `from` (W3, W4) and `you` (W1).
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct UserRef {
    /// The user's id.
    pub user_id: String,
    /// The user's display name.
    pub user_name: String,
}

/// What a `system` frame reports (W5), in its `event` field.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq)]
#[serde(tag = "event", rename_all = "camelCase", rename_all_fields = "camelCase")]
pub enum SystemChange {
    /// `userId` became a member.
    Joined { user_id: String },
    /// `userId` left the room.
    Left { user_id: String },
    /// `userId` was kicked (R10).
    Kicked { user_id: String },
    /// `userId` is the new owner.
    OwnerChanged { user_id: String },
    /// The room's values as written.
    RoomUpdated {
        #[serde(with = "room")]
        room: RoomDto,
    },
}

/// The `event` of the W7 frame.
#[derive(Serialize, Deserialize, Debug, Clone, Copy, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub enum Dissolution {
    /// The room is gone.
    Dissolved,
}

/// The `event` of a presence frame (W5).
#[derive(Serialize, Deserialize, Debug, Clone, Copy, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub enum PresenceChange {
    /// The member's first connection opened.
    Online,
    /// The member's last connection closed.
    Offline,
}

impl From<&User> for UserRef {
    fn from(user: &User) -> Self {
        Self { user_id: user.id.as_str().to_owned(), user_name: user.name.as_str().to_owned() }
    }
}

impl From<&Sender> for UserRef {
    fn from(sender: &Sender) -> Self {
        Self { user_id: sender.id.as_str().to_owned(), user_name: sender.name.as_str().to_owned() }
    }
}

impl From<&SystemEvent> for SystemChange {
    fn from(event: &SystemEvent) -> Self {
        let user_id = |user: &UserId| user.as_str().to_owned();
        match event {
            SystemEvent::Joined(user) => Self::Joined { user_id: user_id(user) },
            SystemEvent::Left(user) => Self::Left { user_id: user_id(user) },
            SystemEvent::Kicked(user) => Self::Kicked { user_id: user_id(user) },
            SystemEvent::OwnerChanged(user) => Self::OwnerChanged { user_id: user_id(user) },
            SystemEvent::RoomUpdated(room) => Self::RoomUpdated { room: RoomDto::from(room) },
        }
    }
}

impl ServerFrame {
    /// W1: `you` in `room`, with the members `online` and the room's `last_seq`.
    pub fn welcome(room: &Room, you: &User, online: &[UserId], last_seq: Seq) -> Self {
        Self::Welcome {
            room: RoomDto::from(room),
            you: UserRef::from(you),
            online: online.iter().map(|user| user.as_str().to_owned()).collect(),
            last_seq,
        }
    }

    /// W3, W4, W5: a persisted event, live, replayed or read from the history.
    pub fn event(event: &RoomEvent) -> Self {
        let (room_id, seq, sent_at) = (event.room_id.as_str().to_owned(), event.seq, event.at);
        match &event.kind {
            EventKind::Message { from, content, client_msg_id } => Self::Message {
                room_id,
                seq,
                from: UserRef::from(from),
                content: content.as_str().to_owned(),
                sent_at,
                client_msg_id: client_msg_id.as_ref().map(|id| id.as_str().to_owned()),
            },
            EventKind::Image { from, image, image_type } => Self::Image {
                room_id,
                seq,
                from: UserRef::from(from),
                url: image_url(image),
                content_type: image_type.mime().to_owned(),
                sent_at,
            },
            EventKind::System(system) => Self::System { room_id, seq, change: SystemChange::from(system), sent_at },
        }
    }

    /// W5: `user`'s first connection to `room` opened (`online`) or its last closed.
    pub fn presence(room: &RoomId, user: &UserId, online: bool) -> Self {
        let event = if online { PresenceChange::Online } else { PresenceChange::Offline };
        Self::Presence { room_id: room.as_str().to_owned(), event, user_id: user.as_str().to_owned() }
    }

    /// W7: `room` was dissolved.
    pub fn dissolved(room: &RoomId) -> Self {
        Self::Dissolved { room_id: room.as_str().to_owned(), event: Dissolution::Dissolved }
    }

    /// The frame's text. Nothing in a frame can fail to serialize (string keys,
    /// no fallible field), so this never comes out empty.
    pub fn encode(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests;
