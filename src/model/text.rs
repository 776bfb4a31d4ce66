//! The text model: how positive a clause is, learned from review text and stars.
//!
//! A logistic regression over hashed features of a clause's stemmed words: unigrams,
//! bigrams and skip-bigrams (so that "not good" and "wasn't anything special" are read
//! as units), trained by AdaGrad SGD on clauses weakly labelled by their review's
//! stars (4-5 positive, 1-2 negative, 3 left out). Clauses that name a dish without
//! judging it ("I wish they had pasta") appear in good and bad reviews alike, so the
//! model learns to score them near zero: no hand-written lexicon is involved.

use serde::{Deserialize, Serialize};

use crate::analysis::Word;

/// Hashing dimension (2^19 weights).
pub const DIM_BITS: u32 = 19;

/// Training settings.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct TextModelConfig {
    /// Passes over the training clauses.
    pub epochs: usize,
    /// AdaGrad base learning rate.
    pub learning_rate: f32,
    /// L2 regularisation per update.
    pub l2: f32,
    /// Seed of the shuffling order.
    pub seed: u64,
}

impl Default for TextModelConfig {
    fn default() -> Self {
        TextModelConfig {
            epochs: 3,
            learning_rate: 0.2,
            l2: 1e-6,
            seed: 7,
        }
    }
}

/// A trained clause-sentiment model.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct TextModel {
    /// Bias.
    pub bias: f32,
    /// Hashed weights, `2^DIM_BITS` of them.
    #[serde(with = "weights_b64")]
    pub weights: Vec<f32>,
}

/// Held-out figures of a text model (time split: the newest tenth of the sample).
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct TextModelReport {
    /// Clauses trained on.
    pub train_clauses: u64,
    /// Clauses held out.
    pub test_clauses: u64,
    /// Reviews held out.
    pub test_reviews: u64,
    /// AUC of clause logits against their review's polarity (held out).
    pub clause_auc: f64,
    /// AUC of a review's mean clause logit against its polarity (held out).
    pub review_auc: f64,
    /// Accuracy of the review-level sign against its polarity (held out).
    pub review_accuracy: f64,
    /// Accuracy of always answering the majority class (held out).
    pub majority_accuracy: f64,
    /// AUC of review length, a trivial baseline (held out).
    pub length_auc: f64,
}

/// A training example: feature hashes and a 0/1 label.
pub struct Example {
    /// Hashed feature indices.
    pub features: Vec<u32>,
    /// 1.0 positive, 0.0 negative.
    pub label: f32,
}

