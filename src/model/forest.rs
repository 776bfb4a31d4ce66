//! The ranker every search evaluates: an ensemble of regression trees, scored by
//! walking each tree or, several times faster, on a flat layout of the trees completed
//! to one depth; and each feature's contribution to a score (explain mode). The trees
//! are learned by LambdaMART on the `train` floor.

use serde::{Deserialize, Serialize};

/// A node of a regression tree.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Node {
    /// Feature tested (unused in leaves).
    pub feature: u16,
    /// Go left when the feature value is `<=` this.
    pub threshold: f32,
    /// Index of the left child, or 0 for a leaf.
    pub left: u32,
    /// Index of the right child, or 0 for a leaf.
    pub right: u32,
    /// Output of a leaf.
    pub value: f32,
}

/// A regression tree; node 0 is the root.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Tree {
    /// Nodes.
    pub nodes: Vec<Node>,
}

impl Tree {
    /// The tree's output for a feature vector.
    #[inline]
    pub fn predict(&self, x: &[f32]) -> f32 {
        let mut i = 0usize;
        loop {
            let n = &self.nodes[i];
            if n.left == 0 {
                return n.value;
            }
            i = if x[n.feature as usize] <= n.threshold {
                n.left as usize
            } else {
                n.right as usize
            };
        }
    }

    /// Adds to `out[f]` the gain-free contribution path of `x`: the change of the
    /// running value at each split, attributed to the split's feature.
    fn contributions(&self, x: &[f32], out: &mut [f32], expected: &[f32]) {
        let mut i = 0usize;
        loop {
            let n = &self.nodes[i];
            if n.left == 0 {
                return;
            }
            let next = if x[n.feature as usize] <= n.threshold {
                n.left
            } else {
                n.right
            } as usize;
            out[n.feature as usize] += expected[next] - expected[i];
            i = next;
        }
    }
}

/// A trained ensemble.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Ensemble {
    /// Number of features expected.
    pub features: usize,
    /// Trees (already scaled by the learning rate).
    pub trees: Vec<Tree>,
    /// Mean leaf value of each node, per tree (for explanations).
    pub expected: Vec<Vec<f32>>,
    /// The trees laid out for fast scoring, built on first use by [`Ensemble::score`].
    #[serde(skip)]
    flat: std::sync::OnceLock<Option<FlatForest>>,
}

impl Ensemble {
    /// An ensemble of `trees` over `features` features.
    pub fn new(features: usize, trees: Vec<Tree>, expected: Vec<Vec<f32>>) -> Self {
        Ensemble {
            features,
            trees,
            expected,
            flat: std::sync::OnceLock::new(),
        }
    }

    /// The score of a feature vector, walking the trees (the reference).
    #[inline]
    pub fn predict(&self, x: &[f32]) -> f32 {
        self.trees.iter().map(|t| t.predict(x)).sum()
    }

    /// The score of a feature vector, as [`Ensemble::predict`] computes it but on the
    /// trees' flat layout (several times faster): the query-time path. The layout is
    /// built on the first call, so the ensemble must not change afterwards.
    #[inline]
    pub fn score(&self, x: &[f32]) -> f32 {
        match self.flat.get_or_init(|| FlatForest::new(self)) {
            Some(f) => f.score(x),
            None => self.predict(x),
        }
    }

    /// The scores of many feature vectors, each equal to [`Ensemble::score`] of it
    /// (the same trees summed in the same order), written to `out`. Walks every tree
    /// for several vectors at once, so the vectors' independent walks overlap in the
    /// processor instead of each waiting on its own chain of loads: the ranking of a
    /// search's candidates.
    pub fn score_many<X: AsRef<[f32]>>(&self, xs: &[X], out: &mut Vec<f32>) {
        out.clear();
        match self.flat.get_or_init(|| FlatForest::new(self)) {
            Some(f) => f.score_many(xs, out),
            None => out.extend(xs.iter().map(|x| self.predict(x.as_ref()))),
        }
    }

    /// Per-feature contributions to the score (they sum to the score minus the
    /// ensemble's expected value).
    pub fn contributions(&self, x: &[f32]) -> Vec<f32> {
        let mut out = vec![0.0; self.features];
        for (t, e) in self.trees.iter().zip(&self.expected) {
            t.contributions(x, &mut out, e);
        }
        out
    }

