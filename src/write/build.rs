//! Building an index version from Yelp files.
//!
//! Pass one streams the review file, parses and validates lines in parallel (rayon),
//! and spills good reviews to zipcode buckets. The text model is then trained on a
//! sample of them. Pass two ([`super::pass_two`]) analyses the reviews in zipcode order
//! on every core, scores their clauses, and indexes them with one tantivy writer per
//! core, each writer its own range of zipcodes, within the memory budget. The ranker is
//! trained on the new version, and the version is published atomically.

use std::path::Path;
use std::time::Instant;

use serde::Serialize;

use std::sync::Arc;

use super::options::{BuildOptions, Progress};
use super::pass_one::{check_accepted, read_reviews};
use super::pass_two::{index_partitioned, PassTwo};
use super::spill::{id_hash, read_bucket_where, Spill, SpillRecord, Spilled};
use crate::analysis::Analyzer;
use crate::error::{Error, IoContext, Result};
use crate::ingest::{read_businesses_logged, FileReport, RejectLog};
use crate::model::file::ModelFile;
use crate::model::names::PlaceNames;
use crate::model::text::{TextModel, TextModelReport};
use crate::store::layout::{
    write_json, IndexDir, Manifest, BUSINESSES, FORMAT, MANIFEST, MODEL, READER_LOCK,
};
use crate::store::open::newest_day;
use crate::store::schema::build_schema;
use crate::store::surfaces::{SurfaceCounter, Surfaces};
use crate::store::table::BusinessTable;
use crate::store::unsynced::sync_in_background;
use crate::train::{
    train_for_version, train_text_model, LabelledReview, TextModelConfig, TrainOptions,
    TreeProgress,
};

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
    /// The file listing every skipped and left-out line (JSON lines), when there was one.
    pub rejects: Option<std::path::PathBuf>,
}

/// Pass one ([`super::pass_one`]): every accepted review of `reviews`, resolved against
/// `table`, spilled to zipcode buckets under `spill_dir`; `each` sees every review as it
/// is spilled.
pub(crate) fn spill_reviews(
    reviews: &Path,
    table: &BusinessTable,
    spill_dir: &Path,
    opts: &BuildOptions,
    log: &RejectLog,
    mut each: impl FnMut(&SpillRecord),
) -> Result<Spilled> {
    let size = std::fs::metadata(reviews).at(reviews)?.len();
    // Pass two holds a bucket per writer in memory: 16 MiB of compressed reviews is
    // about 80,000 reviews, ~60 MB once read.
    let buckets = ((size / (16 << 20)) as usize).clamp(8, 512);
    let mut spill = Spill::create(spill_dir, buckets, table.zips().len())?;
    opts.report("read", 0, None);
    let (report, _) = read_reviews(reviews, table, opts, Some(log), |rec| {
        each(&rec);
        spill.push(&rec)
    })?;
    opts.report("read", report.read, Some(report.read));
    Ok(Spilled {
        report,
        counts: spill.finish()?,
        dir: spill_dir.to_path_buf(),
    })
}

/// Reviews whose words are counted for [`Surfaces`] (a sub-sample of the text model's).
const SURFACE_SAMPLE: usize = 20_000;

/// Trains the text model on a deterministic sample of the spilled reviews, and counts
/// how the words of part of that sample (and the businesses' names and categories) are
/// written, on the other core.
pub(crate) fn train_text(
    spilled: &Spilled,
    table: &BusinessTable,
    opts: &BuildOptions,
) -> Result<(Option<(TextModel, TextModelReport)>, Surfaces)> {
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
    let step = sample.len().div_ceil(SURFACE_SAMPLE).max(1);
    let sampled = sample.len() as u64;
    let (model, surfaces) = rayon::join(
        || train_text_model(&labelled, &TextModelConfig::default()),
        || {
            let analyzer = Analyzer::default();
            let mut counter = SurfaceCounter::default();
            for r in sample.iter().step_by(step) {
                counter.add(&analyzer, &r.text);
            }
            for b in table.businesses() {
                counter.keep(&analyzer, &b.name);
                for c in &b.categories {
                    counter.keep(&analyzer, c);
                }
            }
            counter.finish()
        },
    );
    opts.report("train text model", sampled, Some(sampled));
    Ok((model, surfaces))
}

