//! Messages over WebSocket (SPEC §7): raw text and JSON messages, acks and
//! delivery to every connection (W3, W6, W8, W13), content limits (W9),
//! idempotent retries (D3), one order for everyone under concurrency (D2, R13),
//! replay on return (W2, D4), the flood limit (W10) and slow consumers (W12).
//! The steps shared with `crash` (message frames, seqs, the history) live here too.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use chatroom_tests::ws::{Opening, Received, WsClient, WsRequest};
use chatroom_tests::TestApp;
use reqwest::Method;
use serde_json::{json, Value};
use tokio::sync::Barrier;
use tokio::task::JoinHandle;

use crate::accounts::rfc3339_unix_seconds;
use crate::chatroom;
use crate::delivery::{flood_a_slow_reader, SlowReader};
use crate::ws::{create_room, enter, enter_request, notice_of, open, re_enter_request, room_call, user, User, WAIT};

/// `{"type":"message","content":…,"clientMsgId":…}` (W8).
pub fn message(content: &str, client_msg_id: &str) -> Value {
    json!({"type": "message", "content": content, "clientMsgId": client_msg_id})
}

/// The `seq` of a frame.
pub fn seq_of(frame: &Value) -> i64 {
    frame["seq"].as_i64().unwrap_or_else(|| panic!("no seq in {frame}"))
}

/// The seqs of `frames`.
pub fn seqs(frames: &[Value]) -> Vec<i64> {
    frames.iter().map(seq_of).collect()
}

/// The message frames (W3) among `frames`.
fn messages(frames: &[Value]) -> Vec<Value> {
    frames.iter().filter(|frame| frame["type"] == "message").cloned().collect()
}

/// The next message frame with `seq`, asserting that no other message comes first.
async fn next_message(ws: &mut WsClient, seq: i64) -> Value {
    let frame = ws.next_of_type("message", WAIT).await;
    assert_eq!(frame["seq"], seq, "D2: expected message {seq} next: {frame}");
    frame
}

/// `path?roomId=room&since=since` (`/room/enter` or `/room/reEnter`) as `member`,
/// with its opening.
async fn open_since(app: &TestApp, member: &User, path: &str, room: &str, since: i64) -> (WsClient, Opening) {
    let since = since.to_string();
    open(WsRequest::new(app.address, path, &[("roomId", room), ("since", &since)]).bearer(&member.token)).await
}

/// The room's persisted events, oldest first, as `member` reads them through
/// `GET /room/messages` (SPEC §6, ext), page after page.
pub async fn history(app: &TestApp, member: &User, room: &str) -> Vec<Value> {
    let mut events: Vec<Value> = Vec::new();
    loop {
        let after = events.last().map_or(0, seq_of).to_string();
        let params = [("roomId", room), ("after", after.as_str()), ("limit", "200")];
        let notice = notice_of(room_call(app, Method::GET, "/room/messages", &params, &member.token).await).await;
        let page = notice["messages"].as_array().unwrap_or_else(|| panic!("no messages in {notice}"));
        events.extend(page.iter().cloned());
        if notice["hasMore"] != true || page.is_empty() {
            return events;
        }
    }
}

/// Awaits every task, failing with a task's own panic.
async fn all<T>(tasks: Vec<JoinHandle<T>>) -> Vec<T> {
    let mut results = Vec::with_capacity(tasks.len());
    for task in tasks {
        results.push(task.await.unwrap_or_else(|e| std::panic::resume_unwind(e.into_panic())));
    }
    results
}

