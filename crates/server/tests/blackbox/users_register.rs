//! POST /user/register (SPEC §6): the three body formats, R1 and the field rules of
//! SPEC §3 with E1001 naming the field.

use reqwest::Method;
use serde_json::json;

use crate::accounts::{
    assert_answer, assert_invalid, assert_success, login, register, registered, retry_after, send_multipart, token_of,
    Account,
};
use crate::{chatroom, spawn_app};

async fn assert_user_exists(response: reqwest::Response) {
    assert_answer(response, 409, 1101, "用户已存在", "用户Id或邮箱已存在，请重新注册").await;
}

#[tokio::test]
async fn register_with_a_json_body_answers_注册成功_and_the_account_can_log_in() {
    let app = spawn_app().await;
    let alice = Account::new("alice");
    assert_success(register(&app, &alice.json()).await, "注册成功").await;
    token_of(&app, &alice).await;
}

#[tokio::test]
async fn register_accepts_a_urlencoded_form() {
    let app = spawn_app().await;
    let bob = Account::new("bob");
    let form = [("userId", &bob.id), ("userPwd", &bob.pwd), ("userName", &bob.name), ("userEmail", &bob.email)];
    let response = app.client.post(app.url("/user/register")).form(&form).send().await.unwrap();
    assert_success(response, "注册成功").await;
    token_of(&app, &bob).await;
}

#[tokio::test]
async fn register_accepts_a_multipart_form() {
    let app = spawn_app().await;
    let carol = Account::new("carol");
    let fields =
        [("userId", &*carol.id), ("userPwd", &carol.pwd), ("userName", &carol.name), ("userEmail", &carol.email)];
    assert_success(send_multipart(&app, Method::POST, "/user/register", &fields).await, "注册成功").await;
    token_of(&app, &carol).await;
}

#[tokio::test]
async fn register_takes_json_numbers_where_strings_are_expected() {
    let app = spawn_app().await;
    let body = json!({"userId": 42, "userPwd": 12_345_678, "userName": 7, "userEmail": "n42@example.com"});
    assert_success(register(&app, &body).await, "注册成功").await;
    let (status, _, err) = crate::accounts::answer(login(&app, "42", "12345678").await).await;
    assert_eq!((status, &err["Code"], &err["Notice"]["msg"]), (200, &json!(0), &json!("登录成功 hello 7")), "{err}");
}

#[tokio::test]
async fn r1_a_taken_user_id_answers_e1101() {
    let app = spawn_app().await;
    let alice = registered(&app, "alice").await;
    let again = Account { email: "other@example.com".into(), ..alice };
    assert_user_exists(register(&app, &again.json()).await).await;
}

#[tokio::test]
async fn r1_a_taken_email_answers_e1101_whatever_its_case() {
    let app = spawn_app().await;
    registered(&app, "alice").await;
    let bob = Account { email: "ALICE@Example.COM".into(), ..Account::new("bob") };
    assert_user_exists(register(&app, &bob.json()).await).await;
}

#[tokio::test]
async fn r1_a_refused_duplicate_leaves_the_first_account_untouched() {
    let app = spawn_app().await;
    let alice = registered(&app, "alice").await;
    let impostor = Account { pwd: "impostor-password".into(), email: "x@example.com".into(), ..alice.clone() };
    assert_user_exists(register(&app, &impostor.json()).await).await;
    token_of(&app, &alice).await;
    crate::accounts::assert_login_failed(login(&app, &alice.id, &impostor.pwd).await).await;
}

#[tokio::test]
async fn e1001_a_missing_body_names_the_first_field_user_id() {
    let app = spawn_app().await;
    let response = app.client.post(app.url("/user/register")).send().await.unwrap();
    assert_invalid(response, "userId不能为空").await;
}

#[tokio::test]
async fn e1001_a_user_id_outside_the_charset_or_over_32_chars_names_user_id() {
    let app = spawn_app().await;
    let spaced = Account { id: "a b".into(), ..Account::new("ab") };
    assert_invalid(register(&app, &spaced.json()).await, "userId只能包含字母、数字、下划线、点和连字符").await;
    let long = Account { id: "x".repeat(33), ..Account::new("long") };
    assert_invalid(register(&app, &long.json()).await, "userId的长度须为1到32个字符").await;
    // The bounds themselves are fine: 32 characters of the whole charset.
    let widest = Account { id: format!("aZ09_.-{}", "x".repeat(25)), ..Account::new("widest") };
    assert_success(register(&app, &widest.json()).await, "注册成功").await;
}

