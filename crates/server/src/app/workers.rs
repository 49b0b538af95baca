//! The server's background tasks: the two writers behind the services, the purge
//! of S10 and the mails sent after their answers, started by
//! [`Application`](super::Application) and stopped after the HTTP server, in the
//! order of D5 (see the module doc of [`super`]).
//!
//! The purge goes first: told to stop, it finishes the purge under way, if any.
//! Mails still being sent get until the deadline, alongside the sessions.
//!
//! Neither is stopped at once. The delivery-marks writer goes first: the
//! WebSocket sessions hold its handles until they have closed, each saving its
//! own last mark as it does, so the writer ends by itself once every session is
//! done. The append writer goes next, and it too ends by itself, once every
//! holder of the message store is gone: a session's frame handler is a task of
//! its own that may still be posting the message it was handling when its
//! session closed, and that post must be answered (committed), not refused
//! because the writer was told to stop as soon as the sessions were done (D5).
//! Only a writer still held at the deadline (`http.shutdown_timeout` after the
//! signal) is told to stop; told to, the append writer answers every append
//! already queued and refuses new ones. Both write to the database, which
//! closes last.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use std::sync::Arc;

use chatroom_api::MarksWriter;
use chatroom_infrastructure::persistence::{AppendWriter, Database};
use chatroom_infrastructure::system::TokioBackground;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;
use tokio::time::Instant;

/// The writers the wiring built, not yet running.
pub(super) struct Writers {
    /// Saves how far each member has read (D4).
    pub(super) marks: MarksWriter,
    /// Writes the room events (group commit, D1).
    pub(super) appends: AppendWriter,
    /// Deletes what S10 says is stale, periodically.
    pub(super) purges: super::purges::Purges,
    /// Runs the mails of forgetPwd after the answer (S10).
    pub(super) mails: Arc<TokioBackground>,
}

/// The running writers and the database they write to.
pub(super) struct Workers {
    purges: Worker,
    marks: Worker,
    appends: Worker,
    mails: Arc<TokioBackground>,
    database: Database,
}

impl Workers {
    /// Spawns the writers on the current runtime.
    pub(super) fn start(database: Database, writers: Writers) -> Self {
        let Writers { marks, appends, purges, mails } = writers;
        Self {
            purges: Worker::spawn("the purge", |stop| purges.run(stop)),
            marks: Worker::spawn("the delivery-marks writer", |stop| marks.run(stop)),
            appends: Worker::spawn("the append writer", |stop| appends.run(stop)),
            mails,
            database,
        }
    }

    /// Once the HTTP server has drained: stops the purge; waits for the marks
    /// writer and the mails, then for the append writer, to end by themselves
    /// until `deadline`, stopping whichever has not by then; closes the
    /// database.
    pub(super) async fn stop(self, deadline: Instant) -> anyhow::Result<()> {
        let Self { purges, marks, appends, mails, database } = self;
        purges.stop().await;
        tokio::join!(marks.stop_at(deadline), mails.finish(deadline));
        appends.stop_at(deadline).await;
        database.close().await
    }
}

/// A spawned task, and the means to tell it to stop.
struct Worker {
    name: &'static str,
    stop: oneshot::Sender<()>,
    task: JoinHandle<()>,
}

impl Worker {
    /// Spawns `run` with the future that resolves when the worker is told to
    /// stop (or its `Worker` is dropped).
    fn spawn<F>(name: &'static str, run: impl FnOnce(Stop) -> F) -> Self
    where
        F: Future<Output = ()> + Send + 'static,
    {
        let (stop, stopped) = oneshot::channel();
        let task = tokio::spawn(run(Stop(stopped)));
        Self { name, stop, task }
    }

    /// Tells the worker to stop and waits until it has.
    async fn stop(self) {
        // An error means the task has already ended: nothing to tell.
        let _ = self.stop.send(());
        report(self.name, self.task.await);
    }

    /// Waits until `deadline` for the worker to end by itself, then tells it
    /// to stop.
    async fn stop_at(mut self, deadline: Instant) {
        match tokio::time::timeout_at(deadline, &mut self.task).await {
            Ok(ended) => report(self.name, ended),
            Err(_) => self.stop().await,
        }
    }
}

/// A worker's stop signal.
struct Stop(oneshot::Receiver<()>);

impl Future for Stop {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        // A dropped sender stops the worker too.
        Pin::new(&mut self.0).poll(cx).map(drop)
    }
}

fn report(name: &str, ended: Result<(), tokio::task::JoinError>) {
    if let Err(e) = ended {
        tracing::error!(error = %e, "{name} failed");
    }
}

#[cfg(test)]
mod tests;
