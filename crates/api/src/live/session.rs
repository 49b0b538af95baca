//! One WebSocket session: the opening (W1, W2), then the room's signals out and
//! the client's frames in, until a close code of W14. This is the loop that
//! joins the parts: [`SeqOrder`] for D2, [`PostHandler`] for the client's
//! frames, [`Outbound`] for the socket.
//!
//! The session task owns the socket and the feed: it queues the room's frames
//! without waiting and hands them to the socket whenever it waits on it, so
//! nothing the room does ever waits on a slow client (W12), and a delivery wakes
//! one task. On the delivery path no lock is held across an await: the only
//! locks are a push onto a connection's queue and a lookup in the encoded-frame
//! cache.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use chatroom_domain::delivery::{DeliveryMark, DisconnectReason, FeedError, RoomSignal, Subscription};
use chatroom_domain::ids::{RoomKey, Seq, SessionId};
use chatroom_domain::live::{Connection, LiveService};
use chatroom_domain::message::MessageService;
use chatroom_domain::user::User;
use time::OffsetDateTime;
use tokio::sync::{mpsc, watch};
use tokio::time::{sleep_until, Instant};
use tokio_tungstenite::tungstenite::{self, Message, Utf8Bytes};

use super::delivery::{Deliveries, FLUSH_EVERY};
use super::ending::{close, Ending};
use super::flood::{FloodLimit, Verdict};
use super::opening::{Opening, SessionStart};
use super::order::SeqOrder;
use super::outbound::Outbound;
use super::posts::{refused, PostHandler, Posts, BINARY_FRAME};
use super::socket::Socket;
use super::EncodedEvents;
use crate::catalogue::{Entry, Failure};
use crate::language::Lang;
use crate::wire::ServerFrame;

/// The most events read from the store to fill one gap (D2).
const GAP_FETCH: u32 = 200;

/// How long a closing session waits for the answers to the posts its client
/// already sent.
const POSTS_PATIENCE: Duration = Duration::from_secs(2);

/// The most signals taken from the feed before what they queued is handed to
/// the socket.
const GATHER: usize = 32;

/// Runs the session on `socket` until it closes, then counts the connection
/// out (W5) and saves how far the member has read (W2: in batches while open,
/// at once on close).
///
/// Not an `async fn`: an idle connection's cost is mostly the size of this
/// future, and an `async fn` would keep its arguments (the socket, the start)
/// in it for the connection's whole life. The setup runs here instead; the
/// future holds only the open session, and the opening and the close, which
/// run once, live in boxes of their own while they run.
pub(crate) fn run(socket: Socket, start: Box<SessionStart>) -> impl Future<Output = ()> + Send + 'static {
    let (mut live, opening) = Live::open(socket, *start);
    async move {
        let sent = Box::pin(opening.send(&mut live.outbound, live.live.as_ref(), &live.room)).await;
        let ending = match sent {
            Ok(()) => live.serve().await,
            Err(ending) => ending,
        };
        Box::pin(live.finish(ending)).await;
    }
}

/// An open session: what its loop needs, and nothing it needed only to open.
struct Live {
    user: User,
    session: SessionId,
    room: RoomKey,
    lang: Lang,
    live: Arc<dyn LiveService>,
    deliveries: Deliveries,
    encoded: Arc<EncodedEvents>,
    messages: Arc<dyn MessageService>,
    ping_interval: Duration,
    idle_timeout: Duration,
    shutdown: watch::Receiver<bool>,
    feed: Box<dyn Subscription>,
    outbound: Outbound,
    /// The client's frames are handled on a task of their own, in order: a post
    /// waiting on the database must not keep this loop from reading the feed.
    /// It starts with the first frame: a connection that only listens costs no task.
    posts: Option<Posts>,
    /// The room's events on their way out, in seq order (D2).
    order: SeqOrder,
    /// The member's mark when the session opened, and the last one reported
    /// to [`Deliveries`]: the last seq written to the socket then (D4).
    opened_at_mark: Seq,
    reported: Seq,
    flood: FloodLimit,
    last_heard: Instant,
    timers: Timers,
}

