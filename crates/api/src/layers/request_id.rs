//! Request ids: every request gets one, every log line of it carries it (through
//! the `request` span) and every response echoes it in `X-Request-Id`, so an E5000
//! answer can be matched with its log entry.

use poem::http::HeaderValue;
use poem::{Endpoint, Middleware, Request, Response, Result};
use tracing::Instrument;

/// The header that carries the request id, in both directions.
pub const REQUEST_ID_HEADER: &str = "x-request-id";

const MAX_LEN: usize = 128;

/// The id of the current request, available to handlers as request data.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RequestId(pub String);

/// Assigns request ids (see the module doc).
pub struct RequestIds;

impl<E: Endpoint> Middleware<E> for RequestIds {
    type Output = RequestIdEndpoint<E>;

    fn transform(&self, inner: E) -> Self::Output {
        RequestIdEndpoint { inner }
    }
}

/// The endpoint made by [`RequestIds`].
pub struct RequestIdEndpoint<E> {
    inner: E,
}

/// An incoming id is kept when it is 1–128 characters of `[A-Za-z0-9._:-]`, so it
/// cannot forge log lines or headers; anything else is replaced.
fn is_sane(id: &str) -> bool {
    (1..=MAX_LEN).contains(&id.len())
        && id.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b':' | b'-'))
}

impl<E: Endpoint> Endpoint for RequestIdEndpoint<E> {
    type Output = Response;

    async fn call(&self, mut req: Request) -> Result<Response> {
        let id = req
            .headers()
            .get(REQUEST_ID_HEADER)
            .and_then(|value| value.to_str().ok())
            .filter(|id| is_sane(id))
            .map_or_else(|| uuid::Uuid::new_v4().to_string(), str::to_owned);
        req.set_data(RequestId(id.clone()));
        let span = tracing::info_span!("request", request_id = %id);
        let mut resp = self.inner.get_response(req).instrument(span).await;
        if let Ok(value) = HeaderValue::from_str(&id) {
            resp.headers_mut().insert(REQUEST_ID_HEADER, value);
        }
        Ok(resp)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn request_ids_of_safe_characters_are_kept() {
        assert!(is_sane("3f2a-11:req.7_x"));
        assert!(!is_sane(""));
        assert!(!is_sane("two words"));
        assert!(!is_sane("line\nbreak"));
        assert!(!is_sane(&"x".repeat(MAX_LEN + 1)));
    }
}
