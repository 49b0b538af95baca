//! A session's start: what it needs, gathered before the upgrade; the count of
//! the connection until the session owns it; and the opening (W1, W2): the
//! welcome, the replay and `caughtUp`, read, encoded and queued as the client
//! takes them (S11).

use std::sync::Arc;
use std::time::Duration;

use chatroom_domain::account::Session;
use chatroom_domain::ids::{RoomKey, Seq, UserId};
use chatroom_domain::live::{Connection, LiveService};
use chatroom_domain::message::MessageService;
use chatroom_domain::room::Entered;
use chatroom_domain::user::User;
use tokio::sync::watch;
use tokio_tungstenite::tungstenite::Utf8Bytes;

use super::ending::Ending;
use super::outbound::Outbound;
use super::{Deliveries, EncodedEvents, WsSettings};
use crate::language::Lang;
use crate::wire::ServerFrame;

/// How long the opening (welcome, replay, caughtUp) may wait for a client to
/// read each of its frames before the connection is closed as too slow (1013).
const OPENING_PATIENCE: Duration = Duration::from_secs(10);

/// The most events of a replay read from the store at once.
const REPLAY_PAGE: u32 = 64;

/// Everything a session needs, gathered before the upgrade.
pub(crate) struct SessionStart {
    pub user: User,
    pub session: Session,
    pub entered: Entered,
    pub connection: Connection,
    pub lang: Lang,
    pub live: Counted,
    pub deliveries: Deliveries,
    /// The recent events' frames, encoded once for every connection.
    pub encoded: Arc<EncodedEvents>,
    pub messages: Arc<dyn MessageService>,
    pub settings: WsSettings,
    pub shutdown: watch::Receiver<bool>,
}

/// A connection counted in by `LiveService::connect`. If the upgrade never
/// happens (the client went away between the answer and the switch), the
/// session never runs; dropping this then counts the connection out, so the
/// user does not stay online for ever.
pub(crate) struct Counted {
    live: Arc<dyn LiveService>,
    room: RoomKey,
    user: UserId,
    armed: bool,
}

impl Counted {
    /// `user`'s connection to `room`, just counted in through `live`.
    pub(crate) fn new(live: Arc<dyn LiveService>, room: RoomKey, user: UserId) -> Self {
        Self { live, room, user, armed: true }
    }

    /// The service, for the session that now owns the count.
    pub(crate) fn take(mut self) -> Arc<dyn LiveService> {
        self.armed = false;
        Arc::clone(&self.live)
    }
}

impl Drop for Counted {
    fn drop(&mut self) {
        if !self.armed {
            return;
        }
        let (live, room, user) = (Arc::clone(&self.live), self.room.clone(), self.user.clone());
        if let Ok(runtime) = tokio::runtime::Handle::try_current() {
            runtime.spawn(async move {
                if let Err(e) = live.disconnect(&room, &user).await {
                    tracing::warn!(error = %format_args!("{e:#}"), "could not count an unopened connection out");
                }
            });
        }
    }
}

/// The opening: the welcome, encoded (it then holds nothing of the room's
/// lists), and where the replay starts and ends. The replay is read in pages
/// and encoded as it is queued, so a connection never holds more of it than
/// its queue (S11).
pub(crate) struct Opening {
    welcome: Utf8Bytes,
    /// The replay is the events after this seq…
    after: Seq,
    /// …up to this one, the room's last seq when the connection opened: live
    /// events up to it are skipped (D2).
    pub(crate) last_sent: Seq,
}

impl Opening {
    /// The opening of `user`'s session in the room it `entered`.
    pub(crate) fn encode(entered: &Entered, user: &User, connection: &Connection) -> Self {
        let Connection { online, last_seq, replay_after, .. } = connection;
        let welcome = encode(&ServerFrame::welcome(&entered.room, user, online, *last_seq));
        Self { welcome, after: *replay_after, last_sent: *last_seq }
    }

    /// Queues the welcome, the replay and `caughtUp` (W1, W2) as the client
    /// takes them: each frame waits up to [`OPENING_PATIENCE`] for room in the
    /// queue, so a replay longer than the queue reaches a client that reads at
    /// a normal pace, and one that does not read is closed (1013, S11).
    pub(crate) async fn send(
        self,
        outbound: &mut Outbound,
        live: &dyn LiveService,
        room: &RoomKey,
    ) -> Result<(), Ending> {
        outbound.push_paced(self.welcome, None, OPENING_PATIENCE).await?;
        let mut after = self.after;
        while after < self.last_sent {
            let page = live.events_after(room, after, REPLAY_PAGE).await.map_err(|e| {
                tracing::warn!(error = %format_args!("{e:#}"), room = %room, "could not read a replay");
                Ending::slow("could not read the replay")
            })?;
            let mut events = page.into_iter().filter(|event| event.seq <= self.last_sent).peekable();
            if events.peek().is_none() {
                // Nothing more is stored (the room went meanwhile): caught up.
                break;
            }
            for event in events {
                after = event.seq;
                outbound.push_paced(encode(&ServerFrame::event(&event)), Some(event.seq), OPENING_PATIENCE).await?;
            }
        }
        let caught_up = encode(&ServerFrame::CaughtUp { last_seq: self.last_sent });
        Ok(outbound.push_paced(caught_up, None, OPENING_PATIENCE).await?)
    }
}

/// A frame's text, as queued.
fn encode(frame: &ServerFrame) -> Utf8Bytes {
    frame.encode().into()
}

#[cfg(test)]
mod tests {
    use chatroom_domain::ids::{Incarnation, RoomId};
    use chatroom_domain::live::ports::MockLiveService;

    use super::*;

    fn counted(disconnects: usize) -> Counted {
        let mut live = MockLiveService::new();
        live.expect_disconnect().times(disconnects).returning(|_, _| Ok(()));
        Counted::new(
            Arc::new(live),
            RoomKey::new(RoomId::parse("r1").unwrap(), Incarnation::new(1)),
            UserId::parse("alice").unwrap(),
        )
    }

    #[tokio::test]
    async fn w5_a_connection_whose_upgrade_never_happened_is_counted_out() {
        drop(counted(1));
        // The count-out runs on its own task.
        tokio::task::yield_now().await;
        tokio::task::yield_now().await;
    }

    #[tokio::test]
    async fn w5_a_session_that_took_the_count_counts_itself_out() {
        let live = counted(0).take();
        tokio::task::yield_now().await;
        drop(live);
    }
}
