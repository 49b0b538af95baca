//! The ports of live delivery, which a cluster implements on Redis (SPEC §12): the
//! event bus that carries a room's signals to every node, the subscriptions that
//! read them, and who is online where. All of them key a room by its
//! [`RoomKey`], id and incarnation (S7).

use async_trait::async_trait;

use super::model::*;
use crate::ids::{RoomKey, SessionId, UserId};

/// Live delivery to the connections of a room, on every node (R10, R11, W13).
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait EventBus: Send + Sync {
    /// MUST hand the signal to every subscriber of the room on every node; signals
    /// published from one task MUST arrive in the order they were published.
    async fn publish(&self, room: &RoomKey, signal: RoomSignal) -> anyhow::Result<()>;
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
    async fn connected(&self, room: &RoomKey, user: &UserId) -> anyhow::Result<bool>;
    /// MUST count one connection fewer and return `true` when it was the user's last
    /// one there (the user went offline).
    async fn disconnected(&self, room: &RoomKey, user: &UserId) -> anyhow::Result<bool>;
    /// MUST return the members of the room with at least one open connection.
    async fn online(&self, room: &RoomKey) -> anyhow::Result<Vec<UserId>>;
}

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
    async fn subscribe(&self, room: &RoomKey) -> anyhow::Result<Box<dyn Subscription>>;
}
