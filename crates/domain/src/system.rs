//! Time and randomness as ports, so every rule that depends on them is testable
//! without sleeping and without luck.

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
}
