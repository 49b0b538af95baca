//! The authenticated account operations (SPEC §6): GET /user/me, PUT /user/update
//! and DELETE /user/exit, with the token rules of SPEC §4 "Auth", S2 and R11.

use std::time::Duration;

use reqwest::header::AUTHORIZATION;
use reqwest::Method;
use serde_json::{json, Value};

use crate::accounts::{
    answer, assert_answer, assert_invalid, assert_invalid_token, assert_success, call, login, me, register, registered,
    token_of, Account,
};
use crate::{chatroom, spawn_app};

async fn update(app: &chatroom_tests::TestApp, token: &str, body: &Value) -> reqwest::Response {
    call(app, Method::PUT, "/user/update", Some(token), Some(body)).await
}

async fn exit(app: &chatroom_tests::TestApp, token: &str) -> reqwest::Response {
    call(app, Method::DELETE, "/user/exit", Some(token), None).await
}

/// The Notice of GET /user/me, asserting success.
async fn profile(app: &chatroom_tests::TestApp, token: &str) -> Value {
    let (status, _, err) = answer(me(app, token).await).await;
    assert_eq!((status, &err["Code"], &err["Msg"]), (200, &json!(0), &json!("")), "{err}");
    err["Notice"].clone()
}

#[tokio::test]
async fn me_answers_the_callers_id_name_and_lower_cased_email() {
    let app = spawn_app().await;
    let alice = Account { email: "Alice@Example.COM".into(), ..Account::new("alice") };
    assert_success(register(&app, &alice.json()).await, "注册成功").await;
    let token = token_of(&app, &alice).await;
    let expected = json!({"UserId": "alice", "UserName": alice.name, "UserEmail": "alice@example.com"});
    assert_eq!(profile(&app, &token).await, expected);
}

#[tokio::test]
async fn e1002_a_request_without_a_token_is_refused_as_请求头中的token为空() {
    let app = spawn_app().await;
    for (method, path) in [(Method::GET, "/user/me"), (Method::PUT, "/user/update"), (Method::DELETE, "/user/exit")] {
        let response = call(&app, method, path, None, Some(&json!({"userName": "x"}))).await;
        assert_answer(response, 401, 1002, "请求头中的token为空", "登录失败").await;
    }
}

#[tokio::test]
async fn e1002_a_malformed_or_forged_token_is_refused_as_无效的token() {
    let app = spawn_app().await;
    let alice = registered(&app, "alice").await;
    let token = token_of(&app, &alice).await;
    assert_invalid_token(me(&app, "not-a-jwt").await).await;
    // Alice's signature over a payload that claims to be someone else.
    let mut parts: Vec<&str> = token.split('.').collect();
    let forged_payload = "eyJ1c2VySWQiOiJib2IiLCJzdWIiOiJib2IifQ";
    parts[1] = forged_payload;
    assert_invalid_token(me(&app, &parts.join(".")).await).await;
}

#[tokio::test]
async fn a_bare_token_without_bearer_is_accepted() {
    let app = spawn_app().await;
    let alice = registered(&app, "alice").await;
    let token = token_of(&app, &alice).await;
    let response = app.client.get(app.url("/user/me")).header(AUTHORIZATION, &token).send().await.unwrap();
    let (status, _, err) = answer(response).await;
    assert_eq!((status, &err["Notice"]["UserId"]), (200, &json!("alice")), "{err}");
}

#[tokio::test]
async fn s2_a_token_past_token_ttl_is_refused_as_无效的token() {
    let app = chatroom().env("CHATROOM__AUTH__TOKEN_TTL", "1s").spawn().await;
    let alice = registered(&app, "alice").await;
    let token = token_of(&app, &alice).await;
    tokio::time::sleep(Duration::from_millis(1200)).await;
    assert_invalid_token(me(&app, &token).await).await;
}

#[tokio::test]
async fn update_of_the_name_answers_修改成功_and_shows_in_me_and_the_next_login() {
    let app = spawn_app().await;
    let alice = registered(&app, "alice").await;
    let token = token_of(&app, &alice).await;
    assert_success(update(&app, &token, &json!({"userName": "爱丽丝"})).await, "修改成功").await;
    let expected = json!({"UserId": "alice", "UserName": "爱丽丝", "UserEmail": alice.email});
    assert_eq!(profile(&app, &token).await, expected);
    let (_, _, err) = answer(login(&app, &alice.id, &alice.pwd).await).await;
    assert_eq!(err["Notice"]["msg"], "登录成功 hello 爱丽丝", "{err}");
}