/// The session's deadlines, all served by one timer (with the gap's of
/// [`SeqOrder`]): an idle connection keeps one timer entry and wakes only to ping.
struct Timers {
    next_ping: Instant,
    /// The token's expiry.
    expires: Instant,
    /// When the written seq is next reported (only while events are queued
    /// or written since the last report).
    report: Option<Instant>,
}

impl Live {
    /// Puts a queue in front of the socket and encodes the opening.
    fn open(socket: Socket, start: SessionStart) -> (Self, Opening) {
        let SessionStart {
            user,
            session,
            entered,
            connection,
            lang,
            live,
            deliveries,
            encoded,
            messages,
            settings,
            shutdown,
        } = start;
        let opening = Opening::encode(&entered, &user, &connection);
        let Connection { feed, .. } = connection;
        let outbound = Outbound::new(socket, settings.outbound_queue_frames, settings.outbound_queue_bytes);

        let opened_at_mark = entered.membership.last_delivered_seq;
        let now = Instant::now();
        let timers =
            Timers { next_ping: now + settings.ping_interval, expires: until(session.expires_at), report: None };
        let live = Self {
            user,
            session: session.id,
            room: entered.room.key(),
            lang,
            live: live.take(),
            deliveries,
            encoded,
            messages,
            ping_interval: settings.ping_interval,
            idle_timeout: settings.idle_timeout,
            shutdown,
            feed,
            outbound,
            posts: None,
            order: SeqOrder::new(opening.last_sent),
            opened_at_mark,
            reported: opened_at_mark,
            flood: FloodLimit::new(settings.flood_rate, settings.flood_burst, now),
            last_heard: now,
            timers,
        };
        (live, opening)
    }

    /// The next deadline of any timer.
    fn next_deadline(&self) -> Instant {
        let Timers { next_ping, expires, report } = self.timers;
        [report, self.order.gap_deadline()].into_iter().flatten().fold(next_ping.min(expires), Instant::min)
    }

    /// The loop: the room's signals out, the client's frames in, the timers,
    /// until something ends the session.
    async fn serve(&mut self) -> Ending {
        self.last_heard = Instant::now();
        self.timers.next_ping = self.last_heard + self.ping_interval;
        // The opening's replay is reported like any other delivery.
        self.timers.report = Some(self.last_heard + FLUSH_EVERY);
        let timer = sleep_until(self.next_deadline());
        tokio::pin!(timer);
        loop {
            let deadline = self.next_deadline();
            if timer.deadline() != deadline {
                timer.as_mut().reset(deadline);
            }
            // In this order: what was queued goes out (with the socket's
            // branch) before the next signal is taken.
            let step = tokio::select! {
                biased;
                () = stopping(&mut self.shutdown) => Err(Ending::new(close::GOING_AWAY, "server shutting down")),
                () = &mut timer => self.on_timer(timer.deadline().max(Instant::now())).await,
                frame = self.outbound.next_frame() => self.on_frame(frame),
                signal = self.feed.next() => self.on_signals(signal),
            };
            if let Err(ending) = step {
                return ending;
            }
        }
    }

    /// Whatever is due at `now`: the token's expiry, the delivery report, a
    /// gap's patience, the ping (W11).
    async fn on_timer(&mut self, now: Instant) -> Result<(), Ending> {
        if now >= self.timers.expires {
            return Err(Ending::new(close::SESSION_ENDED, "token expired"));
        }
        if self.timers.report.is_some_and(|due| due <= now) {
            self.report_written(now);
        }
        if self.order.gap_deadline().is_some_and(|due| due <= now) {
            // Boxed: a gap is rare, and its read would otherwise widen every session.
            Box::pin(self.fill_gap()).await?;
        }
        if self.timers.next_ping <= now {
            if now.saturating_duration_since(self.last_heard) >= self.idle_timeout {
                return Err(Ending::new(close::LEFT, "idle timeout"));
            }
            self.outbound.ping()?;
            self.timers.next_ping = now + self.ping_interval;
        }
        Ok(())
    }

