//! Training and held-out evaluation of the text model on a corpus's own reviews:
//! logistic regression by AdaGrad SGD of each review's polarity (its stars) on the
//! hashed features of all its clauses (which, like the scoring, are the model floor's),
//! so that a clause's weight is what it adds to its review's verdict.
//!
//! Each review is one example, not each clause with its review's label: labelled one by
//! one, a clause that judges nothing ("next time I want to try the bacon", "I'm trying to
//! cut back on bacon") takes the label of the verdicts beside it, and since such clauses
//! come more often in long, mostly glowing reviews, it was read as praise (+1.5 to +3 on
//! the development corpus, above "the bacon was absolutely succulent!"). Fitted to the
//! whole review, the verdicts explain its stars and the clause that judges nothing is
//! credited far less (explaining away: +3.2 → +1.3 in this module's test; not zero, as
//! the first passes credit it before the verdicts' words carry the stars), while the
//! model still scores a clause alone.

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::analysis::Analyzer;
use crate::model::clauses::clauses;
use crate::model::text::{features_with, Marks, TextModel, TextModelReport};

/// A review offered to training: day, stars and text.
pub struct LabelledReview<'a> {
    /// Days since 1970-01-01.
    pub day: i32,
    /// Stars 1-5.
    pub stars: u8,
    /// Text.
    pub text: &'a str,
}

/// Most clauses used for training, in whole reviews (enough for the hashed model to
/// converge).
pub const MAX_TRAIN_CLAUSES: usize = 1_500_000;

impl<'a> LabelledReview<'a> {
    /// Rows of (stars, text) as reviews in their order: each dated by its place, so that
    /// the held-out tenth is the last rows (for reviews read from files whose dates do
    /// not matter).
    pub fn in_order(rows: &'a [(u8, String)]) -> Vec<LabelledReview<'a>> {
        rows.iter()
            .enumerate()
            .map(|(i, (stars, text))| LabelledReview {
                day: i as i32,
                stars: *stars,
                text,
            })
            .collect()
    }
}

/// The hashed features of each clause of `text`, as the model reads them with `marks`,
/// and the text's number of words.
fn clause_features(analyzer: &Analyzer, text: &str, marks: Marks) -> (Vec<Vec<u32>>, usize) {
    let words = analyzer.words(text);
    let features = clauses(analyzer, text, &words)
        .iter()
        .map(|c| {
            let mut f = Vec::new();
            features_with(&words[c.start..c.end], marks, &mut f);
            f
        })
        .collect();
    (features, words.len())
}

struct Prepared {
    day: i32,
    positive: bool,
    clauses: Vec<Vec<u32>>,
    words: usize,
}

/// Trains the text model on `reviews` (3-star reviews are left out) and reports its
/// held-out quality on the newest 10% of them. Returns `None` when there are too few
/// polar reviews to learn from (under 200).
pub fn train_text_model(
    reviews: &[LabelledReview<'_>],
    config: &TextModelConfig,
) -> Option<(TextModel, TextModelReport)> {
    let analyzer = Analyzer::default();
    let mut prepared: Vec<Prepared> = reviews
        .par_iter()
        .filter(|r| r.stars != 3)
        .map(|r| {
            let (clauses, words) = clause_features(&analyzer, r.text, config.marks());
            Prepared {
                day: r.day,
                positive: r.stars >= 4,
                clauses,
                words,
            }
        })
        .collect();
    if prepared.len() < 200 {
        return None;
    }
    prepared.sort_by_key(|p| p.day);
    let split = prepared.len() * 9 / 10;
    let (train, test) = prepared.split_at_mut(split);
    let mut examples = Vec::new();
    let mut train_clauses = 0usize;
    for p in train.iter_mut() {
        if train_clauses >= MAX_TRAIN_CLAUSES {
            break;
        }
        train_clauses += p.clauses.len();
        // Taken: a training review's clauses are not needed apart afterwards, only joined
        // into its one example.
        let clauses = std::mem::take(&mut p.clauses);
        examples.push(Example {
            features: clauses.concat(),
            label: if p.positive { 1.0 } else { 0.0 },
        });
    }
    let model = TextModel::train(&examples, config);
    let (mut cs, mut cl, mut rs, mut rl, mut lens) = (vec![], vec![], vec![], vec![], vec![]);
    let mut test_clauses = 0u64;
    for p in test {
        let logits: Vec<f32> = p.clauses.iter().map(|c| model.logit(c)).collect();
        test_clauses += logits.len() as u64;
        for &l in &logits {
            cs.push(l);
            cl.push(p.positive);
        }
        let mean = logits.iter().sum::<f32>() / logits.len().max(1) as f32;
        rs.push(mean);
        rl.push(p.positive);
        lens.push(-(p.words as f32));
    }
    let pos = rl.iter().filter(|&&x| x).count() as f64;
    let n = rl.len().max(1) as f64;
    // The sign threshold is the training prior, as the logits exclude the bias.
    let correct = rs
        .iter()
        .zip(&rl)
        .filter(|(s, l)| ((**s + model.bias) > 0.0) == **l)
        .count() as f64;
    let report = TextModelReport {
        train_clauses: train_clauses as u64,
        train_reviews: examples.len() as u64,
        test_clauses,
        test_reviews: rl.len() as u64,
        clause_auc: auc(&cs, &cl),
        review_auc: auc(&rs, &rl),
        review_accuracy: correct / n,
        majority_accuracy: pos.max(n - pos) / n,
        length_auc: auc(&lens, &rl),
    };
    Some((model, report))
}

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
    /// Whether words after a negator get unigrams of their own (the default; off for an
    /// ablation, as `examples/text_model_probe.rs --without-negation-marks` does).
    pub negation_marks: bool,
}

impl TextModelConfig {
    /// The marks its features are made with: today's, or none at all.
    pub fn marks(&self) -> Marks {
        Marks {
            negation: self.negation_marks,
            never_degree: self.negation_marks,
        }
    }
}

impl Default for TextModelConfig {
    fn default() -> Self {
        TextModelConfig {
            epochs: 3,
            learning_rate: 0.2,
            l2: 1e-6,
            seed: 7,
            negation_marks: true,
        }
    }
}

/// A training example: feature hashes and a 0/1 label.
pub struct Example {
    /// Hashed feature indices.
    pub features: Vec<u32>,
    /// 1.0 positive, 0.0 negative.
    pub label: f32,
}

impl TextModel {
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
        // The model reads clauses as its examples' features were made.
        let marks = config.marks();
        let model = TextModel {
            negation_marks: marks.negation,
            never_degree: marks.never_degree,
            ..TextModel::zero()
        };
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

