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
//! The pieces: [`ingest`] reads Yelp files, [`analysis`] turns text into terms,
//! [`index`] builds and opens versioned tantivy indexes, [`search`] parses queries and
//! collects businesses, [`rank`] holds the text model and the learned ranker, and
//! [`generate`] makes a synthetic corpus with a known truth.

pub mod analysis;
pub mod date;
pub mod error;
pub mod generate;
pub mod handle;
pub mod index;
pub mod ingest;
pub mod rank;
pub mod search;

pub use date::Day;
pub use error::{Error, Result};
pub use handle::{Index, IndexStats};
pub use search::{Hit, Listing, RankMode, SearchRequest, SearchResponse, Snippet};
