//! The `/room/*` operations over mocked account and room services: what reaches
//! the room service from the query and the body, and how each outcome is answered
//! (SPEC §4, §6; R5–R9).

use std::collections::BTreeSet;
use std::sync::{Arc, Mutex};

use chatroom_domain::account::ports::MockAccountService;
use chatroom_domain::account::{AuthError, Authenticated, Session};
use chatroom_domain::ids::{RoomId, SessionId, UserId};
use chatroom_domain::room::ports::MockRoomService;
use chatroom_domain::room::{
    Access, Capacity, DissolveRoomError, LeaveRoomError, ListMembersError, MemberActionError, MemberView, Room,
    RoomName, RoomQuery, RoomSelector, SearchRoomsError, UpdateRoomError,
};
use chatroom_domain::user::{Email, PasswordHash, User, UserName};
use chatroom_domain::validation::{InvalidInput, Rule};
use poem::endpoint::BoxEndpoint;
use poem::http::{header, StatusCode};
use poem::test::{TestClient, TestRequestBuilder, TestResponse};
use serde_json::{json, Value};
use time::macros::datetime;

use super::{envelope, services};
use crate::app::{routes, ApiConfig};

/// The caller's `Authorization` header.
pub(super) const TOKEN: &str = "Bearer abc";

/// Accounts where the token `abc` is the user `zhy`, no token is E1002 (no
/// token) and any other E1002 (invalid token).
pub(super) fn accounts() -> MockAccountService {
    let mut accounts = MockAccountService::new();
    accounts.expect_authenticate().returning(|token| match token.as_deref() {
        Some("abc") => Ok(caller()),
        Some(_) => Err(AuthError::InvalidToken),
        None => Err(AuthError::MissingToken),
    });
    accounts
}

/// The application over `rooms`, with the [`accounts`] above.
fn client(rooms: MockRoomService) -> TestClient<BoxEndpoint<'static>> {
    let mut services = services(Ok(()));
    services.accounts = Arc::new(accounts());
    services.rooms = Arc::new(rooms);
    TestClient::new(routes(services, ApiConfig::default()))
}

pub(super) fn zhy() -> UserId {
    UserId::parse("zhy").unwrap()
}

pub(super) fn caller() -> Authenticated {
    let user = User {
        id: zhy(),
        name: UserName::parse("zhy").unwrap(),
        email: Email::parse("zhy@example.com").unwrap(),
        password_hash: PasswordHash::new("$argon2id$stub".to_owned()),
        created_at: datetime!(2026-11-24 10:00 UTC),
    };
    let session = Session {
        id: SessionId::new("s1".to_owned()),
        user_id: zhy(),
        issued_at: datetime!(2026-11-24 10:00 UTC),
        expires_at: datetime!(2026-11-25 10:00 UTC),
        revoked: false,
    };
    Authenticated { user, session }
}

/// The seed's two example rooms, newest first.
fn seed_rooms() -> Vec<Room> {
    let room = |id: &str, name: &str, cap: u32, access: Access, created_at| Room {
        id: RoomId::parse(id).unwrap(),
        incarnation: chatroom_domain::ids::Incarnation::new(1),
        name: RoomName::parse(name).unwrap(),
        capacity: Capacity::from_stored(cap),
        access,
        owner: UserId::parse("1").unwrap(),
        created_at,
    };
    vec![
        room("2", "g", 5, Access::Private, datetime!(2022-02-25 10:34:21 +08:00)),
        room("1", "go", 3, Access::Public, datetime!(2022-02-25 10:28:20 +08:00)),
    ]
}

pub(super) fn by_name(name: &str) -> RoomSelector {
    RoomSelector::Name(RoomName::parse(name).unwrap())
}

pub(super) fn by_id(id: &str) -> RoomSelector {
    RoomSelector::Id(RoomId::parse(id).unwrap())
}

fn notice(text: &str) -> Value {
    json!({"err": {"Code": 0, "Msg": "", "Notice": text}})
}

/// Sends `request` with the caller's token.
pub(super) async fn send(request: TestRequestBuilder<'_, BoxEndpoint<'static>>) -> TestResponse {
    request.header(header::AUTHORIZATION, TOKEN).send().await
}

/// Asserts an E1001 whose Notice names `field`.
pub(super) async fn assert_invalid(resp: TestResponse, field: &str) {
    resp.assert_status(StatusCode::BAD_REQUEST);
    let body = envelope(resp).await;
    assert_eq!(body["err"]["Code"], 1001);
    assert!(body["err"]["Notice"].as_str().unwrap().contains(field), "{body}");
}

