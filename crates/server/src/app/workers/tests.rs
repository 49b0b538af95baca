//! D5's order where it shows: what was queued or reported before the stop is in
//! the database afterwards, so the writers stopped before it closed, and it did
//! close. Each test has a SQLite database of its own.

use std::future::poll_fn;
use std::sync::Arc;
use std::task::Poll;
use std::time::Duration;

use chatroom_api::Deliveries;
use chatroom_domain::account::{Housekeeper, HousekeepingDeps, HousekeepingPolicy};
use chatroom_domain::ids::{Incarnation, RoomId, RoomKey, Seq, UserId};
use chatroom_domain::live::{self, LivePolicy};
use chatroom_domain::room::{Access, Capacity, MembershipRepository, Room, RoomName, RoomRepository};
use chatroom_domain::system::Clock;
use chatroom_domain::timeline::{EventKind, MessageContent, MessageStore, NewEvent, Sender};
use chatroom_domain::user::{Email, PasswordHash, User, UserName, UserRepository};
use chatroom_infrastructure::live::{InProcessEventBus, InProcessPresence};
use chatroom_infrastructure::persistence::{
    SeaOrmMembershipRepository, SeaOrmMessageStore, SeaOrmResetCodeStore, SeaOrmRoomRepository, SeaOrmSessionStore,
    SeaOrmThrottleStore, SeaOrmUserRepository,
};
use chatroom_infrastructure::system::SystemClock;
use tempfile::TempDir;

use super::*;

fn r1() -> RoomKey {
    RoomKey::new(RoomId::parse("r1").unwrap(), Incarnation::new(1))
}

fn alice() -> UserId {
    UserId::parse("alice").unwrap()
}

/// A migrated SQLite database in `dir`, its URL, and alice in her room r1
/// (whose seq 1 is her `joined`).
async fn alice_in_r1(dir: &TempDir) -> (Database, String) {
    let url = format!("sqlite://{}?mode=rwc", dir.path().join("chatroom.db").display());
    let database = Database::connect(&url).await.unwrap();
    database.migrate().await.unwrap();
    let now = SystemClock::new().now();
    let user = User {
        id: alice(),
        name: UserName::parse("alice").unwrap(),
        email: Email::parse("alice@example.com").unwrap(),
        password_hash: PasswordHash::new("$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA".to_owned()),
        created_at: now,
    };
    SeaOrmUserRepository::new(&database).insert(&user).await.unwrap();
    let room = Room {
        id: r1().id,
        incarnation: r1().incarnation,
        name: RoomName::parse("r1").unwrap(),
        capacity: Capacity::from_stored(10),
        access: Access::Public,
        owner: alice(),
        created_at: now,
    };
    SeaOrmRoomRepository::new(&database).insert(&room).await.unwrap();
    (database, url)
}

/// The writers as the wiring builds them, and the handles the services use.
fn writers(database: &Database) -> (SeaOrmMessageStore, Deliveries, Writers) {
    let (events, appends) = SeaOrmMessageStore::new(database);
    let bus = Arc::new(InProcessEventBus::new());
    let deps = live::Deps {
        rooms: Arc::new(SeaOrmRoomRepository::new(database)),
        events: Arc::new(events.clone()),
        memberships: Arc::new(SeaOrmMembershipRepository::new(database)),
        presence: Arc::new(InProcessPresence::new()),
        bus: bus.clone(),
        feed: bus,
    };
    let (deliveries, marks) = Deliveries::new(Arc::new(live::Service::new(deps, LivePolicy::default())));
    let housekeeping = Housekeeper::new(
        HousekeepingDeps {
            sessions: Arc::new(SeaOrmSessionStore::new(database)),
            reset_codes: Arc::new(SeaOrmResetCodeStore::new(database)),
            throttle: Arc::new(SeaOrmThrottleStore::new(database)),
            clock: Arc::new(SystemClock::new()),
        },
        HousekeepingPolicy { throttle_window: Duration::from_secs(3600) },
    );
    // Purging all the time: a purge is under way whenever the stop comes.
    let purges =
        super::super::purges::Purges { housekeeping: Arc::new(housekeeping), interval: Duration::from_millis(1) };
    let mails = Arc::new(TokioBackground::new());
    (events, deliveries, Writers { marks, appends, purges, mails })
}

