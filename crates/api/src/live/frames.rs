//! The JSON frames the server sends (SPEC §7, W1–W7), camelCase.

use chatroom_domain::event::{EventKind, RoomEvent, SystemEvent};
use chatroom_domain::room::Room;
use chatroom_domain::user::{User, UserId};
use poem_openapi::types::ToJSON;
use serde_json::{json, Map, Value};
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

use crate::endpoints::{image_url, RoomDto};

fn room_json(room: &Room) -> Value {
    RoomDto::from(room).to_json().unwrap_or(Value::Null)
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
    frame.insert("seq".into(), event.seq.into());
    frame.insert("sentAt".into(), sent_at.into());
    Value::Object(frame)
}

/// W5: a member's first connection opened or last one closed (no seq).
pub(crate) fn presence(room: &Room, user: &UserId, online: bool) -> Value {
    let event = if online { "online" } else { "offline" };
    json!({"type": "presence", "roomId": room.id.as_str(), "event": event, "userId": user.as_str()})
}

/// W7: the room is gone; the close (4002) follows.
pub(crate) fn dissolved(room: &Room) -> Value {
    json!({"type": "system", "roomId": room.id.as_str(), "event": "dissolved"})
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
/// times. Events arrive at every connection at about the same time, so a small
/// window of the most recent ones is enough; an evicted one is encoded again.
#[derive(Debug)]
pub(crate) struct EncodedEvents {
    recent: std::sync::Mutex<Recent>,
    capacity: usize,
}

#[derive(Debug, Default)]
struct Recent {
    texts: std::collections::HashMap<(chatroom_domain::room::RoomId, i64), std::sync::Arc<str>>,
    order: std::collections::VecDeque<(chatroom_domain::room::RoomId, i64)>,
}

impl EncodedEvents {
    /// A cache of the `capacity` most recent events.
    pub(crate) fn new(capacity: usize) -> Self {
        Self { recent: std::sync::Mutex::default(), capacity: capacity.max(1) }
    }

    /// The frame of `event` as text (W3, W4, W5).
    pub(crate) fn text(&self, event: &RoomEvent) -> std::sync::Arc<str> {
        let key = (event.room_id.clone(), event.seq);
        let lock = || self.recent.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some(text) = lock().texts.get(&key) {
            return std::sync::Arc::clone(text);
        }
        // Encoded outside the lock: two connections may both encode it once.
        let text: std::sync::Arc<str> = self::event(event).to_string().into();
        let mut recent = lock();
        if recent.texts.insert(key.clone(), std::sync::Arc::clone(&text)).is_none() {
            recent.order.push_back(key);
            while recent.order.len() > self.capacity {
                if let Some(oldest) = recent.order.pop_front() {
                    recent.texts.remove(&oldest);
                }
            }
        }
        text
    }
}

#[cfg(test)]
mod tests {
    use chatroom_domain::event::{EventKind, SystemEvent};
    use chatroom_domain::room::RoomId;
    use time::macros::datetime;

    use super::*;

    fn joined(seq: i64) -> RoomEvent {
        RoomEvent {
            room_id: RoomId::parse("r1").unwrap(),
            seq,
            at: datetime!(2026-11-24 10:00 UTC),
            kind: EventKind::System(SystemEvent::Joined(UserId::parse("alice").unwrap())),
        }
    }

    #[test]
    fn an_event_is_encoded_once_and_shared() {
        let cache = EncodedEvents::new(4);
        let first = cache.text(&joined(1));
        let again = cache.text(&joined(1));
        assert!(std::sync::Arc::ptr_eq(&first, &again), "the same bytes for every connection");
        let frame: Value = serde_json::from_str(&first).unwrap();
        assert_eq!(frame, event(&joined(1)));
    }

    #[test]
    fn only_the_most_recent_events_are_kept() {
        let cache = EncodedEvents::new(2);
        let first = cache.text(&joined(1));
        cache.text(&joined(2));
        cache.text(&joined(3));
        assert!(!std::sync::Arc::ptr_eq(&first, &cache.text(&joined(1))), "evicted, encoded again");
        assert_eq!(cache.recent.lock().unwrap().texts.len(), 2);
    }
}
