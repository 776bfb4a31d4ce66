//! Nightly updates: new and edited reviews, new and changed businesses, as a new
//! immutable version that shares the unchanged segments with its parent.
//!
//! Every review of the update file is first compared with the parent version by its
//! `review_id`: new ones are added, edited ones (same id, different content) are
//! deleted (by document address, [`super::delete`]) and added again, identical ones are
//! left alone. The new version starts as hard links to the parent's files; tantivy then
//! writes the deletes and the new reviews as a fresh segment, so the unchanged corpus is
//! never re-analysed. When nothing changed, no version is written at all, so re-applying
//! a file is a no-op.
//!
//! Until the finished version is renamed into place and CURRENT is switched, readers
//! see the old one; a crash leaves only a half-written temporary directory that the
//! next update or `gc` removes.

use std::collections::{HashMap, HashSet};
use std::path::Path;
use std::time::Instant;

use serde::Serialize;
use tantivy::collector::DocSetCollector;
use tantivy::query::TermQuery;
use tantivy::schema::{IndexRecordOption, Value};
use tantivy::{DocAddress, IndexWriter, ReloadPolicy, Searcher, TantivyDocument};

use super::build::spill_reviews;
use super::delete::DocsQuery;
use super::document::review_term;
use super::options::BuildOptions;
use super::pass_one::check_accepted;
use super::pass_two::index_spilled;
use super::spill::{read_bucket, Spill, SpillRecord, Spilled};
use crate::error::{Error, IoContext, Result};
use crate::ingest::{read_businesses_logged, FileReport, RejectLog};
use crate::model::file::ModelFile;
use crate::model::names::PlaceNames;
use crate::model::text::TextModel;
use crate::store::layout::{
    link_files, write_json, IndexDir, Manifest, BUSINESSES, FORMAT, MANIFEST, MODEL, READER_LOCK,
};
use crate::store::open::{newest_day, open_tantivy_readonly, open_tantivy_unsynced};
use crate::store::schema::{fields_of, names, review_key, Fields};
use crate::store::table::{BusinessTable, Upsert, NO_ZIP};

/// What an update did.
#[derive(Debug, Clone, Default, Serialize)]
pub struct UpdateReport {
    /// The version written, or the parent when nothing changed (see `published`).
    pub version: String,
    /// The version it was derived from.
    pub parent: String,
    /// Whether a new version was written and made current (false when nothing changed).
    pub published: bool,
    /// Reviews added.
    pub added: u64,
    /// Reviews replaced (same review_id, different content).
    pub replaced: u64,
    /// Reviews already present and identical.
    pub unchanged: u64,
    /// Reviews re-indexed under a new zipcode because their business moved.
    pub rehomed: u64,
    /// Reviews removed because their business no longer has a postal code (a build
    /// would skip them too).
    pub dropped: u64,
    /// Businesses added.
    pub businesses_added: u64,
    /// Businesses changed.
    pub businesses_changed: u64,
    /// Business file accounting.
    pub businesses: Option<FileReport>,
    /// Review file accounting: every line read is added, replaced, unchanged, skipped
    /// (`reviews.skipped`) or left out (`reviews.excluded`).
    pub reviews: FileReport,
    /// The file listing every skipped and left-out line (JSON lines), when there was one.
    pub rejects: Option<std::path::PathBuf>,
    /// Set when the parent version has no usable model: the new version serves the
    /// BM25 fallback and its new reviews were indexed without clause scores. Said
    /// loudly in the summary rather than refused, since a missing model has a meaning
    /// (the fallback) that indexes of the first schema rely on.
    pub model_warning: Option<String>,
    /// Live reviews after the update.
    pub total_reviews: u64,
    /// Wall time, seconds.
    pub seconds: f64,
    /// Reviews added or replaced per second.
    pub reviews_per_sec: f64,
}

impl UpdateReport {
    /// Whether the update changes anything at all.
    fn changes_anything(&self) -> bool {
        self.added
            + self.replaced
            + self.rehomed
            + self.dropped
            + self.businesses_added
            + self.businesses_changed
            > 0
    }
}

