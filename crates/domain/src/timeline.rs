//! A room's timeline: every persisted event of a room (messages, images, system
//! events) with its per-room sequence number (R13), and the ports that store events
//! and image bytes. The room and messaging services write it; live connections
//! replay it.

pub mod error;
pub mod model;
pub mod ports;

pub use error::AppendError;
pub use model::{
    Appended, ClientMsgId, EventKind, ImageType, MessageContent, NewEvent, RoomEvent, RoomSnapshot, Sender, SystemEvent,
};
pub use ports::{ImageChunks, ImageStore, MessageStore, StoredImage};
