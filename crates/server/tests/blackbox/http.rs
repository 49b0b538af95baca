//! The HTTP surface every server has from its first start: liveness, readiness,
//! documentation and the envelope for unknown routes.

use crate::{envelope, spawn_app};

#[tokio::test]
async fn docs_serves_swagger_ui() {
    let app = spawn_app().await;
    let response = app.get("/docs").await;
    assert_eq!(response.status(), 200);
    let html = response.text().await.unwrap();
    assert!(html.to_lowercase().contains("swagger"), "{html}");
}

#[tokio::test]
async fn openapi_json_is_served() {
    let app = spawn_app().await;
    let response = app.get("/openapi.json").await;
    assert_eq!(response.status(), 200);
    let document: serde_json::Value = response.json().await.unwrap();
    assert!(document["openapi"].as_str().is_some_and(|v| v.starts_with("3.")), "{document}");
    assert!(document["paths"].is_object(), "{document}");
}

#[tokio::test]
async fn unknown_route_answers_e1004_with_the_envelope() {
    let app = spawn_app().await;
    let response = app.get("/no/such/route").await;
    assert_eq!(response.status(), 404);
    let err = envelope(response).await;
    assert_eq!(err["Code"], 1004, "{err}");
    assert_eq!(err["Msg"], "接口不存在", "{err}");
    assert_eq!(err["Notice"], "接口不存在", "{err}");
}

#[tokio::test]
async fn unknown_route_answers_in_english_when_asked() {
    let app = spawn_app().await;
    let response = app.client.get(app.url("/no/such/route")).header("Accept-Language", "en").send().await.unwrap();
    assert_eq!(response.status(), 404);
    let err = envelope(response).await;
    assert_eq!(err["Code"], 1004, "{err}");
    assert_ne!(err["Msg"], "接口不存在", "{err}");
}

#[tokio::test]
async fn readyz_checks_the_database() {
    let app = spawn_app().await;
    let response = app.get("/readyz").await;
    assert_eq!(response.status(), 200);
    assert_eq!(envelope(response).await["Code"], 0);
    // Readiness opened the SQLite file the server was told to use.
    assert!(app.data_dir().join("chatroom.db").is_file());
}

#[tokio::test]
async fn e1007_a_body_over_the_limit_is_refused_with_connection_close_and_the_next_request_is_answered() {
    let app = spawn_app().await;
    let body = format!("{{\"userId\":\"{}\"}}", "x".repeat(70 * 1024));
    for _ in 0..12 {
        let response = app
            .client
            .post(format!("{}/user/register", app.base_url))
            .header("Content-Type", "application/json")
            .body(body.clone())
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 413);
        let connection = response.headers().get("connection").map(|v| v.to_str().unwrap().to_owned());
        assert_eq!(connection.as_deref(), Some("close"), "SPEC §4: the unread body ends the connection");
        assert_eq!(envelope(response).await["Code"], 1007);
        // The same client's next request goes out on a new connection and is answered.
        assert_eq!(app.get("/healthz").await.status(), 200);
    }
}
