//! What every handler shares: the index (once it is open), the search permits, the
//! metrics and the shutdown flag.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use tokio::sync::Semaphore;
use yelpsearch::Index;

use super::errors::ApiError;
use super::metrics::Metrics;

/// Shared state of the service.
pub struct AppState {
    index: OnceLock<Arc<Index>>,
    load_error: Mutex<Option<String>>,
    /// Set on SIGTERM: readiness fails and the index watcher stops.
    pub stop: Arc<AtomicBool>,
    /// One permit per search allowed to run at once.
    pub searches: Arc<Semaphore>,
    /// Request metrics.
    pub metrics: Metrics,
}

impl AppState {
    /// State with no index yet.
    pub fn new(max_concurrency: usize) -> AppState {
        AppState {
            index: OnceLock::new(),
            load_error: Mutex::new(None),
            stop: Arc::new(AtomicBool::new(false)),
            searches: Arc::new(Semaphore::new(max_concurrency)),
            metrics: Metrics::default(),
        }
    }

    /// The open index, or 503 `not_ready`.
    pub fn index(&self) -> Result<Arc<Index>, ApiError> {
        self.index.get().cloned().ok_or_else(ApiError::not_ready)
    }

    /// The open index, if any.
    pub fn try_index(&self) -> Option<&Arc<Index>> {
        self.index.get()
    }

    /// Why the index is not open yet (`None` while the first attempt runs).
    pub fn load_error(&self) -> Option<String> {
        self.load_error
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    /// Whether SIGTERM was received.
    pub fn shutting_down(&self) -> bool {
        self.stop.load(Ordering::Relaxed)
    }

    /// Opens the index in a blocking task, retrying every `retry` until it opens or the
    /// service stops, then starts watching it for new versions every `reload`.
    pub async fn load_index(
        self: Arc<Self>,
        path: std::path::PathBuf,
        retry: Duration,
        reload: Option<Duration>,
    ) -> Option<std::thread::JoinHandle<()>> {
        loop {
            let p = path.clone();
            let t0 = std::time::Instant::now();
            match tokio::task::spawn_blocking(move || Index::open(p)).await {
                Ok(Ok(index)) => {
                    let index = Arc::new(index);
                    let s = index.stats();
                    tracing::info!(
                        version = %s.version, reviews = s.reviews, businesses = s.businesses,
                        model = %s.model_version, seconds = t0.elapsed().as_secs_f64(), "index open"
                    );
                    if let Some(e) = index.model_error() {
                        tracing::warn!(error = %e, "model file refused; ranking with the BM25 fallback");
                    }
                    let watcher = reload.map(|every| index.watch(every, self.stop.clone()));
                    let _ = self.index.set(index);
                    return watcher;
                }
                Ok(Err(e)) => {
                    tracing::warn!(error = %e, retry_secs = retry.as_secs_f64(), "cannot open the index yet");
                    *self.load_error.lock().unwrap_or_else(|p| p.into_inner()) =
                        Some(e.to_string());
                }
                Err(e) => {
                    tracing::error!(error = %e, "opening the index panicked");
                    *self.load_error.lock().unwrap_or_else(|p| p.into_inner()) =
                        Some("opening the index failed".into());
                }
            }
            let mut waited = Duration::ZERO;
            while waited < retry {
                if self.shutting_down() {
                    return None;
                }
                let step = Duration::from_millis(100).min(retry - waited);
                tokio::time::sleep(step).await;
                waited += step;
            }
        }
    }
}