    /// Checks that every node refers to a feature and a node that exist.
    pub fn check(&self, n_features: usize) -> Result<(), String> {
        if self.features != n_features {
            return Err(format!(
                "ranker expects {} features, not {n_features}",
                self.features
            ));
        }
        if self.expected.len() != self.trees.len() {
            return Err("ranker: expected values do not match the trees".into());
        }
        for (ti, t) in self.trees.iter().enumerate() {
            if t.nodes.is_empty() || self.expected[ti].len() != t.nodes.len() {
                return Err(format!("ranker: tree {ti} is empty or inconsistent"));
            }
            for n in &t.nodes {
                let bad_child =
                    n.left as usize >= t.nodes.len() || n.right as usize >= t.nodes.len();
                if (n.left != 0 && (n.feature as usize >= n_features || bad_child))
                    || !n.value.is_finite()
                {
                    return Err(format!("ranker: tree {ti} has an invalid node"));
                }
            }
        }
        Ok(())
    }
}

/// Trees completed to one depth and stored level by level, so that scoring a tree is a
/// fixed number of branch-free steps over contiguous arrays instead of a pointer walk.
/// A leaf above the full depth becomes a split that always goes left, with its value
/// copied to every leaf below it.
#[derive(Debug, Clone, PartialEq)]
struct FlatForest {
    depth: u32,
    /// The features of a vector.
    width: usize,
    /// `2^depth` per tree: its `2^depth - 1` splits level by level, then one unused.
    splits: Vec<Split>,
    /// Leaf values, `2^depth` per tree.
    leaves: Vec<f32>,
}

/// A split of the flat layout: go right when the value is not `<=` the threshold.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Split {
    threshold: f32,
    feature: u32,
}

/// Whether a split sends `v` right: unless `v <= threshold`, so NaN goes right as in
/// the tree walk. Written as the negation because that is one unordered comparison;
/// `v > threshold || v.is_nan()` compiles to two and scores 15% slower.
#[inline(always)]
#[allow(clippy::neg_cmp_op_on_partial_ord)]
fn goes_right(v: f32, threshold: f32) -> bool {
    !(v <= threshold)
}

/// The deepest trees laid out flat (2^12 leaves per tree).
const MAX_FLAT_DEPTH: u32 = 12;
/// Feature vectors walked through a tree together by [`Ensemble::score_many`].
const LANES: usize = 8;
/// The widest vectors that [`FlatForest::score_many`] walks in fixed-size buffers.
const MAX_LANE_WIDTH: usize = 64;

impl FlatForest {
    fn new(e: &Ensemble) -> Option<FlatForest> {
        fn depth(t: &Tree, i: usize) -> u32 {
            let n = &t.nodes[i];
            if n.left == 0 {
                0
            } else {
                1 + depth(t, n.left as usize).max(depth(t, n.right as usize))
            }
        }
        let d = e.trees.iter().map(|t| depth(t, 0)).max()?;
        if d > MAX_FLAT_DEPTH {
            return None;
        }
        let n = 1usize << d;
        let always_left = Split {
            threshold: f32::INFINITY,
            feature: 0,
        };
        let mut f = FlatForest {
            depth: d,
            width: e.features,
            splits: vec![always_left; n * e.trees.len()],
            leaves: vec![0.0; n * e.trees.len()],
        };
        for (ti, t) in e.trees.iter().enumerate() {
            // (flat position, tree node) pairs, level by level.
            let mut level = vec![(0usize, 0usize)];
            for _ in 0..d {
                let mut next = Vec::with_capacity(level.len() * 2);
                for &(pos, node) in &level {
                    let nd = &t.nodes[node];
                    let (l, r) = if nd.left == 0 {
                        (node, node)
                    } else {
                        if nd.feature as usize >= e.features {
                            return None;
                        }
                        f.splits[ti * n + pos] = Split {
                            threshold: nd.threshold,
                            feature: nd.feature as u32,
                        };
                        (nd.left as usize, nd.right as usize)
                    };
                    next.push((2 * pos + 1, l));
                    next.push((2 * pos + 2, r));
                }
                level = next;
            }
            for (pos, node) in level {
                f.leaves[ti * n + pos - (n - 1)] = t.nodes[node].value;
            }
        }
        Some(f)
    }

