//! D4 and S11 at the socket: the delivered mark covers only frames the server
//! wrote to the socket, and the opening's replay is read, encoded and queued
//! as the client takes it, under the queue bound of W12.

use std::sync::Arc;

use chatroom_tests::ws::{Received, WsClient, WsRequest};
use chatroom_tests::TestApp;
use reqwest::Method;
use serde_json::Value;
use tokio::sync::{watch, Barrier};

use crate::accounts::{call, token_of};
use crate::chatroom;
use crate::messaging::{seq_of, seqs};
use crate::ws::{create_room, enter, enter_request, on_member, open, re_enter_request, user, User, WAIT};

/// The `message` frames among `frames`.
fn messages(frames: &[Value]) -> Vec<Value> {
    frames.iter().filter(|frame| frame["type"] == "message").cloned().collect()
}

/// Reads `client` until the `end` message has come and `who` went offline;
/// returns the messages, and says `who` is gone through `gone`.
async fn read_until_gone(mut client: WsClient, who: &'static str, gone: watch::Sender<bool>) -> Vec<Value> {
    let (mut received, mut end) = (Vec::new(), false);
    while !(end && *gone.borrow()) {
        let frame = client.receive(WAIT).await;
        let Received::Frame(frame) = frame else { panic!("the reader: {frame:?}; {who} gone: {}", *gone.borrow()) };
        if frame["type"] == "presence" && frame["userId"] == who && frame["event"] == "offline" {
            gone.send_replace(true);
        } else if frame["type"] == "message" {
            end = frame["clientMsgId"] == "end";
            received.push(frame);
        }
    }
    received
}

/// A room where alice posts 12 kB messages to carol, who reads everything, and
/// to bob, whose socket reads slowly (a 4 kB buffer) and whose queue holds 8
/// frames: alice posts until bob is closed (W12), then `end`.
pub struct SlowReader {
    pub app: TestApp,
    pub bob: User,
    /// The messages alice posted before `end`.
    pub sent: usize,
    /// Every message carol received, `end` included.
    pub received: Vec<Value>,
    /// What bob read until his connection ended, and its close code.
    pub frames: Vec<Value>,
    pub code: Option<u16>,
}

pub async fn flood_a_slow_reader() -> SlowReader {
    const MOST: usize = 800;
    let app = chatroom()
        .env("CHATROOM__WS__OUTBOUND_QUEUE_FRAMES", "8")
        .env("CHATROOM__WS__OUTBOUND_QUEUE_BYTES", "65536")
        .env("CHATROOM__WS__FLOOD_RATE", "10000")
        .env("CHATROOM__WS__FLOOD_BURST", "10000")
        .spawn()
        .await;
    let (alice, bob, carol) = (user(&app, "alice").await, user(&app, "bob").await, user(&app, "carol").await);
    let (mut alice_ws, _) = create_room(&app, &alice, "r1", 5, true).await;
    let (mut slow, _) = open(enter_request(&app, "r1").bearer(&bob.token).receive_buffer(4096)).await;
    let (carol_ws, _) = enter(&app, &carol, "r1").await;
    let (bob_gone, bob_gone_rx) = watch::channel(false);
    let carol_reads = tokio::spawn(read_until_gone(carol_ws, "bob", bob_gone));

    // 12 kB frames: the slow reader's buffers and then its queue fill.
    let big = "消".repeat(4000);
    let mut sent = 0;
    while sent < MOST && !*bob_gone_rx.borrow() {
        alice_ws.send_message(&big, &format!("big-{sent}"), WAIT).await;
        sent += 1;
    }
    alice_ws.send_message("end", "end", WAIT).await;
    let received = carol_reads.await.unwrap_or_else(|e| std::panic::resume_unwind(e.into_panic()));
    let (frames, code) = slow.frames_until_close(WAIT).await;
    SlowReader { app, bob, sent, received, frames, code }
}

