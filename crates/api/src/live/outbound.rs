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
//! The queue is a `VecDeque` under a mutex rather than a tokio channel: an idle
//! connection then holds one small allocation for it, not a channel whose
//! blocks of 32 messages stay allocated after a burst. The session's frame
//! handler, on a task of its own, queues its answers through a [`Pusher`],
//! which wakes the session.

use std::collections::VecDeque;
use std::future::{poll_fn, Future};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::task::{ready, Context, Poll};
use std::time::Duration;

use futures_util::task::AtomicWaker;
use futures_util::{SinkExt, StreamExt};
use tokio_tungstenite::tungstenite::protocol::frame::coding::{CloseCode, Data, OpCode};
use tokio_tungstenite::tungstenite::protocol::frame::Frame;
use tokio_tungstenite::tungstenite::protocol::CloseFrame;
use tokio_tungstenite::tungstenite::{self, Bytes, Message, Utf8Bytes};

use super::socket::Socket;
use crate::wire::ServerFrame;

/// How long the last frames and the close frame may take to reach a client
/// before the connection is dropped.
const CLOSE_GRACE: Duration = Duration::from_secs(2);

/// The most frames handed to the socket before it is flushed, in a burst.
const FLUSH_EVERY_FRAMES: usize = 64;

/// Longer texts go out as fragments of this size (RFC 6455 §5.4; clients see
/// the same message): tungstenite's write buffer keeps the size of the largest
/// frame it ever wrote, so one large frame (a welcome listing hundreds of
/// members) would otherwise stay with the connection for its whole life.
const FRAGMENT_BYTES: usize = 1024;

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
    Ping,
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
}

impl Shared {
    /// The queue; consistent even if a holder panicked: every critical section
    /// is a single push or pop.
    fn queue(&self) -> MutexGuard<'_, Queue> {
        self.queue.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Queues `frame` if there is room.
    fn push(&self, frame: Outgoing) -> Result<(), Full> {
        let len = match &frame {
            Outgoing::Text(text) => text.len(),
            Outgoing::Ping => 0,
        };
        let mut queue = self.queue();
        if queue.closed || queue.frames.len() >= self.max_frames || queue.bytes + len > self.max_bytes {
            return Err(Full);
        }
        queue.frames.push_back(frame);
        queue.bytes += len;
        Ok(())
    }

    fn pop(&self) -> Option<Outgoing> {
        let mut queue = self.queue();
        let frame = queue.frames.pop_front()?;
        if let Outgoing::Text(text) = &frame {
            queue.bytes -= text.len();
        }
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

/// The session's socket with its queue.
pub(crate) struct Outbound {
    socket: Socket,
    shared: Arc<Shared>,
    /// The frame being handed to the socket (a long text fragment by fragment).
    sending: Option<Pieces>,
    /// Frames handed to the socket since it was last flushed.
    unflushed: usize,
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
        Self { socket, shared, sending: None, unflushed: 0 }
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

    /// Queues a WebSocket ping (W11).
    pub(crate) fn ping(&self) -> Result<(), Full> {
        self.shared.push(Outgoing::Ping)
    }

    /// Sends `frames` before anything queued, each waiting up to `patience` for
    /// the client to take it: the opening of a session (W1, W2), whose replay
    /// may be longer than the queue and must reach a client that reads at a
    /// normal pace.
    pub(crate) async fn send_each(&mut self, frames: Vec<Utf8Bytes>, patience: Duration) -> Result<(), SendError> {
        for text in frames {
            self.sending = Some(Pieces::new(Outgoing::Text(text)));
            match tokio::time::timeout(patience, poll_fn(|cx| self.poll_send(cx))).await {
                Ok(Ok(())) => {}
                Ok(Err(_)) => return Err(SendError::Closed),
                Err(_) => return Err(SendError::TooSlow),
            }
        }
        Ok(())
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
                self.sending = self.shared.pop().map(Pieces::new);
            }
            let Some(pieces) = &mut self.sending else {
                if self.unflushed > 0 {
                    ready!(self.socket.poll_flush_unpin(cx))?;
                    self.unflushed = 0;
                }
                return Poll::Ready(Ok(()));
            };
            if self.unflushed >= FLUSH_EVERY_FRAMES {
                ready!(self.socket.poll_flush_unpin(cx))?;
                self.unflushed = 0;
            }
            ready!(self.socket.poll_ready_unpin(cx))?;
            match pieces.next() {
                Some(message) => {
                    self.socket.start_send_unpin(message)?;
                    self.unflushed += 1;
                }
                None => self.sending = None,
            }
        }
    }

    /// Sends the close frame with `code` (after what is queued when `drain`),
    /// taking at most [`CLOSE_GRACE`]. Frames queued from now on are refused.
    pub(crate) async fn close(mut self, code: u16, reason: &'static str, drain: bool) {
        self.shared.queue().closed = true;
        let closing = async {
            if drain {
                poll_fn(|cx| self.poll_send(cx)).await?;
            }
            let close = CloseFrame { code: CloseCode::from(code), reason: reason.into() };
            self.socket.send(Message::Close(Some(close))).await?;
            SinkExt::close(&mut self.socket).await
        };
        let _ = tokio::time::timeout(CLOSE_GRACE, closing).await;
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

/// The messages one frame goes out as: itself, or a long text's fragments.
enum Pieces {
    Whole(Option<Message>),
    Fragments { text: Bytes, start: usize },
}

impl Pieces {
    fn new(frame: Outgoing) -> Self {
        match frame {
            Outgoing::Text(text) if text.len() > FRAGMENT_BYTES => Self::Fragments { text: text.into(), start: 0 },
            Outgoing::Text(text) => Self::Whole(Some(Message::Text(text))),
            Outgoing::Ping => Self::Whole(Some(Message::Ping(Bytes::new()))),
        }
    }
}

impl Iterator for Pieces {
    type Item = Message;

    fn next(&mut self) -> Option<Message> {
        match self {
            Self::Whole(message) => message.take(),
            Self::Fragments { text, start } => {
                if *start >= text.len() {
                    return None;
                }
                let end = (*start + FRAGMENT_BYTES).min(text.len());
                let opcode = OpCode::Data(if *start == 0 { Data::Text } else { Data::Continue });
                let fragment = Frame::message(text.slice(*start..end), opcode, end == text.len());
                *start = end;
                Some(Message::Frame(fragment))
            }
        }
    }
}
