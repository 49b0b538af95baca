//! [`SmtpMailer`]: the `smtp` transport, real delivery of reset codes (S3) through a
//! mail server with lettre (rustls with the ring provider, tokio). Each mail opens
//! its own connection: reset codes are rare, and a connection abandoned by the
//! timeout below must never be reused for the next mail.
//! The mail is a single plain-text part in Chinese and English; the code appears in
//! the mail and nowhere else: not in the log, not in an error.

use std::fmt;
use std::time::Duration;

use anyhow::{ensure, Context};
use async_trait::async_trait;
use chatroom_domain::account::{Delivery, Mailer};
use chatroom_domain::user::Email;
use lettre::message::header::ContentType;
use lettre::message::Mailbox;
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Tls, TlsParameters};
use lettre::{Address, AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use serde::{Deserialize, Serialize};

/// The subject of every reset mail, both languages of the seed's users.
pub const RESET_SUBJECT: &str = "聊天室密码重置验证码 / chatroom password reset code";

/// How the connection to the mail server is protected; in configuration
/// `none`, `starttls` or `tls`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SmtpTls {
    /// Plain text all the way: only for a relay on the same host or in tests.
    None,
    /// Plain connection upgraded with STARTTLS, which MUST succeed (port 587).
    #[default]
    StartTls,
    /// TLS from the first byte, "SMTPS" (port 465).
    Tls,
}

/// Everything the `smtp` transport needs; the server maps `mail.smtp` onto it.
#[derive(Clone)]
pub struct SmtpSettings {
    pub host: String,
    pub port: u16,
    pub tls: SmtpTls,
    /// Both or neither: the server authenticates only when both are set.
    pub username: Option<String>,
    /// A secret: never printed by `Debug`, never logged.
    pub password: Option<String>,
    /// The sender mailbox, e.g. `chatroom <no-reply@example.com>`.
    pub from: String,
    /// The longest one delivery may take, connecting included.
    pub timeout: Duration,
}

impl SmtpSettings {
    /// Checks that `from` is a mailbox (`name <addr@domain>` or `addr@domain`), so a
    /// configuration check can refuse it before anything starts.
    pub fn check_from(from: &str) -> anyhow::Result<()> {
        parse_from(from).map(drop)
    }
}

impl fmt::Debug for SmtpSettings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SmtpSettings")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("tls", &self.tls)
            .field("username", &self.username)
            .field("password", &self.password.as_ref().map(|_| "[REDACTED]"))
            .field("from", &self.from)
            .field("timeout", &self.timeout)
            .finish()
    }
}

/// Sends each reset code as a mail, over a new SMTP connection each time.
pub struct SmtpMailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
    /// `host:port`, for log lines and error context.
    relay: String,
    timeout: Duration,
}

impl SmtpMailer {
    /// Validates the sender and builds the transport once. Nothing is sent and no
    /// connection is opened until the first mail.
    pub fn new(settings: SmtpSettings) -> anyhow::Result<Self> {
        let from = parse_from(&settings.from)?;
        ensure!(!settings.host.trim().is_empty(), "the SMTP host is empty");
        ensure!(!settings.timeout.is_zero(), "the SMTP timeout must be longer than 0");
        let tls = match settings.tls {
            SmtpTls::None => Tls::None,
            SmtpTls::StartTls => Tls::Required(tls_parameters(&settings.host)?),
            SmtpTls::Tls => Tls::Wrapper(tls_parameters(&settings.host)?),
        };
        let mut builder = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(settings.host.as_str())
            .port(settings.port)
            .tls(tls)
            .timeout(Some(settings.timeout));
        match (settings.username, settings.password) {
            (Some(username), Some(password)) => builder = builder.credentials(Credentials::new(username, password)),
            (None, None) => {}
            _ => anyhow::bail!("an SMTP username needs a password and a password needs a username"),
        }
        Ok(Self {
            transport: builder.build(),
            from,
            relay: format!("{}:{}", settings.host, settings.port),
            timeout: settings.timeout,
        })
    }
}

impl fmt::Debug for SmtpMailer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SmtpMailer").field("relay", &self.relay).field("from", &self.from.to_string()).finish()
    }
}

#[async_trait]
impl Mailer for SmtpMailer {
    fn delivery(&self) -> Delivery {
        Delivery::Sent
    }

    #[tracing::instrument(target = "chatroom::mail", skip_all, fields(to = to.as_str(), relay = %self.relay), err(level = "debug"))]
    async fn send_reset_code(&self, to: &Email, code: &str, valid_for: Duration) -> anyhow::Result<()> {
        let recipient = to.as_str().parse::<Address>().context("the recipient is not an address SMTP accepts")?;
        let message = reset_message(self.from.clone(), Mailbox::new(None, recipient), code, valid_for)?;
        // lettre bounds only the TCP connect; a server that accepts and then stalls
        // would hold the request forever without this.
        tokio::time::timeout(self.timeout, self.transport.send(message))
            .await
            .map_err(|_| anyhow::anyhow!("the SMTP server did not finish within {:?}", self.timeout))
            .and_then(|sent| sent.map_err(anyhow::Error::new))
            .with_context(|| format!("sending the reset mail through {}", self.relay))?;
        tracing::info!(target: "chatroom::mail", to = to.as_str(), "reset code sent by SMTP");
        Ok(())
    }
}