fn message(text: &str) -> NewEvent {
    let from = Sender { id: alice(), name: UserName::parse("alice").unwrap() };
    let content = MessageContent::parse(text, 4000).unwrap();
    NewEvent { at: SystemClock::new().now(), kind: EventKind::Message { from, content, client_msg_id: None } }
}

#[tokio::test]
async fn d5_queued_appends_and_reported_marks_are_saved_before_the_database_closes() {
    let dir = tempfile::tempdir().unwrap();
    let (database, url) = alice_in_r1(&dir).await;
    let (events, deliveries, writers) = writers(&database);
    let since = SystemClock::new().now();
    let r1 = r1();
    let mut queued: Vec<_> = (0..3).map(|i| events.append(&r1, message(&format!("m{i}")), since)).collect();
    // An append's first poll queues it; no writer runs yet to answer it.
    for append in &mut queued {
        let first_poll = poll_fn(|cx| Poll::Ready(append.as_mut().poll(cx))).await;
        assert!(first_poll.is_pending(), "answered without a writer");
    }
    // A session that is still open has reported seq 3.
    deliveries.report(&r1, &alice(), Seq::new(3));

    let workers = Workers::start(database, writers);
    workers.stop(Instant::now()).await.unwrap();

    for (append, seq) in queued.into_iter().zip(2..) {
        assert_eq!(append.await.unwrap().event.seq, Seq::new(seq), "answered as committed");
    }
    assert!(events.last_seq(&r1).await.is_err(), "the database is closed");
    let reopened = Database::connect(&url).await.unwrap();
    assert_eq!(SeaOrmMessageStore::new(&reopened).0.last_seq(&r1).await.unwrap(), Seq::new(4));
    let membership = SeaOrmMembershipRepository::new(&reopened).find(&r1.id, &alice()).await.unwrap().unwrap();
    assert_eq!(membership.last_delivered_seq, Seq::new(3));
    reopened.close().await.unwrap();
}

#[tokio::test]
async fn d5_once_every_session_has_closed_the_stop_waits_for_no_deadline() {
    let dir = tempfile::tempdir().unwrap();
    let (database, url) = alice_in_r1(&dir).await;
    let (events, deliveries, writers) = writers(&database);
    let workers = Workers::start(database, writers);
    deliveries.report(&r1(), &alice(), Seq::new(1));
    // The last session closes, and its frame handler ends: their handles go.
    drop(deliveries);
    drop(events);

    let far = Instant::now() + Duration::from_secs(3600);
    tokio::time::timeout(Duration::from_secs(20), workers.stop(far)).await.unwrap().unwrap();

    let reopened = Database::connect(&url).await.unwrap();
    let membership = SeaOrmMembershipRepository::new(&reopened).find(&r1().id, &alice()).await.unwrap().unwrap();
    assert_eq!(membership.last_delivered_seq, Seq::new(1));
    reopened.close().await.unwrap();
}

#[tokio::test]
async fn d5_a_post_still_in_progress_when_the_sessions_have_closed_is_committed_not_refused() {
    let dir = tempfile::tempdir().unwrap();
    let (database, url) = alice_in_r1(&dir).await;
    let (events, deliveries, writers) = writers(&database);
    let workers = Workers::start(database, writers);
    // Every session has closed; the frame handler of one is still between
    // reading its last message and appending it (it holds the store).
    drop(deliveries);
    let mut stopping = tokio::spawn(workers.stop(Instant::now() + Duration::from_secs(3600)));
    let early = tokio::time::timeout(Duration::from_millis(300), &mut stopping).await;
    assert!(early.is_err(), "stopped while a post could still append");

    let appended = events.append(&r1(), message("the last one"), SystemClock::new().now()).await;
    assert_eq!(appended.unwrap().event.seq, Seq::new(2), "answered as committed");
    drop(events);
    tokio::time::timeout(Duration::from_secs(20), stopping).await.unwrap().unwrap().unwrap();

    let reopened = Database::connect(&url).await.unwrap();
    assert_eq!(SeaOrmMessageStore::new(&reopened).0.last_seq(&r1()).await.unwrap(), Seq::new(2));
    reopened.close().await.unwrap();
}
