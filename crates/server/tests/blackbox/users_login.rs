//! POST /user/login (SPEC §6): the token and its claims (S2), one answer for a
//! wrong password and an unknown userId (S1), and the lockouts of S4.

use std::time::Duration;

use reqwest::Method;
use serde_json::json;

use crate::accounts::{
    answer, assert_answer, assert_invalid, assert_login_failed, jwt_part, login, me, registered, retry_after,
    rfc3339_unix_seconds, send_multipart, token_of,
};
use crate::{chatroom, spawn_app};

/// S4's lockout answer; returns its `Retry-After` seconds.
async fn assert_locked_out(response: reqwest::Response) -> u64 {
    let headers = assert_answer(response, 429, 1103, "登录尝试过多", "登录尝试过多，请稍后再试").await;
    retry_after(&headers)
}

#[tokio::test]
async fn login_answers_the_token_its_expiry_and_the_welcome_with_no_rooms() {
    let app = spawn_app().await;
    let alice = registered(&app, "alice").await;
    let (status, _, err) = answer(login(&app, &alice.id, &alice.pwd).await).await;
    assert_eq!(status, 200, "{err}");
    assert_eq!(err["Code"], 0, "{err}");
    assert_eq!(err["Notice"], json!({"msg": format!("登录成功 hello {}", alice.name), "rooms": []}), "{err}");
    let msg = err["Msg"].as_object().unwrap_or_else(|| panic!("Msg is not an object: {err}"));
    let mut keys: Vec<&str> = msg.keys().map(String::as_str).collect();
    keys.sort_unstable();
    assert_eq!(keys, ["expiresAt", "token"], "{err}");
    let token = msg["token"].as_str().unwrap();
    let expires_at = rfc3339_unix_seconds(msg["expiresAt"].as_str().unwrap());
    assert_eq!(json!(expires_at), jwt_part(token, 1)["exp"], "expiresAt is the token's exp");
    // The token works straight away.
    assert_eq!(me(&app, token).await.status(), 200);
}

#[tokio::test]
async fn s2_the_token_is_hs256_with_user_id_sub_sid_iat_exp_and_iss_for_24_hours() {
    let app = spawn_app().await;
    let alice = registered(&app, "alice").await;
    let token = token_of(&app, &alice).await;
    assert_eq!(jwt_part(&token, 0)["alg"], "HS256");
    let claims = jwt_part(&token, 1);
    assert_eq!(claims["userId"], "alice", "{claims}");
    assert_eq!(claims["sub"], "alice", "{claims}");
    assert!(claims["sid"].as_str().is_some_and(|sid| !sid.is_empty()), "{claims}");
    assert!(claims["iss"].as_str().is_some_and(|iss| !iss.is_empty()), "{claims}");
    let (iat, exp) = (claims["iat"].as_i64().unwrap(), claims["exp"].as_i64().unwrap());
    assert_eq!(exp - iat, 24 * 3600, "auth.token_ttl defaults to 24 h: {claims}");
}

#[tokio::test]
async fn s2_every_login_opens_a_session_of_its_own() {
    let app = spawn_app().await;
    let alice = registered(&app, "alice").await;
    let first = jwt_part(&token_of(&app, &alice).await, 1);
    let second = jwt_part(&token_of(&app, &alice).await, 1);
    assert_ne!(first["sid"], second["sid"]);
}

#[tokio::test]
async fn e1102_a_wrong_password_and_an_unknown_user_id_get_the_same_answer() {
    let app = spawn_app().await;
    let alice = registered(&app, "alice").await;
    let wrong_password = login(&app, &alice.id, "not-the-password").await;
    let unknown_user = login(&app, "nobody", &alice.pwd).await;
    let (wrong_status, wrong_body) = (wrong_password.status(), wrong_password.text().await.unwrap());
    let (unknown_status, unknown_body) = (unknown_user.status(), unknown_user.text().await.unwrap());
    assert_eq!((wrong_status, &wrong_body), (unknown_status, &unknown_body), "the answers tell the two apart");
    assert_login_failed(login(&app, &alice.id, "not-the-password").await).await;
}

#[tokio::test]
async fn login_accepts_urlencoded_and_multipart_forms() {
    let app = spawn_app().await;
    let alice = registered(&app, "alice").await;
    let form = [("userId", &alice.id), ("userPwd", &alice.pwd)];
    let response = app.client.post(app.url("/user/login")).form(&form).send().await.unwrap();
    let (status, _, err) = answer(response).await;
    assert_eq!((status, &err["Code"]), (200, &json!(0)), "{err}");
    let fields = [("userId", &*alice.id), ("userPwd", &alice.pwd)];
    let (status, _, err) = answer(send_multipart(&app, Method::POST, "/user/login", &fields).await).await;
    assert_eq!((status, &err["Code"]), (200, &json!(0)), "{err}");
}

#[tokio::test]
async fn e1001_a_login_without_user_id_or_password_names_the_field() {
    let app = spawn_app().await;
    let response = app.client.post(app.url("/user/login")).send().await.unwrap();
    assert_invalid(response, "userId不能为空").await;
    let response = app.client.post(app.url("/user/login")).json(&json!({"userId": "alice"})).send().await.unwrap();
    assert_invalid(response, "userPwd不能为空").await;
}

#[tokio::test]
async fn s4_the_fifth_failure_still_answers_e1102_and_the_sixth_attempt_e1103_even_with_the_right_password() {
    let app = spawn_app().await;
    let alice = registered(&app, "alice").await;
    for _ in 0..5 {
        assert_login_failed(login(&app, &alice.id, "wrong-password").await).await;
    }
    let wait = assert_locked_out(login(&app, &alice.id, &alice.pwd).await).await;
    assert!(wait <= 15 * 60, "the lockout lasts 15 minutes, Retry-After says {wait}");
}