/// Asserts the status and the whole refusal envelope.
pub(super) async fn assert_refused(resp: TestResponse, status: StatusCode, code: i32, msg: &str, notice: &str) {
    resp.assert_status(status);
    assert_eq!(envelope(resp).await, json!({"err": {"Code": code, "Msg": msg, "Notice": notice}}));
}

#[tokio::test]
async fn retrieve_answers_the_rooms_found_in_the_seed_room_shape() {
    let mut rooms = MockRoomService::new();
    rooms
        .expect_search_rooms()
        .withf(|q| *q == RoomQuery { name_contains: "go".into(), limit: Some(10), offset: Some(5) })
        .times(1)
        .returning(|_| Ok(seed_rooms()));
    let resp = send(client(rooms).get("/room/retrieve?roomName=go&limit=10&offset=5")).await;
    resp.assert_status_is_ok();
    let rooms = json!([
        {"RoomId": "2", "RoomName": "g", "RoomCap": 5, "RoomAccess": false, "RoomOwner": "1",
         "CreatedAt": "2022-02-25T10:34:21+08:00"},
        {"RoomId": "1", "RoomName": "go", "RoomCap": 3, "RoomAccess": true, "RoomOwner": "1",
         "CreatedAt": "2022-02-25T10:28:20+08:00"}
    ]);
    assert_eq!(envelope(resp).await, json!({"err": {"Code": 0, "Msg": "", "Notice": {"rooms": rooms}}}));
}

#[tokio::test]
async fn retrieve_without_a_name_searches_every_room_and_answers_an_empty_list_when_none() {
    let mut rooms = MockRoomService::new();
    rooms.expect_search_rooms().withf(|q| *q == RoomQuery::default()).returning(|_| Ok(Vec::new()));
    let resp = send(client(rooms).get("/room/retrieve")).await;
    resp.assert_status_is_ok();
    assert_eq!(envelope(resp).await, json!({"err": {"Code": 0, "Msg": "", "Notice": {"rooms": []}}}));
}

#[tokio::test]
async fn e1002_retrieve_needs_a_token_and_never_reaches_the_room_service() {
    let mut rooms = MockRoomService::new();
    rooms.expect_search_rooms().never();
    let cli = client(rooms);
    let resp = cli.get("/room/retrieve").send().await;
    assert_refused(resp, StatusCode::UNAUTHORIZED, 1002, "请求头中的token为空", "登录失败").await;
    let resp = cli.get("/room/retrieve").header(header::AUTHORIZATION, "Bearer forged").send().await;
    assert_refused(resp, StatusCode::UNAUTHORIZED, 1002, "无效的token", "登录失败").await;
}

#[tokio::test]
async fn e1001_retrieve_with_a_bad_limit_names_the_field() {
    let mut rooms = MockRoomService::new();
    let range = Rule::IntegerRange { min: 1, max: 200 };
    rooms
        .expect_search_rooms()
        .returning(move |_| Err(SearchRoomsError::Invalid(InvalidInput::new("limit", range.clone()))));
    let resp = send(client(rooms).get("/room/retrieve?limit=900")).await;
    assert_invalid(resp, "limit").await;
}

#[tokio::test]
async fn r9_retrieve_user_lists_the_members_in_join_order_with_presence_and_ownership() {
    let mut rooms = MockRoomService::new();
    rooms.expect_list_members().withf(|caller, room| *caller == zhy() && *room == by_id("r1")).returning(|_, _| {
        let member = |id: &str, name: &str, online, is_owner| MemberView {
            user_id: UserId::parse(id).unwrap(),
            user_name: UserName::parse(name).unwrap(),
            online,
            is_owner,
        };
        Ok(vec![member("1", "zhhhhhhh", true, true), member("2", "zz", false, false)])
    });
    let resp = send(client(rooms).get("/room/retrieveUser?roomId=r1")).await;
    resp.assert_status_is_ok();
    let clients = json!([
        {"UserId": "1", "UserName": "zhhhhhhh", "Online": true, "IsOwner": true},
        {"UserId": "2", "UserName": "zz", "Online": false, "IsOwner": false}
    ]);
    assert_eq!(envelope(resp).await, json!({"err": {"Code": 0, "Msg": "", "Notice": {"clients": clients}}}));
}