#[tokio::test]
async fn d4_what_was_still_queued_at_a_1013_close_is_replayed_on_the_next_connection_without_since() {
    let SlowReader { app, bob, sent, received, frames, code } = flood_a_slow_reader().await;
    let all = seqs(&received);
    let (first, last) = (all[0], *all.last().unwrap());
    assert!(matches!(code, Some(1013) | None), "W12: the slow reader is closed with 1013, got {code:?}");
    let got = seqs(&messages(&frames));
    assert!(got.len() < sent, "the slow reader was cut off, yet got {} of {sent}", got.len());
    let last_got = got.last().copied().unwrap_or(first - 1);

    // Back without `since`: from its mark, which covers only what was written.
    let (_bob_ws, opening) = open(re_enter_request(&app, "r1").bearer(&bob.token)).await;
    let replayed = seqs(&messages(&opening.replay));
    let resumed = replayed.first().copied().unwrap_or_else(|| panic!("D4: nothing replayed after {last_got}"));
    assert!(resumed <= last_got + 1, "D4: got up to {last_got}, the replay resumes at {resumed}: a gap");
    assert_eq!(replayed, (resumed..=last).collect::<Vec<_>>(), "D4: everything after, in order");
}

#[tokio::test]
async fn s11_a_replay_longer_than_the_queue_reaches_a_reader_and_a_client_that_does_not_read_is_closed_with_1013() {
    let app = chatroom()
        .env("CHATROOM__WS__OUTBOUND_QUEUE_FRAMES", "16")
        .env("CHATROOM__WS__FLOOD_RATE", "10000")
        .env("CHATROOM__WS__FLOOD_BURST", "10000")
        .spawn()
        .await;
    let (alice, bob) = (user(&app, "alice").await, user(&app, "bob").await);
    let (mut alice_ws, _) = create_room(&app, &alice, "r1", 5, true).await;
    let (bob_ws, _) = enter(&app, &bob, "r1").await;
    bob_ws.close(WAIT).await;
    let big = "消".repeat(4000);
    for i in 0..1000 {
        alice_ws.send_message(&big, &format!("m-{i}"), WAIT).await;
    }

    // A reader gets all 1,000, through a queue of 16 frames (W2, S11).
    let (_reader, opening) = open(re_enter_request(&app, "r1").bearer(&bob.token)).await;
    let replayed = seqs(&messages(&opening.replay));
    assert_eq!(replayed.len(), 1000, "W2: the whole replay");
    assert_eq!(opening.caught_up["lastSeq"], seq_of(opening.replay.last().unwrap()));

    // Clients that read nothing hold no more than their queue (S11): twenty of
    // them, each owed 12 MB of replay, cost the server far less than that.
    let before = resident_bytes(app.pid());
    let mut sleepers = Vec::new();
    for _ in 0..20 {
        sleepers.push(re_enter_request(&app, "r1").bearer(&bob.token).receive_buffer(4096).open().await);
    }
    tokio::time::sleep(std::time::Duration::from_secs(1)).await;
    let grown = resident_bytes(app.pid()).saturating_sub(before);
    assert!(grown < 40 << 20, "S11: 20 idle openings grew the server by {} MiB", grown >> 20);
    // …and once their queue has stayed full for the opening's patience (10 s),
    // they are closed: what they then read is what was written before, and 1013.
    tokio::time::sleep(std::time::Duration::from_secs(12)).await;
    let mut sleeper = sleepers.pop().unwrap();
    let (frames, code) = sleeper.frames_until_close(WAIT).await;
    assert!(matches!(code, Some(1013) | None), "S11: a client that does not read is closed with 1013, got {code:?}");
    assert!(messages(&frames).len() < 1000, "S11: it was cut off");
}

/// The server's resident memory, from /proc.
fn resident_bytes(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).expect("the server's /proc status");
    let kib = status.lines().find_map(|line| line.strip_prefix("VmRSS:")).expect("VmRSS");
    kib.trim().trim_end_matches("kB").trim().parse::<u64>().expect("VmRSS in kB") * 1024
}

