//! `SeaOrmMessageStore` against the `MessageStore` contract (R13, D3).

use std::future::poll_fn;
use std::sync::Arc;
use std::task::Poll;

use chatroom_domain::ids::Seq;
use chatroom_domain::timeline::{AppendError, EventKind, MessageStore, NewEvent, RoomEvent, SystemEvent};
use chatroom_infrastructure::persistence::{Database, SeaOrmMessageStore};

use crate::support::{at, contract_tests, given_room, given_users, image, message, message_store, room_key, user_id};

contract_tests!(
    r13_concurrent_appends_get_gapless_seqs,
    r13_appending_to_a_missing_room_is_refused,
    every_event_kind_round_trips,
    d3_a_resent_message_within_the_window_is_stored_once,
    d3_a_client_msg_id_is_free_again_after_the_window,
    history_pages_after_and_before_a_seq_in_ascending_order,
    d1_appends_arriving_together_are_committed_together_and_each_gets_its_own_answer,
    d5_a_stopped_writer_answers_every_queued_append_then_refuses_new_ones,
);

async fn r13_concurrent_appends_get_gapless_seqs(db: Database) {
    const TASKS: i64 = 8;
    const PER_TASK: i64 = 200;
    given_users(&db, &["owner"]).await;
    given_room(&db, "r1", "owner", 10).await;
    let store = Arc::new(message_store(&db));

    let tasks: Vec<_> = (0..TASKS)
        .map(|task| {
            let store = Arc::clone(&store);
            tokio::spawn(async move {
                let mut seqs = Vec::new();
                for i in 0..PER_TASK {
                    let event = message("owner", &format!("{task}/{i}"), None, i);
                    seqs.push(store.append(&room_key("r1"), event, at(0)).await.unwrap().event.seq);
                }
                seqs
            })
        })
        .collect();
    let mut seqs = Vec::new();
    for task in tasks {
        let mine = task.await.unwrap();
        assert!(mine.windows(2).all(|w| w[0] < w[1]), "one writer's seqs increase");
        seqs.extend(mine);
    }

    seqs.sort_unstable();
    // Seq 1 is the owner's `joined`.
    assert_eq!(seqs, (2..=TASKS * PER_TASK + 1).map(Seq::new).collect::<Vec<_>>());
    assert_eq!(store.last_seq(&room_key("r1")).await.unwrap(), Seq::new(TASKS * PER_TASK + 1));
    let stored = store.list_after(&room_key("r1"), Seq::ZERO, 2000).await.unwrap();
    let stored_seqs: Vec<i64> = stored.iter().map(|e| e.seq.get()).collect();
    assert_eq!(stored_seqs, (1..=TASKS * PER_TASK + 1).collect::<Vec<_>>());
}

async fn r13_appending_to_a_missing_room_is_refused(db: Database) {
    let store = message_store(&db);

    let refused = store.append(&room_key("nowhere"), message("ghost", "hi", None, 0), at(0)).await;

    assert!(matches!(refused, Err(AppendError::RoomNotFound)), "{refused:?}");
    assert_eq!(store.last_seq(&room_key("nowhere")).await.unwrap(), Seq::ZERO);
}

async fn every_event_kind_round_trips(db: Database) {
    given_users(&db, &["owner"]).await;
    given_room(&db, "r1", "owner", 10).await;
    let store = message_store(&db);
    let system = |ms, event| NewEvent { at: at(ms), kind: EventKind::System(event) };
    let events = [
        message("owner", "你好, 世界 🎉", Some("c-1"), 1),
        message("owner", "no id", None, 2),
        image("owner", "0123456789abcdef0123456789abcdef", 3),
        system(4, SystemEvent::Joined(user_id("bob"))),
        system(5, SystemEvent::Left(user_id("bob"))),
        system(6, SystemEvent::Kicked(user_id("carol"))),
        system(7, SystemEvent::OwnerChanged(user_id("dave"))),
    ];

    let mut appended = Vec::new();
    for event in events.clone() {
        appended.push(store.append(&room_key("r1"), event, at(0)).await.unwrap());
    }

    let stored = store.list_after(&room_key("r1"), Seq::new(1), 100).await.unwrap();
    assert_eq!(stored.len(), events.len());
    for ((stored, appended), sent) in stored.iter().zip(&appended).zip(&events) {
        assert!(!appended.duplicate);
        assert_eq!(stored, &appended.event);
        assert_eq!((stored.at, &stored.kind), (sent.at, &sent.kind));
    }
}

