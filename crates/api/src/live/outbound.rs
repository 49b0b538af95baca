//! The socket and the bounded queue in front of it (W12). The session pushes
//! frames without ever waiting and hands them to the socket from its own task,
//! as far as the socket takes them, each time it waits on the socket: a frame
//! costs no wake-up of a writer task. A client that reads too slowly fills its
//! queue, and the session closes it (1013) instead of buffering without bound
//! or slowing the room down.
//!
//! Frames are `Utf8Bytes`: an event's text, encoded once, is queued to every
//! connection of the room as the same bytes.
//!
//! An event's frame carries its seq, and the queue knows the last seq the
//! socket has taken and flushed: [`Outbound::written`]. That, not what is
//! queued, is what the member's delivered mark may cover (D4): frames still
//! queued when a connection ends are replayed on the next one.
//!
//! The queue is a `VecDeque` under a mutex rather than a tokio channel: an idle
//! connection then holds one small allocation for it, not a channel whose
//! blocks of 32 messages stay allocated after a burst. The session's frame
//! handler, on a task of its own, queues its answers through a [`Pusher`],
//! which wakes the session.

mod pieces;

use std::collections::VecDeque;
use std::future::{poll_fn, Future};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::task::{ready, Context, Poll};
use std::time::Duration;

use chatroom_domain::ids::Seq;
use futures_util::task::AtomicWaker;
use futures_util::{SinkExt, StreamExt};
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
use tokio_tungstenite::tungstenite::protocol::CloseFrame;
use tokio_tungstenite::tungstenite::{self, Message, Utf8Bytes};

use super::socket::Socket;
use crate::wire::ServerFrame;
use pieces::Pieces;

/// How long the last frames and the close frame may take to reach a client
/// before the connection is dropped.
const CLOSE_GRACE: Duration = Duration::from_secs(2);

/// The most frames handed to the socket before it is flushed, in a burst.
const FLUSH_EVERY_FRAMES: usize = 64;

/// A queue emptied with more room than this gives it back: an idle connection
/// keeps nothing of a burst.
const KEPT_CAPACITY: usize = 16;

/// The queue is full (in frames or in bytes): the client is too slow.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Full;

/// Why a frame could not be sent.
#[derive(Debug)]
pub(crate) enum SendError {
    /// The client did not take it in time.
    TooSlow,
    /// The connection failed or was closed.
    Closed,
}

/// A frame waiting for the socket.
enum Outgoing {
    Text(Utf8Bytes),
    /// An event's frame, with its seq (D4).
    Event(Utf8Bytes, Seq),
    Ping,
}

impl Outgoing {
    /// The seq the frame delivers, if it is an event's.
    fn seq(&self) -> Option<Seq> {
        match self {
            Self::Event(_, seq) => Some(*seq),
            Self::Text(_) | Self::Ping => None,
        }
    }
}

/// What the session and its frame handler share.
struct Shared {
    queue: Mutex<Queue>,
    /// The session, woken when the frame handler queues an answer.
    session: AtomicWaker,
    max_frames: usize,
    max_bytes: usize,
}

#[derive(Default)]
struct Queue {
    frames: VecDeque<Outgoing>,
    /// The text bytes in `frames`.
    bytes: usize,
    /// The session has closed: nothing more is queued.
    closed: bool,
    /// The last event's seq ever queued.
    last_event: Seq,
}

impl Queue {
    /// Whether a frame of `len` text bytes fits within `shared`'s bounds.
    fn fits(&self, len: usize, shared: &Shared) -> bool {
        self.frames.is_empty() || (self.frames.len() < shared.max_frames && self.bytes + len <= shared.max_bytes)
    }
}

impl Shared {
    /// The queue; consistent even if a holder panicked: every critical section
    /// is a single push or pop.
    fn queue(&self) -> MutexGuard<'_, Queue> {
        self.queue.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Queues `frame` if there is room.
    fn push(&self, frame: Outgoing) -> Result<(), Full> {
        self.try_push(frame).map_err(|_| Full)
    }

    /// Queues `frame` if there is room, or gives it back. An empty queue takes
    /// any one frame, however long.
    fn try_push(&self, frame: Outgoing) -> Result<(), Outgoing> {
        let len = text_len(&frame);
        let mut queue = self.queue();
        if queue.closed || !queue.fits(len, self) {
            return Err(frame);
        }
        if let Some(seq) = frame.seq() {
            queue.last_event = queue.last_event.max(seq);
        }
        queue.frames.push_back(frame);
        queue.bytes += len;
        Ok(())
    }

