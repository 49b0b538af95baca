//! The live-connection service (inbound) and the feed port (outbound).

use async_trait::async_trait;

use crate::event::{RoomEvent, RoomSignal};
use crate::room::{DeliveryMark, Entered, RoomId};
use crate::user::UserId;
use crate::validation::InvalidInput;

/// Why a feed yields no more signals.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum FeedError {
    /// The connection fell behind and signals were dropped for it; it MUST close
    /// (1013, W12) so the client reconnects and replays what it missed (W2).
    #[error("the subscriber lagged behind by {0} signals")]
    Lagged(u64),
    /// The bus is gone.
    #[error("the event bus closed")]
    Closed,
}

/// One connection's stream of the signals of its room, in publication order
/// (D2), with every session end (R11). Dropping it unsubscribes.
#[async_trait]
pub trait Subscription: Send {
    /// The next signal. MUST be cancel-safe: it sits in a `select!` next to the
    /// socket.
    async fn next(&mut self) -> Result<RoomSignal, FeedError>;

    /// A signal that has already arrived, or `None`: a connection takes a burst
    /// whole before it writes. MUST NOT wait, and MUST yield what [`next`]
    /// would, in the same order, lag included. The default has nothing to
    /// offer, so every signal comes through `next`.
    ///
    /// [`next`]: Subscription::next
    fn try_next(&mut self) -> Option<Result<RoomSignal, FeedError>> {
        None
    }
}

/// The subscribing half of the event bus: a Redis-backed bus relays its channels
/// into subscriptions like the in-process one does.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait EventFeed: Send + Sync {
    /// MUST deliver every signal published to `room` after this call returns, and
    /// every session end, to the returned subscription.
    async fn subscribe(&self, room: &RoomId) -> anyhow::Result<Box<dyn Subscription>>;
}

/// What a new live connection starts from.
pub struct Connection {
    /// The members with at least one open connection, this one included (W1).
    pub online: Vec<UserId>,
    /// The room's last seq when the connection opened (W1 `lastSeq`).
    pub last_seq: i64,
    /// The persisted events to send before `caughtUp`, ascending (W2).
    pub replay: Vec<RoomEvent>,
    /// The room's signals from before the replay was read: a signal whose event
    /// seq is already in the replay MUST be skipped by the connection.
    pub feed: Box<dyn Subscription>,
}

impl std::fmt::Debug for Connection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Connection")
            .field("online", &self.online)
            .field("last_seq", &self.last_seq)
            .field("replay", &self.replay.len())
            .finish_non_exhaustive()
    }
}

/// Why a connection could not open.
#[derive(Debug, thiserror::Error)]
pub enum ConnectError {
    /// `since` is not a seq.
    #[error(transparent)]
    Invalid(#[from] InvalidInput),
    #[error(transparent)]
    Unexpected(#[from] anyhow::Error),
}

/// Opening and closing live connections, as the API's WebSocket sessions do.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait LiveService: Send + Sync {
    /// Opens a connection of `user` to the room it entered: subscribes to the
    /// room, counts the connection (announcing the user online on its first,
    /// W5) and reads the replay (W2): a newcomer gets the last `history_on_join`
    /// events, a returning member everything after `since` (a seq given by the
    /// client) or after its last delivered seq, at most `replay_limit`.
    async fn connect(
        &self,
        user: &UserId,
        entered: &Entered,
        since: Option<String>,
    ) -> Result<Connection, ConnectError>;
    /// Closes a connection: announces the user offline on its last one (W5).
    async fn disconnect(&self, room: &RoomId, user: &UserId) -> anyhow::Result<()>;
    /// Remembers the last seq delivered to each member (W2, D4).
    async fn delivered(&self, marks: &[DeliveryMark]) -> anyhow::Result<()>;
}
