//! Graceful shutdown: SIGTERM (what Kubernetes sends) or Ctrl-C stops accepting
//! connections; requests in flight get a bounded time to finish.

use std::sync::atomic::Ordering;
use std::sync::Arc;

use tokio::sync::watch;

use super::state::AppState;

/// Resolves on the first SIGTERM or Ctrl-C: marks the service as shutting down
/// (readiness fails, the index watcher stops) and tells `stopping`.
pub async fn on_signal(state: Arc<AppState>, stopping: watch::Sender<bool>) {
    let which = wait_for_signal().await;
    tracing::info!(
        signal = which,
        "shutting down: finishing requests in flight"
    );
    state.stop.store(true, Ordering::Relaxed);
    let _ = stopping.send(true);
}

#[cfg(unix)]
async fn wait_for_signal() -> &'static str {
    use tokio::signal::unix::{signal, SignalKind};
    match signal(SignalKind::terminate()) {
        Ok(mut term) => tokio::select! {
            _ = term.recv() => "SIGTERM",
            _ = tokio::signal::ctrl_c() => "SIGINT",
        },
        Err(e) => {
            tracing::warn!(error = %e, "cannot listen for SIGTERM; only Ctrl-C stops the service");
            let _ = tokio::signal::ctrl_c().await;
            "SIGINT"
        }
    }
}

#[cfg(not(unix))]
async fn wait_for_signal() -> &'static str {
    let _ = tokio::signal::ctrl_c().await;
    "Ctrl-C"
}

/// Resolves `grace` after `stopping` turns true (never, if it does not).
pub async fn grace_expired(mut stopping: watch::Receiver<bool>, grace: std::time::Duration) {
    if stopping.wait_for(|s| *s).await.is_err() {
        std::future::pending::<()>().await;
    }
    tokio::time::sleep(grace).await;
}
