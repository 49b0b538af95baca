//! Logging: `tracing` events to standard error, readable on a terminal by default,
//! one JSON object per line with `--log-format json`. The filter follows
//! `RUST_LOG` (e.g. `RUST_LOG=debug,sqlx=warn`) and defaults to `info`.
//! Standard output stays free for the documents that `config` and `openapi` print.

use std::io::IsTerminal;

use clap::ValueEnum;
use tracing_subscriber::EnvFilter;

/// The filter when `RUST_LOG` is unset: our info, and only warnings from the SQL
/// driver, which otherwise logs every slow statement.
const DEFAULT_FILTER: &str = "info,sqlx=warn,sea_orm_migration=warn";

/// How log lines look.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, ValueEnum)]
pub enum LogFormat {
    /// Human-readable lines (coloured on a terminal).
    #[default]
    Text,
    /// One JSON object per line, for log collectors.
    Json,
}

/// Installs the global subscriber; call once, first thing in `main`.
pub fn init(format: LogFormat) -> anyhow::Result<()> {
    let filter = EnvFilter::try_from_default_env().or_else(|_| EnvFilter::try_new(DEFAULT_FILTER))?;
    let builder = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr);
    let installed = match format {
        LogFormat::Text => builder.with_ansi(std::io::stderr().is_terminal()).try_init(),
        LogFormat::Json => builder.json().with_current_span(false).try_init(),
    };
    installed.map_err(|e| anyhow::anyhow!("installing the log subscriber: {e}"))
}
