//! The HTTP room operations of SPEC §6 and what they do to live connections:
//! search (S5's literal `%` and `_`, pages), member lists (R9), updates (R2, R5,
//! R7), ownership (R5, R6, R8), kicks (R6, R10, R14), dissolution (W7) and leaving
//! (R8, R10), each with the close code of W14.

use reqwest::Method;
use serde_json::{json, Value};

use crate::accounts::{answer, assert_success};
use crate::ws::{
    assert_http, assert_http_refused, assert_presence, assert_refusal, assert_refused_with, assert_system,
    create_request, create_room, enter, enter_request, ids, login_rooms, member_ids, members, next_event,
    next_presence_of, notice_of, on_member, on_room, open, re_enter_request, retrieve, retrieved_ids, room_call,
    room_call_json, room_name, update, user, User, WAIT,
};
use crate::{chatroom, spawn_app};

const NOT_OWNER: (&str, &str) = ("不是房主无权限", "你不是房主无权限");

#[tokio::test]
async fn retrieve_lists_rooms_newest_first_in_the_seed_shape_matching_names_case_insensitively() {
    let app = spawn_app().await;
    let alice = user(&app, "alice").await;
    // Created r3, r2, r1: newest first and "ties by RoomId" give the same order.
    let mut created = Vec::new();
    for (id, name) in [("r3", "Go Lang"), ("r2", "rust"), ("r1", "golf")] {
        let (_ws, opening) = open(create_request(&app, id, name, "5", "true").bearer(&alice.token)).await;
        created.insert(0, opening.welcome["room"].clone());
    }
    assert_eq!(
        retrieve(&app, &alice.token, &[("roomName", "")]).await,
        created,
        "the rooms as the welcome showed them"
    );
    assert_eq!(retrieve(&app, &alice.token, &[]).await, created, "no roomName: every room");
    assert_eq!(retrieved_ids(&app, &alice.token, "GO").await, ["r1", "r3"]);
    let response = room_call(&app, Method::GET, "/room/retrieve", &[("roomName", "nothing")], &alice.token).await;
    assert_eq!(notice_of(response).await, json!({"rooms": []}), "none found: []");
}

#[tokio::test]
async fn s5_retrieve_matches_percent_and_underscore_literally() {
    let app = spawn_app().await;
    let alice = user(&app, "alice").await;
    for (id, name) in [("p1", "a%b"), ("p2", "a_b"), ("p3", "axb")] {
        drop(open(create_request(&app, id, name, "5", "true").bearer(&alice.token)).await);
    }
    for (search, found) in [("a%b", "p1"), ("a_b", "p2"), ("%", "p1"), ("_", "p2"), ("x", "p3")] {
        assert_eq!(retrieved_ids(&app, &alice.token, search).await, [found], "searching {search:?}");
    }
}

#[tokio::test]
async fn retrieve_pages_with_limit_and_offset_and_e1001_names_a_bad_one() {
    let app = spawn_app().await;
    let alice = user(&app, "alice").await;
    for id in ["r5", "r4", "r3", "r2", "r1"] {
        drop(create_room(&app, &alice, id, 5, true).await);
    }
    let page = |limit: &'static str, offset: &'static str| {
        let alice = &alice.token;
        let app = &app;
        async move { ids(&retrieve(app, alice, &[("limit", limit), ("offset", offset)]).await, "RoomId") }
    };
    assert_eq!(page("2", "0").await, ["r1", "r2"]);
    assert_eq!(page("2", "2").await, ["r3", "r4"]);
    assert_eq!(page("2", "4").await, ["r5"]);
    assert!(page("2", "5").await.is_empty());
    for (field, value) in [("limit", "0"), ("limit", "201"), ("limit", "x"), ("offset", "-1")] {
        let response = room_call(&app, Method::GET, "/room/retrieve", &[(field, value)], &alice.token).await;
        let (status, _, err) = answer(response).await;
        assert_eq!((status, &err["Code"]), (400, &json!(1001)), "{field}={value}: {err}");
        assert!(err["Notice"].as_str().is_some_and(|notice| notice.contains(field)), "names {field}: {err}");
    }
}

