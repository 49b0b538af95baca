//! The `chatroom` binary: parses the command line, installs logging and hands over
//! to [`chatroom_server::cli::run`].

use clap::Parser;

use chatroom_server::cli::{self, Cli};
use chatroom_server::telemetry;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    telemetry::init(cli.log_format)?;
    cli::run(cli).await
}
