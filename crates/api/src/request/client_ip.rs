//! The client's address, for the per-IP limits of S3 and S4.
//!
//! By default it is the peer of the TCP connection. Behind a reverse proxy every
//! peer is the proxy, which would put all clients under one limit; the operator
//! then names the header the proxy sets (`http.client_ip_header`, e.g.
//! `X-Forwarded-For` or `X-Real-IP`) and the last address in it is used: the one
//! the proxy itself added, which a client cannot forge. Only name a header that
//! the proxy always sets, and only when every request comes through it.

use poem::http::HeaderName;
use poem::web::RemoteAddr;
use poem::Request;

/// Where the client's address comes from.
#[derive(Debug, Clone, Default)]
pub struct ClientIpSource {
    header: Option<HeaderName>,
}

impl ClientIpSource {
    /// The connection's peer, or the last address of `header` when one is named.
    pub fn new(header: Option<HeaderName>) -> Self {
        Self { header }
    }

    /// The client's IP address as text, if known.
    pub fn client_ip(&self, request: &Request) -> Option<String> {
        if let Some(name) = &self.header {
            let last = request
                .headers()
                .get_all(name)
                .iter()
                .filter_map(|value| value.to_str().ok())
                .flat_map(|value| value.split(','))
                .map(str::trim)
                .rfind(|address| !address.is_empty());
            return last.map(str::to_owned);
        }
        peer_ip(request.remote_addr())
    }
}

fn peer_ip(remote: &RemoteAddr) -> Option<String> {
    remote.as_socket_addr().map(|address| address.ip().to_string())
}

#[cfg(test)]
mod tests {
    use poem::http::HeaderValue;

    use super::*;

    fn request(forwarded: &[&str]) -> Request {
        let mut request = Request::builder().finish();
        for value in forwarded {
            request.headers_mut().append("x-forwarded-for", HeaderValue::from_str(value).unwrap());
        }
        request
    }

    #[test]
    fn without_a_header_the_peer_address_is_used_and_headers_are_ignored() {
        let source = ClientIpSource::default();
        // A request built in a test has no socket peer.
        assert_eq!(source.client_ip(&request(&["203.0.113.9"])), None);
    }

    #[test]
    fn with_a_header_its_last_address_is_used() {
        let source = ClientIpSource::new(Some(HeaderName::from_static("x-forwarded-for")));
        assert_eq!(source.client_ip(&request(&["198.51.100.1, 203.0.113.9"])), Some("203.0.113.9".to_owned()));
        assert_eq!(source.client_ip(&request(&["198.51.100.1", "203.0.113.7 "])), Some("203.0.113.7".to_owned()));
        assert_eq!(source.client_ip(&request(&[])), None);
    }
}
