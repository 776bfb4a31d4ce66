//! Reading a review file without building anything: the ingest floor.
//!
//! [`scan_reviews`] runs the first pass of a build — the same streaming [`LineReader`] on
//! its own thread, batches of 8,192 lines parsed in parallel (rayon), the same
//! validation and accounting — and throws the reviews away. It measures how fast a build
//! could possibly be, at three depths ([`ScanDepth`]), so the cost of everything after
//! reading (analysis, indexing, merging, training) can be told from the cost of reading.

use std::collections::{HashMap, HashSet};
use std::hash::{Hash, Hasher};
use std::path::Path;
use std::time::Instant;

use rayon::prelude::*;
use serde::Serialize;

use super::records::RawReview;
use super::{parse_review, Business, FileReport, Line, LineReader, Rejection, MAX_LINE_BYTES};
use crate::date::Day;
use crate::error::{Error, Result};

/// Lines per batch handed from the reader thread to the parsers (as in a build).
const BATCH: usize = 8192;

/// How much of a build's first pass a scan does on each line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ScanDepth {
    /// Decompress and split into lines; nothing is parsed.
    Decompress,
    /// Also parse each line as JSON into the typed review fields (UTF-8 check and
    /// `serde_json`, borrowing); no value is checked.
    Parse,
    /// Everything a build does before spilling a review: [`parse_review`] (dates, stars,
    /// empty fields, owned strings), `--until`, the business and its postal code, and
    /// duplicate `review_id`s.
    Validate,
}

impl ScanDepth {
    /// All depths, cheapest first.
    pub const ALL: [ScanDepth; 3] = [ScanDepth::Decompress, ScanDepth::Parse, ScanDepth::Validate];

    /// A short label: "decompress", "decompress+parse", "decompress+parse+validate".
    pub fn label(self) -> &'static str {
        match self {
            ScanDepth::Decompress => "decompress",
            ScanDepth::Parse => "decompress+parse",
            ScanDepth::Validate => "decompress+parse+validate",
        }
    }
}

/// What one scan of a review file found, and how long it took.
#[derive(Debug, Clone, Serialize)]
pub struct ScanReport {
    /// How much was done per line.
    pub depth: ScanDepth,
    /// Line accounting. At [`ScanDepth::Validate`] it is the accounting a build of the
    /// same files would report; at the other depths `accepted` counts the lines that got
    /// that far.
    pub reviews: FileReport,
    /// Uncompressed bytes read.
    pub bytes: u64,
    /// Wall time of the scan, seconds.
    pub seconds: f64,
    /// Lines read per second.
    pub reviews_per_sec: f64,
}

fn id_hash(s: &str) -> u64 {
    let mut h = std::collections::hash_map::DefaultHasher::new();
    s.hash(&mut h);
    h.finish()
}

fn too_long(len: usize) -> Rejection {
    Rejection {
        category: "line too long",
        reason: format!("line of {len} bytes exceeds {MAX_LINE_BYTES}"),
    }
}

/// Only the typed JSON parse of a review line; the values are not checked.
fn parse_only(bytes: &[u8]) -> std::result::Result<(), Rejection> {
    let text = std::str::from_utf8(bytes).map_err(|e| Rejection {
        category: "invalid UTF-8",
        reason: format!("invalid UTF-8 at byte {}", e.valid_up_to()),
    })?;
    serde_json::from_str::<RawReview>(text)
        .map(|_| ())
        .map_err(|e| Rejection {
            category: "not a review",
            reason: format!("not a review ({e})"),
        })
}

