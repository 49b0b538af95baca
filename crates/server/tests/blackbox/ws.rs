//! Shared steps of the room tests (`rooms_*`): the WebSocket routes of SPEC §6
//! (`/room/create`, `/room/enter`, `/room/reEnter`) opened with the client of
//! `chatroom_tests::ws`, the HTTP room operations with their query parameters, and
//! exact assertions on refusals and on the frames of §7.

use std::time::Duration;

use chatroom_tests::ws::{Opening, Refusal, WsClient, WsRequest};
use chatroom_tests::TestApp;
use reqwest::header::AUTHORIZATION;
use reqwest::{Method, Response};
use serde_json::{json, Value};

use crate::accounts::{answer, login, registered, token_of, Account};

/// How long a test waits for a frame, a close or an answer it expects.
pub const WAIT: Duration = Duration::from_secs(10);

/// A registered, logged-in user.
pub struct User {
    pub account: Account,
    pub token: String,
}

impl User {
    pub fn id(&self) -> &str {
        &self.account.id
    }
}

/// Registers and logs in `id`.
pub async fn user(app: &TestApp, id: &str) -> User {
    let account = registered(app, id).await;
    let token = token_of(app, &account).await;
    User { account, token }
}

/// The name the tests give room `id`: non-ASCII, to exercise query encoding.
pub fn room_name(id: &str) -> String {
    format!("房间{id}")
}

/// `/room/create` with the seed's four parameters, no token yet.
pub fn create_request(app: &TestApp, id: &str, name: &str, cap: &str, access: &str) -> WsRequest {
    let params = [("roomId", id), ("roomName", name), ("roomCap", cap), ("roomAccess", access)];
    WsRequest::new(app.address, "/room/create", &params)
}

/// Creates room `id` (named [`room_name`]) as `owner` and reads its opening.
pub async fn create_room(app: &TestApp, owner: &User, id: &str, cap: u32, public: bool) -> (WsClient, Opening) {
    let request = create_request(app, id, &room_name(id), &cap.to_string(), if public { "true" } else { "false" });
    open(request.bearer(&owner.token)).await
}

/// `/room/enter?roomId=id`, no token yet.
pub fn enter_request(app: &TestApp, id: &str) -> WsRequest {
    WsRequest::new(app.address, "/room/enter", &[("roomId", id)])
}

/// `/room/reEnter?roomId=id`, no token yet.
pub fn re_enter_request(app: &TestApp, id: &str) -> WsRequest {
    WsRequest::new(app.address, "/room/reEnter", &[("roomId", id)])
}

/// `user` enters room `id` and reads the opening.
pub async fn enter(app: &TestApp, user: &User, id: &str) -> (WsClient, Opening) {
    open(enter_request(app, id).bearer(&user.token)).await
}

/// Opens `request` and reads the welcome, the replay and `caughtUp`.
pub async fn open(request: WsRequest) -> (WsClient, Opening) {
    let mut client = request.open().await;
    let opening = client.opening(WAIT).await;
    (client, opening)
}

/// Asserts the whole refusal: status and envelope.
pub fn assert_refusal(refusal: &Refusal, status: u16, code: i64, msg: &str, notice: &str) {
    let expected = json!({"err": {"Code": code, "Msg": msg, "Notice": notice}});
    assert_eq!((refusal.status, &refusal.body), (status, &expected), "unexpected refusal of the upgrade");
}

/// Asserts the refusal of a room operation with the catalogue's code (SPEC §5)
/// whose Msg and Notice are the same text.
pub fn assert_refused_with(refusal: &Refusal, status: u16, code: i64, text: &str) {
    assert_refusal(refusal, status, code, text, text);
}

/// `method path?params` with `Authorization: Bearer token`.
pub async fn room_call(app: &TestApp, method: Method, path: &str, params: &[(&str, &str)], token: &str) -> Response {
    let request = app.client.request(method, app.url(path)).query(params);
    request.header(AUTHORIZATION, format!("Bearer {token}")).send().await.expect("sending a room request")
}

/// `method path?params` with `Authorization: Bearer token` and a JSON body.
pub async fn room_call_json(
    app: &TestApp,
    method: Method,
    path: &str,
    params: &[(&str, &str)],
    token: &str,
    body: &Value,
) -> Response {
    let request = app.client.request(method, app.url(path)).query(params).json(body);
    request.header(AUTHORIZATION, format!("Bearer {token}")).send().await.expect("sending a room request")
}

/// `method path?roomId=id&userId=target` as `caller`.
pub async fn on_member(app: &TestApp, method: Method, path: &str, caller: &User, id: &str, target: &str) -> Response {
    room_call(app, method, path, &[("roomId", id), ("userId", target)], &caller.token).await
}