/// Applies a review file (and optionally a business file) to the index at `root`.
///
/// Takes the index's write lock (failing at once with [`Error::Locked`] when another
/// build, update, rollback or gc holds it), removes what interrupted writers left, and
/// writes the result as a new version made current atomically. Bad lines follow the
/// build's rules: reported with their line numbers and skipped, or with
/// `opts.strict` the first one fails the update. On any error the current version is
/// untouched.
///
/// ```no_run
/// use yelpsearch::{update_index, BuildOptions};
/// let r = update_index("idx".as_ref(), "today.jsonl".as_ref(), None, &BuildOptions::default())?;
/// println!("{} added, {} replaced -> {}", r.added, r.replaced, r.version);
/// # Ok::<(), yelpsearch::Error>(())
/// ```
pub fn update_index(
    root: &Path,
    reviews: &Path,
    business: Option<&Path>,
    opts: &BuildOptions,
) -> Result<UpdateReport> {
    let opts = &opts.with_throttled_progress();
    let t0 = Instant::now();
    for p in std::iter::once(reviews).chain(business) {
        if !p.is_file() {
            return Err(Error::io(
                p,
                std::io::Error::new(std::io::ErrorKind::NotFound, "no such file"),
            ));
        }
    }
    let dir = IndexDir::new(root);
    dir.current()?; // "not an index" before anything is created in the directory
    let log = opts.reject_log();
    let result = update_locked(&dir, reviews, business, opts, &log, t0);
    let finished = log.finish();
    let mut report = result?;
    finished?;
    report.rejects = log.written();
    Ok(report)
}

/// [`update_index`] under the index's write lock.
fn update_locked(
    dir: &IndexDir,
    reviews: &Path,
    business: Option<&Path>,
    opts: &BuildOptions,
    log: &RejectLog,
    t0: Instant,
) -> Result<UpdateReport> {
    let _lock = dir.lock_writer("update")?;
    let removed = dir.remove_abandoned()?;
    if removed > 0 {
        tracing::info!(removed, "removed what interrupted writers left behind");
    }
    let parent = dir.current()?;
    let mut report = UpdateReport {
        version: parent.clone(),
        parent: parent.clone(),
        ..Default::default()
    };
    let mut table = BusinessTable::load(&dir.version_path(&parent).join(BUSINESSES))?;
    let moved = match business {
        Some(b) => apply_businesses(&mut table, b, opts, log, &mut report)?,
        None => HashMap::new(),
    };
    let (name, tmp) = dir.begin_version()?;
    let staged = stage_version(
        dir,
        &parent,
        &name,
        &tmp,
        &table,
        &moved,
        (reviews, log),
        opts,
        &mut report,
    );
    match staged {
        Ok(true) => {
            dir.publish(&tmp, &name)?;
            dir.set_current(&name)?;
            report.version = name;
            report.published = true;
        }
        Ok(false) => {
            std::fs::remove_dir_all(&tmp).at(&tmp)?;
            report.total_reviews = dir.manifest(&parent)?.reviews;
        }
        Err(e) => {
            let _ = std::fs::remove_dir_all(&tmp);
            return Err(e);
        }
    }
    report.seconds = t0.elapsed().as_secs_f64();
    report.reviews_per_sec = (report.added + report.replaced) as f64 / report.seconds.max(1e-9);
    Ok(report)
}

/// Upserts the businesses of `path` into `table`; returns the businesses whose zipcode
/// changed (ordinal → new zip ordinal), whose indexed reviews must move with them.
fn apply_businesses(
    table: &mut BusinessTable,
    path: &Path,
    opts: &BuildOptions,
    log: &RejectLog,
    report: &mut UpdateReport,
) -> Result<HashMap<u32, u32>> {
    let (list, file_report) = read_businesses_logged(path, opts.strict, Some(log))?;
    let mut moved = HashMap::new();
    for biz in list {
        let before = table.ord_of(&biz.business_id).map(|o| (o, table.zip_of(o)));
        match table.upsert(biz) {
            Upsert::Added => report.businesses_added += 1,
            Upsert::Changed => report.businesses_changed += 1,
            Upsert::Unchanged => {}
        }
        if let Some((ord, old_zip)) = before {
            let new_zip = table.zip_of(ord);
            if new_zip != old_zip && old_zip != NO_ZIP {
                moved.insert(ord, new_zip);
            }
        }
    }
    report.businesses = Some(file_report);
    Ok(moved)
}

