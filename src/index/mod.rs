//! The on-disk index: schema, versions, build, and opened snapshots.

pub mod build;
pub mod delete;
pub mod document;
pub mod layout;
pub mod lexicon;
mod pass_one;
mod pass_two;
pub mod readonly;
pub mod retrain;
pub mod rows;
pub mod scan;
pub mod schema;
pub mod snapshot;
pub mod spill;
pub mod table;
pub mod terms;
pub mod unsynced;
pub mod update;
pub mod versions;

pub use build::{build_index, BuildOptions, BuildReport, Progress, ProgressFn};
pub use layout::{IndexDir, Manifest};
pub use scan::{scan_reviews, ScanDepth, ScanReport};
pub use snapshot::Snapshot;
pub use table::BusinessTable;

use std::path::Path;

use crate::date::Day;
use crate::error::Result;

/// The newest review day of a tantivy index directory (None when empty).
pub(crate) fn snapshot_newest_day(dir: &Path) -> Result<Option<Day>> {
    let index = snapshot::open_tantivy(dir)?;
    let reader = index.reader()?;
    let searcher = reader.searcher();
    let mut newest: Option<i64> = None;
    for sr in searcher.segment_readers() {
        let col = sr.fast_fields().i64(schema::names::DAY)?;
        if sr.num_docs() > 0 {
            let m = col.max_value();
            newest = Some(newest.map_or(m, |n: i64| n.max(m)));
        }
    }
    Ok(newest.map(|d| Day(d as i32)))
}
