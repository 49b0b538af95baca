//! Stopping the server: SIGINT and SIGTERM, or a programmatic trigger, end the
//! accept loop; the same [`Shutdown`] handle tells long-lived connections to close
//! (WebSocket sessions close with 1001, W14).

use tokio::sync::watch;

/// A cloneable shutdown flag: one trigger, any number of subscribers.
#[derive(Debug, Clone)]
pub struct Shutdown {
    sender: watch::Sender<bool>,
}

impl Default for Shutdown {
    fn default() -> Self {
        Self::new()
    }
}

impl Shutdown {
    pub fn new() -> Self {
        Self { sender: watch::Sender::new(false) }
    }

    /// Starts the shutdown; idempotent.
    pub fn trigger(&self) {
        self.sender.send_replace(true);
    }

    /// A receiver that turns `true` when the shutdown starts (for the API's
    /// WebSocket sessions, which then close with 1001).
    pub fn subscribe(&self) -> watch::Receiver<bool> {
        self.sender.subscribe()
    }

    /// Resolves once the shutdown has started (at once if it already has).
    pub async fn triggered(&self) {
        let mut receiver = self.sender.subscribe();
        // Err means every sender is gone, which cannot happen while `self` lives.
        let _ = receiver.wait_for(|stopping| *stopping).await;
    }
}

/// SIGINT and SIGTERM listeners, registered with the OS as soon as they are
/// created: a signal that arrives after [`Signals::install`] but before the
/// server loop first waits is kept, not lost to the default action (which would
/// kill the process with no graceful shutdown).
pub(super) struct Signals {
    #[cfg(unix)]
    interrupt: tokio::signal::unix::Signal,
    #[cfg(unix)]
    terminate: tokio::signal::unix::Signal,
}

impl Signals {
    /// Registers the handlers; call before the listener is announced.
    pub(super) fn install() -> std::io::Result<Self> {
        #[cfg(unix)]
        {
            use tokio::signal::unix::{signal, SignalKind};
            Ok(Self { interrupt: signal(SignalKind::interrupt())?, terminate: signal(SignalKind::terminate())? })
        }
        #[cfg(not(unix))]
        Ok(Self {})
    }

    /// Resolves on SIGINT, SIGTERM or when `shutdown` is triggered.
    pub(super) async fn wait_or(mut self, shutdown: &Shutdown) {
        #[cfg(unix)]
        tokio::select! {
            _ = self.interrupt.recv() => tracing::info!("SIGINT received, shutting down"),
            _ = self.terminate.recv() => tracing::info!("SIGTERM received, shutting down"),
            () = shutdown.triggered() => tracing::info!("shutdown requested"),
        }
        #[cfg(not(unix))]
        tokio::select! {
            result = tokio::signal::ctrl_c() => match result {
                Ok(()) => tracing::info!("SIGINT received, shutting down"),
                Err(e) => {
                    tracing::error!(error = %e, "cannot listen for SIGINT");
                    shutdown.triggered().await;
                }
            },
            () = shutdown.triggered() => tracing::info!("shutdown requested"),
        }
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    #[tokio::test]
    async fn subscribers_learn_of_a_trigger_even_after_the_fact() {
        let shutdown = Shutdown::new();
        let waiter = tokio::spawn({
            let shutdown = shutdown.clone();
            async move { shutdown.triggered().await }
        });
        tokio::task::yield_now().await;
        assert!(!waiter.is_finished(), "no trigger yet");
        shutdown.trigger();
        tokio::time::timeout(Duration::from_secs(5), waiter).await.unwrap().unwrap();
        tokio::time::timeout(Duration::from_secs(5), shutdown.triggered()).await.unwrap();
    }
}