#[tokio::test]
async fn e1001_a_password_under_8_chars_names_user_pwd() {
    let app = spawn_app().await;
    let short = Account { pwd: "1234567".into(), ..Account::new("short") };
    assert_invalid(register(&app, &short.json()).await, "userPwd的长度须为8到128个字符").await;
    let long = Account { pwd: "p".repeat(129), ..Account::new("long") };
    assert_invalid(register(&app, &long.json()).await, "userPwd的长度须为8到128个字符").await;
    let exact = Account { pwd: "12345678".into(), ..Account::new("exact") };
    assert_success(register(&app, &exact.json()).await, "注册成功").await;
}

#[tokio::test]
async fn min_password_length_lowers_the_minimum_so_the_seeds_passwords_work() {
    let app = chatroom().env("CHATROOM__AUTH__MIN_PASSWORD_LENGTH", "3").spawn().await;
    let seed = Account { id: "2".into(), pwd: "135".into(), name: "zzz".into(), email: "1@qq.com".into() };
    assert_success(register(&app, &seed.json()).await, "注册成功").await;
    token_of(&app, &seed).await;
    let shorter = Account { pwd: "12".into(), ..Account::new("shorter") };
    assert_invalid(register(&app, &shorter.json()).await, "userPwd的长度须为3到128个字符").await;
}

#[tokio::test]
async fn e1001_a_blank_long_or_control_character_user_name_names_user_name() {
    let app = spawn_app().await;
    let blank = Account { name: "   ".into(), ..Account::new("blank") };
    assert_invalid(register(&app, &blank.json()).await, "userName不能为空").await;
    let long = Account { name: "名".repeat(33), ..Account::new("long") };
    assert_invalid(register(&app, &long.json()).await, "userName的长度须为1到32个字符").await;
    let bell = Account { name: "a\u{7}b".into(), ..Account::new("bell") };
    assert_invalid(register(&app, &bell.json()).await, "userName不能包含控制字符").await;
}

#[tokio::test]
async fn the_user_name_is_trimmed_and_may_be_32_unicode_chars() {
    let app = spawn_app().await;
    let padded = Account { name: "  zhy  ".into(), ..Account::new("padded") };
    assert_success(register(&app, &padded.json()).await, "注册成功").await;
    let (_, _, err) = crate::accounts::answer(login(&app, &padded.id, &padded.pwd).await).await;
    assert_eq!(err["Notice"]["msg"], "登录成功 hello zhy", "{err}");
    let wide = Account { name: "名".repeat(32), ..Account::new("wide") };
    assert_success(register(&app, &wide.json()).await, "注册成功").await;
}

#[tokio::test]
async fn e1001_an_implausible_or_missing_email_names_user_email() {
    let app = spawn_app().await;
    for bad in ["a", "a@b", "@b.c", "a b@c.d", "a@b..c"] {
        let account = Account { email: bad.into(), ..Account::new("mail") };
        assert_invalid(register(&app, &account.json()).await, "userEmail不是有效的邮箱地址").await;
    }
    let long = Account { email: format!("{}@example.com", "a".repeat(250)), ..Account::new("mail") };
    assert_invalid(register(&app, &long.json()).await, "userEmail的长度须为3到254个字符").await;
    let body = json!({"userId": "mail", "userPwd": "mail-password", "userName": "mail"});
    assert_invalid(register(&app, &body).await, "userEmail不能为空").await;
}

#[tokio::test]
async fn s10_e1107_an_address_that_registered_its_limit_is_refused_with_retry_after_and_refusals_do_not_count() {
    let app = chatroom().env("CHATROOM__AUTH__REGISTRATIONS_PER_IP_PER_HOUR", "2").spawn().await;
    registered(&app, "first").await;
    let taken = register(&app, &Account::new("first").json()).await;
    assert_eq!(taken.status(), 409, "a refused registration does not count");
    registered(&app, "second").await;

    let refused = register(&app, &Account::new("third").json()).await;

    let headers = assert_answer(refused, 429, 1107, "注册过于频繁", "注册过于频繁，请稍后再试").await;
    let wait = retry_after(&headers);
    assert!((3500..=3600).contains(&wait), "about an hour, Retry-After says {wait}");
    assert_eq!(login(&app, "third", &Account::new("third").pwd).await.status(), 401, "nothing was stored");
}
