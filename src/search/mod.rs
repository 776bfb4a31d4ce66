//! Search: parse the query, collect the zipcode's matching businesses, rank them, and
//! dress the best with snippets.
//!
//! The JSON of [`SearchResponse`] is the contract shared by the command line's
//! `--json`, the HTTP service and the Python package.

pub mod collect;
pub mod interpret;
pub mod query;
pub mod rank;
pub mod request;
pub mod snippets;
pub mod typo;
pub mod vocabulary;

use std::sync::Arc;
use std::time::Instant;

pub use collect::{collect, CollectContext, Evidence};
pub use query::{ParsedQuery, MAX_QUERY_CHARS};
pub use rank::rank;
pub use request::{
    FeatureExplain, Hit, RankMode, SearchRequest, SearchResponse, Sentiment, Snippet, MAX_LIMIT,
};

use crate::date::Day;
use crate::error::{Error, Result};
use crate::reader::Snapshot;

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
        hit.explain = req.explain.then(|| rank::explain(snap, c, req.mode));
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
