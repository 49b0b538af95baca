//! Password reset (SPEC §6): POST /user/forgetPwd and PUT /user/updatePwd, with the
//! code rules and request limits of S3, R11 for every session, and the mail
//! transports of SPEC §9 (`console` logs the code, `response` answers it).

use std::time::Duration;

use chatroom_tests::TestApp;
use reqwest::Method;
use serde_json::json;

use crate::accounts::{
    answer, assert_answer, assert_invalid, assert_invalid_token, assert_login_failed, assert_success,
    assert_wrong_code, call, forget_pwd, logged_codes, login, me, registered, retry_after, send_multipart, token_of,
    update_pwd, wait_for_logged_code, wrong_code, Account,
};
use crate::{chatroom, spawn_app};

const NEW_PWD: &str = "brand-new-password";

/// A server with `mail.transport = "response"`, plus `envs`.
async fn response_transport(envs: &[(&str, &str)]) -> TestApp {
    let mut command = chatroom().env("CHATROOM__MAIL__TRANSPORT", "response");
    for (key, value) in envs {
        command = command.env(key, value);
    }
    command.spawn().await
}

/// Asks for a code under the `response` transport and returns it (6 digits).
async fn code_for(app: &TestApp, email: &str) -> String {
    let (status, _, err) = answer(forget_pwd(app, email).await).await;
    assert_eq!((status, &err["Code"], &err["Msg"]), (200, &json!(0), &json!("")), "{err}");
    assert_eq!(err["Notice"]["notice"], "十分钟内有效", "{err}");
    let code = err["Notice"]["验证码"].as_str().unwrap_or_else(|| panic!("no 验证码 in {err}")).to_owned();
    assert!(code.len() == 6 && code.bytes().all(|b| b.is_ascii_digit()), "S3: six digits, got {code:?}");
    code
}

/// Asserts the answer of forgetPwd that carries no code.
async fn assert_code_sent(response: reqwest::Response) {
    let (status, _, err) = answer(response).await;
    assert_eq!(err, json!({"Code": 0, "Msg": "", "Notice": {"notice": "十分钟内有效"}}), "status {status}");
    assert_eq!(status, 200);
}

/// S3's request limit answer; returns its `Retry-After` seconds.
async fn assert_blacklisted(response: reqwest::Response) -> u64 {
    let headers = assert_answer(response, 429, 1105, "发送多次拉入黑名单", "发送多次拉入黑名单").await;
    retry_after(&headers)
}

#[tokio::test]
async fn s3_by_default_the_code_goes_to_the_log_never_into_the_answer_and_it_works() {
    let app = spawn_app().await;
    let alice = registered(&app, "alice").await;
    assert_code_sent(forget_pwd(&app, &alice.email).await).await;
    let code = wait_for_logged_code(&app, &alice.email, 1).await;
    assert!(code.len() == 6, "S3: six digits, got {code:?}");
    assert_success(update_pwd(&app, &alice.email, NEW_PWD, &code).await, "修改成功").await;
    token_of(&app, &Account { pwd: NEW_PWD.into(), ..alice }).await;
}

#[tokio::test]
async fn s3_an_unknown_email_gets_the_same_answer_and_no_code_is_sent() {
    let app = spawn_app().await;
    let alice = registered(&app, "alice").await;
    let unknown = forget_pwd(&app, "nobody@example.com").await;
    let known = forget_pwd(&app, &alice.email).await;
    let (unknown_status, unknown_body) = (unknown.status(), unknown.text().await.unwrap());
    let (known_status, known_body) = (known.status(), known.text().await.unwrap());
    assert_eq!((unknown_status, &unknown_body), (known_status, &known_body), "the answers tell the two apart");
    // The log is read in order: once the known email's line is in, an earlier line
    // for the unknown one would be too.
    wait_for_logged_code(&app, &alice.email, 1).await;
    assert!(logged_codes(&app, "nobody@example.com").is_empty(), "{:?}", app.logs());
}

#[tokio::test]
async fn the_response_transport_answers_the_code_for_a_known_email_only() {
    let app = response_transport(&[]).await;
    let alice = registered(&app, "alice").await;
    let code = code_for(&app, &alice.email).await;
    assert_code_sent(forget_pwd(&app, "nobody@example.com").await).await;
    assert_success(update_pwd(&app, &alice.email, NEW_PWD, &code).await, "修改成功").await;
}

