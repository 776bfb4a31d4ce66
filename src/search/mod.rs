//! Search: parse the query, collect the zipcode's matching businesses, rank them, and
//! dress the best with snippets.
//!
//! The JSON of [`SearchResponse`] is the contract shared by the command line's
//! `--json`, the HTTP service and the Python package.

pub mod collect;
pub mod interpret;
pub mod meets;
pub mod plan;
pub mod query;
pub mod rank;
pub mod request;
pub mod snippets;
pub mod typo;
pub mod vocabulary;

use std::sync::Arc;
use std::time::Instant;

pub use collect::{collect, CollectContext, Evidence};
pub use plan::{LocalTime, Plan};
pub use query::{ParsedQuery, MAX_QUERY_CHARS};
pub use rank::rank;
pub use request::{
    Correction, FeatureExplain, Hit, Interpretation, NearbyZip, RankMode, SearchRequest,
    SearchResponse, Sentiment, Snippet, MAX_LIMIT,
};

use crate::date::Day;
use crate::error::{Error, QueryError, Result};
use crate::reader::lexicon::distance_km;
use crate::reader::Snapshot;
use collect::{Candidate, Related};

/// Nearby zipcodes are looked at up to this far (kilometres between centres)...
const NEARBY_KM: f64 = 30.0;
/// ... and at most this many of them.
const NEARBY_ZIPS: usize = 5;

/// Runs a search on a snapshot.
pub fn search(snap: &Snapshot, req: &SearchRequest) -> Result<SearchResponse> {
    let t0 = Instant::now();
    if req.limit == 0 || req.limit > MAX_LIMIT {
        return Err(QueryError::InvalidLimit { max: MAX_LIMIT }.into());
    }
    let q = ParsedQuery::parse_with(&snap.analyzer, &req.query, req.zip.as_deref())?;
    let Some(zip_ord) = snap.table.zip_ord(&q.zip) else {
        return Err(Error::UnknownZip(q.zip));
    };
    let plan = Plan::new(snap, &q, req.literal, req.local_time);
    let ctx = CollectContext {
        from: None,
        until: None,
        stats: &snap.stats,
        now: snap.now,
        related: req.related,
        kin: req.related,
        judged: &snap.model.judged_terms,
    };
    let collected = collect(snap, &plan, &ctx)?;
    let ranked = rank(snap, collected.candidates, req.mode);
    let terms = plan.distinct_terms();
    // The order of the page: the zipcode's candidates (its matches, then its places of a
    // kind whose places there often match, ranked with them: see `RANKED_AFFINITY`);
    // places of the nearest zipcodes that match, when the zipcode's own do not fill the
    // page; then its related places of a kind that matches less often. When the query
    // wishes for a price or amenities, the places that meet them all come first, related
    // ones included ("cheap ramen": a cheap place of a kind that serves ramen before an
    // expensive one that does), then the candidates that meet fewer.
    let all_wishes = plan.wishes.count();
    let meets_all = |met: u8| all_wishes > 0 && met >= all_wishes;
    let floor = ranked.last().map_or(0.0, |r| r.0) - 1.0;
    let (first_related, last_related): (Vec<&Related>, Vec<&Related>) = collected
        .related
        .iter()
        .partition(|r| meets_all(snap.table.get(r.biz).map_or(0, |b| plan.wishes.met(b))));
    // Matches come in tier order: the place named first, then by wishes met.
    let split = ranked
        .iter()
        .position(|(_, c)| c.tier.name == 0 && !meets_all(c.tier.wishes))
        .unwrap_or(ranked.len());
    let mut results = Vec::with_capacity(req.limit.min(ranked.len() + collected.related.len()));
    let related_hit = |r: &Related| {
        base_hit(snap, r.biz, floor + r.affinity).map(|mut hit| {
            hit.explain = req.explain.then(|| {
                vec![FeatureExplain {
                    name: "category_affinity".into(),
                    value: r.affinity,
                    contribution: r.affinity,
                }]
            });
            hit
        })
    };
    for (score, c) in &ranked[..split] {
        if results.len() >= req.limit {
            break;
        }
        results.extend(full_hit(snap, req, c, *score, &terms)?);
    }
    for r in &first_related {
        if results.len() >= req.limit {
            break;
        }
        results.extend(related_hit(r));
    }
    for (score, c) in &ranked[split..] {
        if results.len() >= req.limit {
            break;
        }
        results.extend(full_hit(snap, req, c, *score, &terms)?);
    }
    let mut interpretation = interpretation_of(snap, &plan, zip_ord, req.literal);
    // Places of the nearest zipcodes, when the zipcode's own matches do not fill the page.
    if req.nearby && results.len() < req.limit && !plan.clauses.is_empty() {
        let here = snap.lexicon.centroid(zip_ord);
        let near_ctx = CollectContext {
            related: false,
            kin: false,
            ..ctx
        };
        for (z, km) in snap.lexicon.nearest_zips(zip_ord, NEARBY_KM) {
            if results.len() >= req.limit || interpretation.nearby.len() >= NEARBY_ZIPS {
                break;
            }
            let Some(name) = snap.table.zip_name(z) else {
                continue;
            };
            let other = plan.in_zip(name);
            let found = collect(snap, &other, &near_ctx)?;
            let before = results.len();
            for (score, c) in rank(snap, found.candidates, req.mode) {
                if results.len() >= req.limit {
                    break;
                }
                if c.acc.n == 0 && c.tier.coverage == 0 && c.tier.name == 0 {
                    continue;
                }
                if let Some(mut hit) = full_hit(snap, req, &c, score, &terms)? {
                    hit.distance_km = Some(distance_to(snap, here, c.biz).unwrap_or(km) as f32);
                    results.push(hit);
                }
            }
            if results.len() > before {
                interpretation.nearby.push(NearbyZip {
                    zip: name.to_string(),
                    distance_km: km as f32,
                });
            }
        }
    }
    for r in &last_related {
        if results.len() >= req.limit {
            break;
        }
        results.extend(related_hit(r));
    }
    // Scores never rise down the page: a place that what it meets puts below a
    // lower-scoring one (a place of a matching kind after the matches, a nearby one)
    // shows that one's score, so a caller that sorts by score keeps this order.
    let mut cap = f32::INFINITY;
    for hit in &mut results {
        hit.score = hit.score.min(cap);
        cap = hit.score;
    }
    Ok(SearchResponse {
        zip: q.zip,
        query: q.need,
        took_ms: t0.elapsed().as_secs_f64() * 1e3,
        results,
        interpretation,
    })
}

