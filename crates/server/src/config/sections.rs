//! The typed configuration: one struct per section of SPEC §9, each with the
//! defaults an operator gets with no configuration at all. Unknown keys are refused
//! so a typo cannot silently fall back to a default.

use std::path::PathBuf;
use std::time::Duration;

use chatroom_api::WsSettings;
use chatroom_domain::account::AccountPolicy;
use chatroom_domain::message::MessagePolicy;
use chatroom_infrastructure::security::DEFAULT_ISSUER;
use serde::{Deserialize, Serialize};

use super::values::{duration, Secret, SecretUrl};

/// `mail.smtp.tls`: the SMTP adapter's own setting, read as it is.
pub use chatroom_infrastructure::mail::SmtpTls;
use chatroom_infrastructure::persistence::DEFAULT_ACQUIRE_TIMEOUT;

const MINUTE: Duration = Duration::from_secs(60);
const HOUR: Duration = Duration::from_secs(3600);
const MIB: usize = 1024 * 1024;

/// The whole configuration of one `chatroom` process.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// Where the SQLite database, the generated JWT secret and the images live.
    pub data_dir: PathBuf,
    pub http: HttpConfig,
    pub database: DatabaseConfig,
    pub redis: RedisConfig,
    pub auth: AuthConfig,
    pub mail: MailConfig,
    pub rooms: RoomsConfig,
    pub messages: MessagesConfig,
    pub images: ImagesConfig,
    pub ws: WsConfig,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            data_dir: PathBuf::from("data"),
            http: HttpConfig::default(),
            database: DatabaseConfig::default(),
            redis: RedisConfig::default(),
            auth: AuthConfig::default(),
            mail: MailConfig::default(),
            rooms: RoomsConfig::default(),
            messages: MessagesConfig::default(),
            images: ImagesConfig::default(),
            ws: WsConfig::default(),
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct HttpConfig {
    /// `host:port`; port 0 picks a free one.
    pub listen: String,
    /// Answer HTTP 200 for everything, as the seed's server did (SPEC §4).
    pub legacy_status_200: bool,
    /// CORS and WebSocket `Origin` allow-list (S5); empty = no cross-origin access.
    pub allowed_origins: Vec<String>,
    /// JSON and form bodies above this get E1007.
    pub max_body_bytes: usize,
    /// How long a stopping server waits for in-flight requests.
    #[serde(with = "duration")]
    pub shutdown_timeout: Duration,
    /// The public base URL (e.g. `https://chat.example.com`) named in the served
    /// OpenAPI document's `servers`; none = relative to wherever the document is.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub public_url: Option<String>,
    /// Behind a reverse proxy: the header it puts the client's address in
    /// (`X-Forwarded-For`, `X-Real-IP`); its last address feeds the per-IP limits
    /// of S3/S4. None = the TCP peer. Set it only when every request comes
    /// through the proxy, or clients could pick their own address.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub client_ip_header: Option<String>,
}

