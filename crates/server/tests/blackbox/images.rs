//! Images and history over HTTP, on the real binary: `POST /room/sendImg` reaches
//! every member's connections as the image frame (W4) and `GET /images/{id}` serves
//! the same bytes (S6); refusals E1301, E1302, E2004, E1001; dissolving a room
//! deletes its images (E1304); `GET /room/messages` pages the history as the
//! WebSocket frames of its events (W3–W5) with `hasMore` (R9).

use chatroom_tests::ws::WsClient;
use chatroom_tests::TestApp;
use reqwest::header::{AUTHORIZATION, CACHE_CONTROL, CONTENT_LENGTH, CONTENT_TYPE};
use reqwest::{Method, Response};
use serde_json::{json, Value};

use crate::accounts::answer;
use crate::ws::{
    assert_http, assert_http_refused, create_room, enter, notice_of, on_room, room_call, user, User, WAIT,
};
use crate::{chatroom, spawn_app};

const BOUNDARY: &str = "chatroom-image-boundary-4hV7q";

/// A complete 1×1 PNG: signature, IHDR, IDAT and IEND with their CRCs.
const PNG: &[u8] = &[
    0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0x00, 0x00, 0x00, 0x0D, 0x49, 0x48, 0x44, 0x52, 0x00, 0x00, 0x00,
    0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06, 0x00, 0x00, 0x00, 0x1F, 0x15, 0xC4, 0x89, 0x00, 0x00, 0x00, 0x0D, 0x49,
    0x44, 0x41, 0x54, 0x78, 0x9C, 0x63, 0x00, 0x01, 0x00, 0x00, 0x05, 0x00, 0x01, 0x0D, 0x0A, 0x2D, 0xB4, 0x00, 0x00,
    0x00, 0x00, 0x49, 0x45, 0x4E, 0x44, 0xAE, 0x42, 0x60, 0x82,
];

/// `POST /room/sendImg?params` as `caller` with the file `bytes` in `Img` (named
/// `file_name`) and the form fields `fields`, as a browser would send it.
async fn send_img(
    app: &TestApp,
    caller: &User,
    params: &[(&str, &str)],
    fields: &[(&str, &str)],
    file_name: &str,
    bytes: &[u8],
) -> Response {
    let mut body = Vec::new();
    for (name, value) in fields {
        let part = format!("--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n");
        body.extend_from_slice(part.as_bytes());
    }
    let head = format!(
        "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"Img\"; filename=\"{file_name}\"\r\n\
         Content-Type: image/png\r\n\r\n"
    );
    body.extend_from_slice(head.as_bytes());
    body.extend_from_slice(bytes);
    body.extend_from_slice(format!("\r\n--{BOUNDARY}--\r\n").as_bytes());
    let request = app.client.post(app.url("/room/sendImg")).query(params);
    let request = request.header(AUTHORIZATION, format!("Bearer {}", caller.token));
    let request = request.header(CONTENT_TYPE, format!("multipart/form-data; boundary={BOUNDARY}"));
    request.body(body).send().await.expect("sending an image")
}

/// The `Msg` of a successful sendImg: `(url, seq)`.
async fn sent(response: Response) -> (String, i64) {
    let (status, _, err) = answer(response).await;
    assert_eq!((status, &err["Code"], &err["Notice"]), (200, &json!(0), &json!("发送成功")), "{err}");
    let url = err["Msg"]["url"].as_str().unwrap_or_else(|| panic!("no url in {err}")).to_owned();
    (url, err["Msg"]["seq"].as_i64().unwrap_or_else(|| panic!("no seq in {err}")))
}

/// The next image frame of `client`, asserting W4's shape.
async fn image_frame(client: &mut WsClient, from: &User, url: &str, seq: i64) -> Value {
    let frame = client.next_of_type("image", WAIT).await;
    let expected = json!({
        "type": "image", "roomId": "r1", "seq": seq,
        "from": {"userId": from.id(), "userName": from.account.name},
        "url": url, "contentType": "image/png", "sentAt": frame["sentAt"],
    });
    assert_eq!(frame, expected, "W4");
    assert!(frame["sentAt"].is_string(), "{frame}");
    frame
}