fn mix(a: u64, b: u64) -> u64 {
    // splitmix64 finaliser over a combined key.
    let mut z = a ^ b.wrapping_mul(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// The hashed features of the words `words` (one clause).
pub fn features(words: &[Word], out: &mut Vec<u32>) {
    out.clear();
    let mask = (1u64 << DIM_BITS) - 1;
    for (i, w) in words.iter().enumerate() {
        let a = w.term_hash;
        out.push((mix(a, 1) & mask) as u32);
        if let Some(b) = words.get(i + 1) {
            out.push((mix(a, mix(b.term_hash, 2)) & mask) as u32);
        }
        if let Some(c) = words.get(i + 2) {
            out.push((mix(a, mix(c.term_hash, 3)) & mask) as u32);
        }
    }
}

impl TextModel {
    /// The untrained model (every clause scores 0).
    pub fn zero() -> Self {
        TextModel {
            bias: 0.0,
            weights: vec![0.0; 1 << DIM_BITS],
        }
    }

    /// The logit of a clause given its features.
    #[inline]
    pub fn logit(&self, features: &[u32]) -> f32 {
        let s: f32 = features
            .iter()
            .map(|&f| self.weights.get(f as usize).copied().unwrap_or(0.0))
            .sum();
        // The bias carries the corpus's positive skew; a clause is judged relative to it.
        s
    }

    /// The logit of a clause made of `words`.
    pub fn score_words(&self, words: &[Word], scratch: &mut Vec<u32>) -> f32 {
        features(words, scratch);
        self.logit(scratch)
    }

    /// Trains on `examples` (shuffled deterministically by `config.seed`).
    pub fn train(examples: &[Example], config: &TextModelConfig) -> TextModel {
        use rand::seq::SliceRandom;
        use rand::SeedableRng;
        let mut sgd = AdaGrad::new(config);
        let mut order: Vec<usize> = (0..examples.len()).collect();
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(config.seed);
        // The epoch's examples copied out in its order, a block at a time, so that the
        // updates read them in sequence: read in shuffled order, each example was a
        // cache miss or two that the updates waited for, while the copy's reads are
        // independent and overlap. The next block is copied on another core while the
        // updates read this one (they are serial, and the copy was a part of their
        // time). The same updates in the same order.
        const BLOCK: usize = 16_384;
        let (mut this, mut next) = (Block::default(), Block::default());
        for _ in 0..config.epochs {
            order.shuffle(&mut rng);
            let mut blocks = order.chunks(BLOCK);
            let Some(first) = blocks.next() else {
                continue;
            };
            this.fill(examples, first);
            loop {
                let upcoming = blocks.next();
                rayon::join(
                    || {
                        this.spans
                            .iter()
                            .for_each(|&(from, to, label)| sgd.step(&this.flat[from..to], label))
                    },
                    || {
                        if let Some(b) = upcoming {
                            next.fill(examples, b)
                        }
                    },
                );
                if upcoming.is_none() {
                    break;
                }
                std::mem::swap(&mut this, &mut next);
            }
        }
        sgd.model
    }

    /// Probability that a clause with these features is positive.
    pub fn probability(&self, features: &[u32]) -> f32 {
        1.0 / (1.0 + (-(self.bias + self.logit(features))).exp())
    }
}

/// A block of training examples copied out in training order: their features end to
/// end, and each example's span of them with its label.
#[derive(Default)]
struct Block {
    flat: Vec<u32>,
    spans: Vec<(usize, usize, f32)>,
}

impl Block {
    fn fill(&mut self, examples: &[Example], order: &[usize]) {
        self.flat.clear();
        self.spans.clear();
        for &i in order {
            let ex = &examples[i];
            let from = self.flat.len();
            self.flat.extend_from_slice(&ex.features);
            self.spans.push((from, self.flat.len(), ex.label));
        }
    }
}

/// Logistic regression by AdaGrad SGD, one example at a time.
struct AdaGrad<'a> {
    model: TextModel,
    /// Sum of squared gradients of each weight, and of the bias.
    g2: Vec<f32>,
    bias_g2: f32,
    config: &'a TextModelConfig,
}

impl<'a> AdaGrad<'a> {
    fn new(config: &'a TextModelConfig) -> Self {
        let model = TextModel::zero();
        AdaGrad {
            g2: vec![1e-3; model.weights.len()],
            bias_g2: 1e-3,
            model,
            config,
        }
    }

    /// One update on a clause's features and its label (1 positive, 0 negative).
    #[inline]
    fn step(&mut self, features: &[u32], label: f32) {
        let (m, c) = (&mut self.model, self.config);
        let z = m.bias + m.logit(features);
        let g = 1.0 / (1.0 + (-z).exp()) - label;
        self.bias_g2 += g * g;
        m.bias -= c.learning_rate * g / self.bias_g2.sqrt();
        for &f in features {
            let f = f as usize;
            let gf = g + c.l2 * m.weights[f];
            self.g2[f] += gf * gf;
            m.weights[f] -= c.learning_rate * gf / self.g2[f].sqrt();
        }
    }
}

/// Area under the ROC curve of `scores` for binary `labels`.
pub fn auc(scores: &[f32], labels: &[bool]) -> f64 {
    let mut idx: Vec<usize> = (0..scores.len()).collect();
    idx.sort_by(|&a, &b| scores[a].total_cmp(&scores[b]));
    let (mut rank_sum, mut pos, mut i) = (0f64, 0u64, 0usize);
    while i < idx.len() {
        let mut j = i;
        while j < idx.len() && scores[idx[j]] == scores[idx[i]] {
            j += 1;
        }
        let avg_rank = (i + j + 1) as f64 / 2.0; // ranks i+1..=j
        for &k in &idx[i..j] {
            if labels[k] {
                rank_sum += avg_rank;
                pos += 1;
            }
        }
        i = j;
    }
    let neg = labels.len() as u64 - pos;
    if pos == 0 || neg == 0 {
        return 0.5;
    }
    (rank_sum - (pos * (pos + 1)) as f64 / 2.0) / (pos * neg) as f64
}

mod weights_b64 {
    use base64::Engine;
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(w: &[f32], s: S) -> Result<S::Ok, S::Error> {
        let bytes: Vec<u8> = w.iter().flat_map(|x| x.to_le_bytes()).collect();
        s.serialize_str(&base64::engine::general_purpose::STANDARD.encode(bytes))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<f32>, D::Error> {
        let s = String::deserialize(d)?;
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(s)
            .map_err(serde::de::Error::custom)?;
        if bytes.len() % 4 != 0 {
            return Err(serde::de::Error::custom(
                "weights: length is not a multiple of 4",
            ));
        }
        Ok(bytes
            .chunks_exact(4)
            .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The examples read straight from the shuffled order, one at a time.
    fn reference(examples: &[Example], config: &TextModelConfig) -> TextModel {
        use rand::seq::SliceRandom;
        use rand::SeedableRng;
        let mut sgd = AdaGrad::new(config);
        let mut order: Vec<usize> = (0..examples.len()).collect();
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(config.seed);
        for _ in 0..config.epochs {
            order.shuffle(&mut rng);
            for &i in &order {
                sgd.step(&examples[i].features, examples[i].label);
            }
        }
        sgd.model
    }

    #[test]
    fn training_in_blocks_equals_one_example_at_a_time() {
        use rand::{Rng, SeedableRng};
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(3);
        // More than two blocks, the last one partial; features shared across examples
        // (a small vocabulary) and empty clauses among them.
        let examples: Vec<Example> = (0..40_000)
            .map(|_| {
                let n = rng.gen_range(0..12);
                Example {
                    features: (0..n).map(|_| rng.gen_range(0..5_000)).collect(),
                    label: rng.gen_range(0..2) as f32,
                }
            })
            .collect();
        let config = TextModelConfig::default();
        let (got, want) = (
            TextModel::train(&examples, &config),
            reference(&examples, &config),
        );
        assert_eq!(got.bias.to_bits(), want.bias.to_bits());
        assert!(got
            .weights
            .iter()
            .zip(&want.weights)
            .all(|(a, b)| a.to_bits() == b.to_bits()));
        assert!(
            got.weights.iter().any(|&w| w != 0.0),
            "it learned something"
        );
    }
}
