//! Room value objects (SPEC §3), the `Room` and `Membership` entities, and the
//! commands of the room service.

use std::time::Duration;

use time::OffsetDateTime;
use unicode_normalization::UnicodeNormalization;

use crate::ids::{ImageId, Incarnation, RoomId, RoomKey, Seq, UserId};
use crate::timeline::{RoomEvent, RoomSnapshot};
use crate::user::UserName;
use crate::validation::{display_text, InvalidInput, Rule};

/// A room's name: 1–64 characters after trimming, no control characters, unique on
/// its normalized key (R2).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoomName(String);

impl RoomName {
    /// The longest name, in characters after trimming.
    pub const MAX_CHARS: usize = 64;

    /// Parses the `roomName` field.
    pub fn parse(raw: &str) -> Result<Self, InvalidInput> {
        display_text("roomName", raw, Self::MAX_CHARS).map(Self)
    }

    /// The name as the owner wrote it (trimmed).
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The key that uniqueness (R2) and search compare: Unicode NFC, then lower-case,
    /// so that every database agrees whatever its collation.
    pub fn normalized_key(&self) -> String {
        normalize(&self.0)
    }
}

/// The normalized form of a name or a search text (NFC, lower-case).
pub fn normalize(text: &str) -> String {
    text.trim().nfc().collect::<String>().to_lowercase()
}

/// A room's capacity: members, not connections; 1 ..= `rooms.max_capacity`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Capacity(u32);

impl Capacity {
    /// Parses `roomCap`, given as a number or a numeric string ("33").
    pub fn parse(raw: &str, max: u32) -> Result<Self, InvalidInput> {
        if raw.trim().is_empty() {
            return Err(InvalidInput::new("roomCap", Rule::Required));
        }
        let range = Rule::IntegerRange { min: 1, max: i64::from(max) };
        let value: i64 = raw.trim().parse().map_err(|_| InvalidInput::new("roomCap", range.clone()))?;
        match u32::try_from(value) {
            Ok(cap) if (1..=max).contains(&cap) => Ok(Self(cap)),
            _ => Err(InvalidInput::new("roomCap", range)),
        }
    }

    /// Wraps a capacity read back from storage, where it was validated on the way in.
    pub fn from_stored(value: u32) -> Self {
        Self(value)
    }

    /// The number of members the room holds.
    pub fn get(self) -> u32 {
        self.0
    }
}

/// Who may newly join: `true` in the API means public.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    Public,
    Private,
}

impl Access {
    /// Parses `roomAccess`: `true`/`false`/`1`/`0`.
    pub fn parse(raw: &str) -> Result<Self, InvalidInput> {
        match raw.trim().to_ascii_lowercase().as_str() {
            "true" | "1" => Ok(Self::Public),
            "false" | "0" => Ok(Self::Private),
            "" => Err(InvalidInput::new("roomAccess", Rule::Required)),
            _ => Err(InvalidInput::new("roomAccess", Rule::Boolean)),
        }
    }

    /// `true` for public, as in the API.
    pub fn is_public(self) -> bool {
        self == Self::Public
    }
}

/// A chat room.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Room {
    pub id: RoomId,
    /// This life of the roomId (S7).
    pub incarnation: Incarnation,
    pub name: RoomName,
    pub capacity: Capacity,
    pub access: Access,
    pub owner: UserId,
    pub created_at: OffsetDateTime,
}

impl Room {
    /// Whether `user` owns the room (R5).
    pub fn is_owned_by(&self, user: &UserId) -> bool {
        &self.owner == user
    }

    /// The key of everything kept in memory about this room (S7).
    pub fn key(&self) -> RoomKey {
        RoomKey::new(self.id.clone(), self.incarnation)
    }

