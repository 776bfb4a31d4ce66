//! LambdaMART: gradient-boosted regression trees trained on LambdaRank gradients
//! for NDCG.
//!
//! Written here rather than taken from a crate: the Rust GBDT crates we looked at
//! (gbdt, forust, perpetual) offer regression and classification objectives but no
//! listwise ranking objective, and LightGBM/XGBoost bindings need a C++ toolchain and
//! CMake in every build. The trainer is small: histogram split finding over quantile
//! bins (a node's histograms filled in one pass over its rows, and a larger child's got
//! by subtracting the smaller child's from the node's, as LightGBM does; the training
//! scores updated from the rows' bins), depth-limited trees with Newton leaf values,
//! shrinkage, and early stopping on held-out queries. Training is deterministic. The
//! trees it grows are the [`Ensemble`] that searches evaluate (the model floor's forest).

use std::sync::atomic::AtomicBool;

use serde::{Deserialize, Serialize};

use crate::error::{check_cancel, Result};
use crate::model::forest::{Ensemble, Node, Tree};

/// Training settings.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct LtrConfig {
    /// Most trees.
    pub trees: usize,
    /// Shrinkage.
    pub learning_rate: f32,
    /// Depth of each tree.
    pub max_depth: usize,
    /// Fewest rows in a leaf.
    pub min_leaf: usize,
    /// Quantile bins per feature.
    pub bins: usize,
    /// Stop after this many trees without a better validation NDCG.
    pub patience: usize,
    /// NDCG cut-off optimised and reported.
    pub k: usize,
    /// Share of the training rows each tree is fitted on (bagging), drawn anew per tree;
    /// not used when [`LtrConfig::goss_top`] is above 0.
    #[serde(default = "one")]
    pub subsample: f32,
    /// Gradient-based one-side sampling (LightGBM's GOSS): each tree is fitted on this
    /// share of the rows with the largest gradients, and on [`LtrConfig::goss_rest`]
    /// (a share of all rows) drawn from the others, whose gradients and hessians count
    /// `(1 - goss_top) / goss_rest` times. Rows whose candidates the model already
    /// orders well carry small gradients and teach a tree little. 0 turns it off.
    #[serde(default)]
    pub goss_top: f32,
    /// See [`LtrConfig::goss_top`].
    #[serde(default)]
    pub goss_rest: f32,
    /// Share of the features each tree may split on, drawn anew per tree.
    #[serde(default = "one")]
    pub feature_fraction: f32,
    /// Seed of the row and feature draws.
    #[serde(default)]
    pub seed: u64,
}

fn one() -> f32 {
    1.0
}

impl Default for LtrConfig {
    fn default() -> Self {
        LtrConfig {
            // The build's time budget: the held-out NDCG is flat beyond, and each tree
            // is another pass over every row. On the dev split 120 trees ranked as 196
            // did (clean 0.7413 against 0.7397, dev-seed lens 0.8136 both); with the
            // judged-places grades and the text model fitted to whole reviews, 90 rank
            // as 120 do on the decision sets (three draws of the training queries:
            // dev-seed lens 0.8365 against 0.8356, its future-review split 0.6208
            // against 0.6205) and keep the build within its budget.
            trees: 90,
            // With the places of a matching kind among the candidates (twice the rows),
            // 0.08 ran into a 300-tree cap (9 s on the dev index).
            learning_rate: 0.15,
            max_depth: 4,
            min_leaf: 40,
            bins: 32,
            patience: 25,
            k: 10,
            subsample: 0.8,
            // LightGBM's defaults. Against bagging 0.8 on the dev split, within the
            // noise of retraining: clean 0.7407 against 0.7413, dev-seed lens 0.8170
            // against 0.8136; each tree is fitted on 30% of the rows instead of 80%.
            goss_top: 0.2,
            goss_rest: 0.1,
            feature_fraction: 0.8,
            seed: 0,
        }
    }
}

/// A query's rows for training: feature vectors and graded labels.
#[derive(Debug, Clone)]
pub struct QueryGroup {
    /// One feature vector per candidate.
    pub rows: Vec<Vec<f32>>,
    /// Grade of each candidate (0-3).
    pub labels: Vec<u8>,
}

fn gain(g: u8) -> f64 {
    (1u32 << g) as f64 - 1.0
}

fn discount(rank: usize) -> f64 {
    1.0 / ((rank + 2) as f64).log2()
}

/// The DCG of the best order of `grades`, over its first `k` places.
fn ideal_dcg(grades: impl Iterator<Item = u8>, k: usize) -> f64 {
    let mut ideal: Vec<u8> = grades.collect();
    ideal.sort_unstable_by(|a, b| b.cmp(a));
    ideal
        .iter()
        .take(k)
        .enumerate()
        .map(|(r, &g)| gain(g) * discount(r))
        .sum()
}

/// NDCG@k of candidates ordered by `scores` (ties broken by index), the ideal taken
/// over `labels` (plus `extra_ideal`: grades of relevant items that are not candidates).
pub fn ndcg_at(scores: &[f32], labels: &[u8], extra_ideal: &[u8], k: usize) -> f64 {
    let mut order: Vec<usize> = (0..scores.len()).collect();
    order.sort_unstable_by(|&a, &b| scores[b].total_cmp(&scores[a]).then(a.cmp(&b)));
    let dcg: f64 = order
        .iter()
        .take(k)
        .enumerate()
        .map(|(r, &i)| gain(labels[i]) * discount(r))
        .sum();
    let idcg = ideal_dcg(labels.iter().chain(extra_ideal).copied(), k);
    if idcg > 0.0 {
        dcg / idcg
    } else {
        0.0
    }
}

