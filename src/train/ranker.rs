//! Training the ranker on an index's own data, by the future-review protocol applied
//! at an earlier cutoff inside the indexed reviews.
//!
//! With N the newest indexed day and T = N − `label_days`: features come from reviews
//! dated before T, grades from reviews dated T..=N that mention the query term (3 when
//! their mean stars ≥ 4.5 over ≥ 2 reviews, 2 when ≥ 4, 1 when ≥ 3, else 0). Queries
//! are (zipcode, term) pairs over terms mined from the corpus itself (mid-frequency
//! words: no fixed list), kept when ≥ 3 businesses of the zipcode are graded and the
//! term occurs before T. A fifth of the queries, chosen by hash, is held out: it stops
//! the boosting early and gives the offline metrics.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::atomic::AtomicBool;
use std::sync::Arc;

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use super::grades::{grade_places, Grades};
use super::lambdamart::{self as ltr, ndcg_at, LtrConfig, QueryGroup};
use crate::date::Day;
use crate::error::{check_cancel, Error, Result};
use crate::model::features::{
    aspect_feature_indices, quality_feature_indices, BizStats, MatchAcc, N_FEATURES,
};
use crate::model::file::{ModelFile, TrainingData, TrainingWindow};
use crate::model::forest::Ensemble;
use crate::reader::lexicon::category_words;
use crate::reader::{business_stats, Snapshot};
use crate::search::{collect, CollectContext, ParsedQuery, Plan};
use crate::store::layout::MODEL;
use crate::store::rows::BizRuns;

/// Options of ranker training.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct TrainOptions {
    /// Days at the end of the index whose reviews give the grades; 0 (the default)
    /// puts the cutoff where the protocol does: the day below which 80% of the
    /// indexed reviews fall, so the newest fifth gives the grades.
    pub label_days: i32,
    /// Most terms mined from the corpus.
    pub max_terms: usize,
    /// Most term queries drawn from the corpus (category queries, a fifth as many, come
    /// on top). More make a better ranker and a longer training: the build asks for
    /// 3000, the weekly retraining of the deployment for 8000 (`model train
    /// --max-queries`); see [`check_max_queries`].
    pub max_queries: usize,
    /// The draw: seed of the training queries, their held-out fifth and (mixed into
    /// [`LtrConfig::seed`]) the trees' samples. The build uses 0; retraining with a few
    /// seeds shows how much a figure moves with the draw alone (`model train --seed`).
    pub seed: u64,
    /// Boosting settings.
    pub ltr: LtrConfig,
    /// Training terms (for example from a query log); mined from the corpus when
    /// `None`. Multi-word terms must match all their words.
    #[serde(default)]
    pub terms: Option<Vec<String>>,
    /// Train without the aspect-sentiment features (for the ablation): the trees
    /// never split on them.
    #[serde(default)]
    pub without_aspect: bool,
    /// Also train a ranker without the aspect features and record its held-out
    /// metrics (`no_aspect_*`) in the model file. `model train` does; a build does not.
    #[serde(default)]
    pub ablation: bool,
    /// How the training grades are read from the later reviews.
    #[serde(default)]
    pub grades: Grades,
    /// Train without the quality-estimate features (for the ablation).
    #[serde(default)]
    pub without_quality: bool,
    /// Set to stop training early with [`Error::Cancelled`] (checked between chunks of
    /// labelled queries and between trees).
    #[serde(skip)]
    pub cancel: Option<Arc<AtomicBool>>,
    /// Called after each tree of the boosting with (trees grown, most trees), and once
    /// at its end with the two equal.
    #[serde(skip)]
    pub on_tree: TreeProgress,
}

/// A callback of the boosting's progress ([`TrainOptions::on_tree`]).
#[derive(Clone, Default)]
pub struct TreeProgress(pub Option<Arc<dyn Fn(u64, u64) + Send + Sync>>);

impl std::fmt::Debug for TreeProgress {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(if self.0.is_some() {
            "TreeProgress(Some(..))"
        } else {
            "TreeProgress(None)"
        })
    }
}

