//! [`WsClient`]: a WebSocket client for the black-box tests of SPEC §7. A
//! [`WsRequest`] opens `ws://<address><path>?<params>` with the token in the header
//! (`Bearer` or bare) or in `?token=`; a server that refuses the upgrade answers
//! with an ordinary HTTP response, returned as a [`Refusal`] (status and envelope).
//! Every wait takes a timeout, so a missing frame fails the test instead of
//! hanging it. The server's pings are answered by tungstenite whenever the client
//! reads; a client that does not read does not answer them (W11). A request with a
//! small [`WsRequest::receive_buffer`] makes a client that stops reading push back
//! on the server early: the slow consumer of W12.

use std::collections::VecDeque;
use std::net::SocketAddr;
use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use serde_json::Value;
use tokio::net::{TcpSocket, TcpStream};
use tokio::time::Instant;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::error::ProtocolError;
use tokio_tungstenite::tungstenite::http::{HeaderName, HeaderValue};
use tokio_tungstenite::tungstenite::{Error, Message};
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

/// How long the opening handshake may take.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// The close code a close frame without a code stands for (RFC 6455 §7.1.5).
const NO_STATUS_RECEIVED: u16 = 1005;

/// An upgrade request being prepared.
#[derive(Debug, Clone)]
pub struct WsRequest {
    address: SocketAddr,
    url: reqwest::Url,
    headers: Vec<(String, String)>,
    /// `SO_RCVBUF` of the client's socket, set before connecting.
    receive_buffer: Option<u32>,
}

/// The server's answer when it refused the upgrade (SPEC §6: "a refusal is an
/// ordinary HTTP response with the envelope").
#[derive(Debug, Clone)]
pub struct Refusal {
    pub status: u16,
    /// The body as JSON, or as a JSON string when it is not JSON.
    pub body: Value,
}

impl Refusal {
    /// The `err` object of the envelope (`Null` when there is none).
    pub fn err(&self) -> &Value {
        &self.body["err"]
    }
}

/// What the next read brought.
#[derive(Debug, Clone, PartialEq)]
pub enum Received {
    /// A JSON text frame.
    Frame(Value),
    /// The connection ended: with the code of the server's close frame, or `None`
    /// when it ended without one.
    Closed(Option<u16>),
    /// Nothing within the timeout.
    Nothing,
}

/// The frames that open a session (W1, W2): the welcome, the replay, `caughtUp`.
#[derive(Debug, Clone)]
pub struct Opening {
    pub welcome: Value,
    pub replay: Vec<Value>,
    pub caught_up: Value,
}

impl WsRequest {
    /// `ws://address path` with the query `params` (percent-encoded here).
    pub fn new(address: SocketAddr, path: &str, params: &[(&str, &str)]) -> Self {
        let base = format!("ws://{address}{path}");
        let url =
            if params.is_empty() { reqwest::Url::parse(&base) } else { reqwest::Url::parse_with_params(&base, params) };
        Self { address, url: url.expect("a WebSocket URL"), headers: Vec::new(), receive_buffer: None }
    }

    /// `Authorization: Bearer <token>`.
    pub fn bearer(self, token: &str) -> Self {
        self.header("authorization", &format!("Bearer {token}"))
    }

    /// `Authorization: <token>` (the bare form SPEC §4 accepts too).
    pub fn bare(self, token: &str) -> Self {
        self.header("authorization", token)
    }

    /// `?token=<token>`, for clients that cannot set headers (browsers).
    pub fn query_token(mut self, token: &str) -> Self {
        self.url.query_pairs_mut().append_pair("token", token);
        self
    }

    /// Any other header (`Origin`, `Accept-Language`, …).
    pub fn header(mut self, name: &str, value: &str) -> Self {
        self.headers.push((name.to_owned(), value.to_owned()));
        self
    }

    /// Shrinks the client's kernel receive buffer to about `bytes` before
    /// connecting. A client that then stops reading pushes back on the server
    /// after a few KiB instead of the megabytes a default socket takes in (W12).
    pub fn receive_buffer(mut self, bytes: u32) -> Self {
        self.receive_buffer = Some(bytes);
        self
    }