#[tokio::test]
async fn update_pwd_answers_修改成功_and_only_the_new_password_works_afterwards() {
    let app = response_transport(&[]).await;
    let alice = registered(&app, "alice").await;
    let code = code_for(&app, &alice.email).await;
    assert_success(update_pwd(&app, &alice.email, NEW_PWD, &code).await, "修改成功").await;
    assert_login_failed(login(&app, &alice.id, &alice.pwd).await).await;
    token_of(&app, &Account { pwd: NEW_PWD.into(), ..alice }).await;
}

#[tokio::test]
async fn r11_update_pwd_revokes_every_session_of_the_user_only() {
    let app = response_transport(&[]).await;
    let alice = registered(&app, "alice").await;
    let bob = registered(&app, "bob").await;
    let (phone, laptop, bobs) =
        (token_of(&app, &alice).await, token_of(&app, &alice).await, token_of(&app, &bob).await);
    let code = code_for(&app, &alice.email).await;
    assert_success(update_pwd(&app, &alice.email, NEW_PWD, &code).await, "修改成功").await;
    assert_invalid_token(me(&app, &phone).await).await;
    assert_invalid_token(me(&app, &laptop).await).await;
    assert_eq!(me(&app, &bobs).await.status(), 200);
}

#[tokio::test]
async fn update_pwd_takes_the_email_in_any_case_and_the_code_under_its_alias_code() {
    let app = response_transport(&[]).await;
    let alice = registered(&app, "alice").await;
    let code = code_for(&app, &alice.email).await;
    let body = json!({"userEmail": alice.email.to_uppercase(), "newPwd": NEW_PWD, "code": code});
    assert_success(call(&app, Method::PUT, "/user/updatePwd", None, Some(&body)).await, "修改成功").await;
    token_of(&app, &Account { pwd: NEW_PWD.into(), ..alice }).await;
}

#[tokio::test]
async fn update_pwd_accepts_the_seeds_forms_with_the_field_验证码() {
    let app = response_transport(&[]).await;
    let alice = registered(&app, "alice").await;
    let code = code_for(&app, &alice.email).await;
    let form = [("userEmail", alice.email.as_str()), ("newPwd", NEW_PWD), ("验证码", &code)];
    let response = app.client.put(app.url("/user/updatePwd")).form(&form).send().await.unwrap();
    assert_success(response, "修改成功").await;
    let code = code_for(&app, &alice.email).await;
    let fields = [("userEmail", alice.email.as_str()), ("newPwd", "another-password"), ("验证码", &code)];
    assert_success(send_multipart(&app, Method::PUT, "/user/updatePwd", &fields).await, "修改成功").await;
    token_of(&app, &Account { pwd: "another-password".into(), ..alice }).await;
}

#[tokio::test]
async fn forget_pwd_accepts_a_urlencoded_form() {
    let app = response_transport(&[]).await;
    let alice = registered(&app, "alice").await;
    let response = app.client.post(app.url("/user/forgetPwd")).form(&[("userEmail", &alice.email)]).send().await;
    let (status, _, err) = answer(response.unwrap()).await;
    assert_eq!((status, &err["Notice"]["notice"]), (200, &json!("十分钟内有效")), "{err}");
    assert!(err["Notice"]["验证码"].is_string(), "{err}");
}

#[tokio::test]
async fn e1106_a_wrong_code_is_refused_and_the_password_stays() {
    let app = response_transport(&[]).await;
    let alice = registered(&app, "alice").await;
    let code = code_for(&app, &alice.email).await;
    assert_wrong_code(update_pwd(&app, &alice.email, NEW_PWD, &wrong_code(&code)).await).await;
    token_of(&app, &alice).await;
}

#[tokio::test]
async fn e1106_an_email_that_never_asked_for_a_code_is_refused() {
    let app = response_transport(&[]).await;
    let alice = registered(&app, "alice").await;
    assert_wrong_code(update_pwd(&app, &alice.email, NEW_PWD, "123456").await).await;
    assert_wrong_code(update_pwd(&app, "nobody@example.com", NEW_PWD, "123456").await).await;
}

