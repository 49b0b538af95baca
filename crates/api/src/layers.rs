//! The middleware every request passes through, outermost first:
//!
//! 1. [`RequestIds`]: takes a sane incoming `X-Request-Id` or makes one, opens the
//!    request's tracing span with it, and echoes it in the response.
//! 2. [`AccessLog`]: one line per request with method, path (tokens redacted),
//!    status, catalogue code and latency.
//! 3. [`Envelopes`]: turns every failure, whoever produced it, into the envelope in
//!    the client's language, with the configured status policy, `Allow` on 405
//!    and `Retry-After` where known.
//! 4. [`AllowedOrigins`]: CORS for the origins of `allowed_origins` only.
//! 5. [`BodyLimit`]: E1007 for bodies over `max_body_bytes`.
//! 6. [`Detached`]: the handler runs on a task of its own, so a client that goes
//!    away never cancels a change between its commit and its publication.

mod access_log;
mod body_limit;
mod detach;
mod envelopes;
mod methods;
mod origins;
mod request_id;

pub use access_log::{redact_target, AccessLog};
pub use body_limit::BodyLimit;
pub use detach::Detached;
pub use envelopes::Envelopes;
pub use methods::MethodTable;
pub use origins::AllowedOrigins;
pub use request_id::{RequestId, RequestIds, REQUEST_ID_HEADER};
