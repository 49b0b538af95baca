//! The application as a client sees it: every answer has the envelope, also the
//! ones poem and poem-openapi produce (SPEC §4, §5).

mod history;
mod images;
mod live;
mod probe;
mod rooms;
mod users;

use std::sync::Arc;

use async_trait::async_trait;
use chatroom_domain::account::ports::MockAccountService;
use chatroom_domain::live::ports::MockLiveService;
use chatroom_domain::message::ports::MockMessageService;
use chatroom_domain::room::ports::MockRoomService;
use poem::http::{header, StatusCode};
use poem::test::{TestClient, TestResponse};
use serde_json::{json, Value};

use super::*;

/// A readiness check with a fixed answer.
struct FixedReadiness(Result<(), String>);

#[async_trait]
impl Readiness for FixedReadiness {
    async fn check(&self) -> Result<(), String> {
        self.0.clone()
    }
}

/// Services whose mocks panic when called: the probes and fallbacks tested here
/// call none, and each resource's tests put in the mocks they expect to call.
fn services(readiness: Result<(), String>) -> ApiServices {
    ApiServices {
        accounts: Arc::new(MockAccountService::new()),
        rooms: Arc::new(MockRoomService::new()),
        messages: Arc::new(MockMessageService::new()),
        live: Arc::new(MockLiveService::new()),
        shutdown: tokio::sync::watch::channel(false).1,
        // No writer runs: what sessions report is dropped.
        deliveries: Deliveries::new(Arc::new(MockLiveService::new())).0,
        readiness: Arc::new(FixedReadiness(readiness)),
    }
}

fn client(config: ApiConfig) -> TestClient<BoxEndpoint<'static>> {
    TestClient::new(routes(services(Ok(())), config))
}

async fn envelope(resp: TestResponse) -> Value {
    resp.0.into_body().into_json::<Value>().await.unwrap()
}

#[tokio::test]
async fn healthz_answers_code_0_with_notice_ok() {
    let resp = client(ApiConfig::default()).get("/healthz").send().await;
    resp.assert_status_is_ok();
    assert_eq!(envelope(resp).await, json!({"err": {"Code": 0, "Msg": "", "Notice": "ok"}}));
}

#[tokio::test]
async fn readyz_answers_code_0_when_the_dependencies_answer() {
    let resp = client(ApiConfig::default()).get("/readyz").send().await;
    resp.assert_status_is_ok();
    assert_eq!(envelope(resp).await["err"]["Code"], 0);
}

#[tokio::test]
async fn readyz_answers_e5003_when_the_database_is_down() {
    let down = services(Err("database unreachable".to_owned()));
    let resp = TestClient::new(routes(down, ApiConfig::default())).get("/readyz").send().await;
    resp.assert_status(StatusCode::SERVICE_UNAVAILABLE);
    let body = envelope(resp).await;
    assert_eq!(body, json!({"err": {"Code": 5003, "Msg": "服务暂不可用", "Notice": "服务暂不可用"}}));
}

#[tokio::test]
async fn e1004_unknown_route_has_the_envelope() {
    let resp = client(ApiConfig::default()).get("/no/such/route").send().await;
    resp.assert_status(StatusCode::NOT_FOUND);
    assert_eq!(envelope(resp).await, json!({"err": {"Code": 1004, "Msg": "接口不存在", "Notice": "接口不存在"}}));
}

#[tokio::test]
async fn e1004_unknown_page_under_docs_has_the_envelope() {
    let resp = client(ApiConfig::default()).get("/docs/nothing-here").send().await;
    resp.assert_status(StatusCode::NOT_FOUND);
    assert_eq!(envelope(resp).await["err"]["Code"], 1004);
}

#[tokio::test]
async fn e1005_wrong_method_lists_allowed_methods() {
    let resp = client(ApiConfig::default()).post("/healthz").send().await;
    resp.assert_status(StatusCode::METHOD_NOT_ALLOWED);
    resp.assert_header(header::ALLOW, "GET, HEAD");
    assert_eq!(envelope(resp).await, json!({"err": {"Code": 1005, "Msg": "方法不允许", "Notice": "方法不允许"}}));
}

#[tokio::test]
async fn e1005_wrong_method_on_the_document_lists_allowed_methods() {
    let resp = client(ApiConfig::default()).delete("/openapi.json").send().await;
    resp.assert_status(StatusCode::METHOD_NOT_ALLOWED);
    resp.assert_header(header::ALLOW, "GET, HEAD");
    assert_eq!(envelope(resp).await["err"]["Code"], 1005);
}

