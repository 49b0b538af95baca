//! Start-up checks of the configuration: everything a running server would trip
//! over later is refused now, with the key to fix in the message.

use anyhow::{bail, ensure, Context};
use chatroom_infrastructure::mail::SmtpSettings;
use chatroom_infrastructure::security::MIN_SECRET_BYTES;

use super::sections::{Config, MailTransport};

/// Fails with a message naming the offending key.
pub fn validate(config: &Config) -> anyhow::Result<()> {
    ensure!(!config.http.listen.trim().is_empty(), "http.listen must be host:port, e.g. 127.0.0.1:8080");
    ensure!(config.http.max_body_bytes >= 1024, "http.max_body_bytes must be at least 1024");
    if let Some(header) = &config.http.client_ip_header {
        poem::http::HeaderName::try_from(header.trim())
            .with_context(|| format!("http.client_ip_header {header:?} is not a header name"))?;
    }
    if let Some(secret) = &config.auth.jwt_secret {
        ensure!(
            secret.expose().len() >= MIN_SECRET_BYTES,
            "auth.jwt_secret must be at least {MIN_SECRET_BYTES} bytes long (or leave it unset to have one generated)"
        );
    }
    ensure!(!config.auth.issuer.trim().is_empty(), "auth.issuer must not be empty");
    ensure!(!config.auth.token_ttl.is_zero(), "auth.token_ttl must be longer than 0");
    ensure!(!config.auth.purge_interval.is_zero(), "auth.purge_interval must be longer than 0");
    ensure!((1..=128).contains(&config.auth.min_password_length), "auth.min_password_length must be between 1 and 128");
    ensure!((4..=12).contains(&config.auth.reset_code_length), "auth.reset_code_length must be between 4 and 12");
    ensure!(!config.database.acquire_timeout.is_zero(), "database.acquire_timeout must be longer than 0");
    ensure!(config.rooms.max_capacity >= 1, "rooms.max_capacity must be at least 1");
    ensure!(config.messages.max_chars >= 1, "messages.max_chars must be at least 1");
    ensure!(config.images.max_bytes >= 1, "images.max_bytes must be at least 1");
    ensure!(
        config.ws.outbound_queue_frames >= 1 && config.ws.outbound_queue_bytes >= 1,
        "ws.outbound_queue_frames and ws.outbound_queue_bytes must be at least 1"
    );
    ensure!(
        !config.ws.ping_interval.is_zero() && config.ws.idle_timeout > config.ws.ping_interval,
        "ws.ping_interval must be longer than 0 and shorter than ws.idle_timeout"
    );
    ensure!(config.ws.max_frame_bytes >= 1024, "ws.max_frame_bytes must be at least 1024");
    ensure!(
        config.ws.flood_rate > 0.0 && config.ws.flood_burst >= 1,
        "ws.flood_rate must be above 0 and ws.flood_burst at least 1"
    );
    validate_storage(config)?;
    if config.mail.transport == MailTransport::Smtp {
        validate_smtp(config)?;
    }
    Ok(())
}

/// `mail.transport = "smtp"` needs a server and a sender; the sender must parse as
/// the mailer will parse it.
fn validate_smtp(config: &Config) -> anyhow::Result<()> {
    let smtp = &config.mail.smtp;
    ensure!(
        smtp.host.as_deref().is_some_and(|host| !host.trim().is_empty()),
        "mail.transport = \"smtp\" needs mail.smtp.host (the mail server, e.g. smtp.example.com)"
    );
    let Some(from) = smtp.from.as_deref().filter(|from| !from.trim().is_empty()) else {
        bail!("mail.transport = \"smtp\" needs mail.smtp.from (the sender, e.g. \"chatroom <no-reply@example.com>\")");
    };
    SmtpSettings::check_from(from).context("mail.smtp.from")?;
    ensure!(smtp.port != 0, "mail.smtp.port must be between 1 and 65535");
    ensure!(!smtp.timeout.is_zero(), "mail.smtp.timeout must be longer than 0");
    ensure!(
        smtp.username.is_some() == smtp.password.is_some(),
        "mail.smtp.username and mail.smtp.password go together: set both or neither"
    );
    Ok(())
}

