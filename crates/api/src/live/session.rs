//! One WebSocket session: welcome and replay (W1, W2), then the room's signals
//! out and the client's frames in, until a close code of W14.
//!
//! The session task owns the socket and the feed: it queues the room's frames
//! without waiting ([`Outbound`]) and hands them to the socket whenever it
//! waits on it, so nothing the room does ever waits on a slow client (W12), and
//! a delivery wakes one task. On the delivery path no lock is held across an
//! await: the only locks are a push onto a connection's queue and a lookup in
//! the encoded-frame cache.

use std::collections::BTreeMap;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use chatroom_domain::account::Session;
use chatroom_domain::delivery::{DeliveryMark, DisconnectReason, FeedError, RoomSignal, Subscription};
use chatroom_domain::ids::{RoomId, Seq, SessionId, UserId};
use chatroom_domain::live::{Connection, LiveService};
use chatroom_domain::message::{HistoryQuery, MessageDraft, MessageService};
use chatroom_domain::room::{Entered, RoomSelector};
use chatroom_domain::timeline::RoomEvent;
use chatroom_domain::user::User;
use serde_json::Value;
use time::OffsetDateTime;
use tokio::sync::{mpsc, watch};
use tokio::time::{sleep_until, Instant};
use tokio_tungstenite::tungstenite::{self, Message, Utf8Bytes};

use super::delivery::{Deliveries, FLUSH_EVERY};
use super::flood::{FloodLimit, Verdict};
use super::frames::{self, EncodedEvents};
use super::outbound::{Full, Outbound, Pusher, SendError};
use super::socket::Socket;
use crate::catalogue::{Entry, Failure, Text};
use crate::language::Lang;

/// The close codes of W14.
pub mod close {
    /// The member left the room (also the last member, whose leaving dissolves it).
    pub const LEFT: u16 = 1000;
    /// The server is shutting down.
    pub const GOING_AWAY: u16 = 1001;
    /// A frame over the frame limit.
    pub const TOO_BIG: u16 = 1009;
    /// Sustained flooding (W10).
    pub const POLICY: u16 = 1008;
    /// A consumer too slow for its queue, or one that missed signals.
    pub const SLOW: u16 = 1013;
    /// The member was kicked.
    pub const KICKED: u16 = 4001;
    /// The room was dissolved.
    pub const DISSOLVED: u16 = 4002;
    /// The session ended: logout, password reset, expired token.
    pub const SESSION_ENDED: u16 = 4003;
}

/// How long a later seq waits for an earlier one before the gap is read from
/// the history (D2).
const GAP_PATIENCE: Duration = Duration::from_millis(500);

/// The most events read from the history to fill one gap.
const GAP_FETCH: u32 = 200;

/// The most signals taken from the feed before what they queued is handed to
/// the socket.
const GATHER: usize = 32;

/// Client frames waiting for their answer (W8); beyond this the client is
/// sending faster than it is served and gets E1201.
const PENDING_POSTS: usize = 64;

/// How long the opening (welcome, replay, caughtUp) may wait for a client to
/// read it before the connection is closed as too slow (1013).
const OPENING_PATIENCE: Duration = Duration::from_secs(10);

/// W8: binary frames carry nothing the protocol knows.
const BINARY_FRAME: Text = Text {
    zh: "不支持二进制帧，图片请用/room/sendImg发送",
    en: "Binary frames are not accepted; send images with /room/sendImg",
};

/// W8: a JSON frame whose `type` is neither `message` nor `ping`.
const UNKNOWN_TYPE: Text = Text { zh: "type只能是message或ping", en: "type must be message or ping" };

/// The numbers of SPEC §7 a session runs with (the server's `ws` section).
#[derive(Clone, Debug)]
pub struct WsSettings {
    /// W11: how often the server pings (25 s).
    pub ping_interval: Duration,
    /// W11: a connection silent this long is closed (75 s).
    pub idle_timeout: Duration,
    /// W14: the largest frame accepted (16 KiB); larger ones close with 1009.
    pub max_frame_bytes: usize,
    /// W12: the outbound queue, in frames and in bytes.
    pub outbound_queue_frames: usize,
    pub outbound_queue_bytes: usize,
    /// W10: frames per second a connection may send, and the burst above it.
    pub flood_rate: f64,
    pub flood_burst: u32,
}

impl Default for WsSettings {
    fn default() -> Self {
        Self {
            ping_interval: Duration::from_secs(25),
            idle_timeout: Duration::from_secs(75),
            max_frame_bytes: 16 * 1024,
            outbound_queue_frames: 256,
            outbound_queue_bytes: 1024 * 1024,
            flood_rate: 10.0,
            flood_burst: 20,
        }
    }
}

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
    room: RoomId,
    user: UserId,
    armed: bool,
}

