//! Black-box tests: the real `chatroom` binary, started as a process on a free port
//! with a fresh data directory (see the `chatroom-tests` harness). They live in the
//! server package because only the package owning the binary gets
//! `CARGO_BIN_EXE_chatroom`, which makes cargo build the binary before the tests.

// Test code through and through, helpers included: a failed expectation is a
// failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod accounts;
mod cli;
mod crash;
mod databases;
mod delivery;
mod floods;
mod http;
mod images;
mod incarnations;
mod lifecycle;
mod messaging;
mod openapi_drift;
mod outage;
mod rooms_manage;
mod rooms_race;
mod rooms_ws;
mod shutdown;
mod users_conventions;
mod users_login;
mod users_profile;
mod users_register;
mod users_reset;
mod ws;

use chatroom_tests::{Chatroom, TestApp};

/// A `chatroom` invocation in a fresh temporary directory.
pub fn chatroom() -> Chatroom {
    Chatroom::new(env!("CARGO_BIN_EXE_chatroom"))
}

/// `chatroom serve` on a free port with a fresh data directory, answering /healthz.
pub async fn spawn_app() -> TestApp {
    chatroom().spawn().await
}

/// The `err` object of an envelope answer.
pub async fn envelope(response: reqwest::Response) -> serde_json::Value {
    let body: serde_json::Value = response.json().await.expect("a JSON body");
    body.get("err").cloned().unwrap_or_else(|| panic!("no envelope in {body}"))
}