#[tokio::test]
async fn s6_a_png_reaches_every_member_as_an_image_frame_and_is_served_back_byte_for_byte() {
    let app = spawn_app().await;
    let (alice, bob) = (user(&app, "alice").await, user(&app, "bob").await);
    let (mut alice_ws, _) = create_room(&app, &alice, "r1", 5, true).await;
    let (mut bob_ws, _) = enter(&app, &bob, "r1").await;

    let (url, seq) = sent(send_img(&app, &bob, &[("roomId", "r1")], &[], "dot.png", PNG).await).await;
    assert!(url.strip_prefix("/images/").is_some_and(|id| id.len() == 32), "{url}");
    assert_eq!(seq, 3, "after the two joins (R13)");
    let seen_by_alice = image_frame(&mut alice_ws, &bob, &url, seq).await;
    assert_eq!(image_frame(&mut bob_ws, &bob, &url, seq).await, seen_by_alice, "W13: the sender gets it too");

    let response = app.get(&url).await;
    assert_eq!(response.status(), 200);
    let header = |name| response.headers().get(name).and_then(|v| v.to_str().ok()).map(str::to_owned);
    assert_eq!(header(CONTENT_TYPE.as_str()).as_deref(), Some("image/png"));
    assert_eq!(header("x-content-type-options").as_deref(), Some("nosniff"));
    assert_eq!(header(CACHE_CONTROL.as_str()).as_deref(), Some("public, max-age=31536000, immutable"));
    assert_eq!(response.bytes().await.unwrap().as_ref(), PNG, "the same bytes");
}

#[tokio::test]
async fn send_img_names_the_room_in_the_form_or_not_at_all_for_a_member_of_one_room() {
    let app = spawn_app().await;
    let alice = user(&app, "alice").await;
    let (mut ws, _) = create_room(&app, &alice, "r1", 5, true).await;
    let (url, seq) = sent(send_img(&app, &alice, &[], &[], "a.png", PNG).await).await;
    image_frame(&mut ws, &alice, &url, seq).await;
    let name = crate::ws::room_name("r1");
    let (url, seq) = sent(send_img(&app, &alice, &[], &[("roomName", &name)], "b.png", PNG).await).await;
    image_frame(&mut ws, &alice, &url, seq).await;

    let _second = create_room(&app, &alice, "r2", 5, true).await;
    let response = send_img(&app, &alice, &[], &[], "c.png", PNG).await;
    let (status, _, err) = answer(response).await;
    assert_eq!((status, &err["Code"]), (400, &json!(1001)), "two rooms, none named: {err}");
    assert!(err["Notice"].as_str().is_some_and(|n| n.contains("roomName")), "{err}");
}

#[tokio::test]
async fn s6_e1301_a_text_file_named_png_and_r9_e2004_a_non_member_are_refused() {
    let app = spawn_app().await;
    let (alice, carol) = (user(&app, "alice").await, user(&app, "carol").await);
    let (mut ws, _) = create_room(&app, &alice, "r1", 5, true).await;
    let text = send_img(&app, &alice, &[("roomId", "r1")], &[], "cat.png", b"I am not a picture").await;
    assert_http(text, 415, 1301, "图片格式不支持", "仅支持 PNG、JPEG、GIF、WebP").await;
    let stranger = send_img(&app, &carol, &[("roomId", "r1")], &[], "dot.png", PNG).await;
    assert_http(stranger, 403, 2004, "用户不在房间内", "不在房间内无法发送图片").await;
    let nowhere = send_img(&app, &alice, &[("roomId", "nope")], &[], "dot.png", PNG).await;
    assert_http_refused(nowhere, 404, 2001, "房间不存在").await;
    ws.expect_none_of_type("image", std::time::Duration::from_millis(300)).await;
}

#[tokio::test]
async fn e1302_an_image_over_images_max_bytes_is_413_whether_the_body_fits_the_form_allowance_or_not() {
    let app = chatroom().env("CHATROOM__IMAGES__MAX_BYTES", "1024").spawn().await;
    let alice = user(&app, "alice").await;
    let _room = create_room(&app, &alice, "r1", 5, true).await;
    let mut image = PNG.to_vec();
    image.resize(1024, 0);
    let (_, seq) = sent(send_img(&app, &alice, &[("roomId", "r1")], &[], "max.png", &image).await).await;
    assert_eq!(seq, 2, "exactly images.max_bytes is accepted");
    image.push(0);
    let just_over = send_img(&app, &alice, &[("roomId", "r1")], &[], "big.png", &image).await;
    assert_http_refused(just_over, 413, 1302, "图片过大").await;
    image.resize(200 * 1024, 0);
    let far_over = send_img(&app, &alice, &[("roomId", "r1")], &[], "huge.png", &image).await;
    assert_http_refused(far_over, 413, 1302, "图片过大").await;
}

