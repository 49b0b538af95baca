//! A graceful shutdown under load (D5): SIGTERM while every member of many rooms
//! is posting. The server exits 0 within `http.shutdown_timeout`, every socket
//! is closed with 1001, the log has no error, and a restart on the same data
//! shows that every acknowledged message was committed (D1) and that every
//! connection's delivered mark was saved (D4): a member's return replays from no
//! earlier than what it had received before the signal, and never skips what it
//! had not received.
//!
//! What D4/D5 allow is allowed: a message that was never acked may be stored
//! or not (its sender saw the 1001 close, or an error frame, and resends it
//! with its clientMsgId, D3); a return may replay a few frames twice.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Duration;

use chatroom_tests::ws::{Received, WsClient};
use chatroom_tests::{Backend, Chatroom, TestApp, TestDatabase};
use serde_json::Value;
use tokio::sync::watch;
use tokio::task::JoinHandle;
use tokio::time::Instant;

use crate::chatroom;
use crate::messaging::{history, message, seq_of, seqs};
use crate::ws::{create_room, enter, open, re_enter_request, user, User, WAIT};

/// Rooms, each with this many members, drawn from [`USERS`] users: each user is
/// a member of `ROOMS * MEMBERS / USERS` rooms, so few passwords are hashed.
const ROOMS: usize = 50;
const MEMBERS: usize = 4;
const USERS: usize = 20;

/// Messages each connection keeps sent but not yet answered: more than the one
/// the server posts at a time, so some still wait in the connection's queue
/// when the signal comes.
const IN_FLIGHT: usize = 8;

/// The most messages one connection sends: a room then holds fewer events than
/// `rooms.replay_limit` (1000), so a return replays everything after its mark.
const MOST: usize = 240;

/// Acks that show the stream is under way; it then runs [`STREAMING`] longer
/// before the signal, through a few flushes of the open sessions' marks.
const ACKED_FIRST: usize = 1000;
const STREAMING: Duration = Duration::from_secs(2);

/// `http.shutdown_timeout` (its default), and the slack of a loaded machine.
const SHUTDOWN_TIMEOUT: Duration = Duration::from_secs(10);
const SLACK: Duration = Duration::from_secs(5);

/// The flood limit (W10) and the queue bound (W12) out of the way: they are not
/// what this test is about.
fn unlimited(command: Chatroom) -> Chatroom {
    command
        .env("CHATROOM__WS__FLOOD_RATE", "100000")
        .env("CHATROOM__WS__FLOOD_BURST", "100000")
        .env("CHATROOM__WS__OUTBOUND_QUEUE_FRAMES", "100000")
}

/// The content of message `id`.
fn content(id: &str) -> String {
    format!("message {id}")
}

/// The members of room `room`, its owner first: users `room`, `room + 5`,
/// `room + 10`, `room + 15` (modulo [`USERS`]).
fn members_of(room: usize) -> Vec<usize> {
    (0..MEMBERS).map(|k| (room + k * USERS / MEMBERS) % USERS).collect()
}

/// What one member's connection saw, from its opening to its close.
struct Seen {
    room: String,
    user: usize,
    /// The last seq of the opening (W2).
    opened_at: i64,
    /// The clientMsgIds sent, and the acked ones with their seqs (W6).
    sent: Vec<String>,
    acked: BTreeMap<String, i64>,
    /// Error frames (W6): refused posts.
    errors: Vec<Value>,
    /// Every sequenced frame after the opening, with when it was read.
    received: Vec<(Instant, i64)>,
    /// The code of the server's close frame (`None`: it ended without one).
    closed_with: Option<u16>,
}

impl Seen {
    fn new(room: &str, user: usize, opened_at: i64) -> Self {
        Self {
            room: room.to_owned(),
            user,
            opened_at,
            sent: Vec::new(),
            acked: BTreeMap::new(),
            errors: Vec::new(),
            received: Vec::new(),
            closed_with: None,
        }
    }

    /// The last seq received.
    fn last(&self) -> i64 {
        self.received.last().map_or(self.opened_at, |(_, seq)| *seq)
    }

    /// The last seq received by `at`.
    fn last_by(&self, at: Instant) -> i64 {
        self.received.iter().take_while(|(when, _)| *when <= at).last().map_or(self.opened_at, |(_, seq)| *seq)
    }

    /// Posts sent and not answered (neither acked nor refused).
    fn unanswered(&self) -> usize {
        self.sent.len() - self.acked.len() - self.errors.len()
    }

    fn who(&self) -> String {
        format!("u{} in {}", self.user, self.room)
    }
}

