//! Building an index version from Yelp files.
//!
//! Pass one streams the review file, parses and validates lines in parallel (rayon),
//! and spills good reviews to zipcode buckets. The text model is then trained on a
//! sample of them. Pass two ([`super::pass_two`]) analyses the reviews in zipcode order
//! on every core, scores their clauses, and indexes them with one tantivy writer per
//! core, each writer its own range of zipcodes, within the memory budget. The ranker is
//! trained on the new version, and the version is published atomically.

use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Instant;

use serde::Serialize;
use tantivy::schema::Schema;
use tantivy::{Index, IndexSettings};

use super::layout::{
    write_json, IndexDir, Manifest, BUSINESSES, FORMAT, MANIFEST, MODEL, READER_LOCK,
};
use super::pass_one::read_reviews;
use super::pass_two::{index_partitioned, PassTwo};
use super::schema::{build_schema, Fields};
use super::spill::{read_bucket_where, Spill, SpillCounts, SpillRecord};
use super::table::BusinessTable;
use super::unsynced::{sync_in_background, UnsyncedDirectory};
use crate::date::Day;
use crate::error::{Error, IoContext, Result};
use crate::ingest::{read_businesses, FileReport};
use crate::rank::text_model::{TextModel, TextModelConfig};
use crate::rank::text_train::{train_text_model, LabelledReview, TextModelReport};
use crate::rank::ModelFile;

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
}

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
        }
    }
}

