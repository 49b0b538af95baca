//! The WebSocket routes of SPEC §6 (`/room/create`, `/room/enter`, `/room/reEnter`):
//! their refusals before the upgrade (§5; nothing is created or joined), the
//! opening of a session (W1, W2), presence and several devices (W5, W13), pings
//! (W8, W11) and the close codes that end a session from outside the room (W14:
//! logout, password reset, frame size, shutdown).

use std::time::Duration;

use chatroom_tests::ws::WsRequest;
use reqwest::header::AUTHORIZATION;
use reqwest::Method;
use serde_json::{json, Value};

use crate::accounts::{
    answer, assert_success, call, forget_pwd, login, rfc3339_unix_seconds, token_of, update_pwd, Account,
};
use crate::ws::{
    assert_http_refused, assert_presence, assert_refusal, assert_refused_with, assert_system, create_request,
    create_room, enter, enter_request, member_ids, next_event, next_presence_of, open, re_enter_request, retrieved_ids,
    room_name, update, user, WAIT,
};
use crate::{chatroom, spawn_app};

/// The seqs of `frames`.
fn seqs(frames: &[Value]) -> Vec<i64> {
    frames.iter().map(|frame| frame["seq"].as_i64().unwrap_or_else(|| panic!("no seq in {frame}"))).collect()
}

/// The `online` list of a welcome, sorted.
fn online(welcome: &Value) -> Vec<String> {
    let mut ids: Vec<String> = serde_json::from_value(welcome["online"].clone()).expect("W1: online is a list of ids");
    ids.sort();
    ids
}

#[tokio::test]
async fn r3_create_opens_a_session_whose_welcome_names_the_room_with_the_creator_as_owner() {
    let app = spawn_app().await;
    let alice = user(&app, "alice").await;
    let before = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs() as i64;
    let (_alice_ws, opening) = create_room(&app, &alice, "r1", 5, true).await;

    let welcome = &opening.welcome;
    let room = &welcome["room"];
    let created_at = rfc3339_unix_seconds(room["CreatedAt"].as_str().unwrap_or_else(|| panic!("CreatedAt: {room}")));
    assert!((before - 5..=before + 60).contains(&created_at), "CreatedAt is now: {room}");
    let mut without_time = room.clone();
    without_time.as_object_mut().unwrap().remove("CreatedAt");
    let expected =
        json!({"RoomId": "r1", "RoomName": room_name("r1"), "RoomCap": 5, "RoomAccess": true, "RoomOwner": "alice"});
    assert_eq!(without_time, expected, "W1: the room in the seed's shape");
    assert_eq!(welcome["you"], json!({"userId": "alice", "userName": alice.account.name}));
    assert_eq!(online(welcome), ["alice"], "W1: {welcome}");
    assert_eq!(welcome["lastSeq"], 1, "W1: {welcome}");
    // W2: the creator's history is its own joined event, seq 1.
    assert_eq!(opening.replay.len(), 1, "{:?}", opening.replay);
    assert_eq!(assert_system(&opening.replay[0], "r1", "joined", "alice"), 1);
    assert_eq!(opening.caught_up, json!({"type": "caughtUp", "lastSeq": 1}));
}

#[tokio::test]
async fn r4_create_takes_the_seed_forms_of_room_access_and_capacity() {
    let app = spawn_app().await;
    let alice = user(&app, "alice").await;
    for (id, access, public) in [("r0", "0", false), ("r1", "1", true), ("rf", "false", false)] {
        let request = create_request(&app, id, &room_name(id), "33", access).bearer(&alice.token);
        let (_ws, opening) = open(request).await;
        let room = &opening.welcome["room"];
        assert_eq!((&room["RoomAccess"], &room["RoomCap"]), (&json!(public), &json!(33)), "roomAccess={access}");
    }
}

