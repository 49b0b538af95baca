//! SPEC §5, E5003: while the database is unreachable, every operation that needs
//! it answers 503 with E5003 (not E5000), and once the database is back the
//! same requests succeed again without a restart. The server reaches its
//! PostgreSQL database through a TCP proxy the test cuts and restores.
//! Skipped (with a printed reason) when `CHATROOM_TEST_POSTGRES_URL` is unset.

use std::future::Future;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use chatroom_tests::{Backend, TcpProxy, TestApp, TestDatabase};
use reqwest::{Method, Response};
use serde_json::json;

use crate::accounts::{answer, assert_answer, call, login, register, Account};
use crate::chatroom;
use crate::ws::{create_room, user, User, WAIT};

/// `host:port` of a database URL (`postgres://user@host:port/name`).
fn authority(url: &str) -> &str {
    let after_scheme = url.split_once("://").map_or(url, |(_, rest)| rest);
    let host_and_path = after_scheme.rsplit_once('@').map_or(after_scheme, |(_, rest)| rest);
    host_and_path.split(['/', '?']).next().unwrap_or(host_and_path)
}

/// Asserts E5003 as SPEC §5 has it, with `Retry-After`.
async fn assert_unavailable(response: Response, what: &str) {
    let (status, headers, err) = answer(response).await;
    assert_eq!(
        (status, &err),
        (503, &json!({"Code": 5003, "Msg": "服务暂不可用", "Notice": "服务暂不可用"})),
        "{what}"
    );
    assert_eq!(headers.get("retry-after").map(|v| v.to_str().unwrap()), Some("5"), "{what}");
}

/// `GET /room/retrieve` (every room) with `token`.
async fn search_rooms(app: &TestApp, token: &str) -> Response {
    call(app, Method::GET, "/room/retrieve?roomName=", Some(token), None).await
}

/// Repeats `request` until it answers 200 or `deadline` passes, and returns the
/// last answer's status and `err`.
async fn once_back<F: Future<Output = Response>>(
    deadline: Instant,
    request: impl Fn() -> F,
) -> (u16, serde_json::Value) {
    loop {
        let (status, _, err) = answer(request().await).await;
        if status == 200 || Instant::now() > deadline {
            return (status, err);
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// What the server logs, once per request, for an E5003 of an outage.
const OUTAGE_WARNING: &str = "the database is unreachable, answered E5003";

/// The server's log once it holds `count` outage warnings (the log reaches the
/// test through a pipe, possibly after the answer), or after 10 s.
async fn logs_with_warnings(app: &TestApp, count: usize) -> Vec<String> {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let logs = app.logs();
        if logs.iter().filter(|line| line.contains(OUTAGE_WARNING)).count() >= count || Instant::now() > deadline {
            return logs;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test]
async fn e5003_while_postgres_is_unreachable_then_the_same_requests_succeed_once_it_is_back() {
    let test = "e5003_postgres_outage";
    let Some(database) = TestDatabase::create(Backend::Postgres, test).await else { return };
    let upstream_authority = authority(&database.url);
    let upstream: SocketAddr = tokio::net::lookup_host(upstream_authority).await.unwrap().next().unwrap();
    let mut proxy = TcpProxy::start(upstream).await.unwrap();
    let proxied_url = database.url.replacen(upstream_authority, &proxy.address().to_string(), 1);
    let app = chatroom()
        .args(["--database-url", &proxied_url])
        .env("CHATROOM__DATABASE__ACQUIRE_TIMEOUT", "1s")
        .spawn()
        .await;
    let alice: User = user(&app, "alice").await;
    let (mut alice_ws, _) = create_room(&app, &alice, "r1", 5, true).await;
    let bob = Account::new("bob");

    proxy.cut();

    assert_unavailable(login(&app, alice.id(), &alice.account.pwd).await, "login").await;
    assert_unavailable(register(&app, &bob.json()).await, "register").await;
    assert_unavailable(search_rooms(&app, &alice.token).await, "room search").await;
    alice_ws.send_json(&json!({"type": "message", "content": "hello?", "clientMsgId": "m1"})).await;
    let refused = alice_ws.next_of_type("error", WAIT).await;
    assert_eq!((&refused["code"], &refused["msg"]), (&json!(5003), &json!("服务暂不可用")), "{refused}");
    let logs = logs_with_warnings(&app, 4).await;
    let warnings = logs.iter().filter(|line| line.contains("WARN") && line.contains(OUTAGE_WARNING)).count();
    assert_eq!(warnings, 4, "one warning per refused request:\n{}", logs.join("\n"));
    assert!(!logs.iter().any(|line| line.contains("E5000")), "{}", logs.join("\n"));

    proxy.restore().await.unwrap();

    let deadline = Instant::now() + Duration::from_secs(20);
    let (status, err) = once_back(deadline, || login(&app, alice.id(), &alice.account.pwd)).await;
    assert_eq!((status, &err["Code"]), (200, &json!(0)), "login after the outage: {err}");
    assert_answer(register(&app, &bob.json()).await, 200, 0, "", "注册成功").await;
    let (status, _, err) = answer(search_rooms(&app, &alice.token).await).await;
    assert_eq!((status, &err["Notice"]["rooms"][0]["RoomId"]), (200, &json!("r1")), "room search after: {err}");
}