    /// [`FlatForest::score`] of each of `xs`, appended to `out`: [`LANES`] vectors
    /// at a time through each tree (a fixed count, so their positions stay in
    /// registers); a short last group is padded with its last vector, or, when only a
    /// few are left, they walk alone.
    fn score_many<X: AsRef<[f32]>>(&self, xs: &[X], out: &mut Vec<f32>) {
        if self.width > MAX_LANE_WIDTH {
            out.extend(xs.iter().map(|x| self.score(x.as_ref())));
            return;
        }
        let mut lanes = [[0.0f32; MAX_LANE_WIDTH]; LANES];
        for group in xs.chunks(LANES) {
            if group.len() < LANES / 2 {
                // A few vectors walk alone faster than a padded group.
                out.extend(group.iter().map(|x| self.score(x.as_ref())));
                continue;
            }
            for (j, lane) in lanes.iter_mut().enumerate() {
                let x = group[j.min(group.len() - 1)].as_ref();
                lane[..self.width].copy_from_slice(&x[..self.width]);
            }
            let sums = match self.depth {
                0 => [self.leaves.iter().sum(); LANES],
                1 => self.walk::<1, 2>(&lanes),
                2 => self.walk::<2, 4>(&lanes),
                3 => self.walk::<3, 8>(&lanes),
                4 => self.walk::<4, 16>(&lanes),
                5 => self.walk::<5, 32>(&lanes),
                6 => self.walk::<6, 64>(&lanes),
                7 => self.walk::<7, 128>(&lanes),
                8 => self.walk::<8, 256>(&lanes),
                _ => std::array::from_fn(|j| self.score(&lanes[j][..self.width])),
            };
            out.extend_from_slice(&sums[..group.len()]);
        }
    }

    /// The sums over the trees for [`LANES`] vectors, the trees being of depth `D`
    /// with `N = 2^D` entries each: every index is masked into a fixed-size array, so
    /// the walk has no bounds checks and no branches.
    #[inline]
    fn walk<const D: u32, const N: usize>(
        &self,
        lanes: &[[f32; MAX_LANE_WIDTH]; LANES],
    ) -> [f32; LANES] {
        let mut sums = [0.0f32; LANES];
        let (splits, _) = self.splits.as_chunks::<N>();
        let (leaves, _) = self.leaves.as_chunks::<N>();
        for (ss, ls) in splits.iter().zip(leaves) {
            let mut at = [0usize; LANES];
            for _ in 0..D {
                for j in 0..LANES {
                    let s = ss[at[j] & (N - 1)];
                    // Left when `v <= threshold`, so NaN goes right.
                    let right = goes_right(
                        lanes[j][s.feature as usize & (MAX_LANE_WIDTH - 1)],
                        s.threshold,
                    );
                    at[j] = 2 * at[j] + 1 + right as usize;
                }
            }
            for j in 0..LANES {
                sums[j] += ls[(at[j] + 1) & (N - 1)];
            }
        }
        sums
    }

    #[inline]
    fn score(&self, x: &[f32]) -> f32 {
        let n = 1usize << self.depth;
        let mut sum = 0.0;
        for (ss, ls) in self.splits.chunks_exact(n).zip(self.leaves.chunks_exact(n)) {
            let mut i = 0usize;
            for _ in 0..self.depth {
                let s = ss[i];
                // As the tree walk: left when `v <= threshold`, so NaN goes right.
                let right = goes_right(x[s.feature as usize], s.threshold);
                i = 2 * i + 1 + right as usize;
            }
            sum += ls[i + 1 - n];
        }
        sum
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A chain of `depth` splits, each on feature `depth % width`, going left to a leaf
    /// and right to the next split: every depth of the flat layout, unbalanced trees.
    fn chain(depth: usize, width: usize, seed: f32) -> Tree {
        let mut nodes = Vec::new();
        for d in 0..depth {
            let at = nodes.len() as u32;
            nodes.push(Node {
                feature: ((d * 7 + depth) % width) as u16,
                threshold: seed * (d as f32 - 1.5),
                left: at + 1,
                right: at + 2,
                value: 0.0,
            });
            nodes.push(Node {
                feature: 0,
                threshold: 0.0,
                left: 0,
                right: 0,
                value: seed + d as f32,
            });
        }
        nodes.push(Node {
            feature: 0,
            threshold: 0.0,
            left: 0,
            right: 0,
            value: -seed,
        });
        Tree { nodes }
    }

    #[test]
    fn batched_scores_equal_single_walks_at_every_depth_and_count() {
        let width = 5;
        let rows: Vec<Vec<f32>> = (0..21)
            .map(|i| {
                (0..width)
                    .map(|f| {
                        if (i + f) % 9 == 0 {
                            f32::NAN
                        } else {
                            ((i * 3 + f * 5) % 11) as f32 - 5.0
                        }
                    })
                    .collect()
            })
            .collect();
        for depth in [0, 1, 3, 4, 8, 10, 13] {
            let trees: Vec<Tree> = (0..5)
                .map(|t| chain(depth, width, 0.5 + t as f32))
                .collect();
            let expected = trees.iter().map(|t| vec![0.0; t.nodes.len()]).collect();
            let m = Ensemble::new(width, trees, expected);
            for n in 0..=rows.len() {
                let mut many = Vec::new();
                m.score_many(&rows[..n], &mut many);
                let one: Vec<f32> = rows[..n].iter().map(|r| m.predict(r)).collect();
                assert_eq!(many, one, "depth {depth}, {n} vectors");
            }
        }
    }
}
