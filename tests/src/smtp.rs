//! [`SmtpReceiver`]: a tiny mail server on `127.0.0.1:<free port>` that accepts every
//! mail and hands it to the test, so `mail.transport = "smtp"` can be tested end to
//! end without a real mail server. It speaks just enough plain SMTP for lettre (no
//! TLS, no AUTH): greeting, EHLO/HELO, MAIL, RCPT, DATA, RSET, NOOP, QUIT, several
//! mails per connection (lettre pools its connections).

use std::time::Duration;

use tokio::io::{AsyncBufReadExt, AsyncWrite, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{mpsc, Mutex};
use tokio::task::{JoinHandle, JoinSet};

/// One mail as the receiver got it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReceivedMail {
    /// The envelope sender (`MAIL FROM`), without the angle brackets.
    pub from: String,
    /// The envelope recipients (`RCPT TO`), without the angle brackets.
    pub to: Vec<String>,
    /// Headers and body as sent, CRLF line ends, dot-stuffing undone.
    pub data: String,
}

impl ReceivedMail {
    /// The value of the first header `name` (any case), unfolded, still encoded.
    pub fn header(&self, name: &str) -> Option<String> {
        let head = self.data.split("\r\n\r\n").next().unwrap_or_default();
        let unfolded = head.replace("\r\n ", " ").replace("\r\n\t", " ");
        unfolded.split("\r\n").find_map(|line| {
            let (key, value) = line.split_once(':')?;
            key.trim().eq_ignore_ascii_case(name).then(|| value.trim().to_owned())
        })
    }

    /// The subject with its RFC 2047 encoded words decoded.
    pub fn subject(&self) -> Option<String> {
        self.header("Subject").map(|subject| decode_words(&subject))
    }

    /// The body of a single-part mail, its `Content-Transfer-Encoding` (7bit, 8bit,
    /// quoted-printable or base64) undone, read as UTF-8.
    pub fn text(&self) -> String {
        let body = self.data.split_once("\r\n\r\n").map_or("", |(_, body)| body);
        let encoding = self.header("Content-Transfer-Encoding").unwrap_or_default().to_ascii_lowercase();
        let bytes = match encoding.as_str() {
            "base64" => decode_base64(body),
            "quoted-printable" => decode_quoted_printable(body),
            _ => body.as_bytes().to_vec(),
        };
        String::from_utf8_lossy(&bytes).replace("\r\n", "\n")
    }
}

/// The running receiver; dropping it stops it and closes its connections.
pub struct SmtpReceiver {
    port: u16,
    mails: Mutex<mpsc::UnboundedReceiver<ReceivedMail>>,
    server: JoinHandle<()>,
}

impl SmtpReceiver {
    /// Listens on `127.0.0.1:0`.
    pub async fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("binding the SMTP receiver");
        let port = listener.local_addr().expect("the SMTP receiver's address").port();
        let (sender, mails) = mpsc::unbounded_channel();
        let server = tokio::spawn(async move {
            // Owned by this task, so aborting it drops every connection too.
            let mut connections = JoinSet::new();
            while let Ok((stream, _)) = listener.accept().await {
                connections.spawn(serve(stream, sender.clone()));
            }
        });
        Self { port, mails: Mutex::new(mails), server }
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// The next mail received, or `None` when none arrives within `timeout`.
    pub async fn next_mail(&self, timeout: Duration) -> Option<ReceivedMail> {
        let mut mails = self.mails.lock().await;
        tokio::time::timeout(timeout, mails.recv()).await.ok().flatten()
    }
}

impl Drop for SmtpReceiver {
    fn drop(&mut self) {
        self.server.abort();
    }
}

/// One SMTP session; returns on QUIT, on a closed connection or on an I/O error.
async fn serve(stream: TcpStream, mails: mpsc::UnboundedSender<ReceivedMail>) {
    let (reader, mut writer) = stream.into_split();
    let mut lines = BufReader::new(reader).lines();
    let mut from = String::new();
    let mut to = Vec::new();
    if reply(&mut writer, "220 localhost ESMTP chatroom-tests").await.is_err() {
        return;
    }
    while let Ok(Some(line)) = lines.next_line().await {
        let verb = line.get(..4).unwrap_or(&line).to_ascii_uppercase();
        let answer = match verb.as_str() {
            "EHLO" | "HELO" => "250 localhost",
            "MAIL" => {
                from = angle_bracketed(&line);
                to.clear();
                "250 OK"
            }
            "RCPT" => {
                to.push(angle_bracketed(&line));
                "250 OK"
            }
            "DATA" => {
                if reply(&mut writer, "354 end with <CRLF>.<CRLF>").await.is_err() {
                    return;
                }
                let mut data = Vec::new();
                while let Ok(Some(line)) = lines.next_line().await {
                    if line == "." {
                        break;
                    }
                    data.push(line.strip_prefix('.').map_or(line.clone(), str::to_owned));
                }
                let mail = ReceivedMail {
                    from: std::mem::take(&mut from),
                    to: std::mem::take(&mut to),
                    data: data.join("\r\n"),
                };
                let _ = mails.send(mail);
                "250 OK queued"
            }
            "RSET" => {
                from.clear();
                to.clear();
                "250 OK"
            }
            "NOOP" => "250 OK",
            "QUIT" => {
                let _ = reply(&mut writer, "221 bye").await;
                return;
            }
            _ => "502 command not implemented",
        };
        if reply(&mut writer, answer).await.is_err() {
            return;
        }
    }
}

