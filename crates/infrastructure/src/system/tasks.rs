//! [`TokioBackground`]: the `Background` port on the tokio runtime. Each task runs
//! on its own; a failure is logged (at `warn`, with what the task was doing),
//! since the request that started it has long been answered. The server waits
//! for the tasks still running when it stops (D5), up to its deadline.

use std::sync::{Mutex, PoisonError};

use chatroom_domain::system::{Background, BackgroundTask};
use tokio::task::JoinSet;
use tokio::time::Instant;

/// Spawns background work on the current tokio runtime and keeps track of it.
#[derive(Debug, Default)]
pub struct TokioBackground {
    tasks: Mutex<JoinSet<()>>,
}

impl TokioBackground {
    pub fn new() -> Self {
        Self::default()
    }

    /// Waits until every task started so far has ended or `deadline` has come;
    /// aborts those still running then and returns how many it aborted.
    pub async fn finish(&self, deadline: Instant) -> usize {
        let mut tasks = std::mem::take(&mut *self.tasks.lock().unwrap_or_else(PoisonError::into_inner));
        let drained = tokio::time::timeout_at(deadline, async { while tasks.join_next().await.is_some() {} }).await;
        if drained.is_ok() {
            return 0;
        }
        let left = tasks.len();
        tracing::warn!(tasks = left, "background tasks still running at the shutdown deadline were abandoned");
        tasks.shutdown().await;
        left
    }
}

impl Background for TokioBackground {
    fn spawn(&self, what: &'static str, task: BackgroundTask) {
        let mut tasks = self.tasks.lock().unwrap_or_else(PoisonError::into_inner);
        // Forget the tasks that have ended (their failures are logged already).
        while tasks.try_join_next().is_some() {}
        tasks.spawn(async move {
            if let Err(error) = task.await {
                tracing::warn!(error = format!("{error:#}"), "{what} failed");
            }
        });
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Arc;
    use std::time::Duration;

    use super::*;

    #[tokio::test]
    async fn spawn_returns_before_the_task_runs_and_finish_waits_for_it() {
        let background = TokioBackground::new();
        let (release, released) = tokio::sync::oneshot::channel::<()>();
        let done = Arc::new(AtomicUsize::new(0));
        let counted = done.clone();

        background.spawn(
            "waiting for the test",
            Box::pin(async move {
                released.await?;
                // Still running when `finish` is called.
                tokio::time::sleep(Duration::from_millis(100)).await;
                counted.fetch_add(1, Ordering::SeqCst);
                Ok(())
            }),
        );
        assert_eq!(done.load(Ordering::SeqCst), 0);
        release.send(()).unwrap();

        assert_eq!(background.finish(Instant::now() + Duration::from_secs(30)).await, 0);
        assert_eq!(done.load(Ordering::SeqCst), 1);
    }

    #[tokio::test]
    async fn a_task_still_running_at_the_deadline_is_aborted() {
        let background = TokioBackground::new();
        background.spawn("hanging", Box::pin(std::future::pending()));
        background.spawn("failing", Box::pin(async { anyhow::bail!("mail server refused") }));

        assert_eq!(background.finish(Instant::now() + Duration::from_millis(50)).await, 1);
    }
}