fn parse_from(from: &str) -> anyhow::Result<Mailbox> {
    from.trim()
        .parse::<Mailbox>()
        .with_context(|| format!("{from:?} is not a mailbox such as \"chatroom <no-reply@example.com>\""))
}

fn tls_parameters(host: &str) -> anyhow::Result<TlsParameters> {
    TlsParameters::new(host.to_owned()).with_context(|| format!("preparing TLS for the SMTP host {host}"))
}

/// The mail of one code; lettre picks the transfer encoding (quoted-printable or
/// base64 for the Chinese text).
fn reset_message(from: Mailbox, to: Mailbox, code: &str, valid_for: Duration) -> anyhow::Result<Message> {
    // In the sender's domain rather than this host's name, as spam filters prefer.
    let message_id = format!("<{}@{}>", uuid::Uuid::new_v4().simple(), from.email.domain());
    Message::builder()
        .message_id(Some(message_id))
        .from(from)
        .to(to)
        .subject(RESET_SUBJECT)
        .header(ContentType::TEXT_PLAIN)
        .body(reset_text(code, valid_for))
        .context("building the reset mail")
}

fn reset_text(code: &str, valid_for: Duration) -> String {
    let minutes = valid_for.as_secs().div_ceil(60).max(1);
    let unit = if minutes == 1 { "minute" } else { "minutes" };
    format!(
        "您好！\n\n\
         您的聊天室密码重置验证码是：{code}\n\
         验证码 {minutes} 分钟内有效，只能使用一次。如果您没有申请重置密码，请忽略这封邮件。\n\n\
         Hello,\n\n\
         your chatroom password reset code is: {code}\n\
         It is valid for {minutes} {unit} and can be used only once. \
         If you did not ask to reset your password, ignore this mail.\n"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings(from: &str) -> SmtpSettings {
        SmtpSettings {
            host: "127.0.0.1".into(),
            port: 2525,
            tls: SmtpTls::None,
            username: Some("mailer".into()),
            password: Some("hunter2".into()),
            from: from.into(),
            timeout: Duration::from_secs(1),
        }
    }

    #[test]
    fn s3_the_text_carries_the_code_its_lifetime_and_single_use_in_both_languages() {
        let text = reset_text("483920", Duration::from_secs(600));
        assert!(text.contains("验证码是：483920") && text.contains("code is: 483920"), "{text}");
        assert!(text.contains("10 分钟内有效") && text.contains("valid for 10 minutes"), "{text}");
        assert!(text.contains("只能使用一次") && text.contains("used only once"), "{text}");
    }

    #[test]
    fn a_lifetime_under_a_minute_reads_as_one_minute() {
        assert!(reset_text("1", Duration::from_secs(30)).contains("valid for 1 minute and"));
    }

    #[test]
    fn the_mail_is_plain_text_from_the_sender_to_the_recipient() {
        let from = parse_from("chatroom <no-reply@example.com>").unwrap();
        let to = Mailbox::new(None, "a@qq.com".parse().unwrap());
        let message = reset_message(from, to, "483920", Duration::from_secs(600)).unwrap();
        let envelope = message.envelope();
        assert_eq!(envelope.from().map(ToString::to_string).as_deref(), Some("no-reply@example.com"));
        assert_eq!(envelope.to().iter().map(ToString::to_string).collect::<Vec<_>>(), ["a@qq.com"]);
        let raw = String::from_utf8(message.formatted()).unwrap();
        assert!(raw.contains("Content-Type: text/plain; charset=utf-8"), "{raw}");
        let in_sender_domain = |l: &str| l.starts_with("Message-ID: <") && l.ends_with("@example.com>");
        assert!(raw.lines().any(in_sender_domain), "{raw}");
    }

    #[test]
    fn an_invalid_from_address_is_refused_by_new() {
        for from in ["", "no-reply", "chatroom <no-reply>", "<@example.com>"] {
            let error = SmtpMailer::new(settings(from)).unwrap_err();
            assert!(format!("{error:#}").contains("not a mailbox"), "{from}: {error:#}");
        }
    }

    #[test]
    fn a_bare_address_or_a_named_mailbox_is_a_valid_from() {
        for from in
            ["no-reply@example.com", "chatroom <no-reply@example.com>", "聊天室 chatroom <no-reply@example.com>"]
        {
            SmtpSettings::check_from(from).unwrap();
        }
    }

    #[test]
    fn a_username_without_a_password_is_refused() {
        let mut settings = settings("no-reply@example.com");
        settings.password = None;
        assert!(SmtpMailer::new(settings).is_err());
    }

    #[test]
    fn the_password_never_shows_in_debug() {
        let debug = format!("{:?}", settings("no-reply@example.com"));
        assert!(!debug.contains("hunter2") && debug.contains("[REDACTED]"), "{debug}");
    }
}
