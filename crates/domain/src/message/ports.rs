//! The messaging service, as the API calls it.

use async_trait::async_trait;

use super::error::*;
use super::model::*;
use crate::ids::{ImageId, RoomKey, UserId};
use crate::room::RoomSelector;
use crate::timeline::{Appended, RoomEvent};
use crate::user::User;

/// Messaging operations, as the API calls them.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait MessageService: Send + Sync {
    /// Stores a message with the next seq (R9, R13, D1, D3) and publishes it,
    /// in this life of the room only (S7).
    async fn post_message(
        &self,
        author: &User,
        room: &RoomKey,
        draft: MessageDraft,
    ) -> Result<Appended, PostMessageError>;
    /// Stores an image and its event (R9, S6) and publishes it.
    async fn post_image(
        &self,
        author: &User,
        room: Option<RoomSelector>,
        bytes: Vec<u8>,
    ) -> Result<RoomEvent, PostImageError>;
    /// A page of a room's history for a member (R9).
    async fn history(
        &self,
        caller: &UserId,
        room: &RoomSelector,
        query: HistoryQuery,
    ) -> Result<HistoryPage, HistoryError>;
    /// A posted image, for anyone who knows its id (S6); `None` when there is
    /// none (never posted, or its room was dissolved).
    async fn image(&self, id: &ImageId) -> anyhow::Result<Option<Image>>;
}
