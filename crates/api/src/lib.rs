//! The HTTP edge of chatroom: poem + poem-openapi endpoints, the response envelope,
//! the error catalogue of SPEC §5 and its translations, and the middleware every
//! request passes through. It speaks to the rules only through the domain's
//! inbound ports (`AccountService`, `RoomService`, `MessageService`) and knows no
//! adapter; the server crate wires real services in with [`routes`].
//!
//! Modules:
//! - [`envelope`]: the `{"err": {Code, Msg, Notice}}` types.
//! - [`catalogue`]: codes, statuses, zh/en texts; domain errors → [`Failure`].
//! - [`reply`]: what an operation returns, and its bad-request handler.
//! - [`language`]: `Accept-Language` → zh or en.
//! - [`request`]: bodies in JSON or forms, the caller's token and address.
//! - [`endpoints`]: one `#[OpenApi]` struct per resource.
//! - [`health`]: the readiness port behind `/readyz`.
//! - `live`: WebSocket sessions (SPEC §7).
//! - [`layers`]: request ids, access log, envelopes, CORS, body limit.
//! - [`wire`]: the JSON shapes and WebSocket frames the endpoints and the
//!   sessions share.

mod app;
pub mod catalogue;
mod docs;
pub mod endpoints;
pub mod envelope;
pub mod health;
pub mod language;
pub mod layers;
mod live;
pub mod reply;
pub mod request;
pub mod wire;

pub use app::{routes, ApiConfig, ApiServices};
pub use catalogue::{Entry, Failure};
pub use docs::{openapi_json, openapi_yaml};
pub use health::Readiness;
pub use language::Lang;
pub use live::{Deliveries, MarksWriter, WsSettings};
