//! Messaging: posting messages and images to a room and reading its history
//! (R9, R13, D1, D3, S6).

pub mod error;
pub mod model;
pub mod ports;
mod service;

pub use error::*;
pub use model::{HistoryPage, HistoryQuery, Image, MessageDraft, MessagePolicy};
pub use ports::MessageService;
pub use service::{Deps, Service};
