//! The live-connection rules over mocked ports (W1, W2, W5).

use mockall::predicate::eq;
use mockall::Sequence;
use time::macros::datetime;

use super::*;
use crate::delivery::ports::{MockEventBus, MockEventFeed, MockPresence};
use crate::delivery::{FeedError, Subscription};
use crate::ids::RoomId;
use crate::room::ports::{MockMembershipRepository, MockRoomRepository};
use crate::room::{Access, Capacity, Membership, Room, RoomName};
use crate::timeline::ports::MockMessageStore;
use crate::timeline::{EventKind, RoomEvent, SystemEvent};

struct Mocks {
    rooms: MockRoomRepository,
    events: MockMessageStore,
    memberships: MockMembershipRepository,
    presence: MockPresence,
    bus: MockEventBus,
    feed: MockEventFeed,
}

/// A feed that never yields (the tests only look at what `connect` returns).
struct Silent;

#[async_trait]
impl Subscription for Silent {
    async fn next(&mut self) -> Result<RoomSignal, FeedError> {
        Err(FeedError::Closed)
    }
}

impl Mocks {
    fn new() -> Self {
        Self {
            rooms: MockRoomRepository::new(),
            events: MockMessageStore::new(),
            memberships: MockMembershipRepository::new(),
            presence: MockPresence::new(),
            bus: MockEventBus::new(),
            feed: MockEventFeed::new(),
        }
    }

    /// `alice` is the only one online after connecting; the room's events are
    /// seqs 1..=`last`.
    fn room_with_events(&mut self, last: i64) {
        self.feed.expect_subscribe().returning(|_| Ok(Box::new(Silent)));
        self.alice_still_member();
        self.presence.expect_connected().returning(|_, _| Ok(false));
        self.presence.expect_online().returning(|_| Ok(vec![uid("alice")]));
        self.events.expect_last_seq().returning(move |_| Ok(Seq::new(last)));
    }

    /// The room is still in the life `alice` entered, and she is a member.
    fn alice_still_member(&mut self) {
        self.rooms.expect_find_by_id().returning(|_| Ok(Some(entered(false, 0).room)));
        self.memberships.expect_find().returning(|_, _| Ok(Some(entered(false, 0).membership)));
    }

    fn service(self, policy: LivePolicy) -> Service {
        let deps = Deps {
            rooms: Arc::new(self.rooms),
            events: Arc::new(self.events),
            memberships: Arc::new(self.memberships),
            presence: Arc::new(self.presence),
            bus: Arc::new(self.bus),
            feed: Arc::new(self.feed),
        };
        Service::new(deps, policy)
    }
}

fn uid(id: &str) -> UserId {
    UserId::parse(id).unwrap()
}

fn rid() -> RoomId {
    RoomId::parse("go").unwrap()
}

/// The room in the life the tests open it in (S7).
fn key() -> RoomKey {
    RoomKey::new(rid(), crate::ids::Incarnation::new(1))
}

fn joined(seq: i64) -> RoomEvent {
    RoomEvent {
        room_id: rid(),
        seq: Seq::new(seq),
        at: datetime!(2026-11-24 10:00 UTC),
        kind: EventKind::System(SystemEvent::Joined(uid("alice"))),
    }
}

fn entered(newcomer: bool, last_delivered_seq: i64) -> Entered {
    let room = Room {
        id: rid(),
        incarnation: crate::ids::Incarnation::new(1),
        name: RoomName::parse("go").unwrap(),
        capacity: Capacity::from_stored(5),
        access: Access::Public,
        owner: uid("owner"),
        created_at: datetime!(2026-11-24 9:00 UTC),
    };
    let membership = Membership {
        room_id: rid(),
        user_id: uid("alice"),
        joined_at: datetime!(2026-11-24 10:00 UTC),
        last_delivered_seq: Seq::new(last_delivered_seq),
    };
    Entered { room, membership, newcomer }
}