async fn d3_a_resent_message_within_the_window_is_stored_once(db: Database) {
    given_users(&db, &["alice", "bob"]).await;
    given_room(&db, "r1", "alice", 10).await;
    let store = Arc::new(message_store(&db));
    let first = store.append(&room_key("r1"), message("alice", "hello", Some("m-1"), 10), at(0)).await.unwrap();

    let resent = store.append(&room_key("r1"), message("alice", "hello again", Some("m-1"), 20), at(5)).await.unwrap();
    let other_sender = store.append(&room_key("r1"), message("bob", "hello", Some("m-1"), 30), at(5)).await.unwrap();
    let other_case = store.append(&room_key("r1"), message("alice", "x", Some("M-1"), 40), at(5)).await.unwrap();
    // Racing resends of one new message: exactly one is stored.
    let racers: Vec<_> = (0..6)
        .map(|_| {
            let store = Arc::clone(&store);
            tokio::spawn(async move {
                store.append(&room_key("r1"), message("bob", "race", Some("m-2"), 50), at(0)).await.unwrap()
            })
        })
        .collect();
    let mut fresh = 0;
    for racer in racers {
        fresh += usize::from(!racer.await.unwrap().duplicate);
    }

    assert!(!first.duplicate);
    assert!(resent.duplicate);
    assert_eq!(resent.event, first.event, "the stored message, not the resent text");
    assert!(!other_sender.duplicate && !other_case.duplicate);
    assert_eq!(fresh, 1);
    assert_eq!(store.last_seq(&room_key("r1")).await.unwrap(), Seq::new(5), "joined + 4 stored messages, no gap");
}

async fn d3_a_client_msg_id_is_free_again_after_the_window(db: Database) {
    given_users(&db, &["alice"]).await;
    given_room(&db, "r1", "alice", 10).await;
    let store = message_store(&db);
    let old = store.append(&room_key("r1"), message("alice", "old", Some("m-1"), 10), at(0)).await.unwrap();

    let reused = store.append(&room_key("r1"), message("alice", "new", Some("m-1"), 100), at(11)).await.unwrap();

    assert!(!reused.duplicate);
    assert_eq!(reused.event.seq, old.event.seq.next());
    let history = store.list_after(&room_key("r1"), Seq::new(1), 10).await.unwrap();
    let texts: Vec<_> = history
        .iter()
        .map(|e| match &e.kind {
            EventKind::Message { content, client_msg_id, .. } => {
                (content.as_str().to_owned(), client_msg_id.as_ref().map(|id| id.as_str().to_owned()))
            }
            other => panic!("unexpected {other:?}"),
        })
        .collect();
    assert_eq!(texts, [("old".to_owned(), None), ("new".to_owned(), Some("m-1".to_owned()))]);
}

async fn history_pages_after_and_before_a_seq_in_ascending_order(db: Database) {
    given_users(&db, &["alice"]).await;
    given_room(&db, "r1", "alice", 10).await;
    given_room(&db, "r2", "alice", 10).await;
    let store = message_store(&db);
    for i in 0..9 {
        store.append(&room_key("r1"), message("alice", &format!("m{i}"), None, i), at(0)).await.unwrap();
    }
    let seqs = |events: Vec<RoomEvent>| events.iter().map(|e| e.seq.get()).collect::<Vec<_>>();

    assert_eq!(seqs(store.list_after(&room_key("r1"), Seq::new(3), 4).await.unwrap()), [4, 5, 6, 7]);
    assert_eq!(seqs(store.list_after(&room_key("r1"), Seq::new(10), 4).await.unwrap()), Vec::<i64>::new());
    assert_eq!(seqs(store.list_before(&room_key("r1"), Some(Seq::new(6)), 3).await.unwrap()), [3, 4, 5]);
    assert_eq!(seqs(store.list_before(&room_key("r1"), None, 3).await.unwrap()), [8, 9, 10]);
    assert_eq!(seqs(store.list_before(&room_key("r1"), Some(Seq::new(3)), 10).await.unwrap()), [1, 2]);
    assert_eq!(store.last_seq(&room_key("r1")).await.unwrap(), Seq::new(10));
    assert_eq!(seqs(store.list_after(&room_key("r2"), Seq::ZERO, 10).await.unwrap()), [1], "rooms do not mix");
}