#[tokio::test]
async fn retrieve_user_lists_members_in_join_order_with_online_and_owner_flags() {
    let app = spawn_app().await;
    let (alice, bob, carol) = (user(&app, "alice").await, user(&app, "bob").await, user(&app, "carol").await);
    let (mut alice_ws, _) = create_room(&app, &alice, "r1", 5, true).await;
    let _bob_ws = enter(&app, &bob, "r1").await;
    let (carol_ws, _) = enter(&app, &carol, "r1").await;
    carol_ws.close(WAIT).await;
    assert_presence(&next_presence_of(&mut alice_ws, "carol").await, "r1", "online", "carol");
    assert_presence(&next_presence_of(&mut alice_ws, "carol").await, "r1", "offline", "carol");
    let member = |user: &User, online: bool, owner: bool| {
        let name = &user.account.name;
        json!({"UserId": user.id(), "UserName": name, "Online": online, "IsOwner": owner})
    };
    let expected = [member(&alice, true, true), member(&bob, true, false), member(&carol, false, false)];
    assert_eq!(members(&app, &bob.token, "r1").await, expected);
    let name = room_name("r1");
    let by_name = room_call(&app, Method::GET, "/room/retrieveUser", &[("roomName", &name)], &carol.token).await;
    let notice = notice_of(by_name).await;
    assert_eq!(notice, json!({"clients": expected}));
}

#[tokio::test]
async fn e2004_a_non_member_cannot_list_the_members() {
    let app = spawn_app().await;
    let (alice, dave) = (user(&app, "alice").await, user(&app, "dave").await);
    let _alice_ws = create_room(&app, &alice, "r1", 5, true).await;
    let response = on_room(&app, Method::GET, "/room/retrieveUser", &dave, "r1").await;
    assert_http(response, 403, 2004, "用户不在房间内", "用户不在房间内，无权限查找").await;
}

#[tokio::test]
async fn e2001_every_operation_on_an_unknown_room_answers_404() {
    let app = spawn_app().await;
    let (alice, bob) = (user(&app, "alice").await, user(&app, "bob").await);
    let calls = [
        (Method::GET, "/room/retrieveUser"),
        (Method::PUT, "/room/transferOwner"),
        (Method::DELETE, "/room/kickOutUser"),
        (Method::DELETE, "/room/dissolve"),
        (Method::DELETE, "/room/exit"),
    ];
    for (method, path) in calls {
        let params = [("roomName", "nowhere"), ("userId", bob.id())];
        assert_http_refused(room_call(&app, method, path, &params, &alice.token).await, 404, 2001, "房间不存在").await;
    }
    assert_http_refused(update(&app, &alice, "nowhere", json!({"roomCap": 3})).await, 404, 2001, "房间不存在").await;
}

#[tokio::test]
async fn update_changes_name_capacity_and_access_and_every_live_member_gets_room_updated() {
    let app = spawn_app().await;
    let (alice, bob) = (user(&app, "alice").await, user(&app, "bob").await);
    let (mut alice_ws, opening) = create_room(&app, &alice, "r1", 5, true).await;
    let (mut bob_ws, _) = enter(&app, &bob, "r1").await;
    let body = json!({"roomName": "新名字", "roomCap": "33", "roomAccess": false});
    let name = room_name("r1");
    let response = room_call_json(&app, Method::PUT, "/room/update", &[("roomName", &name)], &alice.token, &body).await;
    assert_success(response, "修改成功").await;

    let mut expected = opening.welcome["room"].clone();
    expected["RoomName"] = json!("新名字");
    expected["RoomCap"] = json!(33);
    expected["RoomAccess"] = json!(false);
    for ws in [&mut alice_ws, &mut bob_ws] {
        let event = next_event(ws, "roomUpdated").await;
        assert_eq!((&event["seq"], &event["room"]), (&json!(3), &expected), "{event}");
    }
    assert_eq!(retrieve(&app, &bob.token, &[("roomName", "新名字")]).await, [expected]);
    assert!(retrieved_ids(&app, &bob.token, &room_name("r1")).await.is_empty());
    // The seed's clients send forms.
    let form = app.client.put(app.url("/room/update")).query(&[("roomId", "r1")]).form(&[("roomCap", "40")]);
    assert_success(form.bearer_auth(&alice.token).send().await.unwrap(), "修改成功").await;
    assert_eq!(retrieve(&app, &bob.token, &[("roomName", "新名字")]).await[0]["RoomCap"], 40);
}

