//! The room service: R2–R10, R12, R14.

use std::collections::HashSet;
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use time::OffsetDateTime;

use super::error::*;
use super::model::*;
use super::ports::*;
use crate::delivery::{DisconnectReason, EventBus, Presence, RoomSignal};
use crate::ids::{Incarnation, RoomId, RoomKey, Seq, UserId};
use crate::system::{Clock, IdGenerator};
use crate::timeline::ImageStore;
use crate::validation::{InvalidInput, Rule};

/// The ports the room service needs.
pub struct Deps {
    pub rooms: Arc<dyn RoomRepository>,
    pub memberships: Arc<dyn MembershipRepository>,
    pub bus: Arc<dyn EventBus>,
    pub presence: Arc<dyn Presence>,
    pub images: Arc<dyn ImageStore>,
    pub clock: Arc<dyn Clock>,
    pub ids: Arc<dyn IdGenerator>,
}

/// Implements [`RoomService`] with the rules of the specification.
pub struct Service {
    deps: Deps,
    policy: RoomPolicy,
}

impl Service {
    /// A service over these ports with this policy.
    pub fn new(deps: Deps, policy: RoomPolicy) -> Self {
        Self { deps, policy }
    }
}

impl Service {
    /// Publishes committed events and signals in order. A failure to publish is
    /// logged by the caller's error path only if the bus is down: the change itself
    /// is committed and members recover it by replay (D4).
    async fn publish(&self, room: &RoomKey, signals: impl IntoIterator<Item = RoomSignal>) -> anyhow::Result<()> {
        for signal in signals {
            self.deps.bus.publish(room, signal).await?;
        }
        Ok(())
    }

    /// R14: the time left before `user` may newly join `room` again, if any.
    async fn kick_cooldown_left(
        &self,
        room: &RoomId,
        user: &UserId,
        now: OffsetDateTime,
    ) -> anyhow::Result<Option<Duration>> {
        if self.policy.kick_cooldown.is_zero() {
            return Ok(None);
        }
        let Some(kicked_at) = self.deps.memberships.last_kicked_at(room, user).await? else {
            return Ok(None);
        };
        let until = kicked_at + self.policy.kick_cooldown;
        Ok((now < until).then(|| (until - now).unsigned_abs()))
    }

    /// Removes a member and tells the room (R8, R10).
    async fn remove_member(
        &self,
        room: &RoomKey,
        user: &UserId,
        departure: Departure,
    ) -> Result<(), RemoveMemberError> {
        let outcome = self.deps.memberships.remove(room, user, departure, self.deps.clock.now()).await?;
        let reason = match departure {
            Departure::Left => DisconnectReason::Left,
            Departure::Kicked => DisconnectReason::Kicked,
        };
        let events = outcome.events.into_iter().map(|event| RoomSignal::Event(event.into()));
        let disconnect = RoomSignal::Disconnect { user: user.clone(), reason };
        self.publish(room, events.chain(std::iter::once(disconnect))).await?;
        if let Some(images) = outcome.dissolved {
            self.deps.images.delete(&images).await?;
        }
        Ok(())
    }

    /// The owner acting on another member: R5, R6.
    async fn owner_targets(
        &self,
        caller: &UserId,
        room: &RoomSelector,
        target: &UserId,
    ) -> Result<Room, MemberActionError> {
        let room = room.find(self.deps.rooms.as_ref()).await?;
        if !room.is_owned_by(caller) {
            return Err(MemberActionError::NotOwner);
        }
        if target == caller {
            return Err(MemberActionError::SelfTarget);
        }
        Ok(room)
    }

    /// The page size asked for, or the default; E1001 outside `1..=max`.
    fn page_size(&self, asked: Option<u32>) -> Result<u32, InvalidInput> {
        let max = self.policy.search_max_limit;
        match asked {
            None => Ok(self.policy.search_default_limit.min(max)),
            Some(n) if (1..=max).contains(&n) => Ok(n),
            Some(_) => Err(InvalidInput::new("limit", Rule::IntegerRange { min: 1, max: i64::from(max) })),
        }
    }
}

/// Rooms to skip; E1001 beyond [`RoomQuery::MAX_OFFSET`].
fn offset(asked: Option<u64>) -> Result<u64, InvalidInput> {
    let offset = asked.unwrap_or(0);
    if offset > RoomQuery::MAX_OFFSET {
        let max = i64::try_from(RoomQuery::MAX_OFFSET).unwrap_or(i64::MAX);
        return Err(InvalidInput::new("offset", Rule::IntegerRange { min: 0, max }));
    }
    Ok(offset)
}

