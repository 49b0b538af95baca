//! Room events: persisted and sequenced (R13) messages, images and system events,
//! their live delivery (the `EventBus` and `Presence` ports), and the rules for
//! posting and reading them (R9, D1–D4, S6).

pub mod error;
pub mod model;
pub mod ports;
mod service;

pub use error::*;
pub use model::{
    Appended, ClientMsgId, DisconnectReason, EventKind, HistoryPage, HistoryQuery, ImageId, ImageType, MessageContent,
    MessageDraft, MessagePolicy, NewEvent, RoomEvent, RoomSignal, Sender, SystemEvent,
};
pub use ports::{EventBus, ImageStore, MessageService, MessageStore, Presence};
pub use service::{Deps, Service};
