//! Reading an index version: the opened snapshot every search and training pass
//! reads, and the per-version business statistics.

pub mod lexicon;
pub mod snapshot;
pub mod stats;

pub use snapshot::{SegmentColumns, Snapshot};
pub use stats::business_stats;