    /// The URL the request goes to.
    pub fn url(&self) -> &str {
        self.url.as_str()
    }

    /// Opens the connection, or returns the server's refusal. Anything else (no
    /// answer, a broken handshake) fails the test.
    pub async fn connect(self) -> Result<WsClient, Refusal> {
        let mut request = self.url.as_str().into_client_request().expect("a client request");
        for (name, value) in &self.headers {
            let name = HeaderName::from_bytes(name.as_bytes()).expect("a header name");
            request.headers_mut().append(name, HeaderValue::from_str(value).expect("a header value"));
        }
        let handshake = async {
            match self.receive_buffer {
                None => tokio_tungstenite::connect_async(request).await,
                Some(bytes) => {
                    let tcp = connect_tcp(self.address, bytes).await.map_err(Error::Io)?;
                    tokio_tungstenite::client_async(request, MaybeTlsStream::Plain(tcp)).await
                }
            }
        };
        let Ok(attempt) = tokio::time::timeout(CONNECT_TIMEOUT, handshake).await else {
            panic!("no handshake answer from {} within {CONNECT_TIMEOUT:?}", self.url)
        };
        match attempt {
            Ok((stream, _)) => Ok(WsClient { stream, pending: VecDeque::new(), pings: 0, ended: None }),
            Err(Error::Http(response)) => {
                let status = response.status().as_u16();
                let bytes = response.into_body().unwrap_or_default();
                let text = String::from_utf8_lossy(&bytes).into_owned();
                let body = serde_json::from_str(&text).unwrap_or(Value::String(text));
                Err(Refusal { status, body })
            }
            Err(e) => panic!("WebSocket handshake with {} failed: {e}", self.url),
        }
    }

    /// Opens the connection, failing the test when the server refuses it.
    pub async fn open(self) -> WsClient {
        let url = self.url.to_string();
        match self.connect().await {
            Ok(client) => client,
            Err(refusal) => panic!("{url} was refused: {} {}", refusal.status, refusal.body),
        }
    }

    /// Expects the server to refuse the upgrade, failing the test when it accepts.
    pub async fn refused(self) -> Refusal {
        let url = self.url.to_string();
        match self.connect().await {
            Ok(_) => panic!("{url} was accepted, a refusal was expected"),
            Err(refusal) => refusal,
        }
    }
}

/// A TCP connection to `address` whose receive buffer is about `bytes`.
async fn connect_tcp(address: SocketAddr, bytes: u32) -> std::io::Result<TcpStream> {
    let socket = if address.is_ipv4() { TcpSocket::new_v4()? } else { TcpSocket::new_v6()? };
    socket.set_recv_buffer_size(bytes)?;
    socket.connect(address).await
}

/// An open WebSocket connection.
pub struct WsClient {
    stream: WebSocketStream<MaybeTlsStream<TcpStream>>,
    /// Frames read but passed over by [`WsClient::next_of_type`], returned first.
    pending: VecDeque<Value>,
    pings: usize,
    /// Set once the connection ended, with what [`Received::Closed`] reported.
    ended: Option<Option<u16>>,
}

impl WsClient {
    /// The next JSON frame, the end of the connection, or nothing within `timeout`.
    /// Pings and pongs are counted or skipped, not returned.
    pub async fn receive(&mut self, timeout: Duration) -> Received {
        match self.pending.pop_front() {
            Some(frame) => Received::Frame(frame),
            None => self.read(timeout).await,
        }
    }

