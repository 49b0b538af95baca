//! Stopping the server: SIGINT and SIGTERM, or a programmatic trigger, end the
//! accept loop; the same [`Shutdown`] handle tells long-lived connections to close
//! (WebSocket sessions will close with 1001, W14).

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

    pub fn is_triggered(&self) -> bool {
        *self.sender.borrow()
    }

    /// Resolves once the shutdown has started (at once if it already has).
    pub async fn triggered(&self) {
        let mut receiver = self.sender.subscribe();
        // Err means every sender is gone, which cannot happen while `self` lives.
        let _ = receiver.wait_for(|stopping| *stopping).await;
    }
}

/// Resolves on SIGINT, SIGTERM (unix) or when `shutdown` is triggered.
pub(super) async fn wait_for_signal_or(shutdown: &Shutdown) {
    let interrupt = async {
        if let Err(e) = tokio::signal::ctrl_c().await {
            tracing::error!(error = %e, "cannot listen for SIGINT");
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(e) => {
                tracing::error!(error = %e, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = interrupt => tracing::info!("SIGINT received, shutting down"),
        () = terminate => tracing::info!("SIGTERM received, shutting down"),
        () = shutdown.triggered() => tracing::info!("shutdown requested"),
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
        assert!(!shutdown.is_triggered());
        shutdown.trigger();
        tokio::time::timeout(Duration::from_secs(5), waiter).await.unwrap().unwrap();
        tokio::time::timeout(Duration::from_secs(5), shutdown.triggered()).await.unwrap();
    }
}
