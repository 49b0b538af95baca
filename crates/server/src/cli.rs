//! The command line: `chatroom [serve|migrate|config|openapi]` with the global flags
//! that override the configuration file and the environment.

use std::io::Write;
use std::path::PathBuf;

use anyhow::Context;
use clap::{Parser, Subcommand};

use crate::app::{self, Application};
use crate::config::{self, Config, MailTransport, Overrides};
use crate::telemetry::LogFormat;

/// chatroom: chat rooms over HTTP and WebSocket.
#[derive(Debug, Parser)]
#[command(name = "chatroom", version)]
pub struct Cli {
    /// Configuration file [default: chatroom.toml in the working directory, if it exists].
    #[arg(long, global = true, value_name = "PATH")]
    pub config: Option<PathBuf>,
    /// Address to listen on (http.listen), e.g. 127.0.0.1:8080; port 0 picks a free port.
    #[arg(long, global = true, value_name = "HOST:PORT")]
    pub listen: Option<String>,
    /// Directory for the SQLite database, the generated JWT secret and images (data_dir).
    #[arg(long, global = true, value_name = "DIR")]
    pub data_dir: Option<PathBuf>,
    /// Database URL (database.url): sqlite://…, postgres://… or mysql://…. Prefer
    /// CHATROOM__DATABASE__URL when it holds a password: flags show in process lists.
    #[arg(long, global = true, value_name = "URL")]
    pub database_url: Option<String>,
    /// Log line format.
    #[arg(long, global = true, value_enum, default_value_t = LogFormat::Text)]
    pub log_format: LogFormat,
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Clone, Subcommand)]
pub enum Command {
    /// Run the server (the default).
    Serve,
    /// Apply the database migrations and exit.
    Migrate,
    /// Print the effective configuration as TOML, secrets redacted, and exit.
    Config,
    /// Print the OpenAPI document and exit.
    Openapi {
        /// YAML instead of JSON.
        #[arg(long)]
        yaml: bool,
    },
}

impl Cli {
    /// The layered and validated configuration.
    fn load_config(&self) -> anyhow::Result<Config> {
        let overrides = Overrides {
            listen: self.listen.clone(),
            data_dir: self.data_dir.clone(),
            database_url: self.database_url.clone(),
        };
        let config = config::load(self.config.as_deref(), &overrides)?;
        config::validate(&config).context("checking the configuration")?;
        Ok(config)
    }
}

/// Runs the chosen subcommand to completion.
pub async fn run(cli: Cli) -> anyhow::Result<()> {
    match cli.command.clone().unwrap_or(Command::Serve) {
        Command::Serve => {
            let config = cli.load_config()?;
            tracing::info!(version = env!("CARGO_PKG_VERSION"), "starting chatroom");
            if config.mail.transport == MailTransport::Response {
                tracing::warn!(
                    "mail.transport = \"response\": password-reset codes are returned in HTTP answers; \
                     this is insecure and meant for demos only"
                );
            }
            Application::build(config).await?.run_until_stopped().await
        }
        Command::Migrate => app::migrate(&cli.load_config()?).await,
        Command::Config => {
            let mut config = cli.load_config()?;
            // Effective means what `serve` would use, defaults filled in.
            config.database.url = Some(app::database_url(&config));
            print(&config::to_redacted_toml(&config)?)
        }
        Command::Openapi { yaml } => {
            print(&if yaml { chatroom_api::openapi_yaml() } else { chatroom_api::openapi_json() })
        }
    }
}

/// Writes a document to standard output, with exactly one final newline.
fn print(document: &str) -> anyhow::Result<()> {
    let mut out = std::io::stdout().lock();
    writeln!(out, "{}", document.trim_end()).and_then(|()| out.flush()).context("writing to standard output")
}