#[tokio::test]
async fn w2_a_newcomer_gets_the_history_ending_with_its_own_joined_event_then_caught_up() {
    let app = spawn_app().await;
    let (alice, bob) = (user(&app, "alice").await, user(&app, "bob").await);
    let (_alice_ws, _) = create_room(&app, &alice, "r1", 5, true).await;
    let (mut bob_ws, opening) = enter(&app, &bob, "r1").await;

    assert_eq!(opening.welcome["you"], json!({"userId": "bob", "userName": bob.account.name}));
    assert_eq!(opening.welcome["room"]["RoomOwner"], "alice");
    assert_eq!(opening.welcome["lastSeq"], 2, "{}", opening.welcome);
    assert_eq!(online(&opening.welcome), ["alice", "bob"]);
    assert_eq!(seqs(&opening.replay), [1, 2], "{:?}", opening.replay);
    assert_system(&opening.replay[0], "r1", "joined", "alice");
    assert_system(&opening.replay[1], "r1", "joined", "bob");
    assert_eq!(opening.caught_up, json!({"type": "caughtUp", "lastSeq": 2}));
    // D2: what the replay delivered does not come again live.
    bob_ws.assert_alive(WAIT).await;
    let replayed = |frame: &Value| frame["seq"].as_i64().is_some_and(|seq| seq <= 2);
    bob_ws.expect_none_matching("a replayed event again", replayed, Duration::ZERO).await;
}

#[tokio::test]
async fn w5_members_see_a_newcomer_join_and_come_online() {
    let app = spawn_app().await;
    let (alice, bob) = (user(&app, "alice").await, user(&app, "bob").await);
    let (mut alice_ws, _) = create_room(&app, &alice, "r1", 5, true).await;
    let _bob = enter(&app, &bob, "r1").await;
    assert_eq!(assert_system(&next_event(&mut alice_ws, "joined").await, "r1", "joined", "bob"), 2);
    assert_presence(&next_presence_of(&mut alice_ws, "bob").await, "r1", "online", "bob");
}

/// Presence frames about `user`.
fn presence_of(user: &'static str) -> impl Fn(&Value) -> bool {
    move |frame| frame["type"] == "presence" && frame["userId"] == user
}

#[tokio::test]
async fn w13_every_connection_gets_every_event_and_presence_follows_the_first_and_last_connection() {
    let app = spawn_app().await;
    let (alice, bob, carol) = (user(&app, "alice").await, user(&app, "bob").await, user(&app, "carol").await);
    let (mut alice_1, _) = create_room(&app, &alice, "r1", 5, true).await;
    let (mut alice_2, _) = enter(&app, &alice, "r1").await;
    let (bob_1, _) = enter(&app, &bob, "r1").await;
    assert_system(&next_event(&mut alice_1, "joined").await, "r1", "joined", "bob");
    assert_presence(&next_presence_of(&mut alice_1, "bob").await, "r1", "online", "bob");

    // Bob's second device: no second presence before carol's arrival.
    let (mut bob_2, _) = enter(&app, &bob, "r1").await;
    let _carol_ws = enter(&app, &carol, "r1").await;
    assert_system(&next_event(&mut alice_1, "joined").await, "r1", "joined", "carol");
    assert_presence(&next_presence_of(&mut alice_1, "carol").await, "r1", "online", "carol");
    alice_1.expect_none_matching("second presence of bob", presence_of("bob"), Duration::ZERO).await;
    assert_system(&next_event(&mut bob_2, "joined").await, "r1", "joined", "carol");

    // Bob closes one device: still online. The update marks the moment.
    bob_1.close(WAIT).await;
    assert_success(update(&app, &alice, "r1", json!({"roomCap": 9})).await, "修改成功").await;
    for ws in [&mut alice_1, &mut bob_2] {
        assert_eq!(next_event(ws, "roomUpdated").await["room"]["RoomCap"], 9);
    }
    alice_1.expect_none_matching("bob offline while a device is open", presence_of("bob"), Duration::ZERO).await;

    bob_2.close(WAIT).await;
    assert_presence(&next_presence_of(&mut alice_1, "bob").await, "r1", "offline", "bob");
    // Alice's other device got all of it too; events in seq order, the update
    // before bob's offline.
    let mut frames = Vec::new();
    for _ in 0..6 {
        let frame = alice_2.next_matching("a frame", |frame| !presence_of("alice")(frame), WAIT).await;
        // The userId of roomUpdated is optional (W5): left out.
        let who = if frame["event"] == "roomUpdated" { Value::Null } else { frame["userId"].clone() };
        frames.push(format!("{} {} {who}", frame["type"], frame["event"]).replace('"', ""));
    }
    let position = |text: &str| frames.iter().position(|frame| frame == text);
    assert!(position("system joined bob") < position("system joined carol"), "{frames:?}");
    assert!(position("system roomUpdated null") < position("presence offline bob"), "{frames:?}");
    frames.sort();
    let expected = [
        "presence offline bob",
        "presence online bob",
        "presence online carol",
        "system joined bob",
        "system joined carol",
        "system roomUpdated null",
    ];
    assert_eq!(frames, expected);
}