/// The database and the bus must agree on single node versus cluster (SPEC §9).
fn validate_storage(config: &Config) -> anyhow::Result<()> {
    let scheme = config.database.url.as_ref().map_or_else(|| "sqlite".to_owned(), |url| url.scheme());
    ensure!(
        matches!(scheme.as_str(), "sqlite" | "postgres" | "postgresql" | "mysql" | "mariadb"),
        "database.url must start with sqlite://, postgres:// or mysql:// (got {scheme}://…)"
    );
    if config.redis.url.is_some() {
        ensure!(
            scheme != "sqlite",
            "redis.url is set, but the database is SQLite, which is single-node only: \
             a cluster of nodes needs PostgreSQL or MySQL (database.url) shared by every node"
        );
        bail!(
            "redis.url is set, but this build has no Redis event bus yet: \
             run a single node (unset redis.url) until clustering is available"
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::values::{Secret, SecretUrl};

    fn error_of(config: &Config) -> String {
        format!("{:#}", validate(config).unwrap_err())
    }

    #[test]
    fn the_defaults_are_valid() {
        validate(&Config::default()).unwrap();
    }

    #[test]
    fn s2_a_jwt_secret_shorter_than_32_bytes_is_refused() {
        let mut config = Config::default();
        config.auth.jwt_secret = Some(Secret::from("short"));
        assert!(error_of(&config).contains("auth.jwt_secret"));
        config.auth.jwt_secret = Some(Secret::from("0123456789abcdef0123456789abcdef"));
        validate(&config).unwrap();
    }

    #[test]
    fn s10_a_purge_interval_of_zero_is_refused() {
        let mut config = Config::default();
        config.auth.purge_interval = std::time::Duration::ZERO;
        assert!(error_of(&config).contains("auth.purge_interval"));
    }

    #[test]
    fn a_client_ip_header_must_be_a_header_name() {
        let mut config = Config::default();
        config.http.client_ip_header = Some("X-Forwarded-For".to_owned());
        validate(&config).unwrap();
        config.http.client_ip_header = Some("not a header".to_owned());
        assert!(error_of(&config).contains("http.client_ip_header"));
    }

    #[test]
    fn redis_with_sqlite_is_refused_as_single_node_only() {
        let mut config = Config::default();
        config.redis.url = Some(SecretUrl::new("redis://127.0.0.1:6379"));
        assert!(error_of(&config).contains("single-node only"));
    }

    #[test]
    fn an_unknown_database_scheme_is_refused() {
        let mut config = Config::default();
        config.database.url = Some(SecretUrl::new("oracle://db/chat"));
        assert!(error_of(&config).contains("database.url"));
    }

    #[test]
    fn e5003_a_zero_database_acquire_timeout_is_refused() {
        let mut config = Config::default();
        config.database.acquire_timeout = std::time::Duration::ZERO;
        assert!(error_of(&config).contains("database.acquire_timeout"));
    }

    fn smtp_config() -> Config {
        let mut config = Config::default();
        config.mail.transport = MailTransport::Smtp;
        config.mail.smtp.host = Some("smtp.example.com".into());
        config.mail.smtp.from = Some("chatroom <no-reply@example.com>".into());
        config
    }

    #[test]
    fn smtp_with_a_host_and_a_sender_is_accepted() {
        validate(&smtp_config()).unwrap();
    }

    #[test]
    fn smtp_without_a_host_or_a_sender_is_refused_naming_the_key() {
        let mut config = smtp_config();
        config.mail.smtp.host = None;
        assert!(error_of(&config).contains("mail.smtp.host"));
        let mut config = smtp_config();
        config.mail.smtp.from = Some(" ".into());
        assert!(error_of(&config).contains("mail.smtp.from"));
    }

    #[test]
    fn an_smtp_sender_that_is_not_a_mailbox_is_refused() {
        let mut config = smtp_config();
        config.mail.smtp.from = Some("no-reply".into());
        assert!(error_of(&config).contains("mail.smtp.from"));
    }

    #[test]
    fn an_smtp_username_without_a_password_is_refused() {
        let mut config = smtp_config();
        config.mail.smtp.username = Some("mailer".into());
        assert!(error_of(&config).contains("mail.smtp.password"));
        config.mail.smtp.password = Some(Secret::from("hunter2"));
        validate(&config).unwrap();
    }

    #[test]
    fn the_smtp_section_is_ignored_by_the_other_transports() {
        let mut config = Config::default();
        config.mail.smtp.from = Some("not a mailbox".into());
        validate(&config).unwrap();
    }

    #[test]
    fn postgres_and_mysql_urls_are_accepted() {
        for url in ["postgres://u@h/db", "postgresql://u@h/db", "mysql://root@h/db"] {
            let mut config = Config::default();
            config.database.url = Some(SecretUrl::new(url));
            validate(&config).unwrap();
        }
    }
}
