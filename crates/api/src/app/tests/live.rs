//! The WebSocket routes before the upgrade (SPEC §6): nothing is created or
//! joined without an upgrade, and the document describes them. The refusals of
//! a real upgrade (token, room rules, `since`, `Origin`) need a real connection:
//! the black-box tests cover them.

use std::sync::Arc;

use chatroom_domain::account::ports::MockAccountService;
use chatroom_domain::room::ports::MockRoomService;
use poem::http::{header, StatusCode};
use poem::test::TestClient;
use serde_json::json;

use super::{envelope, services};
use crate::app::{routes, ApiConfig};

fn client(accounts: MockAccountService, config: ApiConfig) -> TestClient<poem::endpoint::BoxEndpoint<'static>> {
    let mut services = services(Ok(()));
    services.accounts = Arc::new(accounts);
    // No room operation may run: a mock without expectations panics if called.
    services.rooms = Arc::new(MockRoomService::new());
    TestClient::new(routes(services, config))
}

#[tokio::test]
async fn e1303_a_plain_request_creates_nothing() {
    let cli = client(MockAccountService::new(), ApiConfig::default());
    for path in
        ["/room/create?roomId=r&roomName=n&roomCap=3&roomAccess=true", "/room/enter?roomId=r", "/room/reEnter?roomId=r"]
    {
        let resp = cli.get(path).header(header::AUTHORIZATION, "Bearer t").send().await;
        resp.assert_status(StatusCode::UPGRADE_REQUIRED);
        assert_eq!(
            envelope(resp).await,
            json!({"err": {"Code": 1303, "Msg": "需要WebSocket连接", "Notice": "需要WebSocket连接"}}),
            "{path}"
        );
    }
}

#[tokio::test]
async fn the_document_describes_the_websocket_routes_with_their_refusals() {
    let document: serde_json::Value = serde_json::from_str(&crate::openapi_json()).unwrap();
    let expected = [
        ("/room/create", vec!["101", "400", "401", "409", "426", "500", "default"]),
        ("/room/enter", vec!["101", "400", "401", "403", "404", "409", "426", "500", "default"]),
        ("/room/reEnter", vec!["101", "400", "401", "404", "426", "500", "default"]),
    ];
    for (path, statuses) in expected {
        let operation = &document["paths"][path]["get"];
        let mut documented: Vec<&str> =
            operation["responses"].as_object().unwrap().keys().map(String::as_str).collect();
        documented.sort_unstable();
        assert_eq!(documented, statuses, "{path}");
        assert!(operation["description"].as_str().unwrap().contains("websocket.md"), "{path}");
        let params: Vec<&str> =
            operation["parameters"].as_array().unwrap().iter().map(|p| p["name"].as_str().unwrap()).collect();
        assert!(params.contains(&"token") && params.contains(&"roomId"), "{path}: {params:?}");
    }
}
