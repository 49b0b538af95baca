//! The single validation error of the domain (catalogue E1001): which API field was
//! refused and which rule of SPEC §3 it broke. The API crate turns the rule into a
//! sentence in the client's language; the domain only names it.

use std::fmt;

/// A rule of SPEC §3 that an input broke.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Rule {
    /// The field is required and was missing or empty after trimming.
    Required,
    /// The length in characters must lie in `min..=max`.
    Length { min: usize, max: usize },
    /// Only `[A-Za-z0-9_.-]` is allowed.
    IdentifierCharset,
    /// Control characters are not allowed.
    NoControlCharacters,
    /// Must look like `local@domain.tld`.
    EmailFormat,
    /// Must be an integer in `min..=max`.
    IntegerRange { min: i64, max: i64 },
    /// Must be `true`, `false`, `1` or `0`.
    Boolean,
    /// At least one of several optional fields must be given.
    AtLeastOneField,
    /// Only digits are allowed.
    Digits,
    /// Must name the same thing as the field `other` (SPEC §4: `roomName` and
    /// `roomId` given together name one room).
    SameAs { other: &'static str },
}

/// An input that broke a rule of SPEC §3 (catalogue E1001).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct InvalidInput {
    /// The API name of the refused field, e.g. `userEmail`.
    pub field: &'static str,
    /// The rule it broke.
    pub rule: Rule,
}

impl InvalidInput {
    /// A refusal of `field` for breaking `rule`.
    pub fn new(field: &'static str, rule: Rule) -> Self {
        Self { field, rule }
    }
}

impl fmt::Display for InvalidInput {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "invalid {}: {:?}", self.field, self.rule)
    }
}

/// Trims `raw` and checks it is 1..=`max` characters without control characters.
pub(crate) fn display_text(field: &'static str, raw: &str, max: usize) -> Result<String, InvalidInput> {
    let trimmed = raw.trim();
    if trimmed.is_empty() {
        return Err(InvalidInput::new(field, Rule::Required));
    }
    if trimmed.chars().any(char::is_control) {
        return Err(InvalidInput::new(field, Rule::NoControlCharacters));
    }
    if trimmed.chars().count() > max {
        return Err(InvalidInput::new(field, Rule::Length { min: 1, max }));
    }
    Ok(trimmed.to_owned())
}

/// The longest identifier (userId, roomId), in characters.
pub const IDENTIFIER_MAX_CHARS: usize = 32;

/// Checks `raw` is 1..=32 characters of `[A-Za-z0-9_.-]` (userId, roomId).
pub(crate) fn identifier(field: &'static str, raw: &str) -> Result<String, InvalidInput> {
    const MAX: usize = IDENTIFIER_MAX_CHARS;
    if raw.is_empty() {
        return Err(InvalidInput::new(field, Rule::Required));
    }
    if raw.chars().count() > MAX {
        return Err(InvalidInput::new(field, Rule::Length { min: 1, max: MAX }));
    }
    let allowed = |c: char| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-');
    if !raw.chars().all(allowed) {
        return Err(InvalidInput::new(field, Rule::IdentifierCharset));
    }
    Ok(raw.to_owned())
}