    /// The room as a `roomUpdated` event records it.
    pub fn snapshot(&self) -> RoomSnapshot {
        RoomSnapshot {
            id: self.id.clone(),
            name: self.name.as_str().to_owned(),
            capacity: self.capacity.get(),
            public: self.access.is_public(),
            owner: self.owner.clone(),
            created_at: self.created_at,
        }
    }
}

/// A user's membership of a room.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Membership {
    pub room_id: RoomId,
    pub user_id: UserId,
    pub joined_at: OffsetDateTime,
    /// The last seq delivered to any connection of this member (W2, D4).
    pub last_delivered_seq: Seq,
}

/// A member as listed by the repository, in join order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Member {
    pub user_id: UserId,
    pub user_name: UserName,
    pub joined_at: OffsetDateTime,
    pub is_owner: bool,
}

/// A member as GET /room/retrieveUser shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MemberView {
    pub user_id: UserId,
    pub user_name: UserName,
    pub online: bool,
    pub is_owner: bool,
}

/// Why a member leaves a room.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Departure {
    Left,
    Kicked,
}

/// What removing a member changed (R8).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RemovalOutcome {
    /// The `left`/`kicked` event, then `ownerChanged` if ownership passed on; empty
    /// when the room was dissolved.
    pub events: Vec<RoomEvent>,
    /// The new owner, when the owner left and someone remained.
    pub new_owner: Option<UserId>,
    /// Set when the last member left and the room was dissolved: the images to delete.
    pub dissolved: Option<Vec<ImageId>>,
}

/// The outcome of create, enter or reEnter: what a WebSocket session starts from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entered {
    pub room: Room,
    pub membership: Membership,
    /// True when the caller became a member just now (W2: newcomers get recent
    /// history; returning members get what they missed).
    pub newcomer: bool,
}

/// The tunable numbers of the room rules, from configuration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoomPolicy {
    /// `rooms.max_capacity` (default 500).
    pub max_capacity: u32,
    /// `rooms.kick_cooldown` (R14, default 15 minutes, zero turns it off).
    pub kick_cooldown: Duration,
    /// Search page size when none is asked for (50) and the largest allowed (200).
    pub search_default_limit: u32,
    pub search_max_limit: u32,
}

impl Default for RoomPolicy {
    fn default() -> Self {
        Self {
            max_capacity: 500,
            kick_cooldown: Duration::from_secs(15 * 60),
            search_default_limit: 50,
            search_max_limit: 200,
        }
    }
}

/// The room a request names (SPEC §4 "Rooms in queries"): by `roomId`, by
/// `roomName`, or by both, which must then name the same room. Parsed once at
/// the edge; [`crate::room`]'s services look it up.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RoomSelector {
    Id(RoomId),
    Name(RoomName),
    Both(RoomId, RoomName),
}

impl RoomSelector {
    /// The room named by the raw `roomId` and `roomName` fields, blank ones
    /// counting as absent; `None` when neither names one.
    pub fn parse(room_id: Option<&str>, room_name: Option<&str>) -> Result<Option<Self>, InvalidInput> {
        let id = room_id.filter(|s| !s.is_empty()).map(RoomId::parse).transpose()?;
        let name = room_name.filter(|s| !s.trim().is_empty()).map(RoomName::parse).transpose()?;
        Ok(Self::from_parts(id, name))
    }

    /// The selector of an id and/or a name; `None` for neither.
    pub fn from_parts(id: Option<RoomId>, name: Option<RoomName>) -> Option<Self> {
        match (id, name) {
            (Some(id), Some(name)) => Some(Self::Both(id, name)),
            (Some(id), None) => Some(Self::Id(id)),
            (None, Some(name)) => Some(Self::Name(name)),
            (None, None) => None,
        }
    }

    /// The id and the name it names the room by.
    pub fn into_parts(self) -> (Option<RoomId>, Option<RoomName>) {
        match self {
            Self::Id(id) => (Some(id), None),
            Self::Name(name) => (None, Some(name)),
            Self::Both(id, name) => (Some(id), Some(name)),
        }
    }

