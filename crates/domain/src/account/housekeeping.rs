//! Housekeeping (S10): what the account rules leave behind once it can no longer
//! matter (expired sessions, used or expired reset codes, throttle hits and
//! locks older than every counting window) is purged, periodically, by whoever
//! runs [`Housekeeping::purge`] (the server, on `auth.purge_interval`).

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;

use super::ports::{ResetCodeStore, SessionStore};
use crate::system::{Clock, ThrottleStore};

/// How many rows one purge deleted.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Purged {
    pub sessions: u64,
    pub reset_codes: u64,
    pub throttle_hits: u64,
    pub throttle_locks: u64,
}

impl Purged {
    /// Whether anything was deleted.
    pub fn is_empty(&self) -> bool {
        *self == Self::default()
    }
}

/// What decides that a row is stale.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HousekeepingPolicy {
    /// The longest window any limit counts its hits in (S3, S4, S10). A hit older
    /// than it counts for no limit any more; a lock that ended longer ago than it
    /// no longer moves the start of any count (S4: a lockout that ended starts the
    /// count afresh), so both can go.
    pub throttle_window: Duration,
}

/// Purges what the account rules no longer need (S10).
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait Housekeeping: Send + Sync {
    /// Deletes expired sessions, used or expired reset codes, and throttle hits and
    /// locks outside every window; live rows stay.
    async fn purge(&self) -> anyhow::Result<Purged>;
}

/// The ports housekeeping needs.
pub struct HousekeepingDeps {
    pub sessions: Arc<dyn SessionStore>,
    pub reset_codes: Arc<dyn ResetCodeStore>,
    pub throttle: Arc<dyn ThrottleStore>,
    pub clock: Arc<dyn Clock>,
}

/// Implements [`Housekeeping`] over the stores.
pub struct Housekeeper {
    deps: HousekeepingDeps,
    policy: HousekeepingPolicy,
}

impl Housekeeper {
    pub fn new(deps: HousekeepingDeps, policy: HousekeepingPolicy) -> Self {
        Self { deps, policy }
    }
}

#[async_trait]
impl Housekeeping for Housekeeper {
    async fn purge(&self) -> anyhow::Result<Purged> {
        let now = self.deps.clock.now();
        let outside_every_window = now - self.policy.throttle_window;
        Ok(Purged {
            sessions: self.deps.sessions.purge_expired(now).await?,
            reset_codes: self.deps.reset_codes.purge_stale(now).await?,
            throttle_hits: self.deps.throttle.purge_hits(outside_every_window).await?,
            throttle_locks: self.deps.throttle.purge_locks(outside_every_window).await?,
        })
    }
}

#[cfg(test)]
mod tests;
