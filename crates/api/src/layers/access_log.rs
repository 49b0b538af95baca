//! One log line per request: method, path, status, catalogue code and latency.
//! Query values of token parameters (`?token=` of the WebSocket routes, SPEC §4)
//! are redacted: a log is not a place for credentials.

use std::time::Instant;

use poem::http::Uri;
use poem::{Endpoint, Middleware, Request, Response, Result};

use crate::catalogue::Entry;

/// Logs every request (see the module doc).
pub struct AccessLog;

impl<E: Endpoint> Middleware<E> for AccessLog {
    type Output = AccessLogEndpoint<E>;

    fn transform(&self, inner: E) -> Self::Output {
        AccessLogEndpoint { inner }
    }
}

/// The endpoint made by [`AccessLog`].
pub struct AccessLogEndpoint<E> {
    inner: E,
}

impl<E: Endpoint> Endpoint for AccessLogEndpoint<E> {
    type Output = Response;

    async fn call(&self, req: Request) -> Result<Response> {
        let method = req.method().clone();
        let target = redact_target(req.uri());
        let started = Instant::now();
        let resp = self.inner.get_response(req).await;
        let latency_ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
        let code = resp.data::<Entry>().map_or(0, |entry| entry.code());
        tracing::info!(%method, path = %target, status = resp.status().as_u16(), code, latency_ms, "answered");
        Ok(resp)
    }
}

/// The path and query of `uri`, with the value of every query parameter whose
/// name contains `token` (any case) replaced by `[redacted]`. The name is read
/// as the server reads it, percent-decoded: `?%74oken=…` is a token too.
pub fn redact_target(uri: &Uri) -> String {
    let Some(query) = uri.query() else {
        return uri.path().to_owned();
    };
    let pairs: Vec<String> = query
        .split('&')
        .map(|pair| {
            let name = pair.split('=').next().unwrap_or_default();
            let decoded: Vec<(String, String)> = serde_urlencoded::from_str(pair).unwrap_or_default();
            let read_as = decoded.first().map_or(name, |(decoded, _)| decoded.as_str());
            if read_as.to_lowercase().contains("token") || name.to_ascii_lowercase().contains("token") {
                format!("{name}=[redacted]")
            } else {
                pair.to_owned()
            }
        })
        .collect();
    format!("{}?{}", uri.path(), pairs.join("&"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn redacted(target: &str) -> String {
        redact_target(&target.parse::<Uri>().unwrap())
    }

    #[test]
    fn token_query_values_are_redacted_in_the_log() {
        assert_eq!(redacted("/room/enter?roomId=1&token=eyJhbGci.x.y"), "/room/enter?roomId=1&token=[redacted]");
        assert_eq!(redacted("/room/enter?TOKEN=abc&since=3"), "/room/enter?TOKEN=[redacted]&since=3");
        assert_eq!(redacted("/room/enter?access_token"), "/room/enter?access_token=[redacted]");
    }

    #[test]
    fn percent_encoded_token_names_are_redacted_as_the_server_reads_them() {
        assert_eq!(redacted("/room/enter?%74oken=eyJhbGci.x.y"), "/room/enter?%74oken=[redacted]");
        assert_eq!(
            redacted("/room/enter?%54%4F%4B%45%4E=abc&since=3"),
            "/room/enter?%54%4F%4B%45%4E=[redacted]&since=3"
        );
        assert_eq!(redacted("/room/enter?to%6Ben"), "/room/enter?to%6Ben=[redacted]");
    }

    #[test]
    fn other_targets_are_logged_as_they_are() {
        assert_eq!(redacted("/room/retrieve?roomName=go"), "/room/retrieve?roomName=go");
        assert_eq!(redacted("/healthz"), "/healthz");
    }
}
