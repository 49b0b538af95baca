//! Shared steps of the account tests (`users_*`): a sample account, the calls of
//! SPEC §6 with JSON bodies, exact assertions on the envelope, and readers for what
//! a client cannot get from the envelope alone (the JWT payload, the code the
//! console mailer wrote to the log, multipart bodies built by hand because the
//! workspace's reqwest has no `multipart` feature).

use std::time::{Duration, Instant};

use chatroom_tests::TestApp;
use reqwest::header::{HeaderMap, AUTHORIZATION, CONTENT_TYPE};
use reqwest::{Method, Response};
use serde_json::{json, Value};

/// How long a test waits for a line to reach the server's log.
const LOG_TIMEOUT: Duration = Duration::from_secs(10);

/// The boundary of the multipart bodies built by [`multipart`].
const BOUNDARY: &str = "chatroom-test-boundary-7MA4YWxkTrZu0gW";

/// A user the test registers: every field valid under SPEC §3.
#[derive(Debug, Clone)]
pub struct Account {
    pub id: String,
    pub pwd: String,
    pub name: String,
    pub email: String,
}

impl Account {
    /// `id` with a password of 8+ characters, a name and `<id>@example.com`.
    pub fn new(id: &str) -> Self {
        Self {
            id: id.to_owned(),
            pwd: format!("{id}-password-1"),
            name: format!("用户{id}"),
            email: format!("{id}@example.com"),
        }
    }

    /// The body of `POST /user/register`.
    pub fn json(&self) -> Value {
        json!({"userId": self.id, "userPwd": self.pwd, "userName": self.name, "userEmail": self.email})
    }
}

/// Any call: `method path` with a JSON body (or none) and `Authorization: Bearer`.
pub async fn call(app: &TestApp, method: Method, path: &str, token: Option<&str>, body: Option<&Value>) -> Response {
    let mut request = app.client.request(method, app.url(path));
    if let Some(token) = token {
        request = request.header(AUTHORIZATION, format!("Bearer {token}"));
    }
    if let Some(body) = body {
        request = request.json(body);
    }
    request.send().await.expect("sending a request")
}

/// `POST /user/register` with a JSON body.
pub async fn register(app: &TestApp, body: &Value) -> Response {
    call(app, Method::POST, "/user/register", None, Some(body)).await
}

/// Registers `Account::new(id)`, asserting success.
pub async fn registered(app: &TestApp, id: &str) -> Account {
    let account = Account::new(id);
    assert_success(register(app, &account.json()).await, "注册成功").await;
    account
}

/// `POST /user/login` with a JSON body.
pub async fn login(app: &TestApp, user_id: &str, pwd: &str) -> Response {
    call(app, Method::POST, "/user/login", None, Some(&json!({"userId": user_id, "userPwd": pwd}))).await
}

/// Logs `account` in and returns its token, asserting success.
pub async fn token_of(app: &TestApp, account: &Account) -> String {
    let (status, _, err) = answer(login(app, &account.id, &account.pwd).await).await;
    assert_eq!((status, &err["Code"]), (200, &json!(0)), "login of {} failed: {err}", account.id);
    err["Msg"]["token"].as_str().unwrap_or_else(|| panic!("no token in {err}")).to_owned()
}

/// `GET /user/me` with `token`.
pub async fn me(app: &TestApp, token: &str) -> Response {
    call(app, Method::GET, "/user/me", Some(token), None).await
}

/// `POST /user/forgetPwd` for `email`.
pub async fn forget_pwd(app: &TestApp, email: &str) -> Response {
    call(app, Method::POST, "/user/forgetPwd", None, Some(&json!({"userEmail": email}))).await
}

/// `PUT /user/updatePwd` with the seed's field names.
pub async fn update_pwd(app: &TestApp, email: &str, new_pwd: &str, code: &str) -> Response {
    let body = json!({"userEmail": email, "newPwd": new_pwd, "验证码": code});
    call(app, Method::PUT, "/user/updatePwd", None, Some(&body)).await
}

