//! [`IndexHolder`]: the index of a server, opened as soon as the directory holds one
//! (retried until then, with the reason it is not ready), then reloaded at an interval,
//! the previous version serving on error. The HTTP service drives it from a thread of
//! its own ([`IndexHolder::watch`]); the Flask blueprint from its requests
//! ([`IndexHolder::get`]). One mechanism for both.

use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;
use std::sync::{Arc, Mutex, TryLockError};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use arc_swap::ArcSwapOption;

use super::Index;
use crate::reader::spawn_ticker;

/// Whether a holder has an index to serve.
pub enum Readiness {
    /// The open index.
    Ready(Arc<Index>),
    /// Why there is none yet: "index is loading" before the first attempt, then why
    /// the last one failed.
    NotReady(String),
}

/// An index opened when it can be and kept current. Cheap to share (`Arc`).
pub struct IndexHolder {
    path: PathBuf,
    /// Between attempts to open while there is no index.
    retry: Duration,
    /// Between reloads once there is one (`None`: never).
    reload: Option<Duration>,
    index: ArcSwapOption<Index>,
    state: Mutex<State>,
    /// Held while an attempt runs: one at a time.
    busy: Mutex<()>,
}

struct State {
    /// When the last attempt (to open or to reload) started.
    last: Option<Instant>,
    /// Why there is no index.
    reason: String,
}

impl IndexHolder {
    /// Holds the index at `path`, not opened yet: [`IndexHolder::refresh`],
    /// [`IndexHolder::get`] or [`IndexHolder::watch`] open it. While it cannot be
    /// opened, attempts come every `retry`; once open it is reloaded every `reload`
    /// (`None`: never).
    pub fn new(path: impl Into<PathBuf>, retry: Duration, reload: Option<Duration>) -> Self {
        IndexHolder {
            path: path.into(),
            retry,
            reload,
            index: ArcSwapOption::empty(),
            state: Mutex::new(State {
                last: None,
                reason: "index is loading".into(),
            }),
            busy: Mutex::new(()),
        }
    }

    /// Holds an open index, reloaded every `reload` (`None`: never).
    pub fn with_index(index: Arc<Index>, reload: Option<Duration>) -> Self {
        let holder = IndexHolder::new(index.path().to_path_buf(), Duration::ZERO, reload);
        holder.index.store(Some(index));
        holder.state().last = Some(Instant::now());
        holder
    }

    /// The index directory.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The open index, if any (no I/O).
    pub fn index(&self) -> Option<Arc<Index>> {
        self.index.load_full()
    }

    /// The open index, or why there is none.
    pub fn readiness(&self) -> Readiness {
        match self.index() {
            Some(index) => Readiness::Ready(index),
            None => Readiness::NotReady(self.state().reason.clone()),
        }
    }

    /// One attempt, now (after any attempt running): opens the index when none is
    /// open, else reloads it. Returns whether an index is open.
    pub fn refresh(&self) -> bool {
        let _busy = self.busy.lock().unwrap_or_else(|p| p.into_inner());
        self.attempt()
    }

    /// The open index, after an attempt when one is due (a retry or a reload, by the
    /// intervals) and no other is running; a caller never waits for another's attempt.
    pub fn get(&self) -> Option<Arc<Index>> {
        if self.until_due() == Some(Duration::ZERO) {
            let busy = match self.busy.try_lock() {
                Ok(g) => Some(g),
                Err(TryLockError::Poisoned(p)) => Some(p.into_inner()),
                Err(TryLockError::WouldBlock) => None,
            };
            if busy.is_some() && self.until_due() == Some(Duration::ZERO) {
                self.attempt();
            }
        }
        self.index()
    }

    /// Makes every due attempt on a thread of its own (the first at once) until `stop`
    /// is set or the holder is dropped; the thread ends once nothing will be due again
    /// (an open index and no reload interval).
    pub fn watch(self: &Arc<Self>, stop: Arc<AtomicBool>) -> JoinHandle<()> {
        let weak = Arc::downgrade(self);
        spawn_ticker(stop, move || {
            let holder = weak.upgrade()?;
            if holder.until_due() == Some(Duration::ZERO) {
                holder.refresh();
            }
            holder.until_due()
        })
    }

    /// How long until the next attempt is due (zero: now; `None`: never).
    fn until_due(&self) -> Option<Duration> {
        let last = self.state().last;
        let Some(last) = last else {
            return Some(Duration::ZERO);
        };
        let every = match self.index.load().is_some() {
            true => self.reload?,
            false => self.retry,
        };
        Some(every.saturating_sub(last.elapsed()))
    }

    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Opens or reloads; the caller holds `busy`.
    fn attempt(&self) -> bool {
        self.state().last = Some(Instant::now());
        if let Some(index) = self.index() {
            index.reload_or_warn();
            return true;
        }
        let t0 = Instant::now();
        match Index::open(&self.path) {
            Ok(index) => {
                let s = index.stats();
                tracing::info!(
                    version = %s.version, reviews = s.reviews, businesses = s.businesses,
                    model = %s.model_version, seconds = t0.elapsed().as_secs_f64(), "index open"
                );
                if let Some(e) = index.model_error() {
                    tracing::warn!(error = %e, "model file refused; ranking with the BM25 fallback");
                }
                self.index.store(Some(Arc::new(index)));
                true
            }
            Err(e) => {
                tracing::warn!(
                    error = %e, retry_secs = self.retry.as_secs_f64(),
                    "cannot open the index yet: trying again every {:.0}s until it opens \
                     (not ready until then)",
                    self.retry.as_secs_f64()
                );
                self.state().reason = format!("index not available: {e}");
                false
            }
        }
    }
}
