//! Ingest of Yelp Open Dataset JSON-lines files (plain or gzip), streaming.
//!
//! Bad lines are never fatal unless asked: each is reported with its file, line number
//! and reason, counted by category in a [`FileReport`], and skipped, while every good
//! line still lands.

mod attributes;
mod lines;
mod postal;
mod records;
mod report;

pub use attributes::{Amenities, Amenity, Offer, WeekHours};
pub use lines::{Line, LineReader, MAX_LINE_BYTES};
pub use postal::{looks_like_postal_code, normalize_postal_code};
pub use records::{parse_business, parse_review, parse_review_fields, Business, Rejection, Review};
pub use report::{FileReport, Issue, IssueKind, RejectLog, UNTIL};

use std::path::Path;

use crate::error::{Error, Result};

/// Reads every business of a `business.json` file.
///
/// With `strict`, the first bad line is an error; otherwise bad lines are reported in
/// the returned [`FileReport`] and skipped. A repeated `business_id` keeps the last line.
pub fn read_businesses(path: &Path, strict: bool) -> Result<(Vec<Business>, FileReport)> {
    read_businesses_logged(path, strict, None)
}

/// [`read_businesses`], writing every skipped line to `log` as well.
///
/// A gzip file cut short keeps the lines before the cut (the report's
/// `truncated_after` says where), or under `strict` is an error.
pub fn read_businesses_logged(
    path: &Path,
    strict: bool,
    log: Option<&RejectLog>,
) -> Result<(Vec<Business>, FileReport)> {
    let mut reader = LineReader::open(path)?;
    let mut report = FileReport::logged(log);
    let mut out: Vec<Business> = Vec::new();
    let mut seen = std::collections::HashMap::new();
    while let Some(line) = reader.next_line()? {
        report.read += 1;
        let (no, parsed) = match line {
            Line::Ok { no, bytes } => (no, parse_business(&bytes)),
            Line::TooLong { no, len } => (
                no,
                Err(Rejection {
                    category: "line too long",
                    reason: format!("line of {len} bytes exceeds {MAX_LINE_BYTES}"),
                }),
            ),
        };
        match parsed {
            Ok(b) => {
                report.accepted += 1;
                match seen.get(&b.business_id) {
                    Some(&i) => out[i] = b,
                    None => {
                        seen.insert(b.business_id.clone(), out.len());
                        out.push(b);
                    }
                }
            }
            Err(r) => report.reject(path, no, r.category, r.reason, strict)?,
        }
    }
    truncation(path, reader.truncated_after(), strict, &mut report)?;
    Ok((out, report))
}

/// What a file cut short means: under `strict` an error, otherwise noted in the report.
pub(crate) fn truncation(
    path: &Path,
    truncated_after: Option<u64>,
    strict: bool,
    report: &mut FileReport,
) -> Result<()> {
    let Some(lines) = truncated_after else {
        return Ok(());
    };
    if strict {
        return Err(Error::Truncated {
            path: path.to_path_buf(),
            lines,
        });
    }
    tracing::warn!(file = %path.display(), lines, "the file is truncated: keeping the lines before the cut");
    report.truncated_after = Some(lines);
    Ok(())
}