/// A result with its matches, sentiment, snippets and (explain mode) features.
fn full_hit(
    snap: &Snapshot,
    req: &SearchRequest,
    c: &Candidate,
    score: f32,
    terms: &[String],
) -> Result<Option<Hit>> {
    let Some(mut hit) = base_hit(snap, c.biz, score) else {
        return Ok(None);
    };
    for e in c.evidence.iter().take(req.snippets.min(3)) {
        hit.snippets.push(make_snippet(snap, e, terms)?);
    }
    hit.matches = c.acc.n;
    for (what, yes) in [
        ("reviews", c.query.reviews),
        ("category", c.query.category > 0.0),
        ("name", c.query.name > 0.0),
    ] {
        if yes {
            hit.matched.push(what.to_string());
        }
    }
    // Counted in reviews (a review that praises the dish twice is one review that
    // praises it), each read by the verdict of its sentences that name the need.
    hit.sentiment = (snap.model.text_model.is_some() && c.acc.aspect_n > 0).then(|| Sentiment {
        positive: c.acc.liked.0,
        negative: c.acc.liked.1,
        mean: c.acc.verdict_sums().0 / c.acc.n.max(1) as f32,
    });
    hit.explain = req.explain.then(|| rank::explain(snap, c, req.mode));
    Ok(Some(hit))
}

/// Kilometres from `here` to a business (None when either has no coordinates).
fn distance_to(snap: &Snapshot, here: Option<(f64, f64)>, biz: u32) -> Option<f64> {
    let b = snap.table.get(biz)?;
    Some(distance_km(here?, (b.latitude?, b.longitude?)))
}

