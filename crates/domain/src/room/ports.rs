//! The room service (inbound) and the storage ports it needs (outbound). Storage
//! ports are shaped around business operations: each method is one transaction owned
//! by the adapter, so rules that must hold under concurrency (R2, R4, R7, R8, R13)
//! hold on every database.

use async_trait::async_trait;
use time::OffsetDateTime;

use super::error::*;
use super::model::*;
use crate::delivery::DeliveryMark;
use crate::ids::{ImageId, RoomId, UserId};
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

/// Why a room write was refused.
#[derive(Debug, thiserror::Error)]
pub enum RoomWriteError {
    /// R2: the id or the normalized name is taken.
    #[error("room id or name taken")]
    Taken,
    /// The room does not exist (any more).
    #[error("room not found")]
    RoomNotFound,
    /// R4: the member count reached the capacity.
    #[error("room full")]
    Full,
    /// R7: the new capacity is below the member count.
    #[error("capacity below member count")]
    CapacityBelowMembers,
    /// The user is already a member.
    #[error("already a member")]
    AlreadyMember,
    /// The user is not a member.
    #[error("not a member")]
    NotMember,
    #[error(transparent)]
    Unexpected(#[from] anyhow::Error),
}

/// Storage of rooms.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait RoomRepository: Send + Sync {
    /// MUST, in one transaction, store the room, its owner as first member (R3) and
    /// the owner's `joined` event (seq 1), and return that event. MUST return `Taken`
    /// when the id or the normalized name exists (R2), also when two creates race.
    async fn insert(&self, room: &Room) -> Result<RoomEvent, RoomWriteError>;
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
    /// returning the new room and the event. `Taken` when the new name's key belongs
    /// to another room; `CapacityBelowMembers` when the new capacity is below the
    /// member count at commit time (R7); `RoomNotFound` when gone.
    async fn update(
        &self,
        id: &RoomId,
        changes: &RoomChanges,
        at: OffsetDateTime,
    ) -> Result<(Room, RoomEvent), RoomWriteError>;
    /// MUST, in one transaction, make `new_owner` the owner and append an
    /// `ownerChanged` event. `NotMember` when `new_owner` is not a member.
    async fn transfer_ownership(
        &self,
        id: &RoomId,
        new_owner: &UserId,
        at: OffsetDateTime,
    ) -> Result<RoomEvent, RoomWriteError>;
    /// MUST delete the room with its memberships, events and kick records and return
    /// the ids of its images; `None` when there was no such room.
    async fn delete(&self, id: &RoomId) -> anyhow::Result<Option<Vec<ImageId>>>;
}

/// Storage of memberships.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait MembershipRepository: Send + Sync {
    /// MUST, in one transaction, add `user` as a member if the member count is below
    /// the capacity at commit time (R4, `Full` otherwise, also when joins race) and
    /// append a `joined` event; return the membership and the event.
    /// `AlreadyMember` when the user is a member; `RoomNotFound` when gone.
    async fn add(
        &self,
        room: &RoomId,
        user: &UserId,
        at: OffsetDateTime,
    ) -> Result<(Membership, RoomEvent), RoomWriteError>;
    /// MUST, in one transaction: remove the membership and append a `left` or
    /// `kicked` event; record the kick time when kicked (R14); if the user owned the
    /// room, make the earliest-joined remaining member (ties by userId) the owner and
    /// append `ownerChanged`; if nobody remains, delete the room as `delete` does
    /// (R8). `NotMember` when the user is not a member; `RoomNotFound` when gone.
    async fn remove(
        &self,
        room: &RoomId,
        user: &UserId,
        departure: Departure,
        at: OffsetDateTime,
    ) -> Result<RemovalOutcome, RoomWriteError>;
    /// MUST return the membership, if any.
    async fn find(&self, room: &RoomId, user: &UserId) -> anyhow::Result<Option<Membership>>;
    /// MUST return the members in join order (ties by userId), with their names.
    async fn list(&self, room: &RoomId) -> anyhow::Result<Vec<Member>>;
    /// MUST return when `user` was last kicked from `room`, if ever (R14).
    async fn last_kicked_at(&self, room: &RoomId, user: &UserId) -> anyhow::Result<Option<OffsetDateTime>>;
    /// MUST save each mark as the member's last delivered seq, never lowering a
    /// saved one; marks of memberships that no longer exist are ignored.
    async fn save_delivered(&self, marks: &[DeliveryMark]) -> anyhow::Result<()>;
}
