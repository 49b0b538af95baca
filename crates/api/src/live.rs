//! WebSocket sessions (SPEC §7): one task per connection that sends the welcome
//! and the replay, then relays the room's signals to the client and the client's
//! frames to the services, until something closes it with a code of W14.
//!
//! - [`frames`]: the JSON frames of W1–W7.
//! - [`outbound`]: the bounded queue in front of each socket (W12).
//! - [`session`]: the connection's loop and its close codes.

pub(crate) mod frames;
mod outbound;
pub(crate) mod session;

pub use session::WsSettings;
