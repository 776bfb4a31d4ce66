//! Retrieval and the per-business collector.
//!
//! A query touches only its zipcode's documents: each segment knows the runs of doc
//! ids that hold a zipcode (the build writes reviews in zipcode order), so the
//! postings of the rarest query term are sought to the start of each run and walked to
//! its end, the other terms leap-frogging along. Every matching review adds to its
//! business's `MatchAcc` in the same pass: BM25, stars, recency, useful votes and
//! the text model's sentiment of exactly the clauses that hold the query terms.

use tantivy::postings::{Postings, SegmentPostings};
use tantivy::query::Bm25Weight;
use tantivy::schema::{IndexRecordOption, Term};
use tantivy::{DocId, DocSet, TERMINATED};

use super::meets::{QueryMeets, Tier};
use super::plan::Plan;
use crate::error::{Error, Result};
use crate::model::clauses::logits_at;
use crate::model::features::{
    feature_vector, quality_sum, BizStats, FeatureVector, MatchAcc, QueryMatch, ReviewMatch,
};
use crate::reader::Snapshot;

/// A place with no match whose kind of place matches in the zipcode at least this often
/// (its category affinity) is a candidate the ranker orders; one of a kind matching
/// less often is offered after the candidates ([`Related`]).
pub(crate) const RANKED_AFFINITY: f32 = 0.2;

/// A review that can serve as evidence for a business (a snippet candidate).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Evidence {
    /// How strongly it speaks for the business on this need.
    pub weight: f32,
    /// The review's day (days since 1970-01-01).
    pub day: i32,
    /// Segment ordinal.
    pub segment: u32,
    /// Doc id in the segment.
    pub doc: DocId,
}

/// A business that matched the query, with its features.
#[derive(Debug, Clone)]
pub struct Candidate {
    /// Business ordinal.
    pub biz: u32,
    /// The accumulated matches.
    pub acc: MatchAcc,
    /// The feature vector.
    pub features: FeatureVector,
    /// Up to three evidence reviews, strongest first.
    pub evidence: Vec<Evidence>,
    /// What it meets of the query beyond its score (places that meet more come first).
    pub tier: Tier,
    /// How its categories and name meet the query.
    pub query: QueryMatch,
}

/// A business of the zipcode with no matching review, of a kind of place that has
/// some (category affinity, in the model floor): offered after the matches.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Related {
    /// Business ordinal.
    pub biz: u32,
    /// Its category affinity for the need.
    pub affinity: f32,
    /// Its reviews in the recent window (the tie-breaker).
    pub recent: u32,
}

/// What the collector found: the matching businesses, and the related ones.
#[derive(Debug, Clone, Default)]
pub struct Collected {
    /// Businesses with a matching review, with their features (unordered).
    pub candidates: Vec<Candidate>,
    /// Related businesses without one, best first.
    pub related: Vec<Related>,
}

/// What the collector sees of time and of businesses.
pub struct CollectContext<'a> {
    /// Only reviews dated on or after this day (training labels).
    pub from: Option<i32>,
    /// Only reviews dated before this day (training at an earlier cutoff).
    pub until: Option<i32>,
    /// Business statistics matching `until`.
    pub stats: &'a [BizStats],
    /// "Now" for recency.
    pub now: i32,
    /// Also gather the [`Related`] businesses (a search that may show them does;
    /// training does not).
    pub related: bool,
    /// Rank the places of a kind that often matches with the matches (see
    /// [`RANKED_AFFINITY`]): a search that may show places without a match does, and
    /// so does training, so that the ranker learns where they belong.
    pub kin: bool,
    /// How differently reviewers judge each term ([`crate::model::file::ModelFile::judged_terms`]).
    pub judged: &'a std::collections::BTreeMap<String, f32>,
}

struct TermState {
    weight: Bm25Weight,
}

