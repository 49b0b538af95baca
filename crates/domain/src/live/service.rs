//! The live-connection service: W1, W2, W5, and the reads that fill a gap (D2).

use std::sync::Arc;

use async_trait::async_trait;

use super::ports::*;
use crate::delivery::{DeliveryMark, EventBus, EventFeed, Presence, RoomSignal};
use crate::ids::{RoomKey, Seq, UserId};
use crate::room::{Entered, MembershipRepository, RoomRepository};
use crate::timeline::{MessageStore, RoomEvent};

/// The ports the live-connection service needs.
pub struct Deps {
    pub rooms: Arc<dyn RoomRepository>,
    pub events: Arc<dyn MessageStore>,
    pub memberships: Arc<dyn MembershipRepository>,
    pub presence: Arc<dyn Presence>,
    pub bus: Arc<dyn EventBus>,
    pub feed: Arc<dyn EventFeed>,
}

/// How much a connection replays (W2), from configuration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LivePolicy {
    /// `messages.history_on_join`: events a newcomer gets (50).
    pub history_on_join: u32,
    /// `messages.replay_limit`: the most a returning member gets (1000); older
    /// ones through GET /room/messages.
    pub replay_limit: u32,
}

impl Default for LivePolicy {
    fn default() -> Self {
        Self { history_on_join: 50, replay_limit: 1000 }
    }
}

/// What a counted connection starts from: who is online, the last seq, and
/// the seq the replay starts after.
type Opened = (Vec<UserId>, Seq, Seq);

/// Implements [`LiveService`] with the rules of the specification.
pub struct Service {
    deps: Deps,
    policy: LivePolicy,
}

impl Service {
    /// A service over these ports with this policy.
    pub fn new(deps: Deps, policy: LivePolicy) -> Self {
        Self { deps, policy }
    }

    /// The rest of `connect` once the connection is counted (`first`: the
    /// user's first one in the room, announced online, W5).
    async fn open(&self, entered: &Entered, user: &UserId, first: bool, since: Option<Seq>) -> anyhow::Result<Opened> {
        let room = &entered.room.key();
        if first {
            self.deps.bus.publish(room, RoomSignal::Presence { user: user.clone(), online: true }).await?;
        }
        let online = self.deps.presence.online(room).await?;
        let last_seq = self.deps.events.last_seq(room).await?;
        // Seqs have no gap (R13): the last n events are those after last − n.
        let before_last = |n: u32| Seq::new(last_seq.get().saturating_sub(i64::from(n)).max(0));
        let after = if entered.newcomer && since.is_none() {
            before_last(self.policy.history_on_join)
        } else {
            let after = since.unwrap_or(entered.membership.last_delivered_seq);
            after.max(before_last(self.policy.replay_limit)).min(last_seq)
        };
        Ok((online, last_seq, after))
    }

    /// S9: once subscribed, the user must still be a member of this life of
    /// the room; whatever removes it from now on arrives on the feed.
    async fn still_member(&self, entered: &Entered, user: &UserId) -> Result<(), ConnectError> {
        let room = &entered.room;
        match self.deps.rooms.find_by_id(&room.id).await? {
            Some(now) if now.incarnation == room.incarnation => {}
            _ => return Err(ConnectError::RoomGone),
        }
        match self.deps.memberships.find(&room.id, user).await? {
            Some(_) => Ok(()),
            None => Err(ConnectError::NotMember),
        }
    }
}

#[async_trait]
impl LiveService for Service {
    async fn connect(&self, user: &UserId, entered: &Entered, since: Option<Seq>) -> Result<Connection, ConnectError> {
        let room = &entered.room.key();
        // Subscribe before reading anything: an event committed meanwhile is then
        // both in the replay and in the feed, never in neither; and a removal
        // committed meanwhile is seen by the check or arrives on the feed (S9).
        let feed = self.deps.feed.subscribe(room).await?;
        self.still_member(entered, user).await?;
        let first = self.deps.presence.connected(room, user).await?;
        match self.open(entered, user, first, since).await {
            Ok((online, last_seq, replay_after)) => Ok(Connection { online, last_seq, replay_after, feed }),
            Err(e) => {
                // The connection was counted but will never run: count it out, or
                // the user would stay online in the room for good (W5).
                if let Err(undo) = self.disconnect(room, user).await {
                    return Err(e.context(format!("and counting the connection out failed: {undo:#}")).into());
                }
                Err(e.into())
            }
        }
    }

    async fn disconnect(&self, room: &RoomKey, user: &UserId) -> anyhow::Result<()> {
        if self.deps.presence.disconnected(room, user).await? {
            self.deps.bus.publish(room, RoomSignal::Presence { user: user.clone(), online: false }).await?;
        }
        Ok(())
    }

    async fn delivered(&self, marks: &[DeliveryMark]) -> anyhow::Result<()> {
        if marks.is_empty() {
            return Ok(());
        }
        self.deps.memberships.save_delivered(marks).await
    }

    async fn events_after(&self, room: &RoomKey, after: Seq, limit: u32) -> anyhow::Result<Vec<RoomEvent>> {
        self.deps.events.list_after(room, after, limit).await
    }
}

#[cfg(test)]
mod tests;
