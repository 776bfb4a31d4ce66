//! Reading an index version: the opened snapshot every search and training pass
//! reads, the per-version business statistics, and the current version kept open and
//! reloaded (the one reload mechanism under the index handle and its holder).

pub mod current;
pub mod lexicon;
pub mod snapshot;
pub mod stats;

pub use current::{spawn_ticker, Current};

pub use snapshot::{SegmentColumns, Snapshot};
pub use stats::business_stats;
