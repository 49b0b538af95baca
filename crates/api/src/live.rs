//! WebSocket sessions (SPEC §7): one task per connection that sends the welcome
//! and the replay, then relays the room's signals to the client and the client's
//! frames to the services, until something closes it with a code of W14.
//!
//! - [`frames`]: the JSON frames of W1–W7.
//! - [`outbound`]: the bounded queue in front of each socket (W12).
//! - [`flood`]: the per-connection flood limit (W10).
//! - [`delivery`]: how far each member has read, saved in batches (W2, D4).
//! - [`session`]: the connection's loop and its close codes.
//! - [`socket`]: the handshake and the WebSocket stream with its buffers.

mod delivery;
mod flood;
pub(crate) mod frames;
mod outbound;
pub(crate) mod session;
mod socket;

pub use delivery::{Deliveries, MarksWriter};
pub(crate) use frames::EncodedEvents;
pub use session::WsSettings;
pub use socket::Handshake;
