//! The JSON frames the server sends (SPEC §7, W1–W7), camelCase.

use std::collections::{HashMap, VecDeque};
use std::sync::{Mutex, PoisonError};

use chatroom_domain::ids::{RoomId, Seq, UserId};
use chatroom_domain::room::Room;
use chatroom_domain::timeline::{EventKind, RoomEvent, SystemEvent};
use chatroom_domain::user::User;
use poem_openapi::types::ToJSON;
use serde_json::{json, Map, Value};
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;
use tokio_tungstenite::tungstenite::Utf8Bytes;

use crate::endpoints::{image_url, RoomDto};

fn room_json<'a>(room: impl Into<RoomDto> + 'a) -> Value {
    room.into().to_json().unwrap_or(Value::Null)
}

fn rfc3339(at: OffsetDateTime) -> String {
    at.format(&Rfc3339).unwrap_or_default()
}

/// W1: the first frame of every session.
pub(crate) fn welcome(room: &Room, you: &User, online: &[UserId], last_seq: i64) -> Value {
    json!({
        "type": "welcome",
        "room": room_json(room),
        "you": {"userId": you.id.as_str(), "userName": you.name.as_str()},
        "online": online.iter().map(UserId::as_str).collect::<Vec<_>>(),
        "lastSeq": last_seq,
    })
}

/// W2: the replay is over; live signals follow.
pub(crate) fn caught_up(last_seq: i64) -> Value {
    json!({"type": "caughtUp", "lastSeq": last_seq})
}

/// W3, W4, W5: a persisted event, live or replayed; `GET /room/messages` lists
/// history as these same frames.
pub(crate) fn event(event: &RoomEvent) -> Value {
    let mut frame = Map::new();
    let sent_at = rfc3339(event.at);
    match &event.kind {
        EventKind::Message { from, content, client_msg_id } => {
            frame.insert("type".into(), "message".into());
            frame.insert("from".into(), json!({"userId": from.id.as_str(), "userName": from.name.as_str()}));
            frame.insert("content".into(), content.as_str().into());
            if let Some(id) = client_msg_id {
                frame.insert("clientMsgId".into(), id.as_str().into());
            }
        }
        EventKind::Image { from, image, image_type } => {
            frame.insert("type".into(), "image".into());
            frame.insert("from".into(), json!({"userId": from.id.as_str(), "userName": from.name.as_str()}));
            frame.insert("url".into(), image_url(image).into());
            frame.insert("contentType".into(), image_type.mime().into());
        }
        EventKind::System(system) => {
            frame.insert("type".into(), "system".into());
            let (name, user) = match system {
                SystemEvent::Joined(user) => ("joined", Some(user)),
                SystemEvent::Left(user) => ("left", Some(user)),
                SystemEvent::Kicked(user) => ("kicked", Some(user)),
                SystemEvent::OwnerChanged(user) => ("ownerChanged", Some(user)),
                SystemEvent::RoomUpdated(room) => {
                    frame.insert("room".into(), room_json(room));
                    ("roomUpdated", None)
                }
            };
            frame.insert("event".into(), name.into());
            if let Some(user) = user {
                frame.insert("userId".into(), user.as_str().into());
            }
        }
    }
    frame.insert("roomId".into(), event.room_id.as_str().into());
    frame.insert("seq".into(), event.seq.get().into());
    frame.insert("sentAt".into(), sent_at.into());
    Value::Object(frame)
}

/// W5: a member's first connection opened or last one closed (no seq).
pub(crate) fn presence(room: &RoomId, user: &UserId, online: bool) -> Value {
    let event = if online { "online" } else { "offline" };
    json!({"type": "presence", "roomId": room.as_str(), "event": event, "userId": user.as_str()})
}

/// W7: the room is gone; the close (4002) follows.
pub(crate) fn dissolved(room: &RoomId) -> Value {
    json!({"type": "system", "roomId": room.as_str(), "event": "dissolved"})
}

/// W6: the answer to `{"type":"ping"}`.
pub(crate) fn pong() -> Value {
    json!({"type": "pong"})
}

