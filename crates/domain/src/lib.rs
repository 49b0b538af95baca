//! The chatroom domain: value objects, entities, the rules R1–R14 of the product
//! specification and the ports (traits) through which the rules reach the outside
//! world. Nothing here knows HTTP, SQL or a particular async runtime: adapters live in
//! other crates and plug into the ports, so other Rust services can embed these rules
//! with adapters of their own.
//!
//! Areas, each importing only those listed before it:
//! - [`validation`]: the E1001 error every value object returns.
//! - [`system`]: clock, random identifiers, rate limits, and [`system::Unavailable`]
//!   (a dependency is unreachable, E5003).
//! - [`ids`]: the identifiers every area names things by, and [`ids::Seq`].
//! - [`user`]: users, their names, emails and credentials.
//! - [`timeline`]: a room's sequenced events (R13) and where they are stored.
//! - [`delivery`]: the signals that reach live connections, the event bus, presence
//!   and delivery marks (the ports a cluster implements on Redis).
//! - [`room`]: rooms, memberships and their management rules (R2–R10, R12, R14).
//! - [`message`]: posting messages and images, reading history (R9, D1, D3, S6).
//! - [`live`]: live connections: their start (W1, W2), presence (W5) and feed.
//! - [`account`]: registration, login, sessions, password resets (R1, R11, S1–S4).

pub mod account;
pub mod delivery;
pub mod ids;
pub mod live;
pub mod message;
pub mod room;
pub mod system;
pub mod timeline;
pub mod user;
pub mod validation;