impl Default for TrainOptions {
    fn default() -> Self {
        TrainOptions {
            label_days: 0,
            max_terms: 300,
            max_queries: 3000,
            seed: 0,
            ltr: LtrConfig::default(),
            terms: None,
            without_aspect: false,
            ablation: false,
            grades: Grades::Quality,
            without_quality: false,
            cancel: None,
            on_tree: TreeProgress::default(),
        }
    }
}

/// A labelled training query.
#[derive(Debug, Clone)]
pub struct LabelledQuery {
    /// Zipcode.
    pub zip: String,
    /// Term (analysed form).
    pub term: String,
    /// Candidates' features and grades.
    pub group: QueryGroup,
    /// Grades of graded businesses that are not candidates (they count in the ideal).
    pub missing: Vec<u8>,
    /// BM25 top-3 scores of the candidates (the baseline).
    pub bm25: Vec<f32>,
    /// The candidates' grades by the protocol's stars rule (the future-review lens; the
    /// same as the training grades when those are the stars grades, and for category
    /// queries).
    pub stars_labels: Vec<u8>,
    /// Stars grades of graded businesses that are not candidates.
    pub stars_missing: Vec<u8>,
    /// Whether it is held out.
    pub held_out: bool,
    /// Whether it asks for a kind of place (a category), graded by membership and the
    /// later reviews' stars, rather than for a term, graded by the later reviews that
    /// mention it.
    pub category: bool,
}

/// The result of training.
pub struct TrainOutcome {
    /// The new model file (sealed), or the fallback when there was too little data.
    pub model: ModelFile,
    /// The labelled queries (held-out ones flagged), for comparing models.
    pub queries: Vec<LabelledQuery>,
}

fn fnv(s: &str, seed: u64) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325 ^ seed;
    for b in s.bytes() {
        h ^= b as u64;
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}

/// Least share of the reviews a scored term is in.
const MIN_TERM_SHARE: f64 = 0.0005;
/// Most share of the reviews a training term is in.
const MAX_TERM_SHARE: f64 = 0.03;

