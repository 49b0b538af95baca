//! A room's timeline: the persisted, sequenced events (R13) of messages, images and
//! system events, and the value objects they are made of (W3–W5, W9, D3, S6).

use time::OffsetDateTime;

use crate::ids::{ImageId, RoomId, Seq, UserId};
use crate::user::UserName;
use crate::validation::{InvalidInput, Rule};

/// Who sent a message or an image, as they were named at the time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sender {
    pub id: UserId,
    pub name: UserName,
}

/// A message's text: 1 ..= `messages.max_chars` characters after trimming (W9).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MessageContent(String);

impl MessageContent {
    /// Parses the content of a message frame.
    pub fn parse(raw: &str, max_chars: usize) -> Result<Self, InvalidInput> {
        let trimmed = raw.trim();
        if trimmed.is_empty() {
            return Err(InvalidInput::new("content", Rule::Required));
        }
        if trimmed.chars().count() > max_chars {
            return Err(InvalidInput::new("content", Rule::Length { min: 1, max: max_chars }));
        }
        Ok(Self(trimmed.to_owned()))
    }

    /// Wraps content read back from storage.
    pub fn from_stored(text: String) -> Self {
        Self(text)
    }

    /// The text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A client's id for a message, making resends idempotent (D3): 1–64 printable
/// characters.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ClientMsgId(String);

impl ClientMsgId {
    const MAX_CHARS: usize = 64;

    /// Parses the `clientMsgId` of a message frame.
    pub fn parse(raw: &str) -> Result<Self, InvalidInput> {
        if raw.is_empty() {
            return Err(InvalidInput::new("clientMsgId", Rule::Required));
        }
        if raw.chars().count() > Self::MAX_CHARS {
            return Err(InvalidInput::new("clientMsgId", Rule::Length { min: 1, max: Self::MAX_CHARS }));
        }
        if raw.chars().any(char::is_control) {
            return Err(InvalidInput::new("clientMsgId", Rule::NoControlCharacters));
        }
        Ok(Self(raw.to_owned()))
    }

    /// The id as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The image formats accepted (S6), decided by magic bytes only.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImageType {
    Png,
    Jpeg,
    Gif,
    Webp,
}

impl ImageType {
    /// How many first bytes [`ImageType::sniff`] needs at most.
    pub const SNIFF_LEN: usize = 12;

    /// Recognizes an image by its first bytes; `None` for anything else.
    pub fn sniff(bytes: &[u8]) -> Option<Self> {
        if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
            Some(Self::Png)
        } else if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
            Some(Self::Jpeg)
        } else if bytes.starts_with(b"GIF87a") || bytes.starts_with(b"GIF89a") {
            Some(Self::Gif)
        } else if bytes.len() >= 12 && &bytes[..4] == b"RIFF" && &bytes[8..12] == b"WEBP" {
            Some(Self::Webp)
        } else {
            None
        }
    }

    /// The MIME type served with the image.
    pub fn mime(self) -> &'static str {
        match self {
            Self::Png => "image/png",
            Self::Jpeg => "image/jpeg",
            Self::Gif => "image/gif",
            Self::Webp => "image/webp",
        }
    }

    /// The inverse of [`ImageType::mime`], for reading back from storage.
    pub fn from_mime(mime: &str) -> Option<Self> {
        [Self::Png, Self::Jpeg, Self::Gif, Self::Webp].into_iter().find(|t| t.mime() == mime)
    }
}

/// A room as it was right after a change (`roomUpdated`, W5). An event records the
/// past, so it holds the values as they were written rather than the live `Room`
/// of [`crate::room`], which sits above this area and builds snapshots of itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoomSnapshot {
    pub id: RoomId,
    /// The name as the owner wrote it.
    pub name: String,
    pub capacity: u32,
    /// `true` = public (`roomAccess`).
    pub public: bool,
    pub owner: UserId,
    pub created_at: OffsetDateTime,
}

/// A persisted, sequenced system event (W5).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SystemEvent {
    Joined(UserId),
    Left(UserId),
    Kicked(UserId),
    /// The user who became the owner.
    OwnerChanged(UserId),
    /// The room as it is after the change.
    RoomUpdated(RoomSnapshot),
}

/// What happened in a room.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EventKind {
    Message { from: Sender, content: MessageContent, client_msg_id: Option<ClientMsgId> },
    Image { from: Sender, image: ImageId, image_type: ImageType },
    System(SystemEvent),
}

/// An event before it has a seq.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewEvent {
    pub at: OffsetDateTime,
    pub kind: EventKind,
}

/// A persisted room event with its per-room sequence number (R13).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoomEvent {
    pub room_id: RoomId,
    pub seq: Seq,
    pub at: OffsetDateTime,
    pub kind: EventKind,
}

/// The result of an append: the stored event, and whether it was stored earlier
/// under the same clientMsgId (D3).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Appended {
    pub event: RoomEvent,
    pub duplicate: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn s6_image_type_is_decided_by_magic_bytes() {
        assert_eq!(ImageType::sniff(b"\x89PNG\r\n\x1a\n...."), Some(ImageType::Png));
        assert_eq!(ImageType::sniff(&[0xFF, 0xD8, 0xFF, 0xE0]), Some(ImageType::Jpeg));
        assert_eq!(ImageType::sniff(b"GIF89a..."), Some(ImageType::Gif));
        assert_eq!(ImageType::sniff(b"RIFF\0\0\0\0WEBPVP8 "), Some(ImageType::Webp));
        assert_eq!(ImageType::sniff(b"hello, I am text.png"), None);
    }

    #[test]
    fn w9_content_is_trimmed_and_bounded() {
        assert_eq!(MessageContent::parse("  hi ", 4000).unwrap().as_str(), "hi");
        assert_eq!(MessageContent::parse("   ", 4000).unwrap_err().rule, Rule::Required);
        assert!(MessageContent::parse(&"x".repeat(4001), 4000).is_err());
    }
}
