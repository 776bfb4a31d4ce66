//! Ranking the collected candidates: the snapshot's model (its forest over the feature
//! vectors) or BM25, and what each feature contributed (explain mode).

use super::collect::Candidate;
use super::request::{FeatureExplain, RankMode};
use crate::model::features::FEATURE_NAMES;
use crate::reader::Snapshot;

/// Scores candidates with the snapshot's model (or BM25), best first: by their
/// [`super::meets::Tier`] (the place named, the wishes met, the need covered), then by
/// score, then by business ordinal, so the order is deterministic.
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
    scored.sort_by(|a, b| {
        b.1.tier
            .cmp(&a.1.tier)
            .then(b.0.total_cmp(&a.0))
            .then(a.1.biz.cmp(&b.1.biz))
    });
    scored
}

/// Each feature's value and contribution to a candidate's score.
pub fn explain(snap: &Snapshot, c: &Candidate, mode: RankMode) -> Vec<FeatureExplain> {
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