    /// [`WsClient::receive`] from the connection itself, past the pending frames.
    async fn read(&mut self, timeout: Duration) -> Received {
        if let Some(code) = self.ended {
            return Received::Closed(code);
        }
        let deadline = Instant::now() + timeout;
        loop {
            let message = match tokio::time::timeout_at(deadline, self.stream.next()).await {
                Err(_) => return Received::Nothing,
                Ok(None) => return self.end(None),
                Ok(Some(Err(error))) => match error {
                    Error::ConnectionClosed
                    | Error::AlreadyClosed
                    | Error::Io(_)
                    | Error::Protocol(ProtocolError::ResetWithoutClosingHandshake) => return self.end(None),
                    other => panic!("reading from the WebSocket failed: {other}"),
                },
                Ok(Some(Ok(message))) => message,
            };
            match message {
                Message::Text(text) => {
                    let frame = serde_json::from_str(&text).unwrap_or_else(|e| panic!("not JSON ({e}): {text}"));
                    return Received::Frame(frame);
                }
                Message::Binary(bytes) => panic!("the server sent a binary frame of {} bytes", bytes.len()),
                Message::Ping(_) => self.pings += 1,
                Message::Pong(_) | Message::Frame(_) => {}
                Message::Close(frame) => {
                    return self.end(Some(frame.map_or(NO_STATUS_RECEIVED, |frame| u16::from(frame.code))))
                }
            }
        }
    }

    fn end(&mut self, code: Option<u16>) -> Received {
        self.ended = Some(code);
        Received::Closed(code)
    }

    /// The next JSON frame, failing the test on a close or a timeout.
    pub async fn next_frame(&mut self, timeout: Duration) -> Value {
        match self.receive(timeout).await {
            Received::Frame(frame) => frame,
            Received::Closed(code) => panic!("the connection closed ({code:?}) while a frame was expected"),
            Received::Nothing => panic!("no frame within {timeout:?}"),
        }
    }

    /// The next frame whose `type` is `kind`, within `timeout` in all. Frames of
    /// other types stay, in order, for later reads.
    pub async fn next_of_type(&mut self, kind: &str, timeout: Duration) -> Value {
        self.next_matching(&format!("a {kind:?} frame"), |frame| frame["type"] == kind, timeout).await
    }

    /// The next frame for which `wanted` holds (`what` describes it in failures),
    /// within `timeout` in all. Other frames stay, in order, for later reads.
    pub async fn next_matching(&mut self, what: &str, wanted: impl Fn(&Value) -> bool, timeout: Duration) -> Value {
        if let Some(at) = self.pending.iter().position(&wanted) {
            return self.pending.remove(at).unwrap_or_default();
        }
        let deadline = Instant::now() + timeout;
        let mut skipped = Vec::new();
        let found = loop {
            match self.read(deadline.saturating_duration_since(Instant::now())).await {
                Received::Frame(frame) if wanted(&frame) => break frame,
                Received::Frame(frame) => skipped.push(frame),
                Received::Closed(code) => panic!("closed ({code:?}) before {what}; skipped {skipped:?}"),
                Received::Nothing => panic!("no {what} within {timeout:?}; skipped {skipped:?}"),
            }
        };
        self.pending.extend(skipped);
        found
    }

    /// Asserts that no frame of type `kind` is pending or arrives within `period`;
    /// other frames stay for later reads.
    pub async fn expect_none_of_type(&mut self, kind: &str, period: Duration) {
        self.expect_none_matching(&format!("{kind:?} frame"), |frame| frame["type"] == kind, period).await;
    }

    /// Asserts that no frame for which `unwanted` holds is pending or arrives
    /// within `period` (`what` describes it); other frames stay for later reads.
    pub async fn expect_none_matching(&mut self, what: &str, unwanted: impl Fn(&Value) -> bool, period: Duration) {
        let deadline = Instant::now() + period;
        loop {
            if let Some(frame) = self.pending.iter().find(|frame| unwanted(frame)) {
                panic!("expected no {what}, got {frame}");
            }
            match self.read(deadline.saturating_duration_since(Instant::now())).await {
                Received::Frame(frame) => self.pending.push_back(frame),
                Received::Closed(code) => panic!("closed ({code:?}) while watching for any {what}"),
                Received::Nothing => return,
            }
        }
    }

