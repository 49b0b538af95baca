//! Mock-backed tests of the purges of S10: each store is asked to delete exactly
//! what the rules no longer need, with the cut-offs the policy gives.

use mockall::predicate::eq;
use time::macros::datetime;
use time::OffsetDateTime;

use super::*;
use crate::account::ports::{MockResetCodeStore, MockSessionStore};
use crate::account::AccountPolicy;
use crate::system::{MockClock, MockThrottleStore};

const NOW: OffsetDateTime = datetime!(2026-03-01 12:00 UTC);
const HOUR: Duration = Duration::from_secs(3600);

struct Mocks {
    sessions: MockSessionStore,
    reset_codes: MockResetCodeStore,
    throttle: MockThrottleStore,
}

fn mocks() -> Mocks {
    Mocks {
        sessions: MockSessionStore::new(),
        reset_codes: MockResetCodeStore::new(),
        throttle: MockThrottleStore::new(),
    }
}

impl Mocks {
    fn housekeeper(self, policy: HousekeepingPolicy) -> Housekeeper {
        let mut clock = MockClock::new();
        clock.expect_now().return_const(NOW);
        Housekeeper::new(
            HousekeepingDeps {
                sessions: Arc::new(self.sessions),
                reset_codes: Arc::new(self.reset_codes),
                throttle: Arc::new(self.throttle),
                clock: Arc::new(clock),
            },
            policy,
        )
    }
}

#[tokio::test]
async fn s10_a_purge_deletes_expired_sessions_stale_codes_and_throttle_rows_outside_every_window() {
    let mut m = mocks();
    m.sessions.expect_purge_expired().with(eq(NOW)).times(1).returning(|_| Ok(2));
    m.reset_codes.expect_purge_stale().with(eq(NOW)).times(1).returning(|_| Ok(3));
    m.throttle.expect_purge_hits().with(eq(NOW - HOUR)).times(1).returning(|_| Ok(40));
    m.throttle.expect_purge_locks().with(eq(NOW - HOUR)).times(1).returning(|_| Ok(5));

    let purged = m.housekeeper(HousekeepingPolicy { throttle_window: HOUR }).purge().await.unwrap();

    assert_eq!(purged, Purged { sessions: 2, reset_codes: 3, throttle_hits: 40, throttle_locks: 5 });
    assert!(!purged.is_empty());
}

#[tokio::test]
async fn s10_a_failing_store_fails_the_purge() {
    let mut m = mocks();
    m.sessions.expect_purge_expired().returning(|_| Err(anyhow::anyhow!("database gone")));

    let result = m.housekeeper(HousekeepingPolicy { throttle_window: HOUR }).purge().await;

    assert!(result.is_err());
}

#[test]
fn s10_throttle_rows_are_kept_for_the_longest_counting_window() {
    let policy = AccountPolicy::default();
    assert_eq!(policy.longest_throttle_window(), HOUR, "S3's per-IP window and S10's registration window");
    let longer_login = AccountPolicy { login_window: 2 * HOUR, ..AccountPolicy::default() };
    assert_eq!(longer_login.longest_throttle_window(), 2 * HOUR);
    let longer_email = AccountPolicy { reset_email_window: 3 * HOUR, ..AccountPolicy::default() };
    assert_eq!(longer_email.longest_throttle_window(), 3 * HOUR);
}
