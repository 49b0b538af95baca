//! SPEC §4 "Limits": a body over `max_body_bytes` is refused with E1007, whether
//! it declares its length (refused before routing) or streams it chunked (refused
//! as soon as the limit is crossed while a handler reads it). A route may have a
//! limit and a refusal of its own: `/room/sendImg` takes images up to
//! `images.max_bytes` and answers E1302 above its limit.

use std::io;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use futures_util::StreamExt;
use poem::http::header;
use poem::{Body, Endpoint, IntoResponse, Middleware, Request, Response, Result};

use crate::catalogue::{Entry, Failure};

/// How large a body may be, and the refusal above that.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Limit {
    max_bytes: usize,
    refusal: Entry,
}

/// Refuses bodies over a number of bytes (see the module doc).
pub struct BodyLimit {
    default: Limit,
    /// Exact request paths with a limit of their own.
    routes: Arc<[(String, Limit)]>,
}

impl BodyLimit {
    /// A limit of `max_bytes` per request body, refused with E1007.
    pub fn new(max_bytes: usize) -> Self {
        Self { default: Limit { max_bytes, refusal: Entry::E1007BodyTooLarge }, routes: Arc::new([]) }
    }

    /// Requests to exactly `path` may carry `max_bytes`, and are refused with
    /// `refusal` above that.
    pub fn with_route(self, path: &str, max_bytes: usize, refusal: Entry) -> Self {
        let mut routes = self.routes.to_vec();
        routes.push((path.to_owned(), Limit { max_bytes, refusal }));
        Self { routes: routes.into(), ..self }
    }
}

impl<E: Endpoint> Middleware<E> for BodyLimit {
    type Output = BodyLimitEndpoint<E>;

    fn transform(&self, inner: E) -> Self::Output {
        BodyLimitEndpoint { inner, default: self.default, routes: Arc::clone(&self.routes) }
    }
}

/// The endpoint made by [`BodyLimit`].
pub struct BodyLimitEndpoint<E> {
    inner: E,
    default: Limit,
    routes: Arc<[(String, Limit)]>,
}

impl<E> BodyLimitEndpoint<E> {
    fn limit_of(&self, path: &str) -> Limit {
        self.routes.iter().find(|(route, _)| route == path).map_or(self.default, |(_, limit)| *limit)
    }
}

/// The refusal of a body over the limit, which is left unread: the answer says
/// `Connection: close`, so a keep-alive client does not send its next request on
/// a connection the server is about to drop.
fn too_large(limit: Limit) -> Response {
    let mut resp = Failure::new(limit.refusal).into_response();
    resp.headers_mut().insert(header::CONNECTION, header::HeaderValue::from_static("close"));
    resp
}

impl<E: Endpoint> Endpoint for BodyLimitEndpoint<E> {
    type Output = Response;

    async fn call(&self, mut req: Request) -> Result<Response> {
        let limit = self.limit_of(req.uri().path());
        let declared = req
            .headers()
            .get(header::CONTENT_LENGTH)
            .and_then(|value| value.to_str().ok())
            .and_then(|value| value.parse::<u64>().ok());
        if let Some(length) = declared {
            if length > limit.max_bytes as u64 {
                return Ok(too_large(limit));
            }
            // hyper stops a body at its declared length.
            return Ok(self.inner.get_response(req).await);
        }
        let crossed = Arc::new(AtomicBool::new(false));
        let (max, flag) = (limit.max_bytes, Arc::clone(&crossed));
        let mut seen = 0usize;
        let limited = req.take_body().into_bytes_stream().map(move |chunk| {
            let chunk = chunk?;
            seen = seen.saturating_add(chunk.len());
            if seen > max {
                flag.store(true, Ordering::Relaxed);
                return Err(io::Error::other("request body over the limit"));
            }
            Ok(chunk)
        });
        req.set_body(Body::from_bytes_stream(limited));
        let resp = self.inner.get_response(req).await;
        if crossed.load(Ordering::Relaxed) {
            return Ok(too_large(limit));
        }
        Ok(resp)
    }
}
