//! Building an index version from Yelp files.
//!
//! Pass one streams the review file, parses and validates lines in parallel (rayon),
//! and spills good reviews to zipcode buckets. The text model is then trained on a
//! sample of them. Pass two splits the zipcodes into contiguous ranges of about equal
//! review counts, one per writer ([`BuildOptions::threads`]), and indexes the ranges
//! concurrently, each into a tantivy index of its own: a range's reviews are analysed
//! in zipcode order on every core (rayon), their clauses scored, and the analysed terms
//! handed to the range's writer as plain strings ([`super::terms`]), within the memory
//! budget. Each writer writes its segments in zipcode order, each zipcode in one run of
//! documents (or two, where a segment ends inside it), so nothing needs merging: the
//! segments of every run are moved into the version and listed in one `meta.json`
//! ([`combine_parts`]). The ranker is trained on the new version, and the version is
//! published atomically.

use std::hash::{Hash, Hasher};
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use rayon::prelude::*;
use serde::Serialize;
use tantivy::indexer::NoMergePolicy;
use tantivy::schema::Schema;
use tantivy::{Index, IndexMeta, IndexSettings, IndexWriter, TantivyDocument};

use super::document::review_document;
use super::layout::{
    write_json, IndexDir, Manifest, BUSINESSES, FORMAT, MANIFEST, MODEL, READER_LOCK,
};
use super::pass_one::read_reviews;
use super::schema::{build_schema, Fields};
use super::spill::{read_bucket, read_bucket_where, Spill, SpillCounts, SpillRecord};
use super::table::BusinessTable;
use super::unsynced::{sync_in_background, UnsyncedDirectory};
use crate::analysis::Analyzer;
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
    /// Memory budget of the tantivy writer, in MiB (shared by its threads; at least 16
    /// per thread). Each time it fills, the writer writes a segment.
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

    fn writer_threads(&self) -> usize {
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

/// The index settings of every version, in an unpublished version directory (its files
/// are synced when it is published: see [`super::unsynced`]).
pub fn new_tantivy_index(dir: &Path) -> Result<(Index, Fields)> {
    let (schema, fields): (Schema, Fields) = build_schema();
    let index = Index::create(
        UnsyncedDirectory::open(dir)?,
        schema,
        IndexSettings::default(),
    )?;
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
    let buckets = ((size / (48 << 20)) as usize).clamp(4, 512);
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

/// Pass two: index every bucket in zipcode order.
pub(crate) fn index_spilled(
    writer: &mut IndexWriter,
    fields: &Fields,
    spilled: &Spilled,
    text_model: Option<&TextModel>,
    opts: &BuildOptions,
) -> Result<u64> {
    let zips = spilled.counts.zips.len() as u32;
    PassTwo::new(fields, spilled, text_model, opts).index(writer, 0..zips)
}

/// What pass two's writers share: what they read, and their progress.
pub(crate) struct PassTwo<'a> {
    fields: &'a Fields,
    spilled: &'a Spilled,
    text_model: Option<&'a TextModel>,
    opts: &'a BuildOptions,
    analyzer: Analyzer,
    /// Documents added by every writer, reported under the lock so that the progress
    /// callback sees them rise.
    done: Mutex<u64>,
    /// Set when a writer fails: the others stop at their next chunk.
    failed: AtomicBool,
}

impl<'a> PassTwo<'a> {
    pub(crate) fn new(
        fields: &'a Fields,
        spilled: &'a Spilled,
        text_model: Option<&'a TextModel>,
        opts: &'a BuildOptions,
    ) -> Self {
        PassTwo {
            fields,
            spilled,
            text_model,
            opts,
            analyzer: Analyzer::default(),
            done: Mutex::new(0),
            failed: AtomicBool::new(false),
        }
    }

    /// Indexes the reviews of zipcode ordinals `zips` in order into `writer`; returns
    /// the documents added. A bucket wholly inside `zips` is removed once indexed; one
    /// it shares with another range is read for its part of the zipcodes and left for
    /// the other.
    pub(crate) fn index(&self, writer: &mut IndexWriter, zips: Range<u32>) -> Result<u64> {
        let counts = &self.spilled.counts;
        let total = counts.total();
        let mut added = 0u64;
        if zips.is_empty() {
            return Ok(0);
        }
        let (first, last) = (counts.bucket_of(zips.start), counts.bucket_of(zips.end - 1));
        for i in first..=last {
            let whole = (zips.start == 0 || counts.bucket_of(zips.start - 1) < i)
                && (zips.end as usize >= counts.zips.len() || counts.bucket_of(zips.end) > i);
            let mut recs = if whole {
                read_bucket(&self.spilled.dir, i)?
            } else {
                read_bucket_where(&self.spilled.dir, i, |zip, _| zips.contains(&zip))?
            };
            recs.sort_by(|a, b| {
                (a.zip, a.biz, a.day, &a.review_id).cmp(&(b.zip, b.biz, b.day, &b.review_id))
            });
            for chunk in recs.chunks(4096) {
                self.opts.check_cancel()?;
                if self.failed.load(Ordering::Relaxed) {
                    // Another writer failed: its error is the one returned.
                    return Err(Error::Cancelled);
                }
                let docs: Vec<TantivyDocument> = chunk
                    .par_iter()
                    .map(|r| review_document(self.fields, &self.analyzer, self.text_model, r))
                    .collect();
                for d in docs {
                    if let Err(killed) = writer.add_document(d) {
                        return Err(worker_error(writer, killed));
                    }
                }
                added += chunk.len() as u64;
                let mut done = self.done.lock().unwrap_or_else(|p| p.into_inner());
                *done += chunk.len() as u64;
                self.opts.report("index", *done, Some(total));
            }
            if whole {
                let p = super::spill::bucket_path(&self.spilled.dir, i);
                std::fs::remove_file(&p).at(&p)?;
            }
        }
        Ok(added)
    }
}

/// Splits the items of `counts` (records per zipcode ordinal) into at most `parts`
/// contiguous ranges of about equal record counts, in order, covering every item; each
/// range ends at the item that crosses its share of the total.
///
/// ```
/// # use yelpsearch::index::build::balanced_ranges;
/// assert_eq!(balanced_ranges(&[5, 5, 5, 5], 2), [0..2, 2..4]);
/// assert_eq!(balanced_ranges(&[9, 1, 1, 1], 2), [0..1, 1..4]);
/// assert_eq!(balanced_ranges(&[3, 3], 4), [0..1, 1..2]);
/// assert_eq!(balanced_ranges(&[1, 0, 0, 1, 0], 2), [0..1, 1..5]);
/// assert_eq!(balanced_ranges(&[0, 0], 2), [0..2]);
/// ```
pub fn balanced_ranges(counts: &[u64], parts: usize) -> Vec<Range<u32>> {
    let total: u64 = counts.iter().sum();
    let parts = parts.max(1) as u64;
    let mut out = Vec::new();
    let (mut start, mut seen) = (0u32, 0u64);
    for (i, &c) in counts.iter().enumerate() {
        seen += c;
        let cuts = out.len() as u64;
        // Cut after item i once the ranges so far hold their share.
        if seen > 0 && seen >= total * (cuts + 1) / parts && cuts < parts - 1 {
            out.push(start..i as u32 + 1);
            start = i as u32 + 1;
        }
    }
    let end = counts.len() as u32;
    match out.last_mut() {
        // Trailing items without records join the last range.
        Some(last) if counts[start as usize..].iter().all(|&c| c == 0) => last.end = end,
        _ => out.push(start..end),
    }
    out
}

/// Pass two on every core: the zipcodes split into [`balanced_ranges`], each range
/// indexed by a writer of its own into an index under `dir/part-N`; the parts are then
/// combined into the index of `dir` ([`combine_parts`]). Returns the documents added.
fn index_partitioned(
    dir: &Path,
    pass: &PassTwo<'_>,
    writers: usize,
    memory_mb: usize,
) -> Result<u64> {
    let runs = balanced_ranges(&pass.spilled.counts.zips, writers);
    let budget = ((memory_mb << 20) / runs.len()).max(16 << 20);
    let parts: Vec<PathBuf> = (0..runs.len())
        .map(|i| dir.join(format!("part-{i}")))
        .collect();
    let added = std::thread::scope(|scope| {
        let handles: Vec<_> = runs
            .into_iter()
            .zip(&parts)
            .map(|(run, part)| {
                scope.spawn(move || -> Result<u64> {
                    let indexed = (|| {
                        std::fs::create_dir_all(part).at(part)?;
                        let (index, _) = new_tantivy_index(part)?;
                        let mut writer: IndexWriter = index.writer_with_num_threads(1, budget)?;
                        writer.set_merge_policy(Box::new(NoMergePolicy));
                        let n = pass.index(&mut writer, run)?;
                        writer.commit()?;
                        writer.wait_merging_threads()?;
                        Ok(n)
                    })();
                    if indexed.is_err() {
                        pass.failed.store(true, Ordering::Relaxed);
                    }
                    indexed
                })
            })
            .collect();
        let mut added = 0u64;
        let mut first_error = None;
        for h in handles {
            match h.join() {
                Ok(Ok(n)) => added += n,
                // The first real error, not the Cancelled of a writer stopped by it.
                Ok(Err(e)) => {
                    if first_error.is_none() || matches!(first_error, Some(Error::Cancelled)) {
                        first_error = Some(e);
                    }
                }
                Err(_) => {
                    first_error = Some(Error::io(
                        dir,
                        std::io::Error::other("an index writer thread panicked"),
                    ))
                }
            }
        }
        match first_error {
            Some(e) => Err(e),
            None => Ok(added),
        }
    })?;
    combine_parts(dir, &parts)?;
    Ok(added)
}

/// Moves the segments of the indexes in `parts` into `dir` and writes the one
/// `meta.json` that lists them all, in part order; removes the parts. Every part has
/// the schema and settings of [`new_tantivy_index`] and its own segment ids (random
/// UUIDs), so the files never collide.
fn combine_parts(dir: &Path, parts: &[PathBuf]) -> Result<()> {
    let mut combined: Option<IndexMeta> = None;
    for part in parts {
        let meta = super::snapshot::open_tantivy(part)?.load_metas()?;
        for segment in &meta.segments {
            for file in segment.list_files() {
                let from = part.join(&file);
                if from.exists() {
                    std::fs::rename(&from, dir.join(&file)).at(&from)?;
                }
            }
        }
        match &mut combined {
            None => combined = Some(meta),
            Some(c) => {
                c.opstamp = c.opstamp.max(meta.opstamp);
                c.segments.extend(meta.segments);
            }
        }
    }
    let meta = combined.ok_or_else(|| Error::Data("no index parts to combine".into()))?;
    // As tantivy writes it (pretty JSON, a final newline).
    let mut bytes =
        serde_json::to_vec_pretty(&meta).map_err(|e| Error::io(dir, std::io::Error::other(e)))?;
    bytes.push(b'\n');
    let path = dir.join("meta.json");
    std::fs::write(&path, bytes).at(&path)?;
    for part in parts {
        std::fs::remove_dir_all(part).at(part)?;
    }
    Ok(())
}

/// The error that stopped tantivy's indexing worker. `add_document` then only says "An
/// index writer was killed"; joining the worker, which preparing a commit does, returns
/// the worker's own error (a full disk, say), which says what to fix.
fn worker_error(writer: &mut IndexWriter, killed: tantivy::TantivyError) -> Error {
    match writer.prepare_commit() {
        Err(cause) => cause.into(),
        Ok(_) => killed.into(),
    }
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
        let indexed = index_partitioned(&tmp, &pass, opts.writer_threads(), opts.memory_mb)?;
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
