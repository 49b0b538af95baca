//! Configuration of the `chatroom` binary (SPEC §9): typed sections with defaults,
//! layered from an optional TOML file, the environment and flags, validated at
//! start-up, mapped to the domain's policies in one place, printable with every
//! secret redacted.

mod load;
mod policies;
mod sections;
mod validate;
mod values;

pub use load::{load, to_redacted_toml, Overrides, DEFAULT_CONFIG_FILE, ENV_PREFIX};
pub use sections::{
    AuthConfig, Config, DatabaseConfig, HttpConfig, ImagesConfig, MailConfig, MailTransport, MessagesConfig,
    RedisConfig, RoomsConfig, SmtpConfig, SmtpTls, WsConfig,
};
pub use validate::validate;
pub use values::{Secret, SecretUrl, REDACTED};
