//! [`Application`]: everything `chatroom serve` runs, built from a [`Config`] with
//! explicit constructor calls (no container, no globals), bound to its listener
//! before it is started so callers (and tests) know the port.
//!
//! The application owns its background tasks: it starts every one of them (the
//! append writer behind the message store, the delivery-marks writer behind the
//! WebSocket sessions, the purge of S10, the mails sent after forgetPwd's answer)
//! when it starts serving, and stops them on shutdown (D5) in this order, each
//! step after the one before has ended:
//!
//! 1. stop accepting connections; the WebSocket sessions learn of the shutdown
//!    and close with 1001;
//! 2. let the HTTP server drain its in-flight requests;
//! 3. stop the purge, after the purge under way (if any);
//! 4. stop the delivery-marks writer, once every session has closed and saved
//!    its last mark, and let the mails being sent finish (both at the latest when
//!    `http.shutdown_timeout` has passed since the signal), saving the marks
//!    reported to it;
//! 5. stop the append writer once nothing can append any more (every session
//!    and its frame handler, which may still be posting the message it was
//!    handling, is done), at the latest at that same deadline; it answers every
//!    queued append (committed, or refused: never acknowledged and lost);
//! 6. close the database.

mod listener;
mod purges;
mod readiness;
mod shutdown;
mod wiring;
mod workers;

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use anyhow::Context;
use chatroom_infrastructure::persistence::Database;
use poem::listener::{Acceptor, AcceptorExt, BoxAcceptor, Listener, TcpListener};
use poem::{endpoint::BoxEndpoint, Server};
use tokio::sync::oneshot;
use tokio::time::Instant;

use crate::config::{Config, SecretUrl};

pub use shutdown::Shutdown;

/// The file name of the default SQLite database inside `data_dir`.
pub const SQLITE_FILE_NAME: &str = "chatroom.db";

/// A built server: database migrated, services wired, listener bound.
pub struct Application {
    address: SocketAddr,
    acceptor: BoxAcceptor,
    endpoint: BoxEndpoint<'static>,
    writers: workers::Writers,
    database: Database,
    shutdown: Shutdown,
    signals: shutdown::Signals,
    shutdown_timeout: std::time::Duration,
}

impl Application {
    /// Prepares the data directory and the database, wires every adapter and
    /// service, and binds the listener (`http.listen`; port 0 picks a free port).
    pub async fn build(config: Config) -> anyhow::Result<Self> {
        let database = open_database(&config).await?;
        let acceptor = TcpListener::bind(config.http.listen.clone())
            .into_acceptor()
            .await
            .map(listener::NoDelay)
            .with_context(|| format!("binding the HTTP listener to {}", config.http.listen))?;
        let address = acceptor
            .local_addr()
            .into_iter()
            .find_map(|addr| addr.as_socket_addr().copied())
            .context("the HTTP listener has no socket address")?;
        let shutdown = Shutdown::new();
        let (endpoint, writers) = wiring::wire(&config, &database, &shutdown)?;
        let signals = shutdown::Signals::install().context("listening for SIGINT and SIGTERM")?;
        tracing::info!(%address, data_dir = %config.data_dir.display(), "listening on http://{address}");
        Ok(Self {
            address,
            acceptor: acceptor.boxed(),
            endpoint,
            writers,
            database,
            shutdown,
            signals,
            shutdown_timeout: config.http.shutdown_timeout,
        })
    }

    /// The bound address.
    pub fn address(&self) -> SocketAddr {
        self.address
    }

    /// The bound port (useful with `http.listen = "…:0"`).
    pub fn port(&self) -> u16 {
        self.address.port()
    }

    /// A handle that stops the server like SIGTERM does, and that long-lived
    /// connections can subscribe to.
    pub fn shutdown(&self) -> Shutdown {
        self.shutdown.clone()
    }

    /// Starts the background tasks and serves until SIGINT, SIGTERM or
    /// [`Shutdown::trigger`]; then stops in the order of the module doc, waiting
    /// up to `http.shutdown_timeout` for in-flight requests and open sessions.
    pub async fn run_until_stopped(self) -> anyhow::Result<()> {
        let Self { acceptor, endpoint, writers, database, shutdown, signals, shutdown_timeout, .. } = self;
        let workers = workers::Workers::start(database, writers);
        let (signalled, signal_time) = oneshot::channel();
        let stopping = shutdown.clone();
        let signal = async move {
            signals.wait_or(&stopping).await;
            // Subscribers (WebSocket sessions) learn of the shutdown here.
            stopping.trigger();
            let _ = signalled.send(Instant::now());
        };
        let served = Server::new_with_acceptor(acceptor)
            .run_with_graceful_shutdown(endpoint, signal, Some(shutdown_timeout))
            .await;
        // Also when serving failed: the sessions close, and the workers stop.
        shutdown.trigger();
        let deadline = signal_time.await.unwrap_or_else(|_| Instant::now()) + shutdown_timeout;
        let stopped = workers.stop(deadline).await;
        served.context("serving HTTP")?;
        stopped?;
        tracing::info!("stopped");
        Ok(())
    }
}

/// `chatroom migrate`: brings the schema up to date and returns.
pub async fn migrate(config: &Config) -> anyhow::Result<()> {
    let database = open_database(config).await?;
    tracing::info!(backend = database.backend_name(), "the database schema is up to date");
    database.close().await
}

/// Creates `data_dir`, connects to the database and migrates it.
async fn open_database(config: &Config) -> anyhow::Result<Database> {
    create_data_dir(&config.data_dir)?;
    let url = database_url(config);
    let database = Database::connect_with(url.expose(), config.database.acquire_timeout)
        .await
        .with_context(|| format!("opening the database at {url}"))?;
    database.migrate().await.with_context(|| format!("migrating the database at {url}"))?;
    tracing::info!(database = %url, backend = database.backend_name(), "database ready");
    Ok(database)
}

/// `database.url`, or the SQLite file in `data_dir`.
pub fn database_url(config: &Config) -> SecretUrl {
    config.database.url.clone().unwrap_or_else(|| {
        let file: PathBuf = config.data_dir.join(SQLITE_FILE_NAME);
        SecretUrl::new(&format!("sqlite://{}?mode=rwc", file.display()))
    })
}

fn create_data_dir(dir: &Path) -> anyhow::Result<()> {
    std::fs::create_dir_all(dir).with_context(|| format!("creating the data directory {}", dir.display()))
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    #[tokio::test]
    async fn an_application_on_port_0_serves_until_its_shutdown_is_triggered() {
        let dir = tempfile::tempdir().unwrap();
        let mut config = Config { data_dir: dir.path().join("data"), ..Config::default() };
        config.http.listen = "127.0.0.1:0".into();
        let app = Application::build(config).await.unwrap();
        assert_ne!(app.port(), 0);
        let url = format!("http://{}/healthz", app.address());
        let shutdown = app.shutdown();
        let server = tokio::spawn(app.run_until_stopped());

        let response = reqwest::get(&url).await.unwrap();
        assert_eq!(response.status(), 200);
        assert!(dir.path().join("data").join(SQLITE_FILE_NAME).is_file());

        shutdown.trigger();
        tokio::time::timeout(Duration::from_secs(20), server).await.unwrap().unwrap().unwrap();
        assert!(reqwest::get(&url).await.is_err(), "still accepting after shutdown");
    }
}
