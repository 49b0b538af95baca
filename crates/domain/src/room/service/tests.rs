//! Mock-backed tests of the room service, one per rule. Every port is a mockall mock
//! with no expectation unless a test sets one, so an unexpected call (an unexpected
//! publish, insert or delete) fails the test; the clock is stopped at [`NOW`].
//! Creating, joining and reading here; the owner's powers and leaving in `ownership`;
//! refused writes the rules do not reach in `writes`; member lists and search in
//! `listing`.

mod listing;
mod ownership;
mod writes;

use mockall::predicate::eq;
use mockall::Sequence;
use time::macros::datetime;

use super::*;
use crate::delivery::ports::{MockEventBus, MockPresence};
use crate::ids::{ImageId, Incarnation};
use crate::system::{MockClock, MockIdGenerator};
use crate::timeline::ports::MockImageStore;
use crate::timeline::{EventKind, RoomEvent, SystemEvent};
use crate::user::UserName;

const NOW: OffsetDateTime = datetime!(2026-03-01 12:00 UTC);
const MINUTE: Duration = Duration::from_secs(60);

/// Every port of the service, mocked.
struct Mocks {
    rooms: MockRoomRepository,
    memberships: MockMembershipRepository,
    bus: MockEventBus,
    presence: MockPresence,
    images: MockImageStore,
    clock: MockClock,
    ids: MockIdGenerator,
    policy: RoomPolicy,
}

/// Mocks without expectations, a clock stopped at `NOW` and the default policy.
fn deps() -> Mocks {
    let mut clock = MockClock::new();
    clock.expect_now().return_const(NOW);
    // Every room created is in its first life, as the fixtures' rooms are.
    let mut ids = MockIdGenerator::new();
    ids.expect_random_u64().return_const(1u64);
    Mocks {
        rooms: MockRoomRepository::new(),
        memberships: MockMembershipRepository::new(),
        bus: MockEventBus::new(),
        presence: MockPresence::new(),
        images: MockImageStore::new(),
        clock,
        ids,
        policy: RoomPolicy::default(),
    }
}

impl Mocks {
    fn service(self) -> Service {
        let deps = Deps {
            rooms: Arc::new(self.rooms),
            memberships: Arc::new(self.memberships),
            bus: Arc::new(self.bus),
            presence: Arc::new(self.presence),
            images: Arc::new(self.images),
            clock: Arc::new(self.clock),
            ids: Arc::new(self.ids),
        };
        Service::new(deps, self.policy)
    }

    /// `room` exists, found by its id and by its name.
    fn has_room(&mut self, room: Room) {
        let by_name = room.clone();
        self.rooms.expect_find_by_id().with(eq(room.id.clone())).returning(move |_| Ok(Some(room.clone())));
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
        let found = is_member.then(|| membership(room, user));
        self.memberships.expect_find().with(eq(rid(room)), eq(uid(user))).returning(move |_, _| Ok(found.clone()));
    }

