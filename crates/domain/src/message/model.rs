//! Posting and reading messages: drafts as clients send them, history pages, and
//! the tunable numbers of messaging.

use std::time::Duration;

use crate::ids::Seq;
use crate::timeline::{ImageChunks, ImageType, RoomEvent};

/// A message as a client sent it, before validation.
#[derive(Debug, Clone, Default)]
pub struct MessageDraft {
    pub content: String,
    pub client_msg_id: Option<String>,
}

/// GET /room/messages: events with seq below `before` and/or above `after`, at
/// most `limit` of them (`messages` policy's default and maximum when absent).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct HistoryQuery {
    pub before: Option<Seq>,
    pub after: Option<Seq>,
    pub limit: Option<u32>,
}

/// A page of history, in seq order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HistoryPage {
    pub events: Vec<RoomEvent>,
    pub has_more: bool,
}

/// A posted image as it is served: the type its magic bytes tell (S6), its length,
/// and its bytes as a stream (S10): `head`, the first bytes (read to tell the
/// type), then the pieces of `rest`.
pub struct Image {
    pub image_type: ImageType,
    pub len: u64,
    pub head: Vec<u8>,
    pub rest: Box<dyn ImageChunks>,
}

impl std::fmt::Debug for Image {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Image").field("image_type", &self.image_type).field("len", &self.len).finish_non_exhaustive()
    }
}

/// The tunable numbers of messaging, from configuration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MessagePolicy {
    /// `messages.max_chars` (W9, default 4000).
    pub max_chars: usize,
    /// How long a clientMsgId deduplicates (D3, 24 h).
    pub dedupe_window: Duration,
    /// History page size when none is asked for (50) and the largest allowed (200).
    pub history_default_limit: u32,
    pub history_max_limit: u32,
    /// `images.per_minute`: images one user may post within `upload_window`
    /// (S10, 20 per minute).
    pub uploads_per_user: u32,
    pub upload_window: Duration,
}

impl Default for MessagePolicy {
    fn default() -> Self {
        Self {
            max_chars: 4000,
            dedupe_window: Duration::from_secs(24 * 60 * 60),
            history_default_limit: 50,
            history_max_limit: 200,
            uploads_per_user: 20,
            upload_window: Duration::from_secs(60),
        }
    }
}