/// Terms that reviewers judge differently at different places: the aspects of a
/// business (dishes, drinks, service, the patio), found in the corpus without a word
/// list.
///
/// Candidates are the alphabetic terms of at least 3 letters whose share of the reviews
/// lies in `lo..=hi`. Each is scored on up to 3,000 of its reviews by how much of the
/// variance of the text model's logits of the clauses that hold it lies *between*
/// businesses (an F statistic): the pasta is good here and bad there, while "carpet" or
/// "amazing" read the same everywhere. Best first, with the share.
pub fn score_terms(snap: &Snapshot, lo: f64, hi: f64) -> Result<Vec<(f64, String, f64)>> {
    let total = snap.searcher.num_docs().max(1) as f64;
    let mut df: BTreeMap<String, u64> = BTreeMap::new();
    for seg in &snap.segments {
        let mut stream = seg
            .inverted
            .terms()
            .stream()
            .map_err(|e| Error::IndexCorrupt {
                path: snap.dir.clone(),
                reason: e.to_string(),
            })?;
        while stream.advance() {
            let Ok(t) = std::str::from_utf8(stream.key()) else {
                continue;
            };
            if t.len() >= 3 && t.chars().all(|c| c.is_alphabetic()) {
                *df.entry(t.to_string()).or_default() += stream.value().doc_freq as u64;
            }
        }
    }
    let shares: BTreeMap<String, f64> = df
        .into_iter()
        .map(|(t, d)| (t, d as f64 / total))
        .filter(|(_, share)| (lo..=hi).contains(share))
        .collect();
    let candidates: Vec<&String> = shares.keys().collect();
    let text = snap.fields.text;
    // Each document's business from its segment's runs, which stay in cache, instead of
    // its row (a read from memory for nearly every posting).
    let runs: Vec<BizRuns> = snap.segments.iter().map(|s| s.rows.biz_runs()).collect();
    let mut scored: Vec<(f64, String, f64)> = candidates
        .par_iter()
        .filter_map(|t| {
            use tantivy::postings::Postings;
            use tantivy::DocSet;
            let term = tantivy::Term::from_field_text(text, t);
            // Ordered by business, so the sums below come out the same on every run.
            let mut per_biz: std::collections::BTreeMap<u32, (f64, f64, u32)> =
                std::collections::BTreeMap::new();
            let (mut pos, mut logits, mut clause_values) = (Vec::new(), Vec::new(), Vec::new());
            let mut seen = 0;
            for &i in &snap.scan_order {
                let (seg, runs) = (&snap.segments[i], &runs[i]);
                let mut at = 0;
                // A segment without the term has nothing to add.
                let Some(mut p) = seg
                    .inverted
                    .read_postings(
                        &term,
                        tantivy::schema::IndexRecordOption::WithFreqsAndPositions,
                    )
                    .ok()
                    .flatten()
                else {
                    continue;
                };
                let mut doc = p.doc();
                while doc != tantivy::TERMINATED && seen < 3000 {
                    p.positions(&mut pos);
                    seg.clause_values(doc, &mut clause_values);
                    crate::model::clauses::logits_at(
                        clause_values.iter().copied(),
                        &pos,
                        &mut logits,
                    );
                    let biz = runs.biz(doc, &mut at);
                    let e = per_biz.entry(biz).or_default();
                    for &l in &logits {
                        e.0 += l as f64;
                        e.1 += (l * l) as f64;
                        e.2 += 1;
                    }
                    seen += 1;
                    doc = p.advance();
                }
            }
            let groups: Vec<&(f64, f64, u32)> = per_biz.values().filter(|g| g.2 >= 2).collect();
            let n: u32 = groups.iter().map(|g| g.2).sum();
            if groups.len() < 20 || n < 100 {
                return None;
            }
            let grand = groups.iter().map(|g| g.0).sum::<f64>() / n as f64;
            let between: f64 = groups
                .iter()
                .map(|g| g.2 as f64 * (g.0 / g.2 as f64 - grand).powi(2))
                .sum::<f64>()
                / (groups.len() - 1) as f64;
            let within: f64 = groups
                .iter()
                .map(|g| g.1 - g.0 * g.0 / g.2 as f64)
                .sum::<f64>()
                / (n as usize - groups.len()).max(1) as f64;
            Some((between / within.max(1e-6), (*t).clone(), shares[t.as_str()]))
        })
        .collect();
    scored.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
    Ok(scored)
}

/// Terms in a larger share of the reviews than this are not scored for
/// [`crate::model::file::ModelFile::judged_terms`] ("the", "food").
const MAX_JUDGED_SHARE: f64 = 0.5;

/// The judged-term scores of a snapshot and its training terms (the best-scoring terms
/// in no more than [`MAX_TERM_SHARE`] of the reviews), from one scoring pass.
fn judged_and_training_terms(
    snap: &Snapshot,
    max: usize,
) -> Result<(BTreeMap<String, f32>, Vec<String>)> {
    let scored = score_terms(snap, MIN_TERM_SHARE, MAX_JUDGED_SHARE)?;
    let terms = scored
        .iter()
        .filter(|s| s.2 <= MAX_TERM_SHARE)
        .take(max)
        .map(|s| s.1.clone())
        .collect();
    let judged = scored.into_iter().map(|(f, t, _)| (t, f as f32)).collect();
    Ok((judged, terms))
}

/// The day below which `q` of the live reviews fall.
pub fn day_quantile(snap: &Snapshot, q: f64) -> i32 {
    let mut days: Vec<i32> = Vec::with_capacity(snap.searcher.num_docs() as usize);
    for (sr, cols) in snap.searcher.segment_readers().iter().zip(&snap.segments) {
        let alive = sr.alive_bitset();
        for doc in 0..sr.max_doc() {
            if alive.is_none_or(|a| a.is_alive(doc)) {
                days.push(cols.rows.get(doc).day);
            }
        }
    }
    if days.is_empty() {
        return snap.now;
    }
    days.sort_unstable();
    days[((days.len() as f64 * q) as usize).min(days.len() - 1)]
}

