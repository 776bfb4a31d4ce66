//! The index handle: an open index that swaps to new versions atomically.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use arc_swap::ArcSwap;
use serde::Serialize;

use crate::error::Result;
use crate::model::file::ModelFile;
use crate::reader::Snapshot;
use crate::search::{self, SearchRequest, SearchResponse};
use crate::store::layout::IndexDir;

/// An open index. Cheap to share across threads (`Arc<Index>`): searches read the
/// current snapshot without locks, and [`Index::reload`] swaps in a new version while
/// searches in flight finish on the old one.
pub struct Index {
    root: PathBuf,
    current: ArcSwap<Snapshot>,
    reload_lock: Mutex<()>,
}

/// Figures about the open version.
#[derive(Debug, Clone, Serialize)]
pub struct IndexStats {
    /// Index directory.
    pub path: PathBuf,
    /// Version name.
    pub version: String,
    /// Live reviews.
    pub reviews: u64,
    /// Businesses.
    pub businesses: u64,
    /// Zipcodes.
    pub zipcodes: u64,
    /// Newest review day.
    pub newest_review: Option<String>,
    /// When the version was written.
    pub created: String,
    /// Model version.
    pub model_version: String,
    /// Whether the model is the BM25 fallback.
    pub model_fallback: bool,
}

impl Index {
    /// Opens the current version of the index at `path`.
    pub fn open(path: impl AsRef<Path>) -> Result<Index> {
        let root = path.as_ref().to_path_buf();
        let snap = open_pinned(&root)?;
        Ok(Index {
            root,
            current: ArcSwap::from_pointee(snap),
            reload_lock: Mutex::new(()),
        })
    }

    /// The snapshot searches use now.
    pub fn snapshot(&self) -> Arc<Snapshot> {
        self.current.load_full()
    }

    /// Searches the current version.
    pub fn search(&self, req: &SearchRequest) -> Result<SearchResponse> {
        search::search(&self.current.load(), req)
    }

    /// The name of the version searches use now.
    pub fn version(&self) -> String {
        self.current.load().version.clone()
    }

    /// Swaps to the current version on disk if it changed (a newer version, or an
    /// older one after a rollback); returns whether it did.
    ///
    /// The new version is opened completely before it is swapped in, so searches never
    /// wait and never see half of it: each search runs on the snapshot it started with,
    /// and the old version stays pinned (safe from gc) until its last search ends. On
    /// error the handle keeps serving the version it has.
    pub fn reload(&self) -> Result<bool> {
        let _g = self.reload_lock.lock().unwrap_or_else(|p| p.into_inner());
        let name = IndexDir::new(&self.root).current()?;
        if name == self.current.load().version {
            return Ok(false);
        }
        let snap = open_pinned(&self.root)?;
        tracing::info!(from = %self.current.load().version, to = %snap.version, "index version swapped in");
        self.current.store(Arc::new(snap));
        Ok(true)
    }

    /// Figures about the open version.
    pub fn stats(&self) -> IndexStats {
        let s = self.current.load();
        IndexStats {
            path: self.root.clone(),
            version: s.version.clone(),
            reviews: s.num_reviews(),
            businesses: s.table.len() as u64,
            zipcodes: s.table.zips().len() as u64,
            newest_review: s.manifest.newest_review.map(|d| d.to_string()),
            created: s.manifest.created.clone(),
            model_version: s.model.version.clone(),
            model_fallback: s.model.fallback,
        }
    }

    /// The model in use (without its weights).
    pub fn model_info(&self) -> ModelFile {
        let mut m = self.current.load().model.clone();
        m.text_model = None;
        m.ranker = None;
        m
    }

    /// Why the version's model file was refused, if it was.
    pub fn model_error(&self) -> Option<String> {
        self.current.load().model_error.clone()
    }

    /// The index directory.
    pub fn path(&self) -> &Path {
        &self.root
    }

    /// Starts a thread that calls [`Index::reload`] every `interval` until `stop` is set
    /// or the index is dropped, so a new current version is served at most `interval`
    /// (plus the time to open it) after it is published. Reload errors are logged and
    /// the previous version keeps serving.
    pub fn watch(
        self: &Arc<Self>,
        interval: Duration,
        stop: Arc<AtomicBool>,
    ) -> std::thread::JoinHandle<()> {
        let weak = Arc::downgrade(self);
        let interval = interval.max(Duration::from_millis(10));
        std::thread::spawn(move || loop {
            let mut slept = Duration::ZERO;
            while slept < interval {
                if stop.load(Ordering::Relaxed) {
                    return;
                }
                let step = Duration::from_millis(100).min(interval - slept);
                std::thread::sleep(step);
                slept += step;
            }
            let Some(index) = weak.upgrade() else { return };
            if let Err(e) = index.reload() {
                tracing::warn!(error = %e, "index reload failed; still serving the previous version");
            }
        })
    }
}

/// Opens the current version of the index at `root`, pinned against gc.
fn open_pinned(root: &Path) -> Result<Snapshot> {
    let dir = IndexDir::new(root);
    let (name, pin) = dir.pin_current()?;
    Snapshot::open_dir(&dir.version_path(&name), Some(pin))
}
