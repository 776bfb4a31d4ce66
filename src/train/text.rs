//! Training and held-out evaluation of the text model on a corpus's own reviews.

use rayon::prelude::*;

use crate::analysis::Analyzer;
use crate::model::clauses::clauses;
use crate::model::text::{auc, features, Example, TextModel, TextModelConfig, TextModelReport};

/// A review offered to training: day, stars and text.
pub struct LabelledReview<'a> {
    /// Days since 1970-01-01.
    pub day: i32,
    /// Stars 1-5.
    pub stars: u8,
    /// Text.
    pub text: &'a str,
}

/// Most clauses used for training (enough for the hashed model to converge).
pub const MAX_TRAIN_CLAUSES: usize = 1_500_000;

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
            let words = analyzer.words(r.text);
            let cl = clauses(&analyzer, r.text, &words);
            let clauses = cl
                .iter()
                .map(|c| {
                    let mut f = Vec::new();
                    features(&words[c.start..c.end], &mut f);
                    f
                })
                .collect();
            Prepared {
                day: r.day,
                positive: r.stars >= 4,
                clauses,
                words: words.len(),
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
    for p in train {
        for c in &mut p.clauses {
            if examples.len() >= MAX_TRAIN_CLAUSES {
                break;
            }
            // Moved, not copied: the training clauses are not needed afterwards.
            examples.push(Example {
                features: std::mem::take(c),
                label: if p.positive { 1.0 } else { 0.0 },
            });
        }
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
        train_clauses: examples.len() as u64,
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
