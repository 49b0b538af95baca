//! WebSocket sessions (SPEC §7): one task per connection that sends the welcome
//! and the replay, then relays the room's signals to the client and the client's
//! frames to the services, until something closes it with a code of W14. The
//! frames themselves are [`crate::wire`]'s.
//!
//! - [`session`]: the connection's loop, which joins the parts below.
//! - [`opening`]: what a session starts from, and its opening (W1, W2).
//! - [`order`]: the room's events in seq order, gaps filled (D2).
//! - [`posts`]: the client's frames and their answers (W8, W6).
//! - [`ending`]: the close codes (W14) and why a session ends.
//! - [`encoded`]: each recent event's frame, encoded once for every connection.
//! - [`outbound`]: the bounded queue in front of each socket (W12).
//! - [`flood`]: the per-connection flood limit (W10).
//! - [`delivery`]: how far each member has read, saved in batches (W2, D4).
//! - [`settings`]: the numbers a session runs with.
//! - [`socket`]: the handshake and the WebSocket stream with its buffers.

mod delivery;
mod encoded;
mod ending;
mod flood;
mod opening;
mod order;
mod outbound;
mod posts;
pub(crate) mod session;
mod settings;
mod socket;

pub use delivery::{Deliveries, MarksWriter};
pub(crate) use encoded::EncodedEvents;
pub(crate) use opening::{Counted, SessionStart};
pub use settings::WsSettings;
pub use socket::Handshake;