#[tokio::test]
async fn e1001_an_update_without_any_field_is_refused() {
    let app = spawn_app().await;
    let alice = user(&app, "alice").await;
    let _alice_ws = create_room(&app, &alice, "r1", 5, true).await;
    let (status, _, err) = answer(update(&app, &alice, "r1", json!({})).await).await;
    assert_eq!((status, &err["Code"], &err["Msg"]), (400, &json!(1001), &json!("输入参数无效")), "{err}");
}

#[tokio::test]
async fn e2002_only_the_owner_may_update_transfer_kick_or_dissolve_and_nothing_changes() {
    let app = spawn_app().await;
    let (alice, bob, carol) = (user(&app, "alice").await, user(&app, "bob").await, user(&app, "carol").await);
    let (_alice_ws, opening) = create_room(&app, &alice, "r1", 5, true).await;
    let _bob_ws = enter(&app, &bob, "r1").await;
    // bob is a member, carol is not: both get E2002 (R5).
    for caller in [&bob, &carol] {
        let (msg, notice) = NOT_OWNER;
        assert_http(update(&app, caller, "r1", json!({"roomCap": 9})).await, 403, 2002, msg, notice).await;
        let transfer = on_member(&app, Method::PUT, "/room/transferOwner", caller, "r1", "bob").await;
        assert_http(transfer, 403, 2002, msg, notice).await;
        let kick = on_member(&app, Method::DELETE, "/room/kickOutUser", caller, "r1", "alice").await;
        assert_http(kick, 403, 2002, msg, notice).await;
        assert_http(on_room(&app, Method::DELETE, "/room/dissolve", caller, "r1").await, 403, 2002, msg, notice).await;
    }
    assert_eq!(retrieve(&app, &alice.token, &[]).await, [opening.welcome["room"].clone()]);
    assert_eq!(member_ids(&app, &alice.token, "r1").await, ["alice", "bob"]);
}

#[tokio::test]
async fn e2009_the_capacity_cannot_go_below_the_member_count() {
    let app = spawn_app().await;
    let (alice, bob, carol) = (user(&app, "alice").await, user(&app, "bob").await, user(&app, "carol").await);
    let _alice_ws = create_room(&app, &alice, "r1", 5, true).await;
    let _bob_ws = enter(&app, &bob, "r1").await;
    let _carol_ws = enter(&app, &carol, "r1").await;
    let refused = update(&app, &alice, "r1", json!({"roomCap": 2})).await;
    assert_http(refused, 409, 2009, "容量过小", "容量不能小于当前人数").await;
    assert_success(update(&app, &alice, "r1", json!({"roomCap": 3})).await, "修改成功").await;
}

