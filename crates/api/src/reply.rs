//! What an operation returns: [`Answer`], a success envelope or a [`Failure`].
//!
//! [`Reply`] is poem-openapi's response type of every operation. It declares a
//! bad-request handler (`ApiResponse::BAD_REQUEST_HANDLER`, what
//! `#[oai(bad_request_handler = …)]` generates), so a missing parameter, an
//! unparseable body or a wrong content type becomes a `Failure` (E1001, E1006, …)
//! instead of poem-openapi's plain-text 400, and reaches the client in the
//! envelope like every other answer.

use std::collections::BTreeMap;
use std::marker::PhantomData;
use std::sync::{Mutex, OnceLock, PoisonError};

use poem::{IntoResponse, Response};
use poem_openapi::payload::Json;
use poem_openapi::registry::{MetaHeader, MetaMediaType, MetaResponse, MetaResponses, Registry};
use poem_openapi::types::{ParseFromJSON, ToJSON, Type};
use poem_openapi::ApiResponse;

use crate::catalogue::{documented, Entry, Failure, Refusals};
use crate::envelope::{Envelope, ErrorEnvelope};

/// The return type of every operation: handlers use `?` on domain results, whose
/// errors convert into [`Failure`] through the catalogue. `R` names the refusals
/// the operation documents (see [`crate::catalogue::Refusals`]).
pub type Answer<M = String, N = String, R = ()> = Result<Reply<M, N, R>, Failure>;

/// An operation's answer: its success envelope, or a refusal of the request
/// before the handler ran.
#[derive(Debug)]
pub struct Reply<M: ParseFromJSON + ToJSON, N: ParseFromJSON + ToJSON, R = ()> {
    outcome: Result<Envelope<M, N>, Failure>,
    refusals: PhantomData<fn() -> R>,
}

impl<M: ParseFromJSON + ToJSON, N: ParseFromJSON + ToJSON, R> Reply<M, N, R> {
    /// A success with these `Msg` and `Notice`.
    pub fn ok(msg: M, notice: N) -> Self {
        Self { outcome: Ok(Envelope::ok(msg, notice)), refusals: PhantomData }
    }
}

impl<N: ParseFromJSON + ToJSON, R> Reply<String, N, R> {
    /// A success with an empty `Msg`.
    pub fn notice(notice: N) -> Self {
        Self::ok(String::new(), notice)
    }
}

impl<M: ParseFromJSON + ToJSON, N: ParseFromJSON + ToJSON, R: Send> IntoResponse for Reply<M, N, R> {
    fn into_response(self) -> Response {
        match self.outcome {
            Ok(envelope) => Json(envelope).into_response(),
            Err(failure) => failure.into_response(),
        }
    }
}

fn json_of<T: Type>() -> Vec<MetaMediaType> {
    vec![MetaMediaType { content_type: "application/json; charset=utf-8", schema: T::schema_ref() }]
}

/// Keeps each distinct description once for the life of the process:
/// `MetaResponse` wants `&'static str`, and the descriptions are built from the
/// catalogue when the document is.
fn intern(text: String) -> &'static str {
    static TEXTS: OnceLock<Mutex<Vec<&'static str>>> = OnceLock::new();
    let mut texts = TEXTS.get_or_init(Mutex::default).lock().unwrap_or_else(PoisonError::into_inner);
    if let Some(known) = texts.iter().find(|known| **known == text) {
        return known;
    }
    let leaked: &'static str = Box::leak(text.into_boxed_str());
    texts.push(leaked);
    leaked
}

/// One line per entry: code, Msg and Notice in both languages.
fn describe_entry(entry: Entry) -> String {
    let (msg, notice) = (entry.msg(), entry.notice());
    if msg == notice {
        format!("- `Code` {}: {} ({})", entry.code(), msg.zh, msg.en)
    } else {
        format!("- `Code` {}: {} / {} ({} / {})", entry.code(), msg.zh, notice.zh, msg.en, notice.en)
    }
}