/// Finds every business of the query's zipcode with a matching review, with its
/// features, and the related businesses without one. Unknown zipcodes are an
/// [`Error::Query`]-free empty result: the caller decides (a search answers
/// `unknown_zip`; training skips the pair).
pub fn collect(snap: &Snapshot, plan: &Plan, ctx: &CollectContext<'_>) -> Result<Collected> {
    let Some(zip) = snap.table.zip_ord(&plan.zip) else {
        return Ok(Collected::default());
    };
    let members = snap.table.members(zip);
    if members.is_empty() {
        return Ok(Collected::default());
    }
    let terms = plan.distinct_terms();
    let text = snap.fields.text;
    let term_objs: Vec<Term> = terms
        .iter()
        .map(|t| Term::from_field_text(text, t))
        .collect();

    // Corpus statistics for BM25.
    let total_docs = snap.searcher.num_docs().max(1);
    let mut total_tokens = 0u64;
    let mut dfs = vec![0u64; terms.len()];
    let mut per_segment: Vec<Option<Vec<SegmentPostings>>> =
        Vec::with_capacity(snap.segments.len());
    let corrupt = |e: std::io::Error| Error::IndexCorrupt {
        path: snap.dir.clone(),
        reason: e.to_string(),
    };
    for seg in &snap.segments {
        total_tokens += seg.inverted.total_num_tokens();
        if !seg.zip_runs.contains_key(&zip) {
            // Only the document frequencies of a segment without the zipcode count.
            for (i, t) in term_objs.iter().enumerate() {
                dfs[i] += seg.inverted.doc_freq(t).map_err(corrupt)? as u64;
            }
            per_segment.push(None);
            continue;
        }
        let mut ps = Vec::with_capacity(terms.len());
        let mut all = true;
        for (i, t) in term_objs.iter().enumerate() {
            match seg
                .inverted
                .read_postings(t, IndexRecordOption::WithFreqsAndPositions)
                .map_err(corrupt)?
            {
                Some(p) => {
                    dfs[i] += p.doc_freq() as u64;
                    ps.push(p);
                }
                None => all = false,
            }
        }
        per_segment.push(if all { Some(ps) } else { None });
    }
    let avg_norm = total_tokens as f32 / total_docs as f32;
    let states: Vec<TermState> = dfs
        .iter()
        .map(|&df| TermState {
            weight: Bm25Weight::for_one_term_without_explain(df.max(1), total_docs, avg_norm),
        })
        .collect();
    // Which distinct term each clause position refers to.
    let clause_terms: Vec<Vec<(usize, u32)>> = plan
        .clauses
        .iter()
        .map(|c| {
            c.terms
                .iter()
                .map(|(t, off)| (terms.iter().position(|x| x == t).unwrap_or(0), *off))
                .collect()
        })
        .collect();

    let mut accs: Vec<MatchAcc> = vec![MatchAcc::default(); members.len()];
    let mut evidence: Vec<Vec<Evidence>> = vec![Vec::new(); members.len()];
    let until = ctx.until.unwrap_or(i32::MAX);
    let from = ctx.from.unwrap_or(i32::MIN);
    let mut positions: Vec<Vec<u32>> = vec![Vec::new(); terms.len()];
    let mut all_pos: Vec<u32> = Vec::new();
    let mut logits: Vec<f32> = Vec::new();
    let mut clause_values: Vec<u64> = Vec::new();
    let lead = (0..terms.len()).min_by_key(|&i| dfs[i]).unwrap_or(0);

    for &seg_ord in &snap.scan_order {
        let seg = &snap.segments[seg_ord];
        let (Some(ps), Some(runs)) = (per_segment[seg_ord].as_mut(), seg.zip_runs.get(&zip)) else {
            continue;
        };
        if ps.is_empty() {
            break; // no review clause: nothing to walk
        }
        let alive = snap.searcher.segment_reader(seg_ord as u32).alive_bitset();
        for &(start, end) in runs {
            let mut doc = seek_forward(&mut ps[lead], start);
            while doc < end {
                // Leap-frog the other terms to a common doc.
                let mut cand = doc;
                let mut aligned = false;
                while cand < end {
                    let mut next = cand;
                    for (k, p) in ps.iter_mut().enumerate() {
                        if k != lead {
                            let d = seek_forward(p, cand);
                            if d > next {
                                next = d;
                            }
                        }
                    }
                    if next == cand {
                        aligned = true;
                        break;
                    }
                    cand = seek_forward(&mut ps[lead], next);
                }
                if !aligned || cand >= end {
                    break;
                }
                doc = cand;
                if alive.is_none_or(|a| a.is_alive(doc)) {
                    let row = seg.rows.get(doc);
                    let day = row.day;
                    if day < until && day >= from {
                        // Positions of every term, for phrases and aspect clauses.
                        all_pos.clear();
                        for (k, p) in ps.iter_mut().enumerate() {
                            p.positions(&mut positions[k]);
                            all_pos.extend_from_slice(&positions[k]);
                        }
                        let mut phrase_ok = true;
                        let mut adjacent = true;
                        for (c, ct) in plan.clauses.iter().zip(&clause_terms) {
                            let together = ct.len() < 2 || has_phrase(&positions, ct);
                            if c.phrase && !together {
                                phrase_ok = false;
                            }
                            adjacent &= together;
                        }
                        if phrase_ok {
                            let norm = row.norm;
                            let bm25: f32 = ps
                                .iter()
                                .zip(&states)
                                .map(|(p, s)| s.weight.score(norm, p.term_freq()))
                                .sum();
                            all_pos.sort_unstable();
                            seg.clause_values(doc, &mut clause_values);
                            logits_at(clause_values.iter().copied(), &all_pos, &mut logits);
                            let biz = row.biz;
                            if let Some(li) = slot(snap, biz, zip) {
                                let m = ReviewMatch {
                                    bm25,
                                    stars: row.stars,
                                    day,
                                    useful: row.useful,
                                    phrase: adjacent,
                                };
                                accs[li].add(&m, &logits, ctx.now);
                                let best_clause = logits.iter().copied().fold(f32::MIN, f32::max);
                                let weight = bm25
                                    + if best_clause > f32::MIN {
                                        best_clause
                                    } else {
                                        0.0
                                    };
                                push_evidence(
                                    &mut evidence[li],
                                    Evidence {
                                        weight,
                                        day,
                                        segment: seg_ord as u32,
                                        doc,
                                    },
                                    |e| review_order_key(snap, e),
                                );
                            }
                        }
                    }
                }
                doc = ps[lead].advance();
            }
            if doc == TERMINATED {
                break;
            }
        }
    }

    let matched: Vec<bool> = accs.iter().map(|a| a.n > 0).collect();
    let affinity = match snap.zip_categories.get(zip as usize) {
        Some(zc) => zc.affinity(&matched),
        None => Vec::new(),
    };
    let meets = QueryMeets::new(snap, plan, zip, members.len(), ctx)?;
    // What the zipcode's matching reviews say of the need, on average.
    let (sum, n) = accs.iter().fold((0.0f32, 0.0f32), |(s, n), a| {
        let (qs, qn) = quality_sum(a);
        (s + qs, n + qn)
    });
    let prior = if n == 0.0 { 0.0 } else { sum / n };
    let open_listing = plan.clauses.is_empty();
    let mut out = Collected::default();
    for (li, acc) in accs.into_iter().enumerate() {
        let biz = members[li];
        let Some(b) = snap.table.get(biz) else {
            continue;
        };
        let stats = ctx.stats.get(biz as usize).copied().unwrap_or_default();
        let aff = affinity.get(li).copied();
        let (mut query, tier) = meets.of(snap, plan, li, biz, &acc, b);
        query.prior = prior;
        // A place of a kind that often matches here ("Italian" for pasta, where a fifth
        // of the Italian places' reviews mention it) is ranked with the matches, by
        // the same model, though no review of its own names the need yet.
        let kin = ctx.kin && aff.is_some_and(|a| a.kin && a.score >= RANKED_AFFINITY);
        if acc.n == 0 && tier.coverage == 0 && tier.name == 0 && !open_listing && !kin {
            if let Some(a) = aff.filter(|a| ctx.related && a.kin) {
                out.related.push(Related {
                    biz,
                    affinity: a.score,
                    recent: stats.recent,
                });
            }
            continue;
        }
        out.candidates.push(Candidate {
            biz,
            features: feature_vector(
                &acc,
                &stats,
                b,
                aff.map_or(0.0, |a| a.score),
                &query,
                ctx.now,
            ),
            acc,
            evidence: std::mem::take(&mut evidence[li]),
            tier,
            query,
        });
    }
    // Best first: the highest affinity, then the most recent reviews, then the lowest
    // ordinal. The key is unique (the ordinal is), so an unstable sort is deterministic.
    out.related.sort_unstable_by_key(|r| {
        (
            std::cmp::Reverse(ordered_bits(r.affinity)),
            std::cmp::Reverse(r.recent),
            r.biz,
        )
    });
    Ok(out)
}