#[tokio::test]
async fn e2007_an_update_to_a_name_taken_by_another_room_is_refused_whatever_its_case() {
    let app = spawn_app().await;
    let alice = user(&app, "alice").await;
    let _alpha = open(create_request(&app, "r1", "Alpha", "5", "true").bearer(&alice.token)).await;
    let _beta = open(create_request(&app, "r2", "Beta", "5", "true").bearer(&alice.token)).await;
    let refused = update(&app, &alice, "r2", json!({"roomName": "ALPHA"})).await;
    assert_http(refused, 409, 2007, "房间已存在", "房间Id或房间名已存在").await;
    // The room's own name in another case is no conflict.
    assert_success(update(&app, &alice, "r1", json!({"roomName": "alpha"})).await, "修改成功").await;
}

#[tokio::test]
async fn r5_transfer_owner_hands_the_room_over_and_every_member_sees_owner_changed() {
    let app = spawn_app().await;
    let (alice, bob) = (user(&app, "alice").await, user(&app, "bob").await);
    let (mut alice_ws, _) = create_room(&app, &alice, "r1", 5, true).await;
    let (mut bob_ws, _) = enter(&app, &bob, "r1").await;
    let name = room_name("r1");
    let params = [("roomName", name.as_str()), ("userId", "bob")];
    assert_success(room_call(&app, Method::PUT, "/room/transferOwner", &params, &alice.token).await, "转让成功").await;
    for ws in [&mut alice_ws, &mut bob_ws] {
        assert_eq!(assert_system(&next_event(ws, "ownerChanged").await, "r1", "ownerChanged", "bob"), 3);
    }
    let owners: Vec<(Value, Value)> =
        members(&app, &alice.token, "r1").await.iter().map(|m| (m["UserId"].clone(), m["IsOwner"].clone())).collect();
    assert_eq!(owners, [(json!("alice"), json!(false)), (json!("bob"), json!(true))]);
    assert_eq!(retrieve(&app, &alice.token, &[]).await[0]["RoomOwner"], "bob");
    let (msg, notice) = NOT_OWNER;
    let kick = on_member(&app, Method::DELETE, "/room/kickOutUser", &alice, "r1", "bob").await;
    assert_http(kick, 403, 2002, msg, notice).await;
}

#[tokio::test]
async fn e2008_the_owner_cannot_kick_or_transfer_to_themself() {
    let app = spawn_app().await;
    let alice = user(&app, "alice").await;
    let _alice_ws = create_room(&app, &alice, "r1", 5, true).await;
    for (method, path) in [(Method::PUT, "/room/transferOwner"), (Method::DELETE, "/room/kickOutUser")] {
        let response = on_member(&app, method, path, &alice, "r1", "alice").await;
        assert_http(response, 409, 2008, "不能对自己操作", "不能踢出或转让给自己").await;
    }
}

#[tokio::test]
async fn e2003_a_kick_or_transfer_must_target_a_member() {
    let app = spawn_app().await;
    let (alice, _carol) = (user(&app, "alice").await, user(&app, "carol").await);
    let _alice_ws = create_room(&app, &alice, "r1", 5, true).await;
    for target in ["carol", "ghost"] {
        for (method, path) in [(Method::PUT, "/room/transferOwner"), (Method::DELETE, "/room/kickOutUser")] {
            let response = on_member(&app, method, path, &alice, "r1", target).await;
            assert_http_refused(response, 404, 2003, "用户不在房间内").await;
        }
    }
}

#[tokio::test]
async fn r10_w14_a_kick_closes_every_connection_of_the_kicked_user_with_4001_and_members_see_kicked() {
    let app = spawn_app().await;
    let (alice, bob) = (user(&app, "alice").await, user(&app, "bob").await);
    let (mut alice_ws, _) = create_room(&app, &alice, "r1", 5, true).await;
    let (mut bob_1, _) = enter(&app, &bob, "r1").await;
    let (mut bob_2, _) = enter(&app, &bob, "r1").await;
    let kick = on_member(&app, Method::DELETE, "/room/kickOutUser", &alice, "r1", "bob").await;
    assert_success(kick, "踢出成功").await;
    assert_eq!(bob_1.expect_close(WAIT).await, 4001);
    assert_eq!(bob_2.expect_close(WAIT).await, 4001);
    assert_eq!(assert_system(&next_event(&mut alice_ws, "kicked").await, "r1", "kicked", "bob"), 3);
    assert_eq!(member_ids(&app, &alice.token, "r1").await, ["alice"]);
    assert_eq!(login_rooms(&app, &bob).await, json!([]));
}