impl Counted {
    /// `user`'s connection to `room`, just counted in through `live`.
    pub(crate) fn new(live: Arc<dyn LiveService>, room: RoomId, user: UserId) -> Self {
        Self { live, room, user, armed: true }
    }

    /// The service, for the session that now owns the count.
    fn take(mut self) -> Arc<dyn LiveService> {
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

/// Why the loop ended: the close frame to send, if any.
struct Ending {
    code: u16,
    reason: &'static str,
    /// Send the queued frames first (everything but a slow consumer's close).
    drain: bool,
}

/// A full queue: the client reads too slowly for what it is sent (W12).
impl From<Full> for Ending {
    fn from(Full: Full) -> Self {
        Self::slow("slow consumer")
    }
}

impl Ending {
    fn new(code: u16, reason: &'static str) -> Self {
        Self { code, reason, drain: true }
    }

    /// A consumer too slow for its queue, or one that missed signals: closed
    /// without what is still queued for it.
    fn slow(reason: &'static str) -> Self {
        Self { code: close::SLOW, reason, drain: false }
    }
}

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
        let ending = match Box::pin(send_opening(&mut live.outbound, opening)).await {
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
    room: RoomId,
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
    posts: Option<mpsc::Sender<Utf8Bytes>>,
    /// Events arrive in publication order, which two concurrent writers may make
    /// differ from seq order: later seqs wait here for the earlier ones (D2).
    held: BTreeMap<i64, Arc<RoomEvent>>,
    last_sent: i64,
    /// The member's mark when the session opened, the highest seq delivered,
    /// and the last one reported to [`Deliveries`].
    opened_at_mark: i64,
    delivered: i64,
    reported: i64,
    flood: FloodLimit,
    last_heard: Instant,
    timers: Timers,
}

/// The session's deadlines, all served by one timer: an idle connection keeps
/// one timer entry and wakes only to ping.
struct Timers {
    next_ping: Instant,
    /// The token's expiry.
    expires: Instant,
    /// When the delivered seq is next reported (only while one is unreported).
    report: Option<Instant>,
    /// When a gap in the seqs is read from the history (D2).
    gap: Option<Instant>,
}

impl Timers {
    fn next(&self) -> Instant {
        [self.report, self.gap].into_iter().flatten().fold(self.next_ping.min(self.expires), Instant::min)
    }
}

impl Live {
    /// Puts a queue in front of the socket and encodes the opening (welcome,
    /// replay, caughtUp), which then holds nothing of the room's lists.
    fn open(socket: Socket, start: SessionStart) -> (Self, Vec<Utf8Bytes>) {
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
        let Connection { online, last_seq, replay, feed } = connection;
        let outbound = Outbound::new(socket, settings.outbound_queue_frames, settings.outbound_queue_bytes);

        let opened_at_mark = entered.membership.last_delivered_seq.get();
        let last_seq = last_seq.get();
        let last_sent = replay.last().map_or(last_seq, |event| event.seq.get().max(last_seq));
        let delivered = replay.iter().map(|event| event.seq.get()).fold(opened_at_mark, i64::max);
        let mut opening = Vec::with_capacity(replay.len() + 2);
        opening.push(encode(&frames::welcome(&entered.room, &user, &online, last_seq)));
        opening.extend(replay.iter().map(|event| encode(&frames::event(event))));
        opening.push(encode(&frames::caught_up(last_sent)));

        let now = Instant::now();
        let timers = Timers {
            next_ping: now + settings.ping_interval,
            expires: until(session.expires_at),
            report: None,
            gap: None,
        };
        let live = Self {
            user,
            session: session.id,
            room: entered.room.id,
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
            held: BTreeMap::new(),
            last_sent,
            opened_at_mark,
            delivered,
            reported: delivered,
            flood: FloodLimit::new(settings.flood_rate, settings.flood_burst, now),
            last_heard: now,
            timers,
        };
        (live, opening)
    }

    /// The loop: the room's signals out, the client's frames in, the timers,
    /// until something ends the session.
    async fn serve(&mut self) -> Ending {
        self.last_heard = Instant::now();
        self.timers.next_ping = self.last_heard + self.ping_interval;
        let timer = sleep_until(self.timers.next());
        tokio::pin!(timer);
        loop {
            let deadline = self.timers.next();
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
            self.deliveries.report(&self.room, &self.user.id, self.delivered);
            self.reported = self.delivered;
            self.timers.report = None;
        }
        if self.timers.gap.is_some_and(|due| due <= now) {
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
    /// committed (D1), so it is read from the history.
    async fn fill_gap(&mut self) -> Result<(), Ending> {
        let missing = fetch_after(self.messages.as_ref(), &self.user, &self.room, self.last_sent).await;
        for event in missing {
            if event.seq.get() > self.last_sent {
                self.held.insert(event.seq.get(), Arc::new(event));
            }
        }
        if let Some(first) = self.held.keys().next().copied() {
            // Still a gap the history cannot fill: go on from what there is.
            self.last_sent = self.last_sent.max(first - 1);
        }
        self.timers.gap = None;
        self.release()
    }

    /// Sends the held events that follow the last one sent (D2) and notes
    /// them as delivered, to be reported within [`FLUSH_EVERY`].
    fn release(&mut self) -> Result<(), Ending> {
        let (outbound, encoded) = (&self.outbound, &self.encoded);
        release_in_order(&mut self.held, &mut self.last_sent, |event| outbound.push_text(encoded.text(event)))?;
        self.delivered = self.delivered.max(self.last_sent);
        if self.delivered > self.reported && self.timers.report.is_none() {
            self.timers.report = Some(Instant::now() + FLUSH_EVERY);
        }
        Ok(())
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
            let (posts, queue) = mpsc::channel(PENDING_POSTS);
            let handler = PostHandler {
                replies: self.outbound.pusher(),
                messages: Arc::clone(&self.messages),
                user: self.user.clone(),
                room: self.room.clone(),
                lang: self.lang,
            };
            tokio::spawn(handler.run(queue));
            posts
        });
        posts.try_send(text)
    }

    /// Queues a frame for the client, which is too slow if its queue is full.
    fn reply(&self, frame: &Value) -> Result<(), Ending> {
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
            RoomSignal::Event(event) if event.seq.get() <= self.last_sent => Ok(()),
            // The usual case: the very next seq, nothing held. Straight out,
            // without a detour through `held` (whose node would stay allocated).
            RoomSignal::Event(event) if event.seq.get() == self.last_sent + 1 && self.held.is_empty() => {
                self.outbound.push_text(self.encoded.text(&event))?;
                self.last_sent = event.seq.get();
                self.release()
            }
            RoomSignal::Event(event) => {
                self.held.insert(event.seq.get(), event);
                self.release()?;
                self.timers.gap = match (self.held.is_empty(), self.timers.gap) {
                    (true, _) => None,
                    (false, gap) => gap.or_else(|| Some(Instant::now() + GAP_PATIENCE)),
                };
                Ok(())
            }
            // A user's own first connection already lists it in `online`, and
            // its own last one is gone: its presence is news to others only.
            RoomSignal::Presence { user: who, .. } if who == self.user.id => Ok(()),
            RoomSignal::Presence { user: who, online } => self.reply(&frames::presence(&self.room, &who, online)),
            RoomSignal::Disconnect { user: who, reason } if who == self.user.id => match reason {
                DisconnectReason::Left => Err(Ending::new(close::LEFT, "left the room")),
                DisconnectReason::Kicked => Err(Ending::new(close::KICKED, "kicked")),
            },
            RoomSignal::Disconnect { .. } => Ok(()),
            RoomSignal::Dissolved => {
                let _ = self.outbound.push(&frames::dissolved(&self.room));
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
        let Self { user, room, live, outbound, posts, feed, opened_at_mark, delivered, .. } = self;
        drop(posts);
        // On close the mark is written at once, before the close frame, not with the
        // next batch: a client that reconnects right away is replayed from here (D4).
        if delivered > opened_at_mark {
            let mark = DeliveryMark { room_id: room.clone(), user_id: user.id.clone(), seq: Seq::new(delivered) };
            if let Err(e) = live.delivered(&[mark]).await {
                tracing::warn!(error = %format_args!("{e:#}"), room = room.as_str(), "could not save the delivered seq");
            }
        }
        outbound.close(ending.code, ending.reason, ending.drain).await;
        drop(feed);
        if let Err(e) = live.disconnect(&room, &user.id).await {
            tracing::warn!(error = %format_args!("{e:#}"), room = room.as_str(), "could not count a connection out");
        }
        tracing::debug!(room = room.as_str(), user = user.id.as_str(), code = ending.code, "websocket closed");
    }
}

/// Sends the opening, each frame waiting up to [`OPENING_PATIENCE`] for the
/// client to take it; it is consumed as it is sent.
async fn send_opening(outbound: &mut Outbound, opening: Vec<Utf8Bytes>) -> Result<(), Ending> {
    outbound.send_each(opening, OPENING_PATIENCE).await.map_err(|e| match e {
        SendError::TooSlow => Ending::slow("slow consumer"),
        SendError::Closed => Ending::new(close::LEFT, ""),
    })
}

/// A frame's text, as queued.
fn encode(frame: &Value) -> Utf8Bytes {
    frame.to_string().into()
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

/// The error frame of a refused client frame (W6).
fn refused(failure: &Failure, lang: Lang) -> Value {
    frames::error(failure.entry().code(), &failure.notice(lang))
}

/// Answers one text frame (W8): `{"type":"ping"}`, a message with or without an
/// id, or raw text, which is a message whose content is the whole text.
async fn client_frame(text: &str, user: &User, room: &RoomId, messages: &dyn MessageService, lang: Lang) -> Value {
    let draft = match serde_json::from_str::<Value>(text) {
        Ok(Value::Object(frame)) if frame.contains_key("type") => match frame.get("type").and_then(Value::as_str) {
            Some("ping") => return frames::pong(),
            Some("message") => MessageDraft {
                content: frame.get("content").and_then(Value::as_str).unwrap_or_default().to_owned(),
                client_msg_id: frame.get("clientMsgId").and_then(scalar_text),
            },
            _ => return refused(&Failure::invalid_with(UNKNOWN_TYPE), lang),
        },
        _ => MessageDraft { content: text.to_owned(), client_msg_id: None },
    };
    let client_msg_id = draft.client_msg_id.clone();
    match messages.post_message(user, room, draft).await {
        Ok(appended) => frames::ack(client_msg_id.as_deref(), appended.event.seq.get()),
        Err(e) => refused(&Failure::from(e), lang),
    }
}

/// Sends, through `send`, the held events that follow `last_sent` without a
/// gap, in seq order (D2); later ones stay held until the gap is filled.
fn release_in_order(
    held: &mut BTreeMap<i64, Arc<RoomEvent>>,
    last_sent: &mut i64,
    mut send: impl FnMut(&RoomEvent) -> Result<(), Full>,
) -> Result<(), Full> {
    while let Some(event) = held.remove(&(*last_sent + 1)) {
        send(&event)?;
        *last_sent = event.seq.get();
    }
    held.retain(|seq, _| *seq > *last_sent);
    Ok(())
}

/// The room's events after `after`, from the history (empty if it fails).
async fn fetch_after(messages: &dyn MessageService, user: &User, room: &RoomId, after: i64) -> Vec<RoomEvent> {
    let room_ref = RoomSelector::by_id(room.clone());
    let query = HistoryQuery { before: None, after: Some(Seq::new(after)), limit: Some(GAP_FETCH) };
    match messages.history(&user.id, &room_ref, query).await {
        Ok(page) => page.events,
        Err(e) => {
            tracing::warn!(error = %format_args!("{e:#}"), room = room.as_str(), "could not read a gap from history");
            Vec::new()
        }
    }
}

/// Answers a connection's text frames (W8), on a task of its own.
struct PostHandler {
    replies: Pusher,
    messages: Arc<dyn MessageService>,
    user: User,
    room: RoomId,
    lang: Lang,
}

impl PostHandler {
    /// Answers the frames one after the other (so the client's messages keep
    /// their order), until the session drops its end of the queue. Answers
    /// pushed after the connection closed are dropped; an unacked message is
    /// resent by the client and deduplicated by its clientMsgId (D3).
    async fn run(self, mut queue: mpsc::Receiver<Utf8Bytes>) {
        while let Some(text) = queue.recv().await {
            let reply = client_frame(&text, &self.user, &self.room, self.messages.as_ref(), self.lang).await;
            if self.replies.push(&reply).is_err() {
                // The queue is full or gone: the session closes the connection.
                return;
            }
        }
    }
}

/// A clientMsgId sent as a string or a number.
fn scalar_text(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use chatroom_domain::live::ports::MockLiveService;

    use super::*;

    fn event(seq: i64) -> RoomEvent {
        let user = UserId::parse("alice").unwrap();
        RoomEvent {
            room_id: RoomId::parse("r1").unwrap(),
            seq: Seq::new(seq),
            at: time::OffsetDateTime::UNIX_EPOCH,
            kind: chatroom_domain::timeline::EventKind::System(chatroom_domain::timeline::SystemEvent::Joined(user)),
        }
    }

    #[test]
    fn d2_events_published_out_of_seq_order_are_sent_in_seq_order() {
        let (mut held, mut last_sent, mut sent) = (BTreeMap::new(), 2, Vec::new());
        for seq in [4, 5] {
            held.insert(seq, Arc::new(event(seq)));
            release_in_order(&mut held, &mut last_sent, |e| {
                sent.push(e.seq.get());
                Ok(())
            })
            .unwrap();
        }
        assert!(sent.is_empty(), "4 and 5 wait for 3");
        held.insert(3, Arc::new(event(3)));
        release_in_order(&mut held, &mut last_sent, |e| {
            sent.push(e.seq.get());
            Ok(())
        })
        .unwrap();
        assert_eq!((sent, last_sent), (vec![3, 4, 5], 5));
        assert!(held.is_empty());
    }

    fn counted(disconnects: usize) -> Counted {
        let mut live = MockLiveService::new();
        live.expect_disconnect().times(disconnects).returning(|_, _| Ok(()));
        Counted::new(Arc::new(live), RoomId::parse("r1").unwrap(), UserId::parse("alice").unwrap())
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