/// Runs each reconnect against its rival request, all released together by
/// one barrier; checks that every rival succeeded, and expects each reconnect
/// to be refused with `refused` or, if it opened, to be closed with `closed`
/// (S9). Returns how many opened.
async fn race<R>(races: Vec<(WsRequest, R)>, refused: i64, closed: u16) -> usize
where
    R: std::future::Future<Output = reqwest::Response> + Send + 'static,
{
    let start = Arc::new(Barrier::new(2 * races.len()));
    let mut running = Vec::new();
    for (request, rival) in races {
        let (one, other) = (Arc::clone(&start), Arc::clone(&start));
        let reconnect = tokio::spawn(async move {
            one.wait().await;
            request.connect().await
        });
        let rival = tokio::spawn(async move {
            other.wait().await;
            rival.await
        });
        running.push((reconnect, rival));
    }
    let mut opened = 0;
    for (reconnect, rival) in running {
        assert!(rival.await.unwrap().status().is_success(), "the rival request succeeds");
        match reconnect.await.unwrap() {
            // Refused: the rival came first.
            Err(refusal) => assert_eq!(refusal.body["err"]["Code"], refused, "{:?}", refusal.body),
            // Opened: what the rival did reaches it, after its opening.
            Ok(mut client) => {
                opened += 1;
                let (_, code) = client.frames_until_close(WAIT).await;
                assert_eq!(code, Some(closed), "S9: a connection that raced it is closed");
            }
        }
    }
    opened
}

#[tokio::test]
async fn s9_a_kick_racing_a_reconnect_never_leaves_the_kicked_member_connected() {
    const ROOMS: usize = 30;
    let app = Arc::new(chatroom().spawn().await);
    let (alice, bob) = (Arc::new(user(&app, "alice").await), user(&app, "bob").await);
    let mut owners = Vec::new();
    let mut races = Vec::new();
    for i in 0..ROOMS {
        let room = format!("r{i}");
        owners.push(create_room(&app, &alice, &room, 5, true).await.0);
        enter(&app, &bob, &room).await.0.close(WAIT).await;
        let (app, alice) = (Arc::clone(&app), Arc::clone(&alice));
        let request = re_enter_request(&app, &room).bearer(&bob.token);
        let kick = async move { on_member(&app, Method::DELETE, "/room/kickOutUser", &alice, &room, "bob").await };
        races.push((request, kick));
    }
    let opened = race(races, 2003, 4001).await;
    println!("{opened} of {ROOMS} reconnects opened before their kick");
}

#[tokio::test]
async fn d4_w10_every_flooder_gets_its_1008_close_frame_never_a_reset() {
    const FLOODERS: usize = 12;
    let app = chatroom().env("CHATROOM__WS__FLOOD_RATE", "5").env("CHATROOM__WS__FLOOD_BURST", "5").spawn().await;
    let (alice, bob) = (user(&app, "alice").await, user(&app, "bob").await);
    let (_alice_ws, _) = create_room(&app, &alice, "r1", 5, true).await;
    let mut floods = Vec::new();
    for _ in 0..FLOODERS {
        let (mut flooder, _) = enter(&app, &bob, "r1").await;
        floods.push(tokio::spawn(async move {
            // Frames as fast as the socket takes them, until the server hangs up.
            let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(3);
            while tokio::time::Instant::now() < deadline && flooder.try_send_text("flood").await {}
            flooder.frames_until_close(WAIT).await.1
        }));
    }
    for flood in floods {
        let code = flood.await.unwrap_or_else(|e| std::panic::resume_unwind(e.into_panic()));
        assert_eq!(code, Some(1008), "W10: the close frame arrives, never a reset (1006)");
    }
}

#[tokio::test]
async fn s9_a_logout_racing_a_reconnect_never_leaves_that_session_connected() {
    const SESSIONS: usize = 20;
    let app = Arc::new(chatroom().spawn().await);
    let alice = user(&app, "alice").await;
    let (_alice_ws, _) = create_room(&app, &alice, "r1", 5, true).await;
    let mut races = Vec::new();
    for i in 0..SESSIONS {
        let token = token_of(&app, &alice.account).await;
        let request = re_enter_request(&app, "r1").bearer(&token);
        let app = Arc::clone(&app);
        let logout = async move {
            // Staggered by 0–19 ms: some logouts land before, some during and
            // some after their reconnect.
            tokio::time::sleep(std::time::Duration::from_millis(i as u64)).await;
            call(&app, Method::DELETE, "/user/exit", Some(&token), None).await
        };
        races.push((request, logout));
    }
    let opened = race(races, 1002, 4003).await;
    println!("{opened} of {SESSIONS} reconnects opened before their logout");
}
