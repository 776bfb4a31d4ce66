//! What every handler shares: the index holder (the core's: it opens the index when it
//! can and keeps it current), the search slots, the metrics and the shutdown flag.

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Duration;

use tokio::sync::Semaphore;
use yelpsearch::api::ApiError;
use yelpsearch::{Index, IndexHolder};

use super::errors::HttpError;
use super::metrics::Metrics;

/// Shared state of the service.
pub struct AppState {
    /// The index, once it is open.
    pub holder: Arc<IndexHolder>,
    /// Set on SIGTERM: readiness fails and the index watcher stops.
    pub stop: Arc<AtomicBool>,
    /// Admission and execution of searches.
    pub searches: SearchSlots,
    /// Request metrics.
    pub metrics: Metrics,
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
    ) -> Result<T, HttpError> {
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
        .map_err(|e| HttpError(ApiError::internal(&e)))
    }
}

impl AppState {
    /// State with the index at `index` not open yet: while it cannot be opened, it is
    /// tried every `retry`; once open, it is reloaded every `reload` (`None`: never).
    pub fn new(
        index: PathBuf,
        retry: Duration,
        reload: Option<Duration>,
        max_concurrency: usize,
        search_threads: usize,
    ) -> AppState {
        AppState {
            holder: Arc::new(IndexHolder::new(index, retry, reload)),
            stop: Arc::new(AtomicBool::new(false)),
            searches: SearchSlots::new(max_concurrency, search_threads),
            metrics: Metrics::default(),
        }
    }

    /// The open index, or 503 `not_ready`.
    pub fn index(&self) -> Result<Arc<Index>, HttpError> {
        self.holder
            .index()
            .ok_or_else(|| HttpError(ApiError::not_ready()))
    }

    /// Whether SIGTERM was received.
    pub fn shutting_down(&self) -> bool {
        self.stop.load(Ordering::Relaxed)
    }

    /// Opens the index on a thread of its own (retried until it opens), then reloads it
    /// at its interval, until SIGTERM.
    pub fn watch_index(&self) -> JoinHandle<()> {
        self.holder.watch(self.stop.clone())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::AtomicUsize;
    use std::sync::Mutex;

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