    /// The welcome (W1), the replay and `caughtUp` (W2), asserting their order.
    pub async fn opening(&mut self, timeout: Duration) -> Opening {
        let deadline = Instant::now() + timeout;
        let welcome = self.next_frame(timeout).await;
        assert_eq!(welcome["type"], "welcome", "W1: the first frame must be the welcome: {welcome}");
        let mut replay = Vec::new();
        loop {
            let frame = self.next_frame(deadline.saturating_duration_since(Instant::now())).await;
            if frame["type"] == "caughtUp" {
                return Opening { welcome, replay, caught_up: frame };
            }
            replay.push(frame);
        }
    }

    /// Reads until the connection ends, within `timeout`: the frames before the
    /// end and the close code (`None`: it ended without a close frame).
    pub async fn frames_until_close(&mut self, timeout: Duration) -> (Vec<Value>, Option<u16>) {
        let deadline = Instant::now() + timeout;
        let mut frames = Vec::new();
        loop {
            match self.receive(deadline.saturating_duration_since(Instant::now())).await {
                Received::Frame(frame) => frames.push(frame),
                Received::Closed(code) => return (frames, code),
                Received::Nothing => panic!("the connection stayed open for {timeout:?}; frames: {frames:?}"),
            }
        }
    }

    /// The code of the close frame that ends the connection within `timeout`,
    /// skipping any frames before it.
    pub async fn expect_close(&mut self, timeout: Duration) -> u16 {
        match self.frames_until_close(timeout).await {
            (_, Some(code)) => code,
            (frames, None) => panic!("the connection ended without a close frame; frames before: {frames:?}"),
        }
    }

    /// Sends `{"type":"ping"}` and waits for the pong, skipping other frames: proof
    /// that the connection is open and served.
    pub async fn assert_alive(&mut self, timeout: Duration) {
        self.send_json(&serde_json::json!({"type": "ping"})).await;
        self.next_of_type("pong", timeout).await;
    }

    /// Sends `{"type":"message","content","clientMsgId"}` (W8) and returns the seq
    /// of its ack (W6), within `timeout`; other frames stay for later reads.
    pub async fn send_message(&mut self, content: &str, client_msg_id: &str, timeout: Duration) -> i64 {
        self.send_json(&serde_json::json!({"type": "message", "content": content, "clientMsgId": client_msg_id})).await;
        let acked = |frame: &Value| frame["type"] == "ack" && frame["clientMsgId"] == client_msg_id;
        let ack = self.next_matching(&format!("the ack of {client_msg_id}"), acked, timeout).await;
        ack["seq"].as_i64().unwrap_or_else(|| panic!("W6: an ack without a seq: {ack}"))
    }

    /// Sends a JSON text frame.
    pub async fn send_json(&mut self, frame: &Value) {
        self.send(Message::Text(frame.to_string().into())).await;
    }

    /// Sends a text frame as it is.
    pub async fn send_text(&mut self, text: &str) {
        self.send(Message::Text(text.into())).await;
    }

    /// Sends a text frame, returning `false` instead of failing the test when the
    /// connection is gone: for a client that floods a server which may close it.
    pub async fn try_send_text(&mut self, text: &str) -> bool {
        self.stream.send(Message::Text(text.into())).await.is_ok()
    }

    /// Sends a binary frame.
    pub async fn send_binary(&mut self, bytes: Vec<u8>) {
        self.send(Message::Binary(bytes.into())).await;
    }

    async fn send(&mut self, message: Message) {
        self.stream.send(message).await.expect("sending a WebSocket frame");
    }

    /// How many pings of the server the client has seen (and answered) so far.
    pub fn pings(&self) -> usize {
        self.pings
    }

    /// Closes from the client's side (code 1000) and waits for the server's reply,
    /// at most `timeout`.
    pub async fn close(mut self, timeout: Duration) {
        // The server may have closed already; either way the connection ends.
        let _ = self.stream.close(None).await;
        let _ = self.frames_until_close_quietly(timeout).await;
    }

    async fn frames_until_close_quietly(&mut self, timeout: Duration) -> Option<u16> {
        let deadline = Instant::now() + timeout;
        loop {
            match self.receive(deadline.saturating_duration_since(Instant::now())).await {
                Received::Frame(_) => {}
                Received::Closed(code) => return code,
                Received::Nothing => return None,
            }
        }
    }
}