/// The training rows as quantile bins, row after row: a node's histograms are filled in
/// one pass over its rows, each row's gradient read once and its bins side by side
/// (LightGBM's row-wise histograms), rather than one pass per feature gathering the
/// gradients again.
struct Binned {
    /// `bins[r * width + f]`: row r's bin of feature f.
    bins: Vec<u8>,
    /// The same bins feature after feature (`columns[f][r]`): a split reads one
    /// feature of its node's rows.
    columns: Vec<Vec<u8>>,
    /// Features per row.
    width: usize,
    /// thresholds[f][b]: upper value of bin b (a value is in the first bin whose upper
    /// value it does not exceed, so `x <= thresholds[f][b]` exactly when its bin is at
    /// most b).
    thresholds: Vec<Vec<f32>>,
    /// Where feature f's bins start in a node's [`Histograms`].
    offsets: Vec<usize>,
}

impl Binned {
    /// Row r's bin of feature f.
    #[inline]
    fn bin(&self, r: u32, f: usize) -> usize {
        self.bins[r as usize * self.width + f] as usize
    }

    /// The leaf row r reaches in `tree`, whose splits are at `split_bins` (each node's
    /// bin: left when the row's bin is at most it): [`Tree::predict`] of the row's
    /// values, read from its bins.
    fn predict(&self, tree: &Tree, split_bins: &[u8], r: u32) -> f32 {
        let mut i = 0usize;
        loop {
            let n = &tree.nodes[i];
            if n.left == 0 {
                return n.value;
            }
            i = if self.bin(r, n.feature as usize) <= split_bins[i] as usize {
                n.left as usize
            } else {
                n.right as usize
            };
        }
    }
}

fn bin_features(rows: &[&[f32]], n_features: usize, max_bins: usize) -> Binned {
    use rayon::prelude::*;
    // Each feature's bins on every core.
    let (thresholds, columns): (Vec<Vec<f32>>, Vec<Vec<u8>>) = (0..n_features)
        .into_par_iter()
        .map(|f| {
            let mut vals: Vec<f32> = rows.iter().map(|r| r[f]).collect();
            vals.sort_unstable_by(f32::total_cmp);
            vals.dedup();
            let th: Vec<f32> = if vals.len() <= max_bins {
                vals
            } else {
                let mut t: Vec<f32> = (1..=max_bins)
                    .map(|i| vals[(i * vals.len() / max_bins).min(vals.len()) - 1])
                    .collect();
                t.dedup();
                t
            };
            let col: Vec<u8> = rows
                .iter()
                .map(|r| {
                    th.partition_point(|&t| t < r[f])
                        .min(th.len().saturating_sub(1)) as u8
                })
                .collect();
            (th, col)
        })
        .unzip();
    // Rows a block at a time, each column's stretch of the block read in sequence.
    const BLOCK: usize = 1024;
    let w = n_features.max(1);
    let mut bins = vec![0u8; rows.len() * n_features];
    bins.par_chunks_mut(w * BLOCK)
        .enumerate()
        .for_each(|(block, out)| {
            let from = block * BLOCK;
            for (f, col) in columns.iter().enumerate() {
                for (i, &k) in col[from..from + out.len() / w].iter().enumerate() {
                    out[i * w + f] = k;
                }
            }
        });
    let mut offsets = Vec::with_capacity(n_features + 1);
    let mut o = 0usize;
    for th in &thresholds {
        offsets.push(o);
        o += th.len();
    }
    offsets.push(o);
    Binned {
        bins,
        columns,
        width: n_features,
        thresholds,
        offsets,
    }
}

