//! Layering of the configuration: defaults → `chatroom.toml` (or `--config`) →
//! environment `CHATROOM__SECTION__KEY` → command-line flags. Later layers win.

use std::path::{Path, PathBuf};

use anyhow::Context;
use figment::providers::{Env, Format, Serialized, Toml};
use figment::Figment;

use super::sections::Config;

/// The file read when `--config` is not given, if it exists in the working directory.
pub const DEFAULT_CONFIG_FILE: &str = "chatroom.toml";

/// The environment prefix; `__` separates section and key.
pub const ENV_PREFIX: &str = "CHATROOM__";

/// Values given on the command line; `None` leaves the lower layers alone.
#[derive(Debug, Clone, Default)]
pub struct Overrides {
    pub listen: Option<String>,
    pub data_dir: Option<PathBuf>,
    pub database_url: Option<String>,
}

/// Reads and layers the configuration. An explicitly named file must exist; the
/// default file is optional.
pub fn load(config_file: Option<&Path>, overrides: &Overrides) -> anyhow::Result<Config> {
    let mut figment = Figment::new();
    match config_file {
        Some(path) => {
            anyhow::ensure!(path.is_file(), "the configuration file {} does not exist", path.display());
            figment = figment.merge(Toml::file_exact(path));
        }
        None if Path::new(DEFAULT_CONFIG_FILE).is_file() => {
            figment = figment.merge(Toml::file_exact(DEFAULT_CONFIG_FILE));
        }
        None => {}
    }
    figment = figment.merge(Env::prefixed(ENV_PREFIX).split("__"));
    if let Some(listen) = &overrides.listen {
        figment = figment.merge(Serialized::default("http.listen", listen));
    }
    if let Some(data_dir) = &overrides.data_dir {
        figment = figment.merge(Serialized::default("data_dir", data_dir));
    }
    if let Some(url) = &overrides.database_url {
        figment = figment.merge(Serialized::default("database.url", url));
    }
    figment.extract::<Config>().context("reading the configuration")
}

/// The effective configuration as TOML, secrets redacted (`chatroom config`).
pub fn to_redacted_toml(config: &Config) -> anyhow::Result<String> {
    toml::to_string_pretty(config).context("rendering the configuration as TOML")
}

// `figment::Jail` fixes the closures' error type; its size is not ours to choose.
#[allow(clippy::result_large_err)]
#[cfg(test)]
mod tests {
    use std::time::Duration;

    use figment::Jail;

    use super::*;
    use crate::config::sections::{MailTransport, SmtpTls};
    use crate::config::values::{Secret, REDACTED};

    #[test]
    fn no_file_no_env_no_flag_gives_the_spec_defaults() {
        Jail::expect_with(|_jail| {
            let config = load(None, &Overrides::default()).unwrap();
            assert_eq!(config.http.listen, "127.0.0.1:8080");
            assert_eq!(config.data_dir, PathBuf::from("data"));
            assert_eq!(config.auth.token_ttl, Duration::from_secs(86_400));
            assert_eq!(config.rooms.kick_cooldown, Duration::from_secs(900));
            assert!(config.database.url.is_none() && config.auth.jwt_secret.is_none());
            Ok(())
        });
    }

    #[test]
    fn flags_override_env_which_overrides_the_file() {
        Jail::expect_with(|jail| {
            jail.create_file(
                DEFAULT_CONFIG_FILE,
                "[http]\nlisten = \"0.0.0.0:1\"\n[rooms]\nmax_capacity = 42\nkick_cooldown = \"5m\"\n",
            )?;
            jail.set_env("CHATROOM__HTTP__LISTEN", "0.0.0.0:2");
            jail.set_env("CHATROOM__ROOMS__KICK_COOLDOWN", "0");
            let flags = Overrides { listen: Some("127.0.0.1:3".into()), ..Overrides::default() };
            let config = load(None, &flags).unwrap();
            assert_eq!(config.http.listen, "127.0.0.1:3");
            assert_eq!(config.rooms.max_capacity, 42);
            assert_eq!(config.rooms.kick_cooldown, Duration::ZERO);
            assert_eq!(config.messages.max_chars, 4000);
            Ok(())
        });
    }

