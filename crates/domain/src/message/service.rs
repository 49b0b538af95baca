//! The messaging service: R9, R13, D1, D3, S6.

use std::sync::Arc;

use async_trait::async_trait;

use super::error::*;
use super::model::*;
use super::ports::*;
use crate::delivery::{EventBus, RoomSignal};
use crate::ids::{ImageId, RoomId, RoomKey, UserId};
use crate::room::{MembershipRepository, RoomRepository, RoomSelector};
use crate::system::{Clock, IdGenerator, ThrottleStore};
use crate::timeline::*;
use crate::user::User;
use crate::validation::{InvalidInput, Rule};

/// The ports the messaging service needs.
pub struct Deps {
    pub rooms: Arc<dyn RoomRepository>,
    pub memberships: Arc<dyn MembershipRepository>,
    pub events: Arc<dyn MessageStore>,
    pub images: Arc<dyn ImageStore>,
    pub bus: Arc<dyn EventBus>,
    pub clock: Arc<dyn Clock>,
    pub ids: Arc<dyn IdGenerator>,
    pub throttle: Arc<dyn ThrottleStore>,
}

/// Implements [`MessageService`] with the rules of the specification.
pub struct Service {
    deps: Deps,
    policy: MessagePolicy,
    /// `images.max_bytes` (default 5 MiB).
    max_image_bytes: usize,
}

impl Service {
    /// A service over these ports with this policy.
    pub fn new(deps: Deps, policy: MessagePolicy, max_image_bytes: usize) -> Self {
        Self { deps, policy, max_image_bytes }
    }
}

impl Service {
    /// R9: the sender must be a member. Only on refusal do we look at whether the
    /// room still exists, so the common path costs one read.
    async fn require_member(&self, room: &RoomId, user: &UserId) -> Result<(), MemberCheck> {
        if self.deps.memberships.find(room, user).await?.is_some() {
            return Ok(());
        }
        match self.deps.rooms.find_by_id(room).await? {
            Some(_) => Err(MemberCheck::NotMember),
            None => Err(MemberCheck::NotFound),
        }
    }

    /// The room of an image: the one named, or the caller's only room.
    async fn image_room(&self, author: &UserId, room: Option<RoomSelector>) -> Result<RoomKey, PostImageError> {
        if let Some(room) = room {
            return Ok(room.find(self.deps.rooms.as_ref()).await?.key());
        }
        let mut rooms = self.deps.rooms.list_for_member(author).await?;
        match (rooms.pop(), rooms.is_empty()) {
            (Some(only), true) => Ok(only.key()),
            _ => Err(InvalidInput::new("roomName", Rule::Required).into()),
        }
    }

    /// The page size asked for, or the default; E1001 outside `1..=max`.
    fn page_size(&self, asked: Option<u32>) -> Result<u32, InvalidInput> {
        let max = self.policy.history_max_limit;
        match asked {
            None => Ok(self.policy.history_default_limit.min(max)),
            Some(n) if (1..=max).contains(&n) => Ok(n),
            Some(_) => Err(InvalidInput::new("limit", Rule::IntegerRange { min: 1, max: i64::from(max) })),
        }
    }
}

/// The outcome of a failed membership check.
enum MemberCheck {
    NotFound,
    NotMember,
    Unexpected(anyhow::Error),
}

impl From<anyhow::Error> for MemberCheck {
    fn from(e: anyhow::Error) -> Self {
        Self::Unexpected(e)
    }
}

macro_rules! from_member_check {
    ($($error:ident),*) => {$(
        impl From<MemberCheck> for $error {
            fn from(check: MemberCheck) -> Self {
                match check {
                    MemberCheck::NotFound => Self::NotFound,
                    MemberCheck::NotMember => Self::NotMember,
                    MemberCheck::Unexpected(e) => Self::Unexpected(e),
                }
            }
        }
    )*};
}

from_member_check!(PostMessageError, PostImageError, HistoryError);

fn append_failed(e: AppendError) -> anyhow::Error {
    anyhow::Error::new(e).context("appending an event")
}

