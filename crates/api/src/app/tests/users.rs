//! The `/user/*` operations over a mocked account service: what reaches the
//! service from each body form, and how each outcome is answered (SPEC §4, §6).

use std::sync::{Arc, Mutex};
use std::time::Duration;

use chatroom_domain::account::ports::MockAccountService;
use chatroom_domain::account::{
    Authenticated, LoginError, LoginOutcome, RegisterError, Registration, ResetRequested, Session,
};
use chatroom_domain::ids::{RoomId, SessionId, UserId};
use chatroom_domain::room::{Access, Capacity, Room, RoomName};
use chatroom_domain::user::{Email, PasswordHash, User, UserName};
use poem::http::{header, StatusCode};
use poem::test::TestClient;
use serde_json::json;
use time::macros::datetime;

use super::{envelope, services};
use crate::app::{routes, ApiConfig};

fn client(accounts: MockAccountService) -> TestClient<poem::endpoint::BoxEndpoint<'static>> {
    let mut services = services(Ok(()));
    services.accounts = Arc::new(accounts);
    TestClient::new(routes(services, ApiConfig::default()))
}

fn user() -> User {
    User {
        id: UserId::parse("zhy").unwrap(),
        name: UserName::parse("zhy").unwrap(),
        email: Email::parse("zhy@example.com").unwrap(),
        password_hash: PasswordHash::new("$argon2id$stub".to_owned()),
        created_at: datetime!(2026-11-24 10:00 UTC),
    }
}

fn caller() -> Authenticated {
    let session = Session {
        id: SessionId::new("s1".to_owned()),
        user_id: user().id,
        issued_at: datetime!(2026-11-24 10:00 UTC),
        expires_at: datetime!(2026-11-25 10:00 UTC),
        revoked: false,
    };
    Authenticated { user: user(), session }
}

/// A mock that records every registration it receives and accepts it.
fn recording_register() -> (MockAccountService, Arc<Mutex<Vec<Registration>>>) {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let mut accounts = MockAccountService::new();
    let sink = Arc::clone(&seen);
    accounts.expect_register().returning(move |registration| {
        sink.lock().unwrap().push(registration);
        Ok(())
    });
    (accounts, seen)
}

fn fields(registration: &Registration) -> [&str; 4] {
    [&registration.user_id, &registration.password, &registration.user_name, &registration.email]
}

