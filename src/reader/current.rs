//! The current version of an index directory, kept open: opened pinned against gc and
//! swapped for the new current version atomically on reload (searches in flight finish
//! on the version they started with); and the one timer that drives reloads.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

use arc_swap::{ArcSwap, Guard};

use super::snapshot::Snapshot;
use crate::error::Result;
use crate::store::layout::IndexDir;

/// The open current version of an index directory.
pub struct Current {
    root: PathBuf,
    snap: ArcSwap<Snapshot>,
    reload_lock: Mutex<()>,
}

impl Current {
    /// Opens the current version of the index at `root`.
    pub fn open(root: &Path) -> Result<Current> {
        Ok(Current {
            root: root.to_path_buf(),
            snap: ArcSwap::from_pointee(Snapshot::open_current(root)?),
            reload_lock: Mutex::new(()),
        })
    }

    /// The snapshot in use, without a reference count (for one search).
    pub fn load(&self) -> Guard<Arc<Snapshot>> {
        self.snap.load()
    }

    /// The snapshot in use.
    pub fn load_full(&self) -> Arc<Snapshot> {
        self.snap.load_full()
    }

    /// The index directory.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// Swaps to the current version on disk if it changed (a newer version, an older
    /// one after a rollback, or a new index rebuilt at the same path: a version of the
    /// same name but another identity, its manifest's creation time); returns whether
    /// it did.
    ///
    /// The new version is opened completely before it is swapped in, so searches never
    /// wait and never see half of it, and the old version stays pinned (safe from gc)
    /// until its last search ends. On error the version in use stays.
    pub fn reload(&self) -> Result<bool> {
        let _g = self.reload_lock.lock().unwrap_or_else(|p| p.into_inner());
        let dir = IndexDir::new(&self.root);
        let name = dir.current()?;
        let same = {
            let now = self.snap.load();
            name == now.version && dir.manifest(&name)?.created == now.manifest.created
        };
        if same {
            return Ok(false);
        }
        let snap = Snapshot::open_current(&self.root)?;
        tracing::info!(from = %self.snap.load().version, to = %snap.version, "index version swapped in");
        self.snap.store(Arc::new(snap));
        Ok(true)
    }
}

/// Runs `tick` on a thread of its own at once, then again after each wait it returns,
/// until it returns `None` or `stop` is set (seen within 100 ms). Waits are at least
/// 10 ms. The one timer of reloading: `Index::watch` and `IndexHolder::watch` run on it.
pub fn spawn_ticker(
    stop: Arc<AtomicBool>,
    mut tick: impl FnMut() -> Option<Duration> + Send + 'static,
) -> JoinHandle<()> {
    std::thread::spawn(move || loop {
        if stop.load(Ordering::Relaxed) {
            return;
        }
        let Some(wait) = tick() else { return };
        let wait = wait.max(Duration::from_millis(10));
        let mut slept = Duration::ZERO;
        while slept < wait {
            if stop.load(Ordering::Relaxed) {
                return;
            }
            let step = Duration::from_millis(100).min(wait - slept);
            std::thread::sleep(step);
            slept += step;
        }
    })
}