    #[test]
    fn the_mail_smtp_table_reads_from_the_file_and_the_nested_env_keys() {
        Jail::expect_with(|jail| {
            jail.create_file(
                DEFAULT_CONFIG_FILE,
                "[mail]\ntransport = \"smtp\"\n[mail.smtp]\nhost = \"smtp.example.com\"\nport = 465\ntls = \"tls\"\n",
            )?;
            jail.set_env("CHATROOM__MAIL__SMTP__PORT", "2525");
            jail.set_env("CHATROOM__MAIL__SMTP__FROM", "chatroom <no-reply@example.com>");
            jail.set_env("CHATROOM__MAIL__SMTP__USERNAME", "mailer");
            jail.set_env("CHATROOM__MAIL__SMTP__PASSWORD", "123456");
            jail.set_env("CHATROOM__MAIL__SMTP__TIMEOUT", "30s");
            let config = load(None, &Overrides::default()).unwrap();
            let smtp = &config.mail.smtp;
            assert_eq!(config.mail.transport, MailTransport::Smtp);
            assert_eq!(smtp.host.as_deref(), Some("smtp.example.com"));
            assert_eq!((smtp.port, smtp.tls), (2525, SmtpTls::Tls));
            assert_eq!(smtp.from.as_deref(), Some("chatroom <no-reply@example.com>"));
            assert_eq!(smtp.username.as_deref(), Some("mailer"));
            assert_eq!(smtp.password.as_ref().map(Secret::expose), Some("123456"));
            assert_eq!(smtp.timeout, Duration::from_secs(30));
            Ok(())
        });
    }

    #[test]
    fn the_mail_smtp_defaults_are_starttls_on_587_with_a_10s_timeout() {
        Jail::expect_with(|_jail| {
            let smtp = load(None, &Overrides::default()).unwrap().mail.smtp;
            assert_eq!((smtp.port, smtp.tls, smtp.timeout), (587, SmtpTls::StartTls, Duration::from_secs(10)));
            assert!(smtp.host.is_none() && smtp.from.is_none() && smtp.password.is_none());
            Ok(())
        });
    }

    #[test]
    fn an_unknown_key_is_refused_with_its_name() {
        Jail::expect_with(|jail| {
            jail.set_env("CHATROOM__ROOMS__MAX_CAPACTIY", "3");
            let error = format!("{:#}", load(None, &Overrides::default()).unwrap_err());
            assert!(error.contains("max_capactiy"), "{error}");
            Ok(())
        });
    }

    #[test]
    fn a_missing_explicit_file_is_an_error() {
        Jail::expect_with(|_jail| {
            assert!(load(Some(Path::new("nowhere.toml")), &Overrides::default()).is_err());
            Ok(())
        });
    }

    #[test]
    fn the_rendered_config_hides_secrets() {
        Jail::expect_with(|jail| {
            jail.set_env("CHATROOM__AUTH__JWT_SECRET", "a-very-long-secret-of-at-least-32-bytes");
            jail.set_env("CHATROOM__DATABASE__URL", "postgres://app:hunter2@db/chat");
            jail.set_env("CHATROOM__MAIL__SMTP__PASSWORD", "smtp-pass-42");
            let rendered = to_redacted_toml(&load(None, &Overrides::default()).unwrap()).unwrap();
            assert!(!rendered.contains("a-very-long-secret") && !rendered.contains("hunter2"), "{rendered}");
            assert!(!rendered.contains("smtp-pass-42"), "{rendered}");
            assert!(rendered.contains(REDACTED));
            Ok(())
        });
    }
}
