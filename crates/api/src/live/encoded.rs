//! The encode-once cache: each recent event's frame as text, shared by every
//! connection that delivers it.

use std::collections::{HashMap, VecDeque};
use std::sync::{Mutex, PoisonError};

use chatroom_domain::ids::{RoomKey, Seq};
use chatroom_domain::timeline::RoomEvent;
use tokio_tungstenite::tungstenite::Utf8Bytes;

use crate::wire::ServerFrame;

/// The text of each recent event, encoded once and shared by every connection
/// that delivers it: a room of 100 members encodes a message once, not 100
/// times, and queues the same bytes to each. Events arrive at every connection
/// at about the same time, so a small window of the most recent ones is
/// enough; an evicted one is encoded again. Keyed by the room's incarnation
/// too (S7): a room dissolved and created again under its id starts its seqs
/// at 1 anew, and must never be sent the old room's frames.
#[derive(Debug)]
pub(crate) struct EncodedEvents {
    recent: Mutex<Recent>,
    capacity: usize,
}

/// The window, by seq and then room: a lookup allocates nothing.
#[derive(Debug, Default)]
struct Recent {
    texts: HashMap<Seq, Vec<(RoomKey, Utf8Bytes)>>,
    order: VecDeque<(RoomKey, Seq)>,
}

impl Recent {
    fn get(&self, room: &RoomKey, seq: Seq) -> Option<&Utf8Bytes> {
        self.texts.get(&seq)?.iter().find(|(id, _)| id == room).map(|(_, text)| text)
    }
}

impl EncodedEvents {
    /// A cache of the `capacity` most recent events.
    pub(crate) fn new(capacity: usize) -> Self {
        Self { recent: Mutex::default(), capacity: capacity.max(1) }
    }

    /// The frame of `event`, an event of `room`, as text (W3, W4, W5).
    pub(crate) fn text(&self, room: &RoomKey, event: &RoomEvent) -> Utf8Bytes {
        let lock = || self.recent.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(text) = lock().get(room, event.seq) {
            return text.clone();
        }
        // Encoded outside the lock: two connections may both encode it once.
        let text = Utf8Bytes::from(ServerFrame::event(event).encode());
        let mut recent = lock();
        if let Some(first) = recent.get(room, event.seq) {
            return first.clone();
        }
        recent.texts.entry(event.seq).or_default().push((room.clone(), text.clone()));
        recent.order.push_back((room.clone(), event.seq));
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
    use chatroom_domain::ids::{Incarnation, RoomId, UserId};
    use chatroom_domain::timeline::{EventKind, SystemEvent};
    use time::macros::datetime;

    use super::*;

    fn r1() -> RoomKey {
        RoomKey::new(RoomId::parse("r1").unwrap(), Incarnation::new(1))
    }

    fn joined(seq: i64) -> RoomEvent {
        joined_by("alice", seq)
    }

    fn joined_by(user: &str, seq: i64) -> RoomEvent {
        RoomEvent {
            room_id: RoomId::parse("r1").unwrap(),
            seq: Seq::new(seq),
            at: datetime!(2026-11-24 10:00 UTC),
            kind: EventKind::System(SystemEvent::Joined(UserId::parse(user).unwrap())),
        }
    }

    #[test]
    fn an_event_is_encoded_once_and_shared() {
        let cache = EncodedEvents::new(4);
        let first = cache.text(&r1(), &joined(1));
        let again = cache.text(&r1(), &joined(1));
        assert_eq!(first.as_str().as_ptr(), again.as_str().as_ptr(), "the same bytes for every connection");
        let frame: ServerFrame = serde_json::from_str(&first).unwrap();
        assert_eq!(frame, ServerFrame::event(&joined(1)));
    }

    #[test]
    fn only_the_most_recent_events_are_kept() {
        let cache = EncodedEvents::new(2);
        let first = cache.text(&r1(), &joined(1));
        cache.text(&r1(), &joined(2));
        cache.text(&r1(), &joined(3));
        assert_ne!(first.as_str().as_ptr(), cache.text(&r1(), &joined(1)).as_str().as_ptr(), "evicted, encoded again");
        assert_eq!(cache.recent.lock().unwrap().order.len(), 2);
    }

    #[test]
    fn s7_a_later_room_of_the_same_id_never_gets_the_frames_of_a_dissolved_one() {
        let cache = EncodedEvents::new(4);
        let secret = cache.text(&r1(), &joined_by("alice", 1));
        let reborn = RoomKey::new(r1().id, Incarnation::new(2));
        let fresh = cache.text(&reborn, &joined_by("bob", 1));
        let frame: ServerFrame = serde_json::from_str(&fresh).unwrap();
        assert_eq!(frame, ServerFrame::event(&joined_by("bob", 1)));
        assert_ne!(secret, fresh);
    }
}