    /// Whether a frame of `len` text bytes would be queued now.
    fn fits(&self, len: usize) -> bool {
        self.queue().fits(len, self)
    }

    fn pop(&self) -> Option<Outgoing> {
        let mut queue = self.queue();
        let frame = queue.frames.pop_front()?;
        queue.bytes -= text_len(&frame);
        if queue.frames.is_empty() && queue.frames.capacity() > KEPT_CAPACITY {
            queue.frames = VecDeque::new();
        }
        Some(frame)
    }
}

/// A handle for another task (the session's frame handler) to queue frames;
/// pushing never waits, and wakes the session to send them.
#[derive(Clone)]
pub(crate) struct Pusher {
    shared: Arc<Shared>,
}

impl Pusher {
    /// Queues a frame, or says the queue is full (or the session closed).
    pub(crate) fn push(&self, frame: &ServerFrame) -> Result<(), Full> {
        self.shared.push(Outgoing::Text(frame.encode().into()))?;
        self.shared.session.wake();
        Ok(())
    }
}

/// The text bytes a frame counts against the queue's bound.
fn text_len(frame: &Outgoing) -> usize {
    match frame {
        Outgoing::Text(text) | Outgoing::Event(text, _) => text.len(),
        Outgoing::Ping => 0,
    }
}

/// The session's socket with its queue.
pub(crate) struct Outbound {
    socket: Socket,
    shared: Arc<Shared>,
    /// The frame being handed to the socket (a long text fragment by
    /// fragment), with its seq if it is an event's.
    sending: Option<(Pieces, Option<Seq>)>,
    /// Frames handed to the socket since it was last flushed.
    unflushed: usize,
    /// The last seq handed to the socket whole, flushed or not.
    handed: Seq,
    /// The last seq the socket has taken and flushed (D4).
    written: Seq,
}

impl Outbound {
    /// `socket`, with room in its queue for `max_frames` frames and `max_bytes`
    /// bytes of text.
    pub(crate) fn new(socket: Socket, max_frames: usize, max_bytes: usize) -> Self {
        let shared = Arc::new(Shared {
            queue: Mutex::default(),
            session: AtomicWaker::new(),
            max_frames: max_frames.max(1),
            max_bytes,
        });
        Self { socket, shared, sending: None, unflushed: 0, handed: Seq::ZERO, written: Seq::ZERO }
    }

    /// The last event's seq written to the socket and flushed: what the
    /// delivered mark may cover (D4).
    pub(crate) fn written(&self) -> Seq {
        self.written
    }

    /// The last event's seq queued, written or not.
    pub(crate) fn queued(&self) -> Seq {
        self.shared.queue().last_event
    }

    /// A handle for another task to queue frames.
    pub(crate) fn pusher(&self) -> Pusher {
        Pusher { shared: Arc::clone(&self.shared) }
    }

    /// Queues a frame, or says the queue is full.
    pub(crate) fn push(&self, frame: &ServerFrame) -> Result<(), Full> {
        self.push_text(frame.encode().into())
    }

    /// Queues a frame already encoded (shared by every connection of a room).
    /// It is sent the next time the session waits on [`Outbound::next_frame`].
    pub(crate) fn push_text(&self, text: Utf8Bytes) -> Result<(), Full> {
        self.shared.push(Outgoing::Text(text))
    }

    /// Queues an event's frame, encoded once for the room, with its seq (D4).
    pub(crate) fn push_event(&self, text: Utf8Bytes, seq: Seq) -> Result<(), Full> {
        self.shared.push(Outgoing::Event(text, seq))
    }

    /// Queues a WebSocket ping (W11).
    pub(crate) fn ping(&self) -> Result<(), Full> {
        self.shared.push(Outgoing::Ping)
    }