/// The seqs the connection replays.
fn seqs(connection: &Connection) -> Vec<i64> {
    (connection.replay_after.get() + 1..=connection.last_seq.get()).collect()
}

#[tokio::test]
async fn w2_a_newcomer_gets_the_last_history_on_join_events() {
    let mut mocks = Mocks::new();
    mocks.room_with_events(80);
    let policy = LivePolicy { history_on_join: 50, replay_limit: 1000 };
    let connection = mocks.service(policy).connect(&uid("alice"), &entered(true, 0), None).await.unwrap();
    assert_eq!(seqs(&connection), (31..=80).collect::<Vec<_>>());
    assert_eq!(connection.last_seq, Seq::new(80));
    assert_eq!(connection.online, vec![uid("alice")]);
}

#[tokio::test]
async fn w2_a_returning_member_gets_what_it_missed_after_its_last_delivered_seq() {
    let mut mocks = Mocks::new();
    mocks.room_with_events(80);
    let connection =
        mocks.service(LivePolicy::default()).connect(&uid("alice"), &entered(false, 75), None).await.unwrap();
    assert_eq!(seqs(&connection), vec![76, 77, 78, 79, 80]);
}

#[tokio::test]
async fn w2_since_overrides_the_last_delivered_seq() {
    let mut mocks = Mocks::new();
    mocks.room_with_events(10);
    let connection = mocks
        .service(LivePolicy::default())
        .connect(&uid("alice"), &entered(false, 9), Some(Seq::new(7)))
        .await
        .unwrap();
    assert_eq!(seqs(&connection), vec![8, 9, 10]);
}

#[tokio::test]
async fn w2_a_replay_is_capped_at_replay_limit_keeping_the_newest() {
    let mut mocks = Mocks::new();
    mocks.room_with_events(100);
    let policy = LivePolicy { history_on_join: 50, replay_limit: 20 };
    let connection = mocks.service(policy).connect(&uid("alice"), &entered(false, 0), None).await.unwrap();
    assert_eq!(seqs(&connection), (81..=100).collect::<Vec<_>>());
}

#[tokio::test]
async fn w5_the_first_connection_announces_the_user_online_after_subscribing() {
    let mut mocks = Mocks::new();
    let mut order = Sequence::new();
    mocks.feed.expect_subscribe().times(1).in_sequence(&mut order).returning(|_| Ok(Box::new(Silent)));
    mocks.alice_still_member();
    mocks.presence.expect_connected().times(1).in_sequence(&mut order).returning(|_, _| Ok(true));
    mocks
        .bus
        .expect_publish()
        .with(eq(key()), eq(RoomSignal::Presence { user: uid("alice"), online: true }))
        .times(1)
        .in_sequence(&mut order)
        .returning(|_, _| Ok(()));
    mocks.presence.expect_online().returning(|_| Ok(vec![uid("alice")]));
    mocks.events.expect_last_seq().returning(|_| Ok(Seq::ZERO));
    mocks.service(LivePolicy::default()).connect(&uid("alice"), &entered(true, 0), None).await.unwrap();
}

#[tokio::test]
async fn w5_only_the_last_connection_closing_announces_the_user_offline() {
    let mut mocks = Mocks::new();
    let mut order = Sequence::new();
    mocks.presence.expect_disconnected().times(1).in_sequence(&mut order).returning(|_, _| Ok(false));
    mocks.presence.expect_disconnected().times(1).in_sequence(&mut order).returning(|_, _| Ok(true));
    mocks
        .bus
        .expect_publish()
        .with(eq(key()), eq(RoomSignal::Presence { user: uid("alice"), online: false }))
        .times(1)
        .returning(|_, _| Ok(()));
    let service = mocks.service(LivePolicy::default());
    service.disconnect(&key(), &uid("alice")).await.unwrap();
    service.disconnect(&key(), &uid("alice")).await.unwrap();
}