#[tokio::test]
async fn s4_a_locked_user_id_does_not_lock_other_users() {
    let app = spawn_app().await;
    let alice = registered(&app, "alice").await;
    let bob = registered(&app, "bob").await;
    for _ in 0..5 {
        assert_login_failed(login(&app, &alice.id, "wrong-password").await).await;
    }
    assert_locked_out(login(&app, &alice.id, &alice.pwd).await).await;
    token_of(&app, &bob).await;
}

#[tokio::test]
async fn s4_unknown_user_ids_are_locked_out_like_known_ones() {
    let app = spawn_app().await;
    for _ in 0..5 {
        assert_login_failed(login(&app, "nobody", "wrong-password").await).await;
    }
    assert_locked_out(login(&app, "nobody", "wrong-password").await).await;
}

#[tokio::test]
async fn s4_a_successful_login_clears_the_users_failures() {
    let app = spawn_app().await;
    let alice = registered(&app, "alice").await;
    for _ in 0..4 {
        assert_login_failed(login(&app, &alice.id, "wrong-password").await).await;
    }
    token_of(&app, &alice).await;
    for _ in 0..4 {
        assert_login_failed(login(&app, &alice.id, "wrong-password").await).await;
    }
    token_of(&app, &alice).await;
}

#[tokio::test]
async fn s4_failures_from_one_address_lock_it_across_user_ids() {
    let app = chatroom().env("CHATROOM__AUTH__LOGIN_FAILURES_PER_IP", "3").spawn().await;
    let alice = registered(&app, "alice").await;
    for user in ["u1", "u2", "u3"] {
        assert_login_failed(login(&app, user, "wrong-password").await).await;
    }
    assert_locked_out(login(&app, &alice.id, &alice.pwd).await).await;
}

#[tokio::test]
async fn s4_the_lockout_ends_after_login_lockout() {
    let app = chatroom()
        .env("CHATROOM__AUTH__LOGIN_FAILURES_PER_USER", "2")
        .env("CHATROOM__AUTH__LOGIN_LOCKOUT", "1s")
        .spawn()
        .await;
    let alice = registered(&app, "alice").await;
    for _ in 0..2 {
        assert_login_failed(login(&app, &alice.id, "wrong-password").await).await;
    }
    assert_eq!(assert_locked_out(login(&app, &alice.id, &alice.pwd).await).await, 1);
    tokio::time::sleep(Duration::from_millis(1100)).await;
    token_of(&app, &alice).await;
}

#[tokio::test]
async fn s4_only_failures_within_login_window_count() {
    let app = chatroom()
        .env("CHATROOM__AUTH__LOGIN_FAILURES_PER_USER", "2")
        .env("CHATROOM__AUTH__LOGIN_WINDOW", "1s")
        .spawn()
        .await;
    let alice = registered(&app, "alice").await;
    assert_login_failed(login(&app, &alice.id, "wrong-password").await).await;
    tokio::time::sleep(Duration::from_millis(1100)).await;
    assert_login_failed(login(&app, &alice.id, "wrong-password").await).await;
    token_of(&app, &alice).await;
}

#[tokio::test]
async fn s4_behind_a_proxy_the_per_ip_limit_reads_the_configured_header() {
    let app = chatroom()
        .env("CHATROOM__AUTH__LOGIN_FAILURES_PER_IP", "2")
        .env("CHATROOM__HTTP__CLIENT_IP_HEADER", "X-Forwarded-For")
        .spawn()
        .await;
    let alice = registered(&app, "alice").await;
    let login_from = |address: &'static str, user: &'static str, pwd: String| {
        let request = app.client.post(app.url("/user/login")).header("X-Forwarded-For", address);
        request.json(&json!({"userId": user, "userPwd": pwd})).send()
    };
    for user in ["u1", "u2"] {
        assert_login_failed(login_from("203.0.113.7", user, "wrong-password".into()).await.unwrap()).await;
    }
    // The proxy appends the address it saw: the last one counts, not one a client made up.
    let locked = login_from("198.51.100.1, 203.0.113.7", "alice", alice.pwd.clone()).await.unwrap();
    assert_locked_out(locked).await;
    let other = login_from("203.0.113.8", "alice", alice.pwd.clone()).await.unwrap();
    assert_eq!(answer(other).await.2["Code"], 0);
}

#[tokio::test]
async fn s8_of_twenty_racing_wrong_passwords_at_most_five_are_checked_and_the_rest_locked_out() {
    let app = spawn_app().await;
    let alice = registered(&app, "alice").await;
    let start = std::sync::Arc::new(tokio::sync::Barrier::new(20));
    let guesses: Vec<_> = (0..20)
        .map(|n| {
            let (client, url, start) = (app.client.clone(), format!("{}/user/login", app.base_url), start.clone());
            let body = json!({"userId": alice.id, "userPwd": format!("wrong-password-{n}")});
            tokio::spawn(async move {
                start.wait().await;
                client.post(url).json(&body).send().await.unwrap().status().as_u16()
            })
        })
        .collect();
    let mut statuses = Vec::new();
    for guess in guesses {
        statuses.push(guess.await.unwrap());
    }

    let checked = statuses.iter().filter(|status| **status == 401).count();
    let locked_out = statuses.iter().filter(|status| **status == 429).count();
    assert!(checked <= 5, "S8: {checked} guesses were checked: {statuses:?}");
    assert_eq!(checked + locked_out, 20, "{statuses:?}");
    assert_locked_out(login(&app, &alice.id, &alice.pwd).await).await;
}