impl BuildOptions {
    pub(crate) fn report(&self, stage: &'static str, done: u64, total: Option<u64>) {
        if let Some(p) = &self.progress {
            p(&Progress { stage, done, total });
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

/// What a build did.
#[derive(Debug, Clone, Serialize)]
pub struct BuildReport {
    /// The version written.
    pub version: String,
    /// Business file accounting.
    pub businesses: FileReport,
    /// Review file accounting.
    pub reviews: FileReport,
    /// Reviews indexed.
    pub indexed: u64,
    /// Wall time, seconds.
    pub seconds: f64,
    /// Reviews indexed per second.
    pub reviews_per_sec: f64,
    /// Size of the version on disk, bytes.
    pub index_bytes: u64,
    /// Text model held-out figures.
    pub text_model: Option<TextModelReport>,
    /// The model's version and kind.
    pub model: String,
}

/// Bytes of stored documents compressed together in the document store (tantivy's
/// default is 16 KiB). A snippet reads one review's text, and reading it decompresses its
/// whole block: smaller blocks make a snippet cheaper, for a slightly larger store.
pub const DOCSTORE_BLOCK_BYTES: usize = 4096;

/// The index settings of every version, in an unpublished version directory (its files
/// are synced when it is published: see [`super::unsynced`]).
pub fn new_tantivy_index(dir: &Path) -> Result<(Index, Fields)> {
    let (schema, fields): (Schema, Fields) = build_schema();
    let settings = IndexSettings {
        docstore_blocksize: DOCSTORE_BLOCK_BYTES,
        ..IndexSettings::default()
    };
    let index = Index::create(UnsyncedDirectory::open(dir)?, schema, settings)?;
    super::snapshot::register_tokenizers(&index);
    Ok((index, fields))
}

/// A hash of a review id, for this process only (duplicate checks, the text model's
/// sample); indexes store [`super::schema::review_key`] instead.
pub(crate) fn id_hash(s: &str) -> u64 {
    let mut h = std::collections::hash_map::DefaultHasher::new();
    s.hash(&mut h);
    h.finish()
}

/// What pass one produced.
pub(crate) struct Spilled {
    pub report: FileReport,
    pub counts: SpillCounts,
    pub dir: PathBuf,
}

/// Pass one ([`super::pass_one`]): every accepted review of `reviews`, resolved against
/// `table`, spilled to zipcode buckets under `spill_dir`; `each` sees every review as it
/// is spilled.
pub(crate) fn spill_reviews(
    reviews: &Path,
    table: &BusinessTable,
    spill_dir: &Path,
    opts: &BuildOptions,
    mut each: impl FnMut(&SpillRecord),
) -> Result<Spilled> {
    let size = std::fs::metadata(reviews).at(reviews)?.len();
    // Pass two holds a bucket per writer in memory: 16 MiB of compressed reviews is
    // about 80,000 reviews, ~60 MB once read.
    let buckets = ((size / (16 << 20)) as usize).clamp(8, 512);
    let mut spill = Spill::create(spill_dir, buckets, table.zips().len())?;
    let (report, _) = read_reviews(reviews, table, opts, |rec| {
        each(&rec);
        spill.push(&rec)
    })?;
    Ok(Spilled {
        report,
        counts: spill.finish()?,
        dir: spill_dir.to_path_buf(),
    })
}

/// Trains the text model on a deterministic sample of the spilled reviews.
pub(crate) fn train_text(
    spilled: &Spilled,
    opts: &BuildOptions,
) -> Result<Option<(TextModel, TextModelReport)>> {
    const SAMPLE: u64 = 200_000;
    let keep_every = spilled.counts.total().div_ceil(SAMPLE).max(1);
    let mut sample: Vec<SpillRecord> = Vec::new();
    for i in 0..spilled.counts.buckets.len() {
        opts.check_cancel()?;
        sample.extend(read_bucket_where(&spilled.dir, i, |_, id| {
            id_hash(id).is_multiple_of(keep_every)
        })?);
    }
    // In an order of their own, not the spill's (which follows its bucket layout): the
    // model then depends only on which reviews were sampled.
    sample.sort_unstable_by(|a, b| (a.day, &a.review_id).cmp(&(b.day, &b.review_id)));
    opts.report("train text model", 0, Some(sample.len() as u64));
    let labelled: Vec<LabelledReview> = sample
        .iter()
        .map(|r| LabelledReview {
            day: r.day,
            stars: r.stars,
            text: &r.text,
        })
        .collect();
    Ok(train_text_model(&labelled, &TextModelConfig::default()))
}

/// Total size of the files in a directory.
pub fn dir_size(dir: &Path) -> u64 {
    std::fs::read_dir(dir)
        .map(|rd| {
            rd.flatten()
                .filter_map(|e| e.metadata().ok())
                .filter(|m| m.is_file())
                .map(|m| m.len())
                .sum()
        })
        .unwrap_or(0)
}

/// Builds a new index version at `index_dir` from a business and a review file.
///
/// ```no_run
/// use yelpsearch::index::{build_index, BuildOptions};
/// let report = build_index(
///     "data/business.jsonl.gz".as_ref(),
///     "data/review.jsonl.gz".as_ref(),
///     "idx".as_ref(),
///     &BuildOptions::default(),
/// )?;
/// println!("indexed {} reviews in {:.1}s", report.indexed, report.seconds);
/// # Ok::<(), yelpsearch::Error>(())
/// ```
pub fn build_index(
    business: &Path,
    reviews: &Path,
    index_dir: &Path,
    opts: &BuildOptions,
) -> Result<BuildReport> {
    let t0 = Instant::now();
    for p in [business, reviews] {
        if !p.is_file() {
            return Err(Error::io(
                p,
                std::io::Error::new(std::io::ErrorKind::NotFound, "no such file"),
            ));
        }
    }
    let dir = IndexDir::new(index_dir);
    let _lock = dir.lock_writer()?;
    let (businesses, biz_report) = read_businesses(business, opts.strict)?;
    if businesses.is_empty() {
        return Err(Error::Data(format!(
            "{}: no valid business lines",
            business.display()
        )));
    }
    let table = BusinessTable::new(businesses);
    let (name, tmp) = dir.begin_version()?;
    let result = (|| -> Result<BuildReport> {
        let stage = std::time::Instant::now();
        let spilled = spill_reviews(reviews, &table, &tmp.join("spill"), opts, |_| {})?;
        tracing::info!(
            seconds = stage.elapsed().as_secs_f64(),
            "read and validated reviews"
        );
        let stage = std::time::Instant::now();
        let text = train_text(&spilled, opts)?;
        tracing::info!(
            seconds = stage.elapsed().as_secs_f64(),
            "trained the text model"
        );
        let stage = std::time::Instant::now();
        let (_, fields) = build_schema();
        let pass = PassTwo::new(&fields, &spilled, text.as_ref().map(|t| &t.0), opts);
        let indexed = index_partitioned(&tmp, &pass)?;
        tracing::info!(seconds = stage.elapsed().as_secs_f64(), "indexed");
        std::fs::remove_dir_all(&spilled.dir).at(&spilled.dir)?;
        // The index files reach the disk while the ranker trains.
        let synced = sync_in_background(&tmp);
        table.save(&tmp.join(BUSINESSES))?;
        std::fs::write(tmp.join(READER_LOCK), b"").at(tmp.join(READER_LOCK))?;
        let text_report = text.as_ref().map(|t| t.1.clone());
        let mut model = ModelFile::fallback(text, "the ranker has not been trained yet");
        let newest = super::snapshot_newest_day(&tmp)?;
        let mut manifest = Manifest {
            format: FORMAT,
            version: name.clone(),
            parent: None,
            created: chrono::Utc::now().to_rfc3339(),
            origin: "build".into(),
            reviews: indexed,
            businesses: table.len() as u64,
            until: opts.until,
            newest_review: newest,
            model_version: None,
        };
        write_json(&tmp.join(MANIFEST), &manifest)?;
        if opts.train_ranker {
            opts.report("train ranker", 0, None);
            let stage = std::time::Instant::now();
            model = crate::rank::train::train_for_version(
                &tmp,
                model,
                &crate::rank::train::TrainOptions::default(),
            )?
            .model;
            tracing::info!(
                seconds = stage.elapsed().as_secs_f64(),
                "trained the ranker"
            );
        }
        model.save(&tmp.join(MODEL))?;
        manifest.model_version = Some(model.version.clone());
        write_json(&tmp.join(MANIFEST), &manifest)?;
        synced.join().map_err(|_| {
            Error::io(
                &tmp,
                std::io::Error::other("the thread syncing it panicked"),
            )
        })??;
        let index_bytes = dir_size(&tmp);
        let seconds = t0.elapsed().as_secs_f64();
        Ok(BuildReport {
            version: name.clone(),
            businesses: biz_report,
            reviews: spilled.report,
            indexed,
            seconds,
            reviews_per_sec: indexed as f64 / seconds.max(1e-9),
            index_bytes,
            text_model: text_report,
            model: format!("{} ({})", model.version, model.kind),
        })
    })();
    match result {
        Ok(report) => {
            dir.publish(&tmp, &name)?;
            dir.set_current(&name)?;
            Ok(report)
        }
        Err(e) => {
            let _ = std::fs::remove_dir_all(&tmp);
            Err(e)
        }
    }
}
