//! A refused request as data: a catalogue entry plus what its answer needs (the
//! refused field for E1001, `Retry-After` for E1103/E1105/E2010/E5003). A `Failure` is
//! turned into bytes only by the envelope layer, which knows the client's language
//! and the status policy; until then it travels in the response's (or error's)
//! extensions, so that handlers, poem-openapi's parsers and poem's router all end
//! in the same envelope.

use std::fmt::Display;
use std::time::Duration;

use chatroom_domain::system::Unavailable;
use chatroom_domain::validation::InvalidInput;
use poem::error::{
    CorsError, MethodNotAllowedError, NotFoundError, ParseFormError, ParseJsonError, ParseQueryError, ReadBodyError,
    WebSocketError,
};
use poem::http::{header, HeaderValue, StatusCode};
use poem::{IntoResponse, Response};
use poem_openapi::error::{
    AuthorizationError, ContentTypeError, ParseMultipartError, ParseParamError, ParsePathError,
    ParseRequestPayloadError,
};
use poem_openapi::payload::Json;
use poem_openapi::registry::{MetaResponses, Registry};
use poem_openapi::ApiResponse;

use super::entry::{Entry, Text};
use super::invalid::{invalid_input_notice, malformed_notice};
use crate::envelope::ErrorEnvelope;
use crate::language::Lang;

/// The longest parser explanation an E1001 notice repeats.
const MAX_REASON_CHARS: usize = 200;

/// The `Retry-After` of E5003: an outage is not over in a second, and clients
/// retrying at once would only add load to a database that is coming back.
pub const UNAVAILABLE_RETRY_AFTER: Duration = Duration::from_secs(5);

/// What an answer says beyond its entry's fixed texts.
#[derive(Clone, Debug, PartialEq)]
enum Detail {
    None,
    /// A domain validation failure: the notice names the field and the rule.
    Invalid(InvalidInput),
    /// A request the parsers refused: the notice names the parameter if known.
    Malformed {
        field: Option<String>,
        reason: Option<String>,
    },
    /// A refusal whose notice is a fixed text of the edge (not a domain rule).
    Notice(Text),
}

/// A refused request: one catalogue entry and the details of its answer.
#[derive(Clone, Debug, PartialEq)]
pub struct Failure {
    entry: Entry,
    detail: Detail,
    retry_after: Option<Duration>,
}

impl Failure {
    /// A failure answered with the fixed texts of `entry`.
    pub fn new(entry: Entry) -> Self {
        Self { entry, detail: Detail::None, retry_after: None }
    }

    /// E1001 for a domain validation failure; the notice names the field and rule.
    pub fn invalid(invalid: InvalidInput) -> Self {
        Self { detail: Detail::Invalid(invalid), ..Self::new(Entry::E1001InvalidInput) }
    }

    /// E1001 for a request the parsers refused (missing or mistyped parameter,
    /// unreadable body).
    pub fn malformed(field: Option<&str>, reason: Option<&str>) -> Self {
        let reason = reason.map(|r| r.chars().take(MAX_REASON_CHARS).collect());
        let detail = Detail::Malformed { field: field.map(str::to_owned), reason };
        Self { detail, ..Self::new(Entry::E1001InvalidInput) }
    }

    /// E1001 with a notice of the edge's own (a refused WebSocket frame, an
    /// `Origin` outside the allow-list), in both languages.
    pub fn invalid_with(notice: Text) -> Self {
        Self { detail: Detail::Notice(notice), ..Self::new(Entry::E1001InvalidInput) }
    }

    /// E5000 for an unexpected error. The error is logged here, once, inside the
    /// request's span (which carries the request id); the answer has no detail.
    pub fn unexpected(error: &dyn Display) -> Self {
        tracing::error!(error = %format_args!("{error:#}"), "unexpected failure, answered E5000");
        Self::new(Entry::E5000Internal)
    }

    /// E5003 (SPEC §5): a dependency of the node is unreachable, try again in
    /// [`UNAVAILABLE_RETRY_AFTER`].
    pub fn unavailable() -> Self {
        Self::new(Entry::E5003Unavailable).with_retry_after(UNAVAILABLE_RETRY_AFTER)
    }

    /// The answer to an operation's `Unexpected` error: E5003 when its chain of
    /// causes holds the domain's [`Unavailable`] (the database could not be
    /// reached), logged as one warning; otherwise E5000, logged as an error (see
    /// [`Failure::unexpected`]). Neither answer carries any detail of the error.
    pub fn internal(error: &anyhow::Error) -> Self {
        match Unavailable::find(error) {
            Some(unavailable) => {
                let dependency = unavailable.dependency();
                tracing::warn!(error = %format_args!("{error:#}"), "{dependency} is unreachable, answered E5003");
                Self::unavailable()
            }
            None => Self::unexpected(error),
        }
    }

    /// The same failure, answered with `Retry-After` (E1103, E1105, E2010).
    pub fn with_retry_after(self, retry_after: Duration) -> Self {
        Self { retry_after: Some(retry_after), ..self }
    }

    /// The catalogue entry.
    pub fn entry(&self) -> Entry {
        self.entry
    }

    /// How long the client should wait before trying again, if that is known.
    pub fn retry_after(&self) -> Option<Duration> {
        self.retry_after
    }