/// Trains an ensemble on `train`, stopping early on `valid`. Returns the ensemble and
/// the validation NDCG@k after each tree, or [`crate::error::Error::Cancelled`] once
/// `cancel` is set (checked before each tree). `on_tree` hears (trees grown, most trees)
/// after each tree, and (n, n) at the end.
pub fn train(
    train: &[QueryGroup],
    valid: &[QueryGroup],
    config: &LtrConfig,
    cancel: Option<&AtomicBool>,
    on_tree: Option<&(dyn Fn(u64, u64) + Send + Sync)>,
) -> Result<(Ensemble, Vec<f64>)> {
    let n_features = train
        .iter()
        .flat_map(|g| g.rows.first())
        .map(Vec::len)
        .next()
        .unwrap_or(0);
    let rows: Vec<&[f32]> = train
        .iter()
        .flat_map(|g| g.rows.iter().map(Vec::as_slice))
        .collect();
    let binned = bin_features(&rows, n_features, config.bins.clamp(2, 255));
    let mut offsets = Vec::with_capacity(train.len());
    let mut o = 0usize;
    for g in train {
        offsets.push(o);
        o += g.rows.len();
    }
    let mut scores = vec![0f32; rows.len()];
    let mut valid_scores: Vec<Vec<f32>> = valid.iter().map(|g| vec![0f32; g.rows.len()]).collect();
    let mut ens = Ensemble::new(n_features, Vec::new(), Vec::new());
    let mut history = Vec::new();
    let (mut best, mut best_len) = (f64::MIN, 0usize);
    let mut grad = vec![0f32; rows.len()];
    let mut hess = vec![0f32; rows.len()];
    let pairs: Vec<Option<Pairs>> = train.iter().map(|g| Pairs::of(&g.labels)).collect();
    let most = train.iter().map(|g| g.rows.len()).max().unwrap_or(0);
    let discounts: Vec<f64> = (0..most).map(discount).collect();
    for _ in 0..config.trees {
        check_cancel(cancel)?;
        {
            use rayon::prelude::*;
            // Each query owns a disjoint slice of the gradient arrays.
            let mut gs: Vec<&mut [f32]> = Vec::with_capacity(train.len());
            let mut hs: Vec<&mut [f32]> = Vec::with_capacity(train.len());
            let (mut g_rest, mut h_rest) = (&mut grad[..], &mut hess[..]);
            for g in train {
                let (a, b) = g_rest.split_at_mut(g.rows.len());
                let (c, d) = h_rest.split_at_mut(g.rows.len());
                gs.push(a);
                hs.push(c);
                g_rest = b;
                h_rest = d;
            }
            train
                .par_iter()
                .zip(pairs.par_iter().zip(offsets.par_iter()))
                .zip(gs.into_par_iter().zip(hs.into_par_iter()))
                .for_each(|((g, (p, &off)), (gq, hq))| {
                    gq.iter_mut().for_each(|x| *x = 0.0);
                    hq.iter_mut().for_each(|x| *x = 0.0);
                    if let Some(p) = p {
                        let scores = &scores[off..off + g.rows.len()];
                        lambdas(p, &g.labels, scores, &discounts, gq, hq);
                    }
                });
        }
        let (tree, expected, split_bins) = fit_tree(&binned, &grad, &hess, config, ens.trees.len());
        {
            use rayon::prelude::*;
            scores
                .par_iter_mut()
                .enumerate()
                .for_each(|(r, s)| *s += binned.predict(&tree, &split_bins, r as u32));
            valid
                .par_iter()
                .zip(valid_scores.par_iter_mut())
                .for_each(|(g, s)| {
                    for (r, si) in g.rows.iter().zip(s.iter_mut()) {
                        *si += tree.predict(r);
                    }
                });
        }
        ens.trees.push(tree);
        ens.expected.push(expected);
        let v = if valid.is_empty() {
            0.0
        } else {
            use rayon::prelude::*;
            // Each query's NDCG on every core, summed in query order (the same sum).
            let each: Vec<f64> = valid
                .par_iter()
                .zip(valid_scores.par_iter())
                .map(|(g, s)| ndcg_at(s, &g.labels, &[], config.k))
                .collect();
            each.iter().sum::<f64>() / valid.len() as f64
        };
        history.push(v);
        if let Some(f) = on_tree {
            f(ens.trees.len() as u64, config.trees as u64);
        }
        if v > best + 1e-9 {
            best = v;
            best_len = ens.trees.len();
        } else if ens.trees.len() - best_len >= config.patience {
            break;
        }
    }
    if !valid.is_empty() {
        ens.trees.truncate(best_len.max(1));
        ens.expected.truncate(best_len.max(1));
    }
    if let Some(f) = on_tree {
        f(history.len() as u64, history.len() as u64);
    }
    Ok((ens, history))
}

/// What LambdaRank needs of a query that stays the same from tree to tree.
struct Pairs {
    /// The candidates by grade, lowest first (by position within a grade): the ones a
    /// candidate outranks are a prefix of it (pairs of equal grade carry no gradient).
    by_grade: Vec<u32>,
    /// Gain of each candidate's grade over the ideal DCG, in [`Pairs::by_grade`] order.
    gains: Vec<f32>,
    /// For each grade, how many candidates have a lower one.
    below: Vec<u32>,
}

impl Pairs {
    /// `None` when the query has no pair of different grades (it carries no gradient).
    fn of(labels: &[u8]) -> Option<Pairs> {
        if labels.len() < 2 || labels.iter().all(|&l| l == labels[0]) {
            return None;
        }
        let idcg = ideal_dcg(labels.iter().copied(), labels.len());
        if idcg <= 0.0 {
            return None;
        }
        let top = labels.iter().copied().max().unwrap_or(0) as usize;
        let mut by_grade: Vec<u32> = (0..labels.len() as u32).collect();
        by_grade.sort_by_key(|&i| (labels[i as usize], i));
        let below = (0..=top)
            .map(|g| labels.iter().filter(|&&l| (l as usize) < g).count() as u32)
            .collect();
        Some(Pairs {
            gains: by_grade
                .iter()
                .map(|&i| (gain(labels[i as usize]) / idcg) as f32)
                .collect(),
            by_grade,
            below,
        })
    }
}

/// Pairs [`lambdas`] reads at a time.
const LANES: usize = 8;

/// The gradient and hessian of one pair whose first candidate has the higher grade:
/// its gain difference (over the ideal DCG), the difference of their discounts, and
/// their scores' exponentials.
#[inline(always)]
fn pair(gain: f32, discount: f32, e_hi: f32, e_lo: f32) -> (f32, f32) {
    let rho = e_lo / (e_hi + e_lo);
    let l = rho * (gain * discount);
    (l, l * (1.0 - rho))
}

