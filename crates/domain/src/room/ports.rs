//! The room service (inbound) and the storage ports it needs (outbound). Storage
//! ports are shaped around business operations: each method is one transaction owned
//! by the adapter, so rules that must hold under concurrency (R2, R4, R7, R8, R13)
//! hold on every database.

use async_trait::async_trait;
use time::OffsetDateTime;

use super::error::*;
use super::model::*;
use crate::delivery::DeliveryMark;
use crate::ids::{ImageId, RoomId, RoomKey, UserId};
use crate::timeline::RoomEvent;

/// Room operations, as the API calls them.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait RoomService: Send + Sync {
    /// Creates a room owned by the caller, who becomes its first member (R2, R3).
    async fn create_room(&self, caller: &UserId, new_room: NewRoom) -> Result<Entered, CreateRoomError>;
    /// Joins a room (R4, R14), or reconnects a member to it.
    async fn enter_room(&self, caller: &UserId, room: &RoomSelector) -> Result<Entered, EnterRoomError>;
    /// Reconnects a member to a room (R12).
    async fn reenter_room(&self, caller: &UserId, room: &RoomSelector) -> Result<Entered, ReenterRoomError>;
    /// Leaves a room; ownership passes on or the room is dissolved (R8, R10).
    async fn leave_room(&self, caller: &UserId, room: &RoomSelector) -> Result<(), LeaveRoomError>;
    /// Removes another member (R5, R6, R10, R14).
    async fn kick_member(&self, caller: &UserId, room: &RoomSelector, target: &UserId)
        -> Result<(), MemberActionError>;
    /// Hands ownership to another member (R5, R6).
    async fn transfer_ownership(
        &self,
        caller: &UserId,
        room: &RoomSelector,
        target: &UserId,
    ) -> Result<(), MemberActionError>;
    /// Changes name, capacity and/or access (R2, R5, R7).
    async fn update_room(
        &self,
        caller: &UserId,
        room: &RoomSelector,
        update: RoomUpdate,
    ) -> Result<Room, UpdateRoomError>;
    /// Deletes the room and ends every connection to it (R5, R10).
    async fn dissolve_room(&self, caller: &UserId, room: &RoomSelector) -> Result<(), DissolveRoomError>;
    /// Finds rooms by normalized name substring, newest first.
    async fn search_rooms(&self, query: RoomQuery) -> Result<Vec<Room>, SearchRoomsError>;
    /// Lists the members in join order with presence (R9).
    async fn list_members(&self, caller: &UserId, room: &RoomSelector) -> Result<Vec<MemberView>, ListMembersError>;
    /// The rooms the user is a member of (R12).
    async fn rooms_of(&self, user: &UserId) -> anyhow::Result<Vec<Room>>;
}

