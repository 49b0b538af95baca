//! `POST /room/sendImg` and `GET /images/{id}` over a mocked messaging service:
//! what reaches the service from the multipart form and the query,
//! the answers (SPEC §6), the refusals (E1301, E1302, E2004, E1001, E1006, E1304),
//! the image limit of the body-limit layer, and the served bytes' headers (S6).

use std::collections::BTreeSet;
use std::sync::{Arc, Mutex};

use chatroom_domain::ids::RoomId as Id;
use chatroom_domain::ids::{ImageId, RoomId, Seq};
use chatroom_domain::message::ports::MockMessageService;
use chatroom_domain::message::{Image, PostImageError};
use chatroom_domain::room::{RoomName, RoomSelector};
use chatroom_domain::timeline::{EventKind, ImageChunks, ImageType, RoomEvent, Sender};
use chatroom_domain::user::UserName;
use chatroom_domain::validation::{InvalidInput, Rule};
use poem::endpoint::BoxEndpoint;
use poem::http::{header, StatusCode};
use poem::test::{TestClient, TestRequestBuilder};
use serde_json::{json, Value};
use time::macros::datetime;

use super::rooms::{accounts, assert_invalid, assert_refused, by_id, by_name, send, zhy};
use super::{envelope, services};
use crate::app::{routes, ApiConfig};

/// An image id as the id generator makes them.
const ID: &str = "0123456789abcdef0123456789abcdef";

/// The PNG signature and the start of an IHDR chunk: enough for S6's sniffing.
const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x06\0\0\0";

const BOUNDARY: &str = "XyZ";

/// The application over `messages`, with the accounts of the room tests.
fn client_with(messages: MockMessageService, config: ApiConfig) -> TestClient<BoxEndpoint<'static>> {
    let mut services = services(Ok(()));
    services.accounts = Arc::new(accounts());
    services.messages = Arc::new(messages);
    TestClient::new(routes(services, config))
}

fn client(messages: MockMessageService) -> TestClient<BoxEndpoint<'static>> {
    client_with(messages, ApiConfig::default())
}

/// A multipart body of `(name, file name, bytes)` parts.
fn multipart(parts: &[(&str, Option<&str>, &[u8])]) -> Vec<u8> {
    let mut body = Vec::new();
    for (name, file_name, bytes) in parts {
        let file = file_name.map(|f| format!("; filename=\"{f}\"\r\nContent-Type: application/octet-stream"));
        let head = format!(
            "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{name}\"{}\r\n\r\n",
            file.unwrap_or_default()
        );
        body.extend_from_slice(head.as_bytes());
        body.extend_from_slice(bytes);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{BOUNDARY}--\r\n").as_bytes());
    body
}

/// `POST /room/sendImg?query` with `body` as a multipart form.
fn send_img<'a>(
    cli: &'a TestClient<BoxEndpoint<'static>>,
    query: &str,
    body: Vec<u8>,
) -> TestRequestBuilder<'a, BoxEndpoint<'static>> {
    cli.post(format!("/room/sendImg{query}"))
        .content_type(format!("multipart/form-data; boundary={BOUNDARY}"))
        .body(body)
}

/// The event `post_image` answers: image `ID` in room `r1` with seq 7.
fn image_event() -> RoomEvent {
    let from = Sender { id: zhy(), name: UserName::parse("zhy").unwrap() };
    RoomEvent {
        room_id: RoomId::parse("r1").unwrap(),
        seq: Seq::new(7),
        at: datetime!(2026-11-24 10:00 UTC),
        kind: EventKind::Image { from, image: ImageId::parse(ID).unwrap(), image_type: ImageType::Png },
    }
}

/// A service whose `post_image` fails with `error` (built fresh for each call).
fn refusing(error: impl Fn() -> PostImageError + Send + 'static) -> MockMessageService {
    let mut messages = MockMessageService::new();
    messages.expect_post_image().returning(move |_, _, _| Err(error()));
    messages
}

fn never_posting() -> MockMessageService {
    let mut messages = MockMessageService::new();
    messages.expect_post_image().never();
    messages
}