/// LambdaRank gradients (negative: the direction to move) and hessians for one query.
/// `discounts[r]` is [`discount`]`(r)`.
fn lambdas(
    p: &Pairs,
    labels: &[u8],
    scores: &[f32],
    discounts: &[f64],
    grad: &mut [f32],
    hess: &mut [f32],
) {
    let n = labels.len();
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_unstable_by(|&a, &b| scores[b].total_cmp(&scores[a]).then(a.cmp(&b)));
    // Each item's discount at its current rank, once, not once per pair.
    let mut disc = vec![0f64; n];
    for (r, &i) in order.iter().enumerate() {
        disc[i] = discounts[r];
    }
    // rho = 1 / (1 + e^(s_i - s_j)) = e_j / (e_i + e_j) with e = e^(s - max): one
    // exponential per candidate instead of one per pair (the pairs' loop is most of the
    // gradients' time); scores more than 80 below the top are read as 80 below.
    let top = scores.iter().copied().fold(f32::MIN, f32::max);
    // Everything in grade order, so that the candidates one outranks are a prefix read
    // in sequence (the loop the compiler can vectorise), then added back in place.
    // In f32, the pairs' loop runs twice as many lanes at a time.
    let d: Vec<f32> = p
        .by_grade
        .iter()
        .map(|&i| disc[i as usize] as f32)
        .collect();
    let e: Vec<f32> = p
        .by_grade
        .iter()
        .map(|&i| (scores[i as usize] - top).max(-80.0).exp())
        .collect();
    let (mut g, mut h) = (vec![0f32; n], vec![0f32; n]);
    for a in 0..n {
        let lo = p.below[labels[p.by_grade[a] as usize] as usize] as usize;
        let (ga, da, ea) = (p.gains[a], d[a], e[a]);
        // Lanes of running sums, so that the loop runs several pairs at a time (one sum
        // would order every addition after the last).
        let (mut gs, mut hs) = ([0f32; LANES], [0f32; LANES]);
        let whole = lo - lo % LANES;
        for at in (0..whole).step_by(LANES) {
            let (gains, d, e) = (
                &p.gains[at..at + LANES],
                &d[at..at + LANES],
                &e[at..at + LANES],
            );
            let (gb, hb) = (&mut g[at..at + LANES], &mut h[at..at + LANES]);
            for j in 0..LANES {
                let (l, k) = pair(ga - gains[j], (da - d[j]).abs(), ea, e[j]);
                gs[j] += l;
                hs[j] += k;
                gb[j] -= l;
                hb[j] += k;
            }
        }
        for b in whole..lo {
            let (l, k) = pair(ga - p.gains[b], (da - d[b]).abs(), ea, e[b]);
            gs[0] += l;
            hs[0] += k;
            g[b] -= l;
            h[b] += k;
        }
        g[a] += gs.iter().sum::<f32>();
        h[a] += hs.iter().sum::<f32>();
    }
    for (a, &i) in p.by_grade.iter().enumerate() {
        grad[i as usize] += g[a];
        hess[i as usize] += h[a];
    }
}

/// The rows a tree is fitted on ([`LtrConfig::goss_top`], else
/// [`LtrConfig::subsample`]), with the gradients and hessians to fit when sampling
/// weighted them.
#[allow(clippy::type_complexity)]
fn tree_rows(
    grad: &[f32],
    hess: &[f32],
    c: &LtrConfig,
    rng: &mut rand_chacha::ChaCha8Rng,
) -> (Vec<u32>, Option<(Vec<f32>, Vec<f32>)>) {
    use rand::Rng;
    let (mut weighted_grad, mut weighted_hess) = (Vec::new(), Vec::new());
    let rows: Vec<u32> = if c.goss_top > 0.0 && c.goss_top < 1.0 && !grad.is_empty() {
        // The rows of the largest gradients: above the (n * top)-th largest magnitude.
        let mut mags: Vec<f32> = grad.iter().map(|g| g.abs()).collect();
        let k = ((c.goss_top * grad.len() as f32) as usize).min(grad.len() - 1);
        let cut = *mags
            .select_nth_unstable_by(grad.len() - 1 - k, f32::total_cmp)
            .1;
        let rest = c.goss_rest.clamp(0.0, 1.0 - c.goss_top);
        let (keep, weight) = if rest > 0.0 {
            (rest / (1.0 - c.goss_top), (1.0 - c.goss_top) / rest)
        } else {
            (0.0, 1.0)
        };
        weighted_grad = grad.to_vec();
        weighted_hess = hess.to_vec();
        (0..grad.len() as u32)
            .filter(|&r| {
                let r = r as usize;
                if grad[r].abs() > cut {
                    true
                } else if rng.gen::<f32>() < keep {
                    weighted_grad[r] *= weight;
                    weighted_hess[r] *= weight;
                    true
                } else {
                    false
                }
            })
            .collect()
    } else if c.subsample < 1.0 {
        (0..grad.len() as u32)
            .filter(|_| rng.gen::<f32>() < c.subsample)
            .collect()
    } else {
        (0..grad.len() as u32).collect()
    };
    let weighted = (!weighted_grad.is_empty()).then_some((weighted_grad, weighted_hess));
    (rows, weighted)
}

fn fit_tree(
    b: &Binned,
    grad: &[f32],
    hess: &[f32],
    c: &LtrConfig,
    tree_no: usize,
) -> (Tree, Vec<f32>, Vec<u8>) {
    use rand::{Rng, SeedableRng};
    let mut rng =
        rand_chacha::ChaCha8Rng::seed_from_u64(c.seed ^ (tree_no as u64).wrapping_mul(0x9E37_79B9));
    let (rows, weighted) = tree_rows(grad, hess, c, &mut rng);
    let (grad, hess) = match &weighted {
        Some((g, h)) => (&g[..], &h[..]),
        None => (grad, hess),
    };
    let chosen: Vec<bool> = (0..b.width)
        .map(|_| c.feature_fraction >= 1.0 || rng.gen::<f32>() < c.feature_fraction)
        .collect();
    let features: Vec<(usize, usize)> = (0..b.width)
        .filter(|&f| chosen[f] && b.thresholds[f].len() >= 2)
        .map(|f| (f, b.offsets[f]))
        .collect();
    let mut grown = Grown::default();
    let ctx = Grow {
        b,
        grad,
        hess,
        c,
        features: &features,
    };
    grow(&ctx, &rows, None, None, 0, &mut grown);
    (
        Tree { nodes: grown.nodes },
        grown.expected,
        grown.split_bins,
    )
}

