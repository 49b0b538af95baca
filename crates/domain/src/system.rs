//! Time, randomness, rate limits and work done after the answer as ports, so
//! every rule that depends on them is testable without sleeping and without luck.

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
