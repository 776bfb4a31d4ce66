//! Graceful shutdown: SIGTERM (what Kubernetes sends) or Ctrl-C stops accepting
//! connections; requests in flight get a bounded time to finish.

use std::sync::atomic::Ordering;
use std::sync::Arc;

use tokio::sync::watch;

use super::state::AppState;

/// The signals that stop the service, listened for from the moment this is made (so a
/// SIGTERM right after start-up is not the default "die at once").
pub struct Signals {
    #[cfg(unix)]
    term: tokio::signal::unix::Signal,
    #[cfg(unix)]
    int: tokio::signal::unix::Signal,
}

impl Signals {
    /// Installs the handlers (inside the runtime).
    pub fn install() -> std::io::Result<Signals> {
        #[cfg(unix)]
        {
            use tokio::signal::unix::{signal, SignalKind};
            Ok(Signals {
                term: signal(SignalKind::terminate())?,
                int: signal(SignalKind::interrupt())?,
            })
        }
        #[cfg(not(unix))]
        Ok(Signals {})
    }

    /// Resolves on the first signal, with its name.
    async fn recv(mut self) -> &'static str {
        #[cfg(unix)]
        {
            tokio::select! {
                _ = self.term.recv() => "SIGTERM",
                _ = self.int.recv() => "SIGINT",
            }
        }
        #[cfg(not(unix))]
        {
            let _ = tokio::signal::ctrl_c().await;
            "Ctrl-C"
        }
    }
}

/// Resolves on the first SIGTERM or Ctrl-C: marks the service as shutting down
/// (readiness fails, the index watcher stops) and tells `stopping`.
pub async fn on_signal(signals: Signals, state: Arc<AppState>, stopping: watch::Sender<bool>) {
    let which = signals.recv().await;
    tracing::info!(
        signal = which,
        "shutting down: finishing requests in flight"
    );
    state.stop.store(true, Ordering::Relaxed);
    let _ = stopping.send(true);
}
