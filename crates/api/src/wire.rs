//! What goes over the wire, below both the HTTP endpoints and the WebSocket
//! sessions, which share it: the JSON shapes with the seed's names
//! ([`RoomDto`], …), where an image is served ([`image_url`]), and the protocol
//! of SPEC §7 as two enums, [`ServerFrame`] and [`ClientFrame`]. Frames are
//! built and read here and nowhere else, so this is the one place the protocol's
//! documentation has to agree with.
//!
//! - [`schemas`]: the DTOs of the OpenAPI document and `image_url`.
//! - [`server_frame`]: the frames the server sends (W1–W7).
//! - [`client_frame`]: the frames a client sends (W8).
//! - `formats`: how seqs, times and rooms are written inside frames.

pub mod client_frame;
mod formats;
pub mod schemas;
pub mod server_frame;

pub use client_frame::{ClientFrame, UnknownType};
pub use schemas::{image_url, HistoryNotice, MemberDto, ProfileDto, RoomDto};
pub use server_frame::{Dissolution, PresenceChange, ServerFrame, SystemChange, UserRef};