#[tokio::test]
async fn r14_e2010_a_kicked_user_cannot_join_again_within_the_cooldown() {
    let app = spawn_app().await;
    let (alice, bob) = (user(&app, "alice").await, user(&app, "bob").await);
    let _alice_ws = create_room(&app, &alice, "r1", 5, true).await;
    drop(enter(&app, &bob, "r1").await);
    assert_success(on_member(&app, Method::DELETE, "/room/kickOutUser", &alice, "r1", "bob").await, "踢出成功").await;
    let refusal = enter_request(&app, "r1").bearer(&bob.token).refused().await;
    assert_refusal(&refusal, 403, 2010, "已被踢出", "你已被踢出该房间，请稍后再试");
    let refusal = re_enter_request(&app, "r1").bearer(&bob.token).refused().await;
    assert_refused_with(&refusal, 404, 2003, "用户不在房间内");
    assert_eq!(member_ids(&app, &alice.token, "r1").await, ["alice"]);
}

#[tokio::test]
async fn r14_a_zero_kick_cooldown_lets_a_kicked_user_straight_back_in() {
    let app = chatroom().env("CHATROOM__ROOMS__KICK_COOLDOWN", "0s").spawn().await;
    let (alice, bob) = (user(&app, "alice").await, user(&app, "bob").await);
    let _alice_ws = create_room(&app, &alice, "r1", 5, true).await;
    drop(enter(&app, &bob, "r1").await);
    assert_success(on_member(&app, Method::DELETE, "/room/kickOutUser", &alice, "r1", "bob").await, "踢出成功").await;
    let _bob_ws = enter(&app, &bob, "r1").await;
    assert_eq!(member_ids(&app, &alice.token, "r1").await, ["alice", "bob"]);
}

#[tokio::test]
async fn r14_once_the_cooldown_has_passed_the_kicked_user_may_join_again() {
    let app = chatroom().env("CHATROOM__ROOMS__KICK_COOLDOWN", "1s").spawn().await;
    let (alice, bob) = (user(&app, "alice").await, user(&app, "bob").await);
    let _alice_ws = create_room(&app, &alice, "r1", 5, true).await;
    drop(enter(&app, &bob, "r1").await);
    assert_success(on_member(&app, Method::DELETE, "/room/kickOutUser", &alice, "r1", "bob").await, "踢出成功").await;
    let refusal = enter_request(&app, "r1").bearer(&bob.token).refused().await;
    assert_eq!(refusal.err()["Code"], 2010, "{refusal:?}");
    let deadline = std::time::Instant::now() + WAIT;
    let _bob_ws = loop {
        match enter_request(&app, "r1").bearer(&bob.token).connect().await {
            Ok(ws) => break ws,
            Err(refusal) if std::time::Instant::now() < deadline => assert_eq!(refusal.err()["Code"], 2010),
            Err(refusal) => panic!("still refused after {WAIT:?}: {refusal:?}"),
        }
        // Bounded polling on a 1 s cooldown; each refused attempt changes nothing.
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    };
    assert_eq!(member_ids(&app, &alice.token, "r1").await, ["alice", "bob"]);
}