#[tokio::test]
async fn w8_w13_raw_text_and_json_messages_are_acked_stored_and_reach_every_connection_the_senders_own_too() {
    let app = chatroom().spawn().await;
    let (alice, bob) = (user(&app, "alice").await, user(&app, "bob").await);
    let (mut alice_phone, _) = create_room(&app, &alice, "r1", 5, true).await;
    let (mut alice_laptop, _) = enter(&app, &alice, "r1").await;
    let (mut bob_ws, _) = enter(&app, &bob, "r1").await;
    let before = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs() as i64;

    alice_phone.send_text("hello, raw text").await;
    assert_eq!(alice_phone.next_of_type("ack", WAIT).await, json!({"type": "ack", "seq": 3}), "W6: no clientMsgId");
    bob_ws.send_json(&message("你好，JSON", "b-1")).await;
    assert_eq!(bob_ws.next_of_type("ack", WAIT).await, json!({"type": "ack", "clientMsgId": "b-1", "seq": 4}));

    let from_alice = json!({"userId": "alice", "userName": alice.account.name});
    let from_bob = json!({"userId": "bob", "userName": bob.account.name});
    // W8: raw text is a message without clientMsgId.
    let raw = json!({"type": "message", "roomId": "r1", "seq": 3, "from": from_alice, "content": "hello, raw text"});
    let with_id = json!({
        "type": "message", "roomId": "r1", "seq": 4, "from": from_bob, "content": "你好，JSON", "clientMsgId": "b-1"
    });
    for ws in [&mut alice_phone, &mut alice_laptop, &mut bob_ws] {
        for expected in [&raw, &with_id] {
            let mut frame = next_message(ws, seq_of(expected)).await;
            let sent_at = rfc3339_unix_seconds(frame["sentAt"].as_str().unwrap_or_else(|| panic!("sentAt: {frame}")));
            assert!((before - 5..=before + 60).contains(&sent_at), "W3: sentAt is now: {frame}");
            frame.as_object_mut().unwrap().remove("sentAt");
            assert_eq!(&frame, expected, "W3");
        }
    }
    // W13: one copy per connection; the next message is the next one anyone sees.
    assert_eq!(alice_laptop.send_message("last", "a-2", WAIT).await, 5);
    for ws in [&mut alice_phone, &mut alice_laptop, &mut bob_ws] {
        next_message(ws, 5).await;
    }
    let stored: Vec<_> = messages(&history(&app, &bob, "r1").await).iter().map(|m| m["content"].clone()).collect();
    assert_eq!(stored, [json!("hello, raw text"), json!("你好，JSON"), json!("last")]);
}

#[tokio::test]
async fn w9_empty_blank_or_too_long_content_is_refused_with_1001_and_nothing_is_stored() {
    let app = chatroom().env("CHATROOM__MESSAGES__MAX_CHARS", "10").spawn().await;
    let alice = user(&app, "alice").await;
    let (mut ws, _) = create_room(&app, &alice, "r1", 5, true).await;
    let refused = [
        json!(""),
        json!(" \t\n "),
        json!("一二三四五六七八九十一"),
        message("", "m-1"),
        message("   ", "m-2"),
        message("abcdefghijk", "m-3"),
        json!({"type": "message", "clientMsgId": "m-4"}),
    ];
    for frame in &refused {
        match frame {
            Value::String(text) => ws.send_text(text).await,
            frame => ws.send_json(frame).await,
        }
        let reply = ws.next_frame(WAIT).await;
        assert_eq!((&reply["type"], &reply["code"]), (&json!("error"), &json!(1001)), "W9: {frame} got {reply}");
        assert!(reply["msg"].as_str().is_some_and(|msg| !msg.is_empty()), "W6: a msg: {reply}");
    }
    // 10 characters (not bytes), and spaces around them do not count.
    assert_eq!(ws.send_message("一二三四五六七八九十", "ok-1", WAIT).await, 2, "W9: nothing was stored before");
    ws.send_text("  abcdefghij  ").await;
    assert_eq!(ws.next_of_type("ack", WAIT).await["seq"], 3);
    assert_eq!(seqs(&history(&app, &alice, "r1").await), [1, 2, 3]);
}

#[tokio::test]
async fn w3_w9_a_message_of_the_longest_allowed_content_reaches_members_whole_live_and_in_replay() {
    // 4,000 characters of three bytes each: the frame is sent in fragments, which
    // a client must receive as the one message it is.
    let longest: String = "长".repeat(4000);
    let app = chatroom().spawn().await;
    let (alice, bob) = (user(&app, "alice").await, user(&app, "bob").await);
    let (mut alice_ws, _) = create_room(&app, &alice, "r1", 5, true).await;
    let (mut bob_ws, _) = enter(&app, &bob, "r1").await;
    assert_eq!(alice_ws.send_message(&longest, "long-1", WAIT).await, 3);
    for ws in [&mut alice_ws, &mut bob_ws] {
        assert_eq!(next_message(ws, 3).await["content"].as_str(), Some(longest.as_str()), "W3: live");
    }
    let (_ws, opening) = open_since(&app, &bob, "/room/reEnter", "r1", 2).await;
    assert_eq!(seqs(&opening.replay), [3]);
    assert_eq!(opening.replay[0]["content"].as_str(), Some(longest.as_str()), "W2: replayed");
}