/// Status, headers and the `err` object of an answer.
pub async fn answer(response: Response) -> (u16, HeaderMap, Value) {
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    let text = response.text().await.expect("reading the body");
    let body: Value = serde_json::from_str(&text).unwrap_or_else(|e| panic!("not JSON ({e}), status {status}: {text}"));
    let err = body.get("err").cloned().unwrap_or_else(|| panic!("no envelope, status {status}: {body}"));
    (status, headers, err)
}

/// Asserts the whole answer (status, Code, Msg, Notice) and returns its headers.
pub async fn assert_answer(response: Response, status: u16, code: i64, msg: &str, notice: &str) -> HeaderMap {
    let (actual, headers, err) = answer(response).await;
    let expected = json!({"Code": code, "Msg": msg, "Notice": notice});
    assert_eq!((actual, &err), (status, &expected), "unexpected answer");
    headers
}

/// Asserts `200 {"Code": 0, "Msg": "", "Notice": notice}`.
pub async fn assert_success(response: Response, notice: &str) {
    assert_answer(response, 200, 0, "", notice).await;
}

/// Asserts an E1001 answer whose Notice is `notice` (naming the field, SPEC §4).
pub async fn assert_invalid(response: Response, notice: &str) {
    assert_answer(response, 400, 1001, "输入参数无效", notice).await;
}

/// Asserts E1002 with the Msg for a malformed, expired or revoked token.
pub async fn assert_invalid_token(response: Response) {
    assert_answer(response, 401, 1002, "无效的token", "登录失败").await;
}

/// Asserts E1102, the one answer for a wrong password and an unknown userId.
pub async fn assert_login_failed(response: Response) {
    assert_answer(response, 401, 1102, "登录失败", "id或密码错误").await;
}

/// Asserts E1106.
pub async fn assert_wrong_code(response: Response) {
    assert_answer(response, 400, 1106, "验证码错误", "验证码错误").await;
}

/// The `Retry-After` seconds of an answer, asserting they are there and positive.
pub fn retry_after(headers: &HeaderMap) -> u64 {
    let value = headers.get("retry-after").unwrap_or_else(|| panic!("no Retry-After in {headers:?}"));
    let secs: u64 = value.to_str().ok().and_then(|v| v.parse().ok()).unwrap_or_else(|| panic!("Retry-After {value:?}"));
    assert!(secs > 0, "Retry-After must be positive, got {secs}");
    secs
}

/// A `multipart/form-data` body of text fields: its content type and bytes.
pub fn multipart(fields: &[(&str, &str)]) -> (String, Vec<u8>) {
    let mut body = String::new();
    for (name, value) in fields {
        body.push_str(&format!("--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"));
    }
    body.push_str(&format!("--{BOUNDARY}--\r\n"));
    (format!("multipart/form-data; boundary={BOUNDARY}"), body.into_bytes())
}

/// Sends `fields` as a multipart form.
pub async fn send_multipart(app: &TestApp, method: Method, path: &str, fields: &[(&str, &str)]) -> Response {
    let (content_type, body) = multipart(fields);
    let request = app.client.request(method, app.url(path)).header(CONTENT_TYPE, content_type).body(body);
    request.send().await.expect("sending a multipart request")
}

/// The JSON of part `index` (0 header, 1 payload) of a JWT.
pub fn jwt_part(token: &str, index: usize) -> Value {
    let part = token.split('.').nth(index).unwrap_or_else(|| panic!("not a JWT: {token}"));
    serde_json::from_slice(&base64url(part)).unwrap_or_else(|e| panic!("part {index} of {token} is not JSON: {e}"))
}

fn base64url(text: &str) -> Vec<u8> {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut out = Vec::new();
    let (mut buffer, mut bits) = (0u32, 0u32);
    for byte in text.bytes().take_while(|&b| b != b'=') {
        let value = ALPHABET.iter().position(|&a| a == byte).unwrap_or_else(|| panic!("not base64url: {text}"));
        buffer = (buffer << 6) | value as u32;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((buffer >> bits) as u8);
        }
    }
    out
}

