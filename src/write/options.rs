//! The options every write shares (builds, updates, scans): dates, strictness, the
//! memory budget and writers, progress reports and cancellation.

use std::path::PathBuf;
use std::sync::atomic::AtomicBool;
use std::sync::Arc;

use serde::Serialize;

use crate::date::Day;
use crate::error::{check_cancel, Result};
use crate::ingest::RejectLog;

/// Progress of long work: a stage name and counts.
#[derive(Debug, Clone, Serialize)]
pub struct Progress {
    /// Stage ("read", "train text model", "index", "train ranker").
    pub stage: &'static str,
    /// Units done.
    pub done: u64,
    /// Units in all, when known.
    pub total: Option<u64>,
}

/// A progress callback.
pub type ProgressFn = Arc<dyn Fn(&Progress) + Send + Sync>;

/// Least time between two reports of the same stage that [`throttled`] passes on.
pub const PROGRESS_EVERY: std::time::Duration = std::time::Duration::from_millis(500);

/// `f`, called at most once per `every` within a stage: a stage's first report (its
/// start) and its last (`done == total`) always pass, the others only when `every` has
/// passed since the last one that did. Builds and updates report through it, so a
/// callback sees a few lines a second whatever the input's size.
pub fn throttled(f: ProgressFn, every: std::time::Duration) -> ProgressFn {
    let last: std::sync::Mutex<Option<(&'static str, std::time::Instant)>> =
        std::sync::Mutex::new(None);
    Arc::new(move |p: &Progress| {
        let now = std::time::Instant::now();
        let pass = {
            let mut l = last.lock().unwrap_or_else(|e| e.into_inner());
            let pass = match *l {
                Some((stage, at)) => {
                    stage != p.stage || p.total == Some(p.done) || now - at >= every
                }
                None => true,
            };
            if pass {
                *l = Some((p.stage, now));
            }
            pass
        };
        if pass {
            f(p)
        }
    })
}

/// Options of a build.
#[derive(Clone)]
pub struct BuildOptions {
    /// Index only reviews dated before this day.
    pub until: Option<Day>,
    /// Fail on the first bad line instead of skipping it.
    pub strict: bool,
    /// Memory budget of the tantivy writers, in MiB (shared by them; at least 16 each).
    /// Each time a writer's share fills, it writes a segment.
    pub memory_mb: usize,
    /// Index writers (0 = automatic: one per core). Each indexes its own contiguous
    /// range of zipcodes into its own segments, so that tantivy's work, a single
    /// thread per writer, runs on every core beside the analysis (rayon, every core).
    pub threads: usize,
    /// Train the ranker after indexing (the text model is always trained).
    pub train_ranker: bool,
    /// Progress callback.
    pub progress: Option<ProgressFn>,
    /// Set to stop the build early with [`crate::error::Error::Cancelled`].
    pub cancel: Option<Arc<AtomicBool>>,
    /// The least share (0 to 1) of the review lines (those not left out by `until`)
    /// that must be accepted, or the build or update fails and publishes nothing
    /// ([`crate::error::Error::TooFewAccepted`]). A build that accepts no review always fails.
    pub min_accepted: f64,
    /// Where every skipped or left-out line is written, as JSON lines (created only
    /// when there is one; the report names it); `None`: nowhere, the report lists the
    /// first 100 (the command line defaults to a file in the temporary directory).
    pub rejects: Option<PathBuf>,
}

/// The default share of review lines a build or an update must accept.
pub const MIN_ACCEPTED: f64 = 0.5;

impl Default for BuildOptions {
    fn default() -> Self {
        BuildOptions {
            until: None,
            strict: false,
            memory_mb: 512,
            threads: 0,
            train_ranker: true,
            progress: None,
            cancel: None,
            min_accepted: MIN_ACCEPTED,
            rejects: None,
        }
    }
}

impl BuildOptions {
    /// These options with the progress callback [`throttled`] (what builds and updates
    /// report through).
    pub(crate) fn with_throttled_progress(&self) -> BuildOptions {
        BuildOptions {
            progress: self.progress.clone().map(|f| throttled(f, PROGRESS_EVERY)),
            ..self.clone()
        }
    }

    pub(crate) fn report(&self, stage: &'static str, done: u64, total: Option<u64>) {
        if let Some(p) = &self.progress {
            p(&Progress { stage, done, total });
        }
    }

    /// The rejects file of a run ([`BuildOptions::rejects`]; none when unset).
    pub(crate) fn reject_log(&self) -> RejectLog {
        match &self.rejects {
            Some(p) => RejectLog::new(p),
            None => RejectLog::disabled(),
        }
    }

    pub(crate) fn check_cancel(&self) -> Result<()> {
        check_cancel(self.cancel.as_deref())
    }

    pub(crate) fn writer_threads(&self) -> usize {
        if self.threads > 0 {
            self.threads
        } else {
            std::thread::available_parallelism().map_or(2, |n| n.get())
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::{Arc, Mutex};
    use std::time::Duration;

    use super::{throttled, Progress};

    #[test]
    fn throttled_passes_each_stages_start_and_end_and_little_between() {
        let seen: Arc<Mutex<Vec<(&'static str, u64)>>> = Arc::default();
        let log = seen.clone();
        let f = throttled(
            Arc::new(move |p: &Progress| log.lock().unwrap().push((p.stage, p.done))),
            Duration::from_secs(3600),
        );
        let report = |stage, done, total| f(&Progress { stage, done, total });
        for i in 0..10_000 {
            report("read", i, None);
        }
        report("read", 10_000, Some(10_000));
        for i in 0..=100 {
            report("index", i, Some(100));
        }
        assert_eq!(
            *seen.lock().unwrap(),
            [("read", 0), ("read", 10_000), ("index", 0), ("index", 100)]
        );
    }
}