    /// A seq never arrived live (its publication failed or is late): it is
    /// committed (D1), so it is read from the store.
    async fn fill_gap(&mut self) -> Result<(), Ending> {
        let after = self.order.released();
        let missing = match self.live.events_after(&self.room, after, GAP_FETCH).await {
            Ok(events) => events,
            Err(e) => {
                tracing::warn!(error = %format_args!("{e:#}"), room = %self.room, "could not read a gap from history");
                Vec::new()
            }
        };
        self.order.fill(missing, Instant::now());
        self.release()
    }

    /// Queues the events that follow the last one sent (D2); what the socket
    /// has written of them is reported within [`FLUSH_EVERY`].
    fn release(&mut self) -> Result<(), Ending> {
        while let Some(event) = self.order.pop() {
            self.outbound.push_event(self.encoded.text(&self.room, &event), event.seq)?;
        }
        if self.outbound.queued() > self.reported && self.timers.report.is_none() {
            self.timers.report = Some(Instant::now() + FLUSH_EVERY);
        }
        Ok(())
    }

    /// Reports the last seq written to the socket (D4: never one that is
    /// only queued), and looks again later while queued ones remain.
    fn report_written(&mut self, now: Instant) {
        let written = self.outbound.written();
        if written > self.reported {
            self.deliveries.report(&self.room, &self.user.id, written);
            self.reported = written;
        }
        let unwritten = self.outbound.queued() > written;
        self.timers.report = unwritten.then(|| now + FLUSH_EVERY);
    }

    /// One frame from the client, or the end of its stream.
    fn on_frame(&mut self, frame: Option<Result<Message, tungstenite::Error>>) -> Result<(), Ending> {
        let frame = match frame {
            Some(Ok(frame)) => frame,
            Some(Err(tungstenite::Error::Capacity(_))) => return Err(Ending::new(close::TOO_BIG, "frame too big")),
            Some(Err(_)) | None => return Err(Ending::new(close::LEFT, "")),
        };
        self.last_heard = Instant::now();
        if matches!(frame, Message::Text(_) | Message::Binary(_)) {
            match self.flood.check(self.last_heard) {
                Verdict::Accept => {}
                Verdict::TooFast => return self.reply(&refused(&Failure::new(Entry::E1201TooFast), self.lang)),
                Verdict::Abuse => return Err(Ending::new(close::POLICY, "sending too fast")),
            }
        }
        match frame {
            // A full queue means the client sends faster than it is served.
            Message::Text(text) => match self.post(text) {
                Ok(()) => Ok(()),
                Err(_) => self.reply(&refused(&Failure::new(Entry::E1201TooFast), self.lang)),
            },
            Message::Binary(_) => self.reply(&refused(&Failure::invalid_with(BINARY_FRAME), self.lang)),
            Message::Close(_) => Err(Ending::new(close::LEFT, "")),
            Message::Ping(_) | Message::Pong(_) | Message::Frame(_) => Ok(()),
        }
    }

    /// Hands a text frame to the connection's frame handler, started with the first.
    fn post(&mut self, text: Utf8Bytes) -> Result<(), mpsc::error::TrySendError<Utf8Bytes>> {
        let posts = self.posts.get_or_insert_with(|| {
            PostHandler {
                replies: self.outbound.pusher(),
                messages: Arc::clone(&self.messages),
                user: self.user.clone(),
                room: self.room.clone(),
                lang: self.lang,
            }
            .start()
        });
        posts.frames.try_send(text)
    }

    /// Queues a frame for the client, which is too slow if its queue is full.
    fn reply(&self, frame: &ServerFrame) -> Result<(), Ending> {
        Ok(self.outbound.push(frame)?)
    }