#[async_trait]
impl RoomService for Service {
    async fn create_room(&self, caller: &UserId, new_room: NewRoom) -> Result<Entered, CreateRoomError> {
        let room = Room {
            id: RoomId::parse(&new_room.room_id)?,
            // Bit for bit: any 64 bits tell two lives of a roomId apart (S7).
            incarnation: Incarnation::new(self.deps.ids.random_u64() as i64),
            name: RoomName::parse(&new_room.room_name)?,
            capacity: Capacity::parse(&new_room.capacity, self.policy.max_capacity)?,
            access: Access::parse(&new_room.access)?,
            owner: caller.clone(),
            created_at: self.deps.clock.now(),
        };
        let joined = match self.deps.rooms.insert(&room).await {
            Ok(joined) => joined,
            Err(InsertRoomError::Taken) => return Err(CreateRoomError::Taken),
            Err(InsertRoomError::Unexpected(e)) => return Err(e.context("creating a room").into()),
        };
        let membership = Membership {
            room_id: room.id.clone(),
            user_id: caller.clone(),
            joined_at: room.created_at,
            last_delivered_seq: Seq::ZERO,
        };
        self.publish(&room.key(), [RoomSignal::Event(joined.into())]).await?;
        Ok(Entered { room, membership, newcomer: true })
    }

    async fn enter_room(&self, caller: &UserId, room: &RoomSelector) -> Result<Entered, EnterRoomError> {
        let room = room.find(self.deps.rooms.as_ref()).await?;
        if let Some(membership) = self.deps.memberships.find(&room.id, caller).await? {
            return Ok(Entered { room, membership, newcomer: false });
        }
        if !room.access.is_public() {
            return Err(EnterRoomError::Private);
        }
        let now = self.deps.clock.now();
        if let Some(retry_after) = self.kick_cooldown_left(&room.id, caller, now).await? {
            return Err(EnterRoomError::KickedRecently { retry_after });
        }
        match self.deps.memberships.add(&room.key(), caller, now).await {
            Ok((membership, joined)) => {
                self.publish(&room.key(), [RoomSignal::Event(joined.into())]).await?;
                Ok(Entered { room, membership, newcomer: true })
            }
            Err(AddMemberError::Full) => Err(EnterRoomError::Full),
            Err(AddMemberError::RoomNotFound) => Err(EnterRoomError::NotFound),
            // Two connections of one user raced to join: the other one won.
            Err(AddMemberError::AlreadyMember) => {
                let membership = self.deps.memberships.find(&room.id, caller).await?.ok_or(EnterRoomError::NotFound)?;
                Ok(Entered { room, membership, newcomer: false })
            }
            Err(AddMemberError::Unexpected(e)) => Err(e.context("joining a room").into()),
        }
    }

    async fn reenter_room(&self, caller: &UserId, room: &RoomSelector) -> Result<Entered, ReenterRoomError> {
        let room = room.find(self.deps.rooms.as_ref()).await?;
        let membership = self.deps.memberships.find(&room.id, caller).await?.ok_or(ReenterRoomError::NotMember)?;
        Ok(Entered { room, membership, newcomer: false })
    }

    async fn leave_room(&self, caller: &UserId, room: &RoomSelector) -> Result<(), LeaveRoomError> {
        let room = room.find(self.deps.rooms.as_ref()).await?;
        match self.remove_member(&room.key(), caller, Departure::Left).await {
            Ok(()) => Ok(()),
            Err(RemoveMemberError::NotMember) => Err(LeaveRoomError::NotMember),
            Err(RemoveMemberError::RoomNotFound) => Err(LeaveRoomError::NotFound),
            Err(RemoveMemberError::Unexpected(e)) => Err(e.context("leaving a room").into()),
        }
    }

    async fn kick_member(
        &self,
        caller: &UserId,
        room: &RoomSelector,
        target: &UserId,
    ) -> Result<(), MemberActionError> {
        let room = self.owner_targets(caller, room, target).await?;
        match self.remove_member(&room.key(), target, Departure::Kicked).await {
            Ok(()) => Ok(()),
            Err(RemoveMemberError::NotMember) => Err(MemberActionError::TargetNotMember),
            Err(RemoveMemberError::RoomNotFound) => Err(MemberActionError::NotFound),
            Err(RemoveMemberError::Unexpected(e)) => Err(e.context("kicking a member").into()),
        }
    }

