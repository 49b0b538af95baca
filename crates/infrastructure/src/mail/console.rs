//! [`ConsoleMailer`]: the `console` transport. The code is written to the server log
//! and nowhere else, which suits development and single-operator servers.

use std::time::Duration;

use async_trait::async_trait;
use chatroom_domain::account::{Delivery, Mailer};
use chatroom_domain::user::Email;

/// Logs each reset code at `info` under the target `chatroom::mail`, with its
/// recipient and lifetime. This is the one place where a code is logged on purpose.
#[derive(Debug, Clone, Copy, Default)]
pub struct ConsoleMailer;

impl ConsoleMailer {
    /// The `console` transport.
    pub fn new() -> Self {
        Self
    }
}

#[async_trait]
impl Mailer for ConsoleMailer {
    fn delivery(&self) -> Delivery {
        Delivery::Sent
    }

    async fn send_reset_code(&self, to: &Email, code: &str, valid_for: Duration) -> anyhow::Result<()> {
        tracing::info!(
            target: "chatroom::mail",
            to = to.as_str(),
            code,
            valid_for_secs = valid_for.as_secs(),
            "password reset code (mail.transport = console)"
        );
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use std::io;
    use std::sync::{Arc, Mutex};

    use super::*;

    /// Collects what the `fmt` subscriber writes.
    #[derive(Clone, Default)]
    struct Captured(Arc<Mutex<Vec<u8>>>);

    impl io::Write for Captured {
        fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    #[tokio::test]
    async fn s3_the_console_transport_logs_the_code_and_its_recipient_under_chatroom_mail() {
        let captured = Captured::default();
        let writer = captured.clone();
        let subscriber = tracing_subscriber::fmt().with_writer(move || writer.clone()).with_ansi(false).finish();
        let _guard = tracing::subscriber::set_default(subscriber);
        let to = Email::parse("a@qq.com").unwrap();

        ConsoleMailer.send_reset_code(&to, "123456", Duration::from_secs(600)).await.unwrap();

        assert_eq!(ConsoleMailer.delivery(), Delivery::Sent);
        let log = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
        assert!(log.contains("INFO chatroom::mail"), "{log}");
        assert!(log.contains("to=\"a@qq.com\""), "{log}");
        assert!(log.contains("code=\"123456\""), "{log}");
    }
}
