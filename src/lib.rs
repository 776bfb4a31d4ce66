//! # yelpsearch
//!
//! Review-powered local search over Yelp Open Dataset files. Ask for a need in a
//! zipcode ("61820 pasta") and get the businesses whose reviewers praise it, best first,
//! with the sentences that prove it.
//!
//! ```no_run
//! use yelpsearch::{Index, SearchRequest};
//! let index = Index::open("idx")?;
//! let res = index.search(&SearchRequest::new("61820 pasta"))?;
//! for hit in &res.results {
//!     println!("{} ({} matching reviews)", hit.business.name, hit.matches);
//! }
//! # Ok::<(), yelpsearch::Error>(())
//! ```
//!
//! This page is the whole API: [`Index`] opens and searches an index and
//! [`IndexHolder`] keeps a server's index open and current; [`build_index`],
//! [`update_index`], [`retrain()`] and [`list_versions`] / [`rollback`] / [`gc`] write and
//! manage its versions, and [`VersionFiles`] / [`Install`] list a version's files with
//! their checksums and install a version made elsewhere (copied through object
//! storage); [`Error`] is the one error type, and [`ErrorCode`] the one table
//! of error codes and their HTTP statuses. [`api`] is the HTTP contract both servers
//! use, [`analysis`] turns text into terms and [`generate`] makes a synthetic corpus with
//! a known truth.
//!
//! The modules behind it are floors, each importing only the floors below it:
//! `analysis`, `date`, `error` → `ingest` (Yelp files), `generate` → `store` (the
//! versioned directory, schema, business table) → `model` (the model file and what
//! search evaluates) → `reader` (opened versions, reloading) → `search` → `train` →
//! `write` (build, update) → `handle` ([`Index`], [`IndexHolder`]) → [`api`].
//! `tests/architecture.rs` keeps it so.

pub mod analysis;
pub mod api;
pub mod generate;

mod date;
mod error;
mod handle;
mod ingest;
mod model;
mod reader;
mod search;
mod store;
mod train;
mod write;

pub use date::Day;
pub use error::{Error, ErrorCode, QueryError, Result};
pub use handle::{Index, IndexHolder, IndexStats, Readiness};
pub use ingest::{
    parse_business, parse_review, read_businesses, read_businesses_logged, Amenities, Amenity,
    Business, FileReport, Issue, IssueKind, Offer, RejectLog, Rejection, Review, WeekHours, UNTIL,
};
pub use model::{ModelFile, TrainingData, TrainingWindow};
pub use reader::{SegmentColumns, Snapshot};
pub use search::{
    Correction, FeatureExplain, Hit, Interpretation, LocalTime, NearbyZip, ParsedQuery, RankMode,
    SearchRequest, SearchResponse, Sentiment, Snippet, MAX_LIMIT, MAX_QUERY_CHARS,
};
pub use store::open::DOCSTORE_BLOCK_BYTES;
pub use store::schema::{names as field_names, Fields};
pub use store::{
    gc, installed_files, is_version_name, list_versions, rollback, same_names_and_sizes,
    version_files, BusinessTable, FileEntry, GcReport, IndexDir, Install, Listing, Manifest,
    ReaderPin, VersionFiles, VersionInfo, WriteLock,
};
pub use train::{
    check_label_days, check_max_queries, labelled_queries, ndcg_at, retrain, retrain_with,
    train_on_snapshot, Grades, LabelledQuery, LtrConfig, RetrainReport, TrainOptions, TrainOutcome,
    TreeProgress,
};
pub use write::{
    build_index, scan_reviews, throttled, update_index, BuildOptions, BuildReport, Progress,
    ProgressFn, ScanDepth, ScanReport, UpdateReport, MIN_ACCEPTED, PROGRESS_EVERY,
};

/// Internals the benchmarks measure (and the doc examples of internal modules use),
/// re-exported for them alone: not a stable API.
#[doc(hidden)]
pub mod bench {
    pub use crate::ingest::{normalize_postal_code, Line, LineReader};
    pub use crate::model::affinity::ZipCategories;
    pub use crate::model::clauses;
    pub use crate::model::features::N_FEATURES;
    pub use crate::model::text::{features, TextModel};
    pub use crate::search::snippets::snippet;
    pub use crate::search::{collect, CollectContext, Plan};
    pub use crate::store::schema::review_key;
    pub use crate::store::terms::{encode_terms, TermsTokenizer};
    pub use crate::train::text::{train_text_model, Example, LabelledReview, TextModelConfig};
}