/// Why [`RoomRepository::insert`] stored nothing.
#[derive(Debug, thiserror::Error)]
pub enum InsertRoomError {
    /// R2: the id or the normalized name is taken.
    #[error("room id or name taken")]
    Taken,
    #[error(transparent)]
    Unexpected(#[from] anyhow::Error),
}

/// Why [`RoomRepository::update`] changed nothing.
#[derive(Debug, thiserror::Error)]
pub enum ChangeRoomError {
    /// R2: the new name's normalized key belongs to another room.
    #[error("room name taken")]
    Taken,
    /// R7: the new capacity is below the member count.
    #[error("capacity below member count")]
    CapacityBelowMembers,
    /// The room does not exist (any more).
    #[error("room not found")]
    RoomNotFound,
    #[error(transparent)]
    Unexpected(#[from] anyhow::Error),
}

/// Why [`RoomRepository::transfer_ownership`] changed nothing.
#[derive(Debug, thiserror::Error)]
pub enum TransferOwnershipError {
    /// The room does not exist (any more).
    #[error("room not found")]
    RoomNotFound,
    /// The new owner is not a member.
    #[error("not a member")]
    NotMember,
    #[error(transparent)]
    Unexpected(#[from] anyhow::Error),
}

/// Storage of rooms. A write given a [`RoomKey`] MUST act on that life of the
/// room only: a room dissolved and created again under the same id is another
/// room, and the write finds it gone (S7).
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait RoomRepository: Send + Sync {
    /// MUST, in one transaction, store the room, its owner as first member (R3) and
    /// the owner's `joined` event (seq 1), and return that event. MUST return
    /// [`InsertRoomError::Taken`] when the id or the normalized name exists (R2),
    /// also when two creates race.
    async fn insert(&self, room: &Room) -> Result<RoomEvent, InsertRoomError>;
    /// MUST return the room with this id, if any.
    async fn find_by_id(&self, id: &RoomId) -> anyhow::Result<Option<Room>>;
    /// MUST return the room whose normalized name equals `name`'s key, if any.
    async fn find_by_name(&self, name: &RoomName) -> anyhow::Result<Option<Room>>;
    /// MUST return the rooms whose normalized name contains `search.name_contains`
    /// literally (LIKE wildcards escaped), newest first, ties by id, paged.
    async fn search(&self, search: &RoomSearch) -> anyhow::Result<Vec<Room>>;
    /// MUST return the rooms `user` is a member of, in the order they were joined.
    async fn list_for_member(&self, user: &UserId) -> anyhow::Result<Vec<Room>>;
    /// MUST, in one transaction, apply the changes and append a `roomUpdated` event,
    /// returning the new room and the event. MUST return, changing nothing,
    /// [`ChangeRoomError::Taken`] when the new name's key belongs to another room
    /// (R2), [`ChangeRoomError::CapacityBelowMembers`] when the new capacity is below
    /// the member count at commit time (R7), [`ChangeRoomError::RoomNotFound`] when
    /// the room is gone.
    async fn update(
        &self,
        room: &RoomKey,
        changes: &RoomChanges,
        at: OffsetDateTime,
    ) -> Result<(Room, RoomEvent), ChangeRoomError>;
    /// MUST, in one transaction, make `new_owner` the owner and append an
    /// `ownerChanged` event. MUST return, changing nothing,
    /// [`TransferOwnershipError::NotMember`] when `new_owner` is not a member,
    /// [`TransferOwnershipError::RoomNotFound`] when the room is gone.
    async fn transfer_ownership(
        &self,
        room: &RoomKey,
        new_owner: &UserId,
        at: OffsetDateTime,
    ) -> Result<RoomEvent, TransferOwnershipError>;
    /// MUST delete the room with its memberships, events and kick records and return
    /// the ids of its images; `None` when there was no such room.
    async fn delete(&self, room: &RoomKey) -> anyhow::Result<Option<Vec<ImageId>>>;
}

/// Why [`MembershipRepository::add`] added nothing.
#[derive(Debug, thiserror::Error)]
pub enum AddMemberError {
    /// R4: the member count reached the capacity.
    #[error("room full")]
    Full,
    /// The user is already a member.
    #[error("already a member")]
    AlreadyMember,
    /// The room does not exist (any more).
    #[error("room not found")]
    RoomNotFound,
    #[error(transparent)]
    Unexpected(#[from] anyhow::Error),
}

/// Why [`MembershipRepository::remove`] removed nothing.
#[derive(Debug, thiserror::Error)]
pub enum RemoveMemberError {
    /// The user is not a member.
    #[error("not a member")]
    NotMember,
    /// The room does not exist (any more).
    #[error("room not found")]
    RoomNotFound,
    #[error(transparent)]
    Unexpected(#[from] anyhow::Error),
}

/// Storage of memberships.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait MembershipRepository: Send + Sync {
    /// MUST, in one transaction, add `user` as a member if the member count is below
    /// the capacity at commit time and append a `joined` event; return the
    /// membership and the event. MUST return, adding nothing,
    /// [`AddMemberError::Full`] when the room is full (R4, also when joins race),
    /// [`AddMemberError::AlreadyMember`] when the user is a member,
    /// [`AddMemberError::RoomNotFound`] when the room is gone.
    async fn add(
        &self,
        room: &RoomKey,
        user: &UserId,
        at: OffsetDateTime,
    ) -> Result<(Membership, RoomEvent), AddMemberError>;
    /// MUST, in one transaction: remove the membership and append a `left` or
    /// `kicked` event; record the kick time when kicked (R14); if the user owned the
    /// room, make the earliest-joined remaining member (ties by userId) the owner and
    /// append `ownerChanged`; if nobody remains, delete the room as `delete` does
    /// (R8). MUST return, removing nothing, [`RemoveMemberError::NotMember`] when
    /// the user is not a member, [`RemoveMemberError::RoomNotFound`] when the room
    /// is gone.
    async fn remove(
        &self,
        room: &RoomKey,
        user: &UserId,
        departure: Departure,
        at: OffsetDateTime,
    ) -> Result<RemovalOutcome, RemoveMemberError>;
    /// MUST return the membership, if any.
    async fn find(&self, room: &RoomId, user: &UserId) -> anyhow::Result<Option<Membership>>;
    /// MUST return the members in join order (ties by userId), with their names.
    async fn list(&self, room: &RoomId) -> anyhow::Result<Vec<Member>>;
    /// MUST return when `user` was last kicked from `room`, if ever (R14).
    async fn last_kicked_at(&self, room: &RoomId, user: &UserId) -> anyhow::Result<Option<OffsetDateTime>>;
    /// MUST save each mark as the member's last delivered seq, never lowering a
    /// saved one; marks of memberships that no longer exist, or of another life
    /// of the room (S7), are ignored.
    async fn save_delivered(&self, marks: &[DeliveryMark]) -> anyhow::Result<()>;
}
