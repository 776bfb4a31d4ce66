//! The text model: how positive a clause is, learned from review text and stars.
//!
//! A logistic regression over hashed features of a clause's stemmed words: unigrams
//! (marked when a negator precedes them in the clause, so that the "bad" of "not bad at
//! all" is not the "bad" of "bad pasta"), bigrams and skip-bigrams (so that "not good"
//! and "wasn't anything special" are read as units), trained by AdaGrad SGD on whole
//! reviews weakly labelled by their stars (4-5 positive, 1-2 negative, 3 left out): a
//! review's logit is the sum of its clauses', so a clause is weighted by what it adds to
//! its review's verdict. Clauses that name a dish without judging it ("next time I'll try
//! the pasta") add nothing the verdicts beside them do not already say, so the model
//! learns to score them nearer zero: no hand-written lexicon of opinion words is involved
//! (the train floor's `text` module says why reviews, not clauses, are the examples).
//! One kind it cannot learn, since the stars say
//! nothing of it: a clause saying the place does not have the dish (does not sell it,
//! took it off the menu, was out of it, or is wished to have it), which is read as no
//! verdict by rule ([`TextModel::score_words`]).
//!
//! Here: the model, its features and its scores. Its training is the train floor's.

use std::sync::OnceLock;

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
    /// Whether its unigrams are marked after a negator ([`is_negator`]): true for
    /// models trained since; model files written before have none and keep reading
    /// clauses as they were trained to (and, written as they were, their content hash
    /// still holds: the field is written only when true).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub negation_marks: bool,
    /// Whether a "never" stops marking at a word of degree ("never had pasta this
    /// good", "never been so disappointed": see [`Marks`]): true for models trained
    /// since, absent (false) in files written before, as `negation_marks`.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub never_degree: bool,
}

/// How a clause's unigrams are marked after a negator (what a model was trained with).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Marks {
    /// Words after a negator get unigrams of their own ([`is_negator`]).
    pub negation: bool,
    /// After "never", a word of degree ("this", "so", "such") ends the marks: "I've never
    /// had pasta this good" praises the pasta and "never been so disappointed" complains,
    /// so the words after the degree are read as they are, not as negated ("not so
    /// good" is still negated: only "never" sets an experience apart this way).
    pub never_degree: bool,
}

impl Marks {
    /// The marks of models trained today.
    pub const CURRENT: Marks = Marks {
        negation: true,
        never_degree: true,
    };
}

