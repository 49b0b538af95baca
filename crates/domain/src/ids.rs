//! The identifiers every area names things by, at the bottom of the domain so that
//! no two areas import each other for them: users, rooms, sessions, images and the
//! per-room sequence number (R13).

use std::fmt;

use crate::validation::{identifier, InvalidInput, Rule};

/// A user's identifier: 1–32 characters of `[A-Za-z0-9_.-]`, unique (R1).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct UserId(String);

impl UserId {
    /// Parses the `userId` field.
    pub fn parse(raw: &str) -> Result<Self, InvalidInput> {
        Self::parse_field("userId", raw)
    }

    /// Parses a user identifier that arrives under another API name (e.g. the
    /// target of a kick).
    pub fn parse_field(field: &'static str, raw: &str) -> Result<Self, InvalidInput> {
        identifier(field, raw).map(Self)
    }

    /// The identifier as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for UserId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A room's identifier: 1–32 characters of `[A-Za-z0-9_.-]`, unique (R2).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RoomId(String);

impl RoomId {
    /// Parses the `roomId` field.
    pub fn parse(raw: &str) -> Result<Self, InvalidInput> {
        identifier("roomId", raw).map(Self)
    }

    /// The identifier as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for RoomId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// One life of a room (S7): a roomId that is dissolved and created again names
/// a new room, with a new incarnation. Chosen at random when the room is
/// created, so that no node needs to ask another for it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Incarnation(i64);

impl Incarnation {
    /// Wraps an incarnation chosen at creation or read back from storage.
    pub const fn new(n: i64) -> Self {
        Self(n)
    }

    /// The number, as stored.
    pub const fn get(self) -> i64 {
        self.0
    }
}

/// A room as everything kept in memory about it is keyed (S7): its id and its
/// incarnation, so nothing of a dissolved room reaches a later one of the same id.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct RoomKey {
    pub id: RoomId,
    pub incarnation: Incarnation,
}

impl RoomKey {
    /// The room `id` in its life `incarnation`.
    pub fn new(id: RoomId, incarnation: Incarnation) -> Self {
        Self { id, incarnation }
    }

    /// The roomId, as text.
    pub fn as_str(&self) -> &str {
        self.id.as_str()
    }
}

impl fmt::Display for RoomKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}#{:x}", self.id, self.incarnation.0)
    }
}

/// A session id: 128 random bits as hex, the `sid` claim of a token (S2).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct SessionId(String);

impl SessionId {
    /// Wraps an id produced by an [`crate::system::IdGenerator`] or read back.
    pub fn new(id: String) -> Self {
        Self(id)
    }

    /// The id as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// An image's id: 128 random bits as 32 hex digits, never chosen by a client (S6).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ImageId(String);

impl ImageId {
    /// Parses an id from a URL; anything but 32 lower-case hex digits is refused, so
    /// no path can be smuggled into a store.
    pub fn parse(raw: &str) -> Option<Self> {
        let valid = raw.len() == 32 && raw.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b));
        valid.then(|| Self(raw.to_owned()))
    }

    /// The id as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A position in a room's sequence of events (R13): the first event is 1, each next
/// one exactly one more; 0 stands for "before the first event".
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Seq(i64);

impl Seq {
    /// Before the first event of a room.
    pub const ZERO: Self = Self(0);

    /// Wraps a seq computed or read back from storage.
    pub const fn new(n: i64) -> Self {
        Self(n)
    }

    /// Parses a seq given by a client under the API name `field` (`since`, `before`,
    /// `after`): a non-negative integer.
    pub fn parse(field: &'static str, raw: &str) -> Result<Self, InvalidInput> {
        raw.trim()
            .parse::<i64>()
            .ok()
            .filter(|n| *n >= 0)
            .map(Self)
            .ok_or_else(|| InvalidInput::new(field, Rule::IntegerRange { min: 0, max: i64::MAX }))
    }

    /// The number.
    pub const fn get(self) -> i64 {
        self.0
    }

    /// The seq right after this one.
    #[must_use]
    pub const fn next(self) -> Self {
        Self(self.0 + 1)
    }
}

impl fmt::Display for Seq {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn s6_image_ids_are_32_hex_digits_and_nothing_else() {
        assert!(ImageId::parse("0123456789abcdef0123456789abcdef").is_some());
        assert!(ImageId::parse("../../etc/passwd").is_none());
        assert!(ImageId::parse("0123456789ABCDEF0123456789ABCDEF").is_none());
    }

    #[test]
    fn a_seq_from_a_client_is_a_non_negative_integer() {
        assert_eq!(Seq::parse("since", " 7 ").unwrap(), Seq::new(7));
        assert_eq!(Seq::parse("since", "0").unwrap(), Seq::ZERO);
        for bad in ["-1", "x", "", "1.5"] {
            assert_eq!(Seq::parse("before", bad).unwrap_err().field, "before", "{bad}");
        }
    }
}
