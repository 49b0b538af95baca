//! Mock-backed tests of the event service, one per rule. Every port is a mockall
//! mock with no expectation unless a test sets one, so an unexpected call (an
//! unexpected publish, append, save or delete) fails the test; the clock is stopped
//! at [`NOW`]. Messages here; images and history in their own modules.

mod history;
mod images;

use std::time::Duration;

use mockall::predicate::eq;
use mockall::Sequence;
use time::macros::datetime;
use time::OffsetDateTime;

use super::*;
use crate::delivery::ports::MockEventBus;
use crate::ids::{Incarnation, Seq};
use crate::room::ports::{MockMembershipRepository, MockRoomRepository};
use crate::room::{Access, Capacity, Membership, Room, RoomName};
use crate::system::{MockClock, MockIdGenerator, MockThrottleStore};
use crate::timeline::ports::{MockImageStore, MockMessageStore};
use crate::user::{Email, PasswordHash, UserName};

const NOW: OffsetDateTime = datetime!(2026-03-01 12:00 UTC);

/// Every port of the service, mocked.
struct Mocks {
    rooms: MockRoomRepository,
    memberships: MockMembershipRepository,
    events: MockMessageStore,
    images: MockImageStore,
    bus: MockEventBus,
    clock: MockClock,
    ids: MockIdGenerator,
    /// `None`: uploads are never throttled (S10 has tests of its own).
    throttle: Option<MockThrottleStore>,
    policy: MessagePolicy,
    max_image_bytes: usize,
}

/// A throttle that never refuses.
fn unthrottled() -> MockThrottleStore {
    let mut throttle = MockThrottleStore::new();
    throttle.expect_locked_until().returning(|_, _| Ok(None));
    throttle.expect_hit().returning(|_, _, _| Ok(1));
    throttle
}

/// Mocks without expectations, a clock stopped at `NOW`, the default policy and
/// the default image limit (5 MiB).
fn deps() -> Mocks {
    let mut clock = MockClock::new();
    clock.expect_now().return_const(NOW);
    Mocks {
        rooms: MockRoomRepository::new(),
        memberships: MockMembershipRepository::new(),
        events: MockMessageStore::new(),
        images: MockImageStore::new(),
        bus: MockEventBus::new(),
        clock,
        ids: MockIdGenerator::new(),
        throttle: None,
        policy: MessagePolicy::default(),
        max_image_bytes: 5 * 1024 * 1024,
    }
}

impl Mocks {
    fn service(self) -> Service {
        let deps = Deps {
            rooms: Arc::new(self.rooms),
            memberships: Arc::new(self.memberships),
            events: Arc::new(self.events),
            images: Arc::new(self.images),
            bus: Arc::new(self.bus),
            clock: Arc::new(self.clock),
            ids: Arc::new(self.ids),
            throttle: Arc::new(self.throttle.unwrap_or_else(unthrottled)),
        };
        Service::new(deps, self.policy, self.max_image_bytes)
    }

    /// Room `id` exists, found by its id and by its name `Room <id>`.
    fn has_room(&mut self, id: &str) {
        let (by_id, by_name) = (room(id), room(id));
        self.rooms.expect_find_by_id().with(eq(rid(id))).returning(move |_| Ok(Some(by_id.clone())));
        self.rooms
            .expect_find_by_name()
            .withf({
                let key = by_name.name.normalized_key();
                move |name| name.normalized_key() == key
            })
            .returning(move |_| Ok(Some(by_name.clone())));
    }

    /// Whether `user` is a member of `room`.
    fn member(&mut self, room: &str, user: &str, is_member: bool) {
        let found = is_member.then(|| Membership {
            room_id: rid(room),
            user_id: uid(user),
            joined_at: NOW,
            last_delivered_seq: Seq::ZERO,
        });
        self.memberships.expect_find().with(eq(rid(room)), eq(uid(user))).returning(move |_, _| Ok(found.clone()));
    }
}

fn uid(id: &str) -> UserId {
    UserId::parse(id).unwrap()
}

/// The room `id` in the life the tests create it in (S7).
fn key(id: &str) -> RoomKey {
    RoomKey::new(rid(id), Incarnation::new(1))
}

fn rid(id: &str) -> RoomId {
    RoomId::parse(id).unwrap()
}

fn room(id: &str) -> Room {
    Room {
        id: rid(id),
        incarnation: crate::ids::Incarnation::new(1),
        name: RoomName::parse(&format!("Room {id}")).unwrap(),
        capacity: Capacity::from_stored(10),
        access: Access::Public,
        owner: uid("alice"),
        created_at: NOW,
    }
}

fn author(id: &str) -> User {
    User {
        id: uid(id),
        name: UserName::parse(id).unwrap(),
        email: Email::parse(&format!("{id}@example.com")).unwrap(),
        password_hash: PasswordHash::new("$argon2id$h".into()),
        created_at: NOW,
    }
}

fn sender(id: &str) -> Sender {
    Sender { id: uid(id), name: UserName::parse(id).unwrap() }
}

fn draft(content: &str, client_msg_id: Option<&str>) -> MessageDraft {
    MessageDraft { content: content.to_owned(), client_msg_id: client_msg_id.map(str::to_owned) }
}

fn message(room: &str, seq: i64, from: &str, content: &str, client_msg_id: Option<&str>) -> RoomEvent {
    RoomEvent {
        room_id: rid(room),
        seq: Seq::new(seq),
        at: NOW,
        kind: EventKind::Message {
            from: sender(from),
            content: MessageContent::parse(content, 4000).unwrap(),
            client_msg_id: client_msg_id.map(|id| ClientMsgId::parse(id).unwrap()),
        },
    }
}