/// A training query: a term of the corpus, graded by what the later reviews that
/// mention it say, or a kind of place (a category of the business file), graded by
/// membership and by the later reviews' stars.
#[derive(Debug, Clone, PartialEq)]
enum Asked {
    /// A mined term (or a given one).
    Term(String),
    /// The words of a category, as people type them ("ice cream", "wine bars"), and
    /// the category.
    Category(String, u32),
}

impl Asked {
    fn text(&self) -> &str {
        match self {
            Asked::Term(t) | Asked::Category(t, _) => t,
        }
    }
}

/// Most category queries, as a share of `max_queries` (they come on top of the term
/// queries).
const CATEGORY_QUERY_SHARE: f64 = 0.2;
/// A category held by more than this share of a zipcode's places ("Restaurants") says
/// too little to be asked for there.
const GENERIC_CATEGORY_SHARE: f64 = 0.4;

/// Grade of a place for a category query: 0 outside the category; inside, 1, plus 1
/// when the later reviews' mean stars are ≥ 4, plus 1 more when ≥ 4.5 over ≥ 2.
fn category_grade(member: bool, n: u32, stars_sum: u32) -> u8 {
    if !member {
        return 0;
    }
    let mean = if n == 0 {
        0.0
    } else {
        stars_sum as f32 / n as f32
    };
    1 + (mean >= 4.0) as u8 + (mean >= 4.5 && n >= 2) as u8
}

/// Builds the labelled queries of a snapshot at T = newest − `label_days`.
pub fn labelled_queries(
    snap: &Snapshot,
    opts: &TrainOptions,
) -> Result<(Vec<LabelledQuery>, TrainingWindow)> {
    labelled_queries_judged(snap, opts).map(|(q, w, _)| (q, w))
}