    /// The score of `text` read as one clause.
    fn score(model: &TextModel, text: &str) -> f32 {
        let words = Analyzer::default().words(text);
        let mut f = Vec::new();
        model.score_words(&words, &mut f)
    }

    #[test]
    fn a_clause_that_judges_nothing_is_not_praised_for_the_verdicts_beside_it() {
        use rand::{Rng, SeedableRng};
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(11);
        let praise = [
            "The pasta was delicious.",
            "Loved the tacos, amazing.",
            "Great burger, perfectly cooked.",
        ];
        let complaints = [
            "The pasta was awful.",
            "Hated the tacos, terrible.",
            "Bland burger, badly cooked.",
        ];
        // Four reviews in five are glowing, and the long glowing ones also say something
        // that judges nothing: "I'm trying to cut back on bacon" stands in 60% of the
        // good reviews and 10% of the bad ones. Labelled clause by clause, it takes the
        // stars of the verdicts beside it (96% positive): +3.2 here.
        let texts: Vec<(u8, String)> = (0..4_000)
            .map(|_| {
                let good = rng.gen_bool(0.8);
                let verdicts = if good { &praise } else { &complaints };
                let mut t = verdicts[rng.gen_range(0..3)].to_string();
                if rng.gen_bool(if good { 0.6 } else { 0.1 }) {
                    t.push_str(" I'm trying to cut back on bacon.");
                }
                t.push_str(" We came on a Tuesday.");
                (if good { 5 } else { 1 }, t)
            })
            .collect();
        let config = TextModelConfig::default();
        let reviews = LabelledReview::in_order(&texts);
        let (model, report) = train_text_model(&reviews, &config).unwrap();
        assert_eq!(report.train_reviews, 3_600);
        let passing = score(&model, "I'm trying to cut back on bacon.");
        // The same reviews labelled clause by clause, as the model was trained before.
        let analyzer = Analyzer::default();
        let clause_examples: Vec<Example> = texts[..3_600]
            .iter()
            .flat_map(|(stars, text)| {
                let label = (*stars >= 4) as u8 as f32;
                let (clauses, _) = clause_features(&analyzer, text, config.marks());
                clauses
                    .into_iter()
                    .map(move |features| Example { features, label })
            })
            .collect();
        let by_clause = TextModel::train(&clause_examples, &config);
        let passing_by_clause = score(&by_clause, "I'm trying to cut back on bacon.");
        eprintln!("\"I'm trying to cut back on bacon\": {passing:.2} fitted to reviews, {passing_by_clause:.2} clause by clause");
        // Not all the way to zero (the first passes credit it before the verdicts' words
        // carry the stars), but well under half of what clause labels taught, and under
        // every verdict of praise.
        assert!(
            passing < passing_by_clause / 2.0,
            "no verdict, read as {passing} (clause by clause {passing_by_clause})"
        );
        for p in praise {
            assert!(
                score(&model, p) > passing.max(1.0),
                "{p}: {}",
                score(&model, p)
            );
        }
        for c in complaints {
            assert!(score(&model, c) < -1.0, "{c}: {}", score(&model, c));
        }
    }
}
