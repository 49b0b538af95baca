//! The one place where failures become bytes. Whatever refused the request — a
//! handler (`Err(Failure)`), poem-openapi's parsers (through the bad-request
//! handler of [`crate::reply::Reply`]), poem's router (404, 405), a middleware
//! (413) — its answer reaches this layer either carrying a [`Failure`] or as a
//! bare error status, and leaves it as the envelope in the client's language,
//! with the catalogue's status (or 200 under `legacy_status_200`), `Allow` on
//! E1005 and `Retry-After` where the failure knows it. Headers set further in
//! (CORS) are kept.

use std::collections::HashSet;
use std::sync::Arc;

use poem::http::{header, HeaderName, HeaderValue};
use poem::{Endpoint, IntoResponse, Middleware, Request, Response, Result};

use crate::catalogue::{Entry, Failure};
use crate::language::Lang;
use crate::layers::MethodTable;

/// Answers every failure with the envelope (see the module doc).
pub struct Envelopes {
    legacy_status_200: bool,
    methods: Arc<MethodTable>,
}

impl Envelopes {
    /// Answers failures with real statuses, or 200 when `legacy_status_200`;
    /// `methods` gives the `Allow` header of E1005 answers.
    pub fn new(legacy_status_200: bool, methods: MethodTable) -> Self {
        Self { legacy_status_200, methods: Arc::new(methods) }
    }
}

impl<E: Endpoint> Middleware<E> for Envelopes {
    type Output = EnvelopesEndpoint<E>;

    fn transform(&self, inner: E) -> Self::Output {
        EnvelopesEndpoint { inner, legacy_status_200: self.legacy_status_200, methods: Arc::clone(&self.methods) }
    }
}

/// The endpoint made by [`Envelopes`].
pub struct EnvelopesEndpoint<E> {
    inner: E,
    legacy_status_200: bool,
    methods: Arc<MethodTable>,
}

impl<E: Endpoint> Endpoint for EnvelopesEndpoint<E> {
    type Output = Response;

    async fn call(&self, req: Request) -> Result<Response> {
        let lang = Lang::of_headers(req.headers());
        let path = req.uri().path().to_owned();
        let (failure, resp) = match self.inner.call(req).await {
            Ok(output) => {
                let resp = output.into_response();
                let failure = match resp.data::<Failure>() {
                    Some(failure) => failure.clone(),
                    None if resp.status().is_client_error() || resp.status().is_server_error() => {
                        Failure::from_status(resp.status())
                    }
                    None => return Ok(resp),
                };
                (failure, resp)
            }
            Err(err) => (Failure::from_error(&err), err.into_response()),
        };
        Ok(self.answer(&failure, &resp, lang, &path))
    }
}

impl<E> EnvelopesEndpoint<E> {
    fn answer(&self, failure: &Failure, original: &Response, lang: Lang, path: &str) -> Response {
        let mut resp = failure.to_response(lang, self.legacy_status_200);
        let own: HashSet<HeaderName> = resp.headers().keys().cloned().collect();
        for (name, value) in original.headers() {
            if !own.contains(name) && *name != header::CONTENT_LENGTH {
                resp.headers_mut().append(name.clone(), value.clone());
            }
        }
        if failure.entry() == Entry::E1005MethodNotAllowed {
            if let Some(allow) = self.methods.allow(path).and_then(|a| HeaderValue::from_str(&a).ok()) {
                resp.headers_mut().insert(header::ALLOW, allow);
            }
        }
        // For the access log, which sits outside this layer.
        resp.set_data(failure.entry());
        resp
    }
}
