//! A server killed while messages are in flight (D1, D3, R13): what it
//! acknowledged survives the crash, and a client that resends what was not
//! acknowledged, with the same clientMsgIds, ends up with every message stored
//! exactly once under seqs without a gap.

use std::collections::BTreeMap;

use chatroom_tests::ws::{Received, WsClient};
use chatroom_tests::Chatroom;
use serde_json::Value;
use tokio::sync::watch;

use crate::chatroom;
use crate::messaging::{history, message, seq_of, seqs};
use crate::ws::{create_room, re_enter_request, user, WAIT};

/// Messages a client keeps sent but not yet acknowledged.
const IN_FLIGHT: usize = 20;

/// The kill comes once this many messages were acknowledged.
const ACKED_BEFORE_KILL: usize = 100;

/// A bound on the stream, should the kill never come.
const MOST: usize = 900;

/// A server whose flood limit (W10) is out of the way: it is not what this test is about.
fn unlimited(command: Chatroom) -> Chatroom {
    command.env("CHATROOM__WS__FLOOD_RATE", "10000").env("CHATROOM__WS__FLOOD_BURST", "10000")
}

/// The content of message `id`.
fn content(id: &str) -> String {
    format!("message {id}")
}

/// Sends `m-0`, `m-1`, … keeping [`IN_FLIGHT`] unacknowledged, until the
/// connection ends (or [`MOST`] were sent): the ids sent, in order, and the acked
/// seqs by id. `acks` counts the acks as they come.
async fn stream(mut ws: WsClient, acks: watch::Sender<usize>) -> (Vec<String>, BTreeMap<String, i64>) {
    let (mut sent, mut acked) = (Vec::new(), BTreeMap::new());
    loop {
        while sent.len() - acked.len() < IN_FLIGHT && sent.len() < MOST {
            let id = format!("m-{}", sent.len());
            if !ws.try_send_text(&message(&content(&id), &id).to_string()).await {
                return (sent, acked);
            }
            sent.push(id);
        }
        match ws.receive(WAIT).await {
            Received::Frame(frame) if frame["type"] == "ack" => {
                acked.insert(frame["clientMsgId"].as_str().unwrap().to_owned(), seq_of(&frame));
                acks.send_replace(acked.len());
            }
            Received::Frame(_) => {}
            Received::Closed(_) => return (sent, acked),
            Received::Nothing => panic!("no ack within {WAIT:?} with {} sent", sent.len()),
        }
    }
}

#[tokio::test]
async fn d1_d3_after_a_sigkill_every_acked_message_survives_and_resent_ones_are_stored_once_without_a_gap() {
    let mut first = unlimited(chatroom()).spawn().await;
    let alice = user(&first, "alice").await;
    let (ws, _) = create_room(&first, &alice, "r1", 5, true).await;
    let (acks, mut acks_rx) = watch::channel(0);
    let streaming = tokio::spawn(stream(ws, acks));
    // The `Ref` that `wait_for` returns must not outlive this line: it would
    // block the streaming task's next `send_replace`.
    let enough =
        tokio::time::timeout(WAIT, acks_rx.wait_for(|n| *n >= ACKED_BEFORE_KILL)).await.is_ok_and(|r| r.is_ok());
    assert!(enough, "{ACKED_BEFORE_KILL} acks within {WAIT:?}");
    first.signal("KILL").await;
    first.wait_for_exit(WAIT).await;
    let (sent, acked) = streaming.await.unwrap_or_else(|e| std::panic::resume_unwind(e.into_panic()));
    assert!(sent.len() > acked.len(), "the kill came with no message in flight");

    let second = unlimited(chatroom().with_data_dir(first.data_dir())).spawn().await;
    let mut ws = re_enter_request(&second, "r1").bearer(&alice.token).open().await;
    ws.opening(WAIT).await;
    let mut resent = BTreeMap::new();
    for id in sent.iter().filter(|id| !acked.contains_key(*id)) {
        resent.insert(id.clone(), ws.send_message(&content(id), id, WAIT).await);
    }

    let events = history(&second, &alice, "r1").await;
    assert_eq!(seqs(&events), (1..=events.len() as i64).collect::<Vec<_>>(), "R13: seqs without a gap");
    let mut stored: BTreeMap<String, Vec<i64>> = BTreeMap::new();
    for event in events.iter().filter(|event| event["type"] == "message") {
        let id = event["clientMsgId"].as_str().unwrap_or_else(|| panic!("no clientMsgId: {event}"));
        assert_eq!(event["content"], Value::from(content(id)), "{event}");
        stored.entry(id.to_owned()).or_default().push(seq_of(event));
    }
    let once: BTreeMap<String, i64> = stored
        .into_iter()
        .map(|(id, seqs)| {
            assert_eq!(seqs.len(), 1, "D3: {id} is stored once, got seqs {seqs:?}");
            (id, seqs[0])
        })
        .collect();
    for (id, seq) in acked.iter().chain(&resent) {
        assert_eq!(once.get(id), Some(seq), "D1: {id} was acked with seq {seq}");
    }
    assert_eq!(once.len(), sent.len(), "every message sent is stored: {} sent, {} acked", sent.len(), acked.len());
    // The first server's directory holds the data: it goes last.
    drop(second);
    drop(first);
}
