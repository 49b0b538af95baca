//! [`Chatroom`]: one invocation of the `chatroom` binary, isolated from the
//! developer's environment: its own working directory, its own data directory, no
//! inherited `CHATROOM__*` variables.

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::{ExitStatus, Stdio};
use std::time::Duration;

use anyhow::Context;
use tempfile::TempDir;
use tokio::process::Command;

use crate::app::TestApp;

/// A `chatroom` command line being prepared.
pub struct Chatroom {
    binary: PathBuf,
    workdir: TempDir,
    args: Vec<OsString>,
    envs: Vec<(OsString, OsString)>,
    /// `None`: no `--data-dir` flag.
    data_dir: Option<PathBuf>,
    listen_flag: bool,
}

/// What a finished one-shot command left behind.
#[derive(Debug)]
pub struct Finished {
    pub status: ExitStatus,
    pub stdout: String,
    pub stderr: String,
}

impl Chatroom {
    /// A command for `binary` (in tests: `env!("CARGO_BIN_EXE_chatroom")`) that runs
    /// in a new empty temporary directory.
    pub fn new(binary: impl Into<PathBuf>) -> Self {
        let workdir =
            tempfile::Builder::new().prefix("chatroom-test-").tempdir().expect("creating a temporary directory");
        let data_dir = Some(workdir.path().join("data"));
        Self { binary: binary.into(), workdir, args: Vec::new(), envs: Vec::new(), data_dir, listen_flag: true }
    }

    /// The working directory of the process (a fresh temporary directory).
    pub fn workdir(&self) -> &Path {
        self.workdir.path()
    }

    /// The server's data directory: the one passed with `--data-dir` (by default
    /// `<workdir>/data`), or without that flag the server's default `./data`, which
    /// is the same path.
    pub fn data_dir(&self) -> PathBuf {
        self.data_dir.clone().unwrap_or_else(|| self.workdir.path().join("data"))
    }

    /// Passes `--data-dir dir` (e.g. a directory a previous server used).
    pub fn with_data_dir(mut self, dir: impl Into<PathBuf>) -> Self {
        self.data_dir = Some(dir.into());
        self
    }

    /// Adds arguments after the harness's own flags.
    pub fn args<I, S>(mut self, args: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<OsString>,
    {
        self.args.extend(args.into_iter().map(Into::into));
        self
    }

    /// Sets an environment variable of the process.
    pub fn env(mut self, key: impl Into<OsString>, value: impl Into<OsString>) -> Self {
        self.envs.push((key.into(), value.into()));
        self
    }

    /// Writes a file (e.g. `chatroom.toml`) into the working directory.
    pub fn file(self, name: &str, contents: &str) -> Self {
        std::fs::write(self.workdir.path().join(name), contents).expect("writing a file into the working directory");
        self
    }

    /// Leaves out `--data-dir`, so the server uses its default (`./data`).
    pub fn without_data_dir_flag(mut self) -> Self {
        self.data_dir = None;
        self
    }

    /// Leaves out `--listen 127.0.0.1:0`.
    pub fn without_listen_flag(mut self) -> Self {
        self.listen_flag = false;
        self
    }

    fn command(&self, subcommand: &[&str]) -> Command {
        let mut command = Command::new(&self.binary);
        command.current_dir(self.workdir.path()).kill_on_drop(true).stdin(Stdio::null());
        for (key, _) in std::env::vars_os() {
            if key.to_string_lossy().starts_with("CHATROOM__") || key == "RUST_LOG" || key == "MALLOC_ARENA_MAX" {
                command.env_remove(&key);
            }
        }
        command.env("RUST_LOG", "info");
        for (key, value) in &self.envs {
            command.env(key, value);
        }
        if let Some(dir) = &self.data_dir {
            command.arg("--data-dir").arg(dir);
        }
        if self.listen_flag {
            command.args(["--listen", "127.0.0.1:0"]);
        }
        command.args(&self.args).args(subcommand);
        command
    }

    /// Starts `chatroom serve` and waits until it answers `/healthz`.
    pub async fn spawn(self) -> TestApp {
        self.try_spawn().await.expect("starting chatroom serve")
    }

    /// Like [`Chatroom::spawn`], returning start-up failures (with the server's log).
    pub async fn try_spawn(self) -> anyhow::Result<TestApp> {
        let mut command = self.command(&["serve"]);
        command.stdout(Stdio::piped()).stderr(Stdio::piped());
        let child = command.spawn().with_context(|| format!("spawning {}", self.binary.display()))?;
        let data_dir = self.data_dir();
        TestApp::start(child, self.workdir, data_dir).await
    }

    /// Runs a one-shot subcommand (`config`, `migrate`, `openapi`, or `serve` that
    /// is expected to fail) to completion, within 60 seconds.
    pub async fn run(&self, subcommand: &[&str]) -> Finished {
        let mut command = self.command(subcommand);
        command.stdout(Stdio::piped()).stderr(Stdio::piped());
        let output = tokio::time::timeout(Duration::from_secs(60), command.output())
            .await
            .unwrap_or_else(|_| panic!("chatroom {subcommand:?} did not finish within 60 s"))
            .expect("running chatroom");
        Finished {
            status: output.status,
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        }
    }
}