#[tokio::test]
async fn dissolving_a_room_deletes_its_images() {
    let app = spawn_app().await;
    let alice = user(&app, "alice").await;
    let _room = create_room(&app, &alice, "r1", 5, true).await;
    let (url, _) = sent(send_img(&app, &alice, &[("roomId", "r1")], &[], "dot.png", PNG).await).await;
    assert_eq!(app.get(&url).await.status(), 200);
    assert_eq!(notice_of(on_room(&app, Method::DELETE, "/room/dissolve", &alice, "r1").await).await, "解散成功");
    assert_http_refused(app.get(&url).await, 404, 1304, "图片不存在").await;
    assert_http_refused(app.get("/images/0123456789abcdef0123456789abcdef").await, 404, 1304, "图片不存在").await;
}

/// `GET /room/messages?roomId=r1&params` as `caller`: the seqs and `hasMore`.
async fn page(app: &TestApp, caller: &User, params: &[(&str, &str)]) -> (Vec<i64>, bool) {
    let params: Vec<(&str, &str)> = [("roomId", "r1")].into_iter().chain(params.iter().copied()).collect();
    let notice = notice_of(room_call(app, Method::GET, "/room/messages", &params, &caller.token).await).await;
    let messages = notice["messages"].as_array().unwrap_or_else(|| panic!("no messages in {notice}"));
    let seqs = messages.iter().map(|m| m["seq"].as_i64().unwrap_or_else(|| panic!("no seq in {m}"))).collect();
    (seqs, notice["hasMore"].as_bool().unwrap_or_else(|| panic!("no hasMore in {notice}")))
}

#[tokio::test]
async fn r9_history_pages_with_before_after_and_limit_as_the_websocket_frames_and_only_for_members() {
    let app = spawn_app().await;
    let (alice, carol) = (user(&app, "alice").await, user(&app, "carol").await);
    let (mut ws, opening) = create_room(&app, &alice, "r1", 5, true).await;
    let mut live = opening.replay.clone();
    for n in 1..=4 {
        ws.send_json(&json!({"type": "message", "content": format!("m{n}"), "clientMsgId": format!("c{n}")})).await;
        ws.next_of_type("ack", WAIT).await;
        live.push(ws.next_of_type("message", WAIT).await);
    }
    let (url, _) = sent(send_img(&app, &alice, &[("roomId", "r1")], &[], "dot.png", PNG).await).await;
    live.push(image_frame(&mut ws, &alice, &url, 6).await);

    let all = notice_of(room_call(&app, Method::GET, "/room/messages", &[("roomId", "r1")], &alice.token).await).await;
    assert_eq!(all, json!({"messages": live, "hasMore": false}), "W3–W5: history items are the live frames");
    assert_eq!(page(&app, &alice, &[("limit", "2")]).await, (vec![5, 6], true));
    assert_eq!(page(&app, &alice, &[("before", "5"), ("limit", "2")]).await, (vec![3, 4], true));
    assert_eq!(page(&app, &alice, &[("before", "3"), ("limit", "2")]).await, (vec![1, 2], false));
    assert_eq!(page(&app, &alice, &[("after", "4"), ("limit", "1")]).await, (vec![5], true));
    assert_eq!(page(&app, &alice, &[("after", "4")]).await, (vec![5, 6], false));
    let name = crate::ws::room_name("r1");
    let params = [("roomName", name.as_str()), ("limit", "1")];
    let by_name = room_call(&app, Method::GET, "/room/messages", &params, &alice.token).await;
    assert_eq!(notice_of(by_name).await["messages"][0]["seq"], 6);

    let params = [("roomId", "r1"), ("limit", "201")];
    let (status, _, err) = answer(room_call(&app, Method::GET, "/room/messages", &params, &alice.token).await).await;
    assert_eq!((status, &err["Code"]), (400, &json!(1001)), "{err}");
    assert!(err["Notice"].as_str().is_some_and(|n| n.contains("limit")), "{err}");
    let stranger = room_call(&app, Method::GET, "/room/messages", &[("roomId", "r1")], &carol.token).await;
    assert_http(stranger, 403, 2004, "用户不在房间内", "用户不在房间内，无权限查找").await;
}

