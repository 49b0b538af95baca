//! (ext) `GET /room/messages` over a mocked messaging service: what reaches
//! `history` from the query, the page as the WebSocket frames of its events (W3,
//! W4, W5) with `hasMore`, and the refusals (R9: E2004; E1001; E2001).

use std::collections::BTreeSet;
use std::sync::Arc;

use chatroom_domain::ids::{ImageId, RoomId, Seq, UserId};
use chatroom_domain::message::ports::MockMessageService;
use chatroom_domain::message::{HistoryError, HistoryPage, HistoryQuery};
use chatroom_domain::timeline::{ClientMsgId, EventKind, ImageType, MessageContent, RoomEvent, Sender, SystemEvent};
use chatroom_domain::user::UserName;
use chatroom_domain::validation::{InvalidInput, Rule};
use poem::endpoint::BoxEndpoint;
use poem::http::StatusCode;
use poem::test::TestClient;
use serde_json::{json, Value};
use time::macros::datetime;

use super::rooms::{accounts, assert_invalid, assert_refused, by_id, by_name, send, zhy};
use super::{envelope, services};
use crate::app::{routes, ApiConfig};
use crate::wire::ServerFrame;

const ID: &str = "0123456789abcdef0123456789abcdef";

fn client(messages: MockMessageService) -> TestClient<BoxEndpoint<'static>> {
    let mut services = services(Ok(()));
    services.accounts = Arc::new(accounts());
    services.messages = Arc::new(messages);
    TestClient::new(routes(services, ApiConfig::default()))
}

fn event(seq: i64, kind: EventKind) -> RoomEvent {
    RoomEvent { room_id: RoomId::parse("r1").unwrap(), seq: Seq::new(seq), at: datetime!(2026-11-24 10:00 UTC), kind }
}

/// A message (with a clientMsgId), an image and a join: one event of each frame.
fn page_events() -> Vec<RoomEvent> {
    let from = || Sender { id: zhy(), name: UserName::parse("zhy").unwrap() };
    vec![
        event(
            3,
            EventKind::Message {
                from: from(),
                content: MessageContent::parse("hello", 4000).unwrap(),
                client_msg_id: Some(ClientMsgId::parse("c1").unwrap()),
            },
        ),
        event(4, EventKind::Image { from: from(), image: ImageId::parse(ID).unwrap(), image_type: ImageType::Png }),
        event(5, EventKind::System(SystemEvent::Joined(UserId::parse("bob").unwrap()))),
    ]
}

fn history_failing(error: impl Fn() -> HistoryError + Send + 'static) -> MockMessageService {
    let mut messages = MockMessageService::new();
    messages.expect_history().returning(move |_, _, _| Err(error()));
    messages
}

#[tokio::test]
async fn r9_messages_answers_the_page_as_websocket_frames_with_has_more() {
    let mut messages = MockMessageService::new();
    messages
        .expect_history()
        .withf(|caller, room, query| {
            *caller == zhy()
                && *room == by_name("go")
                && *query == HistoryQuery { before: Some(Seq::new(9)), after: None, limit: Some(3) }
        })
        .times(1)
        .returning(|_, _, _| Ok(HistoryPage { events: page_events(), has_more: true }));
    let resp = send(client(messages).get("/room/messages?roomName=go&before=9&limit=3")).await;
    resp.assert_status_is_ok();
    let from = json!({"userId": "zhy", "userName": "zhy"});
    let at = "2026-11-24T10:00:00Z";
    let frames_expected = json!([
        {"type": "message", "roomId": "r1", "seq": 3, "from": from, "content": "hello", "clientMsgId": "c1",
         "sentAt": at},
        {"type": "image", "roomId": "r1", "seq": 4, "from": from, "url": format!("/images/{ID}"),
         "contentType": "image/png", "sentAt": at},
        {"type": "system", "roomId": "r1", "seq": 5, "event": "joined", "userId": "bob", "sentAt": at}
    ]);
    let notice = json!({"messages": frames_expected, "hasMore": true});
    assert_eq!(envelope(resp).await, json!({"err": {"Code": 0, "Msg": "", "Notice": notice}}));
}

