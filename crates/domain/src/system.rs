//! Time, randomness, rate limits and work done after the answer as ports, so
//! every rule that depends on them is testable without sleeping and without
//! luck; and [`Unavailable`], how any port says that what it stands for could
//! not be reached.

use std::future::Future;
use std::pin::Pin;

use async_trait::async_trait;
use time::OffsetDateTime;

/// The current time.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
pub trait Clock: Send + Sync {
    /// MUST return the current UTC time; successive calls MUST NOT go backwards.
    fn now(&self) -> OffsetDateTime;
}

/// Unpredictable identifiers and codes.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
pub trait IdGenerator: Send + Sync {
    /// MUST return 128 random bits from a CSPRNG as 32 lower-case hex digits
    /// (session ids, image ids).
    fn random_id(&self) -> String;
    /// MUST return `len` decimal digits from a CSPRNG (reset codes, S3).
    fn digits(&self, len: usize) -> String;
    /// MUST return 64 random bits from a CSPRNG (room incarnations, S7).
    fn random_u64(&self) -> u64;
}

/// Counters and lockouts for the limits of S3, S4 and S10. They live in shared
/// storage so that they hold across several server nodes.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait ThrottleStore: Send + Sync {
    /// MUST record one hit of `key` at `at` and return how many hits `key` has at or
    /// after `since` (the new one included).
    async fn hit(&self, key: &str, at: OffsetDateTime, since: OffsetDateTime) -> anyhow::Result<u32>;
    /// MUST lock `key` until `until` (a later lock extends an earlier one).
    async fn lock(&self, key: &str, until: OffsetDateTime) -> anyhow::Result<()>;
    /// MUST return the end of `key`'s lock if it is still locked at `now`.
    async fn locked_until(&self, key: &str, now: OffsetDateTime) -> anyhow::Result<Option<OffsetDateTime>>;
    /// MUST return the end of `key`'s latest lock, past or still in force; `None`
    /// when it was never locked. Hits before it no longer count (S4: a lockout
    /// that ended starts the count afresh).
    async fn last_locked_until(&self, key: &str) -> anyhow::Result<Option<OffsetDateTime>>;
    /// MUST forget the hits of `key` (after a successful login).
    async fn clear(&self, key: &str) -> anyhow::Result<()>;
    /// MUST delete every hit, of any key, recorded before `before`, and return how
    /// many it deleted (S10).
    async fn purge_hits(&self, before: OffsetDateTime) -> anyhow::Result<u64>;
    /// MUST delete every lock, of any key, that ended before `before`, and return
    /// how many it deleted (S10).
    async fn purge_locks(&self, before: OffsetDateTime) -> anyhow::Result<u64>;
}

/// Work that goes on after the answer, e.g. mailing a reset code (S10).
pub type BackgroundTask = Pin<Box<dyn Future<Output = anyhow::Result<()>> + Send + 'static>>;

/// Runs work the caller does not wait for.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
pub trait Background: Send + Sync {
    /// MUST start `task` and return at once, without waiting for any of it; MUST
    /// log a failure of the task under `what` (it has no caller to answer).
    fn spawn(&self, what: &'static str, task: BackgroundTask);
}

/// A port could not reach what it stands for (the database, the event bus): the
/// operation did not happen, or its outcome is unknown, and it may succeed once
/// that dependency is back (E5003, SPEC §5).
///
/// Ports return `anyhow::Result`, and the operations' error enums carry such
/// errors in their `Unexpected` variants. An adapter that sees a connection
/// failure puts an `Unavailable` into the error it returns, with the failure as
/// its source; it then survives every `context` a service adds and every
/// `Unexpected(anyhow::Error)` it travels through, and the edge finds it with
/// [`Unavailable::find`]. No rule of the domain depends on it.
#[derive(Debug, thiserror::Error)]
#[error("{dependency} is unreachable")]
pub struct Unavailable {
    dependency: &'static str,
    #[source]
    cause: Box<dyn std::error::Error + Send + Sync>,
}

impl Unavailable {
    /// `dependency` (e.g. `"the database"`) could not be reached; `cause` says how.
    pub fn new(dependency: &'static str, cause: impl Into<Box<dyn std::error::Error + Send + Sync>>) -> Self {
        Self { dependency, cause: cause.into() }
    }

    /// What could not be reached, for the log.
    pub fn dependency(&self) -> &'static str {
        self.dependency
    }

    /// The `Unavailable` anywhere in `error`'s chain of causes, if any.
    pub fn find(error: &anyhow::Error) -> Option<&Self> {
        error.chain().find_map(|cause| cause.downcast_ref::<Self>())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn e5003_an_unavailable_cause_is_found_under_every_context_added_above_it() {
        let refused = std::io::Error::from(std::io::ErrorKind::ConnectionRefused);
        let error = anyhow::Error::new(Unavailable::new("the database", refused))
            .context("finding a user")
            .context("logging in");

        let found = Unavailable::find(&error).map(Unavailable::dependency);

        assert_eq!(found, Some("the database"));
        assert_eq!(format!("{error:#}"), "logging in: finding a user: the database is unreachable: connection refused");
    }

    #[test]
    fn e5003_an_error_without_an_unavailable_cause_is_not_an_outage() {
        let error = anyhow::anyhow!("the database is unreachable").context("finding a user");

        assert!(Unavailable::find(&error).is_none());
    }
}