#[tokio::test]
async fn r4_enter_names_the_room_by_id_or_by_name_and_e1001_naming_both_when_they_disagree() {
    let app = spawn_app().await;
    let (alice, bob, carol) = (user(&app, "alice").await, user(&app, "bob").await, user(&app, "carol").await);
    let _r1 = create_room(&app, &alice, "r1", 5, true).await;
    let _r2 = create_room(&app, &alice, "r2", 5, true).await;
    let by_name = WsRequest::new(app.address, "/room/enter", &[("roomName", &room_name("r1"))]);
    let (_bob_ws, opening) = open(by_name.bearer(&bob.token)).await;
    assert_eq!(opening.welcome["room"]["RoomId"], "r1");
    let both_agree = [("roomId", "r1"), ("roomName", &room_name("r1"))];
    let _bob_again = open(WsRequest::new(app.address, "/room/enter", &both_agree).bearer(&bob.token)).await;

    let disagree = [("roomId", "r1"), ("roomName", &room_name("r2"))];
    let refusal = WsRequest::new(app.address, "/room/enter", &disagree).bearer(&carol.token).refused().await;
    assert_eq!((refusal.status, &refusal.err()["Code"]), (400, &json!(1001)), "{:?}", refusal);
    assert_eq!(refusal.err()["Notice"], "roomName和roomId指向不同的房间", "SPEC §4: E1001 names both fields");
    let refusal = WsRequest::new(app.address, "/room/enter", &[]).bearer(&carol.token).refused().await;
    assert_eq!((refusal.status, &refusal.err()["Code"]), (400, &json!(1001)), "{:?}", refusal);
    assert_eq!(member_ids(&app, &alice.token, "r1").await, ["alice", "bob"]);
    assert_eq!(member_ids(&app, &alice.token, "r2").await, ["alice"]);
}

#[tokio::test]
async fn e2001_entering_or_re_entering_an_unknown_room_is_refused_with_404() {
    let app = spawn_app().await;
    let bob = user(&app, "bob").await;
    for request in [enter_request(&app, "nowhere"), re_enter_request(&app, "nowhere")] {
        assert_refused_with(&request.bearer(&bob.token).refused().await, 404, 2001, "房间不存在");
    }
}

#[tokio::test]
async fn e2003_re_enter_is_for_members_only_and_joins_nothing() {
    let app = spawn_app().await;
    let (alice, bob) = (user(&app, "alice").await, user(&app, "bob").await);
    let _r1 = create_room(&app, &alice, "r1", 5, true).await;
    let refusal = re_enter_request(&app, "r1").bearer(&bob.token).refused().await;
    assert_refused_with(&refusal, 404, 2003, "用户不在房间内");
    assert_eq!(member_ids(&app, &alice.token, "r1").await, ["alice"]);
}

#[tokio::test]
async fn r12_login_lists_the_users_rooms_and_re_enter_reconnects_with_the_new_token() {
    let app = spawn_app().await;
    let (alice, bob) = (user(&app, "alice").await, user(&app, "bob").await);
    let (_alice_ws, created) = create_room(&app, &alice, "r1", 5, true).await;
    drop(enter(&app, &bob, "r1").await);

    let (status, _, err) = answer(login(&app, &bob.account.id, &bob.account.pwd).await).await;
    assert_eq!(status, 200, "{err}");
    assert_eq!(err["Notice"]["rooms"], json!([created.welcome["room"]]), "R12: login lists bob's rooms");
    let token = err["Msg"]["token"].as_str().unwrap();
    let (_bob_ws, opening) = open(re_enter_request(&app, "r1").bearer(token)).await;
    assert_eq!(opening.welcome["lastSeq"], 2);
    assert_eq!(opening.caught_up, json!({"type": "caughtUp", "lastSeq": 2}));
}