#[tokio::test]
async fn w7_w14_dissolve_sends_dissolved_to_every_connection_then_closes_it_with_4002() {
    let app = spawn_app().await;
    let (alice, bob) = (user(&app, "alice").await, user(&app, "bob").await);
    let (alice_ws, _) = create_room(&app, &alice, "r1", 5, true).await;
    let (bob_1, _) = enter(&app, &bob, "r1").await;
    let (bob_2, _) = enter(&app, &bob, "r1").await;
    assert_success(on_room(&app, Method::DELETE, "/room/dissolve", &alice, "r1").await, "解散成功").await;
    for mut ws in [alice_ws, bob_1, bob_2] {
        let (frames, code) = ws.frames_until_close(WAIT).await;
        let last = frames.last().unwrap_or_else(|| panic!("W7: no dissolved frame before the close"));
        assert_eq!((&last["type"], &last["event"]), (&json!("system"), &json!("dissolved")), "W7: {frames:?}");
        assert!(last.get("roomId").is_none_or(|id| id == "r1"), "{last}");
        assert_eq!(code, Some(4002), "W14");
    }
    assert!(retrieved_ids(&app, &alice.token, "").await.is_empty());
    assert_eq!(login_rooms(&app, &bob).await, json!([]));
    assert_refused_with(&enter_request(&app, "r1").bearer(&bob.token).refused().await, 404, 2001, "房间不存在");
    // The id and the name are free again.
    let _again = create_room(&app, &bob, "r1", 5, true).await;
}

#[tokio::test]
async fn r10_w14_leaving_closes_every_connection_of_the_member_with_1000_and_members_see_left() {
    let app = spawn_app().await;
    let (alice, bob) = (user(&app, "alice").await, user(&app, "bob").await);
    let (mut alice_ws, _) = create_room(&app, &alice, "r1", 5, true).await;
    let (mut bob_1, _) = enter(&app, &bob, "r1").await;
    let (mut bob_2, _) = enter(&app, &bob, "r1").await;
    let response = room_call(&app, Method::DELETE, "/room/exit", &[("roomName", &room_name("r1"))], &bob.token).await;
    assert_success(response, "退出房间成功").await;
    assert_eq!(bob_1.expect_close(WAIT).await, 1000);
    assert_eq!(bob_2.expect_close(WAIT).await, 1000);
    assert_eq!(assert_system(&next_event(&mut alice_ws, "left").await, "r1", "left", "bob"), 3);
    assert_eq!(member_ids(&app, &alice.token, "r1").await, ["alice"]);
    // Leaving is not a kick: no cooldown.
    let _bob_again = enter(&app, &bob, "r1").await;
}

#[tokio::test]
async fn e2003_leaving_a_room_one_is_not_a_member_of_is_refused() {
    let app = spawn_app().await;
    let (alice, carol) = (user(&app, "alice").await, user(&app, "carol").await);
    let _alice_ws = create_room(&app, &alice, "r1", 5, true).await;
    assert_http_refused(on_room(&app, Method::DELETE, "/room/exit", &carol, "r1").await, 404, 2003, "用户不在房间内")
        .await;
}

#[tokio::test]
async fn r8_when_the_owner_leaves_the_earliest_joined_member_becomes_the_owner() {
    let app = spawn_app().await;
    let (alice, bob, carol) = (user(&app, "alice").await, user(&app, "bob").await, user(&app, "carol").await);
    let (mut alice_ws, _) = create_room(&app, &alice, "r1", 5, true).await;
    let _bob_ws = enter(&app, &bob, "r1").await;
    let (mut carol_ws, _) = enter(&app, &carol, "r1").await;
    assert_success(on_room(&app, Method::DELETE, "/room/exit", &alice, "r1").await, "退出房间成功").await;
    assert_eq!(alice_ws.expect_close(WAIT).await, 1000);
    let left = assert_system(&next_event(&mut carol_ws, "left").await, "r1", "left", "alice");
    let owner_changed = assert_system(&next_event(&mut carol_ws, "ownerChanged").await, "r1", "ownerChanged", "bob");
    let mut seqs = [left, owner_changed];
    seqs.sort_unstable();
    assert_eq!(seqs, [4, 5], "R13: the two events follow carol's joined (3)");
    let owners: Vec<(Value, Value)> =
        members(&app, &carol.token, "r1").await.iter().map(|m| (m["UserId"].clone(), m["IsOwner"].clone())).collect();
    assert_eq!(owners, [(json!("bob"), json!(true)), (json!("carol"), json!(false))]);
    assert_eq!(retrieve(&app, &carol.token, &[]).await[0]["RoomOwner"], "bob");
}