#[tokio::test]
async fn s3_a_code_works_once() {
    let app = response_transport(&[]).await;
    let alice = registered(&app, "alice").await;
    let code = code_for(&app, &alice.email).await;
    assert_success(update_pwd(&app, &alice.email, NEW_PWD, &code).await, "修改成功").await;
    assert_wrong_code(update_pwd(&app, &alice.email, "third-password", &code).await).await;
    token_of(&app, &Account { pwd: NEW_PWD.into(), ..alice }).await;
}

#[tokio::test]
async fn s3_a_new_code_voids_the_old_one() {
    let app = response_transport(&[]).await;
    let alice = registered(&app, "alice").await;
    let old = code_for(&app, &alice.email).await;
    let new = code_for(&app, &alice.email).await;
    if old != new {
        assert_wrong_code(update_pwd(&app, &alice.email, NEW_PWD, &old).await).await;
    }
    assert_success(update_pwd(&app, &alice.email, NEW_PWD, &new).await, "修改成功").await;
}

#[tokio::test]
async fn s3_four_wrong_attempts_leave_the_code_usable() {
    let app = response_transport(&[]).await;
    let alice = registered(&app, "alice").await;
    let code = code_for(&app, &alice.email).await;
    for _ in 0..4 {
        assert_wrong_code(update_pwd(&app, &alice.email, NEW_PWD, &wrong_code(&code)).await).await;
    }
    assert_success(update_pwd(&app, &alice.email, NEW_PWD, &code).await, "修改成功").await;
}

#[tokio::test]
async fn s3_five_wrong_attempts_burn_the_code_so_even_the_right_one_gets_e1106() {
    let app = response_transport(&[]).await;
    let alice = registered(&app, "alice").await;
    let code = code_for(&app, &alice.email).await;
    for _ in 0..5 {
        assert_wrong_code(update_pwd(&app, &alice.email, NEW_PWD, &wrong_code(&code)).await).await;
    }
    assert_wrong_code(update_pwd(&app, &alice.email, NEW_PWD, &code).await).await;
    token_of(&app, &alice).await;
}

#[tokio::test]
async fn s3_reset_code_max_attempts_sets_when_a_code_burns() {
    let app = response_transport(&[("CHATROOM__AUTH__RESET_CODE_MAX_ATTEMPTS", "1")]).await;
    let alice = registered(&app, "alice").await;
    let code = code_for(&app, &alice.email).await;
    assert_wrong_code(update_pwd(&app, &alice.email, NEW_PWD, &wrong_code(&code)).await).await;
    assert_wrong_code(update_pwd(&app, &alice.email, NEW_PWD, &code).await).await;
}

#[tokio::test]
async fn s3_an_expired_code_gets_e1106() {
    let app = response_transport(&[("CHATROOM__AUTH__RESET_CODE_TTL", "1s")]).await;
    let alice = registered(&app, "alice").await;
    let code = code_for(&app, &alice.email).await;
    tokio::time::sleep(Duration::from_millis(1200)).await;
    assert_wrong_code(update_pwd(&app, &alice.email, NEW_PWD, &code).await).await;
    token_of(&app, &alice).await;
}

#[tokio::test]
async fn s3_the_fourth_request_for_an_email_gets_e1105_with_retry_after() {
    let app = response_transport(&[]).await;
    let alice = registered(&app, "alice").await;
    for _ in 0..3 {
        code_for(&app, &alice.email).await;
    }
    let wait = assert_blacklisted(forget_pwd(&app, &alice.email).await).await;
    assert!(wait <= 3600, "auth.reset_lockout defaults to 1 h, Retry-After says {wait}");
    // Another email is not affected.
    let bob = registered(&app, "bob").await;
    code_for(&app, &bob.email).await;
}

#[tokio::test]
async fn s3_unknown_emails_count_toward_the_limit_and_get_the_same_refusal() {
    let app = response_transport(&[]).await;
    let alice = registered(&app, "alice").await;
    for _ in 0..3 {
        code_for(&app, &alice.email).await;
        assert_code_sent(forget_pwd(&app, "nobody@example.com").await).await;
    }
    let known = forget_pwd(&app, &alice.email).await;
    let unknown = forget_pwd(&app, "nobody@example.com").await;
    let known = (known.status(), known.headers().get("retry-after").cloned(), known.text().await.unwrap());
    let unknown = (unknown.status(), unknown.headers().get("retry-after").cloned(), unknown.text().await.unwrap());
    assert_eq!(known, unknown, "the refusals tell the two apart");
    assert_blacklisted(forget_pwd(&app, "nobody@example.com").await).await;
}