#[tokio::test]
async fn r9_e2004_a_non_member_cannot_list_the_members() {
    let mut rooms = MockRoomService::new();
    rooms
        .expect_list_members()
        .withf(|_, room| *room == by_name("go"))
        .returning(|_, _| Err(ListMembersError::NotMember));
    let resp = send(client(rooms).get("/room/retrieveUser?roomName=go")).await;
    assert_refused(resp, StatusCode::FORBIDDEN, 2004, "用户不在房间内", "用户不在房间内，无权限查找").await;
}

/// `(room, roomName, roomCap, roomAccess)` of every update the service received.
type SeenUpdates = Arc<Mutex<Vec<(RoomSelector, Option<String>, Option<String>, Option<String>)>>>;

#[tokio::test]
async fn r7_update_reads_json_form_and_multipart_bodies_and_passes_cap_and_access_as_text() {
    let seen = SeenUpdates::default();
    let sink = Arc::clone(&seen);
    let mut rooms = MockRoomService::new();
    rooms.expect_update_room().withf(|caller, _, _| *caller == zhy()).returning(move |_, room, update| {
        sink.lock().unwrap().push((room.clone(), update.room_name, update.capacity, update.access));
        Ok(seed_rooms().remove(1))
    });
    let cli = client(rooms);
    let put = |query: &str| cli.put(format!("/room/update?{query}"));

    let resp = send(put("roomName=go").body_json(&json!({"roomCap": 33, "roomAccess": true}))).await;
    resp.assert_status_is_ok();
    assert_eq!(envelope(resp).await, notice("修改成功"));
    send(put("roomName=go").body_json(&json!({"roomCap": "33", "roomAccess": "0"}))).await.assert_status_is_ok();
    let form = put("roomId=r1").content_type("application/x-www-form-urlencoded");
    send(form.body("roomName=goo&roomCap=33")).await.assert_status_is_ok();
    let multipart = "--XyZ\r\nContent-Disposition: form-data; name=\"roomAccess\"\r\n\r\n1\r\n--XyZ--\r\n";
    let multipart = put("roomId=r1&roomName=go").content_type("multipart/form-data; boundary=XyZ").body(multipart);
    send(multipart).await.assert_status_is_ok();

    let text = |s: &str| Some(s.to_owned());
    let both = RoomSelector::Both(RoomId::parse("r1").unwrap(), RoomName::parse("go").unwrap());
    assert_eq!(
        *seen.lock().unwrap(),
        vec![
            (by_name("go"), None, text("33"), text("true")),
            (by_name("go"), None, text("33"), text("0")),
            (by_id("r1"), text("goo"), text("33"), None),
            (both, None, None, text("1")),
        ]
    );
}

#[tokio::test]
async fn e1001_update_with_an_unreadable_field_is_refused_before_the_service() {
    let mut rooms = MockRoomService::new();
    rooms.expect_update_room().never();
    let resp = send(client(rooms).put("/room/update?roomName=go").body_json(&json!({"roomCap": {"value": 33}}))).await;
    assert_invalid(resp, "roomCap").await;
}

#[tokio::test]
async fn r5_e2002_only_the_owner_may_update_the_room() {
    let mut rooms = MockRoomService::new();
    rooms.expect_update_room().returning(|_, _, _| Err(UpdateRoomError::NotOwner));
    let body = json!({"roomName": "goo", "roomCap": "33"});
    let resp = send(client(rooms).put("/room/update?roomName=go").body_json(&body)).await;
    assert_refused(resp, StatusCode::FORBIDDEN, 2002, "不是房主无权限", "你不是房主无权限").await;
}

#[tokio::test]
async fn r7_e2009_a_capacity_below_the_member_count_is_refused() {
    let mut rooms = MockRoomService::new();
    rooms.expect_update_room().returning(|_, _, _| Err(UpdateRoomError::CapacityBelowMembers));
    let resp = send(client(rooms).put("/room/update?roomName=go").body_json(&json!({"roomCap": 1}))).await;
    assert_refused(resp, StatusCode::CONFLICT, 2009, "容量过小", "容量不能小于当前人数").await;
}

#[tokio::test]
async fn r6_transfer_owner_passes_the_room_and_the_target() {
    let mut rooms = MockRoomService::new();
    rooms
        .expect_transfer_ownership()
        .withf(|caller, room, target| {
            *caller == zhy() && *room == by_name("go") && *target == UserId::parse("u2").unwrap()
        })
        .times(1)
        .returning(|_, _, _| Ok(()));
    let resp = send(client(rooms).put("/room/transferOwner?roomName=go&userId=u2")).await;
    resp.assert_status_is_ok();
    assert_eq!(envelope(resp).await, notice("转让成功"));
}

