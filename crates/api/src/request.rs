//! What operations read from a request beyond poem-openapi's own extractors:
//! bodies in any of the seed clients' content types ([`Body`]), the caller's token
//! ([`Token`]) and address ([`ClientIpSource`]).

mod body;
mod client_ip;
pub mod lenient;
mod token;

pub use body::Body;
pub use client_ip::ClientIpSource;
pub use token::Token;