    /// The room gets exactly these signals, in this order, and nothing else.
    fn publishes_in_order(&mut self, room: &str, signals: Vec<RoomSignal>) {
        let mut order = Sequence::new();
        for signal in signals {
            let room = key(room);
            self.bus
                .expect_publish()
                .withf(move |r, s| *r == room && *s == signal)
                .times(1)
                .in_sequence(&mut order)
                .returning(|_, _| Ok(()));
        }
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

/// Room `id`, named `Room <id>`.
fn room(id: &str, owner: &str, access: Access, cap: u32) -> Room {
    Room {
        id: rid(id),
        incarnation: crate::ids::Incarnation::new(1),
        name: RoomName::parse(&format!("Room {id}")).unwrap(),
        capacity: Capacity::from_stored(cap),
        access,
        owner: uid(owner),
        created_at: NOW - 60 * MINUTE,
    }
}

fn by_id(id: &str) -> RoomSelector {
    RoomSelector::Id(rid(id))
}

fn by_name(name: &str) -> RoomSelector {
    RoomSelector::Name(RoomName::parse(name).unwrap())
}

fn membership(room: &str, user: &str) -> Membership {
    Membership { room_id: rid(room), user_id: uid(user), joined_at: NOW - 30 * MINUTE, last_delivered_seq: Seq::new(7) }
}

fn system(room: &str, seq: i64, event: SystemEvent) -> RoomEvent {
    RoomEvent { room_id: rid(room), seq: Seq::new(seq), at: NOW, kind: EventKind::System(event) }
}

fn image(n: u8) -> ImageId {
    ImageId::parse(&format!("{n:032x}")).unwrap()
}

fn new_room(id: &str, name: &str, cap: &str, access: &str) -> NewRoom {
    NewRoom { room_id: id.into(), room_name: name.into(), capacity: cap.into(), access: access.into() }
}

// --- create (R2, R3) ---

#[tokio::test]
async fn r3_creator_becomes_owner_and_first_member() {
    let mut m = deps();
    let expected = Room { created_at: NOW, ..room("r1", "alice", Access::Private, 33) };
    let joined = system("r1", 1, SystemEvent::Joined(uid("alice")));
    let returned = joined.clone();
    m.rooms.expect_insert().with(eq(expected.clone())).times(1).returning(move |_| Ok(returned.clone()));
    m.publishes_in_order("r1", vec![RoomSignal::Event(joined.into())]);

    let entered = m.service().create_room(&uid("alice"), new_room("r1", " Room r1 ", "33", "false")).await.unwrap();

    assert_eq!(entered.room, expected);
    assert_eq!((entered.membership.room_id, entered.membership.user_id), (rid("r1"), uid("alice")));
    assert!(entered.newcomer);
}

#[tokio::test]
async fn r2_taken_room_is_refused() {
    let mut m = deps();
    m.rooms.expect_insert().times(1).returning(|_| Err(InsertRoomError::Taken));
    m.bus.expect_publish().never();

    let result = m.service().create_room(&uid("alice"), new_room("r1", "Room r1", "10", "true")).await;

    assert!(matches!(result, Err(CreateRoomError::Taken)), "{result:?}");
}

#[tokio::test]
async fn e1001_create_names_the_refused_field() {
    let cases = [
        (new_room("a b", "Room", "10", "true"), "roomId"),
        (new_room("r1", " ", "10", "true"), "roomName"),
        (new_room("r1", "Room", "0", "true"), "roomCap"),
        (new_room("r1", "Room", "501", "true"), "roomCap"),
        (new_room("r1", "Room", "ten", "true"), "roomCap"),
        (new_room("r1", "Room", "10", "maybe"), "roomAccess"),
        (new_room("r1", "Room", "10", ""), "roomAccess"),
    ];
    for (input, field) in cases {
        let mut m = deps();
        m.rooms.expect_insert().never();

        let result = m.service().create_room(&uid("alice"), input).await;

        assert!(matches!(&result, Err(CreateRoomError::Invalid(e)) if e.field == field), "{field}: {result:?}");
    }
}

// --- enter and reEnter (R4, R12, R14) ---

#[tokio::test]
async fn r4_public_room_with_space_admits_a_newcomer_and_tells_the_room() {
    let mut m = deps();
    m.has_room(room("r1", "alice", Access::Public, 10));
    m.member("r1", "bob", false);
    m.memberships.expect_last_kicked_at().returning(|_, _| Ok(None));
    let joined = system("r1", 8, SystemEvent::Joined(uid("bob")));
    let returned = (membership("r1", "bob"), joined.clone());
    m.memberships
        .expect_add()
        .with(eq(key("r1")), eq(uid("bob")), eq(NOW))
        .times(1)
        .returning(move |_, _, _| Ok(returned.clone()));
    m.publishes_in_order("r1", vec![RoomSignal::Event(joined.into())]);

    let entered = m.service().enter_room(&uid("bob"), &by_name("Room r1")).await.unwrap();

    assert!(entered.newcomer);
    assert_eq!(entered.membership, membership("r1", "bob"));
}

#[tokio::test]
async fn r4_private_room_refuses_newcomers() {
    let mut m = deps();
    m.has_room(room("r1", "alice", Access::Private, 10));
    m.member("r1", "bob", false);
    m.memberships.expect_add().never();
    m.bus.expect_publish().never();

    let result = m.service().enter_room(&uid("bob"), &by_id("r1")).await;

    assert!(matches!(result, Err(EnterRoomError::Private)), "{result:?}");
}

#[tokio::test]
async fn r4_full_room_refuses_newcomers() {
    let mut m = deps();
    m.has_room(room("r1", "alice", Access::Public, 2));
    m.member("r1", "bob", false);
    m.memberships.expect_last_kicked_at().returning(|_, _| Ok(None));
    m.memberships.expect_add().times(1).returning(|_, _, _| Err(AddMemberError::Full));
    m.bus.expect_publish().never();

    let result = m.service().enter_room(&uid("bob"), &by_id("r1")).await;

    assert!(matches!(result, Err(EnterRoomError::Full)), "{result:?}");
}

#[tokio::test]
async fn r4_member_may_reconnect_to_a_full_private_room() {
    let mut m = deps();
    m.has_room(room("r1", "alice", Access::Private, 1));
    m.member("r1", "alice", true);
    m.memberships.expect_add().never();
    m.bus.expect_publish().never();

    let entered = m.service().enter_room(&uid("alice"), &by_id("r1")).await.unwrap();

    assert!(!entered.newcomer);
    assert_eq!(entered.membership, membership("r1", "alice"));
}

#[tokio::test]
async fn r14_kicked_user_cannot_rejoin_during_the_cooldown() {
    let mut m = deps();
    m.has_room(room("r1", "alice", Access::Public, 10));
    m.member("r1", "bob", false);
    m.memberships
        .expect_last_kicked_at()
        .with(eq(rid("r1")), eq(uid("bob")))
        .returning(|_, _| Ok(Some(NOW - 5 * MINUTE)));
    m.memberships.expect_add().never();

    let result = m.service().enter_room(&uid("bob"), &by_id("r1")).await;

    assert!(
        matches!(result, Err(EnterRoomError::KickedRecently { retry_after }) if retry_after == 10 * MINUTE),
        "{result:?}"
    );
}

#[tokio::test]
async fn r14_zero_cooldown_turns_it_off() {
    let mut m = deps();
    m.policy.kick_cooldown = Duration::ZERO;
    m.has_room(room("r1", "alice", Access::Public, 10));
    m.member("r1", "bob", false);
    m.memberships.expect_last_kicked_at().returning(|_, _| Ok(Some(NOW - MINUTE)));
    let joined = system("r1", 8, SystemEvent::Joined(uid("bob")));
    let returned = (membership("r1", "bob"), joined.clone());
    m.memberships.expect_add().times(1).returning(move |_, _, _| Ok(returned.clone()));
    m.publishes_in_order("r1", vec![RoomSignal::Event(joined.into())]);

    let result = m.service().enter_room(&uid("bob"), &by_id("r1")).await;

    assert!(result.is_ok(), "{result:?}");
}

#[tokio::test]
async fn r14_after_the_cooldown_the_user_may_rejoin() {
    let mut m = deps();
    m.has_room(room("r1", "alice", Access::Public, 10));
    m.member("r1", "bob", false);
    m.memberships.expect_last_kicked_at().returning(|_, _| Ok(Some(NOW - 15 * MINUTE)));
    let joined = system("r1", 8, SystemEvent::Joined(uid("bob")));
    let returned = (membership("r1", "bob"), joined.clone());
    m.memberships.expect_add().times(1).returning(move |_, _, _| Ok(returned.clone()));
    m.publishes_in_order("r1", vec![RoomSignal::Event(joined.into())]);

    let result = m.service().enter_room(&uid("bob"), &by_id("r1")).await;

    assert!(result.is_ok(), "{result:?}");
}

#[tokio::test]
async fn e2001_unknown_room_is_not_found() {
    let mut m = deps();
    m.rooms.expect_find_by_id().returning(|_| Ok(None));
    m.memberships.expect_add().never();

    let result = m.service().enter_room(&uid("bob"), &by_id("nowhere")).await;

    assert!(matches!(result, Err(EnterRoomError::NotFound)), "{result:?}");
}

#[tokio::test]
async fn e1001_a_room_id_and_a_room_name_of_two_different_rooms_name_both_fields() {
    let mut m = deps();
    m.has_room(room("r1", "alice", Access::Public, 10));
    m.has_room(room("r2", "alice", Access::Public, 10));
    m.member("r1", "alice", true);
    m.rooms.expect_find_by_id().with(eq(rid("nowhere"))).returning(|_| Ok(None));
    let both = |id: &str, name: &str| RoomSelector::require(Some(id), Some(name)).unwrap();
    let service = m.service();

    let same = service.enter_room(&uid("alice"), &both("r1", " ROOM R1 ")).await;
    let different = service.enter_room(&uid("alice"), &both("r1", "Room r2")).await;
    let unknown_id = service.enter_room(&uid("alice"), &both("nowhere", "Room r1")).await;

    assert_eq!(same.unwrap().room.id, rid("r1"));
    let same_as = Rule::SameAs { other: "roomId" };
    assert!(
        matches!(&different, Err(EnterRoomError::Invalid(e)) if e.field == "roomName" && e.rule == same_as),
        "{different:?}"
    );
    assert!(matches!(unknown_id, Err(EnterRoomError::NotFound)), "{unknown_id:?}");
}

#[test]
fn e1001_a_selector_needs_a_room_id_or_a_room_name_and_blank_ones_count_as_absent() {
    for (id, name) in [(None, None), (Some(""), Some("  "))] {
        let refused = RoomSelector::require(id, name).unwrap_err();
        assert_eq!((refused.field, refused.rule), ("roomName", Rule::Required), "{id:?} {name:?}");
        assert_eq!(RoomSelector::parse(id, name), Ok(None));
    }
    assert_eq!(RoomSelector::require(Some("r1"), None), Ok(by_id("r1")));
    assert_eq!(RoomSelector::require(Some(""), Some(" Room r1 ")), Ok(by_name("Room r1")));
    assert_eq!(RoomSelector::require(Some("bad id"), None).unwrap_err().field, "roomId");
}

#[tokio::test]
async fn r12_reenter_reconnects_a_member() {
    let mut m = deps();
    m.has_room(room("r1", "alice", Access::Private, 1));
    m.member("r1", "alice", true);
    m.bus.expect_publish().never();

    let entered = m.service().reenter_room(&uid("alice"), &by_name("room r1")).await.unwrap();

    assert_eq!((entered.membership, entered.newcomer), (membership("r1", "alice"), false));
}

#[tokio::test]
async fn r12_reenter_refuses_a_non_member() {
    let mut m = deps();
    m.has_room(room("r1", "alice", Access::Public, 10));
    m.member("r1", "bob", false);
    m.memberships.expect_add().never();

    let result = m.service().reenter_room(&uid("bob"), &by_id("r1")).await;

    assert!(matches!(result, Err(ReenterRoomError::NotMember)), "{result:?}");
}

#[tokio::test]
async fn r12_rooms_of_lists_the_users_rooms() {
    let mut m = deps();
    let rooms = vec![room("r1", "alice", Access::Public, 10), room("r2", "bob", Access::Private, 5)];
    let listed = rooms.clone();
    m.rooms.expect_list_for_member().with(eq(uid("alice"))).times(1).returning(move |_| Ok(listed.clone()));

    let result = m.service().rooms_of(&uid("alice")).await.unwrap();

    assert_eq!(result, rooms);
}
