//! [`InProcessEventBus`]: fan-out of room signals to the connections of this process.
//!
//! Each room with at least one subscriber has a `tokio::sync::broadcast` channel,
//! created by its first subscription ([`EventFeed::subscribe`]) and removed when
//! the last one drops. Ended sessions (R11) go out once on a global channel
//! that every subscription also listens to, so `end_sessions` costs one send however
//! many rooms are open, and a connection still reads a single stream of
//! [`RoomSignal`]s. A Redis adapter keeps this shape: one pub/sub channel per room
//! plus one for session ends, each relayed into local channels like these.
//!
//! Locks are `std::sync::Mutex`es held only for map lookups and non-blocking sends,
//! never across an `.await`.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use async_trait::async_trait;
use chatroom_domain::delivery::{EventBus, EventFeed, FeedError, RoomSignal, Subscription};
use chatroom_domain::ids::{RoomKey, SessionId};
use tokio::sync::broadcast::{self, error::RecvError, error::TryRecvError};

/// Signals buffered per room before a slow subscriber lags (W12).
const ROOM_CAPACITY: usize = 1024;
const SESSION_ENDS_CAPACITY: usize = 1024;

type Rooms = HashMap<RoomKey, broadcast::Sender<RoomSignal>>;

#[derive(Debug)]
struct Shared {
    rooms: Mutex<Rooms>,
    session_ends: broadcast::Sender<Arc<[SessionId]>>,
    room_capacity: usize,
}

impl Shared {
    /// The map stays consistent even if a holder panicked: every critical section is
    /// a single insert, remove or send.
    fn rooms(&self) -> MutexGuard<'_, Rooms> {
        self.rooms.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// The event bus of a single-node server. Cloning it is cheap and yields a handle
/// to the same bus.
#[derive(Debug, Clone)]
pub struct InProcessEventBus {
    shared: Arc<Shared>,
}

impl Default for InProcessEventBus {
    fn default() -> Self {
        Self::new()
    }
}

impl InProcessEventBus {
    /// A bus buffering [`ROOM_CAPACITY`] signals per room for its slowest
    /// subscriber; beyond that the subscriber gets [`FeedError::Lagged`].
    pub fn new() -> Self {
        Self::with_capacity(ROOM_CAPACITY)
    }

    /// A bus buffering `room_capacity` signals per room (at least 1).
    fn with_capacity(room_capacity: usize) -> Self {
        let (session_ends, _) = broadcast::channel(SESSION_ENDS_CAPACITY);
        let shared = Shared { rooms: Mutex::new(HashMap::new()), session_ends, room_capacity: room_capacity.max(1) };
        Self { shared: Arc::new(shared) }
    }
}

#[async_trait]
impl EventBus for InProcessEventBus {
    async fn publish(&self, room: &RoomKey, signal: RoomSignal) -> anyhow::Result<()> {
        if let Some(sender) = self.shared.rooms().get(room) {
            // An error only means every subscriber left meanwhile: nobody to tell.
            let _ = sender.send(signal);
        }
        Ok(())
    }

    async fn end_sessions(&self, sessions: &[SessionId]) -> anyhow::Result<()> {
        if !sessions.is_empty() {
            // No receiver means no open connection on this node.
            let _ = self.shared.session_ends.send(sessions.into());
        }
        Ok(())
    }
}

#[async_trait]
impl EventFeed for InProcessEventBus {
    /// One subscription per live connection.
    async fn subscribe(&self, room: &RoomKey) -> anyhow::Result<Box<dyn Subscription>> {
        let signals = {
            let mut rooms = self.shared.rooms();
            let sender = rooms.entry(room.clone()).or_insert_with(|| broadcast::channel(self.shared.room_capacity).0);
            sender.subscribe()
        };
        Ok(Box::new(RoomSubscription {
            room: room.clone(),
            signals,
            session_ends: self.shared.session_ends.subscribe(),
            shared: Arc::clone(&self.shared),
        }))
    }
}

/// One connection's view of a room: the room's signals in publication order (D2),
/// merged with every session end as [`RoomSignal::SessionsEnded`], which the
/// connection compares with its own session (R11). Dropping it unsubscribes.
#[derive(Debug)]
struct RoomSubscription {
    room: RoomKey,
    signals: broadcast::Receiver<RoomSignal>,
    session_ends: broadcast::Receiver<Arc<[SessionId]>>,
    shared: Arc<Shared>,
}

#[async_trait]
impl Subscription for RoomSubscription {
    /// Session ends are checked first: a revoked session must not receive
    /// anything more than necessary. A lagging subscriber may have missed a
    /// session end or a kick: it MUST close (1013, W12) and replay (W2).
    async fn next(&mut self) -> Result<RoomSignal, FeedError> {
        tokio::select! {
            biased;
            ended = self.session_ends.recv() => ended.map(|ids| RoomSignal::SessionsEnded(ids.to_vec())),
            signal = self.signals.recv() => signal,
        }
        .map_err(|e| match e {
            RecvError::Lagged(missed) => FeedError::Lagged(missed),
            RecvError::Closed => FeedError::Closed,
        })
    }

    fn try_next(&mut self) -> Option<Result<RoomSignal, FeedError>> {
        let ended = self.session_ends.try_recv().map(|ids| RoomSignal::SessionsEnded(ids.to_vec()));
        let next = match ended {
            Err(TryRecvError::Empty) => self.signals.try_recv(),
            ended => ended,
        };
        match next {
            Ok(signal) => Some(Ok(signal)),
            Err(TryRecvError::Empty) => None,
            Err(TryRecvError::Lagged(missed)) => Some(Err(FeedError::Lagged(missed))),
            Err(TryRecvError::Closed) => Some(Err(FeedError::Closed)),
        }
    }
}

impl Drop for RoomSubscription {
    fn drop(&mut self) {
        let mut rooms = self.shared.rooms();
        // Our own receiver is still counted here: it drops after this body.
        if rooms.get(&self.room).is_some_and(|sender| sender.receiver_count() <= 1) {
            rooms.remove(&self.room);
        }
    }
}

#[cfg(test)]
mod tests;