fn appended(event: RoomEvent, duplicate: bool) -> Appended {
    Appended { event, duplicate }
}

// --- post_message (R9, R13, D1, D3, W9) ---

#[tokio::test]
async fn r9_non_member_cannot_post() {
    let mut m = deps();
    m.member("r1", "mallory", false);
    m.has_room("r1");
    m.events.expect_append().never();
    m.bus.expect_publish().never();

    let result = m.service().post_message(&author("mallory"), &key("r1"), draft("hi", None)).await;

    assert!(matches!(result, Err(PostMessageError::NotMember)), "{result:?}");
}

#[tokio::test]
async fn e2001_post_to_a_vanished_room_is_not_found() {
    let mut m = deps();
    m.member("r1", "bob", false);
    m.rooms.expect_find_by_id().returning(|_| Ok(None));
    m.events.expect_append().never();

    let result = m.service().post_message(&author("bob"), &key("r1"), draft("hi", None)).await;

    assert!(matches!(result, Err(PostMessageError::NotFound)), "{result:?}");
}

#[tokio::test]
async fn r13_the_appended_event_is_published_with_the_seq_the_store_gave() {
    let mut m = deps();
    m.member("r1", "bob", true);
    let stored = message("r1", 42, "bob", "hi", None);
    let returned = appended(stored.clone(), false);
    m.events.expect_append().times(1).returning(move |_, _, _| Ok(returned.clone()));
    let published = stored.clone();
    m.bus
        .expect_publish()
        .withf(move |room, signal| *room == key("r1") && *signal == RoomSignal::Event(published.clone().into()))
        .times(1)
        .returning(|_, _| Ok(()));

    let result = m.service().post_message(&author("bob"), &key("r1"), draft("hi", None)).await.unwrap();

    assert_eq!(result, appended(stored, false));
}

#[tokio::test]
async fn d1_event_is_published_only_after_the_store_committed_it() {
    let mut m = deps();
    m.member("r1", "bob", true);
    let mut order = Sequence::new();
    let returned = appended(message("r1", 7, "bob", "hi", None), false);
    m.events.expect_append().times(1).in_sequence(&mut order).returning(move |_, _, _| Ok(returned.clone()));
    m.bus.expect_publish().times(1).in_sequence(&mut order).returning(|_, _| Ok(()));

    let result = m.service().post_message(&author("bob"), &key("r1"), draft("hi", None)).await;

    assert!(result.is_ok(), "{result:?}");
}

#[tokio::test]
async fn d1_nothing_is_published_when_the_store_fails() {
    let mut m = deps();
    m.member("r1", "bob", true);
    m.events.expect_append().times(1).returning(|_, _, _| Err(AppendError::Unexpected(anyhow::anyhow!("disk full"))));
    m.bus.expect_publish().never();

    let result = m.service().post_message(&author("bob"), &key("r1"), draft("hi", None)).await;

    assert!(matches!(result, Err(PostMessageError::Unexpected(_))), "{result:?}");
}

#[tokio::test]
async fn d3_duplicate_client_msg_id_is_not_published_again() {
    let mut m = deps();
    m.member("r1", "bob", true);
    let original = message("r1", 5, "bob", "hi", Some("c-1"));
    let returned = appended(original.clone(), true);
    m.events.expect_append().times(1).returning(move |_, _, _| Ok(returned.clone()));
    m.bus.expect_publish().never();

    let result = m.service().post_message(&author("bob"), &key("r1"), draft("hi", Some("c-1"))).await.unwrap();

    assert_eq!(result, appended(original, true));
}

#[tokio::test]
async fn d3_the_store_looks_for_duplicates_within_24_hours() {
    let mut m = deps();
    m.member("r1", "bob", true);
    let expected = NewEvent {
        at: NOW,
        kind: EventKind::Message {
            from: sender("bob"),
            content: MessageContent::parse("hi", 4000).unwrap(),
            client_msg_id: Some(ClientMsgId::parse("c-1").unwrap()),
        },
    };
    let returned = appended(message("r1", 5, "bob", "hi", Some("c-1")), false);
    m.events
        .expect_append()
        .with(eq(key("r1")), eq(expected), eq(NOW - Duration::from_secs(24 * 60 * 60)))
        .times(1)
        .returning(move |_, _, _| Ok(returned.clone()));
    m.bus.expect_publish().returning(|_, _| Ok(()));

    let result = m.service().post_message(&author("bob"), &key("r1"), draft("  hi \n", Some("c-1"))).await;

    assert!(result.is_ok(), "{result:?}");
}

#[tokio::test]
async fn w9_blank_or_too_long_content_or_bad_client_msg_id_is_refused_and_nothing_stored() {
    let long = "x".repeat(4001);
    let long_id = "c".repeat(65);
    let cases = [
        (draft(" \n ", None), "content"),
        (draft(&long, None), "content"),
        (draft("hi", Some("")), "clientMsgId"),
        (draft("hi", Some(&long_id)), "clientMsgId"),
    ];
    for (input, field) in cases {
        let mut m = deps();
        m.events.expect_append().never();
        m.bus.expect_publish().never();

        let result = m.service().post_message(&author("bob"), &key("r1"), input).await;

        assert!(matches!(&result, Err(PostMessageError::Invalid(e)) if e.field == field), "{field}: {result:?}");
    }
}