#[tokio::test]
async fn s6_send_img_passes_the_caller_the_room_and_the_bytes_and_answers_the_url_and_seq() {
    let mut messages = MockMessageService::new();
    messages
        .expect_post_image()
        .withf(|author, room, bytes| author.id == zhy() && *room == Some(by_id("r1")) && bytes == PNG)
        .times(2)
        .returning(|_, _, _| Ok(image_event()));
    let cli = client(messages);
    let body = || multipart(&[("roomId", None, b"r1"), ("Img", Some("cat.png"), PNG)]);
    let resp = send(send_img(&cli, "", body())).await;
    resp.assert_status_is_ok();
    let msg = json!({"url": format!("/images/{ID}"), "seq": 7});
    assert_eq!(envelope(resp).await, json!({"err": {"Code": 0, "Msg": msg, "Notice": "发送成功"}}));
    let resp = send(send_img(&cli, "", body()).header(header::ACCEPT_LANGUAGE, "en")).await;
    assert_eq!(envelope(resp).await, json!({"err": {"Code": 0, "Msg": msg, "Notice": "Sent"}}));
}

#[tokio::test]
async fn send_img_reads_the_room_from_the_query_or_the_form_and_passes_none_when_neither_names_one() {
    let seen: Arc<Mutex<Vec<Option<RoomSelector>>>> = Arc::default();
    let sink = Arc::clone(&seen);
    let mut messages = MockMessageService::new();
    messages.expect_post_image().returning(move |_, room, _| {
        sink.lock().unwrap().push(room);
        Ok(image_event())
    });
    let cli = client(messages);
    let img = || ("Img", Some("a.png"), PNG);
    send(send_img(&cli, "?roomName=go", multipart(&[img()]))).await.assert_status_is_ok();
    let form = multipart(&[img(), ("roomName", None, "房间".as_bytes())]);
    send(send_img(&cli, "?roomName=go", form)).await.assert_status_is_ok();
    send(send_img(&cli, "?roomId=q", multipart(&[("roomName", None, b"go"), img()]))).await.assert_status_is_ok();
    send(send_img(&cli, "", multipart(&[img()]))).await.assert_status_is_ok();
    let both = RoomSelector::Both(Id::parse("q").unwrap(), RoomName::parse("go").unwrap());
    assert_eq!(*seen.lock().unwrap(), vec![Some(by_name("go")), Some(by_name("房间")), Some(both), None]);
}

#[tokio::test]
async fn s6_e1301_a_file_that_is_not_an_image_by_its_bytes_is_refused_with_415() {
    let resp = send(send_img(
        &client(refusing(|| PostImageError::UnsupportedType)),
        "?roomName=go",
        multipart(&[("Img", Some("text.png"), b"hello")]),
    ))
    .await;
    assert_refused(resp, StatusCode::UNSUPPORTED_MEDIA_TYPE, 1301, "图片格式不支持", "仅支持 PNG、JPEG、GIF、WebP")
        .await;
}

#[tokio::test]
async fn e1302_an_image_over_images_max_bytes_is_refused_with_413() {
    let resp = send(send_img(
        &client(refusing(|| PostImageError::TooLarge)),
        "?roomName=go",
        multipart(&[("Img", Some("big.png"), PNG)]),
    ))
    .await;
    assert_refused(resp, StatusCode::PAYLOAD_TOO_LARGE, 1302, "图片过大", "图片过大").await;
}

#[tokio::test]
async fn r9_e2004_a_non_member_cannot_send_an_image_and_gets_the_seed_notice() {
    let resp = send(send_img(
        &client(refusing(|| PostImageError::NotMember)),
        "?roomName=go",
        multipart(&[("Img", Some("a.png"), PNG)]),
    ))
    .await;
    assert_refused(resp, StatusCode::FORBIDDEN, 2004, "用户不在房间内", "不在房间内无法发送图片").await;
}

#[tokio::test]
async fn e2001_and_e1001_from_the_domain_are_answered_as_such() {
    let cli = client(refusing(|| PostImageError::NotFound));
    let resp = send(send_img(&cli, "?roomName=nowhere", multipart(&[("Img", Some("a.png"), PNG)]))).await;
    assert_refused(resp, StatusCode::NOT_FOUND, 2001, "房间不存在", "房间不存在").await;
    let cli = client(refusing(|| InvalidInput::new("roomName", Rule::Required).into()));
    assert_invalid(send(send_img(&cli, "", multipart(&[("Img", Some("a.png"), PNG)]))).await, "roomName").await;
}

#[tokio::test]
async fn e1001_a_form_without_img_is_refused_naming_img_before_the_service() {
    let resp = send(send_img(&client(never_posting()), "?roomName=go", multipart(&[("roomId", None, b"r1")]))).await;
    assert_invalid(resp, "Img").await;
}