/// The changes to write: reviews to (re-)index, spilled by zipcode, and terms to delete.
struct Plan {
    spill: Spill,
    /// The parent's documents to delete (edited, moved or dropped reviews).
    deletes: DocsQuery,
    /// Review ids of the update file that were accepted (rehoming leaves them alone).
    seen: HashSet<String>,
}

/// The parent version opened for reading (without touching its directory).
struct Parent {
    searcher: Searcher,
    fields: Fields,
    /// Live documents by [`review_key`], for the keys an update asks about (indexes
    /// with that field).
    by_key: Option<HashMap<u64, Vec<DocAddress>>>,
}

impl Parent {
    /// Opens the parent version; `wanted` are the review keys [`Parent::find`] will be
    /// asked about (the update's reviews), so that only their documents are mapped.
    fn open(vdir: &Path, wanted: &HashSet<u64>) -> Result<Parent> {
        let index = open_tantivy_readonly(vdir)?;
        let fields = fields_of(&index.schema())?;
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()?;
        let searcher = reader.searcher();
        let by_key = match fields.review_key {
            Some(_) => Some(key_map(&searcher, wanted)?),
            None => None,
        };
        Ok(Parent {
            searcher,
            fields,
            by_key,
        })
    }

    /// Live documents of the review `review_id`, with what they hold.
    fn find(&self, review_id: &str) -> Result<Vec<(DocAddress, SpillRecord)>> {
        let addrs: Vec<DocAddress> = match &self.by_key {
            Some(by_key) => by_key
                .get(&review_key(review_id))
                .cloned()
                .unwrap_or_default(),
            None => {
                let q = TermQuery::new(
                    review_term(&self.fields, review_id),
                    IndexRecordOption::Basic,
                );
                self.searcher
                    .search(&q, &DocSetCollector)?
                    .into_iter()
                    .collect()
            }
        };
        let mut found = Vec::with_capacity(addrs.len());
        for addr in addrs {
            let rec = self.record(addr)?;
            // A 64-bit key can collide: the stored id decides.
            if rec.review_id == review_id {
                found.push((addr, rec));
            }
        }
        Ok(found)
    }

    /// Marks the parent's document at `addr` for deletion.
    fn delete(&self, plan: &mut Plan, addr: DocAddress) {
        let segment = self.searcher.segment_reader(addr.segment_ord).segment_id();
        plan.deletes.insert(segment, addr.doc_id);
    }

    /// The indexed review at `addr`, as a record.
    fn record(&self, addr: DocAddress) -> Result<SpillRecord> {
        let doc: TantivyDocument = self.searcher.doc(addr)?;
        let text = |f| {
            doc.get_first(f)
                .and_then(|v| v.as_str())
                .unwrap_or_default()
                .to_string()
        };
        let ff = self.searcher.segment_reader(addr.segment_ord).fast_fields();
        let d = addr.doc_id;
        Ok(SpillRecord {
            zip: ff.u64(names::ZIP)?.first(d).unwrap_or(u64::MAX) as u32,
            biz: ff.u64(names::BIZ)?.first(d).unwrap_or(u64::MAX) as u32,
            day: ff.i64(names::DAY)?.first(d).unwrap_or(i64::MIN) as i32,
            stars: ff.u64(names::STARS)?.first(d).unwrap_or(0) as u8,
            useful: ff.u64(names::USEFUL)?.first(d).unwrap_or(0) as u32,
            review_id: text(self.fields.review_id),
            text: text(self.fields.stored_text()),
        })
    }
}

/// The live documents whose review key is one of `wanted`, by key: one pass over the
/// key column, memory in the size of the update rather than of the index.
fn key_map(searcher: &Searcher, wanted: &HashSet<u64>) -> Result<HashMap<u64, Vec<DocAddress>>> {
    let mut map: HashMap<u64, Vec<DocAddress>> = HashMap::new();
    for (seg_ord, sr) in searcher.segment_readers().iter().enumerate() {
        let keys = sr.fast_fields().u64(names::REVIEW_KEY)?;
        let alive = sr.alive_bitset();
        for doc in 0..sr.max_doc() {
            if alive.is_some_and(|a| a.is_deleted(doc)) {
                continue;
            }
            if let Some(k) = keys.first(doc).filter(|k| wanted.contains(k)) {
                map.entry(k)
                    .or_default()
                    .push(DocAddress::new(seg_ord as u32, doc));
            }
        }
    }
    Ok(map)
}