/// The error of a business file without one usable line: the most common reasons with
/// an example, and a hint when the file looks like a review file or an old schema.
fn no_businesses(path: &Path, report: &FileReport) -> Error {
    let reasons: Vec<String> = report
        .top_reasons()
        .into_iter()
        .take(3)
        .map(|(category, n)| {
            let example = report
                .issues
                .iter()
                .find(|i| i.category == category)
                .map(|i| format!(", e.g. line {}: {}", i.line, i.reason))
                .unwrap_or_default();
            format!("{category}: {n}{example}")
        })
        .collect();
    let hint = if report.issues.iter().any(|i| i.reason.contains("`name`")) && report.read > 0 {
        " This looks like a review file: did you swap --business and --reviews?"
    } else {
        ""
    };
    let why = if report.read == 0 {
        "the file has no lines".to_string()
    } else {
        format!(
            "none of its {} lines is a usable business ({})",
            report.read,
            reasons.join("; ")
        )
    };
    Error::TooFewAccepted {
        path: path.to_path_buf(),
        detail: format!("no valid business lines: {why}, so nothing was built.{hint}"),
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
/// use yelpsearch::{build_index, BuildOptions};
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
    let opts = &opts.with_throttled_progress();
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
    let created = dir.prepare_build()?;
    let log = opts.reject_log();
    let result = build_locked(&dir, business, reviews, opts, &log, t0);
    let finished = log.finish();
    if result.is_err() {
        // A failed first build leaves no half folder behind (the lock is released).
        created.undo();
    }
    let mut report = result?;
    finished?;
    report.rejects = log.written();
    Ok(report)
}

/// [`build_index`] under the index's write lock.
fn build_locked(
    dir: &IndexDir,
    business: &Path,
    reviews: &Path,
    opts: &BuildOptions,
    log: &RejectLog,
    t0: Instant,
) -> Result<BuildReport> {
    let _lock = dir.lock_writer("build")?;
    let removed = dir.remove_abandoned()?;
    if removed > 0 {
        tracing::info!(removed, "removed what interrupted writers left behind");
    }
    let (businesses, biz_report) = read_businesses_logged(business, opts.strict, Some(log))?;
    if businesses.is_empty() {
        return Err(no_businesses(business, &biz_report));
    }
    let table = BusinessTable::new(businesses);
    let (name, tmp) = dir.begin_version()?;
    let result = (|| -> Result<BuildReport> {
        let stage = std::time::Instant::now();
        let spilled = spill_reviews(reviews, &table, &tmp.join("spill"), opts, log, |_| {})?;
        check_accepted(reviews, &spilled.report, opts, log, false)?;
        tracing::info!(
            seconds = stage.elapsed().as_secs_f64(),
            "read and validated reviews"
        );
        let stage = std::time::Instant::now();
        let (text, surfaces) = train_text(&spilled, &table, opts)?;
        surfaces.save(&tmp)?;
        tracing::info!(
            seconds = stage.elapsed().as_secs_f64(),
            "trained the text model"
        );
        let stage = std::time::Instant::now();
        let (_, fields) = build_schema();
        let names = PlaceNames::of(table.businesses());
        let text_model = text.as_ref().map(|t| &t.0);
        let pass = PassTwo::new(&fields, &spilled, text_model, &names, opts);
        let indexed = index_partitioned(&tmp, &pass)?;
        tracing::info!(seconds = stage.elapsed().as_secs_f64(), "indexed");
        std::fs::remove_dir_all(&spilled.dir).at(&spilled.dir)?;
        // The index files reach the disk while the ranker trains.
        let synced = sync_in_background(&tmp);
        table.save(&tmp.join(BUSINESSES))?;
        std::fs::write(tmp.join(READER_LOCK), b"").at(tmp.join(READER_LOCK))?;
        let text_report = text.as_ref().map(|t| t.1.clone());
        let mut model = ModelFile::fallback(text, "the ranker has not been trained yet");
        let newest = newest_day(&tmp)?;
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
            files: None,
        };
        write_json(&tmp.join(MANIFEST), &manifest)?;
        if opts.train_ranker {
            opts.report("train ranker", 0, None);
            let stage = std::time::Instant::now();
            let train = TrainOptions {
                cancel: opts.cancel.clone(),
                on_tree: TreeProgress(opts.progress.clone().map(|f| {
                    Arc::new(move |done: u64, most: u64| {
                        f(&Progress {
                            stage: "train ranker",
                            done,
                            total: Some(most),
                        })
                    }) as Arc<dyn Fn(u64, u64) + Send + Sync>
                })),
                ..TrainOptions::default()
            };
            model = train_for_version(&tmp, model, &train)?.model;
            tracing::info!(
                seconds = stage.elapsed().as_secs_f64(),
                "trained the ranker"
            );
        }
        // The last cancel point: nothing is published after a cancel.
        opts.check_cancel()?;
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
            rejects: None,
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