/// The nodes of a growing tree, with each one's expected value and split bin.
#[derive(Default)]
struct Grown {
    nodes: Vec<Node>,
    expected: Vec<f32>,
    split_bins: Vec<u8>,
}

/// What every node of a growing tree shares.
struct Grow<'a> {
    b: &'a Binned,
    grad: &'a [f32],
    hess: &'a [f32],
    c: &'a LtrConfig,
    /// Features this tree may split on (of two bins or more), each with its
    /// [`Binned::offsets`].
    features: &'a [(usize, usize)],
}

/// Nodes with at least this many rows build their histograms and split their rows on
/// every core.
const PARALLEL_ROWS: usize = 4096;

fn leaf_value(g: f64, h: f64, lr: f32) -> f32 {
    (lr as f64 * g / (h + 1e-3)) as f32
}

/// Rows a histogram pass reads at a time: a large node's chunks are filled on every core
/// and added in chunk order, so the sums do not depend on the number of cores.
const CHUNK_ROWS: usize = 8192;

/// A node's histograms: for each bin of every feature (feature f's at
/// [`Binned::offsets`]`[f]`), the sum of its rows' gradients, of their hessians, and
/// their count. Features the tree may not split on stay empty.
#[derive(Clone)]
struct Histograms(Vec<[f64; 3]>);

impl Histograms {
    /// The histograms of `rows`, in one pass over them.
    fn of(ctx: &Grow<'_>, rows: &[u32]) -> Histograms {
        let fill = |rows: &[u32]| {
            let mut sums = vec![[0f64; 3]; ctx.b.offsets[ctx.b.width]];
            let w = ctx.b.width;
            for &r in rows {
                let r = r as usize;
                let (g, h) = (ctx.grad[r] as f64, ctx.hess[r] as f64);
                let bins = &ctx.b.bins[r * w..(r + 1) * w];
                for &(f, at) in ctx.features {
                    let s = &mut sums[at + bins[f] as usize];
                    s[0] += g;
                    s[1] += h;
                    s[2] += 1.0;
                }
            }
            sums
        };
        if rows.len() >= PARALLEL_ROWS {
            use rayon::prelude::*;
            let parts: Vec<Vec<[f64; 3]>> = rows.par_chunks(CHUNK_ROWS).map(fill).collect();
            let mut parts = parts.into_iter();
            let mut sums = parts.next().unwrap_or_default();
            for p in parts {
                for (s, q) in sums.iter_mut().zip(&p) {
                    s[0] += q[0];
                    s[1] += q[1];
                    s[2] += q[2];
                }
            }
            Histograms(sums)
        } else {
            Histograms(fill(rows))
        }
    }

    /// Feature f's bins.
    fn feature(&self, b: &Binned, f: usize) -> &[[f64; 3]] {
        &self.0[b.offsets[f]..b.offsets[f + 1]]
    }

    /// `self` less `part` (the histograms of a subset of its rows): the histograms of
    /// the other rows, without reading them.
    fn minus(mut self, part: &Histograms) -> Histograms {
        for (s, p) in self.0.iter_mut().zip(&part.0) {
            s[0] -= p[0];
            s[1] -= p[1];
            s[2] -= p[2];
        }
        self
    }
}