#[tokio::test]
async fn w3_w5_each_history_item_is_exactly_the_live_frame_of_its_event() {
    let mut messages = MockMessageService::new();
    messages.expect_history().returning(|_, _, _| Ok(HistoryPage { events: page_events(), has_more: false }));
    let body = envelope(send(client(messages).get("/room/messages?roomId=r1&after=2")).await).await;
    let listed: Vec<ServerFrame> = serde_json::from_value(body["err"]["Notice"]["messages"].clone()).unwrap();
    assert_eq!(listed, page_events().iter().map(ServerFrame::event).collect::<Vec<_>>());
    assert_eq!(body["err"]["Notice"]["hasMore"], json!(false));
}

#[tokio::test]
async fn messages_passes_the_room_by_id_and_no_paging_when_none_is_given() {
    let mut messages = MockMessageService::new();
    messages
        .expect_history()
        .withf(|_, room, query| {
            *room == by_id("r1") && query.before.is_none() && query.after.is_none() && query.limit.is_none()
        })
        .returning(|_, _, _| Ok(HistoryPage { events: Vec::new(), has_more: false }));
    let resp = send(client(messages).get("/room/messages?roomId=r1")).await;
    let notice = json!({"messages": [], "hasMore": false});
    assert_eq!(envelope(resp).await, json!({"err": {"Code": 0, "Msg": "", "Notice": notice}}));
}

#[tokio::test]
async fn r9_e2004_a_non_member_cannot_read_the_history() {
    let resp = send(client(history_failing(|| HistoryError::NotMember)).get("/room/messages?roomName=go")).await;
    assert_refused(resp, StatusCode::FORBIDDEN, 2004, "用户不在房间内", "用户不在房间内，无权限查找").await;
}

#[tokio::test]
async fn e2001_an_unknown_room_and_e1001_a_bad_limit_or_no_room_are_answered_as_such() {
    let resp = send(client(history_failing(|| HistoryError::NotFound)).get("/room/messages?roomName=nowhere")).await;
    assert_refused(resp, StatusCode::NOT_FOUND, 2001, "房间不存在", "房间不存在").await;
    let range = || InvalidInput::new("limit", Rule::IntegerRange { min: 1, max: 200 }).into();
    let resp = send(client(history_failing(range)).get("/room/messages?roomName=go&limit=201")).await;
    assert_invalid(resp, "limit").await;
    let mut messages = MockMessageService::new();
    messages.expect_history().never();
    assert_invalid(send(client(messages).get("/room/messages")).await, "roomName").await;
}

#[tokio::test]
async fn e1002_messages_needs_a_token_and_never_reaches_the_service() {
    let mut messages = MockMessageService::new();
    messages.expect_history().never();
    let resp = client(messages).get("/room/messages?roomName=go").send().await;
    assert_refused(resp, StatusCode::UNAUTHORIZED, 1002, "请求头中的token为空", "登录失败").await;
}

#[tokio::test]
async fn the_document_lists_the_history_operations_parameters_and_refusals_by_status() {
    let document: Value = serde_json::from_str(&crate::openapi_json()).unwrap();
    let operation = &document["paths"]["/room/messages"]["get"];
    assert_eq!(operation["operationId"], "messages");
    assert_eq!(operation["tags"], json!(["Rooms"]));
    assert!(operation["security"].is_array(), "{operation}");
    let statuses: BTreeSet<&str> = operation["responses"].as_object().unwrap().keys().map(String::as_str).collect();
    assert_eq!(statuses, ["200", "400", "401", "403", "404", "500", "default"].into_iter().collect());
    let parameters: BTreeSet<&str> =
        operation["parameters"].as_array().unwrap().iter().map(|p| p["name"].as_str().unwrap()).collect();
    assert_eq!(parameters, ["after", "before", "limit", "roomId", "roomName"].into_iter().collect());
    let notice = &document["components"]["schemas"]["HistoryNotice"]["properties"];
    assert!(notice["messages"].is_object() && notice["hasMore"].is_object(), "{notice}");
    assert!(operation["responses"]["403"]["description"].as_str().unwrap().contains("无权限查找"));
}
