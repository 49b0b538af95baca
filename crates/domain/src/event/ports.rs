//! The messaging service (inbound) and the ports for storing, delivering and
//! serving events (outbound).

use async_trait::async_trait;
use time::OffsetDateTime;

use super::error::*;
use super::model::*;
use crate::account::SessionId;
use crate::room::{RoomId, RoomRef};
use crate::user::{User, UserId};

/// Messaging operations, as the API calls them.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait MessageService: Send + Sync {
    /// Stores a message with the next seq (R9, R13, D1, D3) and publishes it.
    async fn post_message(
        &self,
        author: &User,
        room: &RoomId,
        draft: MessageDraft,
    ) -> Result<Appended, PostMessageError>;
    /// Stores an image and its event (R9, S6) and publishes it.
    async fn post_image(&self, author: &User, room: RoomRef, bytes: Vec<u8>) -> Result<RoomEvent, PostImageError>;
    /// A page of a room's history for a member (R9).
    async fn history(&self, caller: &UserId, room: RoomRef, query: HistoryQuery) -> Result<HistoryPage, HistoryError>;
}

/// Storage of room events.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait MessageStore: Send + Sync {
    /// MUST, in one transaction, give the event the room's next seq (R13: exactly one
    /// more than the last, no gap, no duplicate, also with concurrent writers on
    /// several nodes) and store it. When the event is a message whose clientMsgId
    /// was stored for the same room and sender at or after `dedupe_since`, MUST store
    /// nothing and return the stored event with `duplicate` set (D3).
    /// `RoomNotFound` when the room is gone.
    async fn append(
        &self,
        room: &RoomId,
        event: NewEvent,
        dedupe_since: OffsetDateTime,
    ) -> Result<Appended, AppendError>;
    /// MUST return up to `limit` events with seq > `after`, ascending.
    async fn list_after(&self, room: &RoomId, after: i64, limit: u32) -> anyhow::Result<Vec<RoomEvent>>;
    /// MUST return the `limit` latest events with seq < `before` (all when `None`),
    /// ascending.
    async fn list_before(&self, room: &RoomId, before: Option<i64>, limit: u32) -> anyhow::Result<Vec<RoomEvent>>;
    /// MUST return the room's last seq (0 when it has no event).
    async fn last_seq(&self, room: &RoomId) -> anyhow::Result<i64>;
}

/// Live delivery to the connections of a room, on every node (R10, R11, W13).
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait EventBus: Send + Sync {
    /// MUST hand the signal to every subscriber of the room on every node; signals
    /// published from one task MUST arrive in the order they were published.
    async fn publish(&self, room: &RoomId, signal: RoomSignal) -> anyhow::Result<()>;
    /// MUST close every connection opened with one of these sessions, in every room
    /// and on every node (R11).
    async fn end_sessions(&self, sessions: &[SessionId]) -> anyhow::Result<()>;
}

/// Who is connected to which room, across nodes.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait Presence: Send + Sync {
    /// MUST count one more open connection of `user` to `room` and return `true`
    /// when it is the user's first one there (the user came online).
    async fn connected(&self, room: &RoomId, user: &UserId) -> anyhow::Result<bool>;
    /// MUST count one connection fewer and return `true` when it was the user's last
    /// one there (the user went offline).
    async fn disconnected(&self, room: &RoomId, user: &UserId) -> anyhow::Result<bool>;
    /// MUST return the members of the room with at least one open connection.
    async fn online(&self, room: &RoomId) -> anyhow::Result<Vec<UserId>>;
}

/// Storage of image bytes (S6): files under the data directory by default.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait ImageStore: Send + Sync {
    /// MUST store the bytes under `id`, completely or not at all.
    async fn save(&self, id: &ImageId, bytes: &[u8]) -> anyhow::Result<()>;
    /// MUST return the bytes stored under `id`, if any.
    async fn load(&self, id: &ImageId) -> anyhow::Result<Option<Vec<u8>>>;
    /// MUST delete the images; ids that do not exist are ignored.
    async fn delete(&self, ids: &[ImageId]) -> anyhow::Result<()>;
}
