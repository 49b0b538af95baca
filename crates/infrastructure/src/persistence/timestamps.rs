//! Timestamps are stored as BIGINT unix milliseconds, the one representation the
//! three databases store, compare and index alike. This is the only place that
//! converts.

use anyhow::Context;
use time::OffsetDateTime;

/// A time as stored (sub-millisecond precision is dropped).
pub(crate) fn to_millis(at: OffsetDateTime) -> i64 {
    // i64 milliseconds cover ±292 million years; `time` stops at ±9999.
    at.unix_timestamp_nanos().div_euclid(1_000_000) as i64
}

/// A stored time, in UTC.
pub(crate) fn from_millis(millis: i64) -> anyhow::Result<OffsetDateTime> {
    OffsetDateTime::from_unix_timestamp_nanos(i128::from(millis) * 1_000_000)
        .with_context(|| format!("stored timestamp {millis} is out of range"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_round_trip_at_millisecond_precision() {
        let at = OffsetDateTime::from_unix_timestamp_nanos(1_700_000_000_123_456_789).unwrap();
        let back = from_millis(to_millis(at)).unwrap();
        assert_eq!(back.unix_timestamp_nanos(), 1_700_000_000_123_000_000);
        assert_eq!(to_millis(from_millis(-5).unwrap()), -5);
    }
}