#[tokio::test]
async fn e1007_body_over_64_kib_is_refused_before_routing() {
    let body = vec![b'x'; 64 * 1024 + 1];
    let resp = client(ApiConfig::default())
        .post("/healthz")
        .header(header::CONTENT_LENGTH, body.len())
        .content_type("application/json")
        .body(body)
        .send()
        .await;
    resp.assert_status(StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(envelope(resp).await, json!({"err": {"Code": 1007, "Msg": "请求体过大", "Notice": "请求体过大"}}));
}

#[tokio::test]
async fn legacy_status_200_answers_200_with_the_catalogue_code() {
    let legacy = ApiConfig { legacy_status_200: true, ..ApiConfig::default() };
    let cli = TestClient::new(routes(services(Err("down".to_owned())), legacy));
    for (resp, code) in [
        (cli.get("/nowhere").send().await, 1004),
        (cli.post("/healthz").send().await, 1005),
        (cli.get("/readyz").send().await, 5003),
    ] {
        resp.assert_status_is_ok();
        assert_eq!(envelope(resp).await["err"]["Code"], code);
    }
}

#[tokio::test]
async fn accept_language_en_gives_english_texts() {
    let cli = client(ApiConfig::default());
    let resp = cli.get("/nowhere").header(header::ACCEPT_LANGUAGE, "en-US,en;q=0.9").send().await;
    resp.assert_status(StatusCode::NOT_FOUND);
    let body = envelope(resp).await;
    assert_eq!(body, json!({"err": {"Code": 1004, "Msg": "No such endpoint", "Notice": "No such endpoint"}}));
}

#[tokio::test]
async fn accept_language_preferring_chinese_keeps_the_seed_texts() {
    let cli = client(ApiConfig::default());
    let resp = cli.get("/nowhere").header(header::ACCEPT_LANGUAGE, "en;q=0.3, zh-CN").send().await;
    assert_eq!(envelope(resp).await["err"]["Msg"], "接口不存在");
}

#[tokio::test]
async fn every_response_echoes_a_sane_request_id_or_gets_a_new_one() {
    let cli = client(ApiConfig::default());
    let resp = cli.get("/healthz").header("x-request-id", "abc-123").send().await;
    resp.assert_header("x-request-id", "abc-123");
    let resp = cli.get("/nowhere").header("x-request-id", "bad id\twith spaces").send().await;
    let id = resp.0.headers().get("x-request-id").unwrap().to_str().unwrap().to_owned();
    assert!(uuid::Uuid::parse_str(&id).is_ok(), "{id}");
    let resp = cli.get("/healthz").send().await;
    resp.assert_header_exist("x-request-id");
}

#[tokio::test]
async fn the_document_and_swagger_ui_are_served() {
    let cli = client(ApiConfig { server_url: Some("https://chat.example.com".to_owned()), ..ApiConfig::default() });
    let resp = cli.get("/openapi.json").send().await;
    resp.assert_status_is_ok();
    let doc = envelope(resp).await;
    assert_eq!(doc["info"]["title"], "chatroom");
    assert_eq!(doc["servers"][0]["url"], "https://chat.example.com");
    let resp = cli.get("/openapi.yaml").send().await;
    resp.assert_status_is_ok();
    assert!(resp.0.into_body().into_string().await.unwrap().contains("/healthz:"));
    for path in ["/docs", "/docs/"] {
        let resp = cli.get(path).send().await;
        resp.assert_status_is_ok();
        resp.assert_content_type("text/html; charset=utf-8");
    }
}

#[tokio::test]
async fn cors_headers_go_to_allowed_origins_only_and_other_origins_are_not_refused() {
    let config = ApiConfig { allowed_origins: vec!["https://chat.example.com".to_owned()], ..ApiConfig::default() };
    let cli = client(config);
    let resp = cli.get("/healthz").header(header::ORIGIN, "https://chat.example.com").send().await;
    resp.assert_status_is_ok();
    resp.assert_header(header::ACCESS_CONTROL_ALLOW_ORIGIN, "https://chat.example.com");
    let resp = cli.get("/healthz").header(header::ORIGIN, "https://evil.example").send().await;
    resp.assert_status_is_ok();
    resp.assert_header_is_not_exist(header::ACCESS_CONTROL_ALLOW_ORIGIN);
}

#[tokio::test]
async fn cors_preflight_from_an_allowed_origin_is_answered() {
    let config = ApiConfig { allowed_origins: vec!["https://chat.example.com".to_owned()], ..ApiConfig::default() };
    let resp = client(config)
        .options("/healthz")
        .header(header::ORIGIN, "https://chat.example.com")
        .header(header::ACCESS_CONTROL_REQUEST_METHOD, "GET")
        .send()
        .await;
    resp.assert_status_is_ok();
    resp.assert_header(header::ACCESS_CONTROL_ALLOW_ORIGIN, "https://chat.example.com");
}
