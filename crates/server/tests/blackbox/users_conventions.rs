//! The HTTP conventions of SPEC §4 as the account operations show them: content
//! types (E1006), methods (E1005 with `Allow`), English texts with unchanged codes,
//! and `http.legacy_status_200`.

use reqwest::header::{ACCEPT_LANGUAGE, CONTENT_TYPE};
use reqwest::Method;
use serde_json::json;

use crate::accounts::{answer, assert_answer, call, login, register, registered, retry_after, token_of, Account};
use crate::{chatroom, spawn_app};

/// Every account operation that takes a body.
const BODY_OPERATIONS: [(Method, &str); 5] = [
    (Method::POST, "/user/register"),
    (Method::POST, "/user/login"),
    (Method::PUT, "/user/update"),
    (Method::POST, "/user/forgetPwd"),
    (Method::PUT, "/user/updatePwd"),
];

#[tokio::test]
async fn e1006_a_text_plain_body_is_refused_by_every_body_operation() {
    let app = spawn_app().await;
    let alice = registered(&app, "alice").await;
    let token = token_of(&app, &alice).await;
    for (method, path) in BODY_OPERATIONS {
        let request = app.client.request(method, app.url(path)).bearer_auth(&token);
        let response = request.header(CONTENT_TYPE, "text/plain").body("userId=alice").send().await.unwrap();
        assert_answer(response, 415, 1006, "不支持的内容类型", "不支持的内容类型").await;
    }
}

#[tokio::test]
async fn e1005_a_wrong_method_on_a_user_path_answers_405_with_allow() {
    let app = spawn_app().await;
    let cases = [
        (Method::GET, "/user/register", "POST"),
        (Method::GET, "/user/login", "POST"),
        (Method::POST, "/user/update", "PUT"),
        (Method::GET, "/user/exit", "DELETE"),
        (Method::GET, "/user/forgetPwd", "POST"),
        (Method::POST, "/user/updatePwd", "PUT"),
        (Method::DELETE, "/user/me", "GET"),
    ];
    for (method, path, allowed) in cases {
        let response = call(&app, method.clone(), path, None, None).await;
        let headers = assert_answer(response, 405, 1005, "方法不允许", "方法不允许").await;
        let allow = headers.get("allow").and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned();
        let methods: Vec<&str> = allow.split(',').map(str::trim).collect();
        assert!(methods.contains(&allowed), "{method} {path}: Allow {allow:?} lacks {allowed}");
        assert!(!methods.contains(&method.as_str()), "{method} {path}: Allow {allow:?}");
    }
}

#[tokio::test]
async fn english_texts_for_register_e1101_e1001_and_e1102_with_the_same_codes() {
    let app = spawn_app().await;
    let en = |method: Method, path: &str| app.client.request(method, app.url(path)).header(ACCEPT_LANGUAGE, "en");
    let alice = Account::new("alice");
    let response = en(Method::POST, "/user/register").json(&alice.json()).send().await.unwrap();
    assert_answer(response, 200, 0, "", "Registered").await;
    let response = en(Method::POST, "/user/register").json(&alice.json()).send().await.unwrap();
    let notice = "The user id or email already exists, please register again";
    assert_answer(response, 409, 1101, "User already exists", notice).await;
    let short = Account { pwd: "short".into(), ..Account::new("bob") };
    let response = en(Method::POST, "/user/register").json(&short.json()).send().await.unwrap();
    assert_answer(response, 400, 1001, "Invalid input", "userPwd must be 8 to 128 characters long").await;
    let body = json!({"userId": "alice", "userPwd": "wrong-password"});
    let response = en(Method::POST, "/user/login").json(&body).send().await.unwrap();
    assert_answer(response, 401, 1102, "Login failed", "Wrong id or password").await;
}

#[tokio::test]
async fn english_login_and_token_refusals_keep_their_codes() {
    let app = spawn_app().await;
    let alice = registered(&app, "alice").await;
    let body = json!({"userId": alice.id, "userPwd": alice.pwd});
    let response = app.client.post(app.url("/user/login")).header(ACCEPT_LANGUAGE, "en-US,en;q=0.9").json(&body);
    let (status, _, err) = answer(response.send().await.unwrap()).await;
    assert_eq!((status, &err["Code"]), (200, &json!(0)), "{err}");
    let welcome = err["Notice"]["msg"].as_str().unwrap_or_default();
    assert!(welcome.ends_with(&alice.name) && !welcome.starts_with("登录成功"), "{welcome}");
    let response = app.client.get(app.url("/user/me")).header(ACCEPT_LANGUAGE, "en").send().await.unwrap();
    let msg = "The token in the request header is empty";
    assert_answer(response, 401, 1002, msg, "Login failed, please log in again").await;
}

#[tokio::test]
async fn legacy_status_200_answers_every_refusal_with_200_and_the_catalogue_code() {
    let app = chatroom()
        .env("CHATROOM__HTTP__LEGACY_STATUS_200", "true")
        .env("CHATROOM__AUTH__LOGIN_FAILURES_PER_USER", "1")
        .spawn()
        .await;
    let alice = registered(&app, "alice").await;
    assert_answer(register(&app, &alice.json()).await, 200, 1101, "用户已存在", "用户Id或邮箱已存在，请重新注册").await;
    assert_answer(login(&app, &alice.id, "wrong-password").await, 200, 1102, "登录失败", "id或密码错误").await;
    let headers =
        assert_answer(login(&app, &alice.id, &alice.pwd).await, 200, 1103, "登录尝试过多", "登录尝试过多，请稍后再试")
            .await;
    retry_after(&headers);
    let response = call(&app, Method::GET, "/user/me", None, None).await;
    assert_answer(response, 200, 1002, "请求头中的token为空", "登录失败").await;
    let response = call(&app, Method::GET, "/user/login", None, None).await;
    assert_answer(response, 200, 1005, "方法不允许", "方法不允许").await;
}
