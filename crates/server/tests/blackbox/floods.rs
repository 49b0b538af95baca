//! S10 on the real binary: stale sessions, reset codes and throttle rows are
//! purged from the database every `auth.purge_interval` while live ones stay;
//! forgetPwd answers known and unknown emails alike and before the mail goes
//! out, so a mail server that stalls or refuses changes nothing in the answer
//! (a refusal is logged).

use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use chatroom_tests::TestApp;
use sqlx::{Connection, Row, SqliteConnection};
use tokio::net::TcpListener;

use crate::accounts::{answer, forget_pwd, login, registered, token_of};
use crate::chatroom;

/// How long a test waits for the purge or for a log line.
const WAIT: Duration = Duration::from_secs(30);

/// Unix milliseconds, as the database stores times.
fn now_millis() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_millis() as i64
}

/// The server's SQLite database, opened beside it (WAL lets both in).
async fn database_of(app: &TestApp) -> SqliteConnection {
    let path = app.data_dir().join("chatroom.db");
    SqliteConnection::connect(&format!("sqlite://{}", path.display())).await.unwrap()
}

async fn count(db: &mut SqliteConnection, sql: &str) -> i64 {
    sqlx::query(sql).fetch_one(db).await.unwrap().get::<i64, _>(0)
}

async fn execute(db: &mut SqliteConnection, sql: &str) {
    sqlx::query(sql).execute(db).await.unwrap();
}

#[tokio::test]
async fn s10_expired_sessions_stale_reset_codes_and_throttle_rows_are_purged_and_live_ones_kept() {
    let app = chatroom().env("CHATROOM__AUTH__PURGE_INTERVAL", "200ms").spawn().await;
    let alice = registered(&app, "alice").await;
    // Live rows: a session, a reset code, a failed login's hit.
    token_of(&app, &alice).await;
    assert_eq!(answer(forget_pwd(&app, &alice.email).await).await.0, 200);
    assert_eq!(answer(login(&app, &alice.id, "not-her-password").await).await.0, 401);
    let mut db = database_of(&app).await;
    // Stale rows, as a server running for days leaves them behind.
    let long_ago = now_millis() - 2 * 3_600_000;
    execute(
        &mut db,
        &format!("INSERT INTO sessions VALUES ('expired-session', 'alice', {long_ago}, {}, false)", long_ago + 1000),
    )
    .await;
    for (email, expires, used) in
        [("expired@example.com", long_ago, false), ("used@example.com", now_millis() + 600_000, true)]
    {
        execute(&mut db, &format!("INSERT INTO reset_codes VALUES ('{email}', 'hash', {expires}, 0, {used})")).await;
    }
    execute(&mut db, &format!("INSERT INTO throttle_hits (\"key\", at) VALUES ('login:user:ghost', {long_ago})")).await;
    execute(&mut db, &format!("INSERT INTO throttle_locks VALUES ('login:user:ghost', {long_ago})")).await;

    let deadline = Instant::now() + WAIT;
    let stale = "SELECT (SELECT COUNT(*) FROM sessions WHERE id = 'expired-session') \
                 + (SELECT COUNT(*) FROM reset_codes WHERE email IN ('expired@example.com', 'used@example.com')) \
                 + (SELECT COUNT(*) FROM throttle_hits WHERE \"key\" = 'login:user:ghost') \
                 + (SELECT COUNT(*) FROM throttle_locks WHERE \"key\" = 'login:user:ghost')";
    while count(&mut db, stale).await > 0 {
        assert!(Instant::now() < deadline, "S10: stale rows were not purged within {WAIT:?}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }

    assert_eq!(count(&mut db, "SELECT COUNT(*) FROM sessions WHERE user_id = 'alice'").await, 1, "the live session");
    let live_code = format!("SELECT COUNT(*) FROM reset_codes WHERE email = '{}'", alice.email.to_lowercase());
    assert_eq!(count(&mut db, &live_code).await, 1, "the live reset code");
    let hits = "SELECT COUNT(*) FROM throttle_hits WHERE \"key\" LIKE '%alice%'";
    assert!(count(&mut db, hits).await >= 2, "the hits of the live windows (reset and login)");
}

/// A mail server at `port` under the `smtp` transport, with a long timeout.
async fn mailing_to(port: u16) -> TestApp {
    chatroom()
        .env("CHATROOM__MAIL__TRANSPORT", "smtp")
        .env("CHATROOM__MAIL__SMTP__HOST", "127.0.0.1")
        .env("CHATROOM__MAIL__SMTP__PORT", port.to_string())
        .env("CHATROOM__MAIL__SMTP__TLS", "none")
        .env("CHATROOM__MAIL__SMTP__FROM", "chatroom <no-reply@example.com>")
        .env("CHATROOM__MAIL__SMTP__TIMEOUT", "10m")
        .spawn()
        .await
}

/// forgetPwd's answers for a known and an unknown email: status and body.
async fn answers_for_known_and_unknown(app: &TestApp) -> [(u16, String); 2] {
    let alice = registered(app, "alice").await;
    let mut answers = Vec::new();
    for email in [alice.email.as_str(), "nobody@example.com"] {
        let response = forget_pwd(app, email).await;
        answers.push((response.status().as_u16(), response.text().await.unwrap()));
    }
    answers.try_into().unwrap()
}

const SENT: &str = r#"{"err":{"Code":0,"Msg":"","Notice":{"notice":"十分钟内有效"}}}"#;

#[tokio::test]
async fn s10_forget_pwd_answers_known_and_unknown_emails_alike_while_the_mail_server_stalls() {
    // Accepts connections and never says a word: a mail that waited for it would
    // wait for the 10 minutes of mail.smtp.timeout, far past the client's timeout.
    let stalling = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = stalling.local_addr().unwrap().port();
    let held = tokio::spawn(async move {
        let mut connections = Vec::new();
        while let Ok((connection, _)) = stalling.accept().await {
            connections.push(connection);
        }
    });
    let app = mailing_to(port).await;

    let [known, unknown] = answers_for_known_and_unknown(&app).await;

    assert_eq!(known, (200, SENT.to_owned()));
    assert_eq!(unknown, known, "the answers tell a known email from an unknown one");
    held.abort();
}

#[tokio::test]
async fn s10_a_mail_server_that_refuses_the_connection_is_logged_not_answered() {
    // A port nobody listens on any more.
    let port = TcpListener::bind("127.0.0.1:0").await.unwrap().local_addr().unwrap().port();
    let app = mailing_to(port).await;

    let [known, unknown] = answers_for_known_and_unknown(&app).await;

    assert_eq!(known, (200, SENT.to_owned()));
    assert_eq!(unknown, known);
    let deadline = Instant::now() + WAIT;
    while !app.logs().iter().any(|line| line.contains("WARN") && line.contains("mailing a password reset code failed"))
    {
        assert!(Instant::now() < deadline, "the failed mail was not logged:\n{}", app.logs().join("\n"));
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}