#[tokio::test]
async fn w2_re_enter_with_since_replays_exactly_the_events_after_it() {
    let app = spawn_app().await;
    let (alice, bob, carol) = (user(&app, "alice").await, user(&app, "bob").await, user(&app, "carol").await);
    drop(create_room(&app, &alice, "r1", 5, true).await);
    drop(enter(&app, &bob, "r1").await);
    drop(enter(&app, &carol, "r1").await);
    let since_1 = WsRequest::new(app.address, "/room/reEnter", &[("roomId", "r1"), ("since", "1")]);
    let (_ws, opening) = open(since_1.bearer(&alice.token)).await;
    assert_eq!(seqs(&opening.replay), [2, 3], "{:?}", opening.replay);
    assert_system(&opening.replay[0], "r1", "joined", "bob");
    assert_system(&opening.replay[1], "r1", "joined", "carol");
    assert_eq!(opening.caught_up, json!({"type": "caughtUp", "lastSeq": 3}));
    let since_3 = WsRequest::new(app.address, "/room/reEnter", &[("roomId", "r1"), ("since", "3")]);
    let (_ws, opening) = open(since_3.bearer(&alice.token)).await;
    assert!(opening.replay.is_empty(), "W2: nothing after 3: {:?}", opening.replay);
    assert_eq!(opening.caught_up, json!({"type": "caughtUp", "lastSeq": 3}), "W2: caughtUp is always sent");
}

#[tokio::test]
async fn the_token_may_come_as_bearer_as_a_bare_header_or_as_the_token_query_parameter() {
    let app = spawn_app().await;
    let (alice, bob, carol) = (user(&app, "alice").await, user(&app, "bob").await, user(&app, "carol").await);
    let _alice_ws = create_room(&app, &alice, "r1", 5, true).await;
    let (_bob_ws, bob_opening) = open(enter_request(&app, "r1").bare(&bob.token)).await;
    let (_carol_ws, carol_opening) = open(enter_request(&app, "r1").query_token(&carol.token)).await;
    assert_eq!(bob_opening.welcome["you"]["userId"], "bob");
    assert_eq!(carol_opening.welcome["you"]["userId"], "carol");
}

#[tokio::test]
async fn e1002_the_websocket_routes_refuse_a_missing_or_invalid_token_and_create_nothing() {
    let app = spawn_app().await;
    let alice = user(&app, "alice").await;
    let routes = || {
        [
            create_request(&app, "r1", &room_name("r1"), "5", "true"),
            enter_request(&app, "r1"),
            re_enter_request(&app, "r1"),
        ]
    };
    for request in routes() {
        assert_refusal(&request.refused().await, 401, 1002, "请求头中的token为空", "登录失败");
    }
    for request in routes() {
        assert_refusal(&request.bearer("not-a-token").refused().await, 401, 1002, "无效的token", "登录失败");
    }
    for request in routes() {
        assert_refusal(&request.query_token("not-a-token").refused().await, 401, 1002, "无效的token", "登录失败");
    }
    assert!(retrieved_ids(&app, &alice.token, "").await.is_empty());
}

#[tokio::test]
async fn e1001_create_needs_all_four_parameters_and_names_the_missing_one() {
    let app = spawn_app().await;
    let alice = user(&app, "alice").await;
    let name = room_name("r1");
    let all = [("roomId", "r1"), ("roomName", name.as_str()), ("roomCap", "5"), ("roomAccess", "true")];
    let mut answers = Vec::new();
    for missing in ["roomId", "roomName", "roomCap", "roomAccess"] {
        let params: Vec<(&str, &str)> = all.iter().copied().filter(|(key, _)| *key != missing).collect();
        let refusal = WsRequest::new(app.address, "/room/create", &params).bearer(&alice.token).refused().await;
        answers.push((missing, refusal.status, refusal.body));
    }
    let expected: Vec<_> = ["roomId", "roomName", "roomCap", "roomAccess"]
        .map(|field| {
            (field, 400, json!({"err": {"Code": 1001, "Msg": "输入参数无效", "Notice": format!("{field}不能为空")}}))
        })
        .into();
    assert_eq!(answers, expected);
    assert!(retrieved_ids(&app, &alice.token, "").await.is_empty());
}

#[tokio::test]
async fn e1001_create_refuses_an_invalid_id_capacity_or_access_naming_the_field() {
    let app = spawn_app().await;
    let alice = user(&app, "alice").await;
    let name = room_name("r1");
    let cases = [
        ("bad id", name.as_str(), "5", "true", "roomId"),
        ("r1", "   ", "5", "true", "roomName"),
        ("r1", name.as_str(), "0", "true", "roomCap"),
        ("r1", name.as_str(), "501", "true", "roomCap"),
        ("r1", name.as_str(), "many", "true", "roomCap"),
        ("r1", name.as_str(), "5", "maybe", "roomAccess"),
    ];
    for (id, name, cap, access, field) in cases {
        let refusal = create_request(&app, id, name, cap, access).bearer(&alice.token).refused().await;
        let notice = refusal.err()["Notice"].as_str().unwrap_or_default().to_owned();
        assert_eq!((refusal.status, &refusal.err()["Code"]), (400, &json!(1001)), "{field}: {:?}", refusal);
        assert!(notice.contains(field), "the Notice names {field}: {notice}");
    }
    assert!(retrieved_ids(&app, &alice.token, "").await.is_empty());
}