    /// A signal of the room, then those that arrived behind it (up to
    /// [`GATHER`]): a burst is queued whole, and goes out in few writes.
    fn on_signals(&mut self, first: Result<RoomSignal, FeedError>) -> Result<(), Ending> {
        self.on_signal(first)?;
        for _ in 1..GATHER {
            match self.feed.try_next() {
                Some(signal) => self.on_signal(signal)?,
                None => break,
            }
        }
        Ok(())
    }

    /// One signal of the room.
    fn on_signal(&mut self, signal: Result<RoomSignal, FeedError>) -> Result<(), Ending> {
        let signal = match signal {
            Ok(signal) => signal,
            Err(FeedError::Lagged(_)) => return Err(Ending::slow("missed events")),
            Err(FeedError::Closed) => return Err(Ending::new(close::GOING_AWAY, "server shutting down")),
        };
        match signal {
            RoomSignal::Event(event) => {
                self.order.accept(event, Instant::now());
                self.release()
            }
            // A user's own first connection already lists it in `online`, and
            // its own last one is gone: its presence is news to others only.
            RoomSignal::Presence { user: who, .. } if who == self.user.id => Ok(()),
            RoomSignal::Presence { user: who, online } => {
                self.reply(&ServerFrame::presence(&self.room.id, &who, online))
            }
            RoomSignal::Disconnect { user: who, reason } if who == self.user.id => match reason {
                DisconnectReason::Left => Err(Ending::new(close::LEFT, "left the room")),
                DisconnectReason::Kicked => Err(Ending::new(close::KICKED, "kicked")),
            },
            RoomSignal::Disconnect { .. } => Ok(()),
            RoomSignal::Dissolved => {
                let _ = self.outbound.push(&ServerFrame::dissolved(&self.room.id));
                Err(Ending::new(close::DISSOLVED, "room dissolved"))
            }
            RoomSignal::SessionsEnded(ended) if ended.contains(&self.session) => {
                Err(Ending::new(close::SESSION_ENDED, "session ended"))
            }
            RoomSignal::SessionsEnded(_) => Ok(()),
        }
    }

    /// Closes the connection with `ending`'s code and counts it out.
    async fn finish(self, ending: Ending) {
        let Self { user, room, live, outbound, posts, feed, opened_at_mark, .. } = self;
        drop(feed);
        // The posts the client already sent are answered before the close
        // frame (D5), unless the client is too slow to take the answers.
        if let Some(posts) = posts {
            if ending.drain {
                posts.finish(POSTS_PATIENCE).await;
            }
        }
        let written = outbound.close(ending.code, ending.reason, ending.drain).await;
        // On close the mark is written at once, not with the next batch, and
        // covers only what the socket took (D4): what was still queued is
        // replayed on the next connection.
        if written > opened_at_mark {
            let mark = DeliveryMark { room: room.clone(), user_id: user.id.clone(), seq: written };
            if let Err(e) = live.delivered(&[mark]).await {
                tracing::warn!(error = %format_args!("{e:#}"), room = %room, "could not save the delivered seq");
            }
        }
        if let Err(e) = live.disconnect(&room, &user.id).await {
            tracing::warn!(error = %format_args!("{e:#}"), room = %room, "could not count a connection out");
        }
        tracing::debug!(room = %room, user = user.id.as_str(), code = ending.code, "websocket closed");
    }
}

/// Resolves once the server stops (never, if its sender is gone without it).
async fn stopping(shutdown: &mut watch::Receiver<bool>) {
    if shutdown.wait_for(|stopping| *stopping).await.is_err() {
        std::future::pending::<()>().await;
    }
}

/// How long until `at`, as a tokio deadline (now when it is past).
fn until(at: OffsetDateTime) -> Instant {
    let left = at - OffsetDateTime::now_utc();
    Instant::now() + Duration::try_from(left).unwrap_or(Duration::ZERO)
}
