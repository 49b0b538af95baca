//! Requests run to their end even when their client goes away. A handler
//! commits and then publishes (D1: committed before anyone receives it); if
//! the connection dropped in between and the server dropped the handler's
//! future with it, the change would stand but never be announced: a kick that
//! closes nobody's socket, a message that live members only get through a gap
//! read. So each request's handler runs on a task of its own, which the
//! connection's end does not cancel.

use std::sync::Arc;

use poem::http::StatusCode;
use poem::{Endpoint, Middleware, Request, Result};
use tracing::Instrument;

/// Runs each request on its own task (see the module doc).
pub struct Detached;

impl<E: Endpoint + 'static> Middleware<E> for Detached {
    type Output = DetachedEndpoint<E>;

    fn transform(&self, inner: E) -> Self::Output {
        DetachedEndpoint { inner: Arc::new(inner) }
    }
}

/// The endpoint made by [`Detached`].
pub struct DetachedEndpoint<E> {
    inner: Arc<E>,
}

impl<E: Endpoint + 'static> Endpoint for DetachedEndpoint<E>
where
    E::Output: 'static,
{
    type Output = E::Output;

    async fn call(&self, req: Request) -> Result<Self::Output> {
        let inner = Arc::clone(&self.inner);
        let handler = tokio::spawn(async move { inner.call(req).await }.in_current_span());
        match handler.await {
            Ok(answer) => answer,
            Err(failed) if failed.is_panic() => std::panic::resume_unwind(failed.into_panic()),
            // Cancelled: the runtime is shutting down.
            Err(_) => Err(poem::Error::from_status(StatusCode::SERVICE_UNAVAILABLE)),
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::time::Duration;

    use poem::{handler, EndpointExt};
    use tokio::sync::Notify;

    use super::*;

    #[tokio::test]
    async fn a_request_whose_client_went_away_still_runs_to_its_end() {
        let (resume, finished) = (Arc::new(Notify::new()), Arc::new(AtomicBool::new(false)));
        let endpoint = {
            let (resume, finished) = (Arc::clone(&resume), Arc::clone(&finished));
            #[handler]
            async fn commit_then_publish(
                poem::web::Data(state): poem::web::Data<&(Arc<Notify>, Arc<AtomicBool>)>,
            ) -> &'static str {
                state.0.notified().await;
                state.1.store(true, Ordering::SeqCst);
                "published"
            }
            commit_then_publish.data((resume, finished)).with(Detached)
        };
        let call = endpoint.call(Request::default());
        // The client goes away while the handler waits: its future is dropped.
        assert!(tokio::time::timeout(Duration::from_millis(50), call).await.is_err());
        resume.notify_one();
        for _ in 0..100 {
            if finished.load(Ordering::SeqCst) {
                return;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        panic!("the handler was cancelled with its client's request");
    }
}
