//! Search: parse the query, collect the zipcode's matching businesses, rank them, and
//! dress the best with snippets.
//!
//! The JSON of [`SearchResponse`] is the contract shared by the command line's
//! `--json`, the HTTP service and the Python package.

pub mod engine;
pub mod interpret;
pub mod query;
pub mod snippets;
pub mod typo;
pub mod vocabulary;

use std::sync::Arc;
use std::time::Instant;

use serde::{Deserialize, Serialize};

pub use engine::{collect, Candidate, CollectContext, Collected, Evidence, Related};
pub use query::{ParsedQuery, MAX_QUERY_CHARS};

use crate::date::Day;
use crate::error::{Error, Result};
use crate::index::snapshot::Snapshot;
use crate::rank::features::FEATURE_NAMES;

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
        }
    }

    /// Sets the zipcode.
    pub fn zip(mut self, zip: impl Into<String>) -> Self {
        self.zip = Some(zip.into());
        self
    }

    /// Sets the limit.
    pub fn limit(mut self, limit: usize) -> Self {
        self.limit = limit;
        self
    }

    /// Whether related businesses (no matching review, but of a kind of place that
    /// reviewers in the zipcode mention the need at) follow the matches; on by default.
    pub fn related(mut self, on: bool) -> Self {
        self.related = on;
        self
    }
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

/// How the sentences that mention the need are rated.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Sentiment {
    /// Clearly positive mentions.
    pub positive: u32,
    /// Clearly negative mentions.
    pub negative: u32,
    /// Mean sentiment of the mentions, -1 to 1.
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

/// The business fields a result shows: shared by every result for the business, and
/// flattened into the result's JSON.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Listing {
    /// Yelp business id.
    pub business_id: String,
    /// Name.
    pub name: String,
    /// Street address.
    pub address: String,
    /// City.
    pub city: String,
    /// State or province.
    pub state: String,
    /// Normalised postal code.
    pub postal_code: String,
}

impl Listing {
    /// The listing of a business record.
    pub fn of(b: &crate::ingest::Business) -> Listing {
        Listing {
            business_id: b.business_id.clone(),
            name: b.name.clone(),
            address: b.address.clone(),
            city: b.city.clone(),
            state: b.state.clone(),
            postal_code: b.postal_code.clone(),
        }
    }
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
    /// Ranking score (higher is better; comparable within one response).
    pub score: f32,
    /// Reviews that match the need (0 for a related business: one of a kind of place
    /// that reviewers in the zipcode mention the need at, offered after the matches).
    pub matches: u32,
    /// Aspect sentiment, when the index has a text model.
    pub sentiment: Option<Sentiment>,
    /// Up to three supporting sentences.
    pub snippets: Vec<Snippet>,
    /// Feature values and contributions (explain mode only).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub explain: Option<Vec<FeatureExplain>>,
}

/// The answer to a search.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SearchResponse {
    /// Normalised zipcode searched.
    pub zip: String,
    /// The need searched (the query without its zipcode).
    pub query: String,
    /// Time taken, milliseconds.
    pub took_ms: f64,
    /// Results, best first.
    pub results: Vec<Hit>,
}

/// Scores candidates with the snapshot's model (or BM25), best first (ties by
/// business ordinal, so the order is deterministic).
pub fn rank(snap: &Snapshot, candidates: Vec<Candidate>, mode: RankMode) -> Vec<(f32, Candidate)> {
    let mut scores = Vec::with_capacity(candidates.len());
    match (mode, snap.model.ranker.as_ref()) {
        (RankMode::Model, Some(r)) => {
            let rows: Vec<&[f32]> = candidates.iter().map(|c| &c.features[..]).collect();
            r.score_many(&rows, &mut scores);
        }
        _ => scores.extend(candidates.iter().map(|c| c.acc.top3_sum())),
    }
    let mut scored: Vec<(f32, Candidate)> = scores.into_iter().zip(candidates).collect();
    scored.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.biz.cmp(&b.1.biz)));
    scored
}