/// Keeps [`IN_FLIGHT`] messages posted and reads everything, until the server
/// closes the connection; `acks` counts the acks of every connection.
async fn stream(mut ws: WsClient, mut seen: Seen, acks: watch::Sender<usize>) -> Seen {
    let mut sending = true;
    loop {
        while sending && seen.unanswered() < IN_FLIGHT && seen.sent.len() < MOST {
            let id = format!("u{}-{}-{}", seen.user, seen.room, seen.sent.len());
            if !ws.try_send_text(&message(&content(&id), &id).to_string()).await {
                // The server is closing: its close frame is still to be read.
                sending = false;
                break;
            }
            seen.sent.push(id);
        }
        match ws.receive(WAIT).await {
            Received::Frame(frame) if frame["type"] == "ack" => {
                let id = frame["clientMsgId"].as_str().unwrap_or_else(|| panic!("W6: {frame}")).to_owned();
                seen.acked.insert(id, seq_of(&frame));
                acks.send_modify(|n| *n += 1);
            }
            Received::Frame(frame) if frame["type"] == "error" => seen.errors.push(frame),
            Received::Frame(frame) if frame["seq"].is_i64() => {
                let seq = seq_of(&frame);
                // D2: a live connection gets every event once, in seq order.
                assert_eq!(seq, seen.last() + 1, "D2: {}: {frame}", seen.who());
                seen.received.push((Instant::now(), seq));
            }
            Received::Frame(_) => {}
            Received::Closed(code) => {
                seen.closed_with = code;
                return seen;
            }
            Received::Nothing => panic!("{}: nothing within {WAIT:?}", seen.who()),
        }
    }
}

/// Registers the users, creates the rooms, opens every member's connection and
/// sets each streaming.
async fn start_streaming(app: &TestApp, acks: &watch::Sender<usize>) -> (Vec<User>, Vec<JoinHandle<Seen>>) {
    let mut users = Vec::with_capacity(USERS);
    for i in 0..USERS {
        users.push(user(app, &format!("u{i}")).await);
    }
    let mut connections = Vec::with_capacity(ROOMS * MEMBERS);
    for room in 0..ROOMS {
        let id = format!("r{room}");
        for (k, member) in members_of(room).into_iter().enumerate() {
            let (ws, opening) = if k == 0 {
                create_room(app, &users[member], &id, MEMBERS as u32, true).await
            } else {
                enter(app, &users[member], &id).await
            };
            let opened_at =
                opening.caught_up["lastSeq"].as_i64().unwrap_or_else(|| panic!("W2: {}", opening.caught_up));
            connections.push((ws, Seen::new(&id, member, opened_at)));
        }
    }
    let tasks = connections.into_iter().map(|(ws, seen)| tokio::spawn(stream(ws, seen, acks.clone()))).collect();
    (users, tasks)
}

/// The log lines that D5 forbids: any error, and any warning of our own
/// (a mark or a message that could not be saved, a connection not counted out).
fn problems(logs: &[String]) -> Vec<&String> {
    logs.iter()
        .filter(|line| match line.split_whitespace().nth(1) {
            Some("ERROR") => true,
            Some("WARN") => line.contains("chatroom"),
            _ => false,
        })
        .collect()
}

/// D1, D3, R13 after the restart: the room's history has no gap, stores each
/// clientMsgId once, and holds every acked message under its acked seq.
async fn assert_acked_messages_stored(app: &TestApp, reader: &User, room: &str, seen: &[&Seen]) {
    let events = history(app, reader, room).await;
    assert_eq!(seqs(&events), (1..=events.len() as i64).collect::<Vec<_>>(), "R13: {room} without a gap");
    let mut stored: BTreeMap<&str, i64> = BTreeMap::new();
    for event in events.iter().filter(|event| event["type"] == "message") {
        let id = event["clientMsgId"].as_str().unwrap_or_else(|| panic!("no clientMsgId: {event}"));
        assert_eq!(event["content"], Value::from(content(id)), "{event}");
        assert!(stored.insert(id, seq_of(event)).is_none(), "D3: {id} stored twice in {room}");
    }
    for member in seen {
        for (id, seq) in &member.acked {
            assert_eq!(stored.get(id.as_str()), Some(seq), "D1, D5: {id} was acked with seq {seq} but is not stored");
        }
    }
    // D5: a post the server had taken was answered before the 1001 close.
    for id in stored.keys() {
        let acked = seen.iter().any(|member| member.acked.contains_key(*id));
        assert!(acked, "D5: {id} is stored but its sender never got the ack");
    }
}

