//! [`Caller`] and [`LiveCaller`]: the authenticated caller of an operation,
//! extracted before anything else of the request (S9: a missing or invalid
//! token is E1002 before the body is read). The token is read as [`Token`]
//! reads it; the account service decides whether it is valid and its session
//! alive (S2, R11). The service comes from the route's data, which
//! [`crate::routes`] sets.

use std::sync::Arc;

use chatroom_domain::account::{AccountService, Authenticated};
use poem::{Request, RequestBody};
use poem_openapi::registry::{MetaSchemaRef, Registry};
use poem_openapi::types::Type;
use poem_openapi::{ApiExtractor, ApiExtractorType, ExtractParamOptions};

use super::token::{Token, SCHEME};
use crate::catalogue::Failure;

/// The caller, authenticated by the `Authorization` header.
pub struct Caller(pub Authenticated);

/// The caller of a WebSocket route, authenticated by the `Authorization` header
/// or else by the `token` query parameter (browsers cannot set headers on a
/// WebSocket, SPEC §4).
pub struct LiveCaller(pub Authenticated);

async fn authenticate(request: &Request, token: Option<String>) -> poem::Result<Authenticated> {
    let Some(accounts) = request.data::<Arc<dyn AccountService>>() else {
        return Err(Failure::unexpected(&"the routes carry no account service").into());
    };
    accounts.authenticate(token).await.map_err(|e| Failure::from(e).into())
}

impl<'a> ApiExtractor<'a> for Caller {
    const TYPES: &'static [ApiExtractorType] = &[ApiExtractorType::SecurityScheme];

    type ParamType = ();
    type ParamRawType = ();

    fn register(registry: &mut Registry) {
        Token::register(registry);
    }

    fn security_schemes() -> Vec<&'static str> {
        vec![SCHEME]
    }

    async fn from_request(
        request: &'a Request,
        _body: &mut RequestBody,
        _param_opts: ExtractParamOptions<Self::ParamType>,
    ) -> poem::Result<Self> {
        authenticate(request, Token::of_headers(request.headers()).into_inner()).await.map(Self)
    }
}

impl<'a> ApiExtractor<'a> for LiveCaller {
    const TYPES: &'static [ApiExtractorType] = &[ApiExtractorType::SecurityScheme, ApiExtractorType::Parameter];

    type ParamType = Option<String>;
    type ParamRawType = ();

    fn register(registry: &mut Registry) {
        Token::register(registry);
    }

    fn security_schemes() -> Vec<&'static str> {
        vec![SCHEME]
    }

    fn param_in() -> Option<poem_openapi::registry::MetaParamIn> {
        Some(poem_openapi::registry::MetaParamIn::Query)
    }

    fn param_schema_ref() -> Option<MetaSchemaRef> {
        Some(String::schema_ref())
    }

    async fn from_request(
        request: &'a Request,
        _body: &mut RequestBody,
        param_opts: ExtractParamOptions<Self::ParamType>,
    ) -> poem::Result<Self> {
        let in_query = || {
            let query: Vec<(String, String)> =
                serde_urlencoded::from_str(request.uri().query().unwrap_or_default()).unwrap_or_default();
            query.into_iter().rev().find(|(key, _)| key == param_opts.name).map(|(_, value)| value)
        };
        let token =
            Token::of_headers(request.headers()).into_inner().or_else(|| in_query().filter(|t| !t.trim().is_empty()));
        authenticate(request, token).await.map(Self)
    }
}
