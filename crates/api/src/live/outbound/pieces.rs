//! A frame as the socket takes it: whole, or a long text in fragments.

use tokio_tungstenite::tungstenite::protocol::frame::coding::{Data, OpCode};
use tokio_tungstenite::tungstenite::protocol::frame::Frame;
use tokio_tungstenite::tungstenite::{Bytes, Message};

use super::Outgoing;

/// Longer texts go out as fragments of this size (RFC 6455 §5.4; clients see
/// the same message): tungstenite's write buffer keeps the size of the largest
/// frame it ever wrote, so one large frame (a welcome listing hundreds of
/// members) would otherwise stay with the connection for its whole life.
const FRAGMENT_BYTES: usize = 1024;

/// The messages one frame goes out as: itself, or a long text's fragments.
pub(super) enum Pieces {
    Whole(Option<Message>),
    Fragments { text: Bytes, start: usize },
}

impl Pieces {
    pub(super) fn new(frame: Outgoing) -> Self {
        match frame {
            Outgoing::Text(text) | Outgoing::Event(text, _) if text.len() > FRAGMENT_BYTES => {
                Self::Fragments { text: text.into(), start: 0 }
            }
            Outgoing::Text(text) | Outgoing::Event(text, _) => Self::Whole(Some(Message::Text(text))),
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