/// D4, D5 after the restart: a return without `since` replays from the saved
/// mark, which is no newer than what the member had received at all (D4: never
/// one too few) and no older than what it had received before the signal: a
/// frame the client read by then was written to its socket by then, so it was
/// under the connection's delivered mark when the shutdown saved that mark (D5),
/// not only under the last once-a-second report.
fn assert_mark_saved(member: &Seen, replay: &[Value], last_seq: i64, signalled_at: Instant) {
    let who = member.who();
    let replayed = seqs(replay);
    let Some(&first) = replayed.first() else {
        assert!(last_seq <= member.last(), "D4: {who} never received {last_seq}, and it is not replayed");
        return;
    };
    assert_eq!(replayed, (first..=last_seq).collect::<Vec<_>>(), "W2: {who}'s replay is every event after its mark");
    assert!(first <= member.last() + 1, "D4: {who} received up to {}, the replay starts at {first}", member.last());
    let received_before = member.last_by(signalled_at);
    assert!(
        first > received_before,
        "D5: {who} had received {received_before} before the signal, the replay starts at {first}"
    );
}

/// The scenario on the server `first` starts; `second` is the restart on the
/// same data, given the first's data directory.
async fn sigterm_under_load(first: Chatroom, second: impl FnOnce(PathBuf) -> Chatroom) {
    let mut app = unlimited(first).spawn().await;
    let (acks, mut counted) = watch::channel(0);
    let (users, tasks) = start_streaming(&app, &acks).await;
    // The `Ref` of `wait_for` must not outlive this line: it would block the acks.
    let under_way =
        tokio::time::timeout(3 * WAIT, counted.wait_for(|n| *n >= ACKED_FIRST)).await.is_ok_and(|r| r.is_ok());
    assert!(under_way, "{ACKED_FIRST} acks within {:?}", 3 * WAIT);
    // Load, not a wait for something: the marks of the open sessions get saved.
    tokio::time::sleep(STREAMING).await;

    let signalled_at = Instant::now();
    app.signal("TERM").await;
    let status = app.wait_for_exit(SHUTDOWN_TIMEOUT + SLACK).await;
    assert!(status.success(), "D5: exit status 0: {status:?}");
    let mut seen = Vec::with_capacity(tasks.len());
    for task in tasks {
        seen.push(task.await.unwrap_or_else(|e| std::panic::resume_unwind(e.into_panic())));
    }
    assert!(seen.iter().any(|member| member.unanswered() > 0), "the signal came with no message in flight");
    for member in &seen {
        assert_eq!(member.closed_with, Some(1001), "D5, W14: {} closed with 1001", member.who());
    }
    let logs = app.logs();
    assert_eq!(problems(&logs), Vec::<&String>::new(), "D5: no error in the log");

    let restarted = unlimited(second(app.data_dir())).spawn().await;
    for room in 0..ROOMS {
        let id = format!("r{room}");
        let in_room: Vec<&Seen> = seen.iter().filter(|member| member.room == id).collect();
        assert_acked_messages_stored(&restarted, &users[members_of(room)[0]], &id, &in_room).await;
    }
    let returns: Vec<JoinHandle<(Vec<Value>, i64)>> = seen
        .iter()
        .map(|member| {
            let request = re_enter_request(&restarted, &member.room).bearer(&users[member.user].token);
            tokio::spawn(async move {
                let (ws, opening) = open(request).await;
                drop(ws);
                let last_seq = opening.caught_up["lastSeq"].as_i64().unwrap_or_default();
                let replay = opening.replay.into_iter().filter(|frame| frame["seq"].is_i64()).collect();
                (replay, last_seq)
            })
        })
        .collect();
    for (member, back) in seen.iter().zip(returns) {
        let (replay, last_seq) = back.await.unwrap_or_else(|e| std::panic::resume_unwind(e.into_panic()));
        assert_mark_saved(member, &replay, last_seq, signalled_at);
    }
    // The first server's directory holds the data: it goes last.
    drop(restarted);
    drop(app);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn d5_a_sigterm_under_load_exits_0_closes_every_socket_with_1001_and_loses_no_acked_message_or_mark() {
    sigterm_under_load(chatroom(), |data_dir| chatroom().with_data_dir(data_dir)).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn d5_a_sigterm_under_load_on_postgres_loses_no_acked_message_or_mark() {
    let Some(database) = TestDatabase::create(Backend::Postgres, "d5_sigterm_under_load").await else { return };
    let url = database.url.clone();
    let on_postgres = |command: Chatroom| command.args(["--database-url", url.as_str()]);
    sigterm_under_load(on_postgres(chatroom()), |data_dir| on_postgres(chatroom().with_data_dir(data_dir))).await;
    drop(database);
}
