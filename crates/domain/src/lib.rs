//! The chatroom domain: value objects, entities, the rules R1–R14 of the product
//! specification and the ports (traits) through which the rules reach the outside
//! world. Nothing here knows HTTP, SQL or a particular async runtime: adapters live in
//! other crates and plug into the ports, so other Rust services can embed these rules
//! with adapters of their own.
//!
//! Areas:
//! - [`validation`]: the E1001 error every value object returns.
//! - [`user`]: users, their identifiers and credentials.
//! - [`account`]: registration, login, sessions, password resets (R1, R11, S1–S4).
//! - [`room`]: rooms, memberships and their management rules (R2–R10, R12, R14).
//! - [`event`]: sequenced room events, messages and delivery (R9, R13, D1–D4).
//! - [`live`]: live connections: their start (W1, W2), presence (W5) and feed.
//! - [`system`]: clock and random identifiers.

pub mod account;
pub mod event;
pub mod live;
pub mod room;
pub mod system;
pub mod user;
pub mod validation;
