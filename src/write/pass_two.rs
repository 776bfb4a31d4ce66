//! Pass two of a build or an update: the spilled reviews analysed and indexed.
//!
//! The zipcodes are split into contiguous ranges of about equal review counts
//! ([`balanced_ranges`]), one per writer, and the ranges are indexed concurrently, each
//! into a tantivy index of its own under the version ([`index_partitioned`]): a range's
//! reviews are read from the spill's buckets, sorted by (zipcode, business, day, review
//! id), analysed on every core (rayon), their clauses scored by the text model, and
//! handed to the range's writer (one tantivy thread) as plain term strings
//! ([`crate::store::terms`]). Each writer writes its segments in zipcode order, each zipcode in
//! one run of documents (or two, where a segment ends inside it), so nothing needs
//! merging: the segments of every range are moved into the version and listed in one
//! `meta.json` ([`combine_parts`]). One writer thread had been busy most of the stage
//! and wrote the last segment alone while the other cores waited.

use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;

use rayon::prelude::*;
use tantivy::indexer::NoMergePolicy;
use tantivy::{IndexMeta, IndexWriter, TantivyDocument};

use super::document::review_document;
use super::options::BuildOptions;
use super::spill::{read_bucket_where, Spilled};
use crate::analysis::Analyzer;
use crate::error::{Error, IoContext, Result};
use crate::model::names::PlaceNames;
use crate::model::text::TextModel;
use crate::store::open::new_tantivy_index;
use crate::store::schema::Fields;

/// Pass two: index every bucket in zipcode order.
pub(crate) fn index_spilled(
    writer: &mut IndexWriter,
    fields: &Fields,
    spilled: &Spilled,
    text_model: Option<&TextModel>,
    names: &PlaceNames,
    opts: &BuildOptions,
) -> Result<u64> {
    let zips = spilled.counts.zips.len() as u32;
    PassTwo::new(fields, spilled, text_model, names, opts).index(writer, 0..zips)
}

/// What pass two's writers share: what they read, and their progress.
pub(crate) struct PassTwo<'a> {
    fields: &'a Fields,
    spilled: &'a Spilled,
    text_model: Option<&'a TextModel>,
    names: &'a PlaceNames,
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
        names: &'a PlaceNames,
        opts: &'a BuildOptions,
    ) -> Self {
        PassTwo {
            fields,
            spilled,
            text_model,
            names,
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
        for i in counts.bucket_of(zips.start)..=counts.bucket_of(zips.end - 1) {
            let held = counts.zips_of(i);
            let whole = zips.start <= held.start && held.end <= zips.end;
            let mut recs = read_bucket_where(&self.spilled.dir, i, |zip, _| zips.contains(&zip))?;
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
                    .map(|r| {
                        review_document(self.fields, &self.analyzer, self.text_model, self.names, r)
                    })
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
pub(crate) fn balanced_ranges(counts: &[u64], parts: usize) -> Vec<Range<u32>> {
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
pub(crate) fn index_partitioned(dir: &Path, pass: &PassTwo<'_>) -> Result<u64> {
    let runs = balanced_ranges(&pass.spilled.counts.zips, pass.opts.writer_threads());
    let budget = ((pass.opts.memory_mb << 20) / runs.len()).max(16 << 20);
    let parts: Vec<PathBuf> = (0..runs.len())
        .map(|i| dir.join(format!("part-{i}")))
        .collect();
    let (added, metas) = std::thread::scope(|scope| {
        let handles: Vec<_> = runs
            .into_iter()
            .zip(&parts)
            .map(|(run, part)| {
                scope.spawn(move || -> Result<(u64, IndexMeta)> {
                    let indexed = (|| {
                        std::fs::create_dir_all(part).at(part)?;
                        let (index, _) = new_tantivy_index(part)?;
                        let mut writer: IndexWriter = index.writer_with_num_threads(1, budget)?;
                        writer.set_merge_policy(Box::new(NoMergePolicy));
                        let n = pass.index(&mut writer, run)?;
                        writer.commit()?;
                        writer.wait_merging_threads()?;
                        Ok((n, index.load_metas()?))
                    })();
                    if indexed.is_err() {
                        pass.failed.store(true, Ordering::Relaxed);
                    }
                    indexed
                })
            })
            .collect();
        let (mut added, mut metas) = (0u64, Vec::new());
        let mut first_error = None;
        for h in handles {
            match h.join() {
                Ok(Ok((n, meta))) => {
                    added += n;
                    metas.push(meta);
                }
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
            None => Ok((added, metas)),
        }
    })?;
    combine_parts(dir, &parts, metas)?;
    Ok(added)
}

/// Moves the segments of the indexes in `parts` (whose metas are `metas`) into `dir`
/// and writes the one `meta.json` that lists them all, in part order; removes the
/// parts. Every part has the schema and settings of [`new_tantivy_index`] and its own
/// segment ids (random UUIDs), so the files never collide.
fn combine_parts(dir: &Path, parts: &[PathBuf], metas: Vec<IndexMeta>) -> Result<()> {
    let mut combined: Option<IndexMeta> = None;
    for (part, meta) in parts.iter().zip(metas) {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    #[allow(clippy::single_range_in_vec_init)] // one range is the answer
    fn ranges_are_contiguous_balanced_and_cover_every_zipcode() {
        assert_eq!(balanced_ranges(&[5, 5, 5, 5], 2), [0..2, 2..4]);
        assert_eq!(balanced_ranges(&[9, 1, 1, 1], 2), [0..1, 1..4]);
        assert_eq!(balanced_ranges(&[3, 3], 4), [0..1, 1..2]);
        assert_eq!(balanced_ranges(&[1, 0, 0, 1, 0], 2), [0..1, 1..5]);
        assert_eq!(balanced_ranges(&[0, 0], 2), [0..2]);
        assert_eq!(balanced_ranges(&[7], 0), [0..1]);
        // Many uneven zipcodes: every range within one zipcode of its share.
        let counts: Vec<u64> = (0..80u64).map(|i| (i * 7919) % 997 + 10).collect();
        let total: u64 = counts.iter().sum();
        let most = *counts.iter().max().unwrap();
        for parts in 1..=5 {
            let ranges = balanced_ranges(&counts, parts);
            assert_eq!(ranges.len(), parts);
            assert_eq!(ranges[0].start, 0);
            assert_eq!(ranges.last().unwrap().end, 80);
            assert!(ranges.windows(2).all(|w| w[0].end == w[1].start));
            for r in &ranges {
                let n: u64 = counts[r.start as usize..r.end as usize].iter().sum();
                assert!(
                    n.abs_diff(total / parts as u64) <= most,
                    "{parts} parts: {r:?} holds {n}"
                );
            }
        }
    }
}
