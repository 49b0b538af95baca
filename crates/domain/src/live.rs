//! Live connections to a room (SPEC §7): what a WebSocket session starts from
//! (W1, W2), the presence of its user (W5), and the feed of signals it then
//! follows (the subscribing half of the event bus). The session's transport,
//! frames and close codes belong to the API; the rules of who sees what belong
//! here.

pub mod ports;
mod service;

pub use ports::{ConnectError, Connection, LiveService};
pub use service::{Deps, LivePolicy, Service};
