//! What operations read from a request beyond poem-openapi's own extractors:
//! the authenticated caller ([`Caller`], [`LiveCaller`]), the room it names
//! ([`NamedRoom`]), bodies in any of the seed clients' content types ([`Body`])
//! whose text fields carry the rules of SPEC §3 in their schema ([`fields`]),
//! and the caller's address ([`ClientIpSource`]).

mod body;
mod caller;
mod client_ip;
pub mod fields;
pub mod lenient;
mod room;
mod token;

pub use body::Body;
pub use caller::{Caller, LiveCaller};
pub use client_ip::ClientIpSource;
pub(crate) use room::document_room_ids;
pub use room::NamedRoom;
pub use token::Token;
