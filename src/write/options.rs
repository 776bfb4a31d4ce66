//! The options every write shares (builds, updates, scans): dates, strictness, the
//! memory budget and writers, progress reports and cancellation.

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use serde::Serialize;

use crate::date::Day;
use crate::error::{Error, Result};
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
    /// Set to stop the build early with [`Error::Cancelled`].
    pub cancel: Option<Arc<AtomicBool>>,
    /// The least share (0 to 1) of the review lines (those not left out by `until`)
    /// that must be accepted, or the build or update fails and publishes nothing
    /// ([`Error::TooFewAccepted`]). A build that accepts no review always fails.
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
        match &self.cancel {
            Some(c) if c.load(Ordering::Relaxed) => Err(Error::Cancelled),
            _ => Ok(()),
        }
    }

    pub(crate) fn writer_threads(&self) -> usize {
        if self.threads > 0 {
            self.threads
        } else {
            std::thread::available_parallelism().map_or(2, |n| n.get())
        }
    }
}
