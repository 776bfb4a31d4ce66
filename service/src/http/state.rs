//! What every handler shares: the index (once it is open), the search slots, the
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
    /// Admission and execution of searches.
    pub searches: SearchSlots,
    /// Request metrics.
    pub metrics: Metrics,
    /// What pulling the index from object storage did (`serve --pull` only).
    pub pull: Option<Arc<crate::remote::PullStatus>>,
}

/// Searches admitted and searches running. At most `admitted` searches are taken in at
/// once, running or waiting (one more is refused with 503 `overloaded`), and at most
/// `running` of them run at once, each on a blocking thread; the others wait their turn
/// in arrival order. A search is CPU work: running more of them than there are cores
/// only makes them share the cores, and every one of them finishes late.
pub struct SearchSlots {
    admitted: Arc<Semaphore>,
    running: Arc<Semaphore>,
}

impl SearchSlots {
    /// Slots for `admitted` searches in flight, `running` of them at once (each at
    /// least 1).
    pub fn new(admitted: usize, running: usize) -> SearchSlots {
        SearchSlots {
            admitted: Arc::new(Semaphore::new(admitted.max(1))),
            running: Arc::new(Semaphore::new(running.max(1))),
        }
    }

    /// Runs `search` on a blocking thread once a running slot is free, or refuses it at
    /// once (503 `overloaded`) when every admission slot is taken. A request dropped
    /// while it waits (its timeout) gives its admission slot back; one dropped while
    /// its search runs keeps both slots until the search ends.
    pub async fn run<T: Send + 'static>(
        &self,
        search: impl FnOnce() -> T + Send + 'static,
    ) -> Result<T, ApiError> {
        let admitted = self
            .admitted
            .clone()
            .try_acquire_owned()
            .map_err(|_| ApiError::overloaded())?;
        let running = self
            .running
            .clone()
            .acquire_owned()
            .await
            .map_err(|e| ApiError::internal(&e))?;
        tokio::task::spawn_blocking(move || {
            let _slots = (admitted, running);
            search()
        })
        .await
        .map_err(|e| ApiError::internal(&e))
    }
}

impl AppState {
    /// State with no index yet.
    pub fn new(max_concurrency: usize, search_threads: usize) -> AppState {
        AppState {
            index: OnceLock::new(),
            load_error: Mutex::new(None),
            stop: Arc::new(AtomicBool::new(false)),
            searches: SearchSlots::new(max_concurrency, search_threads),
            metrics: Metrics::default(),
            pull: None,
        }
    }

    /// The same, reporting on pulls from object storage.
    pub fn with_pull(mut self, pull: Option<Arc<crate::remote::PullStatus>>) -> AppState {
        self.pull = pull;
        self
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

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::AtomicUsize;

    fn runtime() -> tokio::runtime::Runtime {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap()
    }

    #[test]
    fn at_most_the_running_slots_run_and_the_rest_wait_their_turn() {
        let rt = runtime();
        let slots = Arc::new(SearchSlots::new(64, 2));
        let (now, peak) = (Arc::new(AtomicUsize::new(0)), Arc::new(AtomicUsize::new(0)));
        let done: Vec<usize> = rt.block_on(async {
            let tasks: Vec<_> = (0..12)
                .map(|i| {
                    let (slots, now, peak) = (slots.clone(), now.clone(), peak.clone());
                    tokio::spawn(async move {
                        slots
                            .run(move || {
                                let n = now.fetch_add(1, Ordering::SeqCst) + 1;
                                peak.fetch_max(n, Ordering::SeqCst);
                                std::thread::sleep(Duration::from_millis(5));
                                now.fetch_sub(1, Ordering::SeqCst);
                                i
                            })
                            .await
                    })
                })
                .collect();
            let mut done = Vec::new();
            for t in tasks {
                done.push(t.await.unwrap().unwrap());
            }
            done
        });
        assert_eq!(done, (0..12).collect::<Vec<_>>(), "every search ran");
        assert_eq!(peak.load(Ordering::SeqCst), 2, "two at a time, no more");
    }

    #[test]
    fn past_the_admitted_slots_a_search_is_refused_at_once() {
        let rt = runtime();
        let slots = Arc::new(SearchSlots::new(2, 1));
        let (release, gate) = std::sync::mpsc::channel::<()>();
        let gate = Arc::new(Mutex::new(gate));
        rt.block_on(async {
            // One search runs (held at the gate), one waits for the running slot.
            let held: Vec<_> = (0..2)
                .map(|_| {
                    let (slots, gate) = (slots.clone(), gate.clone());
                    tokio::spawn(async move {
                        slots
                            .run(move || {
                                let _ = gate.lock().unwrap().recv();
                            })
                            .await
                    })
                })
                .collect();
            while slots.admitted.available_permits() > 0 {
                tokio::time::sleep(Duration::from_millis(1)).await;
            }
            let third = slots.run(|| ()).await;
            let status = third
                .err()
                .map(|e| axum::response::IntoResponse::into_response(e).status());
            assert_eq!(status, Some(axum::http::StatusCode::SERVICE_UNAVAILABLE));
            release.send(()).unwrap();
            release.send(()).unwrap();
            for h in held {
                assert!(h.await.unwrap().is_ok());
            }
            // Slots are given back: a search is taken in again.
            assert!(slots.run(|| ()).await.is_ok());
        });
    }
}