/// Runs a search on a snapshot.
pub fn search(snap: &Snapshot, req: &SearchRequest) -> Result<SearchResponse> {
    let t0 = Instant::now();
    if req.limit == 0 || req.limit > MAX_LIMIT {
        return Err(Error::Query(format!(
            "limit must be between 1 and {MAX_LIMIT}"
        )));
    }
    let q = ParsedQuery::parse_with(&snap.analyzer, &req.query, req.zip.as_deref())?;
    if snap.table.zip_ord(&q.zip).is_none() {
        return Err(Error::UnknownZip(q.zip));
    }
    let ctx = CollectContext {
        from: None,
        until: None,
        stats: &snap.stats,
        now: snap.now,
        related: req.related,
    };
    let collected = collect(snap, &q, &ctx)?;
    let ranked = rank(snap, collected.candidates, req.mode);
    let terms = q.distinct_terms();
    let has_text_model = snap.model.text_model.is_some();
    let mut results = Vec::with_capacity(req.limit.min(ranked.len() + collected.related.len()));
    for (score, c) in ranked.iter().take(req.limit) {
        let Some(mut hit) = base_hit(snap, c.biz, *score) else {
            continue;
        };
        for e in c.evidence.iter().take(req.snippets.min(3)) {
            hit.snippets.push(make_snippet(snap, e, &terms)?);
        }
        hit.matches = c.acc.n;
        hit.sentiment = (has_text_model && c.acc.aspect_n > 0).then(|| Sentiment {
            positive: c.acc.aspect_pos,
            negative: c.acc.aspect_neg,
            mean: (c.acc.aspect_sum / c.acc.aspect_n as f32).tanh(),
        });
        hit.explain = req.explain.then(|| explain(snap, c, req.mode));
        results.push(hit);
    }
    // Related places (gathered only when asked for), below every match: affinities are under 1.
    let floor = ranked.last().map_or(0.0, |r| r.0) - 1.0;
    for r in &collected.related {
        if results.len() >= req.limit {
            break;
        }
        let Some(mut hit) = base_hit(snap, r.biz, floor + r.affinity) else {
            continue;
        };
        hit.explain = req.explain.then(|| {
            vec![FeatureExplain {
                name: "category_affinity".into(),
                value: r.affinity,
                contribution: r.affinity,
            }]
        });
        results.push(hit);
    }
    Ok(SearchResponse {
        zip: q.zip,
        query: q.need,
        took_ms: t0.elapsed().as_secs_f64() * 1e3,
        results,
    })
}

/// A result for business `biz` with its business fields, no matches and no evidence.
fn base_hit(snap: &Snapshot, biz: u32, score: f32) -> Option<Hit> {
    let b = snap.table.get(biz)?;
    Some(Hit {
        business: Arc::clone(snap.listings.get(biz as usize)?),
        stars: b.stars,
        review_count: b.review_count,
        score,
        matches: 0,
        sentiment: None,
        snippets: Vec::new(),
        explain: None,
    })
}

fn explain(snap: &Snapshot, c: &Candidate, mode: RankMode) -> Vec<FeatureExplain> {
    let contributions = match (mode, snap.model.ranker.as_ref()) {
        (RankMode::Model, Some(r)) => r.contributions(&c.features),
        _ => {
            let mut v = vec![0.0; c.features.len()];
            v[1] = c.acc.top3_sum();
            v
        }
    };
    FEATURE_NAMES
        .iter()
        .zip(c.features.iter().zip(contributions))
        .map(|(n, (v, k))| FeatureExplain {
            name: n.to_string(),
            value: *v,
            contribution: k,
        })
        .collect()
}

fn make_snippet(snap: &Snapshot, e: &Evidence, terms: &[String]) -> Result<Snippet> {
    use tantivy::schema::Value;
    let doc: tantivy::TantivyDocument = snap
        .searcher
        .doc(tantivy::DocAddress::new(e.segment, e.doc))?;
    let get = |f| {
        doc.get_first(f)
            .and_then(|v| v.as_str())
            .unwrap_or_default()
            .to_string()
    };
    let text = get(snap.fields.stored_text());
    let row = snap.segments[e.segment as usize].rows.get(e.doc);
    Ok(Snippet {
        review_id: get(snap.fields.review_id),
        stars: row.stars as f32,
        date: Day(row.day).to_string(),
        text: snippets::snippet(&snap.analyzer, &text, terms, 240),
    })
}
