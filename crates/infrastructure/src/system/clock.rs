//! [`SystemClock`]: the `Clock` port on the system's UTC wall clock.

use std::sync::atomic::{AtomicI64, Ordering};

use chatroom_domain::system::Clock;
use time::OffsetDateTime;

/// The system's UTC time in whole milliseconds, never going backwards: if the wall clock steps back (NTP),
/// the clock repeats the latest time it handed out until the wall clock catches up.
#[derive(Debug, Default)]
pub struct SystemClock {
    latest_unix_nanos: AtomicI64,
}

impl SystemClock {
    /// A clock reading the system time.
    pub fn new() -> Self {
        Self::default()
    }
}

impl Clock for SystemClock {
    fn now(&self) -> OffsetDateTime {
        let wall = OffsetDateTime::now_utc();
        // Whole milliseconds: what the database keeps, so a value in memory and
        // the same value read back are equal (and print the same).
        let wall = wall.replace_nanosecond(wall.nanosecond() / 1_000_000 * 1_000_000).unwrap_or(wall);
        // i64 nanoseconds cover the years 1677–2262.
        let Ok(wall_nanos) = i64::try_from(wall.unix_timestamp_nanos()) else {
            return wall;
        };
        let previous = self.latest_unix_nanos.fetch_max(wall_nanos, Ordering::AcqRel);
        if previous <= wall_nanos {
            return wall;
        }
        OffsetDateTime::from_unix_timestamp_nanos(i128::from(previous)).unwrap_or(wall)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_clock_reads_utc_wall_time() {
        let before = OffsetDateTime::now_utc();
        let now = SystemClock::new().now();
        assert!(now + time::Duration::milliseconds(1) > before && now <= OffsetDateTime::now_utc());
        assert_eq!(now.offset(), time::UtcOffset::UTC);
        assert_eq!(now.nanosecond() % 1_000_000, 0, "whole milliseconds, as stored");
    }

    #[test]
    fn the_clock_never_goes_backwards_even_when_the_wall_clock_does() {
        let clock = SystemClock::new();
        let future = OffsetDateTime::now_utc() + time::Duration::hours(1);
        clock.latest_unix_nanos.store(i64::try_from(future.unix_timestamp_nanos()).unwrap(), Ordering::SeqCst);
        assert_eq!(clock.now(), future);
        let mut previous = clock.now();
        for _ in 0..1000 {
            let next = clock.now();
            assert!(next >= previous);
            previous = next;
        }
    }
}
