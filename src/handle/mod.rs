//! The index handle: an open index that searches and swaps to new versions
//! atomically, and [`IndexHolder`], which opens one when it can and keeps it current.

mod holder;

use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;
use std::sync::Arc;
use std::time::Duration;

use serde::Serialize;

pub use holder::{IndexHolder, Readiness};

use crate::error::Result;
use crate::model::file::ModelFile;
use crate::reader::{spawn_ticker, Current, Snapshot};
use crate::search::{self, SearchRequest, SearchResponse};

/// An open index. Cheap to share across threads (`Arc<Index>`): searches read the
/// current snapshot without locks, and [`Index::reload`] swaps in a new version while
/// searches in flight finish on the old one.
pub struct Index {
    current: Current,
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
        Ok(Index {
            current: Current::open(path.as_ref())?,
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
        self.current.reload()
    }

    /// [`Index::reload`], its error logged: the previous version keeps serving.
    pub(crate) fn reload_or_warn(&self) {
        if let Err(e) = self.reload() {
            tracing::warn!(error = %e, "index reload failed; still serving the previous version");
        }
    }

    /// Up to four queries ("61820 pasta") that find places whose reviews match on the
    /// open version, one per zipcode, biggest zipcodes first: suggestions for a person
    /// trying the index (the search page's, through `/ready`). Made on first use for
    /// each version, from the terms its model judges and its places' categories.
    pub fn example_queries(&self) -> Vec<String> {
        let snap = self.snapshot();
        snap.examples.get_or_init(|| examples_of(&snap)).clone()
    }

    /// Figures about the open version.
    pub fn stats(&self) -> IndexStats {
        let s = self.current.load();
        IndexStats {
            path: self.path().to_path_buf(),
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
        self.current.root()
    }

    /// Starts a thread that calls [`Index::reload`] at once and then every `interval`
    /// until `stop` is set or the index is dropped, so a new current version is served at
    /// most `interval` (plus the time to open it) after it is published. Reload errors
    /// are logged and the previous version keeps serving.
    pub fn watch(
        self: &Arc<Self>,
        interval: Duration,
        stop: Arc<AtomicBool>,
    ) -> std::thread::JoinHandle<()> {
        let weak = Arc::downgrade(self);
        spawn_ticker(stop, move || {
            weak.upgrade()?.reload_or_warn();
            Some(interval)
        })
    }
}

/// Most example queries, and most searches tried per zipcode to find one.
const EXAMPLES: usize = 4;
const TRIES_PER_ZIP: usize = 12;

/// [`Index::example_queries`] of a snapshot: for each of the biggest zipcodes, the first
/// candidate word whose search finds a place by its reviews. Candidates: the terms the
/// model judges (best first), then the one-word categories of the zipcode's places.
fn examples_of(snap: &Snapshot) -> Vec<String> {
    let mut zips: Vec<(usize, u32)> = (0..snap.table.zips().len() as u32)
        .map(|z| (snap.table.members(z).len(), z))
        .collect();
    zips.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    let mut judged: Vec<(&String, f32)> = snap
        .model
        .judged_terms
        .iter()
        .map(|(t, s)| (t, *s))
        .collect();
    judged.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(b.0)));
    let mut out = Vec::new();
    for (_, z) in zips {
        if out.len() >= EXAMPLES {
            break;
        }
        let Some(zip) = snap.table.zip_name(z) else {
            continue;
        };
        let mut candidates: Vec<String> = judged
            .iter()
            .filter(|(t, _)| t.chars().all(char::is_alphabetic))
            .map(|(t, _)| t.to_string())
            .collect();
        for &b in snap.table.members(z) {
            if let Some(biz) = snap.table.get(b) {
                for c in &biz.categories {
                    let c = c.to_lowercase();
                    if c.chars().all(char::is_alphabetic) && !candidates.contains(&c) {
                        candidates.push(c);
                    }
                }
            }
        }
        // An example finds places by their reviews as the page asks it (understood, so
        // that a vocabulary word such as "yelp" or "menu" finds none) and as typed (no
        // correction made it).
        let found = candidates.into_iter().take(TRIES_PER_ZIP).find(|term| {
            let req = SearchRequest::new(format!("{zip} {term}"))
                .limit(3)
                .snippets(0)
                .related(false)
                .nearby(false);
            search::search(snap, &req).is_ok_and(|r| {
                r.interpretation.corrections.is_empty()
                    && r.results
                        .iter()
                        .any(|h| h.matched.iter().any(|m| m == "reviews"))
            })
        });
        if let Some(term) = found {
            out.push(format!("{zip} {term}"));
        }
    }
    out
}
