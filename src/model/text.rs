//! The text model: how positive a clause is, learned from review text and stars.
//!
//! A logistic regression over hashed features of a clause's stemmed words: unigrams,
//! bigrams and skip-bigrams (so that "not good" and "wasn't anything special" are read
//! as units), trained by AdaGrad SGD on clauses weakly labelled by their review's
//! stars (4-5 positive, 1-2 negative, 3 left out). Clauses that name a dish without
//! judging it ("I wish they had pasta") appear in good and bad reviews alike, so the
//! model learns to score them near zero: no hand-written lexicon is involved.
//!
//! Here: the model, its features and its scores. Its training is the train floor's.

use serde::{Deserialize, Serialize};

use crate::analysis::Word;

/// Hashing dimension (2^19 weights).
pub const DIM_BITS: u32 = 19;

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

    /// Probability that a clause with these features is positive.
    pub fn probability(&self, features: &[u32]) -> f32 {
        1.0 / (1.0 + (-(self.bias + self.logit(features))).exp())
    }
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
