//! Nightly updates: new and edited reviews, new and changed businesses, as a new
//! immutable version that shares the unchanged segments with its parent.
//!
//! The new version starts as hard links to the current version's files; tantivy then
//! deletes replaced reviews by `review_id` and adds the new ones as fresh segments, so
//! the unchanged corpus is never re-analysed. Until the finished version is renamed
//! into place and CURRENT is switched, readers see the old one; a crash leaves only a
//! half-written temporary directory that the next update or `gc` removes.

use std::path::Path;
use std::time::Instant;

use serde::Serialize;
use tantivy::schema::Value;
use tantivy::{IndexWriter, TantivyDocument};

use super::build::{dir_size, index_spilled, spill_reviews, BuildOptions, Spilled};
use super::document::review_term;
use super::layout::{link_files, write_json, IndexDir, Manifest, BUSINESSES, FORMAT, MANIFEST, MODEL, READER_LOCK};
use super::schema::fields_of;
use super::snapshot::open_tantivy;
use super::spill::{read_bucket, Spill};
use super::table::{BusinessTable, Upsert};
use crate::error::{IoContext, Result};
use crate::ingest::{read_businesses, FileReport};
use crate::rank::ModelFile;

/// What an update did.
#[derive(Debug, Clone, Default, Serialize)]
pub struct UpdateReport {
    /// The version written (the current one when nothing changed).
    pub version: String,
    /// The version it was derived from.
    pub parent: String,
    /// Reviews added.
    pub added: u64,
    /// Reviews replaced (same review_id, different content).
    pub replaced: u64,
    /// Reviews already present and identical.
    pub unchanged: u64,
    /// Businesses added.
    pub businesses_added: u64,
    /// Businesses changed.
    pub businesses_changed: u64,
    /// Business file accounting.
    pub businesses: Option<FileReport>,
    /// Review file accounting (bad lines).
    pub reviews: FileReport,
    /// Live reviews after the update.
    pub total_reviews: u64,
    /// Wall time, seconds.
    pub seconds: f64,
    /// Reviews added or replaced per second.
    pub reviews_per_sec: f64,
}

