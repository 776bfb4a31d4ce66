//! What a search is asked and what it answers: the request, and the response whose
//! JSON is the contract of the command line's `--json`, the HTTP API and the Python
//! package.

use std::sync::Arc;

use serde::{Deserialize, Serialize};

use super::plan::LocalTime;
use crate::error::QueryError;
use crate::store::table::Listing;

/// Most results a search returns.
pub const MAX_LIMIT: usize = 1000;

/// How to rank.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RankMode {
    /// The index's model (the learned ranker, or its BM25 fallback).
    #[default]
    Model,
    /// BM25 only: the sum of each business's three best review scores.
    Bm25,
}

impl std::str::FromStr for RankMode {
    type Err = QueryError;

    /// `model` or `bm25`; anything else is [`QueryError::InvalidMode`].
    fn from_str(s: &str) -> Result<Self, QueryError> {
        match s {
            "model" => Ok(RankMode::Model),
            "bm25" => Ok(RankMode::Bm25),
            other => Err(QueryError::InvalidMode {
                given: other.chars().take(16).collect(),
            }),
        }
    }
}

/// A search request.
#[derive(Debug, Clone, PartialEq)]
pub struct SearchRequest {
    /// The query text (may hold the zipcode).
    pub query: String,
    /// An explicit zipcode (wins over one in the query).
    pub zip: Option<String>,
    /// Most results.
    pub limit: usize,
    /// Snippets per result (0 to 3).
    pub snippets: usize,
    /// Ranking mode.
    pub mode: RankMode,
    /// Include each result's features and their contributions.
    pub explain: bool,
    /// After the businesses with a matching review, offer related ones (places of a
    /// kind that reviewers in the zipcode mention the need at) while `limit` allows.
    pub related: bool,
    /// When the zipcode has fewer places than `limit` asks for, places of the nearest
    /// zipcodes follow its own, each with its distance.
    pub nearby: bool,
    /// Take the words as typed: no corrections, no filler, price or amenity words
    /// (what a "search instead for" link asks).
    pub literal: bool,
    /// The searcher's local time, for "open now" (the machine's clock when `None`).
    pub local_time: Option<LocalTime>,
}

impl SearchRequest {
    /// A request for `query` with defaults (10 results, 3 snippets, the model).
    pub fn new(query: impl Into<String>) -> Self {
        SearchRequest {
            query: query.into(),
            zip: None,
            limit: 10,
            snippets: 3,
            mode: RankMode::Model,
            explain: false,
            related: true,
            nearby: true,
            literal: false,
            local_time: None,
        }
    }

    /// Sets the zipcode.
    pub fn zip(mut self, zip: impl Into<String>) -> Self {
        self.zip = Some(zip.into());
        self
    }

    /// Sets the zipcode, or none (taken from the query).
    pub fn zip_opt(mut self, zip: Option<String>) -> Self {
        self.zip = zip;
        self
    }

    /// Sets the limit.
    pub fn limit(mut self, limit: usize) -> Self {
        self.limit = limit;
        self
    }

    /// Sets the snippets per result (at most 3 are shown).
    pub fn snippets(mut self, snippets: usize) -> Self {
        self.snippets = snippets;
        self
    }

    /// Sets the ranking mode.
    pub fn mode(mut self, mode: RankMode) -> Self {
        self.mode = mode;
        self
    }

    /// Whether each result carries its features and their contributions.
    pub fn explain(mut self, on: bool) -> Self {
        self.explain = on;
        self
    }

    /// Whether related businesses (no matching review, but of a kind of place that
    /// reviewers in the zipcode mention the need at) follow the matches; on by default.
    pub fn related(mut self, on: bool) -> Self {
        self.related = on;
        self
    }

    /// Whether places of the nearest zipcodes follow when the zipcode has too few; on
    /// by default.
    pub fn nearby(mut self, on: bool) -> Self {
        self.nearby = on;
        self
    }

    /// Whether the words are taken as typed (no interpretation); off by default.
    pub fn literal(mut self, on: bool) -> Self {
        self.literal = on;
        self
    }
}

/// A word corrected: what was typed and what was searched.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Correction {
    /// As typed.
    pub from: String,
    /// As searched.
    pub to: String,
}

