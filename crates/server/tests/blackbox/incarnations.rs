//! S7: a room dissolved and created again under the same roomId is a new room.
//! Nothing of the old one (its frames, events, history, marks) reaches the new
//! room's members, and its seqs start at 1 again.

use reqwest::Method;
use serde_json::Value;

use crate::messaging::history;
use crate::spawn_app;
use crate::ws::{create_room, enter, next_event, notice_of, on_room, user, WAIT};

/// The contents of the `message` frames among `frames`, with their seqs.
fn messages(frames: &[Value]) -> Vec<(i64, String)> {
    frames
        .iter()
        .filter(|frame| frame["type"] == "message")
        .map(|frame| (frame["seq"].as_i64().unwrap(), frame["content"].as_str().unwrap().to_owned()))
        .collect()
}

#[tokio::test]
async fn s7_a_room_created_again_under_a_dissolved_rooms_id_never_shows_the_old_rooms_messages() {
    let app = spawn_app().await;
    let (alice, bob, carol) = (user(&app, "alice").await, user(&app, "bob").await, user(&app, "carol").await);
    let (mut alice_ws, _) = create_room(&app, &alice, "r1", 5, false).await;
    for i in 1..=3 {
        alice_ws.send_message(&format!("SECRET-{i}"), &format!("s-{i}"), WAIT).await;
    }
    assert_eq!(notice_of(on_room(&app, Method::DELETE, "/room/dissolve", &alice, "r1").await).await, "解散成功");
    assert_eq!(alice_ws.expect_close(WAIT).await, 4002);

    let (mut bob_ws, bob_opening) = create_room(&app, &bob, "r1", 5, true).await;
    assert_eq!(bob_opening.welcome["lastSeq"], 1, "S7: the new room's seqs start at 1");
    let (mut carol_ws, carol_opening) = enter(&app, &carol, "r1").await;
    assert!(messages(&carol_opening.replay).is_empty(), "{:?}", carol_opening.replay);
    // Carol's joined (seq 2) reaches Bob live: the seq an old message had.
    let joined = next_event(&mut bob_ws, "joined").await;
    assert_eq!((joined["seq"].as_i64(), joined["userId"].as_str()), (Some(2), Some("carol")), "{joined}");

    for i in 1..=2 {
        bob_ws.send_message(&format!("fresh-{i}"), &format!("f-{i}"), WAIT).await;
    }
    let expected = vec![(3, "fresh-1".to_owned()), (4, "fresh-2".to_owned())];
    for client in [&mut carol_ws, &mut bob_ws] {
        let mut received = Vec::new();
        while received.len() < 2 {
            received.push(client.next_matching("a message", |frame| frame["type"] == "message", WAIT).await);
        }
        assert_eq!(messages(&received), expected);
    }
    assert_eq!(messages(&history(&app, &carol, "r1").await), expected, "S7: the history is the new room's");
}
