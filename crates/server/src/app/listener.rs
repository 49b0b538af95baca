//! The HTTP listener: poem's TCP acceptor, with Nagle's algorithm turned off on
//! every accepted connection.
//!
//! A chat frame is small and must leave at once. With Nagle's algorithm on, a
//! frame written while the previous one is still unacknowledged waits for that
//! ACK, which a client may delay by up to 40 ms: a room with a message every
//! few milliseconds then delivers in bursts, 40 ms late.

use std::io::Result as IoResult;

use poem::http::uri::Scheme;
use poem::listener::{Acceptor, TcpAcceptor};
use poem::web::{LocalAddr, RemoteAddr};
use tokio::net::TcpStream;

/// Accepts TCP connections with `TCP_NODELAY` set.
pub(super) struct NoDelay(pub(super) TcpAcceptor);

impl Acceptor for NoDelay {
    type Io = TcpStream;

    fn local_addr(&self) -> Vec<LocalAddr> {
        self.0.local_addr()
    }

    async fn accept(&mut self) -> IoResult<(TcpStream, LocalAddr, RemoteAddr, Scheme)> {
        let (stream, local, remote, scheme) = self.0.accept().await?;
        if let Err(e) = stream.set_nodelay(true) {
            // The connection still works, only later than it could.
            tracing::debug!(error = %e, "could not turn Nagle's algorithm off");
        }
        Ok((stream, local, remote, scheme))
    }
}

#[cfg(test)]
mod tests {
    use poem::listener::{Listener, TcpListener};

    use super::*;

    #[tokio::test]
    async fn accepted_connections_send_small_frames_at_once() {
        let mut acceptor = NoDelay(TcpListener::bind("127.0.0.1:0").into_acceptor().await.unwrap());
        let address = acceptor.local_addr().remove(0);
        let address = *address.as_socket_addr().unwrap();
        let client = TcpStream::connect(address);
        let (accepted, _) = tokio::join!(acceptor.accept(), client);
        let (stream, ..) = accepted.unwrap();
        assert!(stream.nodelay().unwrap());
    }
}
