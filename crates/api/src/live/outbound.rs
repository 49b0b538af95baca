//! The bounded queue in front of a socket (W12): the session pushes frames
//! without ever waiting; one writer task per connection sends them. A client
//! that reads too slowly fills its queue, and the session closes it (1013)
//! instead of buffering without bound or slowing the room down.
//!
//! Frames are `Utf8Bytes`: an event's text, encoded once, is queued to every
//! connection of the room as the same bytes.
//!
//! The queue is a `VecDeque` under a mutex rather than a tokio channel: an idle
//! connection then holds one small allocation for it, not a channel whose
//! blocks of 32 messages stay allocated after the opening's burst.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use futures_util::stream::SplitSink;
use futures_util::SinkExt;
use serde_json::Value;
use tokio::sync::Notify;
use tokio::task::JoinHandle;
use tokio::time::Instant;
use tokio_tungstenite::tungstenite::protocol::frame::coding::{CloseCode, Data, OpCode};
use tokio_tungstenite::tungstenite::protocol::frame::Frame;
use tokio_tungstenite::tungstenite::protocol::CloseFrame;
use tokio_tungstenite::tungstenite::{Bytes, Message, Utf8Bytes};

use super::socket::Socket;

/// How long the writer may take to hand the last frames and the close frame to
/// a client before the connection is dropped.
const CLOSE_GRACE: Duration = Duration::from_secs(2);

/// The most frames written before the socket is flushed, in a burst.
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

/// How the writer ends.
struct Closing {
    code: u16,
    reason: &'static str,
    /// Send what is queued before the close frame (not for a slow consumer).
    drain: bool,
}

/// A frame waiting for the writer.
enum Outgoing {
    Text(Utf8Bytes),
    Ping,
}

/// What the session and the writer share.
struct Shared {
    queue: Mutex<Queue>,
    /// Wakes the writer: a frame was queued, or the close asked for.
    queued: Notify,
    /// Wakes a pusher waiting for room (the opening).
    room: Notify,
    max_frames: usize,
    max_bytes: usize,
}

#[derive(Default)]
struct Queue {
    frames: VecDeque<Outgoing>,
    /// The text bytes in `frames`.
    bytes: usize,
    closing: Option<Closing>,
    /// The writer is gone: nothing more can be sent.
    gone: bool,
    /// A pusher waits for room.
    wanted: bool,
}

/// What the writer does next.
enum Next {
    Send(Outgoing),
    Close(Closing),
    Wait,
}

impl Shared {
    /// The queue; consistent even if a holder panicked: every critical section
    /// is a single push or pop.
    fn queue(&self) -> MutexGuard<'_, Queue> {
        self.queue.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Queues `frame` if there is room, or hands it back (none once the writer
    /// is gone). A `waiting` pusher (the opening) is limited in frames only, and
    /// is woken by the writer's next pop.
    fn try_push(&self, frame: Outgoing, waiting: bool) -> Result<(), Option<Outgoing>> {
        let len = match &frame {
            Outgoing::Text(text) => text.len(),
            Outgoing::Ping => 0,
        };
        let mut queue = self.queue();
        if queue.gone {
            return Err(None);
        }
        if queue.frames.len() >= self.max_frames || (!waiting && queue.bytes + len > self.max_bytes) {
            queue.wanted |= waiting;
            return Err(Some(frame));
        }
        queue.frames.push_back(frame);
        queue.bytes += len;
        drop(queue);
        self.queued.notify_one();
        Ok(())
    }

    /// The writer's next step; the close, once asked for, comes first.
    fn next(&self) -> Next {
        let mut queue = self.queue();
        if let Some(closing) = queue.closing.take() {
            return Next::Close(closing);
        }
        let Some(frame) = queue.pop() else { return Next::Wait };
        let wanted = std::mem::take(&mut queue.wanted);
        drop(queue);
        if wanted {
            self.room.notify_waiters();
        }
        Next::Send(frame)
    }
}

impl Queue {
    fn pop(&mut self) -> Option<Outgoing> {
        let frame = self.frames.pop_front()?;
        if let Outgoing::Text(text) = &frame {
            self.bytes -= text.len();
        }
        if self.frames.is_empty() && self.frames.capacity() > KEPT_CAPACITY {
            self.frames = VecDeque::new();
        }
        Some(frame)
    }
}

/// A handle that queues frames; cheap to clone (the session's frame handler
/// task holds one). Pushing never waits, except [`Pusher::push_waiting`].
#[derive(Clone)]
pub(crate) struct Pusher {
    shared: Arc<Shared>,
}

impl Pusher {
    /// Queues a JSON frame, or says the queue is full.
    pub(crate) fn push(&self, frame: &Value) -> Result<(), Full> {
        self.push_text(frame.to_string().into())
    }

    /// Queues a frame already encoded (shared by every connection of a room).
    pub(crate) fn push_text(&self, text: Utf8Bytes) -> Result<(), Full> {
        self.shared.try_push(Outgoing::Text(text), false).map_err(|_| Full)
    }