#[tokio::test]
async fn r6_e2008_the_owner_cannot_transfer_to_themself() {
    let mut rooms = MockRoomService::new();
    rooms.expect_transfer_ownership().returning(|_, _, _| Err(MemberActionError::SelfTarget));
    let resp = send(client(rooms).put("/room/transferOwner?roomName=go&userId=zhy")).await;
    assert_refused(resp, StatusCode::CONFLICT, 2008, "不能对自己操作", "不能踢出或转让给自己").await;
}

#[tokio::test]
async fn e1001_a_missing_or_malformed_user_id_is_named_and_never_reaches_the_service() {
    let mut rooms = MockRoomService::new();
    rooms.expect_transfer_ownership().never();
    rooms.expect_kick_member().never();
    let cli = client(rooms);
    assert_invalid(send(cli.put("/room/transferOwner?roomName=go")).await, "userId").await;
    assert_invalid(send(cli.delete("/room/kickOutUser?roomName=go&userId=no%20such")).await, "userId").await;
}

#[tokio::test]
async fn r5_kick_out_user_passes_the_room_by_id_and_the_target() {
    let mut rooms = MockRoomService::new();
    rooms
        .expect_kick_member()
        .withf(|caller, room, target| {
            *caller == zhy() && *room == by_id("r1") && *target == UserId::parse("u2").unwrap()
        })
        .times(1)
        .returning(|_, _, _| Ok(()));
    let resp = send(client(rooms).delete("/room/kickOutUser?roomId=r1&userId=u2")).await;
    resp.assert_status_is_ok();
    assert_eq!(envelope(resp).await, notice("踢出成功"));
}

#[tokio::test]
async fn r6_e2003_kicking_a_non_member_is_refused() {
    let mut rooms = MockRoomService::new();
    rooms.expect_kick_member().returning(|_, _, _| Err(MemberActionError::TargetNotMember));
    let resp = send(client(rooms).delete("/room/kickOutUser?roomName=go&userId=u9")).await;
    assert_refused(resp, StatusCode::NOT_FOUND, 2003, "用户不在房间内", "用户不在房间内").await;
}

#[tokio::test]
async fn r5_dissolve_by_room_name_answers_the_seed_text() {
    let mut rooms = MockRoomService::new();
    rooms
        .expect_dissolve_room()
        .withf(|caller, room| *caller == zhy() && *room == by_name("go"))
        .returning(|_, _| Ok(()));
    let resp = send(client(rooms).delete("/room/dissolve?roomName=go")).await;
    resp.assert_status_is_ok();
    assert_eq!(envelope(resp).await, notice("解散成功"));
}

#[tokio::test]
async fn r5_e2002_only_the_owner_may_dissolve() {
    let mut rooms = MockRoomService::new();
    rooms.expect_dissolve_room().returning(|_, _| Err(DissolveRoomError::NotOwner));
    let resp = send(client(rooms).delete("/room/dissolve?roomName=go")).await;
    assert_refused(resp, StatusCode::FORBIDDEN, 2002, "不是房主无权限", "你不是房主无权限").await;
}

#[tokio::test]
async fn room_id_and_room_name_reach_the_service_together() {
    let mut rooms = MockRoomService::new();
    let both = RoomSelector::Both(RoomId::parse("r1").unwrap(), RoomName::parse("other").unwrap());
    rooms.expect_dissolve_room().withf(move |_, room| *room == both).returning(|_, _| Err(DissolveRoomError::NotFound));
    let resp = send(client(rooms).delete("/room/dissolve?roomId=r1&roomName=other")).await;
    assert_refused(resp, StatusCode::NOT_FOUND, 2001, "房间不存在", "房间不存在").await;
}

#[tokio::test]
async fn e1001_a_room_id_and_a_room_name_of_two_rooms_are_named_both() {
    let mut rooms = MockRoomService::new();
    let mismatch = InvalidInput::new("roomName", Rule::SameAs { other: "roomId" });
    rooms.expect_dissolve_room().returning(move |_, _| Err(mismatch.clone().into()));
    let resp = send(client(rooms).delete("/room/dissolve?roomId=r1&roomName=other")).await;
    resp.assert_status(StatusCode::BAD_REQUEST);
    let notice = envelope(resp).await["err"]["Notice"].as_str().unwrap().to_owned();
    assert!(notice.contains("roomName") && notice.contains("roomId"), "{notice}");
}

