//! [`TestApp`]: a running `chatroom serve` child process, its address, its log and
//! its data directory.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::ExitStatus;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use anyhow::{anyhow, bail, Context};
use tempfile::TempDir;
use tokio::io::{AsyncBufReadExt, AsyncRead, BufReader};
use tokio::process::Child;
use tokio::sync::watch;

use crate::START_TIMEOUT;

/// The log line the server writes once its listener is bound.
const LISTENING_MARKER: &str = "listening on http://";

/// A running server. Dropping it kills the process and removes its directory.
pub struct TestApp {
    /// `http://127.0.0.1:<port>`.
    pub base_url: String,
    pub address: SocketAddr,
    /// From spawning the process to the first successful `/healthz`.
    pub started_in: Duration,
    pub client: reqwest::Client,
    child: Child,
    logs: Arc<Mutex<Vec<String>>>,
    workdir: TempDir,
    data_dir: PathBuf,
}

impl TestApp {
    pub(crate) async fn start(mut child: Child, workdir: TempDir, data_dir: PathBuf) -> anyhow::Result<Self> {
        let spawned_at = Instant::now();
        let logs = Arc::new(Mutex::new(Vec::new()));
        let (address_tx, mut address_rx) = watch::channel(None);
        let address_tx = Arc::new(address_tx);
        if let Some(stderr) = child.stderr.take() {
            tokio::spawn(collect(stderr, logs.clone(), address_tx.clone()));
        }
        if let Some(stdout) = child.stdout.take() {
            tokio::spawn(collect(stdout, logs.clone(), address_tx));
        }
        let log_text = |logs: &Arc<Mutex<Vec<String>>>| lock(logs).join("\n");
        let address = tokio::select! {
            found = tokio::time::timeout(START_TIMEOUT, address_rx.wait_for(Option::is_some)) => match found {
                Ok(Ok(address)) => (*address).ok_or_else(|| anyhow!("no address"))?,
                Ok(Err(_)) => bail!("the server closed its log without listening:\n{}", log_text(&logs)),
                Err(_) => bail!("the server did not listen within {START_TIMEOUT:?}:\n{}", log_text(&logs)),
            },
            status = child.wait() => bail!("the server exited ({:?}) before listening:\n{}", status, log_text(&logs)),
        };
        let client = reqwest::Client::builder().timeout(Duration::from_secs(30)).build()?;
        let base_url = format!("http://{address}");
        let mut app = Self { base_url, address, started_in: Duration::ZERO, client, child, logs, workdir, data_dir };
        app.wait_until_healthy().await.with_context(|| format!("server log:\n{}", app.logs().join("\n")))?;
        app.started_in = spawned_at.elapsed();
        Ok(app)
    }

    async fn wait_until_healthy(&self) -> anyhow::Result<()> {
        let deadline = Instant::now() + START_TIMEOUT;
        loop {
            let attempt = self.client.get(self.url("/healthz")).timeout(Duration::from_secs(5)).send().await;
            match attempt {
                Ok(response) if response.status().is_success() => return Ok(()),
                Ok(response) if Instant::now() > deadline => bail!("/healthz answered {}", response.status()),
                Err(e) if Instant::now() > deadline => bail!("/healthz did not answer: {e}"),
                // The listener is bound before the server loop runs: a retry after a
                // connection-level failure is waiting on that, bounded by the deadline.
                _ => tokio::time::sleep(Duration::from_millis(50)).await,
            }
        }
    }

    /// `base_url` + `path`.
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base_url)
    }

    /// GET `path`.
    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client.get(self.url(path)).send().await.expect("sending a GET request")
    }

    /// The process's working directory.
    pub fn workdir(&self) -> &Path {
        self.workdir.path()
    }

    /// The server's data directory.
    pub fn data_dir(&self) -> PathBuf {
        self.data_dir.clone()
    }

    /// Every line the server wrote so far (standard error and output).
    pub fn logs(&self) -> Vec<String> {
        lock(&self.logs).clone()
    }

    /// The process id.
    pub fn pid(&self) -> u32 {
        self.child.id().expect("the server has already exited")
    }

    /// Sends a signal (`"TERM"`, `"INT"`, …) with `kill(1)`.
    pub async fn signal(&self, name: &str) {
        let status = tokio::process::Command::new("kill")
            .args(["-s", name, &self.pid().to_string()])
            .status()
            .await
            .expect("running kill");
        assert!(status.success(), "kill -s {name} failed");
    }

    /// Waits for the process to exit, at most `timeout`.
    pub async fn wait_for_exit(&mut self, timeout: Duration) -> ExitStatus {
        match tokio::time::timeout(timeout, self.child.wait()).await {
            Ok(status) => status.expect("waiting for the server"),
            Err(_) => panic!("the server did not exit within {timeout:?}; log:\n{}", self.logs().join("\n")),
        }
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        // Show the server's side of a failing test.
        if std::thread::panicking() {
            eprintln!("--- chatroom log ({}) ---\n{}\n---", self.base_url, self.logs().join("\n"));
        }
        let _ = self.child.start_kill();
    }
}

fn lock(logs: &Mutex<Vec<String>>) -> std::sync::MutexGuard<'_, Vec<String>> {
    logs.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Stores every line of `stream` and publishes the address of the listening line.
async fn collect(
    stream: impl AsyncRead + Unpin,
    logs: Arc<Mutex<Vec<String>>>,
    address: Arc<watch::Sender<Option<SocketAddr>>>,
) {
    let mut lines = BufReader::new(stream).lines();
    while let Ok(Some(line)) = lines.next_line().await {
        if let Some(found) = listening_address(&line) {
            address.send_replace(Some(found));
        }
        lock(&logs).push(line);
    }
}

/// The address in a "listening on http://…" line, text or JSON.
fn listening_address(line: &str) -> Option<SocketAddr> {
    let start = line.find(LISTENING_MARKER)? + LISTENING_MARKER.len();
    let address: String =
        line[start..].chars().take_while(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | ':' | '[' | ']')).collect();
    address.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_address_is_read_from_text_and_json_lines() {
        let text = "2026-11-24T12:00:00Z  INFO chatroom_server::app: listening on http://127.0.0.1:40123 address=127.0.0.1:40123";
        let json = r#"{"level":"INFO","fields":{"message":"listening on http://127.0.0.1:40124","address":"127.0.0.1:40124"}}"#;
        assert_eq!(listening_address(text), Some("127.0.0.1:40123".parse().unwrap()));
        assert_eq!(listening_address(json), Some("127.0.0.1:40124".parse().unwrap()));
        assert_eq!(listening_address("server started"), None);
    }
}
