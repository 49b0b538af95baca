//! Envelope cases of the layers themselves (bad parameters and bodies, limits,
//! methods), on a probe API run inside the same layers: they hold for every
//! operation, whatever a resource's handlers do.

use std::time::Duration;

use chatroom_domain::account::{LoginError, RegisterError};
use chatroom_domain::system::Unavailable;
use futures_util::stream;
use poem::http::{header, StatusCode};
use poem::test::TestClient;
use poem::Body;
use poem_openapi::param::Query;
use poem_openapi::payload::Json;
use poem_openapi::{Object, OpenApi, OpenApiService};
use serde_json::json;

use super::envelope;
use crate::app::{with_layers, ApiConfig};
use crate::layers::MethodTable;
use crate::reply::{Answer, Reply};

#[derive(Object)]
struct ProbeBody {
    name: String,
}

struct ProbeApi;

#[OpenApi]
impl ProbeApi {
    #[oai(path = "/probe", method = "post")]
    async fn probe(&self, count: Query<i32>, body: Json<ProbeBody>) -> Answer {
        Ok(Reply::notice(format!("{} {}", body.0.name, count.0)))
    }

    #[oai(path = "/locked", method = "get")]
    async fn locked(&self) -> Answer {
        Err(LoginError::LockedOut { retry_after: Duration::from_millis(89_500) }.into())
    }

    #[oai(path = "/boom", method = "get")]
    async fn boom(&self) -> Answer {
        Err(RegisterError::Unexpected(anyhow::anyhow!("secret table users is gone")).into())
    }

    /// What an adapter returns when the database cannot be reached.
    #[oai(path = "/outage", method = "get")]
    async fn outage(&self) -> Answer {
        let refused = std::io::Error::new(std::io::ErrorKind::ConnectionRefused, "db.internal:5432 refused");
        let error = anyhow::Error::new(Unavailable::new("the database", refused)).context("finding a user");
        Err(LoginError::Unexpected(error).into())
    }
}

fn client(config: ApiConfig) -> TestClient<poem::endpoint::BoxEndpoint<'static>> {
    let mut methods = MethodTable::new();
    methods.add_api::<ProbeApi>();
    let app = poem::Route::new().nest("/", OpenApiService::new(ProbeApi, "probe", "0"));
    TestClient::new(with_layers(app, &config, methods))
}

#[tokio::test]
async fn a_well_formed_request_reaches_the_handler() {
    let cli = client(ApiConfig::default());
    let resp = cli.post("/probe").query("count", &2).body_json(&json!({"name": "a"})).send().await;
    resp.assert_status_is_ok();
    assert_eq!(envelope(resp).await["err"]["Notice"], "a 2");
}

#[tokio::test]
async fn e1001_malformed_body_has_the_envelope() {
    let cli = client(ApiConfig::default());
    let resp = cli.post("/probe").query("count", &2).content_type("application/json").body("{not json").send().await;
    resp.assert_status(StatusCode::BAD_REQUEST);
    let body = envelope(resp).await;
    assert_eq!(body["err"]["Code"], 1001);
    assert_eq!(body["err"]["Msg"], "输入参数无效");
}

#[tokio::test]
async fn e1001_body_that_does_not_fit_the_schema_has_the_envelope_and_the_parser_reason() {
    let cli = client(ApiConfig::default());
    let resp = cli.post("/probe").query("count", &2).body_json(&json!({"other": 1})).send().await;
    resp.assert_status(StatusCode::BAD_REQUEST);
    let body = envelope(resp).await;
    assert_eq!(body["err"]["Code"], 1001);
    let notice = body["err"]["Notice"].as_str().unwrap();
    assert!(notice.starts_with("请求体缺失或格式错误：") && notice.contains("ProbeBody"), "{notice}");
}

#[tokio::test]
async fn e1001_missing_parameter_names_it_in_the_notice() {
    let cli = client(ApiConfig::default());
    let resp = cli.post("/probe").header(header::ACCEPT_LANGUAGE, "en").body_json(&json!({"name": "a"})).send().await;
    resp.assert_status(StatusCode::BAD_REQUEST);
    let body = envelope(resp).await;
    assert_eq!(body["err"]["Code"], 1001);
    assert_eq!(body["err"]["Msg"], "Invalid input");
    let notice = body["err"]["Notice"].as_str().unwrap();
    assert!(notice.starts_with("parameter count is missing or malformed"), "{notice}");
}

#[tokio::test]
async fn e1006_unsupported_content_type_has_the_envelope() {
    let cli = client(ApiConfig::default());
    let resp = cli.post("/probe").query("count", &2).content_type("text/plain").body("name=a").send().await;
    resp.assert_status(StatusCode::UNSUPPORTED_MEDIA_TYPE);
    let body = envelope(resp).await;
    assert_eq!(body, json!({"err": {"Code": 1006, "Msg": "不支持的内容类型", "Notice": "不支持的内容类型"}}));
}