/// Grows the subtree of `rows`; `sums` are their gradient and hessian sums and `hists`
/// their histograms when the parent computed them. Returns the subtree's root.
fn grow(
    ctx: &Grow<'_>,
    rows: &[u32],
    sums: Option<(f64, f64)>,
    hists: Option<Histograms>,
    depth: usize,
    out: &mut Grown,
) -> u32 {
    let (b, grad, hess, c) = (ctx.b, ctx.grad, ctx.hess, ctx.c);
    let (gs, hs) = sums.unwrap_or_else(|| {
        rows.iter().fold((0f64, 0f64), |(g, h), &r| {
            (g + grad[r as usize] as f64, h + hess[r as usize] as f64)
        })
    });
    let me = out.nodes.len() as u32;
    out.nodes.push(Node {
        feature: 0,
        threshold: 0.0,
        left: 0,
        right: 0,
        value: leaf_value(gs, hs, c.learning_rate),
    });
    out.expected.push(leaf_value(gs, hs, c.learning_rate));
    out.split_bins.push(0);
    if !splits(c, depth, rows.len()) {
        return me;
    }
    let hists = hists.unwrap_or_else(|| Histograms::of(ctx, rows));
    let parent = gs * gs / (hs + 1e-3);
    // The best split of one feature: (gain, feature, bin, the left side's gradient and
    // hessian sums).
    type Split = (f64, usize, usize, f64, f64);
    let split_of = |f: usize, hist: &[[f64; 3]]| -> Option<Split> {
        let nb = hist.len();
        let (mut lg, mut lh, mut lc) = (0f64, 0f64, 0usize);
        let mut best: Option<Split> = None;
        for (k, bin) in hist.iter().enumerate().take(nb - 1) {
            lg += bin[0];
            lh += bin[1];
            lc += bin[2] as usize;
            let rc = rows.len() - lc;
            if lc < c.min_leaf || rc < c.min_leaf {
                continue;
            }
            let (rg, rh) = (gs - lg, hs - lh);
            let gain = lg * lg / (lh + 1e-3) + rg * rg / (rh + 1e-3) - parent;
            if gain > 1e-9 && best.is_none_or(|(bg, ..)| gain > bg) {
                best = Some((gain, f, k, lg, lh));
            }
        }
        best
    };
    // In feature order, so ties go to the lowest feature and trees stay deterministic.
    let best = ctx
        .features
        .iter()
        .filter_map(|&(f, _)| split_of(f, hists.feature(b, f)))
        .fold(None, |best: Option<Split>, cand| match best {
            Some((bg, ..)) if cand.0 <= bg => best,
            _ => Some(cand),
        });
    let Some((_, f, k, lg, lh)) = best else {
        return me;
    };
    // Each side's rows, in order, in one pass over the split feature's column; their
    // sums are the histogram's on each side of the split.
    let (l_sums, r_sums) = ((lg, lh), (gs - lg, hs - lh));
    let col = &b.columns[f];
    let part = |rows: &[u32]| -> (Vec<u32>, Vec<u32>) {
        rows.iter().partition(|&&r| col[r as usize] as usize <= k)
    };
    let (left_rows, right_rows) = if rows.len() >= PARALLEL_ROWS {
        use rayon::prelude::*;
        let parts: Vec<(Vec<u32>, Vec<u32>)> = rows.par_chunks(CHUNK_ROWS).map(part).collect();
        let (l, r): (Vec<Vec<u32>>, Vec<Vec<u32>>) = parts.into_iter().unzip();
        (l.concat(), r.concat())
    } else {
        part(rows)
    };
    // The smaller child's histograms are built from its rows, the larger's are the
    // parent's less the smaller's; a child that will not split needs none.
    let (mut lh, mut rh) = (None, None);
    let (l_splits, r_splits) = (
        splits(c, depth + 1, left_rows.len()),
        splits(c, depth + 1, right_rows.len()),
    );
    if l_splits || r_splits {
        let left_smaller = left_rows.len() <= right_rows.len();
        let small = Histograms::of(
            ctx,
            if left_smaller {
                &left_rows
            } else {
                &right_rows
            },
        );
        let large = hists.minus(&small);
        (lh, rh) = if left_smaller {
            (Some(small), Some(large))
        } else {
            (Some(large), Some(small))
        };
    }
    let (lh, rh) = (lh.filter(|_| l_splits), rh.filter(|_| r_splits));
    let l = grow(ctx, &left_rows, Some(l_sums), lh, depth + 1, out);
    let r = grow(ctx, &right_rows, Some(r_sums), rh, depth + 1, out);
    out.split_bins[me as usize] = k as u8;
    let n = &mut out.nodes[me as usize];
    n.feature = f as u16;
    n.threshold = b.thresholds[f][k];
    n.left = l;
    n.right = r;
    me
}

/// Whether a node at `depth` with `rows` rows may split.
fn splits(c: &LtrConfig, depth: usize, rows: usize) -> bool {
    depth < c.max_depth && rows >= 2 * c.min_leaf
}

#[cfg(test)]
mod tests {
    use super::*;

    fn synthetic(seed: u64, queries: usize) -> Vec<QueryGroup> {
        use rand::{Rng, SeedableRng};
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
        (0..queries)
            .map(|_| {
                let rows: Vec<Vec<f32>> = (0..20)
                    .map(|_| (0..3).map(|_| rng.gen::<f32>()).collect())
                    .collect();
                // The grade depends on feature 1 only, non-linearly.
                let labels = rows
                    .iter()
                    .map(|r| {
                        if r[1] > 0.8 {
                            3
                        } else if r[1] > 0.5 {
                            1
                        } else {
                            0
                        }
                    })
                    .collect();
                QueryGroup { rows, labels }
            })
            .collect()
    }

    /// LambdaRank's gradients as defined: every ordered pair of candidates, skipping
    /// pairs whose first is not of a higher grade.
    fn all_pairs_lambdas(labels: &[u8], scores: &[f32]) -> (Vec<f32>, Vec<f32>) {
        let n = labels.len();
        let (mut grad, mut hess) = (vec![0f32; n], vec![0f32; n]);
        let mut order: Vec<usize> = (0..n).collect();
        order.sort_unstable_by(|&a, &b| scores[b].total_cmp(&scores[a]).then(a.cmp(&b)));
        let mut rank = vec![0usize; n];
        for (r, &i) in order.iter().enumerate() {
            rank[i] = r;
        }
        let idcg = ideal_dcg(labels.iter().copied(), n);
        if n < 2 || idcg <= 0.0 {
            return (grad, hess);
        }
        for i in 0..n {
            for j in 0..n {
                if labels[i] <= labels[j] {
                    continue;
                }
                let d = (discount(rank[i]) - discount(rank[j])).abs();
                let delta = ((gain(labels[i]) - gain(labels[j])) * d / idcg) as f32;
                let rho = 1.0 / (1.0 + (scores[i] - scores[j]).exp());
                grad[i] += rho * delta;
                grad[j] -= rho * delta;
                hess[i] += rho * (1.0 - rho) * delta;
                hess[j] += rho * (1.0 - rho) * delta;
            }
        }
        (grad, hess)
    }

