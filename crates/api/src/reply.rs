//! What an operation returns: [`Answer`], a success envelope or a [`Failure`].
//!
//! [`Reply`] is poem-openapi's response type of every operation. It declares a
//! bad-request handler (`ApiResponse::BAD_REQUEST_HANDLER`, what
//! `#[oai(bad_request_handler = …)]` generates), so a missing parameter, an
//! unparseable body or a wrong content type becomes a `Failure` (E1001, E1006, …)
//! instead of poem-openapi's plain-text 400, and reaches the client in the
//! envelope like every other answer.

use poem::{IntoResponse, Response};
use poem_openapi::payload::Json;
use poem_openapi::registry::{MetaMediaType, MetaResponse, MetaResponses, Registry};
use poem_openapi::types::{ParseFromJSON, ToJSON, Type};
use poem_openapi::ApiResponse;

use crate::catalogue::Failure;
use crate::envelope::{Envelope, ErrorEnvelope};

/// The return type of every operation: handlers use `?` on domain results, whose
/// errors convert into [`Failure`] through the catalogue.
pub type Answer<M = String, N = String> = Result<Reply<M, N>, Failure>;

/// An operation's answer: its success envelope, or a refusal of the request
/// before the handler ran.
#[derive(Debug)]
pub enum Reply<M: ParseFromJSON + ToJSON, N: ParseFromJSON + ToJSON> {
    /// `Code` 0 and the operation's `Msg` and `Notice`.
    Ok(Envelope<M, N>),
    /// The request could not be parsed; answered like any other failure.
    Refused(Failure),
}

impl<M: ParseFromJSON + ToJSON, N: ParseFromJSON + ToJSON> Reply<M, N> {
    /// A success with these `Msg` and `Notice`.
    pub fn ok(msg: M, notice: N) -> Self {
        Self::Ok(Envelope::ok(msg, notice))
    }
}

impl<N: ParseFromJSON + ToJSON> Reply<String, N> {
    /// A success with an empty `Msg`.
    pub fn notice(notice: N) -> Self {
        Self::Ok(Envelope::notice(notice))
    }
}

impl<M: ParseFromJSON + ToJSON, N: ParseFromJSON + ToJSON> IntoResponse for Reply<M, N> {
    fn into_response(self) -> Response {
        match self {
            Self::Ok(envelope) => Json(envelope).into_response(),
            Self::Refused(failure) => failure.into_response(),
        }
    }
}

fn json_of<T: Type>() -> Vec<MetaMediaType> {
    vec![MetaMediaType { content_type: "application/json; charset=utf-8", schema: T::schema_ref() }]
}

impl<M: ParseFromJSON + ToJSON, N: ParseFromJSON + ToJSON> ApiResponse for Reply<M, N> {
    const BAD_REQUEST_HANDLER: bool = true;

    fn meta() -> MetaResponses {
        MetaResponses {
            responses: vec![
                MetaResponse {
                    description: "Success: `Code` 0.",
                    status: Some(200),
                    status_range: None,
                    content: json_of::<Envelope<M, N>>(),
                    headers: vec![],
                },
                MetaResponse {
                    description: "Failure: `Code` is a number of the error catalogue and the status is the \
                                  catalogue's (200 when the server runs with `http.legacy_status_200`). \
                                  429 answers carry `Retry-After`, 405 answers `Allow`.",
                    status: None,
                    status_range: None,
                    content: json_of::<ErrorEnvelope>(),
                    headers: vec![],
                },
            ],
        }
    }

    fn register(registry: &mut Registry) {
        Envelope::<M, N>::register(registry);
        ErrorEnvelope::register(registry);
    }

    fn from_parse_request_error(err: poem::Error) -> Self {
        Self::Refused(Failure::from_error(&err))
    }
}