/// [`labelled_queries`], and the judged-term scores they were made with.
fn labelled_queries_judged(
    snap: &Snapshot,
    opts: &TrainOptions,
) -> Result<(Vec<LabelledQuery>, TrainingWindow, BTreeMap<String, f32>)> {
    let newest = snap.now;
    let t = if opts.label_days > 0 {
        newest - opts.label_days
    } else {
        day_quantile(snap, 0.8)
    };
    let (stats, _): (Vec<BizStats>, i32) =
        business_stats(&snap.searcher, &snap.segments, snap.table.len(), Some(t));
    check_cancel(opts.cancel.as_deref())?;
    let (judged, mined) = judged_and_training_terms(snap, opts.max_terms)?;
    check_cancel(opts.cancel.as_deref())?;
    let terms = match &opts.terms {
        Some(t) => t.clone(),
        None => mined,
    };
    // The draw: (zipcode, term) pairs in the order of a seeded hash, the first
    // `max_queries` of them that make a query. They are tried in that order a chunk at a
    // time, so the work stops when enough are found instead of growing with the number of
    // zipcodes (all of them were tried once: 10.7 s and 1.7 GB at 10M reviews).
    let asked_terms: Vec<Asked> = terms.iter().cloned().map(Asked::Term).collect();
    let mut pairs: Vec<(u64, &String, &Asked)> = snap
        .table
        .zips()
        .iter()
        .flat_map(|z| {
            asked_terms
                .iter()
                .map(move |a| (fnv(&format!("{z}:{}", a.text()), opts.seed), z, a))
        })
        .collect();
    pairs.sort_by_key(|p| p.0);
    // Kinds of place: each zipcode's categories with three places or more, not held by
    // most of its places, whose words are not a term above (those are graded by what
    // the reviews say of them).
    let term_set: std::collections::HashSet<&str> = terms.iter().map(String::as_str).collect();
    let mut category_pairs: Vec<(u64, String, Asked)> = Vec::new();
    for (z, zip) in snap.table.zips().iter().enumerate() {
        let members = snap.table.members(z as u32);
        let mut count: BTreeMap<u32, usize> = BTreeMap::new();
        for &b in members {
            for &c in snap.lexicon.categories_of(b) {
                *count.entry(c).or_default() += 1;
            }
        }
        for (c, n) in count {
            if n < 3 || n as f64 > GENERIC_CATEGORY_SHARE * members.len() as f64 {
                continue;
            }
            let Some(cat) = snap.lexicon.category(c) else {
                continue;
            };
            let words = category_words(&cat.name).to_lowercase();
            let analysed: Vec<String> = snap
                .analyzer
                .words(&words)
                .into_iter()
                .filter(|w| !w.stop)
                .map(|w| w.term.to_string())
                .collect();
            if analysed.is_empty()
                || (analysed.len() == 1 && term_set.contains(analysed[0].as_str()))
            {
                continue;
            }
            let key = fnv(&format!("{zip}:category:{}", cat.name), opts.seed);
            category_pairs.push((key, zip.clone(), Asked::Category(words, c)));
        }
    }
    category_pairs.sort_by(|a, b| a.0.cmp(&b.0).then_with(|| a.1.cmp(&b.1)));
    let feat_ctx = CollectContext {
        from: None,
        until: Some(t),
        stats: &stats,
        now: t - 1,
        related: false,
        kin: true,
        judged: &judged,
    };
    let label_ctx = CollectContext {
        from: Some(t),
        until: None,
        stats: &stats,
        now: newest,
        related: false,
        kin: false,
        judged: &judged,
    };
    let query_of = |zip: &String, asked: &Asked| -> Option<LabelledQuery> {
        let plan = match asked {
            Asked::Term(term) if opts.terms.is_none() => Plan::for_terms(zip, &[(term.clone(), 0)]),
            _ => {
                let q = ParsedQuery::parse_with(&snap.analyzer, asked.text(), Some(zip)).ok()?;
                Plan::new(snap, &q, true, None)
            }
        };
        let cands = collect(snap, &plan, &feat_ctx).ok()?.candidates;
        if cands.is_empty() {
            return None;
        }
        // The protocol's stars grades too, for the second held-out lens.
        let mut stars_grades: Option<BTreeMap<u32, u8>> = None;
        let grade_of: BTreeMap<u32, u8> = match asked {
            Asked::Term(_) => {
                let labels = collect(snap, &plan, &label_ctx).ok()?.candidates;
                if labels.iter().filter(|c| c.acc.n > 0).count() < 3 {
                    return None;
                }
                let mentioned: Vec<(u32, &MatchAcc)> =
                    labels.iter().map(|c| (c.biz, &c.acc)).collect();
                stars_grades = Some(grade_places(Grades::Stars, &mentioned));
                grade_places(opts.grades, &mentioned)
            }
            Asked::Category(_, c) => {
                let z = snap.table.zip_ord(zip)?;
                snap.table
                    .members(z)
                    .iter()
                    .map(|&b| {
                        let all = snap.stats.get(b as usize).copied().unwrap_or_default();
                        let before = stats.get(b as usize).copied().unwrap_or_default();
                        let member = snap.lexicon.categories_of(b).contains(c);
                        let g = category_grade(
                            member,
                            all.n.saturating_sub(before.n),
                            all.stars_sum.saturating_sub(before.stars_sum),
                        );
                        (b, g)
                    })
                    .filter(|(_, g)| *g > 0)
                    .collect()
            }
        };
        if grade_of.values().all(|&g| g == 0) {
            return None;
        }
        let cand_set: std::collections::HashSet<u32> = cands.iter().map(|c| c.biz).collect();
        let missing = grade_of
            .iter()
            .filter(|(b, _)| !cand_set.contains(b))
            .map(|(_, &g)| g)
            .collect();
        let stars_of = stars_grades.as_ref().unwrap_or(&grade_of);
        let group = QueryGroup {
            rows: cands.iter().map(|c| c.features.to_vec()).collect(),
            labels: cands
                .iter()
                .map(|c| grade_of.get(&c.biz).copied().unwrap_or(0))
                .collect(),
        };
        let stars_labels = cands
            .iter()
            .map(|c| stars_of.get(&c.biz).copied().unwrap_or(0))
            .collect();
        let stars_missing = stars_of
            .iter()
            .filter(|(b, _)| !cand_set.contains(b))
            .map(|(_, &g)| g)
            .collect();
        let key = format!("{zip}:{}", asked.text());
        Some(LabelledQuery {
            zip: zip.clone(),
            term: asked.text().to_string(),
            bm25: cands.iter().map(|c| c.acc.top3_sum()).collect(),
            group,
            missing,
            stars_labels,
            stars_missing,
            held_out: fnv(&key, opts.seed ^ 0x5eed).is_multiple_of(5),
            category: matches!(asked, Asked::Category(..)),
        })
    };
    const CHUNK: usize = 1024;
    let max_category = (opts.max_queries as f64 * CATEGORY_QUERY_SHARE) as usize;
    let mut out: Vec<LabelledQuery> = Vec::new();
    if opts.terms.is_none() {
        for chunk in category_pairs.chunks(CHUNK) {
            if out.len() >= max_category {
                break;
            }
            check_cancel(opts.cancel.as_deref())?;
            let found: Vec<LabelledQuery> = chunk
                .par_iter()
                .filter_map(|(_, zip, asked)| query_of(zip, asked))
                .collect();
            out.extend(found);
        }
        out.truncate(max_category);
    }
    // The term queries as many as without category queries: these come on top.
    let max_total = opts.max_queries + out.len();
    for chunk in pairs.chunks(CHUNK) {
        if out.len() >= max_total {
            break;
        }
        check_cancel(opts.cancel.as_deref())?;
        // In parallel, kept in draw order.
        let found: Vec<LabelledQuery> = chunk
            .par_iter()
            .filter_map(|(_, zip, asked)| query_of(zip, asked))
            .collect();
        out.extend(found);
    }
    out.truncate(max_total);
    let window = TrainingWindow {
        features_until: Some(Day(t)),
        labels_from: Some(Day(t)),
        labels_until: Some(Day(newest + 1)),
    };
    Ok((out, window, judged))
}

