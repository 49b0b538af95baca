//! `GET /healthz` (liveness) and `GET /readyz` (readiness, SPEC §6 (ext)).

use std::sync::Arc;

use poem_openapi::OpenApi;

use super::ApiTags;
use crate::catalogue::{Failure, UnavailableRefusals};
use crate::health::Readiness;
use crate::reply::{Answer, Reply};

/// Probes for load balancers and orchestrators.
pub struct HealthApi {
    readiness: Arc<dyn Readiness>,
}

impl HealthApi {
    /// The probes, with the readiness check of this node.
    pub fn new(readiness: Arc<dyn Readiness>) -> Self {
        Self { readiness }
    }
}

#[OpenApi(tag = "ApiTags::Health")]
impl HealthApi {
    /// Liveness: the process answers.
    ///
    /// Always `Code` 0 with Notice `ok`; it checks no dependency, so an
    /// orchestrator restarts the process only when it is really stuck.
    #[oai(path = "/healthz", method = "get", operation_id = "healthz")]
    async fn healthz(&self) -> Answer {
        Ok(Reply::notice("ok".to_owned()))
    }

    /// Readiness: the database and the event bus are reachable.
    ///
    /// `Code` 0 with Notice `ok`, or E5003 (503) while a dependency is down, so a
    /// load balancer sends no traffic to this node.
    #[oai(path = "/readyz", method = "get", operation_id = "readyz")]
    async fn readyz(&self) -> Answer<String, String, UnavailableRefusals> {
        match self.readiness.check().await {
            Ok(()) => Ok(Reply::notice("ok".to_owned())),
            Err(reason) => {
                tracing::warn!(%reason, "not ready");
                Err(Failure::unavailable())
            }
        }
    }
}
