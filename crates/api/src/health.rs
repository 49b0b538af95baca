//! Readiness as the API sees it: one question, "can this node serve requests
//! now?", answered by the server crate (database and bus reachable). Liveness needs
//! no port: a process that answers `/healthz` is alive.

use async_trait::async_trait;

/// Whether the node's dependencies are reachable (`GET /readyz`).
#[async_trait]
pub trait Readiness: Send + Sync {
    /// MUST return `Ok(())` when the database and the event bus answer, and
    /// otherwise `Err` with a reason for the operator's log (never shown to
    /// clients). SHOULD return quickly: load balancers call it often.
    async fn check(&self) -> Result<(), String>;
}
