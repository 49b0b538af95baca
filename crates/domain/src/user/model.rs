//! User value objects (SPEC §3) and the `User` entity.

use std::fmt;

use time::OffsetDateTime;

use crate::ids::UserId;
use crate::validation::{display_text, InvalidInput, Rule};

/// A display name: 1–32 characters after trimming, no control characters; not unique.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserName(String);

impl UserName {
    /// The longest name, in characters after trimming.
    pub const MAX_CHARS: usize = 32;

    /// Parses the `userName` field.
    pub fn parse(raw: &str) -> Result<Self, InvalidInput> {
        display_text("userName", raw, Self::MAX_CHARS).map(Self)
    }

    /// The name as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// An email address, stored lower-cased, at most 254 characters, unique (R1).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Email(String);

impl Email {
    /// The longest address, in characters after trimming.
    pub const MAX_CHARS: usize = 254;

    /// Parses the `userEmail` field: `local@domain.tld`, no spaces or control
    /// characters, lower-cased.
    pub fn parse(raw: &str) -> Result<Self, InvalidInput> {
        const FIELD: &str = "userEmail";
        let trimmed = raw.trim();
        if trimmed.is_empty() {
            return Err(InvalidInput::new(FIELD, Rule::Required));
        }
        if trimmed.chars().count() > Self::MAX_CHARS {
            return Err(InvalidInput::new(FIELD, Rule::Length { min: 3, max: Self::MAX_CHARS }));
        }
        if !is_plausible_email(trimmed) {
            return Err(InvalidInput::new(FIELD, Rule::EmailFormat));
        }
        Ok(Self(trimmed.to_lowercase()))
    }

    /// The address as text (lower-case).
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

fn is_plausible_email(text: &str) -> bool {
    let Some((local, domain)) = text.rsplit_once('@') else {
        return false;
    };
    let bad_char = |c: char| c.is_whitespace() || c.is_control() || c == '@';
    if local.is_empty() || local.chars().any(bad_char) || domain.chars().any(bad_char) {
        return false;
    }
    let labels: Vec<&str> = domain.split('.').collect();
    labels.len() >= 2 && labels.iter().all(|label| !label.is_empty())
}

/// A password in clear text, only ever held long enough to hash or verify it.
/// Its `Debug` never shows the text.
#[derive(Clone, PartialEq, Eq)]
pub struct Password(String);

impl Password {
    /// The upper bound of SPEC §3.
    pub const MAX_CHARS: usize = 128;

    /// Parses `userPwd` / `newPwd`: `min_chars..=128` characters
    /// (`auth.min_password_length`, 8 by default).
    pub fn parse(field: &'static str, raw: &str, min_chars: usize) -> Result<Self, InvalidInput> {
        let count = raw.chars().count();
        if count == 0 {
            return Err(InvalidInput::new(field, Rule::Required));
        }
        if count < min_chars || count > Self::MAX_CHARS {
            return Err(InvalidInput::new(field, Rule::Length { min: min_chars, max: Self::MAX_CHARS }));
        }
        Ok(Self(raw.to_owned()))
    }

    /// The clear text, for the hasher.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Password(***)")
    }
}

/// A password hash in PHC string format, as produced by a [`super::PasswordHasher`].
#[derive(Clone, PartialEq, Eq)]
pub struct PasswordHash(String);

impl PasswordHash {
    /// Wraps a PHC string produced by a hasher or read back from storage.
    pub fn new(phc: String) -> Self {
        Self(phc)
    }

    /// The PHC string.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for PasswordHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("PasswordHash(***)")
    }
}

/// A registered user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    pub id: UserId,
    pub name: UserName,
    pub email: Email,
    pub password_hash: PasswordHash,
    pub created_at: OffsetDateTime,
}

/// Validated changes to a user's profile; unset fields stay as they are.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ProfileUpdate {
    pub name: Option<UserName>,
    pub email: Option<Email>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_id_accepts_the_identifier_charset() {
        assert!(UserId::parse("a.B_9-z").is_ok());
        assert_eq!(UserId::parse("a b").unwrap_err().rule, Rule::IdentifierCharset);
        assert_eq!(UserId::parse("").unwrap_err().rule, Rule::Required);
        assert!(UserId::parse(&"x".repeat(32)).is_ok());
        assert!(matches!(UserId::parse(&"x".repeat(33)).unwrap_err().rule, Rule::Length { .. }));
    }

    #[test]
    fn user_name_is_trimmed_and_refuses_control_characters() {
        assert_eq!(UserName::parse("  zhy ").unwrap().as_str(), "zhy");
        assert_eq!(UserName::parse("a\u{7}b").unwrap_err().rule, Rule::NoControlCharacters);
        assert!(UserName::parse(&"名".repeat(32)).is_ok());
        assert!(UserName::parse(&"名".repeat(33)).is_err());
    }

    #[test]
    fn email_is_lower_cased_and_must_look_like_an_address() {
        assert_eq!(Email::parse("A@QQ.com").unwrap().as_str(), "a@qq.com");
        for bad in ["a", "a@b", "@b.c", "a@.c", "a b@c.d", "a@b..c"] {
            assert_eq!(Email::parse(bad).unwrap_err().field, "userEmail", "{bad}");
        }
    }

    #[test]
    fn password_length_uses_the_configured_minimum() {
        assert!(Password::parse("userPwd", "1234567", 8).is_err());
        assert!(Password::parse("userPwd", "12345678", 8).is_ok());
        assert!(Password::parse("userPwd", "135", 3).is_ok());
        assert!(Password::parse("userPwd", &"p".repeat(129), 8).is_err());
        assert_eq!(format!("{:?}", Password::parse("userPwd", "secret123", 8).unwrap()), "Password(***)");
    }
}