    async fn transfer_ownership(
        &self,
        caller: &UserId,
        room: &RoomSelector,
        target: &UserId,
    ) -> Result<(), MemberActionError> {
        let room = self.owner_targets(caller, room, target).await?;
        let key = room.key();
        match self.deps.rooms.transfer_ownership(&key, target, self.deps.clock.now()).await {
            Ok(event) => Ok(self.publish(&key, [RoomSignal::Event(event.into())]).await?),
            Err(TransferOwnershipError::NotMember) => Err(MemberActionError::TargetNotMember),
            Err(TransferOwnershipError::RoomNotFound) => Err(MemberActionError::NotFound),
            Err(TransferOwnershipError::Unexpected(e)) => Err(e.context("transferring ownership").into()),
        }
    }

    async fn update_room(
        &self,
        caller: &UserId,
        room: &RoomSelector,
        update: RoomUpdate,
    ) -> Result<Room, UpdateRoomError> {
        if update.room_name.is_none() && update.capacity.is_none() && update.access.is_none() {
            return Err(InvalidInput::new("roomName", Rule::AtLeastOneField).into());
        }
        let changes = RoomChanges {
            name: update.room_name.as_deref().map(RoomName::parse).transpose()?,
            capacity: update.capacity.as_deref().map(|c| Capacity::parse(c, self.policy.max_capacity)).transpose()?,
            access: update.access.as_deref().map(Access::parse).transpose()?,
        };
        let room = room.find(self.deps.rooms.as_ref()).await?;
        if !room.is_owned_by(caller) {
            return Err(UpdateRoomError::NotOwner);
        }
        let key = room.key();
        match self.deps.rooms.update(&key, &changes, self.deps.clock.now()).await {
            Ok((updated, event)) => {
                self.publish(&key, [RoomSignal::Event(event.into())]).await?;
                Ok(updated)
            }
            Err(ChangeRoomError::Taken) => Err(UpdateRoomError::NameTaken),
            Err(ChangeRoomError::CapacityBelowMembers) => Err(UpdateRoomError::CapacityBelowMembers),
            Err(ChangeRoomError::RoomNotFound) => Err(UpdateRoomError::NotFound),
            Err(ChangeRoomError::Unexpected(e)) => Err(e.context("updating a room").into()),
        }
    }

    async fn dissolve_room(&self, caller: &UserId, room: &RoomSelector) -> Result<(), DissolveRoomError> {
        let room = room.find(self.deps.rooms.as_ref()).await?;
        if !room.is_owned_by(caller) {
            return Err(DissolveRoomError::NotOwner);
        }
        let key = room.key();
        let images = self.deps.rooms.delete(&key).await?.ok_or(DissolveRoomError::NotFound)?;
        self.publish(&key, [RoomSignal::Dissolved]).await?;
        self.deps.images.delete(&images).await?;
        Ok(())
    }

    async fn search_rooms(&self, query: RoomQuery) -> Result<Vec<Room>, SearchRoomsError> {
        let search = RoomSearch {
            name_contains: normalize(&query.name_contains),
            limit: self.page_size(query.limit)?,
            offset: offset(query.offset)?,
        };
        Ok(self.deps.rooms.search(&search).await?)
    }

    async fn list_members(&self, caller: &UserId, room: &RoomSelector) -> Result<Vec<MemberView>, ListMembersError> {
        let room = room.find(self.deps.rooms.as_ref()).await?;
        if self.deps.memberships.find(&room.id, caller).await?.is_none() {
            return Err(ListMembersError::NotMember);
        }
        let members = self.deps.memberships.list(&room.id).await?;
        let online: HashSet<UserId> = self.deps.presence.online(&room.key()).await?.into_iter().collect();
        Ok(members
            .into_iter()
            .map(|m| MemberView {
                online: online.contains(&m.user_id),
                user_id: m.user_id,
                user_name: m.user_name,
                is_owner: m.is_owner,
            })
            .collect())
    }

    async fn rooms_of(&self, user: &UserId) -> anyhow::Result<Vec<Room>> {
        self.deps.rooms.list_for_member(user).await
    }
}

#[cfg(test)]
mod tests;