#[tokio::test]
async fn s3_requests_from_one_address_are_limited_across_emails() {
    let app = response_transport(&[("CHATROOM__AUTH__RESET_REQUESTS_PER_IP", "2")]).await;
    let alice = registered(&app, "alice").await;
    code_for(&app, &alice.email).await;
    assert_code_sent(forget_pwd(&app, "nobody@example.com").await).await;
    assert_blacklisted(forget_pwd(&app, "third@example.com").await).await;
    assert_blacklisted(forget_pwd(&app, &alice.email).await).await;
}

#[tokio::test]
async fn s3_the_blacklist_lasts_reset_lockout() {
    let app = response_transport(&[
        ("CHATROOM__AUTH__RESET_REQUESTS_PER_EMAIL", "1"),
        ("CHATROOM__AUTH__RESET_EMAIL_WINDOW", "500ms"),
        ("CHATROOM__AUTH__RESET_LOCKOUT", "1s"),
    ])
    .await;
    let alice = registered(&app, "alice").await;
    code_for(&app, &alice.email).await;
    assert_eq!(assert_blacklisted(forget_pwd(&app, &alice.email).await).await, 1);
    tokio::time::sleep(Duration::from_millis(1100)).await;
    let code = code_for(&app, &alice.email).await;
    assert_success(update_pwd(&app, &alice.email, NEW_PWD, &code).await, "修改成功").await;
}

#[tokio::test]
async fn e1001_forget_pwd_names_user_email() {
    let app = spawn_app().await;
    assert_invalid(forget_pwd(&app, "not-an-email").await, "userEmail不是有效的邮箱地址").await;
    let response = app.client.post(app.url("/user/forgetPwd")).send().await.unwrap();
    assert_invalid(response, "userEmail不能为空").await;
}

#[tokio::test]
async fn e1001_update_pwd_names_new_pwd_or_验证码() {
    let app = response_transport(&[]).await;
    let alice = registered(&app, "alice").await;
    let code = code_for(&app, &alice.email).await;
    assert_invalid(update_pwd(&app, &alice.email, "short", &code).await, "newPwd的长度须为8到128个字符").await;
    assert_invalid(update_pwd(&app, &alice.email, NEW_PWD, "").await, "验证码不能为空").await;
    // Neither refusal used the code up.
    assert_success(update_pwd(&app, &alice.email, NEW_PWD, &code).await, "修改成功").await;
}

#[tokio::test]
async fn s3_the_smtp_transport_mails_the_code_and_the_code_resets_the_password() {
    let receiver = chatroom_tests::smtp::SmtpReceiver::start().await;
    let app = chatroom()
        .env("CHATROOM__MAIL__TRANSPORT", "smtp")
        .env("CHATROOM__MAIL__SMTP__HOST", "127.0.0.1")
        .env("CHATROOM__MAIL__SMTP__PORT", receiver.port().to_string())
        .env("CHATROOM__MAIL__SMTP__TLS", "none")
        .env("CHATROOM__MAIL__SMTP__FROM", "chatroom <no-reply@example.com>")
        .spawn()
        .await;
    let alice = registered(&app, "alice").await;

    assert_code_sent(forget_pwd(&app, &alice.email).await).await;
    let mail = receiver.next_mail(Duration::from_secs(10)).await.expect("S3: the reset mail did not arrive");
    assert_eq!(mail.to, [alice.email.to_lowercase()]);
    let text = mail.text();
    let code: String = text
        .split(|c: char| !c.is_ascii_digit())
        .find(|run| run.len() == 6)
        .unwrap_or_else(|| panic!("no 6-digit code in the mail: {text}"))
        .to_owned();
    assert!(logged_codes(&app, &alice.email).is_empty(), "the smtp transport must not log the code");

    assert_success(update_pwd(&app, &alice.email, NEW_PWD, &code).await, "修改成功").await;
    token_of(&app, &Account { pwd: NEW_PWD.into(), ..alice }).await;
}