    #[test]
    fn lambdas_equal_the_all_pairs_definition() {
        use rand::{Rng, SeedableRng};
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(11);
        let discounts: Vec<f64> = (0..64).map(discount).collect();
        for (n, top, scale) in [0usize, 1, 2, 3, 7, 20, 64]
            .into_iter()
            .flat_map(|n| [0u8, 1, 3].map(|top| (n, top)))
            // Scores far apart too (scale 5), where one exponential per candidate is
            // furthest from one per pair.
            .flat_map(|(n, top)| [0.25f32, 5.0].map(|scale| (n, top, scale)))
        {
            let labels: Vec<u8> = (0..n).map(|_| rng.gen_range(0..=top)).collect();
            // Ties in the scores too: the order breaks them by index.
            let scores: Vec<f32> = (0..n).map(|_| rng.gen_range(0..8) as f32 * scale).collect();
            let want = all_pairs_lambdas(&labels, &scores);
            let (mut grad, mut hess) = (vec![0f32; n], vec![0f32; n]);
            match Pairs::of(&labels) {
                Some(p) => lambdas(&p, &labels, &scores, &discounts, &mut grad, &mut hess),
                // No pair of different grades: nothing to learn from the query.
                None => assert!(want.0.iter().chain(&want.1).all(|&x| x == 0.0)),
            }
            // The same up to rounding (the fast form reads rho from one exponential per
            // candidate, the definition from one per pair).
            let close = |a: &[f32], b: &[f32]| {
                a.iter()
                    .zip(b)
                    .all(|(x, y)| (x - y).abs() <= 1e-6 + 1e-5 * y.abs())
            };
            assert!(
                close(&grad, &want.0) && close(&hess, &want.1),
                "n {n}, grades 0..={top}, scale {scale}: {grad:?} {hess:?} against {want:?}"
            );
        }
    }

    #[test]
    fn a_histogram_less_a_part_is_the_histogram_of_the_rest() {
        use rand::{Rng, SeedableRng};
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(5);
        let n = 5_000;
        let rows: Vec<Vec<f32>> = (0..n)
            .map(|_| (0..3).map(|_| rng.gen_range(0..40) as f32).collect())
            .collect();
        let refs: Vec<&[f32]> = rows.iter().map(Vec::as_slice).collect();
        let b = bin_features(&refs, 3, 32);
        let grad: Vec<f32> = (0..n).map(|_| rng.gen_range(-1.0..1.0)).collect();
        let hess: Vec<f32> = (0..n).map(|_| rng.gen_range(0.0..0.25)).collect();
        // Feature 1 is one the tree may not split on.
        let c = LtrConfig::default();
        let features = [(0, b.offsets[0]), (2, b.offsets[2])];
        let ctx = Grow {
            b: &b,
            grad: &grad,
            hess: &hess,
            c: &c,
            features: &features,
        };
        // Above PARALLEL_ROWS: filled in chunks on every core.
        let all: Vec<u32> = (0..n as u32).collect();
        let (part, rest): (Vec<u32>, Vec<u32>) = all.iter().partition(|_| rng.gen_bool(0.3));
        let whole = Histograms::of(&ctx, &all);
        let (p, r) = (Histograms::of(&ctx, &part), Histograms::of(&ctx, &rest));
        // Each histogram is its feature's bins summed, one row at a time.
        for (h, rows) in [(&whole, &all), (&r, &rest), (&p, &part)] {
            for f in [0, 2] {
                let h = h.feature(&b, f);
                let mut count = vec![0f64; h.len()];
                let mut sums = vec![0f64; h.len()];
                for &i in rows.iter() {
                    count[b.bin(i, f)] += 1.0;
                    sums[b.bin(i, f)] += grad[i as usize] as f64;
                }
                assert_eq!(h.iter().map(|s| s[2]).collect::<Vec<_>>(), count);
                for (x, y) in h.iter().zip(&sums) {
                    assert!((x[0] - y).abs() < 1e-9, "{} vs {y}", x[0]);
                }
            }
            assert!(
                h.feature(&b, 1).iter().all(|s| *s == [0.0; 3]),
                "a feature the tree may not use has an empty histogram"
            );
        }
        let derived = whole.clone().minus(&p);
        for f in [0, 2] {
            let (derived, direct) = (derived.feature(&b, f), r.feature(&b, f));
            assert_eq!(
                direct.iter().map(|s| s[2]).sum::<f64>() as usize,
                rest.len()
            );
            for (x, y) in derived.iter().zip(direct) {
                assert_eq!(x[2], y[2]);
                assert!((x[0] - y[0]).abs() < 1e-9, "{} vs {}", x[0], y[0]);
                assert!((x[1] - y[1]).abs() < 1e-9, "{} vs {}", x[1], y[1]);
            }
        }
    }

