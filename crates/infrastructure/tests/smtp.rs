//! The `smtp` transport against a real (tiny) SMTP server: the mail arrives with the
//! code, and a dead or silent server is an error within the timeout, never a hang.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::{Duration, Instant};

use chatroom_domain::account::{Delivery, Mailer};
use chatroom_domain::user::Email;
use chatroom_infrastructure::mail::{SmtpMailer, SmtpSettings, SmtpTls, RESET_SUBJECT};
use chatroom_tests::smtp::SmtpReceiver;
use tokio::net::TcpListener;

const TEN_MINUTES: Duration = Duration::from_secs(600);
const WAIT: Duration = Duration::from_secs(10);

fn mailer(port: u16, timeout: Duration) -> SmtpMailer {
    SmtpMailer::new(SmtpSettings {
        host: "127.0.0.1".into(),
        port,
        tls: SmtpTls::None,
        username: None,
        password: None,
        from: "chatroom <no-reply@example.com>".into(),
        timeout,
    })
    .unwrap()
}

fn email(raw: &str) -> Email {
    Email::parse(raw).unwrap()
}

#[tokio::test]
async fn s3_the_smtp_transport_mails_the_code_to_the_account_address() {
    let receiver = SmtpReceiver::start().await;
    let mailer = mailer(receiver.port(), WAIT);

    mailer.send_reset_code(&email("a@qq.com"), "483920", TEN_MINUTES).await.unwrap();

    assert_eq!(mailer.delivery(), Delivery::Sent);
    let mail = receiver.next_mail(WAIT).await.expect("no mail arrived");
    assert_eq!(mail.from, "no-reply@example.com");
    assert_eq!(mail.to, ["a@qq.com"]);
    assert_eq!(mail.subject().as_deref(), Some(RESET_SUBJECT));
    assert!(mail.header("From").unwrap().contains("<no-reply@example.com>"), "{}", mail.data);
    let text = mail.text();
    assert!(text.contains("验证码是：483920") && text.contains("code is: 483920"), "{text}");
    assert!(text.contains("10 分钟内有效") && text.contains("valid for 10 minutes"), "{text}");
}

#[tokio::test]
async fn s3_consecutive_codes_each_arrive() {
    let receiver = SmtpReceiver::start().await;
    let mailer = mailer(receiver.port(), WAIT);

    for (to, code) in [("a@qq.com", "111111"), ("b@qq.com", "222222")] {
        mailer.send_reset_code(&email(to), code, TEN_MINUTES).await.unwrap();
        let mail = receiver.next_mail(WAIT).await.expect("no mail arrived");
        assert_eq!(mail.to, [to]);
        assert!(mail.text().contains(code));
    }
}

#[tokio::test]
async fn a_server_that_refuses_the_connection_is_an_error_without_the_code() {
    let port = {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        listener.local_addr().unwrap().port()
    };
    let mailer = mailer(port, WAIT);

    let error = mailer.send_reset_code(&email("a@qq.com"), "483920", TEN_MINUTES).await.unwrap_err();

    let text = format!("{error:#}");
    assert!(text.contains("sending the reset mail through 127.0.0.1"), "{text}");
    assert!(!text.contains("483920"), "{text}");
}

#[tokio::test]
async fn a_server_that_accepts_and_never_answers_fails_within_the_timeout() {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let silent = tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((stream, _)) = listener.accept().await {
            held.push(stream);
        }
    });
    let mailer = mailer(port, Duration::from_millis(300));
    let started = Instant::now();

    let outcome = tokio::time::timeout(WAIT, mailer.send_reset_code(&email("a@qq.com"), "483920", TEN_MINUTES)).await;

    let error = outcome.expect("the send hung past its timeout").unwrap_err();
    assert!(format!("{error:#}").contains("did not finish within"), "{error:#}");
    assert!(started.elapsed() < Duration::from_secs(5));
    silent.abort();
}
