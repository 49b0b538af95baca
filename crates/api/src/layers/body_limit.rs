//! SPEC §4 "Limits": a body over `max_body_bytes` is refused with E1007, whether
//! it declares its length (refused before routing) or streams it chunked (refused
//! as soon as the limit is crossed while a handler reads it).

use std::io;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use futures_util::StreamExt;
use poem::http::header;
use poem::{Body, Endpoint, IntoResponse, Middleware, Request, Response, Result};

use crate::catalogue::{Entry, Failure};

/// Refuses bodies over a number of bytes (see the module doc).
pub struct BodyLimit {
    max_bytes: usize,
}

impl BodyLimit {
    /// A limit of `max_bytes` per request body.
    pub fn new(max_bytes: usize) -> Self {
        Self { max_bytes }
    }
}

impl<E: Endpoint> Middleware<E> for BodyLimit {
    type Output = BodyLimitEndpoint<E>;

    fn transform(&self, inner: E) -> Self::Output {
        BodyLimitEndpoint { inner, max_bytes: self.max_bytes }
    }
}

/// The endpoint made by [`BodyLimit`].
pub struct BodyLimitEndpoint<E> {
    inner: E,
    max_bytes: usize,
}

fn too_large() -> Response {
    Failure::new(Entry::E1007BodyTooLarge).into_response()
}

impl<E: Endpoint> Endpoint for BodyLimitEndpoint<E> {
    type Output = Response;

    async fn call(&self, mut req: Request) -> Result<Response> {
        let declared = req
            .headers()
            .get(header::CONTENT_LENGTH)
            .and_then(|value| value.to_str().ok())
            .and_then(|value| value.parse::<u64>().ok());
        if let Some(length) = declared {
            if length > self.max_bytes as u64 {
                return Ok(too_large());
            }
            // hyper stops a body at its declared length.
            return Ok(self.inner.get_response(req).await);
        }
        let crossed = Arc::new(AtomicBool::new(false));
        let (max, flag) = (self.max_bytes, Arc::clone(&crossed));
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
            return Ok(too_large());
        }
        Ok(resp)
    }
}