    #[test]
    fn one_side_sampling_keeps_the_largest_gradients_and_weights_the_rest() {
        use rand::SeedableRng;
        let n = 10_000;
        // Gradients of magnitude 0..n, signs alternating; hessians 1.
        let grad: Vec<f32> = (0..n)
            .map(|i| if i % 2 == 0 { i as f32 } else { -(i as f32) })
            .collect();
        let hess = vec![1f32; n];
        let c = LtrConfig::default();
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(1);
        let (rows, weighted) = tree_rows(&grad, &hess, &c, &mut rng);
        let (wg, wh) = weighted.expect("sampling weights the rest");
        let top = (c.goss_top * n as f32) as usize;
        let weight = (1.0 - c.goss_top) / c.goss_rest;
        // Every row of the largest gradients, unweighted.
        let first_top = n - top;
        for r in first_top..n {
            assert!(rows.binary_search(&(r as u32)).is_ok(), "row {r} is kept");
            assert_eq!((wg[r], wh[r]), (grad[r], 1.0));
        }
        // The rest: about goss_rest of all rows, each counting `weight` times.
        let rest: Vec<u32> = rows
            .iter()
            .copied()
            .filter(|&r| (r as usize) < first_top)
            .collect();
        let expected = c.goss_rest * n as f32;
        assert!(
            (rest.len() as f32 - expected).abs() < 0.15 * expected,
            "{} of the rest drawn, about {expected} expected",
            rest.len()
        );
        for &r in &rest {
            let r = r as usize;
            assert!((wg[r] - grad[r] * weight).abs() <= 1e-3 * grad[r].abs().max(1.0));
            assert_eq!(wh[r], weight);
        }
        assert!(rows.windows(2).all(|w| w[0] < w[1]), "rows in order");
        // Off: bagging, unweighted.
        let off = LtrConfig {
            goss_top: 0.0,
            ..LtrConfig::default()
        };
        let (rows, weighted) = tree_rows(&grad, &hess, &off, &mut rng);
        assert!(weighted.is_none());
        let expected = off.subsample * n as f32;
        assert!((rows.len() as f32 - expected).abs() < 0.05 * expected);
    }

    #[test]
    fn a_row_read_from_its_bins_reaches_the_leaf_of_its_values() {
        use rand::{Rng, SeedableRng};
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(9);
        let train = synthetic(3, 40);
        let rows: Vec<&[f32]> = train
            .iter()
            .flat_map(|g| g.rows.iter().map(Vec::as_slice))
            .collect();
        let b = bin_features(&rows, rows[0].len(), 8);
        let grad: Vec<f32> = (0..rows.len()).map(|_| rng.gen_range(-1.0..1.0)).collect();
        let hess: Vec<f32> = (0..rows.len()).map(|_| rng.gen_range(0.01..0.25)).collect();
        let c = LtrConfig {
            min_leaf: 5,
            ..LtrConfig::default()
        };
        for t in 0..5 {
            let (tree, _, split_bins) = fit_tree(&b, &grad, &hess, &c, t);
            assert!(tree.nodes.len() > 1, "the tree splits");
            for (r, x) in rows.iter().enumerate() {
                assert_eq!(b.predict(&tree, &split_bins, r as u32), tree.predict(x));
            }
        }
    }

    #[test]
    fn learns_a_ranking_and_is_deterministic() {
        let (tr, va, te) = (synthetic(1, 200), synthetic(2, 50), synthetic(3, 100));
        let (m, hist) = train(&tr, &va, &LtrConfig::default(), None, None).unwrap();
        let (m2, _) = train(&tr, &va, &LtrConfig::default(), None, None).unwrap();
        assert_eq!(m, m2);
        assert!(!hist.is_empty());
        let ndcg = |f: &dyn Fn(&[f32]) -> f32| {
            te.iter()
                .map(|g| {
                    ndcg_at(
                        &g.rows.iter().map(|r| f(r)).collect::<Vec<_>>(),
                        &g.labels,
                        &[],
                        10,
                    )
                })
                .sum::<f64>()
                / te.len() as f64
        };
        let learned = ndcg(&|r| m.predict(r));
        for g in &te {
            for r in &g.rows {
                assert!(
                    (m.score(r) - m.predict(r)).abs() < 1e-4,
                    "flat layout agrees"
                );
            }
        }
        let rows: Vec<&Vec<f32>> = te.iter().flat_map(|g| &g.rows).collect();
        let mut many = Vec::new();
        m.score_many(&rows, &mut many);
        let one: Vec<f32> = rows.iter().map(|r| m.score(r)).collect();
        assert_eq!(
            many, one,
            "batched scores are the single scores, bit for bit"
        );
        let wrong = ndcg(&|r| r[0]);
        assert!(learned > 0.95, "learned {learned}");
        assert!(wrong < 0.7, "wrong feature {wrong}");
        m.check(3).unwrap();
        let x = &te[0].rows[0];
        let c = m.contributions(x);
        assert!(c[1].abs() > c[0].abs() && c[1].abs() > c[2].abs());
        let sum: f32 = c.iter().sum::<f32>() + m.expected.iter().map(|e| e[0]).sum::<f32>();
        assert!((sum - m.predict(x)).abs() < 1e-3);
    }

    #[test]
    fn a_set_cancel_flag_stops_training() {
        let (tr, va) = (synthetic(1, 50), synthetic(2, 20));
        let flag = std::sync::atomic::AtomicBool::new(true);
        let err = train(&tr, &va, &LtrConfig::default(), Some(&flag), None).unwrap_err();
        assert!(matches!(err, crate::error::Error::Cancelled), "{err}");
    }

    #[test]
    fn ndcg_matches_hand_computation() {
        // Ranked grades [0, 3]: dcg = 7/log2(3); ideal = 7.
        let v = ndcg_at(&[2.0, 1.0], &[0, 3], &[], 10);
        assert!((v - 1.0 / 3f64.log2()).abs() < 1e-12);
        assert_eq!(ndcg_at(&[1.0], &[0], &[2], 10), 0.0);
    }
}