#[tokio::test]
async fn e1006_a_body_that_is_not_a_multipart_form_is_refused() {
    let cli = client(never_posting());
    let resp = send(cli.post("/room/sendImg?roomName=go").body_json(&json!({"Img": "aGVsbG8="}))).await;
    assert_refused(resp, StatusCode::UNSUPPORTED_MEDIA_TYPE, 1006, "不支持的内容类型", "不支持的内容类型").await;
}

#[tokio::test]
async fn e1002_send_img_needs_a_token() {
    let cli = client(never_posting());
    let resp = send_img(&cli, "?roomName=go", multipart(&[("Img", Some("a.png"), PNG)])).send().await;
    assert_refused(resp, StatusCode::UNAUTHORIZED, 1002, "请求头中的token为空", "登录失败").await;
}

#[tokio::test]
async fn e1302_not_e1007_for_a_send_img_body_over_the_image_limit_declared_or_streamed() {
    let config = ApiConfig { max_body_bytes: 100, max_image_bytes: 1_000, ..ApiConfig::default() };
    let cli = client_with(never_posting(), config);
    let body = multipart(&[("Img", Some("a.png"), &[0x89; 1_200])]);
    let declared = send_img(&cli, "?roomName=go", body.clone()).header(header::CONTENT_LENGTH, body.len());
    assert_refused(send(declared).await, StatusCode::PAYLOAD_TOO_LARGE, 1302, "图片过大", "图片过大").await;
    let streamed = send(send_img(&cli, "?roomName=go", body)).await;
    assert_refused(streamed, StatusCode::PAYLOAD_TOO_LARGE, 1302, "图片过大", "图片过大").await;
    // Every other route keeps the JSON/form limit and its E1007.
    let other = cli.put("/room/update?roomName=go").content_type("application/json").body(vec![b' '; 101]);
    let resp = send(other.header(header::CONTENT_LENGTH, 101)).await;
    assert_refused(resp, StatusCode::PAYLOAD_TOO_LARGE, 1007, "请求体过大", "请求体过大").await;
}

#[tokio::test]
async fn send_img_takes_an_image_of_the_full_limit_with_its_form_around_it() {
    let mut messages = MockMessageService::new();
    messages.expect_post_image().withf(|_, _, bytes| bytes.len() == 1_000).returning(|_, _, _| Ok(image_event()));
    let config = ApiConfig { max_body_bytes: 200, max_image_bytes: 1_000, ..ApiConfig::default() };
    let cli = client_with(messages, config);
    let mut image = PNG.to_vec();
    image.resize(1_000, 0);
    let body = multipart(&[("roomName", None, b"go"), ("Img", Some("a.png"), &image)]);
    let resp = send(send_img(&cli, "", body.clone()).header(header::CONTENT_LENGTH, body.len())).await;
    resp.assert_status_is_ok();
}

/// Bytes handed out a few at a time, as a store streams a file.
struct Pieces(std::collections::VecDeque<Vec<u8>>);

#[async_trait::async_trait]
impl ImageChunks for Pieces {
    async fn next_chunk(&mut self) -> anyhow::Result<Option<Vec<u8>>> {
        Ok(self.0.pop_front())
    }
}

/// `bytes` as the service hands an image out: the first 4 bytes read, the rest
/// in pieces of 3.
fn image_of(image_type: ImageType, bytes: &[u8]) -> Image {
    let (head, rest) = bytes.split_at(bytes.len().min(4));
    Image {
        image_type,
        len: bytes.len() as u64,
        head: head.to_vec(),
        rest: Box::new(Pieces(rest.chunks(3).map(<[u8]>::to_vec).collect())),
    }
}

/// A service holding an image of `image_type` under `ID` only.
fn serving(image_type: ImageType, bytes: &'static [u8]) -> MockMessageService {
    let mut messages = MockMessageService::new();
    messages.expect_image().returning(move |id| Ok((id.as_str() == ID).then(|| image_of(image_type, bytes))));
    messages
}

#[tokio::test]
async fn s6_get_image_answers_the_png_bytes_with_their_type_nosniff_and_a_year_of_cache_without_a_token() {
    let cli = client(serving(ImageType::Png, PNG));
    let resp = cli.get(format!("/images/{ID}")).send().await;
    resp.assert_status_is_ok();
    resp.assert_content_type("image/png");
    resp.assert_header(header::X_CONTENT_TYPE_OPTIONS, "nosniff");
    resp.assert_header(header::CACHE_CONTROL, "public, max-age=31536000, immutable");
    resp.assert_header(header::CONTENT_LENGTH, PNG.len().to_string());
    assert_eq!(resp.0.into_body().into_vec().await.unwrap(), PNG, "S10: every piece of the stream, in order");
}