#[tokio::test]
async fn register_reads_json_form_and_multipart_bodies_alike() {
    let (accounts, seen) = recording_register();
    let cli = client(accounts);
    let expected = ["u1", "secret-pw", "zzz", "1@qq.com"];

    let resp = cli
        .post("/user/register")
        .body_json(&json!({"userId": "u1", "userPwd": "secret-pw", "userName": "zzz", "userEmail": "1@qq.com"}))
        .send()
        .await;
    resp.assert_status_is_ok();
    assert_eq!(envelope(resp).await, json!({"err": {"Code": 0, "Msg": "", "Notice": "注册成功"}}));

    let form = "userId=u1&userPwd=secret-pw&userName=zzz&userEmail=1%40qq.com";
    let resp = cli.post("/user/register").content_type("application/x-www-form-urlencoded").body(form).send().await;
    resp.assert_status_is_ok();

    let boundary = "XyZ";
    let mut multipart = String::new();
    for (name, value) in [("userId", "u1"), ("userPwd", "secret-pw"), ("userName", "zzz"), ("userEmail", "1@qq.com")] {
        multipart
            .push_str(&format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"));
    }
    multipart.push_str(&format!("--{boundary}--\r\n"));
    let resp = cli
        .post("/user/register")
        .content_type(format!("multipart/form-data; boundary={boundary}"))
        .body(multipart)
        .send()
        .await;
    resp.assert_status_is_ok();

    let seen = seen.lock().unwrap();
    assert_eq!(seen.len(), 3);
    assert!(seen.iter().all(|registration| fields(registration) == expected), "{seen:?}");
}

#[tokio::test]
async fn numbers_and_booleans_are_read_as_strings() {
    let (accounts, seen) = recording_register();
    let resp = client(accounts)
        .post("/user/register")
        .body_json(&json!({"userId": 42, "userPwd": 12345678, "userName": true, "userEmail": "a@b.cn"}))
        .send()
        .await;
    resp.assert_status_is_ok();
    assert_eq!(fields(&seen.lock().unwrap()[0]), ["42", "12345678", "true", "a@b.cn"]);
}

#[tokio::test]
async fn a_missing_body_reaches_the_service_as_empty_fields() {
    let (accounts, seen) = recording_register();
    client(accounts).post("/user/register").send().await.assert_status_is_ok();
    assert_eq!(fields(&seen.lock().unwrap()[0]), ["", "", "", ""]);
}

#[tokio::test]
async fn e1001_a_field_that_is_an_object_is_named() {
    let resp = client(MockAccountService::new())
        .post("/user/register")
        .body_json(&json!({"userId": {"nested": 1}}))
        .send()
        .await;
    resp.assert_status(StatusCode::BAD_REQUEST);
    let body = envelope(resp).await;
    assert_eq!(body["err"]["Code"], 1001);
    assert!(body["err"]["Notice"].as_str().unwrap().contains("userId"), "{body}");
}

#[tokio::test]
async fn e1001_a_body_that_is_not_a_json_object_is_refused() {
    let cli = client(MockAccountService::new());
    for body in ["[1, 2]", "{\"userId\": ", "\"text\""] {
        let resp = cli.post("/user/register").content_type("application/json").body(body).send().await;
        resp.assert_status(StatusCode::BAD_REQUEST);
        assert_eq!(envelope(resp).await["err"]["Code"], 1001, "{body}");
    }
}

#[tokio::test]
async fn e1006_a_body_in_another_content_type_is_refused() {
    let resp = client(MockAccountService::new())
        .post("/user/register")
        .content_type("text/plain")
        .body("userId=u1")
        .send()
        .await;
    resp.assert_status(StatusCode::UNSUPPORTED_MEDIA_TYPE);
    assert_eq!(envelope(resp).await["err"]["Code"], 1006);
}

#[tokio::test]
async fn e1101_and_english_texts_come_from_the_catalogue() {
    let mut accounts = MockAccountService::new();
    accounts.expect_register().returning(|_| Err(RegisterError::Taken));
    let cli = client(accounts);
    let resp = cli.post("/user/register").body_json(&json!({})).send().await;
    resp.assert_status(StatusCode::CONFLICT);
    assert_eq!(
        envelope(resp).await,
        json!({"err": {"Code": 1101, "Msg": "用户已存在", "Notice": "用户Id或邮箱已存在，请重新注册"}})
    );
    let resp = cli.post("/user/register").header(header::ACCEPT_LANGUAGE, "en").body_json(&json!({})).send().await;
    assert_eq!(envelope(resp).await["err"]["Code"], 1101);
}

#[tokio::test]
async fn login_answers_the_token_the_welcome_and_the_rooms() {
    let mut accounts = MockAccountService::new();
    accounts.expect_login().withf(|attempt| attempt.user_id == "zhy" && attempt.password == "secret-pw").returning(
        |_| {
            let room = Room {
                id: RoomId::parse("1").unwrap(),
                incarnation: chatroom_domain::ids::Incarnation::new(1),
                name: RoomName::parse("go").unwrap(),
                capacity: Capacity::from_stored(3),
                access: Access::Public,
                owner: UserId::parse("zhy").unwrap(),
                created_at: datetime!(2022-02-25 10:28:20 +08:00),
            };
            Ok(LoginOutcome {
                token: "t.o.k".to_owned(),
                expires_at: datetime!(2026-11-25 10:00 UTC),
                user: user(),
                rooms: vec![room],
            })
        },
    );
    let resp = client(accounts)
        .post("/user/login")
        .content_type("application/x-www-form-urlencoded")
        .body("userId=zhy&userPwd=secret-pw")
        .send()
        .await;
    resp.assert_status_is_ok();
    let room = json!({"RoomId": "1", "RoomName": "go", "RoomCap": 3, "RoomAccess": true, "RoomOwner": "zhy",
                      "CreatedAt": "2022-02-25T10:28:20+08:00"});
    assert_eq!(
        envelope(resp).await,
        json!({"err": {"Code": 0,
                       "Msg": {"token": "t.o.k", "expiresAt": "2026-11-25T10:00:00Z"},
                       "Notice": {"msg": "登录成功 hello zhy", "rooms": [room]}}})
    );
}

#[tokio::test]
async fn s4_lockout_answers_e1103_with_retry_after() {
    let mut accounts = MockAccountService::new();
    accounts.expect_login().returning(|_| Err(LoginError::LockedOut { retry_after: Duration::from_secs(900) }));
    let resp = client(accounts).post("/user/login").body_json(&json!({"userId": "a", "userPwd": "b"})).send().await;
    resp.assert_status(StatusCode::TOO_MANY_REQUESTS);
    resp.assert_header(header::RETRY_AFTER, "900");
    assert_eq!(envelope(resp).await["err"]["Code"], 1103);
}

#[tokio::test]
async fn bearer_and_bare_tokens_reach_the_service() {
    let mut accounts = MockAccountService::new();
    accounts.expect_authenticate().withf(|token| token.as_deref() == Some("abc")).times(2).returning(|_| Ok(caller()));
    let cli = client(accounts);
    for value in ["Bearer abc", "abc"] {
        let resp = cli.get("/user/me").header(header::AUTHORIZATION, value).send().await;
        resp.assert_status_is_ok();
        assert_eq!(
            envelope(resp).await,
            json!({"err": {"Code": 0, "Msg": "",
                           "Notice": {"UserId": "zhy", "UserName": "zhy", "UserEmail": "zhy@example.com"}}})
        );
    }
}

#[tokio::test]
async fn update_with_form_fields_passes_only_the_given_ones() {
    let mut accounts = MockAccountService::new();
    accounts.expect_authenticate().returning(|_| Ok(caller()));
    accounts
        .expect_update_profile()
        .withf(|_, changes| changes.user_name.as_deref() == Some("z") && changes.email.is_none())
        .returning(|_, _| Ok(()));
    let resp = client(accounts)
        .put("/user/update")
        .header(header::AUTHORIZATION, "Bearer abc")
        .content_type("application/x-www-form-urlencoded")
        .body("userName=z")
        .send()
        .await;
    resp.assert_status_is_ok();
    assert_eq!(envelope(resp).await["err"]["Notice"], "修改成功");
}

#[tokio::test]
async fn forget_pwd_carries_the_code_only_when_the_mailer_hands_it_back() {
    let mut accounts = MockAccountService::new();
    accounts.expect_request_password_reset().times(1).returning(|_| Ok(ResetRequested::default()));
    accounts
        .expect_request_password_reset()
        .returning(|_| Ok(ResetRequested { code_for_response: Some("123456".to_owned()) }));
    let cli = client(accounts);
    let body = json!({"userEmail": "1@qq.com"});
    let mailed = envelope(cli.post("/user/forgetPwd").body_json(&body).send().await).await;
    assert_eq!(mailed, json!({"err": {"Code": 0, "Msg": "", "Notice": {"notice": "十分钟内有效"}}}));
    let returned = envelope(cli.post("/user/forgetPwd").body_json(&body).send().await).await;
    assert_eq!(returned["err"]["Notice"], json!({"notice": "十分钟内有效", "验证码": "123456"}));
}

#[tokio::test]
async fn update_pwd_takes_the_code_as_验证码_or_code() {
    let mut accounts = MockAccountService::new();
    accounts.expect_reset_password().withf(|reset| reset.code == "654321").times(2).returning(|_| Ok(()));
    let cli = client(accounts);
    for field in ["验证码", "code"] {
        let resp = cli
            .put("/user/updatePwd")
            .body_json(&json!({"userEmail": "1@qq.com", "newPwd": "new-secret", field: 654321}))
            .send()
            .await;
        resp.assert_status_is_ok();
        assert_eq!(envelope(resp).await["err"]["Notice"], "修改成功");
    }
}

#[tokio::test]
async fn exit_revokes_the_callers_session() {
    let mut accounts = MockAccountService::new();
    accounts.expect_authenticate().returning(|_| Ok(caller()));
    accounts.expect_logout().withf(|caller| caller.session.id.as_str() == "s1").times(1).returning(|_| Ok(()));
    let resp = client(accounts).delete("/user/exit").header(header::AUTHORIZATION, "abc").send().await;
    resp.assert_status_is_ok();
    assert_eq!(envelope(resp).await["err"]["Notice"], "退出系统成功");
}

#[tokio::test]
async fn the_document_lists_each_operations_refusals_by_status() {
    let document: serde_json::Value = serde_json::from_str(&crate::openapi_json()).unwrap();
    let login = &document["paths"]["/user/login"]["post"];
    for status in ["200", "400", "401", "415", "413", "429", "500", "default"] {
        assert!(login["responses"][status].is_object(), "login lacks {status}: {login}");
    }
    assert!(login["responses"]["429"]["headers"]["Retry-After"].is_object(), "{login}");
    let content = login["requestBody"]["content"].as_object().unwrap();
    assert!(["application/json", "application/x-www-form-urlencoded", "multipart/form-data"]
        .iter()
        .all(|t| content.contains_key(*t)));
    let me = &document["paths"]["/user/me"]["get"];
    assert!(me["security"].is_array(), "{me}");
    assert!(me["responses"]["401"]["description"].as_str().unwrap().contains("1002"), "{me}");
}