#[tokio::test]
async fn r8_exit_answers_the_seed_text_or_english() {
    let mut rooms = MockRoomService::new();
    rooms.expect_leave_room().withf(|caller, room| *caller == zhy() && *room == by_name("go")).returning(|_, _| Ok(()));
    let cli = client(rooms);
    let resp = send(cli.delete("/room/exit?roomName=go")).await;
    resp.assert_status_is_ok();
    assert_eq!(envelope(resp).await, notice("退出房间成功"));
    let resp = send(cli.delete("/room/exit?roomName=go").header(header::ACCEPT_LANGUAGE, "en")).await;
    assert_eq!(envelope(resp).await, notice("Left the room"));
}

#[tokio::test]
async fn e2003_a_non_member_cannot_exit() {
    let mut rooms = MockRoomService::new();
    rooms.expect_leave_room().returning(|_, _| Err(LeaveRoomError::NotMember));
    let resp = send(client(rooms).delete("/room/exit?roomName=go")).await;
    assert_refused(resp, StatusCode::NOT_FOUND, 2003, "用户不在房间内", "用户不在房间内").await;
}

#[tokio::test]
async fn e1001_a_request_naming_no_room_or_a_malformed_one_is_named_and_never_reaches_the_service() {
    let mut rooms = MockRoomService::new();
    rooms.expect_leave_room().never();
    let cli = client(rooms);
    assert_invalid(send(cli.delete("/room/exit")).await, "roomName").await;
    assert_invalid(send(cli.delete("/room/exit?roomName=%20&roomId=")).await, "roomName").await;
    assert_invalid(send(cli.delete("/room/exit?roomId=a%20b")).await, "roomId").await;
    assert_invalid(send(cli.delete("/room/exit?roomName=a%07b")).await, "roomName").await;
}

#[tokio::test]
async fn the_document_lists_each_room_operations_refusals_by_status() {
    let document: Value = serde_json::from_str(&crate::openapi_json()).unwrap();
    let common = ["200", "400", "401", "500", "default"];
    let operations: [(&str, &str, &str, &[&str]); 7] = [
        ("/room/retrieve", "get", "retrieve", &[]),
        ("/room/retrieveUser", "get", "retrieveUser", &["403", "404"]),
        ("/room/update", "put", "updateRoom", &["403", "404", "409", "413", "415"]),
        ("/room/transferOwner", "put", "transferOwner", &["403", "404", "409"]),
        ("/room/kickOutUser", "delete", "kickOutUser", &["403", "404", "409"]),
        ("/room/dissolve", "delete", "dissolve", &["403", "404"]),
        ("/room/exit", "delete", "exitRoom", &["404"]),
    ];
    for (path, method, id, extra) in operations {
        let operation = &document["paths"][path][method];
        assert_eq!(operation["operationId"], id, "{path}");
        assert_eq!(operation["tags"], json!(["Rooms"]), "{path}");
        assert!(operation["security"].is_array(), "{path}: {operation}");
        let statuses: BTreeSet<&str> = operation["responses"].as_object().unwrap().keys().map(String::as_str).collect();
        let expected: BTreeSet<&str> = common.iter().chain(extra).copied().collect();
        assert_eq!(statuses, expected, "{path}");
        let parameters = operation["parameters"].as_array().unwrap();
        assert!(parameters.iter().all(|p| p["in"] == "query"), "{path}: {parameters:?}");
        let required: Vec<&Value> = parameters.iter().filter(|p| p["required"] == true).map(|p| &p["name"]).collect();
        let target_needed = path.ends_with("transferOwner") || path.ends_with("kickOutUser");
        assert_eq!(required, if target_needed { vec!["userId"] } else { vec![] }, "{path}");
        assert!(parameters.iter().any(|p| p["name"] == "roomName"), "{path}");
        if *id != *"retrieve" {
            let names: Vec<&Value> = parameters.iter().map(|p| &p["name"]).collect();
            assert_eq!(names[..2], [&json!("roomName"), &json!("roomId")], "{path}: the room selector's two fields");
        }
    }
    let update = &document["paths"]["/room/update"]["put"];
    let content = update["requestBody"]["content"].as_object().unwrap();
    assert!(["application/json", "application/x-www-form-urlencoded", "multipart/form-data"]
        .iter()
        .all(|t| content.contains_key(*t)));
    let member = &document["components"]["schemas"]["Member"]["properties"];
    assert!(["UserId", "UserName", "Online", "IsOwner"].iter().all(|f| member[*f].is_object()), "{member}");
    let kick = &document["paths"]["/room/kickOutUser"]["delete"]["responses"]["409"]["description"];
    assert!(kick.as_str().unwrap().contains("2008"), "{kick}");
}