/// Unix seconds of an RFC 3339 timestamp (`2026-01-02T03:04:05[.fff](Z|±hh:mm)`),
/// panicking on anything else.
pub fn rfc3339_unix_seconds(text: &str) -> i64 {
    let bad = || -> ! { panic!("not an RFC 3339 timestamp: {text:?}") };
    let number = |range: std::ops::Range<usize>| -> i64 {
        let digits = text.get(range).unwrap_or_else(|| bad());
        if !digits.bytes().all(|b| b.is_ascii_digit()) {
            bad()
        }
        digits.parse().unwrap_or_else(|_| bad())
    };
    let separators = [(4, b'-'), (7, b'-'), (10, b'T'), (13, b':'), (16, b':')];
    if text.len() < 20 || separators.iter().any(|&(i, c)| !text.as_bytes()[i].eq_ignore_ascii_case(&c)) {
        bad()
    }
    let (year, month, day) = (number(0..4), number(5..7), number(8..10));
    let (hour, minute, second) = (number(11..13), number(14..16), number(17..19));
    let mut rest = &text[19..];
    if let Some(fraction) = rest.strip_prefix('.') {
        let digits = fraction.bytes().take_while(u8::is_ascii_digit).count();
        if digits == 0 {
            bad()
        }
        rest = &fraction[digits..];
    }
    let offset = match rest.as_bytes() {
        [b'Z' | b'z'] => 0,
        [sign @ (b'+' | b'-'), _, _, b':', _, _] => {
            let at = text.len() - 5;
            let minutes = number(at..at + 2) * 60 + number(at + 3..at + 5);
            if *sign == b'+' {
                minutes * 60
            } else {
                -minutes * 60
            }
        }
        _ => bad(),
    };
    // Days from the civil date (Howard Hinnant's algorithm).
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let year_of_era = y - era * 400;
    let day_of_year = (153 * ((month + 9) % 12) + 2) / 5 + day - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    let days = era * 146_097 + day_of_era - 719_468;
    days * 86_400 + hour * 3_600 + minute * 60 + second - offset
}

/// The reset codes the console mailer logged for `email` so far, oldest first.
pub fn logged_codes(app: &TestApp, email: &str) -> Vec<String> {
    app.logs()
        .iter()
        .filter(|line| line.contains("chatroom::mail") && line.contains(email))
        .filter_map(|line| {
            let after = &line[line.find("code=")? + "code=".len()..];
            let code: String = after.trim_start_matches('"').chars().take_while(char::is_ascii_digit).collect();
            (!code.is_empty()).then_some(code)
        })
        .collect()
}

/// The `nth` (1-based) code logged for `email`, waiting for the log line.
pub async fn wait_for_logged_code(app: &TestApp, email: &str, nth: usize) -> String {
    let deadline = Instant::now() + LOG_TIMEOUT;
    loop {
        if let Some(code) = logged_codes(app, email).get(nth - 1) {
            return code.clone();
        }
        assert!(Instant::now() < deadline, "no code #{nth} for {email} in the log:\n{}", app.logs().join("\n"));
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// A code of the same length that differs from `code` in its last digit.
pub fn wrong_code(code: &str) -> String {
    let (head, last) = code.split_at(code.len() - 1);
    let last = last.parse::<u8>().expect("a digit");
    format!("{head}{}", (last + 1) % 10)
}

#[test]
fn rfc3339_timestamps_are_read_with_their_offset() {
    assert_eq!(rfc3339_unix_seconds("1970-01-01T00:00:00Z"), 0);
    assert_eq!(rfc3339_unix_seconds("2022-02-25T10:28:20+08:00"), 1_645_756_100);
    assert_eq!(rfc3339_unix_seconds("2022-02-25T02:28:20.123456Z"), 1_645_756_100);
    assert_eq!(rfc3339_unix_seconds("2000-03-01T00:00:00-01:30"), 951_874_200);
}

#[test]
fn jwt_parts_are_base64url_json() {
    let token = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJ1c2VySWQiOiIxIiwiZXhwIjoxNjQ1Njg5MDU4LCJpc3MiOiJ6aHkifQ.x";
    assert_eq!(jwt_part(token, 0), json!({"alg": "HS256", "typ": "JWT"}));
    assert_eq!(jwt_part(token, 1), json!({"userId": "1", "exp": 1_645_689_058, "iss": "zhy"}));
}
