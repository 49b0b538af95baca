//! The black-box test harness of chatroom. It starts the real `chatroom` binary as
//! a child process, the way an operator does: on a free port (`--listen
//! 127.0.0.1:0`, the bound address read from the server's own log line), with a
//! fresh temporary data directory, and optionally on a fresh PostgreSQL or MySQL
//! database. The process is killed, and its directory removed, when the handle is
//! dropped.
//!
//! The tests themselves live in `crates/server/tests/blackbox/`: only the package
//! that owns the binary gets `CARGO_BIN_EXE_chatroom`, so cargo builds the binary
//! (same profile, always fresh) before it runs them. They pass that path to
//! [`Chatroom::new`]. See `docs/architecture.md`.

// This whole crate is test code: a failed expectation is a failed test, so the
// workspace's ban on `unwrap`/`expect` outside tests does not apply here.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod app;
mod command;
mod databases;
mod proxy;
pub mod smtp;
pub mod ws;

pub use app::TestApp;
pub use command::{Chatroom, Finished};
pub use databases::{Backend, TestDatabase};
pub use proxy::TcpProxy;

/// How long a server may take to start before a test gives up on it.
pub const START_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(60);