/// Applies a review file (and optionally a business file) to the index at `root`.
pub fn update_index(root: &Path, reviews: &Path, business: Option<&Path>, opts: &BuildOptions) -> Result<UpdateReport> {
    let t0 = Instant::now();
    let dir = IndexDir::new(root);
    let parent = dir.current()?;
    let _lock = dir.lock_writer()?;
    for p in dir.abandoned()? {
        std::fs::remove_dir_all(&p).at(&p)?;
    }
    let parent = {
        // CURRENT may have moved while we waited for nothing: re-read under the lock.
        let now = dir.current()?;
        if now != parent { now } else { parent }
    };
    let pdir = dir.version_path(&parent);
    let mut table = BusinessTable::load(&pdir.join(BUSINESSES))?;
    let mut report = UpdateReport { parent: parent.clone(), ..Default::default() };
    if let Some(b) = business {
        let (list, r) = read_businesses(b, opts.strict)?;
        for biz in list {
            match table.upsert(biz) {
                Upsert::Added => report.businesses_added += 1,
                Upsert::Changed => report.businesses_changed += 1,
                Upsert::Unchanged => {}
            }
        }
        report.businesses = Some(r);
    }
    let (name, tmp) = dir.begin_version()?;
    let result = (|| -> Result<()> {
        let spilled = spill_reviews(reviews, &table, &tmp.join("spill"), opts)?;
        report.reviews = spilled.report.clone();
        // Sort out what is new, edited or already there, against the parent version.
        let old = open_tantivy(&pdir)?;
        let fields = fields_of(&old.schema())?;
        let searcher = old.reader()?.searcher();
        let fresh_dir = tmp.join("fresh");
        let mut fresh = Spill::create(&fresh_dir, spilled.counts.len())?;
        let mut to_delete = Vec::new();
        for i in 0..spilled.counts.len() {
            opts.check_cancel()?;
            for rec in read_bucket(&spilled.dir, i)? {
                let term = review_term(&fields, &rec.review_id);
                let hits = searcher.search(&tantivy::query::TermQuery::new(term.clone(), tantivy::schema::IndexRecordOption::Basic), &tantivy::collector::DocSetCollector)?;
                let mut same = false;
                for addr in &hits {
                    let doc: TantivyDocument = searcher.doc(*addr)?;
                    let text = doc.get_first(fields.text).and_then(|v| v.as_str()).unwrap_or_default();
                    let seg = searcher.segment_reader(addr.segment_ord);
                    let ff = seg.fast_fields();
                    let stars = ff.u64(super::schema::names::STARS)?.first(addr.doc_id);
                    let day = ff.i64(super::schema::names::DAY)?.first(addr.doc_id);
                    let useful = ff.u64(super::schema::names::USEFUL)?.first(addr.doc_id);
                    let biz = ff.u64(super::schema::names::BIZ)?.first(addr.doc_id);
                    same = text == rec.text
                        && stars == Some(rec.stars as u64)
                        && day == Some(rec.day as i64)
                        && useful == Some(rec.useful as u64)
                        && biz == Some(rec.biz as u64);
                }
                if hits.is_empty() {
                    report.added += 1;
                } else if same {
                    report.unchanged += 1;
                    continue;
                } else {
                    report.replaced += 1;
                    to_delete.push(term);
                }
                fresh.push(&rec)?;
            }
        }
        let counts = fresh.finish()?;
        std::fs::remove_dir_all(&spilled.dir).at(&spilled.dir)?;
        let fresh = Spilled { report: FileReport::default(), counts, dir: fresh_dir };
        link_files(&pdir, &tmp, &[MANIFEST, READER_LOCK, BUSINESSES, MODEL])?;
        let model = ModelFile::load(&pdir.join(MODEL)).ok();
        let index = open_tantivy(&tmp)?;
        let mut writer: IndexWriter = index.writer_with_num_threads(1, opts.memory_mb.clamp(32, 1024) << 20)?;
        for t in to_delete {
            writer.delete_term(t);
        }
        index_spilled(&writer, &fields, &fresh, model.as_ref().and_then(|m| m.text_model.as_ref()), opts)?;
        writer.commit()?;
        writer.wait_merging_threads()?;
        std::fs::remove_dir_all(&fresh.dir).at(&fresh.dir)?;
        table.save(&tmp.join(BUSINESSES))?;
        std::fs::write(tmp.join(READER_LOCK), b"").at(tmp.join(READER_LOCK))?;
        let model = match model {
            Some(m) => m,
            None => ModelFile::fallback(None, "the parent version had no usable model"),
        };
        model.save(&tmp.join(MODEL))?;
        let reader = index.reader()?;
        report.total_reviews = reader.searcher().num_docs();
        let pm = dir.manifest(&parent)?;
        write_json(
            &tmp.join(MANIFEST),
            &Manifest {
                format: FORMAT,
                version: name.clone(),
                parent: Some(parent.clone()),
                created: chrono::Utc::now().to_rfc3339(),
                origin: "update".into(),
                reviews: report.total_reviews,
                businesses: table.len() as u64,
                until: pm.until,
                newest_review: super::snapshot_newest_day(&tmp)?,
                model_version: Some(model.version.clone()),
            },
        )?;
        Ok(())
    })();
    match result {
        Ok(()) => {
            dir.publish(&tmp, &name)?;
            dir.set_current(&name)?;
            report.version = name;
        }
        Err(e) => {
            let _ = std::fs::remove_dir_all(&tmp);
            return Err(e);
        }
    }
    report.seconds = t0.elapsed().as_secs_f64();
    report.reviews_per_sec = (report.added + report.replaced) as f64 / report.seconds.max(1e-9);
    let _ = dir_size;
    Ok(report)
}