#[async_trait]
impl MessageService for Service {
    async fn post_message(
        &self,
        author: &User,
        room: &RoomKey,
        draft: MessageDraft,
    ) -> Result<Appended, PostMessageError> {
        let content = MessageContent::parse(&draft.content, self.policy.max_chars)?;
        let client_msg_id = draft.client_msg_id.as_deref().map(ClientMsgId::parse).transpose()?;
        self.require_member(&room.id, &author.id).await?;
        let now = self.deps.clock.now();
        let from = Sender { id: author.id.clone(), name: author.name.clone() };
        let event = NewEvent { at: now, kind: EventKind::Message { from, content, client_msg_id } };
        let appended = match self.deps.events.append(room, event, now - self.policy.dedupe_window).await {
            Ok(appended) => appended,
            Err(AppendError::RoomNotFound) => return Err(PostMessageError::NotFound),
            Err(e) => return Err(append_failed(e).into()),
        };
        // D1: published only after the commit; D3: a duplicate was published before.
        if !appended.duplicate {
            self.deps.bus.publish(room, RoomSignal::Event(appended.event.clone().into())).await?;
        }
        Ok(appended)
    }

    async fn post_image(
        &self,
        author: &User,
        room: Option<RoomSelector>,
        bytes: Vec<u8>,
    ) -> Result<RoomEvent, PostImageError> {
        let upload_key = format!("upload:user:{}", author.id);
        let now = self.deps.clock.now();
        if let Some(until) = self.deps.throttle.locked_until(&upload_key, now).await? {
            return Err(PostImageError::TooMany { retry_after: (until - now).unsigned_abs() });
        }
        if bytes.len() > self.max_image_bytes {
            return Err(PostImageError::TooLarge);
        }
        let image_type = ImageType::sniff(&bytes).ok_or(PostImageError::UnsupportedType)?;
        let room = self.image_room(&author.id, room).await?;
        self.require_member(&room.id, &author.id).await?;
        let raw_id = self.deps.ids.random_id();
        let image =
            ImageId::parse(&raw_id).ok_or_else(|| anyhow::anyhow!("id generator produced a malformed image id"))?;
        self.deps.images.save(&image, &bytes).await?;
        let from = Sender { id: author.id.clone(), name: author.name.clone() };
        let event = NewEvent { at: now, kind: EventKind::Image { from, image: image.clone(), image_type } };
        let appended = match self.deps.events.append(&room, event, now).await {
            Ok(appended) => appended,
            Err(e) => {
                // Nothing half-written: the bytes go when their event could not be stored.
                self.deps.images.delete(std::slice::from_ref(&image)).await?;
                return Err(match e {
                    AppendError::RoomNotFound => PostImageError::NotFound,
                    e => append_failed(e).into(),
                });
            }
        };
        self.deps.bus.publish(&room, RoomSignal::Event(appended.event.clone().into())).await?;
        // S10: only accepted uploads count; the one that reaches the limit closes
        // the author's uploads for a window.
        let p = &self.policy;
        if self.deps.throttle.hit(&upload_key, now, now - p.upload_window).await? >= p.uploads_per_user {
            self.deps.throttle.lock(&upload_key, now + p.upload_window).await?;
        }
        Ok(appended.event)
    }

    async fn history(
        &self,
        caller: &UserId,
        room: &RoomSelector,
        query: HistoryQuery,
    ) -> Result<HistoryPage, HistoryError> {
        let (before, after) = (query.before, query.after);
        let limit = self.page_size(query.limit)?;
        let room = room.find(self.deps.rooms.as_ref()).await?;
        self.require_member(&room.id, caller).await?;
        let fetch = limit + 1;
        let (events, has_more) = match after {
            Some(after) => {
                let mut events = self.deps.events.list_after(&room.key(), after, fetch).await?;
                if let Some(before) = before {
                    events.retain(|e| e.seq < before);
                }
                let has_more = events.len() > limit as usize;
                events.truncate(limit as usize);
                (events, has_more)
            }
            None => {
                let mut events = self.deps.events.list_before(&room.key(), before, fetch).await?;
                let has_more = events.len() > limit as usize;
                if has_more {
                    events.remove(0);
                }
                (events, has_more)
            }
        };
        Ok(HistoryPage { events, has_more })
    }

    async fn image(&self, id: &ImageId) -> anyhow::Result<Option<Image>> {
        let Some(StoredImage { len, mut chunks }) = self.deps.images.open(id).await? else { return Ok(None) };
        // S6: the type the bytes were accepted with, read from their first bytes
        // again; the rest is streamed as it is read (S10).
        let mut head = Vec::new();
        while head.len() < ImageType::SNIFF_LEN {
            let Some(chunk) = chunks.next_chunk().await? else { break };
            head.extend_from_slice(&chunk);
        }
        let image_type =
            ImageType::sniff(&head).ok_or_else(|| anyhow::anyhow!("stored image {} has no known type", id.as_str()))?;
        Ok(Some(Image { image_type, len, head, rest: chunks }))
    }
}

#[cfg(test)]
mod tests;
