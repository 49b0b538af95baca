//! The bounded queue in front of a socket (W12): the session pushes frames
//! without ever waiting; one writer task per connection sends them. A client
//! that reads too slowly fills its queue, and the session closes it (1013)
//! instead of buffering without bound or slowing the room down.
//!
//! Frames are `Utf8Bytes`: an event's text, encoded once, is queued to every
//! connection of the room as the same bytes.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use futures_util::stream::SplitSink;
use futures_util::SinkExt;
use serde_json::Value;
use tokio::sync::{mpsc, oneshot};
use tokio::task::JoinHandle;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
use tokio_tungstenite::tungstenite::protocol::CloseFrame;
use tokio_tungstenite::tungstenite::{Message, Utf8Bytes};

use super::socket::Socket;

/// How long the writer may take to hand the last frames and the close frame to
/// a client before the connection is dropped.
const CLOSE_GRACE: Duration = Duration::from_secs(2);

/// The most frames written before the socket is flushed, in a burst.
const FLUSH_EVERY_FRAMES: usize = 64;

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

/// A handle that queues frames; cheap to clone (the session's frame handler
/// task holds one). Pushing never waits, except [`Pusher::push_waiting`].
#[derive(Clone)]
pub(crate) struct Pusher {
    frames: mpsc::Sender<Message>,
    queued_bytes: Arc<AtomicUsize>,
    max_bytes: usize,
}

impl Pusher {
    /// Queues a JSON frame, or says the queue is full.
    pub(crate) fn push(&self, frame: &Value) -> Result<(), Full> {
        self.push_text(frame.to_string().into())
    }

    /// Queues a frame already encoded (shared by every connection of a room).
    pub(crate) fn push_text(&self, text: Utf8Bytes) -> Result<(), Full> {
        let len = text.len();
        if self.queued_bytes.fetch_add(len, Ordering::AcqRel) + len > self.max_bytes {
            self.queued_bytes.fetch_sub(len, Ordering::AcqRel);
            return Err(Full);
        }
        self.frames.try_send(Message::Text(text)).map_err(|_| {
            self.queued_bytes.fetch_sub(len, Ordering::AcqRel);
            Full
        })
    }

    /// Queues a frame, waiting up to `patience` for room in the queue: for the
    /// opening of a session (W1, W2), whose replay may be longer than the queue
    /// and must reach a client that reads at a normal pace.
    pub(crate) async fn push_waiting(&self, frame: &Value, patience: Duration) -> Result<(), Full> {
        let text = Utf8Bytes::from(frame.to_string());
        let len = text.len();
        self.queued_bytes.fetch_add(len, Ordering::AcqRel);
        match tokio::time::timeout(patience, self.frames.send(Message::Text(text))).await {
            Ok(Ok(())) => Ok(()),
            _ => {
                self.queued_bytes.fetch_sub(len, Ordering::AcqRel);
                Err(Full)
            }
        }
    }

    /// Queues a WebSocket ping (W11).
    pub(crate) fn ping(&self) -> Result<(), Full> {
        self.frames.try_send(Message::Ping(Default::default())).map_err(|_| Full)
    }
}

/// The session's end of the queue: pushing (through [`Pusher`]) and closing.
pub(crate) struct Outbound {
    pusher: Pusher,
    closing: Option<oneshot::Sender<Closing>>,
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
        let (frames, queue) = mpsc::channel(max_frames.max(1));
        let (closing, close_requests) = oneshot::channel();
        let queued_bytes = Arc::new(AtomicUsize::new(0));
        let writer = tokio::spawn(write(sink, queue, close_requests, Arc::clone(&queued_bytes)));
        Self { pusher: Pusher { frames, queued_bytes, max_bytes }, closing: Some(closing), writer }
    }

    /// Another handle for pushing frames.
    pub(crate) fn pusher(&self) -> Pusher {
        self.pusher.clone()
    }

    /// Sends the close frame with `code` (after what is queued when `drain`) and
    /// waits for the writer, at most [`CLOSE_GRACE`].
    pub(crate) async fn close(mut self, code: u16, reason: &'static str, drain: bool) {
        if let Some(closing) = self.closing.take() {
            let _ = closing.send(Closing { code, reason, drain });
        }
        if tokio::time::timeout(CLOSE_GRACE, &mut self.writer).await.is_err() {
            self.writer.abort();
        }
    }
}

/// The writer: sends what is queued, gathering a burst into few writes (the
/// socket is flushed when the queue is empty or every [`FLUSH_EVERY_FRAMES`]).
async fn write(
    mut sink: SplitSink<Socket, Message>,
    mut queue: mpsc::Receiver<Message>,
    mut close_requests: oneshot::Receiver<Closing>,
    queued_bytes: Arc<AtomicUsize>,
) {
    let sent = |message: &Message| {
        if let Message::Text(text) = message {
            queued_bytes.fetch_sub(text.len(), Ordering::AcqRel);
        }
    };
    let closing = loop {
        tokio::select! {
            biased;
            closing = &mut close_requests => break closing.ok(),
            message = queue.recv() => {
                let Some(message) = message else { break None };
                sent(&message);
                if sink.feed(message).await.is_err() {
                    return;
                }
                let mut burst = 1;
                while burst < FLUSH_EVERY_FRAMES {
                    let Ok(message) = queue.try_recv() else { break };
                    sent(&message);
                    if sink.feed(message).await.is_err() {
                        return;
                    }
                    burst += 1;
                }
                if sink.flush().await.is_err() {
                    return;
                }
            }
        }
    };
    let Some(Closing { code, reason, drain }) = closing else { return };
    if drain {
        while let Ok(message) = queue.try_recv() {
            sent(&message);
            if sink.feed(message).await.is_err() {
                return;
            }
        }
    }
    let close = CloseFrame { code: CloseCode::from(code), reason: reason.into() };
    let _ = sink.send(Message::Close(Some(close))).await;
    let _ = sink.close().await;
}