/// The failure responses of an operation: one per HTTP status its refusals use,
/// listing the codes answered with it.
fn failure_responses(entries: &[Entry]) -> Vec<MetaResponse> {
    let mut by_status: BTreeMap<u16, Vec<Entry>> = BTreeMap::new();
    for entry in entries {
        by_status.entry(entry.status().as_u16()).or_default().push(*entry);
    }
    by_status
        .into_iter()
        .map(|(status, entries)| {
            let lines: Vec<String> = entries.into_iter().map(describe_entry).collect();
            // Rate limits (429) and outages (503, E5003) say when to try again.
            let headers = if status == 429 || status == 503 {
                vec![MetaHeader {
                    name: "Retry-After".to_owned(),
                    description: Some("Seconds until the client may try again.".to_owned()),
                    required: true,
                    deprecated: false,
                    schema: u64::schema_ref(),
                }]
            } else {
                Vec::new()
            };
            MetaResponse {
                description: intern(format!("Refused (the envelope with `Code` ≠ 0):\n{}", lines.join("\n"))),
                status: Some(status),
                status_range: None,
                content: json_of::<ErrorEnvelope>(),
                headers,
            }
        })
        .collect()
}

/// The `default` response: refusals an operation does not list itself.
fn other_refusals() -> MetaResponse {
    MetaResponse {
        description: "Any other refusal of the error catalogue, e.g. E1005 (405, with `Allow`) or E5003 (503). With \
                      `http.legacy_status_200` every answer, refusals included, has status 200 and only `Code` \
                      tells them apart.",
        status: None,
        status_range: None,
        content: json_of::<ErrorEnvelope>(),
        headers: vec![],
    }
}

impl<M: ParseFromJSON + ToJSON, N: ParseFromJSON + ToJSON, R: Refusals + Send> ApiResponse for Reply<M, N, R> {
    const BAD_REQUEST_HANDLER: bool = true;

    fn meta() -> MetaResponses {
        let success = MetaResponse {
            description: "Success: `Code` 0.",
            status: Some(200),
            status_range: None,
            content: json_of::<Envelope<M, N>>(),
            headers: vec![],
        };
        let mut responses = vec![success];
        responses.extend(failure_responses(&documented::<R>()));
        responses.push(other_refusals());
        MetaResponses { responses }
    }

    fn register(registry: &mut Registry) {
        Envelope::<M, N>::register(registry);
        ErrorEnvelope::register(registry);
    }

    fn from_parse_request_error(err: poem::Error) -> Self {
        Self { outcome: Err(Failure::from_error(&err)), refusals: PhantomData }
    }
}

/// The answer of a WebSocket route: the upgrade (101), or a refusal before it
/// in the envelope, like any operation's (SPEC §6: nothing is created or joined
/// then). `R` names the refusals, as for [`Reply`].
pub struct Upgrade<R = ()> {
    outcome: Result<Response, Failure>,
    refusals: PhantomData<fn() -> R>,
}

impl<R> Upgrade<R> {
    /// The response that switches the connection to WebSocket.
    pub fn switching(response: Response) -> Self {
        Self { outcome: Ok(response), refusals: PhantomData }
    }
}

impl<R: Send> IntoResponse for Upgrade<R> {
    fn into_response(self) -> Response {
        match self.outcome {
            Ok(response) => response,
            Err(failure) => failure.into_response(),
        }
    }
}

impl<R: Refusals + Send> ApiResponse for Upgrade<R> {
    const BAD_REQUEST_HANDLER: bool = true;

    fn meta() -> MetaResponses {
        let switching = MetaResponse {
            description: "Switching Protocols: the WebSocket session begins with the `welcome` frame; frames and \
                          close codes are described in docs/websocket.md.",
            status: Some(101),
            status_range: None,
            content: Vec::new(),
            headers: vec![],
        };
        let mut upgrade = documented::<R>();
        upgrade.push(Entry::E1303WebSocketRequired);
        upgrade.sort_by_key(|entry| (entry.status().as_u16(), entry.code()));
        upgrade.dedup();
        let mut responses = vec![switching];
        responses.extend(failure_responses(&upgrade));
        responses.push(other_refusals());
        MetaResponses { responses }
    }

    fn register(registry: &mut Registry) {
        ErrorEnvelope::register(registry);
    }

    fn from_parse_request_error(err: poem::Error) -> Self {
        Self { outcome: Err(Failure::from_error(&err)), refusals: PhantomData }
    }
}