/// Mean NDCG@10, MRR and P@5 of `score` over the held-out queries, by the training
/// grades.
pub fn evaluate(
    queries: &[LabelledQuery],
    score: &dyn Fn(&LabelledQuery, usize) -> f32,
) -> BTreeMap<String, f64> {
    evaluate_by(queries, score, false)
}

/// [`evaluate`] by the protocol's stars grades (the future-review lens); prefixed
/// `stars_`.
pub fn evaluate_stars(
    queries: &[LabelledQuery],
    score: &dyn Fn(&LabelledQuery, usize) -> f32,
) -> BTreeMap<String, f64> {
    evaluate_by(queries, score, true)
        .into_iter()
        .map(|(k, v)| (format!("stars_{k}"), v))
        .collect()
}

fn evaluate_by(
    queries: &[LabelledQuery],
    score: &dyn Fn(&LabelledQuery, usize) -> f32,
    stars: bool,
) -> BTreeMap<String, f64> {
    let held: Vec<&LabelledQuery> = queries.iter().filter(|q| q.held_out).collect();
    let (mut ndcg, mut mrr, mut p5) = (0f64, 0f64, 0f64);
    for q in &held {
        let s: Vec<f32> = (0..q.group.rows.len()).map(|i| score(q, i)).collect();
        let (labels, missing) = if stars {
            (&q.stars_labels, &q.stars_missing)
        } else {
            (&q.group.labels, &q.missing)
        };
        ndcg += ndcg_at(&s, labels, missing, 10);
        let mut order: Vec<usize> = (0..s.len()).collect();
        order.sort_by(|&a, &b| s[b].total_cmp(&s[a]).then(a.cmp(&b)));
        mrr += order
            .iter()
            .position(|&i| labels[i] >= 2)
            .map_or(0.0, |r| 1.0 / (r + 1) as f64);
        p5 += order.iter().take(5).filter(|&&i| labels[i] >= 2).count() as f64 / 5.0;
    }
    let n = held.len().max(1) as f64;
    BTreeMap::from([
        ("ndcg@10".to_string(), ndcg / n),
        ("mrr".to_string(), mrr / n),
        ("p@5".to_string(), p5 / n),
        ("queries".to_string(), held.len() as f64),
    ])
}

fn groups(queries: &[LabelledQuery], held_out: bool, mask: &[usize]) -> Vec<QueryGroup> {
    queries
        .iter()
        .filter(|q| q.held_out == held_out)
        .map(|q| {
            let mut g = q.group.clone();
            for r in &mut g.rows {
                for &m in mask {
                    r[m] = 0.0;
                }
            }
            g
        })
        .collect()
}

