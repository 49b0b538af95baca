//! The database handle: which backend, which pools, schema migration and
//! readiness.
//!
//! SQLite allows one writer at a time. Rather than letting concurrent writers
//! collide on "database is locked", writes go through a pool of exactly one
//! connection (callers queue in the pool) while reads use a few more connections,
//! which WAL mode lets run beside the writer. PostgreSQL and MySQL/MariaDB use one
//! pool for both.
//!
//! MySQL sessions run at READ COMMITTED, PostgreSQL's default: InnoDB then takes no
//! gap locks for plain searches (which deadlock unrelated rooms' transactions at
//! REPEATABLE READ), and every statement sees what was committed before it, so the
//! adapters' transactions mean the same on both servers.

use std::str::FromStr;
use std::time::Duration;

use anyhow::Context;
use chatroom_migrations::{Migrator, MigratorTrait};
use sea_orm::{ConnectOptions, DatabaseConnection, SqlxMySqlConnector, SqlxSqliteConnector};
use sqlx::mysql::{MySqlConnectOptions, MySqlPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::Executor as _;

/// SQLite readers beside the single writer.
const SQLITE_READERS: u32 = 4;
/// Connections of a PostgreSQL or MySQL pool.
const SERVER_POOL_SIZE: u32 = 10;
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);
/// How long a PostgreSQL or MySQL caller waits for a connection of the pool by
/// default (`database.acquire_timeout`). The pool keeps retrying a server that
/// refuses connections until then, so while the database is down this is how
/// long a request takes to be answered E5003.
pub const DEFAULT_ACQUIRE_TIMEOUT: Duration = Duration::from_secs(5);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Backend {
    Sqlite,
    Postgres,
    MySql,
}

/// A connected database. Cheap to clone: clones share the pools.
#[derive(Debug, Clone)]
pub struct Database {
    writer: DatabaseConnection,
    reader: DatabaseConnection,
    backend: Backend,
}

impl Database {
    /// Connects to `url`: `postgres://…`, `mysql://…` (or `mariadb://…`),
    /// `sqlite://path?mode=rwc`, `sqlite::memory:`, or a plain file path (SQLite,
    /// created when missing).
    pub async fn connect(url: &str) -> anyhow::Result<Self> {
        Self::connect_with(url, DEFAULT_ACQUIRE_TIMEOUT).await
    }

    /// [`Database::connect`], with PostgreSQL and MySQL callers waiting at most
    /// `acquire_timeout` for a connection (SQLite's pools keep their defaults:
    /// its writers queue for the single writing connection, and the file does
    /// not go away the way a server does).
    pub async fn connect_with(url: &str, acquire_timeout: Duration) -> anyhow::Result<Self> {
        if let Some(rest) = url.strip_prefix("mariadb://") {
            return Self::connect_mysql(&format!("mysql://{rest}"), acquire_timeout).await;
        }
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Self::connect_postgres(url, acquire_timeout).await
        } else if url.starts_with("mysql://") {
            Self::connect_mysql(url, acquire_timeout).await
        } else {
            Self::connect_sqlite(url).await
        }
    }

    async fn connect_postgres(url: &str, acquire_timeout: Duration) -> anyhow::Result<Self> {
        let mut options = ConnectOptions::new(url.to_owned());
        options
            .max_connections(SERVER_POOL_SIZE)
            .acquire_timeout(acquire_timeout)
            // Statement logging would flood the log at INFO; failures still surface.
            .sqlx_logging(false);
        let connection = sea_orm::Database::connect(options).await.context("connecting to PostgreSQL")?;
        Ok(Self { writer: connection.clone(), reader: connection, backend: Backend::Postgres })
    }

    async fn connect_mysql(url: &str, acquire_timeout: Duration) -> anyhow::Result<Self> {
        let options = MySqlConnectOptions::from_str(url).context("parsing the MySQL URL")?;
        let pool = MySqlPoolOptions::new()
            .max_connections(SERVER_POOL_SIZE)
            .acquire_timeout(acquire_timeout)
            .after_connect(|connection, _| {
                Box::pin(async move {
                    connection.execute("SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED").await?;
                    Ok(())
                })
            })
            .connect_with(options)
            .await
            .context("connecting to MySQL")?;
        let connection = SqlxMySqlConnector::from_sqlx_mysql_pool(pool);
        Ok(Self { writer: connection.clone(), reader: connection, backend: Backend::MySql })
    }

    async fn connect_sqlite(url: &str) -> anyhow::Result<Self> {
        let base = if url.starts_with("sqlite:") {
            SqliteConnectOptions::from_str(url).context("parsing the SQLite URL")?
        } else {
            SqliteConnectOptions::new().filename(url)
        };
        let options = base
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .foreign_keys(true)
            .busy_timeout(BUSY_TIMEOUT)
            .synchronous(SqliteSynchronous::Normal);
        let in_memory = url.contains(":memory:") || url.contains("mode=memory");
        if in_memory {
            // Each connection would see its own empty database: keep exactly one.
            let pool = SqlitePoolOptions::new()
                .max_connections(1)
                .min_connections(1)
                .idle_timeout(None)
                .max_lifetime(None)
                .connect_with(options)
                .await
                .context("opening the in-memory SQLite database")?;
            let connection = SqlxSqliteConnector::from_sqlx_sqlite_pool(pool);
            return Ok(Self { writer: connection.clone(), reader: connection, backend: Backend::Sqlite });
        }
        let writer = SqlitePoolOptions::new()
            .max_connections(1)
            .connect_with(options.clone())
            .await
            .context("opening the SQLite database for writing")?;
        let reader = SqlitePoolOptions::new()
            .max_connections(SQLITE_READERS)
            .connect_with(options)
            .await
            .context("opening the SQLite database for reading")?;
        Ok(Self {
            writer: SqlxSqliteConnector::from_sqlx_sqlite_pool(writer),
            reader: SqlxSqliteConnector::from_sqlx_sqlite_pool(reader),
            backend: Backend::Sqlite,
        })
    }

    /// Brings the schema up to date.
    pub async fn migrate(&self) -> anyhow::Result<()> {
        Migrator::up(&self.writer, None).await.context("running the database migrations")
    }

    /// Checks that the database answers (readiness).
    pub async fn ping(&self) -> anyhow::Result<()> {
        self.writer.ping().await.context("pinging the database")?;
        if self.backend == Backend::Sqlite {
            self.reader.ping().await.context("pinging the database's readers")?;
        }
        Ok(())
    }

    /// `"sqlite"`, `"postgres"` or `"mysql"`. SQLite serves a single node only.
    pub fn backend_name(&self) -> &'static str {
        match self.backend {
            Backend::Sqlite => "sqlite",
            Backend::Postgres => "postgres",
            Backend::MySql => "mysql",
        }
    }

    /// Closes the pools; clones of this handle stop working too.
    pub async fn close(self) -> anyhow::Result<()> {
        self.reader.close_by_ref().await.context("closing the database")?;
        if self.backend == Backend::Sqlite {
            self.writer.close_by_ref().await.context("closing the database")?;
        }
        Ok(())
    }

    /// The connection for transactions and writes.
    pub(crate) fn writer(&self) -> &DatabaseConnection {
        &self.writer
    }

    /// The connection for reads outside a transaction.
    pub(crate) fn reader(&self) -> &DatabaseConnection {
        &self.reader
    }
}