/// What the response says of how the query was understood.
fn interpretation_of(snap: &Snapshot, plan: &Plan, zip: u32, literal: bool) -> Interpretation {
    let mut out = Interpretation {
        literal,
        ..Interpretation::default()
    };
    if let Some(u) = &plan.understanding {
        for w in &u.need {
            if w.optional {
                out.optional.push(w.text.clone());
            } else {
                out.need.push(w.text.clone());
            }
            if let Some(typed) = &w.typed {
                out.corrections.push(Correction {
                    from: typed.clone(),
                    to: w.text.clone(),
                });
            }
        }
        out.corrections
            .extend(u.corrections.iter().map(|(from, to)| Correction {
                from: from.clone(),
                to: to.clone(),
            }));
        out.need.extend(plan.phrases.iter().cloned());
        out.optional.extend(u.filler.iter().cloned());
        out.price = u.price.map(|p| p.label());
        out.amenities = u.amenities.iter().map(|a| a.label().to_string()).collect();
        out.open_now = u.open_now;
    }
    out.categories = named_categories(snap, plan, zip);
    out.name = named_place(snap, plan, zip);
    out
}

/// The categories of the zipcode's places that hold every word of the need ("sushi":
/// Sushi Bars; "wine bar": Wine Bars, not Bars) or that a word names whole
/// ("pizzeria": Pizza), those the need names most of first, then those with the most
/// places.
fn named_categories(snap: &Snapshot, plan: &Plan, zip: u32) -> Vec<String> {
    let lex = &snap.lexicon;
    if plan.need.is_empty() {
        return Vec::new();
    }
    let asked = lex.kinds_asked(&plan.need);
    let full = asked.every_word();
    // The zipcode's categories the first need word reaches.
    let mut reached: Vec<u32> = Vec::new();
    for t in &asked.meets[0] {
        for &biz in lex.zip_category_businesses(zip, t) {
            for &c in lex.categories_of(biz) {
                let holds = lex
                    .category(c)
                    .is_some_and(|cat| cat.terms.iter().any(|x| x == t));
                if holds && !reached.contains(&c) {
                    reached.push(c);
                }
            }
        }
    }
    for &c in asked.named_by[0] {
        if !reached.contains(&c) {
            reached.push(c);
        }
    }
    let mut found: Vec<(f32, usize, String)> = Vec::new();
    for c in reached {
        let Some(cat) = lex.category(c) else { continue };
        let kind = asked.of(c, cat);
        if kind.bits() & full != full {
            continue;
        }
        let share = kind.share;
        let places = lex.zip_category_members(zip, c).count();
        if places > 0 {
            found.push((share, places, cat.name.clone()));
        }
    }
    found.sort_by(|a, b| {
        b.0.total_cmp(&a.0)
            .then(b.1.cmp(&a.1))
            .then_with(|| a.2.cmp(&b.2))
    });
    found.into_iter().take(3).map(|f| f.2).collect()
}

/// The name of the zipcode's place the query names, if one.
fn named_place(snap: &Snapshot, plan: &Plan, zip: u32) -> Option<String> {
    let lex = &snap.lexicon;
    let first = plan.name_need.first()?;
    lex.zip_name_businesses(zip, first)
        .iter()
        .find(|&&biz| {
            let name = lex.name_terms(biz);
            name.iter().all(|t| plan.all_terms.contains(t))
                && plan.name_need.iter().all(|t| name.contains(t))
        })
        .and_then(|&biz| snap.table.get(biz))
        .map(|b| b.name.clone())
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
        matched: Vec::new(),
        sentiment: None,
        snippets: Vec::new(),
        explain: None,
        distance_km: None,
    })
}

fn make_snippet(snap: &Snapshot, e: &Evidence, terms: &[String]) -> Result<Snippet> {
    use tantivy::schema::Value;
    let doc: tantivy::TantivyDocument = snap
        .searcher
        .doc(tantivy::DocAddress::new(e.segment, e.doc))
        .map_err(|e| Error::IndexCorrupt {
            path: snap.dir.clone(),
            reason: format!(
                "reading a review of version {}: {e} (roll back with `yelpsearch index \
                 rollback`, pull it again, or rebuild)",
                snap.version
            ),
        })?;
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
