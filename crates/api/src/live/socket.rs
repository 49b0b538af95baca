//! The WebSocket handshake and stream, on tokio-tungstenite directly rather than
//! through poem's wrapper: its frames are `Utf8Bytes`, so the text of an event,
//! encoded once, is shared by every connection that sends it (no copy per
//! recipient), and the buffers are sized here (an idle connection costs a few
//! KiB, not the 128 KiB of the defaults).

use std::future::Future;

use poem::error::WebSocketError;
use poem::http::header::{self, HeaderValue};
use poem::http::{Method, StatusCode};
use poem::{FromRequest, OnUpgrade, Request, RequestBody, Response, Upgraded};
use tokio_tungstenite::tungstenite::handshake::derive_accept_key;
use tokio_tungstenite::tungstenite::protocol::{Role, WebSocketConfig};
use tokio_tungstenite::WebSocketStream;

/// A server-side WebSocket connection.
pub(crate) type Socket = WebSocketStream<Upgraded>;

/// Bytes read from the socket at a time; a larger frame grows the buffer as it
/// arrives, up to the frame limit.
const READ_BUFFER_BYTES: usize = 1024;

/// Frames handed to the socket together (a burst) are written together up to
/// this size; a lone frame is written at once (the session flushes when its
/// queue is empty).
const WRITE_BUFFER_BYTES: usize = 1024;

/// A request to switch to the WebSocket protocol (RFC 6455 §4.2.1). A request
/// without it is refused with poem's `WebSocketError`, which the catalogue
/// answers as E1303.
pub struct Handshake {
    key: HeaderValue,
    on_upgrade: OnUpgrade,
}

impl<'a> FromRequest<'a> for Handshake {
    async fn from_request(req: &'a Request, _body: &mut RequestBody) -> poem::Result<Self> {
        let headers = req.headers();
        let has = |name: header::HeaderName, wanted: &str| {
            headers
                .get_all(name)
                .iter()
                .filter_map(|value| value.to_str().ok())
                .any(|value| value.split(',').any(|token| token.trim().eq_ignore_ascii_case(wanted)))
        };
        let upgrade = req.method() == Method::GET
            && has(header::UPGRADE, "websocket")
            && has(header::CONNECTION, "upgrade")
            && headers.get(header::SEC_WEBSOCKET_VERSION).is_some_and(|v| v == "13");
        let key = headers.get(header::SEC_WEBSOCKET_KEY).filter(|_| upgrade).cloned();
        let key = key.ok_or(WebSocketError::InvalidProtocol)?;
        Ok(Self { key, on_upgrade: req.take_upgrade()? })
    }
}

impl Handshake {
    /// The 101 answer. Once the client has switched, `session` runs on a task of
    /// its own with the socket, its frames limited to `max_frame_bytes`; if the
    /// switch never happens, `session` is dropped without running.
    pub(crate) fn accept<F, Fut>(self, max_frame_bytes: usize, session: F) -> Response
    where
        F: FnOnce(Socket) -> Fut + Send + 'static,
        Fut: Future<Output = ()> + Send + 'static,
    {
        let accept = derive_accept_key(self.key.as_bytes());
        let on_upgrade = self.on_upgrade;
        tokio::spawn(async move {
            let Ok(upgraded) = on_upgrade.await else { return };
            let socket = WebSocketStream::from_raw_socket(upgraded, Role::Server, Some(config(max_frame_bytes))).await;
            // A task of its own, sized to the session alone: awaited here, the
            // session's future would sit beside this one's for the whole connection.
            tokio::spawn(session(socket));
        });
        Response::builder()
            .status(StatusCode::SWITCHING_PROTOCOLS)
            .header(header::CONNECTION, "upgrade")
            .header(header::UPGRADE, "websocket")
            .header(header::SEC_WEBSOCKET_ACCEPT, accept)
            .finish()
    }
}

/// Small buffers; messages and frames above `max_frame_bytes` are refused by
/// the protocol layer before they are buffered whole.
fn config(max_frame_bytes: usize) -> WebSocketConfig {
    WebSocketConfig::default()
        .read_buffer_size(READ_BUFFER_BYTES)
        .write_buffer_size(WRITE_BUFFER_BYTES)
        .max_write_buffer_size(usize::MAX)
        .max_message_size(Some(max_frame_bytes))
        .max_frame_size(Some(max_frame_bytes))
}