impl Default for HttpConfig {
    fn default() -> Self {
        Self {
            listen: "127.0.0.1:8080".into(),
            legacy_status_200: false,
            allowed_origins: Vec::new(),
            max_body_bytes: 64 * 1024,
            shutdown_timeout: Duration::from_secs(10),
            public_url: None,
            client_ip_header: None,
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DatabaseConfig {
    /// `sqlite://…`, `postgres://…` or `mysql://…`; none = `chatroom.db` in `data_dir`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<SecretUrl>,
    /// PostgreSQL and MySQL: how long a request waits for a connection of the
    /// pool; while the database is unreachable, requests are answered E5003
    /// after this long.
    #[serde(with = "duration")]
    pub acquire_timeout: Duration,
}

impl Default for DatabaseConfig {
    fn default() -> Self {
        Self { url: None, acquire_timeout: DEFAULT_ACQUIRE_TIMEOUT }
    }
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RedisConfig {
    /// Shared event bus and presence for several nodes; none = single node.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<SecretUrl>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AuthConfig {
    /// HS256 key, ≥ 32 bytes; none = generated once into `data_dir` (S2).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub jwt_secret: Option<Secret>,
    #[serde(with = "duration")]
    pub token_ttl: Duration,
    pub issuer: String,
    pub min_password_length: usize,
    /// S3: digits of a reset code, its validity and wrong attempts before it burns.
    pub reset_code_length: usize,
    #[serde(with = "duration")]
    pub reset_code_ttl: Duration,
    pub reset_code_max_attempts: u32,
    /// S3: reset requests per email and per client IP within their windows, then
    /// E1105 for `reset_lockout`.
    pub reset_requests_per_email: u32,
    #[serde(with = "duration")]
    pub reset_email_window: Duration,
    pub reset_requests_per_ip: u32,
    #[serde(with = "duration")]
    pub reset_ip_window: Duration,
    #[serde(with = "duration")]
    pub reset_lockout: Duration,
    /// S4: failed logins per userId and per client IP within `login_window`, then
    /// E1103 for `login_lockout`.
    pub login_failures_per_user: u32,
    pub login_failures_per_ip: u32,
    #[serde(with = "duration")]
    pub login_window: Duration,
    #[serde(with = "duration")]
    pub login_lockout: Duration,
    /// S10: accounts one client address may register per hour (E1107 above it).
    pub registrations_per_ip_per_hour: u32,
    /// S10: how often expired sessions, used or expired reset codes and throttle
    /// rows outside every window are purged.
    #[serde(with = "duration")]
    pub purge_interval: Duration,
}

impl Default for AuthConfig {
    fn default() -> Self {
        Self {
            jwt_secret: None,
            token_ttl: 24 * HOUR,
            issuer: DEFAULT_ISSUER.into(),
            min_password_length: 8,
            reset_code_length: 6,
            reset_code_ttl: 10 * MINUTE,
            reset_code_max_attempts: 5,
            reset_requests_per_email: 3,
            reset_email_window: 10 * MINUTE,
            reset_requests_per_ip: 30,
            reset_ip_window: HOUR,
            reset_lockout: HOUR,
            login_failures_per_user: 5,
            login_failures_per_ip: 50,
            login_window: 15 * MINUTE,
            login_lockout: 15 * MINUTE,
            registrations_per_ip_per_hour: AccountPolicy::default().registrations_per_ip,
            purge_interval: 10 * MINUTE,
        }
    }
}

/// How reset codes reach the user (SPEC §9).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum MailTransport {
    /// The code goes to the server log.
    #[default]
    Console,
    /// Real delivery.
    Smtp,
    /// The seed's behaviour: the code comes back in the HTTP answer. Demos only.
    Response,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct MailConfig {
    pub transport: MailTransport,
    /// Used only with `transport = "smtp"`.
    pub smtp: SmtpConfig,
}

/// The mail server for `transport = "smtp"`; `host` and `from` are required then.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SmtpConfig {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub host: Option<String>,
    pub port: u16,
    pub tls: SmtpTls,
    /// Both or neither of `username` and `password`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub username: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub password: Option<Secret>,
    /// The sender mailbox, e.g. `chatroom <no-reply@example.com>`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub from: Option<String>,
    /// The longest one delivery may take, connecting included.
    #[serde(with = "duration")]
    pub timeout: Duration,
}

impl Default for SmtpConfig {
    fn default() -> Self {
        Self {
            host: None,
            port: 587,
            tls: SmtpTls::StartTls,
            username: None,
            password: None,
            from: None,
            timeout: Duration::from_secs(10),
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RoomsConfig {
    pub max_capacity: u32,
    /// R14; 0 turns it off.
    #[serde(with = "duration")]
    pub kick_cooldown: Duration,
}

impl Default for RoomsConfig {
    fn default() -> Self {
        Self { max_capacity: 500, kick_cooldown: 15 * MINUTE }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct MessagesConfig {
    /// W9.
    pub max_chars: usize,
    /// W2: events a new member gets on `/room/enter`.
    pub history_on_join: u32,
    /// W2: events replayed at most on a reconnect.
    pub replay_limit: u32,
}

impl Default for MessagesConfig {
    fn default() -> Self {
        Self { max_chars: 4000, history_on_join: 50, replay_limit: 1000 }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ImagesConfig {
    pub max_bytes: usize,
    /// S10: images one user may post per minute (E1202 above it).
    pub per_minute: u32,
}

impl Default for ImagesConfig {
    fn default() -> Self {
        Self { max_bytes: 5 * MIB, per_minute: MessagePolicy::default().uploads_per_user }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct WsConfig {
    /// W12: a connection whose queue holds this many frames or bytes is closed (1013).
    pub outbound_queue_frames: usize,
    pub outbound_queue_bytes: usize,
    /// W11: the server pings this often, and closes a connection silent for
    /// `idle_timeout`.
    #[serde(with = "duration")]
    pub ping_interval: Duration,
    #[serde(with = "duration")]
    pub idle_timeout: Duration,
    /// W14: frames above this close the connection with 1009.
    pub max_frame_bytes: usize,
    /// W10: frames per second a connection may send and the burst above it;
    /// excess frames get E1201, sustained abuse closes with 1008.
    pub flood_rate: f64,
    pub flood_burst: u32,
}

/// The numbers of SPEC §7 are defined once, by the sessions that run with them.
impl Default for WsConfig {
    fn default() -> Self {
        let WsSettings {
            ping_interval,
            idle_timeout,
            max_frame_bytes,
            outbound_queue_frames,
            outbound_queue_bytes,
            flood_rate,
            flood_burst,
        } = WsSettings::default();
        Self {
            outbound_queue_frames,
            outbound_queue_bytes,
            ping_interval,
            idle_timeout,
            max_frame_bytes,
            flood_rate,
            flood_burst,
        }
    }
}