/// W6: the sender's message is committed with this seq.
pub(crate) fn ack(client_msg_id: Option<&str>, seq: i64) -> Value {
    match client_msg_id {
        Some(id) => json!({"type": "ack", "clientMsgId": id, "seq": seq}),
        None => json!({"type": "ack", "seq": seq}),
    }
}

/// W6: a refused frame.
pub(crate) fn error(code: i32, msg: &str) -> Value {
    json!({"type": "error", "code": code, "msg": msg})
}

/// The text of each recent event, encoded once and shared by every connection
/// that delivers it: a room of 100 members encodes a message once, not 100
/// times, and queues the same bytes to each. Events arrive at every connection
/// at about the same time, so a small window of the most recent ones is
/// enough; an evicted one is encoded again.
#[derive(Debug)]
pub(crate) struct EncodedEvents {
    recent: Mutex<Recent>,
    capacity: usize,
}

/// The window, by seq and then room: a lookup allocates nothing.
#[derive(Debug, Default)]
struct Recent {
    texts: HashMap<Seq, Vec<(RoomId, Utf8Bytes)>>,
    order: VecDeque<(RoomId, Seq)>,
}

impl Recent {
    fn get(&self, room: &RoomId, seq: Seq) -> Option<&Utf8Bytes> {
        self.texts.get(&seq)?.iter().find(|(id, _)| id == room).map(|(_, text)| text)
    }
}

impl EncodedEvents {
    /// A cache of the `capacity` most recent events.
    pub(crate) fn new(capacity: usize) -> Self {
        Self { recent: Mutex::default(), capacity: capacity.max(1) }
    }

    /// The frame of `event` as text (W3, W4, W5).
    pub(crate) fn text(&self, event: &RoomEvent) -> Utf8Bytes {
        let lock = || self.recent.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(text) = lock().get(&event.room_id, event.seq) {
            return text.clone();
        }
        // Encoded outside the lock: two connections may both encode it once.
        let text = Utf8Bytes::from(self::event(event).to_string());
        let mut recent = lock();
        if let Some(first) = recent.get(&event.room_id, event.seq) {
            return first.clone();
        }
        recent.texts.entry(event.seq).or_default().push((event.room_id.clone(), text.clone()));
        recent.order.push_back((event.room_id.clone(), event.seq));
        while recent.order.len() > self.capacity {
            let Some((room, seq)) = recent.order.pop_front() else { break };
            if let Some(texts) = recent.texts.get_mut(&seq) {
                texts.retain(|(id, _)| *id != room);
                if texts.is_empty() {
                    recent.texts.remove(&seq);
                }
            }
        }
        text
    }
}

#[cfg(test)]
mod tests {
    use chatroom_domain::timeline::{EventKind, SystemEvent};
    use time::macros::datetime;

    use super::*;

    fn joined(seq: i64) -> RoomEvent {
        RoomEvent {
            room_id: RoomId::parse("r1").unwrap(),
            seq: Seq::new(seq),
            at: datetime!(2026-11-24 10:00 UTC),
            kind: EventKind::System(SystemEvent::Joined(UserId::parse("alice").unwrap())),
        }
    }

    #[test]
    fn an_event_is_encoded_once_and_shared() {
        let cache = EncodedEvents::new(4);
        let first = cache.text(&joined(1));
        let again = cache.text(&joined(1));
        assert_eq!(first.as_str().as_ptr(), again.as_str().as_ptr(), "the same bytes for every connection");
        let frame: Value = serde_json::from_str(&first).unwrap();
        assert_eq!(frame, event(&joined(1)));
    }

    #[test]
    fn only_the_most_recent_events_are_kept() {
        let cache = EncodedEvents::new(2);
        let first = cache.text(&joined(1));
        cache.text(&joined(2));
        cache.text(&joined(3));
        assert_ne!(first.as_str().as_ptr(), cache.text(&joined(1)).as_str().as_ptr(), "evicted, encoded again");
        assert_eq!(cache.recent.lock().unwrap().order.len(), 2);
    }
}