    /// The `Notice` in `lang`.
    pub fn notice(&self, lang: Lang) -> String {
        match &self.detail {
            Detail::None => self.entry.notice().get(lang).to_owned(),
            Detail::Invalid(invalid) => invalid_input_notice(invalid, lang),
            Detail::Malformed { field, reason } => malformed_notice(field.as_deref(), reason.as_deref(), lang),
            Detail::Notice(text) => text.get(lang).to_owned(),
        }
    }

    /// The envelope of this failure in `lang`.
    pub fn envelope(&self, lang: Lang) -> ErrorEnvelope {
        ErrorEnvelope::new(self.entry.code(), self.entry.msg().get(lang), self.notice(lang))
    }

    /// The complete answer: envelope, status (200 under `legacy_status_200`) and
    /// `Retry-After` in whole seconds, rounded up.
    pub fn to_response(&self, lang: Lang, legacy_status_200: bool) -> Response {
        let status = if legacy_status_200 { StatusCode::OK } else { self.entry.status() };
        let mut resp = Json(self.envelope(lang)).into_response();
        resp.set_status(status);
        if let Some(wait) = self.retry_after {
            let secs = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
            resp.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(secs.max(1)));
        }
        resp
    }

    /// Classifies an error raised by poem or poem-openapi (router, extractors,
    /// payload parsers, middleware). Errors that already carry a `Failure` keep it.
    pub fn from_error(err: &poem::Error) -> Self {
        if let Some(failure) = err.data::<Failure>() {
            return failure.clone();
        }
        if let Some(e) = err.downcast_ref::<ParseParamError>() {
            return Self::malformed(Some(e.name), Some(&e.reason));
        }
        if let Some(e) = err.downcast_ref::<ParsePathError>() {
            return Self::malformed(Some(e.name), Some(&e.reason));
        }
        if let Some(e) = err.downcast_ref::<ParseRequestPayloadError>() {
            return Self::malformed(None, Some(&e.reason));
        }
        if let Some(e) = err.downcast_ref::<ParseMultipartError>() {
            return Self::malformed(None, Some(&e.reason));
        }
        if err.is::<ContentTypeError>() {
            return Self::new(Entry::E1006UnsupportedContentType);
        }
        if err.is::<AuthorizationError>() {
            return Self::new(Entry::E1002MissingToken);
        }
        if let Some(ReadBodyError::PayloadTooLarge) = err.downcast_ref::<ReadBodyError>() {
            return Self::new(Entry::E1007BodyTooLarge);
        }
        if err.is::<NotFoundError>() {
            return Self::new(Entry::E1004UnknownRoute);
        }
        if err.is::<MethodNotAllowedError>()
            || matches!(err.downcast_ref::<CorsError>(), Some(CorsError::MethodNotAllowed))
        {
            return Self::new(Entry::E1005MethodNotAllowed);
        }
        if err.is::<WebSocketError>() {
            return Self::new(Entry::E1303WebSocketRequired);
        }
        if err.is::<ParseJsonError>() || err.is::<ParseFormError>() || err.is::<ParseQueryError>() {
            if err.status() == StatusCode::UNSUPPORTED_MEDIA_TYPE {
                return Self::new(Entry::E1006UnsupportedContentType);
            }
            return Self::malformed(None, Some(&err.to_string()));
        }
        if err.status().is_server_error() && err.status() != StatusCode::SERVICE_UNAVAILABLE {
            return Self::unexpected(err);
        }
        Self::from_status(err.status())
    }

    /// Classifies an error answer that carries no `Failure` by its status alone.
    pub fn from_status(status: StatusCode) -> Self {
        let entry = match status {
            StatusCode::UNAUTHORIZED => Entry::E1002InvalidToken,
            StatusCode::NOT_FOUND => Entry::E1004UnknownRoute,
            StatusCode::METHOD_NOT_ALLOWED => Entry::E1005MethodNotAllowed,
            StatusCode::PAYLOAD_TOO_LARGE => Entry::E1007BodyTooLarge,
            StatusCode::UNSUPPORTED_MEDIA_TYPE => Entry::E1006UnsupportedContentType,
            StatusCode::UPGRADE_REQUIRED => Entry::E1303WebSocketRequired,
            StatusCode::SERVICE_UNAVAILABLE => Entry::E5003Unavailable,
            s if s.is_client_error() => Entry::E1001InvalidInput,
            _ => Entry::E5000Internal,
        };
        Self::new(entry)
    }
}

impl From<Entry> for Failure {
    fn from(entry: Entry) -> Self {
        Self::new(entry)
    }
}

/// Renders the Chinese answer with the real status and attaches the failure, so
/// the envelope layer can render it again for the client's language and policy.
impl IntoResponse for Failure {
    fn into_response(self) -> Response {
        let mut resp = self.to_response(Lang::Zh, false);
        resp.set_data(self);
        resp
    }
}

impl From<Failure> for poem::Error {
    fn from(failure: Failure) -> Self {
        let mut err = poem::Error::from_response(failure.clone().into_response());
        // `Error::into_response` replaces the response's extensions by the error's.
        err.set_data(failure);
        err
    }
}

/// Failures are documented by each operation's [`crate::reply::Reply`], from the
/// refusals it names, so this adds nothing to the document.
impl ApiResponse for Failure {
    fn meta() -> MetaResponses {
        MetaResponses { responses: Vec::new() }
    }

    fn register(_registry: &mut Registry) {}
}