/// Fewest training queries for a learned ranker; below it the BM25 fallback is kept.
pub const MIN_QUERIES: usize = 30;
/// Fewest held-out queries whose figures can install a learned ranker.
pub const MIN_HELD_QUERIES: usize = 20;
/// How much better than BM25 (held-out NDCG@10, absolute) a learned ranker must be to
/// replace it: less is within what the held-out sample's noise allows, and a ranker
/// that merely ties BM25 adds a model's failure modes for nothing.
pub const MIN_GAIN: f64 = 0.02;

/// Why a ranker with this held-out gain over BM25 must not be installed, if it must not.
fn not_better(n_held: usize, gain: f64) -> Option<String> {
    if n_held < MIN_HELD_QUERIES {
        Some(format!(
            "too few held-out queries to trust the learned ranker ({n_held}, need {MIN_HELD_QUERIES})"
        ))
    } else if gain < MIN_GAIN {
        Some(format!(
            "the learned ranker is not clearly better than BM25 (gain {gain:+.4}, need {MIN_GAIN:+.2})"
        ))
    } else {
        None
    }
}

/// Trains the ranker of the version at `vdir`, keeping `base`'s text model.
pub fn train_for_version(
    vdir: &Path,
    base: ModelFile,
    opts: &TrainOptions,
) -> Result<TrainOutcome> {
    base.save(&vdir.join(MODEL))?;
    let mut snap = Snapshot::open_dir(vdir, None)?;
    snap.model = base.clone();
    train_on_snapshot(&snap, base, opts)
}

/// Trains a ranker on an opened snapshot.
pub fn train_on_snapshot(
    snap: &Snapshot,
    base: ModelFile,
    opts: &TrainOptions,
) -> Result<TrainOutcome> {
    let t0 = std::time::Instant::now();
    let (queries, window, judged) = labelled_queries_judged(snap, opts)?;
    tracing::info!(
        queries = queries.len(),
        seconds = t0.elapsed().as_secs_f64(),
        "labelled training queries"
    );
    let n_train = queries.iter().filter(|q| !q.held_out).count();
    let n_held = queries.len() - n_train;
    if n_train < MIN_QUERIES || n_held < 5 {
        let mut m = base;
        m.fallback = true;
        m.kind = "bm25".into();
        m.ranker = None;
        m.fallback_reason = Some(format!(
            "too little data to learn a ranker: {n_train} training and {n_held} held-out queries (need {MIN_QUERIES} and 5)"
        ));
        m.training_window = window;
        m.trained_at = Some(chrono::Utc::now().to_rfc3339());
        m.seal();
        return Ok(TrainOutcome { model: m, queries });
    }
    let aspect = aspect_feature_indices();
    let mut mask: Vec<usize> = Vec::new();
    if opts.without_aspect {
        mask.extend(&aspect);
    }
    if opts.without_quality {
        mask.extend(quality_feature_indices());
    }
    let mask = &mask[..];
    let cancel = opts.cancel.as_deref();
    // One draw: the trees' samples follow the queries' seed.
    let ltr = LtrConfig {
        seed: opts.ltr.seed ^ opts.seed,
        ..opts.ltr.clone()
    };
    let (ens, _) = ltr::train(
        &groups(&queries, false, mask),
        &groups(&queries, true, mask),
        &ltr,
        cancel,
        opts.on_tree.0.as_deref(),
    )?;
    let learned_score = |q: &LabelledQuery, i: usize| ens.predict(&q.group.rows[i]);
    let learned = evaluate(&queries, &learned_score);
    let learned_stars = evaluate_stars(&queries, &learned_score);
    // The ablation (a second ranker without aspect sentiment) costs a second training:
    // only when asked for.
    let no_aspect = if opts.ablation && !opts.without_aspect {
        let (ens_na, _) = ltr::train(
            &groups(&queries, false, &aspect),
            &groups(&queries, true, &aspect),
            &ltr,
            cancel,
            None,
        )?;
        evaluate(&queries, &|q, i| {
            let mut r = q.group.rows[i].clone();
            for &m in &aspect {
                r[m] = 0.0;
            }
            ens_na.predict(&r)
        })
    } else {
        BTreeMap::new()
    };
    let bm25 = evaluate(&queries, &|q, i| q.bm25[i]);
    let bm25_stars = evaluate_stars(&queries, &|q, i| q.bm25[i]);
    let mut m = base;
    m.grades = Some(opts.grades.describe().to_string());
    let gain = learned["ndcg@10"] - bm25["ndcg@10"];
    if let Some(why) = not_better(n_held, gain) {
        // The ranker did not earn its place: BM25 stays, and the figures say why.
        m.kind = "bm25".into();
        m.fallback = true;
        m.ranker = None;
        m.fallback_reason = Some(format!(
            "{why}: the learned ranker reached held-out NDCG@10 {:.4} against BM25's {:.4} on {n_held} queries",
            learned["ndcg@10"], bm25["ndcg@10"]
        ));
    } else {
        m.kind = "lambdamart".into();
        m.fallback = false;
        m.fallback_reason = None;
        m.ranker = Some(ens);
    }
    m.judged_terms = judged;
    m.training_window = window;
    m.trained_at = Some(chrono::Utc::now().to_rfc3339());
    m.data = TrainingData {
        queries: queries.len() as u64,
        businesses: queries.iter().map(|q| q.group.rows.len() as u64).sum(),
        reviews: m.text_model_report.as_ref().map_or(0, |r| r.train_reviews),
    };
    for (k, v) in learned {
        m.metrics.insert(k, v);
    }
    for (k, v) in bm25.into_iter().chain(bm25_stars) {
        m.metrics.insert(format!("bm25_{k}"), v);
    }
    m.metrics.extend(learned_stars);
    for (k, v) in no_aspect {
        m.metrics.insert(format!("no_aspect_{k}"), v);
    }
    debug_assert_eq!(N_FEATURES, m.features.len());
    m.seal();
    Ok(TrainOutcome { model: m, queries })
}