#[tokio::test]
async fn d3_a_resend_with_the_same_client_msg_id_gets_the_original_seq_and_creates_nothing() {
    let app = chatroom().spawn().await;
    let (alice, bob) = (user(&app, "alice").await, user(&app, "bob").await);
    let (mut alice_ws, _) = create_room(&app, &alice, "r1", 5, true).await;
    let (mut bob_ws, _) = enter(&app, &bob, "r1").await;
    assert_eq!(alice_ws.send_message("once", "m-1", WAIT).await, 3);
    assert_eq!(alice_ws.send_message("once", "m-1", WAIT).await, 3, "D3: a retry");
    assert_eq!(alice_ws.send_message("changed", "m-1", WAIT).await, 3, "D3: the id decides, not the content");
    let (mut alice_laptop, _) = enter(&app, &alice, "r1").await;
    assert_eq!(alice_laptop.send_message("once", "m-1", WAIT).await, 3, "D3: from another device of the sender");
    assert_eq!(bob_ws.send_message("mine", "m-1", WAIT).await, 4, "D3: another sender's id is its own");

    assert_eq!(next_message(&mut bob_ws, 3).await["content"], "once");
    assert_eq!(next_message(&mut bob_ws, 4).await["content"], "mine", "D3: the retries were not delivered");
    let stored = messages(&history(&app, &bob, "r1").await);
    assert_eq!(seqs(&stored), [3, 4], "D3: nothing new was stored: {stored:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn d2_r13_fifty_members_sending_at_once_all_receive_the_same_thousand_messages_once_in_seq_order() {
    const MEMBERS: usize = 50;
    const EACH: usize = 20;
    let app = Arc::new(chatroom().env("CHATROOM__WS__FLOOD_BURST", "40").spawn().await);
    let registering = (0..MEMBERS).map(|i| {
        let app = Arc::clone(&app);
        tokio::spawn(async move { user(&app, &format!("u{i:02}")).await })
    });
    let users = all(registering.collect()).await;
    let (owner_ws, _) = create_room(&app, &users[0], "r1", MEMBERS as u32, true).await;
    let start = Arc::new(Barrier::new(MEMBERS));
    let mut tasks = vec![tokio::spawn(chat(owner_ws, users[0].id().to_owned(), Arc::clone(&start)))];
    for member in &users[1..] {
        let (app, start, token, id) =
            (Arc::clone(&app), Arc::clone(&start), member.token.clone(), member.id().to_owned());
        tasks.push(tokio::spawn(async move {
            let (ws, _) = open(enter_request(&app, "r1").bearer(&token)).await;
            chat(ws, id, start).await
        }));
    }

    /// Sends EACH messages at once after everyone entered, then reads until the
    /// MEMBERS × EACH messages and its own acks are in: (acks by id, messages).
    async fn chat(mut ws: WsClient, id: String, start: Arc<Barrier>) -> (BTreeMap<String, i64>, Vec<Value>) {
        start.wait().await;
        for k in 0..EACH {
            ws.send_json(&message(&format!("{id} says {k}"), &format!("{id}-{k}"))).await;
        }
        let (mut acks, mut received) = (BTreeMap::new(), Vec::new());
        while acks.len() < EACH || received.len() < MEMBERS * EACH {
            match ws.receive(WAIT).await {
                Received::Frame(frame) if frame["type"] == "ack" => {
                    acks.insert(frame["clientMsgId"].as_str().unwrap().to_owned(), seq_of(&frame));
                }
                Received::Frame(frame) if frame["type"] == "message" => received.push(frame),
                Received::Frame(_) => {}
                other => panic!("{id}: {other:?} after {} acks and {} messages", acks.len(), received.len()),
            }
        }
        ws.expect_none_of_type("message", Duration::from_millis(200)).await;
        (acks, received)
    }

    let results = all(tasks).await;
    let reference: Vec<(i64, Value)> = results[0].1.iter().map(|m| (seq_of(m), m["clientMsgId"].clone())).collect();
    let first = reference[0].0;
    let expected: Vec<i64> = (first..first + (MEMBERS * EACH) as i64).collect();
    assert_eq!(reference.iter().map(|(seq, _)| *seq).collect::<Vec<_>>(), expected, "R13: consecutive seqs");
    // Every message once: all ids differ, and every ack (checked below) names one.
    let seq_of_id: BTreeMap<&str, i64> = reference.iter().map(|(seq, id)| (id.as_str().unwrap(), *seq)).collect();
    assert_eq!(seq_of_id.len(), MEMBERS * EACH, "R13: every message once");
    for (member, (acks, received)) in users.iter().zip(&results) {
        let order: Vec<(i64, Value)> = received.iter().map(|m| (seq_of(m), m["clientMsgId"].clone())).collect();
        if let Some(at) = (0..reference.len()).find(|&i| order.get(i) != reference.get(i)) {
            panic!("D2: {} got {:?} at {at}, u00 got {:?}", member.id(), order.get(at), reference[at]);
        }
        for (id, seq) in acks {
            assert_eq!(seq_of_id.get(id.as_str()), Some(seq), "W6: {}'s ack of {id}", member.id());
        }
    }
}

#[tokio::test]
async fn w2_d4_a_member_who_was_away_gets_exactly_what_it_missed_then_caught_up() {
    let app = chatroom().spawn().await;
    let (alice, bob) = (user(&app, "alice").await, user(&app, "bob").await);
    let (mut alice_ws, _) = create_room(&app, &alice, "r1", 5, true).await;
    let (mut bob_ws, _) = enter(&app, &bob, "r1").await;
    alice_ws.send_message("seen", "a-0", WAIT).await;
    next_message(&mut bob_ws, 3).await;
    bob_ws.close(WAIT).await;
    for k in 1..=3 {
        alice_ws.send_message("missed", &format!("a-{k}"), WAIT).await;
    }
    let (_bob_ws, opening) = open(re_enter_request(&app, "r1").bearer(&bob.token)).await;
    assert_eq!(seqs(&opening.replay), [4, 5, 6], "D4: exactly the missed events: {:?}", opening.replay);
    assert_eq!(opening.caught_up, json!({"type": "caughtUp", "lastSeq": 6}));
}

#[tokio::test]
async fn w2_since_replays_every_event_after_the_given_seq() {
    let app = chatroom().spawn().await;
    let alice = user(&app, "alice").await;
    let (mut ws, _) = create_room(&app, &alice, "r1", 5, true).await;
    for k in 2..=5 {
        assert_eq!(ws.send_message("hi", &format!("m-{k}"), WAIT).await, k);
    }
    for (since, replayed) in [(0, vec![1, 2, 3, 4, 5]), (3, vec![4, 5]), (5, vec![])] {
        let (_ws, opening) = open_since(&app, &alice, "/room/reEnter", "r1", since).await;
        assert_eq!(seqs(&opening.replay), replayed, "W2: reEnter since={since}");
        assert_eq!(opening.caught_up, json!({"type": "caughtUp", "lastSeq": 5}));
    }
    let (_ws, opening) = open_since(&app, &alice, "/room/enter", "r1", 2).await;
    assert_eq!(seqs(&opening.replay), [3, 4, 5], "W2: enter since=2 for a member");
}

#[tokio::test]
async fn w2_a_newcomer_gets_the_last_history_on_join_events_ending_with_its_own_joined() {
    let app = chatroom().env("CHATROOM__MESSAGES__HISTORY_ON_JOIN", "5").spawn().await;
    let (alice, bob) = (user(&app, "alice").await, user(&app, "bob").await);
    let (mut ws, _) = create_room(&app, &alice, "r1", 5, true).await;
    for k in 2..=9 {
        ws.send_message("before bob", &format!("m-{k}"), WAIT).await;
    }
    let (_bob_ws, opening) = enter(&app, &bob, "r1").await;
    assert_eq!(seqs(&opening.replay), [6, 7, 8, 9, 10], "W2: {:?}", opening.replay);
    assert_eq!((&opening.replay[4]["event"], &opening.replay[4]["userId"]), (&json!("joined"), &json!("bob")));
    assert_eq!(opening.caught_up, json!({"type": "caughtUp", "lastSeq": 10}));
}

#[tokio::test]
async fn d4_w12_a_member_who_missed_more_than_a_queue_full_still_gets_all_of_it_on_return() {
    const MISSED: i64 = 300; // above ws.outbound_queue_frames (256), below messages.replay_limit (1000)
    let app = chatroom().env("CHATROOM__WS__FLOOD_RATE", "1000").env("CHATROOM__WS__FLOOD_BURST", "1000").spawn().await;
    let (alice, bob) = (user(&app, "alice").await, user(&app, "bob").await);
    let (mut alice_ws, _) = create_room(&app, &alice, "r1", 5, true).await;
    let (bob_ws, _) = enter(&app, &bob, "r1").await;
    bob_ws.close(WAIT).await;
    for k in 0..MISSED {
        alice_ws.send_message("while bob is away", &format!("m-{k}"), WAIT).await;
    }
    let mut bob_ws = re_enter_request(&app, "r1").bearer(&bob.token).open().await;
    let mut frames = Vec::new();
    loop {
        match bob_ws.receive(WAIT).await {
            Received::Frame(frame) if frame["type"] == "caughtUp" => break,
            Received::Frame(frame) => frames.push(frame),
            other => panic!("D4: the replay of {MISSED} events ended with {other:?} after {} frames", frames.len()),
        }
    }
    assert_eq!(seqs(&messages(&frames)), (3..3 + MISSED).collect::<Vec<_>>());
}

#[tokio::test]
async fn w10_frames_over_the_burst_get_e1201_and_are_not_stored() {
    let app = chatroom().env("CHATROOM__WS__FLOOD_RATE", "5").env("CHATROOM__WS__FLOOD_BURST", "5").spawn().await;
    let alice = user(&app, "alice").await;
    let (mut ws, _) = create_room(&app, &alice, "r1", 5, true).await;
    for k in 0..10 {
        ws.send_json(&message("fast", &format!("f-{k}"))).await;
    }
    let mut replies = Vec::new();
    while replies.len() < 10 {
        let frame = ws.next_frame(WAIT).await;
        if frame["type"] != "message" {
            replies.push(frame);
        }
    }
    let acked: Vec<&str> =
        replies.iter().filter(|f| f["type"] == "ack").map(|f| f["clientMsgId"].as_str().unwrap()).collect();
    assert!(acked.starts_with(&["f-0", "f-1", "f-2", "f-3", "f-4"]), "W10: the burst passes: {replies:?}");
    let too_fast = json!({"type": "error", "code": 1201, "msg": "发送过快"});
    let refused = replies.iter().filter(|f| **f == too_fast).count();
    assert!(refused >= 1 && acked.len() + refused == 10, "W10: the rest get E1201: {replies:?}");
    let stored: Vec<_> =
        messages(&history(&app, &alice, "r1").await).iter().map(|m| m["clientMsgId"].clone()).collect();
    assert_eq!(stored, acked, "W10: refused frames are not stored");
    // The bucket refills at 5 frames/s: a sender that slows down is served again.
    tokio::time::sleep(Duration::from_millis(400)).await;
    assert_eq!(ws.send_message("slower", "s-1", WAIT).await, 2 + acked.len() as i64);
}

#[tokio::test]
async fn w10_sustained_flooding_closes_the_connection_with_1008() {
    let app = chatroom().env("CHATROOM__WS__FLOOD_RATE", "5").env("CHATROOM__WS__FLOOD_BURST", "5").spawn().await;
    let (alice, bob) = (user(&app, "alice").await, user(&app, "bob").await);
    let (mut alice_ws, _) = create_room(&app, &alice, "r1", 5, true).await;
    let (mut flooder, _) = enter(&app, &bob, "r1").await;
    // 100 frames/s against a limit of 5/s, for 2 s or until the server hangs up.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(2);
    while tokio::time::Instant::now() < deadline && flooder.try_send_text("flood").await {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let (frames, code) = flooder.frames_until_close(WAIT).await;
    assert_eq!(code, Some(1008), "W10: sustained abuse closes with 1008");
    assert!(frames.iter().any(|f| f["type"] == "error" && f["code"] == 1201), "W10: E1201 first: {frames:?}");
    alice_ws.assert_alive(WAIT).await;
}

#[tokio::test]
async fn w12_a_reader_too_slow_for_its_queue_is_closed_with_1013_while_the_others_get_every_message() {
    let SlowReader { sent, received, frames, code, .. } = flood_a_slow_reader().await;
    let first = seq_of(&received[0]);
    assert_eq!(seqs(&received), (first..=first + sent as i64).collect::<Vec<_>>(), "W12: carol got every message");

    assert!(matches!(code, Some(1013) | None), "W12: the slow reader is closed with 1013, got {code:?}");
    let got = seqs(&messages(&frames));
    assert!(got.len() < sent, "W12: the slow reader was cut off, yet got {} of {sent}", got.len());
    assert_eq!(got, (first..first + got.len() as i64).collect::<Vec<_>>(), "W12: a prefix, in order");
}
