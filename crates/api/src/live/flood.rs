//! The flood limit of a connection (W10): a token bucket of `rate` frames per
//! second holding at most `burst`. A frame over the limit is refused (E1201)
//! and counts as a strike; an accepted frame clears the strikes. Too many
//! strikes in a row is sustained abuse, and the connection closes (1008).

use tokio::time::Instant;

/// What to do with an incoming frame.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Verdict {
    Accept,
    /// Answer E1201 and drop the frame.
    TooFast,
    /// Close the connection with 1008.
    Abuse,
}

/// One connection's bucket.
#[derive(Debug)]
pub(crate) struct FloodLimit {
    rate: f64,
    burst: f64,
    tokens: f64,
    refilled: Instant,
    strikes: u32,
    max_strikes: u32,
}

impl FloodLimit {
    /// `rate` frames per second, bursts of `burst`; abuse after `2 × burst`
    /// refused frames in a row.
    pub(crate) fn new(rate: f64, burst: u32, now: Instant) -> Self {
        let burst = f64::from(burst.max(1));
        Self { rate: rate.max(0.0), burst, tokens: burst, refilled: now, strikes: 0, max_strikes: 2 * burst as u32 }
    }

    /// The verdict on a frame arriving at `now`.
    pub(crate) fn check(&mut self, now: Instant) -> Verdict {
        let elapsed = now.saturating_duration_since(self.refilled).as_secs_f64();
        self.tokens = (self.tokens + elapsed * self.rate).min(self.burst);
        self.refilled = now;
        if self.tokens >= 1.0 {
            self.tokens -= 1.0;
            self.strikes = 0;
            return Verdict::Accept;
        }
        self.strikes += 1;
        if self.strikes > self.max_strikes {
            Verdict::Abuse
        } else {
            Verdict::TooFast
        }
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    #[test]
    fn w10_a_burst_passes_then_frames_are_refused_until_tokens_refill() {
        let start = Instant::now();
        let mut limit = FloodLimit::new(10.0, 20, start);
        for _ in 0..20 {
            assert_eq!(limit.check(start), Verdict::Accept);
        }
        assert_eq!(limit.check(start), Verdict::TooFast);
        // 100 ms at 10/s refills one token.
        assert_eq!(limit.check(start + Duration::from_millis(100)), Verdict::Accept);
        assert_eq!(limit.check(start + Duration::from_millis(100)), Verdict::TooFast);
    }

    #[test]
    fn w10_sustained_abuse_is_told_apart_from_an_occasional_excess() {
        let start = Instant::now();
        let mut limit = FloodLimit::new(10.0, 2, start);
        assert_eq!(limit.check(start), Verdict::Accept);
        assert_eq!(limit.check(start), Verdict::Accept);
        for _ in 0..4 {
            assert_eq!(limit.check(start), Verdict::TooFast);
        }
        assert_eq!(limit.check(start), Verdict::Abuse);
    }

    #[test]
    fn w10_an_accepted_frame_clears_the_strikes() {
        let start = Instant::now();
        let mut limit = FloodLimit::new(10.0, 1, start);
        assert_eq!(limit.check(start), Verdict::Accept);
        assert_eq!(limit.check(start), Verdict::TooFast);
        assert_eq!(limit.check(start), Verdict::TooFast);
        assert_eq!(limit.check(start + Duration::from_millis(100)), Verdict::Accept);
        assert_eq!(limit.check(start + Duration::from_millis(100)), Verdict::TooFast);
        assert_eq!(limit.check(start + Duration::from_millis(100)), Verdict::TooFast);
    }
}
