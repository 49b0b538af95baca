//! The composition root of chatroom: configuration ([`config`]), logging
//! ([`telemetry`]), the wiring of adapters, services and the HTTP edge into one
//! [`Application`] ([`app`]), and the command line ([`cli`]). Black-box tests start
//! exactly what production runs: the `chatroom` binary built from this crate.

pub mod app;
pub mod cli;
pub mod config;
pub mod telemetry;

pub use app::Application;
pub use config::Config;