/// Writes the new version into `tmp`; returns false (having written no index) when the
/// update changes nothing.
#[allow(clippy::too_many_arguments)]
fn stage_version(
    dir: &IndexDir,
    parent: &str,
    name: &str,
    tmp: &Path,
    table: &BusinessTable,
    moved: &HashMap<u32, u32>,
    (reviews, log): (&Path, &RejectLog),
    opts: &BuildOptions,
    report: &mut UpdateReport,
) -> Result<bool> {
    let stage = Instant::now();
    // The keys of the update's reviews: the parent maps only those documents.
    let mut wanted = HashSet::new();
    let spilled = spill_reviews(reviews, table, &tmp.join("spill"), opts, log, |rec| {
        wanted.insert(review_key(&rec.review_id));
    })?;
    check_accepted(reviews, &spilled.report, opts, log, true)?;
    report.reviews = spilled.report.clone();
    tracing::info!(
        seconds = stage.elapsed().as_secs_f64(),
        "read and validated the update"
    );
    let stage = Instant::now();
    let pdir = dir.version_path(parent);
    let old = Parent::open(&pdir, &wanted)?;
    let fresh_dir = tmp.join("fresh");
    let mut plan = Plan {
        spill: Spill::create(&fresh_dir, spilled.counts.buckets.len(), table.zips().len())?,
        deletes: DocsQuery::default(),
        seen: HashSet::new(),
    };
    classify(&old, &spilled, &mut plan, opts, report)?;
    std::fs::remove_dir_all(&spilled.dir).at(&spilled.dir)?;
    rehome(&old, moved, &mut plan, report)?;
    tracing::info!(
        seconds = stage.elapsed().as_secs_f64(),
        added = report.added,
        replaced = report.replaced,
        "compared with the parent"
    );
    let counts = plan.spill.finish()?;
    if !report.changes_anything() {
        return Ok(false);
    }
    let stage = Instant::now();
    let fresh = Spilled {
        report: FileReport::default(),
        counts,
        dir: fresh_dir,
    };
    link_files(&pdir, tmp, &[MANIFEST, READER_LOCK, BUSINESSES])?;
    let (model, warning) = parent_model(&pdir, tmp, parent)?;
    report.model_warning = warning;
    report.total_reviews = write_segments(
        tmp,
        plan.deletes,
        &fresh,
        model.text_model.as_ref(),
        table,
        opts,
    )?;
    tracing::info!(
        seconds = stage.elapsed().as_secs_f64(),
        "indexed the changes"
    );
    table.save(&tmp.join(BUSINESSES))?;
    std::fs::write(tmp.join(READER_LOCK), b"").at(tmp.join(READER_LOCK))?;
    let pm = dir.manifest(parent)?;
    let manifest = Manifest {
        format: FORMAT,
        version: name.to_string(),
        parent: Some(parent.to_string()),
        created: chrono::Utc::now().to_rfc3339(),
        origin: "update".into(),
        reviews: report.total_reviews,
        businesses: table.len() as u64,
        until: pm.until,
        newest_review: newest_day(tmp)?,
        model_version: Some(model.version.clone()),
        files: None,
    };
    write_json(&tmp.join(MANIFEST), &manifest)?;
    Ok(true)
}

/// Sorts the update's reviews into new, edited and unchanged against the parent; new
/// and edited ones go to the plan's spill, and edited ones' old documents are deleted.
fn classify(
    old: &Parent,
    spilled: &Spilled,
    plan: &mut Plan,
    opts: &BuildOptions,
    report: &mut UpdateReport,
) -> Result<()> {
    let total = spilled.counts.total();
    let mut done = 0u64;
    for i in 0..spilled.counts.buckets.len() {
        opts.check_cancel()?;
        for rec in read_bucket(&spilled.dir, i)? {
            let hits = old.find(&rec.review_id)?;
            let unchanged = match hits.as_slice() {
                [] => {
                    report.added += 1;
                    false
                }
                [(_, old_rec)] => *old_rec == rec,
                _ => false, // several copies of one id: replace them all with one
            };
            plan.seen.insert(rec.review_id.clone());
            if unchanged {
                report.unchanged += 1;
                continue;
            }
            if !hits.is_empty() {
                report.replaced += 1;
                for (addr, _) in &hits {
                    old.delete(plan, *addr);
                }
            }
            plan.spill.push(&rec)?;
        }
        done += spilled.counts.buckets[i];
        opts.report("compare", done, Some(total));
    }
    Ok(())
}