    /// Like [`RoomSelector::parse`] for an operation that needs a room: neither
    /// field is E1001 naming `roomName` (the seed's field).
    pub fn require(room_id: Option<&str>, room_name: Option<&str>) -> Result<Self, InvalidInput> {
        Self::parse(room_id, room_name)?.ok_or_else(Self::missing)
    }

    /// The refusal of a request that names no room: E1001 naming `roomName`.
    pub fn missing() -> InvalidInput {
        InvalidInput::new("roomName", Rule::Required)
    }
}

/// WS /room/create, as received: every field required, as in the seed.
#[derive(Debug, Clone, Default)]
pub struct NewRoom {
    pub room_id: String,
    pub room_name: String,
    pub capacity: String,
    pub access: String,
}

/// PUT /room/update's body, as received: at least one field.
#[derive(Debug, Clone, Default)]
pub struct RoomUpdate {
    pub room_name: Option<String>,
    pub capacity: Option<String>,
    pub access: Option<String>,
}

/// Validated changes to a room.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct RoomChanges {
    pub name: Option<RoomName>,
    pub capacity: Option<Capacity>,
    pub access: Option<Access>,
}

/// GET /room/retrieve: text to find in room names (empty: every room) and a
/// page, the policy's default size when `limit` is absent.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RoomQuery {
    pub name_contains: String,
    pub limit: Option<u32>,
    pub offset: Option<u64>,
}

impl RoomQuery {
    /// The largest offset: the largest integer a JSON number holds exactly
    /// (2^53 − 1), far beyond any number of rooms.
    pub const MAX_OFFSET: u64 = (1 << 53) - 1;
}

/// A validated search: normalized substring (empty = all), page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoomSearch {
    /// Normalized (NFC, lower-case) text to find literally inside the normalized
    /// name; the adapter MUST escape `%`, `_` and its escape character.
    pub name_contains: String,
    pub limit: u32,
    pub offset: u64,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn r2_room_names_compare_on_their_nfc_lower_case_key() {
        let composed = RoomName::parse("Caf\u{e9}").unwrap();
        let decomposed = RoomName::parse(" CAFE\u{301} ").unwrap();
        assert_eq!(composed.normalized_key(), decomposed.normalized_key());
        assert_eq!(decomposed.as_str(), "CAFE\u{301}");
    }

    #[test]
    fn capacity_accepts_numeric_strings_within_the_configured_maximum() {
        assert_eq!(Capacity::parse("33", 500).unwrap().get(), 33);
        assert_eq!(Capacity::parse(" 1 ", 500).unwrap().get(), 1);
        for bad in ["0", "-1", "501", "3.5", "abc", ""] {
            assert_eq!(Capacity::parse(bad, 500).unwrap_err().field, "roomCap", "{bad}");
        }
        assert_eq!(Capacity::parse(" ", 500).unwrap_err().rule, Rule::Required, "a missing roomCap is named missing");
    }

    #[test]
    fn access_accepts_booleans_and_digits() {
        assert_eq!(Access::parse("true").unwrap(), Access::Public);
        assert_eq!(Access::parse("1").unwrap(), Access::Public);
        assert_eq!(Access::parse("FALSE").unwrap(), Access::Private);
        assert_eq!(Access::parse("0").unwrap(), Access::Private);
        assert_eq!(Access::parse("yes").unwrap_err().rule, Rule::Boolean);
    }

    #[test]
    fn room_name_refuses_empty_long_and_control_text() {
        assert_eq!(RoomName::parse("   ").unwrap_err().rule, Rule::Required);
        assert!(RoomName::parse(&"n".repeat(64)).is_ok());
        assert!(RoomName::parse(&"n".repeat(65)).is_err());
        assert_eq!(RoomName::parse("a\nb").unwrap_err().rule, Rule::NoControlCharacters);
    }
}
