//! [`TcpProxy`]: a TCP forwarder between a server under test and its database,
//! which a test cuts and restores to make the database unreachable while the
//! server runs, as a network or database outage would.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex, PoisonError};

use anyhow::Context;
use tokio::net::{TcpListener, TcpSocket, TcpStream};
use tokio::task::{AbortHandle, JoinHandle};

/// Forwards every connection made to [`TcpProxy::address`] to `upstream`.
pub struct TcpProxy {
    address: SocketAddr,
    upstream: SocketAddr,
    accepting: Option<JoinHandle<()>>,
    /// The forwarding tasks of the connections made so far.
    forwarding: Arc<Mutex<Vec<AbortHandle>>>,
}

impl TcpProxy {
    /// A proxy to `upstream` on a free port of 127.0.0.1.
    pub async fn start(upstream: SocketAddr) -> anyhow::Result<Self> {
        let listener = listen(SocketAddr::from(([127, 0, 0, 1], 0)))?;
        let address = listener.local_addr()?;
        let mut proxy = Self { address, upstream, accepting: None, forwarding: Arc::default() };
        proxy.accept_on(listener);
        Ok(proxy)
    }

    /// Where clients connect (the same after [`TcpProxy::restore`]).
    pub fn address(&self) -> SocketAddr {
        self.address
    }

    /// The outage: closes the listener, so new connections are refused, and
    /// every forwarded connection, so their clients read end-of-file.
    pub fn cut(&mut self) {
        if let Some(accepting) = self.accepting.take() {
            accepting.abort();
        }
        for connection in self.forwarding.lock().unwrap_or_else(PoisonError::into_inner).drain(..) {
            connection.abort();
        }
    }

    /// The end of the outage: listens on the same address again.
    pub async fn restore(&mut self) -> anyhow::Result<()> {
        if let Some(accepting) = self.accepting.take() {
            accepting.abort();
            // The aborted task drops its listener when it next runs; wait for it.
            let _ = accepting.await;
        }
        let listener = listen(self.address).with_context(|| format!("listening on {} again", self.address))?;
        self.accept_on(listener);
        Ok(())
    }

    fn accept_on(&mut self, listener: TcpListener) {
        let (upstream, forwarding) = (self.upstream, self.forwarding.clone());
        self.accepting = Some(tokio::spawn(async move {
            while let Ok((client, _)) = listener.accept().await {
                let task = tokio::spawn(forward(client, upstream));
                forwarding.lock().unwrap_or_else(PoisonError::into_inner).push(task.abort_handle());
            }
        }));
    }
}

impl Drop for TcpProxy {
    fn drop(&mut self) {
        self.cut();
    }
}

/// A listener that may take the port of one closed a moment ago.
fn listen(address: SocketAddr) -> anyhow::Result<TcpListener> {
    let socket = TcpSocket::new_v4()?;
    socket.set_reuseaddr(true)?;
    socket.bind(address)?;
    Ok(socket.listen(128)?)
}

/// Copies bytes both ways until either side closes.
async fn forward(mut client: TcpStream, upstream: SocketAddr) {
    if let Ok(mut server) = TcpStream::connect(upstream).await {
        let _ = tokio::io::copy_bidirectional(&mut client, &mut server).await;
    }
}
