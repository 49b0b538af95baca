//! R4 under contention: twenty newcomers race into a public room with five free
//! places (capacity 6, the owner being the first member, R3). Exactly five get in,
//! every other attempt is refused with E2005 and nothing else, and the five joined
//! events carry the seqs 2 to 6 (R13). The same race runs on SQLite and, each on a
//! fresh database of its own, on PostgreSQL and MySQL/MariaDB (skipped with a
//! printed reason when `CHATROOM_TEST_POSTGRES_URL` / `CHATROOM_TEST_MYSQL_URL` are
//! unset, failing when `CHATROOM_TEST_REQUIRE_SERVICES=1`).

use chatroom_tests::{Backend, TestApp, TestDatabase};
use tokio::task::JoinSet;

use crate::ws::{assert_refused_with, assert_system, create_room, enter_request, member_ids, next_event, user, WAIT};
use crate::{chatroom, spawn_app};

const RACERS: usize = 20;
const CAPACITY: u32 = 6;

async fn twenty_newcomers_race_for_five_places(app: &TestApp) {
    let owner = user(app, "owner").await;
    let (mut owner_ws, _) = create_room(app, &owner, "r1", CAPACITY, true).await;
    let mut racers = Vec::new();
    for i in 0..RACERS {
        racers.push(user(app, &format!("racer{i:02}")).await);
    }

    // Every attempt is in flight before any answer is read.
    let mut attempts = JoinSet::new();
    for racer in &racers {
        let request = enter_request(app, "r1").bearer(&racer.token);
        let id = racer.id().to_owned();
        attempts.spawn(async move { (id, request.connect().await) });
    }
    let (mut admitted, mut connections) = (Vec::new(), Vec::new());
    while let Some(joined) = attempts.join_next().await {
        let (id, attempt) = joined.expect("a racing task");
        match attempt {
            Ok(ws) => {
                admitted.push(id);
                connections.push(ws);
            }
            Err(refusal) => assert_refused_with(&refusal, 409, 2005, "房间人数已满"),
        }
    }
    admitted.sort();
    assert_eq!(admitted.len(), CAPACITY as usize - 1, "R4: exactly the free places are taken: {admitted:?}");

    let mut members = member_ids(app, &owner.token, "r1").await;
    assert_eq!(members.remove(0), "owner", "R3: the owner joined first");
    members.sort();
    assert_eq!(members, admitted, "the members are the admitted racers");
    // R13: one joined event per newcomer, seqs 2..=6 without gap or duplicate.
    let (mut seqs, mut joined) = (Vec::new(), Vec::new());
    for _ in 0..admitted.len() {
        let event = next_event(&mut owner_ws, "joined").await;
        let who = event["userId"].as_str().unwrap_or_default().to_owned();
        seqs.push(assert_system(&event, "r1", "joined", &who));
        joined.push(who);
    }
    joined.sort();
    assert_eq!(seqs, (2..=i64::from(CAPACITY)).collect::<Vec<_>>(), "R13");
    assert_eq!(joined, admitted);
    for ws in &mut connections {
        ws.opening(WAIT).await;
    }
}

#[tokio::test]
async fn r4_twenty_newcomers_racing_for_five_places_leave_exactly_five_in_on_sqlite() {
    let app = spawn_app().await;
    twenty_newcomers_race_for_five_places(&app).await;
}

#[tokio::test]
async fn r4_twenty_newcomers_racing_for_five_places_leave_exactly_five_in_on_postgres() {
    let test = "r4_race_on_postgres";
    let Some(database) = TestDatabase::create(Backend::Postgres, test).await else { return };
    let app = chatroom().args(["--database-url", &database.url]).spawn().await;
    twenty_newcomers_race_for_five_places(&app).await;
}

#[tokio::test]
async fn r4_twenty_newcomers_racing_for_five_places_leave_exactly_five_in_on_mysql() {
    let test = "r4_race_on_mysql";
    let Some(database) = TestDatabase::create(Backend::MySql, test).await else { return };
    let app = chatroom().args(["--database-url", &database.url]).spawn().await;
    twenty_newcomers_race_for_five_places(&app).await;
}