    /// Queues a frame of the opening (W1, W2), waiting for room in the queue
    /// while the client reads: a replay longer than the queue reaches a
    /// client that reads at a normal pace, and never takes more memory than
    /// the queue's bound (S11). A client that takes nothing for `patience`
    /// while the queue is full is too slow.
    pub(crate) async fn push_paced(
        &mut self,
        text: Utf8Bytes,
        seq: Option<Seq>,
        patience: Duration,
    ) -> Result<(), SendError> {
        let mut frame = match seq {
            Some(seq) => Outgoing::Event(text, seq),
            None => Outgoing::Text(text),
        };
        loop {
            frame = match self.shared.try_push(frame) {
                Ok(()) => return Ok(()),
                Err(frame) => frame,
            };
            let len = text_len(&frame);
            let progress = poll_fn(|cx| match self.poll_send(cx) {
                Poll::Ready(Err(_)) => Poll::Ready(Err(SendError::Closed)),
                Poll::Ready(Ok(())) => Poll::Ready(Ok(())),
                Poll::Pending if self.shared.fits(len) => Poll::Ready(Ok(())),
                Poll::Pending => Poll::Pending,
            });
            match tokio::time::timeout(patience, progress).await {
                Ok(result) => result?,
                Err(_) => return Err(SendError::TooSlow),
            }
        }
    }

    /// Sends what is queued, as far as the socket takes it, and reads the
    /// client's next frame: the session's one wait on its socket. A failed
    /// write ends the stream as an error, like a failed read.
    pub(crate) fn next_frame(&mut self) -> impl Future<Output = Option<Result<Message, tungstenite::Error>>> + '_ {
        poll_fn(|cx| {
            // Registered before the queue is looked at: an answer queued after
            // the look wakes the session again.
            self.shared.session.register(cx.waker());
            if let Poll::Ready(Err(e)) = self.poll_send(cx) {
                return Poll::Ready(Some(Err(e)));
            }
            self.socket.poll_next_unpin(cx)
        })
    }

    /// Hands queued frames to the socket until the queue is empty and the
    /// socket flushed, or the socket cannot take more (pending).
    fn poll_send(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), tungstenite::Error>> {
        loop {
            if self.sending.is_none() {
                self.sending = self.shared.pop().map(|frame| {
                    let seq = frame.seq();
                    (Pieces::new(frame), seq)
                });
            }
            let Some((pieces, seq)) = &mut self.sending else {
                if self.unflushed > 0 {
                    ready!(self.poll_flush(cx))?;
                }
                return Poll::Ready(Ok(()));
            };
            if self.unflushed >= FLUSH_EVERY_FRAMES {
                ready!(self.poll_flush(cx))?;
                continue;
            }
            ready!(self.socket.poll_ready_unpin(cx))?;
            match pieces.next() {
                Some(message) => {
                    self.socket.start_send_unpin(message)?;
                    self.unflushed += 1;
                }
                None => {
                    if let Some(seq) = *seq {
                        self.handed = self.handed.max(seq);
                    }
                    self.sending = None;
                }
            }
        }
    }

    /// Flushes the socket; what was handed to it is then written (D4).
    fn poll_flush(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), tungstenite::Error>> {
        ready!(self.socket.poll_flush_unpin(cx))?;
        self.unflushed = 0;
        self.written = self.handed;
        Poll::Ready(Ok(()))
    }

    /// Sends the close frame with `code` (after what is queued when `drain`),
    /// taking at most [`CLOSE_GRACE`], and returns the last seq written (D4).
    /// Frames queued from now on are refused.
    pub(crate) async fn close(mut self, code: u16, reason: &'static str, drain: bool) -> Seq {
        self.shared.queue().closed = true;
        let closing = async {
            if drain {
                poll_fn(|cx| self.poll_send(cx)).await?;
            }
            let close = CloseFrame { code: CloseCode::from(code), reason: reason.into() };
            self.socket.send(Message::Close(Some(close))).await?;
            // Then read until the client answers the close (W14): frames of
            // its own left unread (a flooder's) would make the kernel reset the
            // connection, and the client would lose the close frame (1006).
            while let Some(Ok(_)) = self.socket.next().await {}
            Ok::<(), tungstenite::Error>(())
        };
        let _ = tokio::time::timeout(CLOSE_GRACE, closing).await;
        self.written
    }
}

impl Drop for Outbound {
    /// However the session ends, its frame handler's answers are refused and
    /// what is still queued is freed.
    fn drop(&mut self) {
        let mut queue = self.shared.queue();
        queue.closed = true;
        queue.frames = VecDeque::new();
    }
}
