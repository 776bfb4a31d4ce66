//! Reading a review file without building anything: the ingest floor.
//!
//! [`scan_reviews`] runs the first pass of a build — the same code (the build's
//! `pass_one` module): the streaming reader on its own thread, batches parsed in
//! parallel (rayon), the same validation and accounting — and throws the reviews away.
//! It measures how fast a build could possibly be, at three depths ([`ScanDepth`]), so
//! the cost of everything after reading (analysis, indexing, merging, training) can be
//! told from the cost of reading.

use std::path::Path;
use std::time::Instant;

use serde::Serialize;

use super::options::BuildOptions;
use super::pass_one::{for_each_batch, parse_lines, read_reviews, too_long};
use crate::date::Day;
use crate::error::Result;
use crate::ingest::{parse_review_fields, FileReport, Line};
use crate::store::table::BusinessTable;

/// How much of a build's first pass a scan does on each line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ScanDepth {
    /// Decompress and split into lines; nothing is parsed.
    Decompress,
    /// Also parse each line as JSON into the typed review fields
    /// (`parse_review_fields`); no value is checked.
    Parse,
    /// Everything a build does before spilling a review: [`crate::ingest::parse_review`]
    /// (dates, stars, empty fields, owned strings), `--until`, the business and its
    /// postal code, and duplicate `review_id`s.
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

/// Reads the review file at `path` as the first pass of a build would, to `depth`, and
/// keeps nothing.
///
/// At [`ScanDepth::Validate`] reviews are resolved against `table` as in a build: a
/// review of an unknown business is skipped, one of a business without a postal code is
/// left out, and so are reviews dated on or after `until`; `strict` makes the first bad
/// line an error (the cheaper depths only count).
///
/// ```no_run
/// use yelpsearch::{read_businesses, scan_reviews, BusinessTable, ScanDepth};
/// let (businesses, _) = read_businesses("business.json".as_ref(), false)?;
/// let table = BusinessTable::new(businesses);
/// let r = scan_reviews("review.json".as_ref(), ScanDepth::Validate, &table, None, false)?;
/// println!("{}: {:.0} reviews/s", r.depth.label(), r.reviews_per_sec);
/// # Ok::<(), yelpsearch::Error>(())
/// ```
pub fn scan_reviews(
    path: &Path,
    depth: ScanDepth,
    table: &BusinessTable,
    until: Option<Day>,
    strict: bool,
) -> Result<ScanReport> {
    let t0 = Instant::now();
    let mut report = FileReport::default();
    let bytes = match depth {
        ScanDepth::Decompress => for_each_batch(path, |batch| {
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
            Ok(())
        })
        .map(|r| {
            report.truncated_after = r.truncated_after;
            r.bytes
        })?,
        ScanDepth::Parse => for_each_batch(path, |batch| {
            for (no, p) in parse_lines(batch, parse_review_fields) {
                report.read += 1;
                match p {
                    Ok(()) => report.accepted += 1,
                    Err(r) => report.skip(path, no, r.category, r.reason),
                }
            }
            Ok(())
        })
        .map(|r| {
            report.truncated_after = r.truncated_after;
            r.bytes
        })?,
        ScanDepth::Validate => {
            let opts = BuildOptions {
                until,
                strict,
                ..BuildOptions::default()
            };
            let (r, bytes) = read_reviews(path, table, &opts, None, |_| Ok(()))?;
            report = r;
            bytes
        }
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
    use crate::error::Error;
    use crate::ingest::Business;

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
            offer: Default::default(),
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
        let biz = BusinessTable::new(vec![business("b1", "61820"), business("b2", "")]);
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
