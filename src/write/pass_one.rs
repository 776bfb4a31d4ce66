//! Pass one of a build or an update: the review file streamed on its own thread, its
//! lines parsed and validated in parallel batches (rayon), each accepted review handed
//! on with its business and zipcode resolved, in file order, while the next batch is
//! parsed.
//!
//! A build or an update spills what it is handed ([`super::build`]); `index build
//! --parse-only` drops it ([`super::scan`]), so the floor it measures is this code.

use std::collections::HashSet;
use std::path::Path;

use rayon::prelude::*;

use super::options::BuildOptions;
use super::spill::{id_hash, SpillRecord};
use crate::error::{Error, Result};
use crate::ingest::{parse_review, FileReport, Line, LineReader, Rejection, MAX_LINE_BYTES};
use crate::store::table::{BusinessTable, NO_ZIP};

/// Lines per batch handed from the reader thread to the parsers.
const BATCH: usize = 8192;

/// Streams the lines of `path` in batches read on a thread of their own, calling `f` on
/// each batch in order; returns the uncompressed bytes read. An error from `f` stops the
/// reading and is returned.
pub(crate) fn for_each_batch(
    path: &Path,
    mut f: impl FnMut(Vec<Line>) -> Result<()>,
) -> Result<u64> {
    let (tx, rx) = crossbeam_channel::bounded::<Vec<Line>>(4);
    let reader_path = path.to_path_buf();
    let reader = std::thread::spawn(move || -> Result<u64> {
        let mut r = LineReader::open(&reader_path)?;
        loop {
            let mut batch = Vec::with_capacity(BATCH);
            if !r.next_batch(&mut batch, BATCH)? || tx.send(batch).is_err() {
                return Ok(r.bytes_read());
            }
        }
    });
    let mut outcome = Ok(());
    for batch in rx.iter() {
        outcome = f(batch);
        if outcome.is_err() {
            break;
        }
    }
    drop(rx); // a reader still sending stops
    let bytes = match reader.join() {
        Ok(r) => r,
        Err(_) => Err(Error::Data("the reader thread panicked".into())),
    };
    outcome?;
    bytes
}

/// Parses a batch's lines with `parse` in parallel (rayon), in order, each with its line
/// number; a line too long to read is a [`too_long`] rejection.
pub(crate) fn parse_lines<T: Send>(
    batch: Vec<Line>,
    parse: impl Fn(&[u8]) -> std::result::Result<T, Rejection> + Sync,
) -> Vec<(u64, std::result::Result<T, Rejection>)> {
    batch
        .into_par_iter()
        .map(|l| match l {
            Line::Ok { no, bytes } => (no, parse(&bytes)),
            Line::TooLong { no, len } => (no, Err(too_long(len))),
        })
        .collect()
}

/// The rejection of a line longer than [`MAX_LINE_BYTES`].
pub(crate) fn too_long(len: usize) -> Rejection {
    Rejection {
        category: "line too long",
        reason: format!("line of {len} bytes exceeds {MAX_LINE_BYTES}"),
    }
}

/// Reads every line of `reviews` as pass one does and hands each accepted review to
/// `accept`: parsed and checked ([`parse_review`]), dated before `opts.until`, of a
/// business of `table` that has a postal code, and not a repeated `review_id`. Bad lines
/// are counted and skipped (or, with `opts.strict`, the first one is the error).
/// Returns the file's accounting and the uncompressed bytes read.
pub(crate) fn read_reviews(
    reviews: &Path,
    table: &BusinessTable,
    opts: &BuildOptions,
    mut accept: impl FnMut(SpillRecord) -> Result<()>,
) -> Result<(FileReport, u64)> {
    let mut report = FileReport::default();
    let mut seen: HashSet<u64> = HashSet::new();
    let mut take = |parsed: Parsed| -> Result<()> {
        for (no, p) in parsed {
            report.read += 1;
            let bad = |report: &mut FileReport, cat: &str, reason: String| -> Result<()> {
                report.reject(reviews, no, cat, reason, opts.strict)
            };
            let r = match p {
                Ok(r) => r,
                Err(rej) => {
                    bad(&mut report, rej.category, rej.reason)?;
                    continue;
                }
            };
            if opts.until.is_some_and(|u| r.day >= u) {
                report.exclude("dated on or after --until");
                continue;
            }
            let Some(biz) = table.ord_of(&r.business_id) else {
                bad(
                    &mut report,
                    "unknown business",
                    format!("unknown business {:?}", r.business_id),
                )?;
                continue;
            };
            let zip = table.zip_of(biz);
            if zip == NO_ZIP {
                // Yelp ships a few businesses without a postal code: not an error, but
                // nothing a zipcode search could find.
                report.exclude("business has no postal code");
                continue;
            }
            if !seen.insert(id_hash(&r.review_id)) {
                bad(
                    &mut report,
                    "duplicate review_id",
                    format!("duplicate review_id {:?} (the first is kept)", r.review_id),
                )?;
                continue;
            }
            report.accepted += 1;
            accept(SpillRecord {
                zip,
                biz,
                day: r.day.0,
                stars: r.stars,
                useful: r.useful,
                review_id: r.review_id,
                text: r.text,
            })?;
        }
        opts.report("read", report.read, None);
        Ok(())
    };
    // Batch k is taken in order on this thread while the pool parses batch k + 1.
    let mut previous: Option<Parsed> = None;
    let bytes = for_each_batch(reviews, |batch| {
        opts.check_cancel()?;
        let mut parsed = None;
        rayon::in_place_scope(|s| {
            s.spawn(|_| parsed = Some(parse_lines(batch, parse_review)));
            previous.take().map_or(Ok(()), &mut take)
        })?;
        previous = parsed;
        Ok(())
    })?;
    if let Some(last) = previous {
        take(last)?;
    }
    Ok((report, bytes))
}

/// A batch's lines, parsed, with their line numbers.
type Parsed = Vec<(u64, std::result::Result<crate::ingest::Review, Rejection>)>;
