//! The live-connection service (inbound).

use async_trait::async_trait;

use crate::delivery::{DeliveryMark, Subscription};
use crate::ids::{RoomKey, Seq, UserId};
use crate::room::Entered;
use crate::timeline::RoomEvent;

/// Why a connection could not open.
#[derive(Debug, thiserror::Error)]
pub enum ConnectError {
    /// The member left or was kicked before its connection was in place (S9).
    #[error("no longer a member")]
    NotMember,
    /// The room was dissolved before the connection was in place (S9, S7).
    #[error("the room is gone")]
    RoomGone,
    #[error(transparent)]
    Unexpected(#[from] anyhow::Error),
}

/// What a new live connection starts from.
pub struct Connection {
    /// The members with at least one open connection, this one included (W1).
    pub online: Vec<UserId>,
    /// The room's last seq when the connection opened (W1 `lastSeq`).
    pub last_seq: Seq,
    /// The replay (W2) is every event after this seq up to `last_seq`: the
    /// connection reads it in pages as it sends it (S11), through
    /// [`LiveService::events_after`], so no connection holds it whole.
    pub replay_after: Seq,
    /// The room's signals from before `last_seq` was read: a signal whose
    /// event seq is at most `last_seq` MUST be skipped by the connection.
    pub feed: Box<dyn Subscription>,
}

impl std::fmt::Debug for Connection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Connection")
            .field("online", &self.online)
            .field("last_seq", &self.last_seq)
            .field("replay_after", &self.replay_after)
            .finish_non_exhaustive()
    }
}

/// Opening and closing live connections, as the API's WebSocket sessions do.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait LiveService: Send + Sync {
    /// Opens a connection of `user` to the room it entered: subscribes to the
    /// room, then checks that the user is still a member of this life of the
    /// room (S9: a kick, leave or dissolution that raced the connect is either
    /// refused here or arrives on the feed), counts the connection (announcing
    /// the user online on its first, W5) and says where the replay starts (W2):
    /// a newcomer gets the last `history_on_join` events, a returning member
    /// everything after `since` (a seq given by the client) or after its last
    /// delivered seq, at most `replay_limit`.
    async fn connect(&self, user: &UserId, entered: &Entered, since: Option<Seq>) -> Result<Connection, ConnectError>;
    /// Closes a connection: announces the user offline on its last one (W5).
    async fn disconnect(&self, room: &RoomKey, user: &UserId) -> anyhow::Result<()>;
    /// Remembers the last seq delivered to each member (W2, D4).
    async fn delivered(&self, marks: &[DeliveryMark]) -> anyhow::Result<()>;
    /// The room's stored events with seq > `after`, ascending, at most `limit`:
    /// what a connection reads when a seq it waits for never arrived live (D2).
    /// MUST return them as stored (committed before published, D1), without
    /// checking membership: the connection is already open and counted.
    async fn events_after(&self, room: &RoomKey, after: Seq, limit: u32) -> anyhow::Result<Vec<RoomEvent>>;
}
