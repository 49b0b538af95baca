//! The purge of S10, run every `auth.purge_interval` from the start: expired
//! sessions, used or expired reset codes and throttle rows outside every window
//! go. A failed purge is logged and tried again at the next tick; the task stops
//! when told to, after the purge under way (if any) has finished, so it never
//! outlives the database (D5).

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use chatroom_domain::account::Housekeeping;
use tokio::time::MissedTickBehavior;

/// What the purge task needs.
pub(super) struct Purges {
    pub(super) housekeeping: Arc<dyn Housekeeping>,
    pub(super) interval: Duration,
}

impl Purges {
    /// Purges at once and then every `interval`, until `stop` resolves.
    pub(super) async fn run(self, stop: impl Future<Output = ()>) {
        let mut ticks = tokio::time::interval(self.interval);
        ticks.set_missed_tick_behavior(MissedTickBehavior::Delay);
        tokio::pin!(stop);
        loop {
            tokio::select! {
                () = &mut stop => return,
                _ = ticks.tick() => {}
            }
            match self.housekeeping.purge().await {
                Ok(purged) if purged.is_empty() => tracing::debug!("purge: nothing stale"),
                Ok(purged) => tracing::info!(
                    sessions = purged.sessions,
                    reset_codes = purged.reset_codes,
                    throttle_hits = purged.throttle_hits,
                    throttle_locks = purged.throttle_locks,
                    "purged stale rows"
                ),
                Err(error) => tracing::warn!(error = format!("{error:#}"), "purging stale rows failed"),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};

    use async_trait::async_trait;
    use chatroom_domain::account::Purged;
    use tokio::sync::{mpsc, oneshot};

    use super::*;

    /// Fails its first purge, then purges one session each time; tells the test
    /// of every purge.
    struct Flaky {
        calls: AtomicUsize,
        purged: mpsc::UnboundedSender<()>,
    }

    #[async_trait]
    impl Housekeeping for Flaky {
        async fn purge(&self) -> anyhow::Result<Purged> {
            let _ = self.purged.send(());
            if self.calls.fetch_add(1, Ordering::SeqCst) == 0 {
                anyhow::bail!("database gone")
            }
            Ok(Purged { sessions: 1, ..Purged::default() })
        }
    }

    #[tokio::test]
    async fn s10_the_purge_runs_at_once_and_again_after_a_failure_until_it_is_told_to_stop() {
        let (purged, mut purges) = mpsc::unbounded_channel();
        let housekeeping = Arc::new(Flaky { calls: AtomicUsize::new(0), purged });
        let (stop, stopped) = oneshot::channel::<()>();
        let runner = Purges { housekeeping: housekeeping.clone(), interval: Duration::from_millis(10) };
        let task = tokio::spawn(runner.run(async move {
            let _ = stopped.await;
        }));

        for _ in 0..3 {
            let purge = tokio::time::timeout(Duration::from_secs(30), purges.recv()).await;
            purge.expect("no purge within 30 s").expect("a purge");
        }
        stop.send(()).unwrap();

        tokio::time::timeout(Duration::from_secs(30), task).await.expect("the task stops").unwrap();
        let after_stop = housekeeping.calls.load(Ordering::SeqCst);
        tokio::time::sleep(Duration::from_millis(50)).await;
        assert_eq!(housekeeping.calls.load(Ordering::SeqCst), after_stop, "purged after it stopped");
    }
}