#[tokio::test]
async fn e1007_streamed_body_over_the_limit_has_the_envelope() {
    let chunks = (0..80).map(|_| Ok::<_, std::io::Error>(vec![b' '; 1024]));
    let resp = client(ApiConfig::default())
        .post("/probe")
        .query("count", &2)
        .content_type("application/json")
        .body(Body::from_bytes_stream(stream::iter(chunks)))
        .send()
        .await;
    resp.assert_status(StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(envelope(resp).await["err"]["Code"], 1007);
}

#[tokio::test]
async fn e1103_lockout_carries_retry_after_in_whole_seconds() {
    let resp = client(ApiConfig::default()).get("/locked").send().await;
    resp.assert_status(StatusCode::TOO_MANY_REQUESTS);
    resp.assert_header(header::RETRY_AFTER, "90");
    let body = envelope(resp).await;
    assert_eq!(body["err"]["Code"], 1103);
    assert_eq!(body["err"]["Notice"], "登录尝试过多，请稍后再试");
}

#[tokio::test]
async fn e5000_hides_the_unexpected_error_from_the_client() {
    let resp = client(ApiConfig::default()).get("/boom").send().await;
    resp.assert_status(StatusCode::INTERNAL_SERVER_ERROR);
    let body = envelope(resp).await;
    assert_eq!(body, json!({"err": {"Code": 5000, "Msg": "系统错误", "Notice": "系统错误"}}));
}

#[tokio::test]
async fn legacy_status_200_keeps_retry_after_and_the_code() {
    let resp = client(ApiConfig { legacy_status_200: true, ..ApiConfig::default() }).get("/locked").send().await;
    resp.assert_status_is_ok();
    resp.assert_header(header::RETRY_AFTER, "90");
    assert_eq!(envelope(resp).await["err"]["Code"], 1103);
}

/// Collects what a `fmt` subscriber writes.
#[derive(Clone, Default)]
struct Captured(std::sync::Arc<std::sync::Mutex<Vec<u8>>>);

impl std::io::Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test]
async fn e5000_is_logged_once_with_the_request_id() {
    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber = tracing_subscriber::fmt().with_ansi(false).with_writer(move || writer.clone()).finish();
    let _guard = tracing::subscriber::set_default(subscriber);
    // Tests on other threads may register the error's callsite while this
    // subscriber is being installed and cache "never interested" for it. Once
    // the callsite surely exists, recompute its interest with this subscriber
    // in place, then forget what the warm-up request wrote.
    let cli = client(ApiConfig::default());
    cli.get("/boom").send().await;
    tracing::callsite::rebuild_interest_cache();
    captured.0.lock().unwrap().clear();

    let resp = cli.get("/boom").header("x-request-id", "req-42").send().await;

    resp.assert_header("x-request-id", "req-42");
    let log = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    let errors: Vec<&str> = log.lines().filter(|line| line.contains("ERROR")).collect();
    assert_eq!(errors.len(), 1, "{log}");
    assert!(errors[0].contains("request_id=req-42") && errors[0].contains("secret table users is gone"), "{log}");
}

#[tokio::test]
async fn e5003_an_unreachable_database_is_503_with_retry_after_in_the_clients_language() {
    let cli = client(ApiConfig::default());

    let zh = cli.get("/outage").send().await;
    let en = cli.get("/outage").header("accept-language", "en").send().await;

    zh.assert_status(StatusCode::SERVICE_UNAVAILABLE);
    zh.assert_header(header::RETRY_AFTER, "5");
    let zh = envelope(zh).await;
    assert_eq!(zh, json!({"err": {"Code": 5003, "Msg": "服务暂不可用", "Notice": "服务暂不可用"}}));
    assert_eq!(envelope(en).await["err"]["Msg"], "Service temporarily unavailable");
}

#[tokio::test]
async fn e5003_under_legacy_status_200_keeps_its_code() {
    let resp = client(ApiConfig { legacy_status_200: true, ..ApiConfig::default() }).get("/outage").send().await;

    resp.assert_status_is_ok();
    assert_eq!(envelope(resp).await["err"]["Code"], 5003);
}

#[tokio::test]
async fn e5003_is_logged_as_one_warning_naming_the_database_and_no_error() {
    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber = tracing_subscriber::fmt().with_ansi(false).with_writer(move || writer.clone()).finish();
    let _guard = tracing::subscriber::set_default(subscriber);
    // As for E5000 above: make sure the callsite's interest includes this subscriber.
    let cli = client(ApiConfig::default());
    cli.get("/outage").send().await;
    tracing::callsite::rebuild_interest_cache();
    captured.0.lock().unwrap().clear();

    cli.get("/outage").header("x-request-id", "req-43").send().await;

    let log = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    let warnings: Vec<&str> = log.lines().filter(|line| line.contains("WARN")).collect();
    assert_eq!(warnings.len(), 1, "{log}");
    assert!(warnings[0].contains("request_id=req-43"), "{log}");
    assert!(warnings[0].contains("the database is unreachable, answered E5003"), "{log}");
    assert!(!log.contains("ERROR"), "{log}");
}