#[tokio::test]
async fn e2007_create_with_a_taken_id_or_a_name_differing_only_in_case_is_refused() {
    let app = spawn_app().await;
    let (alice, bob) = (user(&app, "alice").await, user(&app, "bob").await);
    let _alice_ws = open(create_request(&app, "r1", "Go-Room", "5", "true").bearer(&alice.token)).await;
    for (id, name) in [("r1", "another"), ("r2", "go-room"), ("r3", "GO-ROOM")] {
        let refusal = create_request(&app, id, name, "5", "true").bearer(&bob.token).refused().await;
        assert_refusal(&refusal, 409, 2007, "房间已存在", "房间Id或房间名已存在");
    }
    assert_eq!(retrieved_ids(&app, &alice.token, "").await, ["r1"]);
    assert_eq!(member_ids(&app, &alice.token, "r1").await, ["alice"]);
}

#[tokio::test]
async fn e1303_a_plain_get_of_a_websocket_route_answers_426_and_creates_or_joins_nothing() {
    let app = spawn_app().await;
    let (alice, bob) = (user(&app, "alice").await, user(&app, "bob").await);
    let plain_get = |path: &str, params: &[(&str, &str)], token: &str| {
        let request = app.client.get(app.url(path)).query(params);
        request.header(AUTHORIZATION, format!("Bearer {token}")).send()
    };
    let create = [("roomId", "r1"), ("roomName", "plain"), ("roomCap", "5"), ("roomAccess", "true")];
    let response = plain_get("/room/create", &create, &alice.token).await.unwrap();
    assert_http_refused(response, 426, 1303, "需要WebSocket连接").await;
    assert!(retrieved_ids(&app, &alice.token, "").await.is_empty(), "E1303: nothing is created");

    let _alice_ws = create_room(&app, &alice, "r1", 5, true).await;
    for path in ["/room/enter", "/room/reEnter"] {
        let response = plain_get(path, &[("roomId", "r1")], &bob.token).await.unwrap();
        assert_http_refused(response, 426, 1303, "需要WebSocket连接").await;
    }
    assert_eq!(member_ids(&app, &alice.token, "r1").await, ["alice"], "E1303: nobody joins");
}

#[tokio::test]
async fn s5_with_allowed_origins_an_upgrade_from_a_foreign_origin_is_refused() {
    let config = "[http]\nallowed_origins = [\"https://chat.example.com\"]\n";
    let app = chatroom().file("chatroom.toml", config).spawn().await;
    let alice = user(&app, "alice").await;
    let foreign = create_request(&app, "r1", &room_name("r1"), "5", "true").header("origin", "https://evil.example");
    let refusal = foreign.bearer(&alice.token).refused().await;
    // The catalogue has no closer entry than E1001; its Notice names the Origin.
    assert_eq!(refusal.status, 400, "S5: {refusal:?}");
    assert_eq!(refusal.err()["Code"], 1001, "{refusal:?}");
    assert_eq!(refusal.err()["Notice"], "不允许来自该Origin的WebSocket连接", "{refusal:?}");
    assert!(retrieved_ids(&app, &alice.token, "").await.is_empty());

    let allowed =
        create_request(&app, "r1", &room_name("r1"), "5", "true").header("origin", "https://chat.example.com");
    let _alice_ws = open(allowed.bearer(&alice.token)).await;
    let _alice_again = open(enter_request(&app, "r1").bearer(&alice.token)).await;
}

#[tokio::test]
async fn s5_without_allowed_origins_any_origin_may_upgrade() {
    let app = spawn_app().await;
    let alice = user(&app, "alice").await;
    let request = create_request(&app, "r1", &room_name("r1"), "5", "true").header("origin", "https://evil.example");
    let _alice_ws = open(request.bearer(&alice.token)).await;
}

#[tokio::test]
async fn w8_a_ping_frame_gets_a_pong() {
    let app = spawn_app().await;
    let alice = user(&app, "alice").await;
    let (mut ws, _) = create_room(&app, &alice, "r1", 5, true).await;
    ws.send_json(&json!({"type": "ping"})).await;
    assert_eq!(ws.next_of_type("pong", WAIT).await, json!({"type": "pong"}));
}