/// A nearby zipcode whose places follow the zipcode's own.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NearbyZip {
    /// The zipcode.
    pub zip: String,
    /// Distance between the two zipcodes' centres, kilometres.
    pub distance_km: f32,
}

/// How the query was understood.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Interpretation {
    /// The need's words that were searched, as written (corrected words corrected).
    pub need: Vec<String>,
    /// The words corrected.
    pub corrections: Vec<Correction>,
    /// Words that did not filter: filler ("best", "near me"), kinds of place
    /// ("restaurant"), and words nothing in the zipcode holds.
    pub optional: Vec<String>,
    /// Categories of the zipcode's places that the need names ("Thai").
    pub categories: Vec<String>,
    /// The price range asked for (`$` to `$$$$`), if any.
    pub price: Option<String>,
    /// The amenities asked for ("outdoor seating").
    pub amenities: Vec<String>,
    /// Whether places open now were asked for.
    pub open_now: bool,
    /// The place the query names, when the zipcode has it.
    pub name: Option<String>,
    /// Nearby zipcodes whose places follow the zipcode's own.
    pub nearby: Vec<NearbyZip>,
    /// Whether the words were taken as typed.
    pub literal: bool,
}

/// A review sentence that supports a result.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Snippet {
    /// Review id.
    pub review_id: String,
    /// The review's stars.
    pub stars: f32,
    /// The review's day, `YYYY-MM-DD`.
    pub date: String,
    /// HTML: escaped text with the query terms in `<mark>`.
    pub text: String,
}

/// What the matching reviews say of the need, each review read by the sentences of it
/// that name the need (a review that names it without a verdict counts in neither).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Sentiment {
    /// Matching reviews whose sentences about the need clearly praise it.
    pub positive: u32,
    /// Matching reviews whose sentences about the need clearly complain of it.
    pub negative: u32,
    /// Mean verdict of the matching reviews, -1 (all complain) to 1 (all praise).
    pub mean: f32,
}

/// One feature's value and its contribution to the score (explain mode).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FeatureExplain {
    /// Feature name.
    pub name: String,
    /// Its value.
    pub value: f32,
    /// Its contribution to the score.
    pub contribution: f32,
}

/// A business in the results.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Hit {
    /// Id, name, address and postal code (shared, not copied, from the index: a
    /// result costs one reference count, not six strings).
    #[serde(flatten)]
    pub business: Arc<Listing>,
    /// Yelp stars.
    pub stars: f32,
    /// Yelp review count.
    pub review_count: u32,
    /// Ranking score: higher is better among results that meet the query alike (the
    /// place it names first, then places that meet more of the wishes and of the need;
    /// related places and places of nearby zipcodes after the zipcode's matches). It
    /// never rises down the results: a result that what it meets puts below a
    /// lower-scoring one shows that one's score.
    pub score: f32,
    /// Reviews that match the need (0 for a related business: one of a kind of place
    /// that reviewers in the zipcode mention the need at, offered after the matches).
    pub matches: u32,
    /// What of the business meets the query: its `reviews` (`matches` of them hold
    /// every word of the need; for a need of several words, some may hold only some),
    /// its `category` ("thai" and Thai), its `name`. Empty for a related place.
    #[serde(default)]
    pub matched: Vec<String>,
    /// Aspect sentiment, when the index has a text model.
    pub sentiment: Option<Sentiment>,
    /// Up to three supporting sentences.
    pub snippets: Vec<Snippet>,
    /// Feature values and contributions (explain mode only).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub explain: Option<Vec<FeatureExplain>>,
    /// For a place of a nearby zipcode: how far it is from the searched zipcode's
    /// centre, kilometres.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub distance_km: Option<f32>,
}

/// The answer to a search.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SearchResponse {
    /// Normalised zipcode searched.
    pub zip: String,
    /// The need searched (the query without its zipcode).
    pub query: String,
    /// Time taken, milliseconds (written with 3 decimals: microseconds).
    #[serde(serialize_with = "microseconds")]
    pub took_ms: f64,
    /// Results, best first.
    pub results: Vec<Hit>,
    /// How the query was understood.
    #[serde(default)]
    pub interpretation: Interpretation,
}

/// Milliseconds rounded to 3 decimals: a clock's noise (`0.9605819999999999`) is not
/// part of the answer.
fn microseconds<S: serde::Serializer>(ms: &f64, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_f64((ms * 1000.0).round() / 1000.0)
}