/// Sends the head of a 5 MiB upload and a first kilobyte of its body, then waits
/// for an answer without sending the rest.
async fn answer_to_a_body_never_sent(app: &TestApp, authorization: Option<&str>) -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut stream = tokio::net::TcpStream::connect(app.address).await.unwrap();
    let authorization = authorization.map(|value| format!("Authorization: {value}\r\n")).unwrap_or_default();
    let head = format!(
        "POST /room/sendImg HTTP/1.1\r\nHost: {}\r\n{authorization}Content-Type: multipart/form-data; \
         boundary={BOUNDARY}\r\nContent-Length: {}\r\n\r\n",
        app.address,
        5 * 1024 * 1024
    );
    stream.write_all(head.as_bytes()).await.unwrap();
    stream.write_all(&[b'x'; 1024]).await.unwrap();
    let mut answer = vec![0; 4096];
    let read = tokio::time::timeout(WAIT, stream.read(&mut answer)).await;
    let n = read.expect("S9: the server waited for the body instead of answering").unwrap();
    String::from_utf8_lossy(&answer[..n]).into_owned()
}

#[tokio::test]
async fn s9_an_upload_without_a_valid_token_is_refused_before_its_body_is_read() {
    let app = spawn_app().await;
    for authorization in [None, Some("Bearer not-a-token")] {
        let answer = answer_to_a_body_never_sent(&app, authorization).await;
        assert!(answer.starts_with("HTTP/1.1 401"), "{authorization:?}: {answer}");
        assert!(answer.contains("\"Code\":1002"), "{authorization:?}: {answer}");
    }
}

#[tokio::test]
async fn s10_e1202_an_author_who_posted_images_per_minute_is_refused_with_retry_after() {
    let app = chatroom().env("CHATROOM__IMAGES__PER_MINUTE", "2").spawn().await;
    let alice = user(&app, "alice").await;
    let bob = user(&app, "bob").await;
    let (_ws, _) = create_room(&app, &alice, "r1", 5, true).await;
    let (_bob_ws, _) = enter(&app, &bob, "r1").await;
    let text = send_img(&app, &alice, &[("roomId", "r1")], &[], "a.txt", b"not an image").await;
    assert_eq!(text.status(), 415, "a refused upload does not count");
    sent(send_img(&app, &alice, &[("roomId", "r1")], &[], "a.png", PNG).await).await;
    sent(send_img(&app, &alice, &[("roomId", "r1")], &[], "b.png", PNG).await).await;

    let refused = send_img(&app, &alice, &[("roomId", "r1")], &[], "c.png", PNG).await;

    let wait = refused.headers().get("retry-after").and_then(|v| v.to_str().ok()?.parse::<u64>().ok());
    assert!(wait.is_some_and(|w| (1..=60).contains(&w)), "Retry-After within the minute: {wait:?}");
    assert_http(refused, 429, 1202, "上传过于频繁", "上传过于频繁，请稍后再试").await;
    sent(send_img(&app, &bob, &[("roomId", "r1")], &[], "d.png", PNG).await).await;
}

#[tokio::test]
async fn s10_an_image_of_the_full_5_mib_is_streamed_back_byte_for_byte_with_its_content_length() {
    let app = spawn_app().await;
    let alice = user(&app, "alice").await;
    let (_ws, _) = create_room(&app, &alice, "r1", 5, true).await;
    let mut big = PNG.to_vec();
    big.extend((0..5 * 1024 * 1024 - PNG.len()).map(|i| (i % 251) as u8));

    let (url, _) = sent(send_img(&app, &alice, &[("roomId", "r1")], &[], "big.png", &big).await).await;
    let response = app.get(&url).await;

    assert_eq!(response.status(), 200);
    let length = response.headers().get(CONTENT_LENGTH).and_then(|v| v.to_str().ok()?.parse::<usize>().ok());
    assert_eq!(length, Some(big.len()), "Content-Length");
    assert_eq!(response.headers().get(CONTENT_TYPE).and_then(|v| v.to_str().ok()), Some("image/png"));
    assert!(response.headers().get("transfer-encoding").is_none(), "a known length is not sent chunked");
    let served = response.bytes().await.unwrap();
    assert!(
        served.as_ref() == big.as_slice(),
        "{} bytes served, differing from the {} posted",
        served.len(),
        big.len()
    );
}