#[tokio::test]
async fn w14_a_frame_over_16_kib_closes_the_connection_with_1009() {
    let app = spawn_app().await;
    let alice = user(&app, "alice").await;
    let (mut ws, _) = create_room(&app, &alice, "r1", 5, true).await;
    ws.send_text(&"a".repeat(16 * 1024 + 1)).await;
    assert_eq!(ws.expect_close(WAIT).await, 1009);
}

#[tokio::test]
async fn w14_a_server_shutting_down_closes_connections_with_1001() {
    let mut app = spawn_app().await;
    let alice = user(&app, "alice").await;
    let (mut ws, _) = create_room(&app, &alice, "r1", 5, true).await;
    app.signal("TERM").await;
    assert_eq!(ws.expect_close(WAIT).await, 1001);
    assert!(app.wait_for_exit(Duration::from_secs(20)).await.success());
}

#[tokio::test]
async fn r11_w14_logout_closes_that_sessions_connections_with_4003_and_spares_the_other_session() {
    let app = spawn_app().await;
    let alice = user(&app, "alice").await;
    let other_session = token_of(&app, &alice.account).await;
    let (mut first, _) = create_room(&app, &alice, "r1", 5, true).await;
    let (mut second, _) = open(enter_request(&app, "r1").bearer(&other_session)).await;
    assert_success(call(&app, Method::DELETE, "/user/exit", Some(&alice.token), None).await, "退出系统成功").await;
    assert_eq!(first.expect_close(WAIT).await, 4003);
    second.assert_alive(WAIT).await;
    let refusal = re_enter_request(&app, "r1").bearer(&alice.token).refused().await;
    assert_refusal(&refusal, 401, 1002, "无效的token", "登录失败");
}

#[tokio::test]
async fn r11_w14_a_password_reset_closes_every_connection_of_the_user_with_4003() {
    let app = chatroom().env("CHATROOM__MAIL__TRANSPORT", "response").spawn().await;
    let (alice, bob) = (user(&app, "alice").await, user(&app, "bob").await);
    let other_session = token_of(&app, &alice.account).await;
    let (mut first, _) = create_room(&app, &alice, "r1", 5, true).await;
    let (mut second, _) = open(enter_request(&app, "r1").bearer(&other_session)).await;
    let (mut bob_ws, _) = enter(&app, &bob, "r1").await;

    let (_, _, err) = answer(forget_pwd(&app, &alice.account.email).await).await;
    let code = err["Notice"]["验证码"].as_str().unwrap_or_else(|| panic!("no 验证码 in {err}")).to_owned();
    let new_pwd = "a-brand-new-password";
    assert_success(update_pwd(&app, &alice.account.email, new_pwd, &code).await, "修改成功").await;
    assert_eq!(first.expect_close(WAIT).await, 4003);
    assert_eq!(second.expect_close(WAIT).await, 4003);
    bob_ws.assert_alive(WAIT).await;
    token_of(&app, &Account { pwd: new_pwd.into(), ..alice.account }).await;
}

#[tokio::test]
async fn w11_the_server_pings_and_a_client_that_answers_stays_connected_past_the_idle_timeout() {
    let app =
        chatroom().env("CHATROOM__WS__PING_INTERVAL", "200ms").env("CHATROOM__WS__IDLE_TIMEOUT", "1s").spawn().await;
    let alice = user(&app, "alice").await;
    let (mut ws, _) = create_room(&app, &alice, "r1", 5, true).await;
    // Reading answers the pings (tungstenite does), and nothing else is sent.
    let not_presence = |frame: &Value| frame["type"] != "presence";
    ws.expect_none_matching("frame but presence", not_presence, Duration::from_millis(2500)).await;
    assert!(ws.pings() >= 3, "W11: pings every 200 ms, saw {}", ws.pings());
    ws.assert_alive(WAIT).await;
}

#[tokio::test]
async fn w11_a_client_that_stays_silent_is_closed_after_the_idle_timeout() {
    let app =
        chatroom().env("CHATROOM__WS__PING_INTERVAL", "200ms").env("CHATROOM__WS__IDLE_TIMEOUT", "1s").spawn().await;
    let alice = user(&app, "alice").await;
    let (mut ws, _) = create_room(&app, &alice, "r1", 5, true).await;
    // A client that does not read answers no ping: silence is what is tested here.
    tokio::time::sleep(Duration::from_millis(2500)).await;
    // W11 names no close code for this (the server sends 1000): any close frame,
    // or the end of the connection, will do.
    ws.frames_until_close(WAIT).await;
}
