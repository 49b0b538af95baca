//! `/readyz`: the server is ready when its database answers: a single node, the
//! only kind config validation accepts, depends on nothing else. Liveness
//! (`/healthz`) needs nothing and lives in the api crate.

use std::time::Duration;

use async_trait::async_trait;
use chatroom_api::Readiness;
use chatroom_infrastructure::persistence::Database;

/// Load balancers call `/readyz` often and want a quick answer: a database that
/// does not answer within this long counts as unreachable.
const PING_TIMEOUT: Duration = Duration::from_secs(3);

/// Readiness = the database answers a ping.
pub struct DatabaseReadiness {
    database: Database,
}

impl DatabaseReadiness {
    pub fn new(database: Database) -> Self {
        Self { database }
    }
}

#[async_trait]
impl Readiness for DatabaseReadiness {
    async fn check(&self) -> Result<(), String> {
        let reason = match tokio::time::timeout(PING_TIMEOUT, self.database.ping()).await {
            Ok(Ok(())) => return Ok(()),
            Ok(Err(e)) => format!("database unreachable: {e:#}"),
            Err(_) => format!("database did not answer within {PING_TIMEOUT:?}"),
        };
        Err(reason)
    }
}
