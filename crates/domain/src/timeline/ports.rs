//! Where a room's timeline is kept: its events, sequenced in one transaction each
//! (R13, D1, D3), and the bytes of its images (S6).

use async_trait::async_trait;
use time::OffsetDateTime;

use super::error::AppendError;
use super::model::*;
use crate::ids::{ImageId, RoomKey, Seq};

/// Storage of room events.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait MessageStore: Send + Sync {
    /// MUST, in one transaction, give the event the room's next seq (R13: exactly one
    /// more than the last, no gap, no duplicate, also with concurrent writers on
    /// several nodes) and store it. When the event is a message whose clientMsgId
    /// was stored for the same room and sender at or after `dedupe_since`, MUST store
    /// nothing and return the stored event with `duplicate` set (D3).
    /// `RoomNotFound` when the room is gone, or is a later life of its id (S7).
    async fn append(
        &self,
        room: &RoomKey,
        event: NewEvent,
        dedupe_since: OffsetDateTime,
    ) -> Result<Appended, AppendError>;
    /// MUST return up to `limit` events with seq > `after`, ascending. Like
    /// every read here, MUST return nothing of another life of the room's id
    /// (S7).
    async fn list_after(&self, room: &RoomKey, after: Seq, limit: u32) -> anyhow::Result<Vec<RoomEvent>>;
    /// MUST return the `limit` latest events with seq < `before` (all when `None`),
    /// ascending.
    async fn list_before(&self, room: &RoomKey, before: Option<Seq>, limit: u32) -> anyhow::Result<Vec<RoomEvent>>;
    /// MUST return the room's last seq (0 when it has no event, or is gone).
    async fn last_seq(&self, room: &RoomKey) -> anyhow::Result<Seq>;
}

/// A stored image's bytes, read a piece at a time so that serving an image never
/// holds all of it in memory (S10).
#[async_trait]
pub trait ImageChunks: Send {
    /// MUST return the next piece of the bytes (never an empty one), in order, or
    /// `None` once every byte was returned.
    async fn next_chunk(&mut self) -> anyhow::Result<Option<Vec<u8>>>;
}

/// An image opened for reading: how many bytes it has, and the bytes.
pub struct StoredImage {
    pub len: u64,
    pub chunks: Box<dyn ImageChunks>,
}

impl std::fmt::Debug for StoredImage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StoredImage").field("len", &self.len).finish_non_exhaustive()
    }
}

/// Storage of image bytes (S6): files under the data directory by default.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait ImageStore: Send + Sync {
    /// MUST store the bytes under `id`, completely or not at all.
    async fn save(&self, id: &ImageId, bytes: &[u8]) -> anyhow::Result<()>;
    /// MUST open the image stored under `id`, if any, for reading: its length and
    /// its bytes as a stream of pieces.
    async fn open(&self, id: &ImageId) -> anyhow::Result<Option<StoredImage>>;
    /// MUST delete the images; ids that do not exist are ignored.
    async fn delete(&self, ids: &[ImageId]) -> anyhow::Result<()>;
}