/// Reads the review file at `path` as the first pass of a build would, to `depth`, and
/// keeps nothing.
///
/// `businesses` (from [`super::read_businesses`]) resolve reviews at
/// [`ScanDepth::Validate`]: a review of an unknown business is skipped, one of a business
/// without a postal code is left out, as in a build, and so are reviews dated on or after
/// `until`. `strict` makes the first bad line an error at [`ScanDepth::Validate`] (the
/// cheaper depths only count).
///
/// ```no_run
/// use yelpsearch::ingest::{read_businesses, scan_reviews, ScanDepth};
/// let (businesses, _) = read_businesses("business.json".as_ref(), false)?;
/// let r = scan_reviews("review.json".as_ref(), ScanDepth::Validate, &businesses, None, false)?;
/// println!("{}: {:.0} reviews/s", r.depth.label(), r.reviews_per_sec);
/// # Ok::<(), yelpsearch::Error>(())
/// ```
pub fn scan_reviews(
    path: &Path,
    depth: ScanDepth,
    businesses: &[Business],
    until: Option<Day>,
    strict: bool,
) -> Result<ScanReport> {
    // Business id -> has a postal code (the build's business table, as a plain map).
    let known: HashMap<&str, bool> = businesses
        .iter()
        .map(|b| (b.business_id.as_str(), !b.postal_code.is_empty()))
        .collect();
    let t0 = Instant::now();
    let mut report = FileReport::default();
    let mut seen: HashSet<u64> = HashSet::new();
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
    for batch in rx.iter() {
        match depth {
            ScanDepth::Decompress => {
                for l in batch {
                    report.read += 1;
                    match l {
                        Line::Ok { .. } => report.accepted += 1,
                        Line::TooLong { no, len } => {
                            let r = too_long(len);
                            report.skip(path, no, r.category, r.reason);
                        }
                    }
                }
            }
            ScanDepth::Parse => {
                let parsed: Vec<(u64, std::result::Result<(), Rejection>)> = batch
                    .into_par_iter()
                    .map(|l| match l {
                        Line::Ok { no, bytes } => (no, parse_only(&bytes)),
                        Line::TooLong { no, len } => (no, Err(too_long(len))),
                    })
                    .collect();
                for (no, p) in parsed {
                    report.read += 1;
                    match p {
                        Ok(()) => report.accepted += 1,
                        Err(r) => report.skip(path, no, r.category, r.reason),
                    }
                }
            }
            ScanDepth::Validate => {
                let parsed: Vec<(u64, std::result::Result<super::Review, Rejection>)> = batch
                    .into_par_iter()
                    .map(|l| match l {
                        Line::Ok { no, bytes } => (no, parse_review(&bytes)),
                        Line::TooLong { no, len } => (no, Err(too_long(len))),
                    })
                    .collect();
                for (no, p) in parsed {
                    report.read += 1;
                    let bad = |report: &mut FileReport, r: Rejection| -> Result<()> {
                        report.reject(path, no, r.category, r.reason, strict)
                    };
                    let r = match p {
                        Ok(r) => r,
                        Err(rej) => {
                            bad(&mut report, rej)?;
                            continue;
                        }
                    };
                    if until.is_some_and(|u| r.day >= u) {
                        report.exclude("dated on or after --until");
                        continue;
                    }
                    match known.get(r.business_id.as_str()) {
                        None => {
                            let reason = format!("unknown business {:?}", r.business_id);
                            bad(
                                &mut report,
                                Rejection {
                                    category: "unknown business",
                                    reason,
                                },
                            )?;
                            continue;
                        }
                        Some(false) => {
                            report.exclude("business has no postal code");
                            continue;
                        }
                        Some(true) => {}
                    }
                    if !seen.insert(id_hash(&r.review_id)) {
                        let reason =
                            format!("duplicate review_id {:?} (the first is kept)", r.review_id);
                        bad(
                            &mut report,
                            Rejection {
                                category: "duplicate review_id",
                                reason,
                            },
                        )?;
                        continue;
                    }
                    report.accepted += 1;
                }
            }
        }
    }
    let bytes = match reader.join() {
        Ok(r) => r?,
        Err(_) => return Err(Error::Data("the reader thread panicked".into())),
    };
    let seconds = t0.elapsed().as_secs_f64();
    Ok(ScanReport {
        depth,
        reviews_per_sec: report.read as f64 / seconds.max(1e-9),
        reviews: report,
        bytes,
        seconds,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn business(id: &str, zip: &str) -> Business {
        Business {
            business_id: id.into(),
            name: "X".into(),
            address: String::new(),
            city: String::new(),
            state: String::new(),
            postal_code: zip.into(),
            latitude: None,
            longitude: None,
            stars: 4.0,
            review_count: 1,
            is_open: true,
            categories: vec![],
        }
    }

    #[test]
    fn depths_count_as_a_build_would() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("review.json");
        let line = |id: &str, biz: &str, date: &str, text: &str| {
            format!(
                r#"{{"review_id":"{id}","business_id":"{biz}","stars":4,"text":"{text}","date":"{date}"}}"#
            )
        };
        let lines = [
            line("r1", "b1", "2016-01-01", "good"),
            line("r2", "b1", "2019-01-01", "late"),
            line("r3", "nope", "2016-01-01", "unknown business"),
            line("r4", "b2", "2016-01-01", "no zip"),
            line("r1", "b1", "2016-01-02", "duplicate"),
            line("r5", "b1", "2016-13-01", "bad date"),
            "not json".into(),
        ];
        std::fs::write(&p, lines.join("\n")).unwrap();
        let biz = [business("b1", "61820"), business("b2", "")];
        let until = Day::parse("2018-01-01");

        let d = scan_reviews(&p, ScanDepth::Decompress, &biz, until, false).unwrap();
        assert_eq!((d.reviews.read, d.reviews.accepted), (7, 7));
        assert!(d.bytes > 0);
        let j = scan_reviews(&p, ScanDepth::Parse, &biz, until, false).unwrap();
        assert_eq!((j.reviews.read, j.reviews.accepted), (7, 6));
        let v = scan_reviews(&p, ScanDepth::Validate, &biz, until, false).unwrap();
        assert_eq!((v.reviews.read, v.reviews.accepted), (7, 1));
        assert_eq!(v.reviews.skipped["unknown business"], 1);
        assert_eq!(v.reviews.skipped["duplicate review_id"], 1);
        assert_eq!(v.reviews.skipped["bad date"], 1);
        assert_eq!(v.reviews.skipped["not JSON"], 1);
        assert_eq!(v.reviews.excluded_total(), 2);

        let err = scan_reviews(&p, ScanDepth::Validate, &biz, until, true).unwrap_err();
        assert!(matches!(err, Error::BadLine { line: 3, .. }), "{err}");
    }
}