/// Re-indexes the reviews of businesses that moved to another zipcode (the zipcode is
/// part of every review document), or deletes them when the business lost its postal
/// code. Reviews the update file itself carries were handled by [`classify`].
fn rehome(
    old: &Parent,
    moved: &HashMap<u32, u32>,
    plan: &mut Plan,
    report: &mut UpdateReport,
) -> Result<()> {
    if moved.is_empty() {
        return Ok(());
    }
    for (seg_ord, sr) in old.searcher.segment_readers().iter().enumerate() {
        let biz = sr.fast_fields().u64(names::BIZ)?;
        let alive = sr.alive_bitset();
        for doc in 0..sr.max_doc() {
            if alive.is_some_and(|a| a.is_deleted(doc)) {
                continue;
            }
            let Some(&new_zip) = biz.first(doc).and_then(|b| moved.get(&(b as u32))) else {
                continue;
            };
            let addr = DocAddress::new(seg_ord as u32, doc);
            let mut rec = old.record(addr)?;
            if plan.seen.contains(&rec.review_id) {
                continue;
            }
            old.delete(plan, addr);
            if new_zip == NO_ZIP {
                report.dropped += 1;
            } else {
                rec.zip = new_zip;
                plan.spill.push(&rec)?;
                report.rehomed += 1;
            }
        }
    }
    Ok(())
}

/// The parent's model, shared by hard link (its text model scores the new reviews'
/// clauses the way the old ones were scored); the BM25 fallback when it is unusable,
/// with the warning the summary gives.
fn parent_model(pdir: &Path, tmp: &Path, parent: &str) -> Result<(ModelFile, Option<String>)> {
    match ModelFile::load(&pdir.join(MODEL)) {
        Ok(m) => Ok((m, None)),
        Err(e) => {
            let warning = format!(
                "the parent version {parent} has no usable model ({e}): the new version \
                 serves the BM25 fallback and its new reviews were indexed without the \
                 text model; rebuild the index (or roll back to a version with a model) \
                 to rank with a trained model again"
            );
            tracing::warn!("{warning}");
            let m = ModelFile::fallback(None, "the parent version had no usable model");
            let p = tmp.join(MODEL);
            if p.exists() {
                std::fs::remove_file(&p).at(&p)?;
            }
            m.save(&p)?;
            Ok((m, Some(warning)))
        }
    }
}

/// Applies the deletes and indexes the planned reviews in the version at `tmp` (which
/// holds links to the parent's segments); returns the live reviews afterwards.
fn write_segments(
    tmp: &Path,
    deletes: DocsQuery,
    fresh: &Spilled,
    text_model: Option<&TextModel>,
    table: &BusinessTable,
    opts: &BuildOptions,
) -> Result<u64> {
    let names = PlaceNames::of(table.businesses());
    let write = || -> Result<u64> {
        let index = open_tantivy_unsynced(tmp)?;
        let fields = fields_of(&index.schema())?;
        let mut writer: IndexWriter =
            index.writer_with_num_threads(1, opts.memory_mb.clamp(32, 1024) << 20)?;
        if !deletes.is_empty() {
            writer.delete_query(Box::new(deletes))?;
        }
        index_spilled(&mut writer, &fields, fresh, text_model, &names, opts)?;
        writer.commit()?;
        writer.wait_merging_threads()?;
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()?;
        Ok(reader.searcher().num_docs())
    };
    let live = write().map_err(|e| name_the_directory(e, tmp))?;
    std::fs::remove_dir_all(&fresh.dir).at(&fresh.dir)?;
    Ok(live)
}

/// Tantivy's I/O errors (a full disk, say) name no file: attach the version directory
/// being written, so the message says where space or permission ran out.
fn name_the_directory(e: Error, dir: &Path) -> Error {
    match e {
        Error::Tantivy(tantivy::TantivyError::IoError(io)) => {
            Error::io(dir, std::io::Error::new(io.kind(), io.to_string()))
        }
        e => e,
    }
}