/// The bits of `x` as an unsigned integer in the order of [`f32::total_cmp`].
#[inline]
fn ordered_bits(x: f32) -> u32 {
    let b = x.to_bits();
    if b >> 31 == 1 {
        !b
    } else {
        b | 1 << 31
    }
}

/// The accumulator slot of a business, if it belongs to the queried zipcode.
#[inline]
pub(super) fn slot(snap: &Snapshot, biz: u32, zip: u32) -> Option<usize> {
    let li = *snap.local.get(biz as usize)?;
    (li != u32::MAX && snap.table.zip_of(biz) == zip).then_some(li as usize)
}

/// Seeks a posting list forward only: tantivy's `seek` requires a target at or after
/// the current doc, and our zip runs may start behind it.
#[inline]
pub(super) fn seek_forward(p: &mut SegmentPostings, target: DocId) -> DocId {
    if p.doc() < target {
        p.seek(target)
    } else {
        p.doc()
    }
}

/// Keeps the three strongest pieces of evidence, best first. Equal weights go to the
/// newer review, then to the smaller `key` (the review's identity): an order that does
/// not depend on which segments the reviews sit in, which an update changes.
fn push_evidence(list: &mut Vec<Evidence>, e: Evidence, key: impl Fn(&Evidence) -> u64) {
    let before = |a: &Evidence, b: &Evidence| {
        b.weight
            .partial_cmp(&a.weight)
            .unwrap_or(std::cmp::Ordering::Equal)
            .then(b.day.cmp(&a.day))
            .then_with(|| key(a).cmp(&key(b)))
            .is_lt()
    };
    let at = list
        .iter()
        .position(|x| before(&e, x))
        .unwrap_or(list.len());
    if at < 3 {
        list.insert(at, e);
        list.truncate(3);
    }
}

