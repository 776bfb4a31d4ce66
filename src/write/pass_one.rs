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
use crate::ingest::{
    parse_review, truncation, FileReport, Line, LineReader, RejectLog, Rejection, MAX_LINE_BYTES,
    UNTIL,
};
use crate::store::table::{BusinessTable, NO_ZIP};

/// Lines per batch handed from the reader thread to the parsers.
const BATCH: usize = 8192;

/// What reading a file found besides its lines: the uncompressed bytes read, and where a
/// truncated gzip stream was cut ([`LineReader::truncated_after`]).
pub(crate) struct Read {
    pub(crate) bytes: u64,
    pub(crate) truncated_after: Option<u64>,
}

/// Streams the lines of `path` in batches read on a thread of their own, calling `f` on
/// each batch in order. An error from `f` stops the reading and is returned.
pub(crate) fn for_each_batch(
    path: &Path,
    mut f: impl FnMut(Vec<Line>) -> Result<()>,
) -> Result<Read> {
    let (tx, rx) = crossbeam_channel::bounded::<Vec<Line>>(4);
    let reader_path = path.to_path_buf();
    let reader = std::thread::spawn(move || -> Result<Read> {
        let mut r = LineReader::open(&reader_path)?;
        loop {
            let mut batch = Vec::with_capacity(BATCH);
            if !r.next_batch(&mut batch, BATCH)? || tx.send(batch).is_err() {
                return Ok(Read {
                    bytes: r.bytes_read(),
                    truncated_after: r.truncated_after(),
                });
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
    log: Option<&RejectLog>,
    mut accept: impl FnMut(SpillRecord) -> Result<()>,
) -> Result<(FileReport, u64)> {
    let mut report = FileReport::logged(log);
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
                report.exclude(UNTIL);
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
                // Yelp ships a few businesses without a postal code (and some exports
                // of its files have none at all): not an error, but nothing a zipcode
                // search could find. Each such review is listed, none vanishes unsaid.
                report.leave_out(
                    reviews,
                    no,
                    NO_POSTAL_CODE,
                    format!("business {:?} has no postal code", r.business_id),
                );
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
    let read = for_each_batch(reviews, |batch| {
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
    truncation(reviews, read.truncated_after, opts.strict, &mut report)?;
    Ok((report, read.bytes))
}

/// The category of reviews left out because their business has no postal code.
pub(crate) const NO_POSTAL_CODE: &str = "business has no postal code";

/// Fails, publishing nothing, when a review file's accepted lines are fewer than
/// `opts.min_accepted` of those not left out by `--until`, or none at all (unless
/// `empty_ok` and the file has no such line: an update with nothing in it). The error
/// gives the counts, the most common reasons with an example line of each, where every
/// line is listed, and what to do.
pub(crate) fn check_accepted(
    path: &Path,
    report: &FileReport,
    opts: &BuildOptions,
    log: &RejectLog,
    empty_ok: bool,
) -> Result<()> {
    let considered = report.read - report.excluded.get(UNTIL).copied().unwrap_or(0);
    if considered == 0 && empty_ok {
        return Ok(());
    }
    let share = report.accepted as f64 / considered.max(1) as f64;
    if report.accepted > 0 && share >= opts.min_accepted {
        return Ok(());
    }
    log.finish()?;
    let mut reasons = Vec::new();
    for (category, n) in report.top_reasons().into_iter().take(3) {
        let example = report
            .issues
            .iter()
            .find(|i| i.category == category)
            .map(|i| format!(", e.g. line {}: {}", i.line, i.reason))
            .unwrap_or_default();
        reasons.push(format!("{category}: {n}{example}"));
    }
    let mut detail = if considered == 0 {
        "the file has no review lines".to_string()
    } else {
        format!(
            "only {} of {} review lines were accepted ({:.1}%, the least accepted is {:.0}%)",
            report.accepted,
            considered,
            100.0 * share,
            100.0 * opts.min_accepted
        )
    };
    detail.push_str(", so nothing was published");
    if !reasons.is_empty() {
        detail.push_str(&format!(". Why: {}", reasons.join("; ")));
    }
    if let Some(p) = log.written() {
        detail.push_str(&format!(
            ". Every rejected line is listed in {}",
            p.display()
        ));
    }
    if report.truncated_after.is_some() {
        detail.push_str(". The file is truncated: download or copy it again");
    }
    let top = report.top_reasons().first().map(|(c, _)| c.clone());
    let advice = match top.as_deref() {
        Some(NO_POSTAL_CODE) => {
            "the business file has no postal codes for these reviews' businesses (zipcode \
             search needs them): use a business file with postal_code"
        }
        Some("unknown business") => {
            "most reviews are of businesses missing from the business file: pass the \
             business file these reviews come from"
        }
        Some("missing field") if looks_like_businesses(report) => {
            "this looks like a business file: did you swap --business and --reviews?"
        }
        _ => "fix the file",
    };
    detail.push_str(&format!(". What to do: {advice}"));
    if report.accepted > 0 {
        detail.push_str(&format!(
            "; or, to publish an index of the lines that were accepted, pass a lower \
             --min-accepted (e.g. --min-accepted {:.2})",
            (share * 0.9 * 100.0).floor() / 100.0
        ));
    }
    Err(Error::TooFewAccepted {
        path: path.to_path_buf(),
        detail,
    })
}

/// Whether a review file's rejected lines say it is a business file (their reviews'
/// fields are missing, and the listed reasons name `review_id`).
fn looks_like_businesses(report: &FileReport) -> bool {
    report
        .issues
        .iter()
        .any(|i| i.reason.contains("`review_id`"))
}

/// A batch's lines, parsed, with their line numbers.
type Parsed = Vec<(u64, std::result::Result<crate::ingest::Review, Rejection>)>;