/// Scores an ensemble (or BM25 when `None`) on labelled held-out queries.
pub fn evaluate_model(
    queries: &[LabelledQuery],
    ranker: Option<&Ensemble>,
) -> BTreeMap<String, f64> {
    match ranker {
        Some(e) => evaluate(queries, &|q, i| e.predict(&q.group.rows[i])),
        None => evaluate(queries, &|q, i| q.bm25[i]),
    }
}

/// Refuses a window that leaves no label days.
pub fn check_label_days(days: i32) -> Result<()> {
    if days != 0 && !(7..=3650).contains(&days) {
        return Err(Error::Model(format!(
            "--label-days must be 0 (automatic: the newest fifth of the reviews) or between 7 and 3650, not {days}"
        )));
    }
    Ok(())
}

/// Checks a `max_queries` setting (see [`TrainOptions::max_queries`]).
pub fn check_max_queries(n: usize) -> Result<()> {
    if !(MIN_QUERIES..=MAX_TRAINING_QUERIES).contains(&n) {
        return Err(Error::Model(format!(
            "--max-queries must be between {MIN_QUERIES} and {MAX_TRAINING_QUERIES}, not {n} (the build uses {}; more make a better ranker and a longer training)",
            TrainOptions::default().max_queries
        )));
    }
    Ok(())
}

/// Most term queries a training may ask for: past this the draw's work, not the ranker,
/// grows.
pub const MAX_TRAINING_QUERIES: usize = 100_000;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_ranker_must_beat_bm25_clearly_on_enough_held_out_queries() {
        // The real-data case of the hardening issue: 108 queries, held-out NDCG 0.118,
        // about BM25's: the fallback stays.
        let why = not_better(22, 0.004).expect("a tie keeps BM25");
        assert!(why.contains("not clearly better"), "{why}");
        let why = not_better(12, 0.2).expect("too few held-out queries");
        assert!(why.contains("too few held-out queries"), "{why}");
        assert!(not_better(22, -0.05).is_some());
        assert_eq!(not_better(MIN_HELD_QUERIES, MIN_GAIN), None);
        assert_eq!(not_better(700, 0.19), None);
    }
}
