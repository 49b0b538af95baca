//! Fresh PostgreSQL and MySQL/MariaDB databases, one per test, created on the
//! servers named by `CHATROOM_TEST_POSTGRES_URL` / `CHATROOM_TEST_MYSQL_URL` and
//! dropped afterwards. Without those variables the tests that need them are skipped
//! with a printed reason, unless `CHATROOM_TEST_REQUIRE_SERVICES=1` (CI), where a
//! missing service fails the test.

use std::io::Write as _;

use anyhow::Context;
use sqlx::{Connection, Executor};

/// Which server.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Postgres,
    MySql,
}

impl Backend {
    /// The variable holding the URL of a server the tests may create databases on.
    pub fn env_var(self) -> &'static str {
        match self {
            Backend::Postgres => "CHATROOM_TEST_POSTGRES_URL",
            Backend::MySql => "CHATROOM_TEST_MYSQL_URL",
        }
    }
}

/// Set to `1` to turn "skipped: service not configured" into a failure.
pub const REQUIRE_SERVICES_VAR: &str = "CHATROOM_TEST_REQUIRE_SERVICES";

/// A database that exists for one test.
pub struct TestDatabase {
    backend: Backend,
    admin_url: String,
    name: String,
    /// The URL of the fresh database, for `--database-url`.
    pub url: String,
    dropped: bool,
}

impl TestDatabase {
    /// A fresh database, or `None` (after printing why) when the backend is not
    /// configured and not required.
    pub async fn create(backend: Backend, test: &str) -> Option<Self> {
        let Ok(admin_url) = std::env::var(backend.env_var()) else {
            let required = std::env::var(REQUIRE_SERVICES_VAR).is_ok_and(|v| v == "1");
            assert!(!required, "{test}: {} is not set but {REQUIRE_SERVICES_VAR}=1", backend.env_var());
            // Straight to the process's stderr: libtest would swallow `eprintln!`
            // of a passing test, and a skip must be visible.
            let _ = writeln!(std::io::stderr(), "SKIPPED {test}: {} is not set (see .ci/run)", backend.env_var());
            return None;
        };
        let name = format!("chatroom_t_{}", uuid::Uuid::new_v4().simple());
        let url = with_database(&admin_url, &name);
        execute(backend, &admin_url, &format!("CREATE DATABASE {name}"))
            .await
            .unwrap_or_else(|e| panic!("{test}: creating database {name} via {}: {e:#}", backend.env_var()));
        Some(Self { backend, admin_url, name, url, dropped: false })
    }

    /// Drops the database now and ends every session still using it, as an
    /// outage would (e.g. to see a running server notice).
    pub async fn drop_database(&mut self) -> anyhow::Result<()> {
        match self.backend {
            // FORCE ends the sessions of a server that still runs.
            Backend::Postgres => {
                execute(self.backend, &self.admin_url, &format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.name))
                    .await?;
            }
            // MySQL keeps sessions on a dropped database alive (and answering
            // pings): end them, so reconnecting is what fails.
            Backend::MySql => {
                let mut connection = sqlx::MySqlConnection::connect(&self.admin_url).await?;
                connection.execute(format!("DROP DATABASE IF EXISTS {}", self.name).as_str()).await?;
                let ids: Vec<i64> = sqlx::query_scalar("SELECT id FROM information_schema.processlist WHERE db = ?")
                    .bind(&self.name)
                    .fetch_all(&mut connection)
                    .await?;
                for id in ids {
                    // A session may end by itself meanwhile: ignore "unknown thread".
                    let _ = connection.execute(format!("KILL {id}").as_str()).await;
                }
                connection.close().await?;
            }
        }
        self.dropped = true;
        Ok(())
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        if self.dropped {
            return;
        }
        // Drop cannot await; a private runtime on a scoped thread does the work.
        let statement = match self.backend {
            Backend::Postgres => format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.name),
            Backend::MySql => format!("DROP DATABASE IF EXISTS {}", self.name),
        };
        let (backend, admin_url) = (self.backend, self.admin_url.clone());
        std::thread::scope(|scope| {
            scope.spawn(|| {
                let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build();
                match runtime.map(|rt| rt.block_on(execute(backend, &admin_url, &statement))) {
                    Ok(Ok(())) => {}
                    Ok(Err(e)) => eprintln!("could not drop test database: {e:#}"),
                    Err(e) => eprintln!("could not drop test database: {e}"),
                }
            });
        });
    }
}

async fn execute(backend: Backend, url: &str, statement: &str) -> anyhow::Result<()> {
    match backend {
        Backend::Postgres => {
            let mut connection = sqlx::PgConnection::connect(url).await.context("connecting to PostgreSQL")?;
            connection.execute(statement).await.with_context(|| statement.to_owned())?;
            connection.close().await?;
        }
        Backend::MySql => {
            let mut connection = sqlx::MySqlConnection::connect(url).await.context("connecting to MySQL")?;
            connection.execute(statement).await.with_context(|| statement.to_owned())?;
            connection.close().await?;
        }
    }
    Ok(())
}

/// `scheme://user@host:port/<old>?query` → the same URL naming database `name`.
fn with_database(url: &str, name: &str) -> String {
    let (base, query) = url.split_once('?').map_or((url, None), |(b, q)| (b, Some(q)));
    let authority_start = base.find("://").map_or(0, |i| i + 3);
    let server = match base[authority_start..].find('/') {
        Some(slash) => &base[..authority_start + slash],
        None => base,
    };
    match query {
        Some(query) => format!("{server}/{name}?{query}"),
        None => format!("{server}/{name}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_database_name_in_a_url_is_replaced() {
        assert_eq!(
            with_database("postgres://postgres@127.0.0.1:5432/test", "x"),
            "postgres://postgres@127.0.0.1:5432/x"
        );
        assert_eq!(with_database("mysql://root@127.0.0.1:3306", "x"), "mysql://root@127.0.0.1:3306/x");
        assert_eq!(with_database("postgres://u:p@h/db?sslmode=disable", "x"), "postgres://u:p@h/x?sslmode=disable");
    }
}