#[tokio::test]
async fn r8_w14_the_last_member_leaving_dissolves_the_room_and_closes_with_1000() {
    let app = spawn_app().await;
    let alice = user(&app, "alice").await;
    let (mut alice_ws, _) = create_room(&app, &alice, "r1", 5, true).await;
    assert_success(on_room(&app, Method::DELETE, "/room/exit", &alice, "r1").await, "退出房间成功").await;
    assert_eq!(alice_ws.expect_close(WAIT).await, 1000);
    assert!(retrieved_ids(&app, &alice.token, "").await.is_empty());
    assert_refused_with(&enter_request(&app, "r1").bearer(&alice.token).refused().await, 404, 2001, "房间不存在");
}

#[tokio::test]
async fn r4_e2006_a_private_room_refuses_newcomers_and_its_members_still_reconnect() {
    let app = spawn_app().await;
    let (alice, bob, carol) = (user(&app, "alice").await, user(&app, "bob").await, user(&app, "carol").await);
    let _private = create_room(&app, &alice, "r1", 5, false).await;
    let refusal = enter_request(&app, "r1").bearer(&bob.token).refused().await;
    assert_refused_with(&refusal, 403, 2006, "房间不允许其他人进入");
    let _alice_again = enter(&app, &alice, "r1").await;
    let _alice_back = open(re_enter_request(&app, "r1").bearer(&alice.token)).await;
    assert_eq!(member_ids(&app, &alice.token, "r1").await, ["alice"]);

    // A member from the public days keeps their way back when the room turns private.
    let _public = create_room(&app, &alice, "r2", 5, true).await;
    drop(enter(&app, &bob, "r2").await);
    assert_success(update(&app, &alice, "r2", json!({"roomAccess": "0"})).await, "修改成功").await;
    let _bob_again = enter(&app, &bob, "r2").await;
    let _bob_back = open(re_enter_request(&app, "r2").bearer(&bob.token)).await;
    assert_refused_with(
        &enter_request(&app, "r2").bearer(&carol.token).refused().await,
        403,
        2006,
        "房间不允许其他人进入",
    );
}

#[tokio::test]
async fn r4_e2005_a_full_room_refuses_newcomers_and_its_members_still_reconnect() {
    let app = spawn_app().await;
    let (alice, bob, carol) = (user(&app, "alice").await, user(&app, "bob").await, user(&app, "carol").await);
    let _alice_ws = create_room(&app, &alice, "r1", 2, true).await;
    drop(enter(&app, &bob, "r1").await);
    let refusal = enter_request(&app, "r1").bearer(&carol.token).refused().await;
    assert_refused_with(&refusal, 409, 2005, "房间人数已满");
    let _bob_again = enter(&app, &bob, "r1").await;
    let _bob_back = open(re_enter_request(&app, "r1").bearer(&bob.token)).await;
    let _alice_again = enter(&app, &alice, "r1").await;
    assert_eq!(member_ids(&app, &alice.token, "r1").await, ["alice", "bob"]);
}

#[tokio::test]
async fn r4_capacity_counts_members_not_connections() {
    let app = spawn_app().await;
    let (alice, bob) = (user(&app, "alice").await, user(&app, "bob").await);
    let _first = create_room(&app, &alice, "r1", 2, true).await;
    let _second = enter(&app, &alice, "r1").await;
    let _third = enter(&app, &alice, "r1").await;
    let _bob_ws = enter(&app, &bob, "r1").await;
    assert_eq!(member_ids(&app, &alice.token, "r1").await, ["alice", "bob"]);
}