async fn d1_appends_arriving_together_are_committed_together_and_each_gets_its_own_answer(db: Database) {
    given_users(&db, &["alice", "bob"]).await;
    given_room(&db, "r1", "alice", 10).await;
    given_room(&db, "r2", "bob", 10).await;
    let store = Arc::new(message_store(&db));
    // Started together, so the writer finds most of them waiting at once: two
    // rooms, a missing room, and one message sent twice in the same burst.
    let appends: Vec<_> = (0..60)
        .map(|i| {
            let store = Arc::clone(&store);
            tokio::spawn(async move {
                let (room, sender, id) = match i % 4 {
                    0 => ("r1", "alice", None),
                    1 => ("r2", "bob", None),
                    2 => ("nowhere", "alice", None),
                    _ => ("r2", "bob", Some("twice")),
                };
                let text = format!("m{i}");
                (i, text.clone(), store.append(&room_key(room), message(sender, &text, id, i), at(0)).await)
            })
        })
        .collect();

    let (mut fresh_twice, mut per_room) = (0, std::collections::HashMap::<String, Vec<i64>>::new());
    for append in appends {
        let (i, text, answer) = append.await.unwrap();
        if i % 4 == 2 {
            assert!(matches!(answer, Err(AppendError::RoomNotFound)), "{answer:?}");
            continue;
        }
        let appended = answer.unwrap();
        let EventKind::Message { content, .. } = &appended.event.kind else { panic!("{appended:?}") };
        if i % 4 == 3 {
            fresh_twice += usize::from(!appended.duplicate);
            if appended.duplicate {
                continue;
            }
        } else {
            assert_eq!(content.as_str(), text, "each caller gets its own event");
        }
        per_room.entry(appended.event.room_id.as_str().to_owned()).or_default().push(appended.event.seq.get());
    }

    assert_eq!(fresh_twice, 1, "the message sent twice is stored once (D3)");
    for (room, count) in [("r1", 15), ("r2", 16)] {
        let mut seqs = per_room.remove(room).unwrap();
        seqs.sort_unstable();
        // Seq 1 is the owner's `joined`.
        assert_eq!(seqs, (2..=count + 1).collect::<Vec<_>>(), "{room}: gapless (R13)");
        assert_eq!(store.last_seq(&room_key(room)).await.unwrap(), Seq::new(count + 1));
    }
}

async fn d5_a_stopped_writer_answers_every_queued_append_then_refuses_new_ones(db: Database) {
    given_users(&db, &["alice"]).await;
    given_room(&db, "r1", "alice", 10).await;
    let (store, writer) = SeaOrmMessageStore::new(&db);
    let r1 = room_key("r1");
    let mut queued: Vec<_> =
        (0..5).map(|i| store.append(&r1, message("alice", &format!("m{i}"), None, i), at(0))).collect();
    // An append's first poll queues it; no writer runs yet to answer it.
    for append in &mut queued {
        let first_poll = poll_fn(|cx| Poll::Ready(append.as_mut().poll(cx))).await;
        assert!(first_poll.is_pending(), "answered without a writer");
    }

    // Stopped before it even started: it still writes what was queued.
    writer.run(std::future::ready(())).await;

    let mut seqs = Vec::new();
    for append in queued {
        seqs.push(append.await.unwrap().event.seq.get());
    }
    assert_eq!(seqs, [2, 3, 4, 5, 6], "answered in order, after the owner's `joined`");
    let refused = store.append(&r1, message("alice", "too late", None, 9), at(0)).await;
    assert!(matches!(refused, Err(AppendError::Unexpected(_))), "{refused:?}");
    assert_eq!(store.last_seq(&r1).await.unwrap(), Seq::new(6), "nothing written after the stop");
}