/// Held-out figures of a text model (time split: the newest tenth of the sample).
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct TextModelReport {
    /// Clauses trained on.
    pub train_clauses: u64,
    /// Reviews trained on (each review one example; 0 in files written before).
    #[serde(default)]
    pub train_reviews: u64,
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

/// Whether a word (its analysed term) negates what follows it in its clause: the words
/// after it, to the clause's end, get unigram features of their own ("not ... bad" is
/// not "bad"), and a second negator turns them back. A standard device of sentiment
/// models (negation scope marking, Das & Chen 2001; Pang et al. 2002): the weights of the
/// negated words are still learned from the corpus. On the real Yelp samples it raises
/// the held-out clause AUC from 0.823 to 0.827 (`examples/text_model_probe.rs`).
pub fn is_negator(term: &str) -> bool {
    NEGATORS.contains(&term) || term.ends_with("n't")
}

/// The negators' analysed terms (and [`is_negator`]'s contractions ending in "n't").
const NEGATORS: [&str; 25] = [
    "not", "no", "never", "nor", "without", "noth", "nothing", "none", "cannot", "dont", "didnt",
    "doesnt", "isnt", "wasnt", "werent", "arent", "cant", "couldnt", "wouldnt", "shouldnt", "wont",
    "havent", "hasnt", "hadnt", "aint",
];

/// Whether the negator `words[i]` starts a statement of absence, a clause saying that the
/// place does not sell something: a negator, then within two words a verb of selling ("it
/// doesn't sell burgers", "they don't serve pasta anymore", "they no longer sell the
/// lasagna"). Such a clause is no verdict on the dish, however the review's stars lean,
/// and the stars are all the text model learns from: on the real Yelp samples it read "It
/// only missed 5 because it doesn't sell burgers" as clear praise of the burgers (+2.9)
/// and "they no longer sell the lasagna" as a clear complaint (−1.4). So
/// [`TextModel::score_words`] reads these clauses as no verdict (0), whatever the model.
/// The passive is not absence ("the pasta was not served hot", "it could not be served
/// hot" are complaints): a negator that is, follows or is followed by a form of "be" does
/// not count. A rule, not a lexicon of opinions: it names the few verbs of selling, never
/// a word of praise.
///
/// The same holds for a dish that is not on the menu ("the lasagna is no longer on the
/// menu", "it isn't on their menu anymore"; not "nothing on the menu was good", nor "not
/// everything on the menu"), and for the two cues of absence that are no negators
/// ([`absence_at`]).
fn absence_after(words: &[Word], i: usize) -> bool {
    let be = |w: &Word| BE.contains(&w.term.as_str());
    let selling = !(be(&words[i]) || (i > 0 && be(&words[i - 1])))
        && words[i + 1..]
            .iter()
            .take(2)
            .take_while(|v| !be(v))
            .any(|v| SELLING.contains(&v.term.as_str()));
    selling || off_the_menu(words, i)
}

/// The verbs of selling, analysed.
const SELLING: [&str; 7] = ["sell", "sold", "serv", "offer", "carri", "carry", "stock"];
/// The forms of "be", analysed.
const BE: [&str; 15] = [
    "is", "was", "were", "are", "be", "been", "being", "isnt", "wasnt", "werent", "arent", "isn't",
    "wasn't", "weren't", "aren't",
];

/// Whether the negator `words[i]` says that something is not on the menu: "not", "no",
/// "never" or a contraction, then within three words "on (the|their|its) menu".
fn off_the_menu(words: &[Word], i: usize) -> bool {
    let t = words[i].term.as_str();
    let plain = matches!(t, "not" | "no" | "never") || t.ends_with("n't") || t.ends_with("nt");
    let whole = |w: &Word| matches!(w.term.as_str(), "everyth" | "everything" | "all" | "everi");
    if !plain || words.get(i + 1).is_some_and(whole) {
        return false;
    }
    let rest = &words[i + 1..words.len().min(i + 6)];
    rest.iter().enumerate().take(3).any(|(k, w)| {
        w.term == "on"
            && match rest.get(k + 1).map(|v| v.term.as_str()) {
                Some("menu") => true,
                Some("the" | "their" | "its" | "our" | "this") => {
                    rest.get(k + 2).is_some_and(|v| v.term == "menu")
                }
                _ => false,
            }
    })
}

/// Whether `words[i]`, not a negator, starts a statement of absence: a wish that the
/// place had the dish ("I wish they had pasta", "wish they served brunch"; not "I wish
/// the pasta had more sauce", a complaint), or the place being out of it ("they were
/// out of pasta", "they ran out of the fries", "sold out of tamales by noon"; not "out
/// of this world", praise).
fn absence_at(words: &[Word], i: usize) -> bool {
    let term = |k: usize| words.get(k).map_or("", |w| w.term.as_str());
    match term(i) {
        "wish" => {
            const WHO: [&str; 7] = ["they", "he", "she", "we", "i", "you", "it"];
            const HAD: [&str; 9] = [
                "had", "have", "would", "could", "offer", "sold", "serv", "carri", "made",
            ];
            WHO.contains(&term(i + 1))
                && (HAD.contains(&term(i + 2)) || SELLING.contains(&term(i + 2)))
        }
        "out" => {
            const WERE_OUT: [&str; 6] = ["ran", "run", "sold", "all", "complet", "already"];
            let before = i > 0 && (BE.contains(&term(i - 1)) || WERE_OUT.contains(&term(i - 1)));
            before && term(i + 1) == "of" && !matches!(term(i + 2), "this" | "world")
        }
        _ => false,
    }
}

/// The words that start a statement of absence without being negators ([`absence_at`]).
const CUES: [&str; 2] = ["wish", "out"];
/// The words of degree that end a "never"'s marks ([`Marks`]).
const DEGREE: [&str; 3] = ["this", "so", "such"];

/// Whether a word may be a negator, a cue of absence or a word of degree: a 4,096-bit
/// filter of their terms' hashes (a few false positives, which the exact checks after it
/// turn away), or a contraction ending in "n't". Every word of every review is asked.
#[inline]
fn may_be_special(w: &Word) -> bool {
    static FILTER: OnceLock<[u64; 64]> = OnceLock::new();
    let filter = FILTER.get_or_init(|| {
        let mut f = [0u64; 64];
        let words = NEGATORS.iter().chain(&CUES).chain(&DEGREE);
        for h in words.map(|t| crate::analysis::term_hash(t)) {
            f[((h >> 6) & 63) as usize] |= 1 << (h & 63);
        }
        f
    });
    let h = w.term_hash;
    filter[((h >> 6) & 63) as usize] & (1 << (h & 63)) != 0 || w.term.ends_with("n't")
}

/// The hashed features of the words `words` (one clause): each word's unigram (marked
/// when a negator precedes it in the clause: see [`is_negator`]), and the bigram and
/// skip-bigram it starts.
pub fn features(words: &[Word], out: &mut Vec<u32>) {
    features_with(words, Marks::CURRENT, out);
}

/// [`features`], with or without the negation marks (models trained before them).
/// Returns whether the clause says the place does not sell something (a statement of
/// absence, no verdict: see [`TextModel::score_words`]), found in the same pass.
pub fn features_with(words: &[Word], marks: Marks, out: &mut Vec<u32>) -> bool {
    out.clear();
    let mask = (1u64 << DIM_BITS) - 1;
    let mut negated = false;
    // The marks were set by a "never".
    let mut by_never = false;
    let mut absent = false;
    for (i, w) in words.iter().enumerate() {
        let a = w.term_hash;
        // Nearly every word is no negator, cue or word of degree: one bit test says so.
        let special = may_be_special(w);
        if special && negated && by_never && DEGREE.contains(&w.term.as_str()) {
            negated = false;
        }
        out.push((mix(a, if negated { 5 } else { 1 }) & mask) as u32);
        if special {
            if is_negator(&w.term) {
                negated ^= marks.negation;
                by_never = negated && marks.never_degree && w.term == "never";
                absent = absent || absence_after(words, i);
            } else if !absent && CUES.contains(&w.term.as_str()) {
                absent = absence_at(words, i);
            }
        }
        if let Some(b) = words.get(i + 1) {
            out.push((mix(a, mix(b.term_hash, 2)) & mask) as u32);
        }
        if let Some(c) = words.get(i + 2) {
            out.push((mix(a, mix(c.term_hash, 3)) & mask) as u32);
        }
    }
    absent
}

impl TextModel {
    /// The untrained model (every clause scores 0).
    pub fn zero() -> Self {
        TextModel {
            bias: 0.0,
            weights: vec![0.0; 1 << DIM_BITS],
            negation_marks: true,
            never_degree: true,
        }
    }

    /// How its clauses' words are marked.
    pub fn marks(&self) -> Marks {
        Marks {
            negation: self.negation_marks,
            never_degree: self.never_degree,
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

    /// The logit of a clause made of `words`: 0, no verdict, for a clause that says the
    /// place does not sell something ("it doesn't sell burgers"; a negator, then within
    /// two words a verb of selling, not the passive; "no longer on the menu", "I wish
    /// they had", "they were out of"), which the stars cannot teach.
    pub fn score_words(&self, words: &[Word], scratch: &mut Vec<u32>) -> f32 {
        if features_with(words, self.marks(), scratch) {
            return 0.0;
        }
        self.logit(scratch)
    }

    /// Probability that a clause with these features is positive.
    pub fn probability(&self, features: &[u32]) -> f32 {
        1.0 / (1.0 + (-(self.bias + self.logit(features))).exp())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::Analyzer;

    fn feats(text: &str) -> Vec<u32> {
        let mut out = Vec::new();
        features(&Analyzer::default().words(text), &mut out);
        out
    }

    #[test]
    fn negators_are_recognised_as_analysed() {
        let a = Analyzer::default();
        let text = "not no never nor without nothing wasn't don't dont didnt can't cannot \
                    isn’t notable know nose";
        let neg: Vec<bool> = a.words(text).iter().map(|w| is_negator(&w.term)).collect();
        let n = neg.len();
        assert!(neg[..n - 3].iter().all(|&x| x), "{neg:?}");
        assert!(!neg[n - 3..].iter().any(|&x| x), "{neg:?}");
    }

    #[test]
    fn a_negator_marks_the_words_after_it_to_the_clause_end() {
        // Same words, same bigrams: only the unigrams after the negator differ.
        let (plain, negated) = (feats("good pasta here"), feats("not good pasta here"));
        assert_eq!(negated.len(), plain.len() + 3);
        let unigrams = |f: &[u32]| [f[0], f[3], f[5]];
        assert!(
            unigrams(&plain).iter().all(|u| !negated.contains(u)),
            "good, pasta and here are marked"
        );
        // A second negator turns the words after it back.
        let twice = feats("not never good");
        let once = feats("good");
        assert!(twice.contains(&once[0]), "never undoes not");
    }

    #[test]
    fn a_clause_saying_the_place_does_not_sell_it_is_no_verdict() {
        let a = Analyzer::default();
        let states_absence = |words: &[Word]| features_with(words, Marks::CURRENT, &mut Vec::new());
        for absent in [
            "It only missed 5 because it doesn't sell burgers.",
            "they don't serve pasta anymore",
            "They no longer sell the lasagna",
            "sadly they do not even offer dessert",
            "the shop doesn't carry gelato",
            "The pasta is no longer on the menu",
            "the lasagna isn't on their menu anymore",
            "I wish they had pasta",
            "wish they served brunch on sundays",
            "they were out of pasta",
            "We came for the tamales but they ran out of them",
            "They were sold out of fries by noon.",
        ] {
            assert!(states_absence(&a.words(absent)), "{absent}");
        }
        for verdict in [
            "the burgers were not good",
            "I have never had better burgers",
            "I didn't like the burgers",
            "the pasta was not served hot",
            "the pasta wasn't served hot",
            "it could not be served hot",
            "the fries aren't served with ketchup",
            "they sell the best burgers in town",
            "not a fan of how they serve it",
            "nothing on the menu was good",
            "not everything on the menu is great",
            "I wish the pasta had more sauce",
            "the pasta was out of this world",
            "best pasta out of all the places we tried",
        ] {
            assert!(!states_absence(&a.words(verdict)), "{verdict}");
        }
        // Whatever a model learned of its words.
        let mut m = TextModel::zero();
        m.weights.iter_mut().for_each(|w| *w = 0.5);
        let words = a.words("it doesn't sell burgers");
        assert_eq!(m.score_words(&words, &mut Vec::new()), 0.0);
        assert!(m.score_words(&a.words("it sells burgers"), &mut Vec::new()) > 0.0);
    }

    #[test]
    fn after_never_a_word_of_degree_ends_the_marks() {
        // The unmarked unigram of a word: its first feature alone.
        let plain = |w: &str| feats(w)[0];
        let read_plainly = |text: &str, w: &str| feats(text).contains(&plain(w));
        assert!(read_plainly("I never tried pasta this good", "good"));
        assert!(read_plainly("never had such good pasta", "good"));
        assert!(read_plainly(
            "I've never been so disappointed",
            "disappointed"
        ));
        assert!(!read_plainly("the pasta was never good", "good"));
        assert!(
            !read_plainly("the pasta was not so good", "good"),
            "only after never"
        );
        assert!(!read_plainly("never had better", "better"));
    }

    #[test]
    fn a_model_file_from_before_the_marks_reads_clauses_as_it_was_trained() {
        let mut m = TextModel::zero();
        let words = Analyzer::default().words("not bad");
        let (mut with, mut without) = (Vec::new(), Vec::new());
        features_with(&words, Marks::CURRENT, &mut with);
        let before = Marks {
            negation: false,
            never_degree: false,
        };
        features_with(&words, before, &mut without);
        m.weights[without[2] as usize] = -1.0; // "bad", unmarked
        let mut json: serde_json::Value = serde_json::to_value(&m).unwrap();
        json.as_object_mut().unwrap().remove("negation_marks");
        json.as_object_mut().unwrap().remove("never_degree");
        let old: TextModel = serde_json::from_value(json.clone()).unwrap();
        assert!(!old.negation_marks && !old.never_degree);
        assert_eq!(
            serde_json::to_value(&old).unwrap(),
            json,
            "written back as it was (a model file's content hash covers it)"
        );
        assert_eq!(old.score_words(&words, &mut Vec::new()), -1.0);
        assert_eq!(
            m.score_words(&words, &mut Vec::new()),
            0.0,
            "marked: another weight"
        );
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