#[tokio::test]
async fn s6_the_served_content_type_is_the_one_of_the_stored_bytes() {
    for (bytes, image_type, mime) in [
        (&[0xFF, 0xD8, 0xFF, 0xE0][..], ImageType::Jpeg, "image/jpeg"),
        (b"GIF89a..", ImageType::Gif, "image/gif"),
        (b"RIFF\0\0\0\0WEBPVP8 ", ImageType::Webp, "image/webp"),
    ] {
        let cli = client(serving(image_type, bytes));
        let resp = cli.get(format!("/images/{ID}")).send().await;
        resp.assert_content_type(mime);
    }
}

#[tokio::test]
async fn e1304_an_unknown_image_is_404_in_the_envelope() {
    let cli = client(serving(ImageType::Png, PNG));
    let resp = cli.get("/images/ffffffffffffffffffffffffffffffff").send().await;
    assert_refused(resp, StatusCode::NOT_FOUND, 1304, "图片不存在", "图片不存在").await;
}

#[tokio::test]
async fn s6_e1304_a_malformed_id_never_reaches_the_service() {
    let mut messages = MockMessageService::new();
    messages.expect_image().never();
    let cli = client(messages);
    for id in ["0123456789ABCDEF0123456789ABCDEF", "..%2F..%2Fetc%2Fpasswd", "abc"] {
        let resp = cli.get(format!("/images/{id}")).send().await;
        assert_refused(resp, StatusCode::NOT_FOUND, 1304, "图片不存在", "图片不存在").await;
    }
}

#[tokio::test]
async fn e5000_a_failing_read_answers_no_detail() {
    let mut messages = MockMessageService::new();
    messages.expect_image().returning(|_| Err(anyhow::anyhow!("disk on fire")));
    let cli = client(messages);
    let resp = cli.get(format!("/images/{ID}")).send().await;
    assert_refused(resp, StatusCode::INTERNAL_SERVER_ERROR, 5000, "系统错误", "系统错误").await;
}

fn statuses(operation: &Value) -> BTreeSet<&str> {
    operation["responses"].as_object().unwrap().keys().map(String::as_str).collect()
}

#[tokio::test]
async fn the_document_describes_send_img_and_the_image_route_with_their_refusals_by_status() {
    let document: Value = serde_json::from_str(&crate::openapi_json()).unwrap();
    let send_img = &document["paths"]["/room/sendImg"]["post"];
    assert_eq!(send_img["operationId"], "sendImg");
    assert_eq!(send_img["tags"], json!(["Rooms"]));
    assert!(send_img["security"].is_array(), "{send_img}");
    let expected = ["200", "400", "401", "403", "404", "413", "415", "429", "500", "default"];
    assert_eq!(statuses(send_img), expected.into_iter().collect());
    for (status, code) in [("413", "1302"), ("415", "1301"), ("415", "1006"), ("403", "2004"), ("429", "1202")] {
        let description = send_img["responses"][status]["description"].as_str().unwrap();
        assert!(description.contains(code), "{status}: {description}");
    }
    assert!(!send_img["responses"]["413"]["description"].as_str().unwrap().contains("1007"));
    let form = &send_img["requestBody"]["content"]["multipart/form-data"]["schema"];
    assert_eq!(form["required"], json!(["Img"]), "{form}");
    assert_eq!(form["properties"]["Img"]["format"], "binary", "{form}");
    let msg = &document["components"]["schemas"]["SentImage"]["properties"];
    assert!(msg["url"].is_object() && msg["seq"].is_object(), "{msg}");

    let image = &document["paths"]["/images/{id}"]["get"];
    assert_eq!(image["operationId"], "image");
    assert!(image.get("security").is_none(), "public: {image}");
    assert_eq!(statuses(image), ["200", "404", "500", "default"].into_iter().collect());
    let found = &image["responses"]["200"];
    let types: BTreeSet<&str> = found["content"].as_object().unwrap().keys().map(String::as_str).collect();
    assert_eq!(types, ["image/gif", "image/jpeg", "image/png", "image/webp"].into_iter().collect());
    assert!(found["headers"]["X-Content-Type-Options"].is_object() && found["headers"]["Cache-Control"].is_object());
    assert!(image["responses"]["404"]["description"].as_str().unwrap().contains("1304"));
}
