//! Writing index versions: a build from Yelp files (pass one parses and spills the
//! reviews by zipcode, pass two analyses and indexes them on every core), a nightly
//! update that shares its parent's unchanged segments, and the scan that measures the
//! first pass alone.

pub mod build;
pub mod delete;
pub mod document;
pub mod options;
pub mod pass_one;
pub mod pass_two;
pub mod scan;
pub mod spill;
pub mod update;

pub use build::{build_index, BuildReport};
pub use options::{throttled, BuildOptions, Progress, ProgressFn, MIN_ACCEPTED, PROGRESS_EVERY};
pub use scan::{scan_reviews, ScanDepth, ScanReport};
pub use update::{update_index, UpdateReport};
