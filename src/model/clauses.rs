//! Clauses of a review and their per-review encoding in the index.
//!
//! A clause is a sentence, cut again where the writer turns ("the pasta was great but
//! the pizza was bland" is two verdicts). Each review stores, in a multi-valued u64
//! fast field, one value per clause: its index (bits 32..48), the word position just
//! past its end (bits 8..24) and its sentiment (bits 0..8: the text model's logit ×
//! [`SCORE_SCALE`] as an `i8`). At query time the positions of the query terms pick
//! the clauses that speak of the need.

use crate::analysis::{Analyzer, Word};

/// Quantisation of clause sentiment logits into an `i8`.
pub const SCORE_SCALE: f32 = 16.0;

/// Whether a word (its analysed term) starts a new clause: contrast turns the verdict.
/// The terms are the stems of "although", "but", "however", "though", "whereas" and
/// "yet".
#[inline]
fn is_turn(term: &str) -> bool {
    matches!(
        term,
        "although" | "but" | "howev" | "though" | "wherea" | "yet"
    )
}

/// A clause: a range of word indices into the words of a text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Clause {
    /// Index (into the words slice) of the first word.
    pub start: usize,
    /// Index just past the last word.
    pub end: usize,
}

/// Splits `text` (whose words are `words`) into clauses.
pub fn clauses(analyzer: &Analyzer, text: &str, words: &[Word]) -> Vec<Clause> {
    let mut out = Vec::new();
    let mut wi = 0usize;
    for s in analyzer.sentences(text, words) {
        while wi < words.len() && words[wi].position < s.first_word {
            wi += 1;
        }
        let mut start = wi;
        while wi < words.len() && words[wi].position < s.end_word {
            let w = &words[wi];
            // A ';' since the clause began: only the stretch from the previous word can
            // hold one, since an earlier one would already have started a clause.
            // (Over bytes: the stretch is a few, too short for `str`'s char searcher.)
            let turn = is_turn(&w.term)
                || (wi > start && text.as_bytes()[words[wi - 1].from..w.from].contains(&b';'));
            if turn && wi > start {
                out.push(Clause { start, end: wi });
                start = wi;
            }
            wi += 1;
        }
        if wi > start {
            out.push(Clause { start, end: wi });
        }
    }
    out
}

/// Encodes clause ends and scores for the index, one `u64` per clause.
pub fn encode(words: &[Word], clauses: &[Clause], logits: &[f32]) -> Vec<u64> {
    clauses
        .iter()
        .zip(logits)
        .enumerate()
        .take(u16::MAX as usize)
        .map(|(i, (c, l))| {
            let end = words[c.end - 1]
                .position
                .saturating_add(1)
                .min(u16::MAX as u32) as u64;
            ((i as u64) << 32) | (end << 8) | (quantize(*l) as u8 as u64)
        })
        .collect()
}

/// Quantises a logit.
pub fn quantize(logit: f32) -> i8 {
    (logit * SCORE_SCALE).round().clamp(-127.0, 127.0) as i8
}

/// Decodes one clause value: (end word position, logit).
#[inline]
pub fn decode(v: u64) -> (u32, f32) {
    (
        ((v >> 8) & 0xffff) as u32,
        (v as u8 as i8) as f32 / SCORE_SCALE,
    )
}

/// The logits of the clauses (values in clause order) that hold any of `positions`
/// (sorted ascending).
pub fn logits_at(values: impl Iterator<Item = u64>, positions: &[u32], out: &mut Vec<f32>) {
    out.clear();
    let mut p = positions.iter().peekable();
    for v in values {
        let (end, logit) = decode(v);
        let mut hit = false;
        while let Some(&&pos) = p.peek() {
            if pos < end {
                hit = true;
                p.next();
            } else {
                break;
            }
        }
        if hit {
            out.push(logit);
        }
        if p.peek().is_none() {
            break;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The rule stated on its own: a clause starts at each sentence's first word, and at
    /// any other word that is a turn or has a ';' since the previous word began.
    fn clauses_by_rule(analyzer: &Analyzer, text: &str, words: &[Word]) -> Vec<Clause> {
        let firsts: Vec<u32> = analyzer
            .sentences(text, words)
            .iter()
            .map(|s| s.first_word)
            .collect();
        let starts: Vec<usize> = (0..words.len())
            .filter(|&i| {
                firsts.contains(&words[i].position)
                    || is_turn(&words[i].term)
                    || (i > 0 && text[words[i - 1].from..words[i].from].contains(';'))
            })
            .collect();
        starts
            .iter()
            .enumerate()
            .map(|(k, &start)| Clause {
                start,
                end: starts.get(k + 1).copied().unwrap_or(words.len()),
            })
            .collect()
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig { cases: 2_000, ..Default::default() })]
        #[test]
        fn clauses_follow_the_rule(
            parts in proptest::collection::vec("but|yet|pasta|12;5|1,5|a;|; |;;|\\.|!|…|\\n| |x y|great", 0..30)
        ) {
            let text: String = parts.concat();
            let a = Analyzer::default();
            let w = a.words(&text);
            proptest::prop_assert_eq!(clauses(&a, &text, &w), clauses_by_rule(&a, &text, &w));
        }
    }

    #[test]
    fn turn_words_are_recognised_as_analysed() {
        let a = Analyzer::default();
        let text = "Although But However though Whereas yet butter thought";
        let turns: Vec<bool> = a.words(text).iter().map(|w| is_turn(&w.term)).collect();
        assert_eq!(turns, [true, true, true, true, true, true, false, false]);
    }

    #[test]
    fn contrast_splits_a_sentence() {
        let a = Analyzer::default();
        let text = "The pasta was great but the pizza was bland. Nice patio; loud music";
        let w = a.words(text);
        let c = clauses(&a, text, &w);
        let spans: Vec<String> = c
            .iter()
            .map(|c| text[w[c.start].from..w[c.end - 1].to].to_string())
            .collect();
        assert_eq!(
            spans,
            [
                "The pasta was great",
                "but the pizza was bland",
                "Nice patio",
                "loud music"
            ]
        );
        let values = encode(&w, &c, &[2.0, -1.5, 0.5, -0.25]);
        let d: Vec<_> = values.iter().map(|&v| decode(v)).collect();
        assert_eq!(d, [(4, 2.0), (9, -1.5), (11, 0.5), (13, -0.25)]);
        let mut out = vec![];
        logits_at(values.iter().copied(), &[1, 6], &mut out); // "pasta", "pizza"
        assert_eq!(out, [2.0, -1.5]);
        logits_at(values.iter().copied(), &[10], &mut out); // "patio"
        assert_eq!(out, [0.5]);
    }
}