#[tokio::test]
async fn update_of_the_email_stores_it_lower_cased_and_frees_the_old_one() {
    let app = spawn_app().await;
    let alice = registered(&app, "alice").await;
    let token = token_of(&app, &alice).await;
    assert_success(update(&app, &token, &json!({"userEmail": "New.Alice@Example.com"})).await, "修改成功").await;
    let expected = json!({"UserId": "alice", "UserName": alice.name, "UserEmail": "new.alice@example.com"});
    assert_eq!(profile(&app, &token).await, expected);
    // R1 holds for current emails only: the old one is free again.
    let bob = Account { email: alice.email.clone(), ..Account::new("bob") };
    assert_success(register(&app, &bob.json()).await, "注册成功").await;
}

#[tokio::test]
async fn update_accepts_both_fields_at_once_in_a_urlencoded_form() {
    let app = spawn_app().await;
    let alice = registered(&app, "alice").await;
    let token = token_of(&app, &alice).await;
    let form = [("userName", "Alice B"), ("userEmail", "ab@example.com")];
    let response = app.client.put(app.url("/user/update")).bearer_auth(&token).form(&form).send().await.unwrap();
    assert_success(response, "修改成功").await;
    let expected = json!({"UserId": "alice", "UserName": "Alice B", "UserEmail": "ab@example.com"});
    assert_eq!(profile(&app, &token).await, expected);
}

#[tokio::test]
async fn e1001_an_update_without_any_field_is_refused() {
    let app = spawn_app().await;
    let alice = registered(&app, "alice").await;
    let token = token_of(&app, &alice).await;
    assert_invalid(update(&app, &token, &json!({})).await, "至少需要提供一个要修改的字段（如userName）").await;
    let response = app.client.put(app.url("/user/update")).bearer_auth(&token).send().await.unwrap();
    assert_invalid(response, "至少需要提供一个要修改的字段（如userName）").await;
}

#[tokio::test]
async fn e1001_an_invalid_name_or_email_names_the_field_and_changes_nothing() {
    let app = spawn_app().await;
    let alice = registered(&app, "alice").await;
    let token = token_of(&app, &alice).await;
    assert_invalid(update(&app, &token, &json!({"userEmail": "not-an-email"})).await, "userEmail不是有效的邮箱地址")
        .await;
    let both = json!({"userName": "  ", "userEmail": "fine@example.com"});
    assert_invalid(update(&app, &token, &both).await, "userName不能为空").await;
    let expected = json!({"UserId": "alice", "UserName": alice.name, "UserEmail": alice.email});
    assert_eq!(profile(&app, &token).await, expected);
}

#[tokio::test]
async fn e1104_an_update_to_another_users_email_is_refused_whatever_its_case() {
    let app = spawn_app().await;
    let alice = registered(&app, "alice").await;
    registered(&app, "bob").await;
    let token = token_of(&app, &alice).await;
    for email in ["bob@example.com", "BOB@Example.com"] {
        let response = update(&app, &token, &json!({"userEmail": email})).await;
        assert_answer(response, 409, 1104, "邮箱已被绑定", "邮箱已被绑定").await;
    }
    assert_eq!(profile(&app, &token).await["UserEmail"], alice.email);
}

#[tokio::test]
async fn an_update_to_the_callers_own_email_is_not_e1104() {
    let app = spawn_app().await;
    let alice = registered(&app, "alice").await;
    let token = token_of(&app, &alice).await;
    assert_success(update(&app, &token, &json!({"userEmail": alice.email})).await, "修改成功").await;
}

#[tokio::test]
async fn r11_exit_answers_退出系统成功_and_revokes_that_token() {
    let app = spawn_app().await;
    let alice = registered(&app, "alice").await;
    let token = token_of(&app, &alice).await;
    assert_success(exit(&app, &token).await, "退出系统成功").await;
    assert_invalid_token(me(&app, &token).await).await;
    assert_invalid_token(update(&app, &token, &json!({"userName": "x"})).await).await;
    assert_invalid_token(exit(&app, &token).await).await;
}

#[tokio::test]
async fn r11_exit_leaves_the_users_other_sessions_working_and_a_new_login_works() {
    let app = spawn_app().await;
    let alice = registered(&app, "alice").await;
    let phone = token_of(&app, &alice).await;
    let laptop = token_of(&app, &alice).await;
    assert_success(exit(&app, &phone).await, "退出系统成功").await;
    assert_eq!(profile(&app, &laptop).await["UserId"], "alice");
    let again = token_of(&app, &alice).await;
    assert_eq!(profile(&app, &again).await["UserId"], "alice");
    assert_invalid_token(me(&app, &phone).await).await;
}