/// A review's identity for ordering equal evidence: its review key, or, in indexes
/// older than that field, its place in the index.
fn review_order_key(snap: &Snapshot, e: &Evidence) -> u64 {
    snap.segments
        .get(e.segment as usize)
        .and_then(|s| s.review_key.as_ref())
        .and_then(|c| c.first(e.doc))
        .unwrap_or((e.segment as u64) << 32 | e.doc as u64)
}

/// Whether the clause's terms occur at their relative offsets somewhere.
fn has_phrase(positions: &[Vec<u32>], clause: &[(usize, u32)]) -> bool {
    let (first, first_off) = clause[0];
    positions[first].iter().any(|&p| {
        let base = p as i64 - first_off as i64;
        clause[1..].iter().all(|&(t, off)| {
            positions[t]
                .binary_search(&((base + off as i64) as u32))
                .is_ok()
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn equal_evidence_is_ordered_by_day_then_key_whatever_the_arrival_order() {
        let ev = |weight: f32, day: i32, doc: u32| Evidence {
            weight,
            day,
            segment: 0,
            doc,
        };
        let all = [
            ev(2.0, 10, 1),
            ev(2.0, 12, 2),
            ev(2.0, 12, 3),
            ev(3.0, 1, 4),
            ev(1.0, 99, 5),
        ];
        // Keys in reverse of the docs: the key, not the arrival, breaks the last tie.
        let key = |e: &Evidence| 100 - e.doc as u64;
        let mut orders = vec![all.to_vec()];
        orders.push(all.iter().rev().copied().collect());
        orders.push(vec![all[2], all[4], all[0], all[3], all[1]]);
        for order in orders {
            let mut list = Vec::new();
            for e in order {
                push_evidence(&mut list, e, key);
            }
            let docs: Vec<u32> = list.iter().map(|e| e.doc).collect();
            assert_eq!(docs, [4, 3, 2]);
        }
    }

    #[test]
    fn ordered_bits_sort_as_total_cmp() {
        let mut xs = vec![
            0.5,
            -0.0,
            f32::INFINITY,
            -3.25,
            0.0,
            f32::MIN_POSITIVE,
            f32::NEG_INFINITY,
            1e-40,
            -1e-40,
            7.0,
            -0.5,
        ];
        let mut by_bits = xs.clone();
        xs.sort_by(f32::total_cmp);
        by_bits.sort_by_key(|&x| ordered_bits(x));
        assert_eq!(
            xs.iter().map(|x| x.to_bits()).collect::<Vec<_>>(),
            by_bits.iter().map(|x| x.to_bits()).collect::<Vec<_>>()
        );
    }
}