/// `method path?roomId=id` as `caller`.
pub async fn on_room(app: &TestApp, method: Method, path: &str, caller: &User, id: &str) -> Response {
    room_call(app, method, path, &[("roomId", id)], &caller.token).await
}

/// `PUT /room/update?roomId=id` with a JSON body, as `caller`.
pub async fn update(app: &TestApp, caller: &User, id: &str, body: Value) -> Response {
    room_call_json(app, Method::PUT, "/room/update", &[("roomId", id)], &caller.token, &body).await
}

/// The rooms of `user`'s next login (R12).
pub async fn login_rooms(app: &TestApp, user: &User) -> Value {
    let (status, _, err) = answer(login(app, &user.account.id, &user.account.pwd).await).await;
    assert_eq!(status, 200, "{err}");
    err["Notice"]["rooms"].clone()
}

/// Asserts `status` and the whole envelope of an HTTP answer.
pub async fn assert_http(response: Response, status: u16, code: i64, msg: &str, notice: &str) {
    let (actual, _, err) = answer(response).await;
    assert_eq!((actual, &err), (status, &json!({"Code": code, "Msg": msg, "Notice": notice})), "unexpected answer");
}

/// Asserts an HTTP refusal whose Msg and Notice are the same text.
pub async fn assert_http_refused(response: Response, status: u16, code: i64, text: &str) {
    assert_http(response, status, code, text, text).await;
}

/// The success `Notice` (an object) of an answer, asserting `200` and `Code` 0.
pub async fn notice_of(response: Response) -> Value {
    let (status, _, err) = answer(response).await;
    assert_eq!((status, &err["Code"]), (200, &json!(0)), "expected a success: {err}");
    err["Notice"].clone()
}

/// `GET /room/retrieve` with `params`: the rooms found.
pub async fn retrieve(app: &TestApp, token: &str, params: &[(&str, &str)]) -> Vec<Value> {
    let notice = notice_of(room_call(app, Method::GET, "/room/retrieve", params, token).await).await;
    notice["rooms"].as_array().unwrap_or_else(|| panic!("no rooms array in {notice}")).clone()
}

/// The RoomIds of `GET /room/retrieve?roomName=name`, in answer order.
pub async fn retrieved_ids(app: &TestApp, token: &str, name: &str) -> Vec<String> {
    ids(&retrieve(app, token, &[("roomName", name)]).await, "RoomId")
}

/// `GET /room/retrieveUser?roomId=id`: the members, in join order.
pub async fn members(app: &TestApp, token: &str, id: &str) -> Vec<Value> {
    let notice = notice_of(room_call(app, Method::GET, "/room/retrieveUser", &[("roomId", id)], token).await).await;
    notice["clients"].as_array().unwrap_or_else(|| panic!("no clients array in {notice}")).clone()
}

/// The member UserIds of room `id`, in join order.
pub async fn member_ids(app: &TestApp, token: &str, id: &str) -> Vec<String> {
    ids(&members(app, token, id).await, "UserId")
}

/// The `field` of every object of `values`.
pub fn ids(values: &[Value], field: &str) -> Vec<String> {
    values
        .iter()
        .map(|value| value[field].as_str().unwrap_or_else(|| panic!("no {field} in {value}")).to_owned())
        .collect()
}

/// Asserts a persisted system event (W5) of room `room` with `event` about `user`
/// and returns its seq.
pub fn assert_system(frame: &Value, room: &str, event: &str, user: &str) -> i64 {
    assert_eq!(
        (&frame["type"], &frame["roomId"], &frame["event"], &frame["userId"]),
        (&json!("system"), &json!(room), &json!(event), &json!(user)),
        "W5: expected a {event} event for {user}: {frame}"
    );
    assert!(frame["sentAt"].is_string(), "W5: sentAt missing: {frame}");
    frame["seq"].as_i64().unwrap_or_else(|| panic!("W5: a persisted event has a seq: {frame}"))
}

/// Asserts a presence frame (W5, ephemeral, no seq).
pub fn assert_presence(frame: &Value, room: &str, event: &str, user: &str) {
    let expected = json!({"type": "presence", "roomId": room, "event": event, "userId": user});
    assert_eq!(frame, &expected, "W5: expected {user} {event}");
}

/// The next `system` frame of `client` with `event`, within [`WAIT`]; other frames
/// stay for later reads.
pub async fn next_event(client: &mut WsClient, event: &str) -> Value {
    client
        .next_matching(&format!("a {event} event"), |frame| frame["type"] == "system" && frame["event"] == event, WAIT)
        .await
}

/// The next `presence` frame of `client` about `user`, within [`WAIT`]; other
/// frames (a user's own presence among them) stay for later reads.
pub async fn next_presence_of(client: &mut WsClient, user: &str) -> Value {
    let what = format!("a presence frame about {user}");
    client.next_matching(&what, |frame| frame["type"] == "presence" && frame["userId"] == user, WAIT).await
}