async fn reply(writer: &mut (impl AsyncWrite + Unpin), line: &str) -> std::io::Result<()> {
    writer.write_all(format!("{line}\r\n").as_bytes()).await
}

/// `MAIL FROM:<a@b> SIZE=12` → `a@b`.
fn angle_bracketed(line: &str) -> String {
    let start = line.find('<').map_or(0, |i| i + 1);
    let end = line[start..].find('>').map_or(line.len(), |i| start + i);
    line[start..end].to_owned()
}

/// `=?utf-8?b?…?= =?utf-8?q?…?=` → text; the space between two encoded words goes.
fn decode_words(value: &str) -> String {
    let mut out = Vec::new();
    let mut rest = value;
    let mut after_word = false;
    while let Some(start) = rest.find("=?") {
        let between = &rest[..start];
        if !(after_word && between.trim().is_empty()) {
            out.extend_from_slice(between.as_bytes());
        }
        let word = &rest[start + 2..];
        let parts: Vec<&str> = word.splitn(3, '?').collect();
        let Some(end) = parts.get(2).and_then(|text| text.find("?=")) else {
            out.extend_from_slice(&rest.as_bytes()[start..]);
            return String::from_utf8_lossy(&out).into_owned();
        };
        let text = &parts[2][..end];
        match parts[1].to_ascii_lowercase().as_str() {
            "b" => out.extend(decode_base64(text)),
            _ => out.extend(decode_quoted_printable(&text.replace('_', " "))),
        }
        rest = &parts[2][end + 2..];
        after_word = true;
    }
    out.extend_from_slice(rest.as_bytes());
    String::from_utf8_lossy(&out).into_owned()
}

fn decode_base64(text: &str) -> Vec<u8> {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = Vec::new();
    let (mut buffer, mut bits) = (0u32, 0u32);
    for byte in text.bytes().take_while(|&b| b != b'=') {
        let Some(value) = ALPHABET.iter().position(|&a| a == byte) else { continue };
        buffer = (buffer << 6) | value as u32;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((buffer >> bits) as u8);
        }
    }
    out
}

fn decode_quoted_printable(text: &str) -> Vec<u8> {
    let bytes = text.replace("=\r\n", "").replace("=\n", "").into_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes.get(i + 1..i + 3).and_then(|h| std::str::from_utf8(h).ok());
        match (bytes[i], hex.and_then(|h| u8::from_str_radix(h, 16).ok())) {
            (b'=', Some(value)) => {
                out.push(value);
                i += 3;
            }
            (byte, _) => {
                out.push(byte);
                i += 1;
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mail(headers: &str, body: &str) -> ReceivedMail {
        ReceivedMail { from: String::new(), to: Vec::new(), data: format!("{headers}\r\n\r\n{body}") }
    }

    #[test]
    fn base64_and_quoted_printable_bodies_are_decoded() {
        let base64 = mail("Content-Transfer-Encoding: base64", "5L2g5aW9\r\nIGNvZGUgNDI=");
        assert_eq!(base64.text(), "你好 code 42");
        let qp = mail("content-transfer-encoding: Quoted-Printable", "=E4=BD=A0=E5=A5=BD code=\r\n 42=3D");
        assert_eq!(qp.text(), "你好 code 42=");
        assert_eq!(mail("Content-Type: text/plain", "plain\r\ntext").text(), "plain\ntext");
    }

    #[test]
    fn folded_encoded_subjects_are_decoded() {
        let folded = mail("Subject: =?utf-8?b?5L2g?=\r\n =?utf-8?q?=E5=A5=BD_/_hi?= there", "");
        assert_eq!(folded.subject().as_deref(), Some("你好 / hi there"));
        assert_eq!(mail("Subject: plain", "").subject().as_deref(), Some("plain"));
    }

    #[test]
    fn envelope_addresses_lose_their_brackets_and_parameters() {
        assert_eq!(angle_bracketed("MAIL FROM:<a@b.c> BODY=8BITMIME"), "a@b.c");
        assert_eq!(angle_bracketed("RCPT TO:<x@y.z>"), "x@y.z");
    }
}