#[tokio::test]
async fn d4_delivered_marks_are_saved_and_an_empty_batch_costs_nothing() {
    let mut mocks = Mocks::new();
    let mark = DeliveryMark { room: key(), user_id: uid("alice"), seq: Seq::new(7) };
    let expected = vec![mark.clone()];
    mocks.memberships.expect_save_delivered().withf(move |marks| marks == expected).times(1).returning(|_| Ok(()));
    let service = mocks.service(LivePolicy::default());
    service.delivered(&[]).await.unwrap();
    service.delivered(&[mark]).await.unwrap();
}

#[tokio::test]
async fn d2_a_gap_is_filled_from_the_stored_events_after_the_last_one_sent() {
    let mut mocks = Mocks::new();
    mocks
        .events
        .expect_list_after()
        .with(eq(key()), eq(Seq::new(4)), eq(200))
        .times(1)
        .returning(|_, after, _| Ok((after.get() + 1..=7).map(joined).collect()));
    let events = mocks.service(LivePolicy::default()).events_after(&key(), Seq::new(4), 200).await.unwrap();
    assert_eq!(events.iter().map(|e| e.seq.get()).collect::<Vec<_>>(), vec![5, 6, 7]);
}

#[tokio::test]
async fn w5_a_connection_that_fails_to_open_after_being_counted_is_counted_out() {
    let mut mocks = Mocks::new();
    let mut order = Sequence::new();
    mocks.feed.expect_subscribe().returning(|_| Ok(Box::new(Silent)));
    mocks.alice_still_member();
    mocks.presence.expect_connected().times(1).in_sequence(&mut order).returning(|_, _| Ok(true));
    mocks.bus.expect_publish().returning(|_, _| Ok(()));
    mocks.presence.expect_online().returning(|_| Ok(vec![uid("alice")]));
    mocks.events.expect_last_seq().times(1).in_sequence(&mut order).returning(|_| Err(anyhow::anyhow!("db down")));
    mocks
        .presence
        .expect_disconnected()
        .with(eq(key()), eq(uid("alice")))
        .times(1)
        .in_sequence(&mut order)
        .returning(|_, _| Ok(true));

    let result = mocks.service(LivePolicy::default()).connect(&uid("alice"), &entered(false, 0), None).await;

    assert!(result.is_err(), "the failure is still answered");
}

#[tokio::test]
async fn s9_a_kick_that_raced_the_connect_is_seen_after_subscribing_and_refuses_it() {
    let mut mocks = Mocks::new();
    let mut order = Sequence::new();
    mocks.feed.expect_subscribe().times(1).in_sequence(&mut order).returning(|_| Ok(Box::new(Silent)));
    mocks.rooms.expect_find_by_id().times(1).in_sequence(&mut order).returning(|_| Ok(Some(entered(false, 0).room)));
    mocks.memberships.expect_find().times(1).in_sequence(&mut order).returning(|_, _| Ok(None));
    mocks.presence.expect_connected().never();

    let result = mocks.service(LivePolicy::default()).connect(&uid("alice"), &entered(false, 0), None).await;

    assert!(matches!(result, Err(ConnectError::NotMember)), "{result:?}");
}

#[tokio::test]
async fn s9_s7_a_room_dissolved_and_created_again_during_the_connect_refuses_it() {
    let mut mocks = Mocks::new();
    mocks.feed.expect_subscribe().returning(|_| Ok(Box::new(Silent)));
    let mut reborn = entered(false, 0).room;
    reborn.incarnation = crate::ids::Incarnation::new(2);
    mocks.rooms.expect_find_by_id().returning(move |_| Ok(Some(reborn.clone())));
    mocks.memberships.expect_find().returning(|_, _| Ok(Some(entered(false, 0).membership)));
    mocks.presence.expect_connected().never();

    let result = mocks.service(LivePolicy::default()).connect(&uid("alice"), &entered(false, 0), None).await;

    assert!(matches!(result, Err(ConnectError::RoomGone)), "{result:?}");
}