    /// Queues a frame, waiting up to `patience` for a free place in the queue:
    /// for the opening of a session (W1, W2), whose replay may be longer than
    /// the queue and must reach a client that reads at a normal pace.
    pub(crate) async fn push_waiting(&self, text: Utf8Bytes, patience: Duration) -> Result<(), Full> {
        let deadline = Instant::now() + patience;
        let mut frame = Outgoing::Text(text);
        loop {
            // Listening before looking: room made in between is not missed.
            let room = self.shared.room.notified();
            tokio::pin!(room);
            room.as_mut().enable();
            frame = match self.shared.try_push(frame, true) {
                Ok(()) => return Ok(()),
                Err(None) => return Err(Full),
                Err(Some(frame)) => frame,
            };
            if tokio::time::timeout_at(deadline, room).await.is_err() {
                return Err(Full);
            }
        }
    }

    /// Queues a WebSocket ping (W11).
    pub(crate) fn ping(&self) -> Result<(), Full> {
        self.shared.try_push(Outgoing::Ping, false).map_err(|_| Full)
    }
}

/// The session's end of the queue: pushing (through [`Pusher`]) and closing.
pub(crate) struct Outbound {
    pusher: Pusher,
    writer: JoinHandle<()>,
}

impl std::ops::Deref for Outbound {
    type Target = Pusher;

    fn deref(&self) -> &Pusher {
        &self.pusher
    }
}

impl Outbound {
    /// Starts the writer for `sink`, with room for `max_frames` frames and
    /// `max_bytes` bytes of text.
    pub(crate) fn start(sink: SplitSink<Socket, Message>, max_frames: usize, max_bytes: usize) -> Self {
        let shared = Arc::new(Shared {
            queue: Mutex::default(),
            queued: Notify::new(),
            room: Notify::new(),
            max_frames: max_frames.max(1),
            max_bytes,
        });
        let writer = tokio::spawn(write(sink, Writer(Arc::clone(&shared))));
        Self { pusher: Pusher { shared }, writer }
    }

    /// Another handle for pushing frames.
    pub(crate) fn pusher(&self) -> Pusher {
        self.pusher.clone()
    }

    /// Sends the close frame with `code` (after what is queued when `drain`) and
    /// waits for the writer, at most [`CLOSE_GRACE`].
    pub(crate) async fn close(mut self, code: u16, reason: &'static str, drain: bool) {
        self.shared.queue().closing = Some(Closing { code, reason, drain });
        self.shared.queued.notify_one();
        if tokio::time::timeout(CLOSE_GRACE, &mut self.writer).await.is_err() {
            self.writer.abort();
        }
    }
}

/// The writer's hold on the queue; when the writer ends, however it ends,
/// nothing more is queued and a waiting pusher is let go.
struct Writer(Arc<Shared>);

impl Drop for Writer {
    fn drop(&mut self) {
        let mut queue = self.0.queue();
        queue.gone = true;
        queue.frames = VecDeque::new();
        drop(queue);
        self.0.room.notify_waiters();
    }
}

/// The writer: sends what is queued, gathering a burst into few flushes (the
/// socket is flushed when the queue is empty or every [`FLUSH_EVERY_FRAMES`]).
async fn write(mut sink: SplitSink<Socket, Message>, writer: Writer) {
    let shared = &writer.0;
    let mut unflushed = 0;
    let closing = loop {
        match shared.next() {
            Next::Send(frame) => {
                if send(&mut sink, frame).await.is_err() {
                    return;
                }
                unflushed += 1;
                if unflushed >= FLUSH_EVERY_FRAMES {
                    if sink.flush().await.is_err() {
                        return;
                    }
                    unflushed = 0;
                }
            }
            Next::Close(closing) => break closing,
            Next::Wait => {
                if unflushed > 0 {
                    if sink.flush().await.is_err() {
                        return;
                    }
                    unflushed = 0;
                    continue;
                }
                shared.queued.notified().await;
            }
        }
    };
    if closing.drain {
        loop {
            let frame = shared.queue().pop();
            let Some(frame) = frame else { break };
            if send(&mut sink, frame).await.is_err() {
                return;
            }
        }
    }
    let close = CloseFrame { code: CloseCode::from(closing.code), reason: closing.reason.into() };
    let _ = sink.send(Message::Close(Some(close))).await;
    let _ = sink.close().await;
}

/// Hands one frame to the socket, a long text in fragments, without flushing.
async fn send(sink: &mut SplitSink<Socket, Message>, frame: Outgoing) -> Result<(), ()> {
    let text = match frame {
        Outgoing::Text(text) if text.len() > FRAGMENT_BYTES => text,
        Outgoing::Text(text) => return sink.feed(Message::Text(text)).await.map_err(drop),
        Outgoing::Ping => return sink.feed(Message::Ping(Bytes::new())).await.map_err(drop),
    };
    let bytes = Bytes::from(text);
    let mut start = 0;
    while start < bytes.len() {
        let end = (start + FRAGMENT_BYTES).min(bytes.len());
        let opcode = OpCode::Data(if start == 0 { Data::Text } else { Data::Continue });
        let fragment = Frame::message(bytes.slice(start..end), opcode, end == bytes.len());
        sink.feed(Message::Frame(fragment)).await.map_err(drop)?;
        start = end;
    }
    Ok(())
}
