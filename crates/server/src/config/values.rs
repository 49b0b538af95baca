//! Value types of the configuration that need more than serde's defaults:
//! durations written for people ("24h", "15m", or plain seconds) and secrets that
//! can never reach a log line or the output of `chatroom config`.

use std::fmt;
use std::time::Duration;

use secrecy::{ExposeSecret, SecretString};
use serde::de::{self, Deserializer, Visitor};
use serde::{Deserialize, Serialize, Serializer};

/// What a redacted secret prints as.
pub const REDACTED: &str = "[REDACTED]";

/// A duration in human-readable form; integers are seconds (an environment variable
/// `…=0` arrives as a number).
pub mod duration {
    use super::*;

    pub fn serialize<S: Serializer>(value: &Duration, s: S) -> Result<S::Ok, S::Error> {
        humantime_serde::serialize(value, s)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Duration, D::Error> {
        struct DurationVisitor;
        impl Visitor<'_> for DurationVisitor {
            type Value = Duration;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a duration such as \"15m\", \"24h\" or \"90s\", or a number of seconds")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Duration, E> {
                humantime_serde::re::humantime::parse_duration(v.trim()).map_err(E::custom)
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Duration, E> {
                Ok(Duration::from_secs(v))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Duration, E> {
                u64::try_from(v).map(Duration::from_secs).map_err(|_| E::custom("a duration cannot be negative"))
            }
        }
        d.deserialize_any(DurationVisitor)
    }
}

/// Reads a string even when the environment made a number of it.
fn lenient_string<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    struct StringVisitor;
    impl Visitor<'_> for StringVisitor {
        type Value = String;
        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str("a string")
        }
        fn visit_str<E: de::Error>(self, v: &str) -> Result<String, E> {
            Ok(v.to_owned())
        }
        fn visit_u64<E: de::Error>(self, v: u64) -> Result<String, E> {
            Ok(v.to_string())
        }
        fn visit_i64<E: de::Error>(self, v: i64) -> Result<String, E> {
            Ok(v.to_string())
        }
    }
    d.deserialize_any(StringVisitor)
}

/// A secret (the JWT key): `Debug` and `Serialize` print [`REDACTED`].
pub struct Secret(SecretString);

impl Secret {
    pub fn expose(&self) -> &str {
        self.0.expose_secret()
    }
}

impl From<&str> for Secret {
    fn from(value: &str) -> Self {
        Self(SecretString::from(value))
    }
}

impl Clone for Secret {
    fn clone(&self) -> Self {
        Self::from(self.expose())
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(REDACTED)
    }
}

impl Serialize for Secret {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(REDACTED)
    }
}

impl<'de> Deserialize<'de> for Secret {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        lenient_string(d).map(|s| Self(SecretString::from(s)))
    }
}

/// A connection URL whose password is a secret: `Debug`, `Display` and `Serialize`
/// show it with the password replaced by [`REDACTED`].
#[derive(Clone)]
pub struct SecretUrl(Secret);

impl SecretUrl {
    pub fn new(url: &str) -> Self {
        Self(Secret::from(url))
    }

    /// The full URL, password included: only for the adapter that connects.
    pub fn expose(&self) -> &str {
        self.0.expose()
    }

    /// The URL with its password (if any) replaced by [`REDACTED`].
    pub fn redacted(&self) -> String {
        redact_password(self.expose())
    }

    /// The scheme in lower case (`sqlite`, `postgres`, `mysql`, `redis` …).
    pub fn scheme(&self) -> String {
        self.expose().split_once(':').map(|(scheme, _)| scheme.to_ascii_lowercase()).unwrap_or_default()
    }
}

impl fmt::Debug for SecretUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.redacted())
    }
}

impl fmt::Display for SecretUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.redacted())
    }
}

impl Serialize for SecretUrl {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.redacted())
    }
}

impl<'de> Deserialize<'de> for SecretUrl {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        lenient_string(d).map(|s| Self::new(&s))
    }
}

/// `scheme://user:password@host/…` → `scheme://user:[REDACTED]@host/…`; also the
/// `password=` query parameter some drivers take.
fn redact_password(url: &str) -> String {
    let mut out = url.to_owned();
    if let Some(start) = url.find("://").map(|i| i + 3) {
        let authority_end = url[start..].find(['/', '?', '#']).map_or(url.len(), |i| start + i);
        if let Some(at) = url[start..authority_end].rfind('@').map(|i| start + i) {
            if let Some(colon) = url[start..at].find(':').map(|i| start + i) {
                out = format!("{}{REDACTED}{}", &url[..=colon], &url[at..]);
            }
        }
    }
    if let Some((head, query)) = out.split_once('?') {
        let query: Vec<String> = query
            .split('&')
            .map(|pair| match pair.split_once('=') {
                Some((key, _)) if key.eq_ignore_ascii_case("password") => format!("{key}={REDACTED}"),
                _ => pair.to_owned(),
            })
            .collect();
        out = format!("{head}?{}", query.join("&"));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_password_in_the_authority_is_redacted() {
        assert_eq!(
            redact_password("postgres://app:hunter2@db.example:5432/chat"),
            "postgres://app:[REDACTED]@db.example:5432/chat"
        );
        assert_eq!(redact_password("redis://:s3cret@127.0.0.1:6379"), "redis://:[REDACTED]@127.0.0.1:6379");
    }

    #[test]
    fn a_password_query_parameter_is_redacted() {
        assert_eq!(
            redact_password("mysql://app@db/chat?password=hunter2&ssl-mode=disabled"),
            "mysql://app@db/chat?password=[REDACTED]&ssl-mode=disabled"
        );
    }

    #[test]
    fn urls_without_a_password_are_unchanged() {
        for url in ["sqlite://data/chatroom.db?mode=rwc", "postgres://postgres@127.0.0.1/test", "sqlite::memory:"] {
            assert_eq!(redact_password(url), url);
        }
    }

    #[test]
    fn secrets_never_show_in_debug_or_serialized_form() {
        let secret = Secret::from("0123456789abcdef0123456789abcdef");
        assert_eq!(format!("{secret:?}"), REDACTED);
        assert_eq!(serde_json::to_string(&secret).unwrap(), format!("\"{REDACTED}\""));
        let url = SecretUrl::new("postgres://u:pw@h/db");
        assert!(!format!("{url:?} {url}").contains("pw@"));
    }

    #[test]
    fn durations_read_human_forms_and_seconds() {
        #[derive(Deserialize)]
        struct Holder {
            #[serde(with = "duration")]
            d: Duration,
        }
        let parse = |json: &str| serde_json::from_str::<Holder>(json).map(|h| h.d);
        assert_eq!(parse(r#"{"d":"15m"}"#).unwrap(), Duration::from_secs(900));
        assert_eq!(parse(r#"{"d":"24h"}"#).unwrap(), Duration::from_secs(86_400));
        assert_eq!(parse(r#"{"d":0}"#).unwrap(), Duration::ZERO);
        assert!(parse(r#"{"d":"soon"}"#).is_err());
        assert!(parse(r#"{"d":-1}"#).is_err());
    }
}
