//! A review's analysed terms as one plain string, and the tokenizer that reads them back.
//!
//! The build analyses every review once (words, stems, stopwords, clauses) and hands
//! tantivy the result. Handing it as a [`tantivy::tokenizer::PreTokenizedString`] costs a
//! JSON round trip per document inside tantivy (serialised when the document is made,
//! parsed again to index it): a quarter of a build's CPU. Instead the terms are written
//! as one string, one slot per word position separated by a space, stopwords as empty
//! slots (positions count every word, so phrase queries stay exact), and
//! [`TermsTokenizer`] splits it again without allocating.
//!
//! ```
//! use tantivy::tokenizer::{TokenStream, Tokenizer};
//! use yelpsearch::analysis::Analyzer;
//! use yelpsearch::bench::{encode_terms, TermsTokenizer};
//!
//! let words = Analyzer::default().words("The tacos were great");
//! let mut encoded = String::new();
//! encode_terms(&words, &mut encoded);
//! assert_eq!(encoded, " taco  great");
//! let mut tokenizer = TermsTokenizer;
//! let mut stream = tokenizer.token_stream(&encoded);
//! let mut seen = Vec::new();
//! while stream.advance() {
//!     seen.push((stream.token().text.clone(), stream.token().position));
//! }
//! assert_eq!(seen, [("taco".to_string(), 1), ("great".to_string(), 3)]);
//! ```

use tantivy::tokenizer::{Token, TokenStream, Tokenizer};

use crate::analysis::Word;

/// The name [`TermsTokenizer`] is registered under.
pub const TERMS_TOKENIZER: &str = "yelp_terms";

/// Writes the retrieval terms of `words` into `out` (cleared first): one slot per word
/// position, stopwords as empty slots, slots separated by one space.
pub fn encode_terms(words: &[Word], out: &mut String) {
    out.clear();
    let mut next = 0u32;
    for w in words {
        // Positions are consecutive word indexes; a gap (never produced by the analyzer,
        // but cheap to honour) becomes empty slots.
        while next < w.position {
            if next > 0 {
                out.push(' ');
            }
            next += 1;
        }
        if next > 0 {
            out.push(' ');
        }
        if !w.stop {
            if w.term.contains(' ') {
                // Word segmentation never leaves a space in a word; should a term hold
                // one anyway, it must not break the slot structure.
                out.extend(w.term.chars().map(|c| if c == ' ' { '_' } else { c }));
            } else {
                out.push_str(&w.term);
            }
        }
        next = w.position + 1;
    }
}

/// Splits an [`encode_terms`] string back into tokens at their word positions.
#[derive(Clone, Copy, Default)]
pub struct TermsTokenizer;

/// The token stream of [`TermsTokenizer`].
pub struct TermsTokenStream<'a> {
    text: &'a str,
    cursor: usize,
    slot: usize,
    done: bool,
    token: Token,
}

impl Tokenizer for TermsTokenizer {
    type TokenStream<'a> = TermsTokenStream<'a>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> TermsTokenStream<'a> {
        TermsTokenStream {
            text,
            cursor: 0,
            slot: 0,
            done: false,
            token: Token::default(),
        }
    }
}

impl TokenStream for TermsTokenStream<'_> {
    fn advance(&mut self) -> bool {
        while !self.done {
            let start = self.cursor;
            // A slot is a few bytes: a plain loop beats `str::find`'s searcher and memchr.
            let end = match self.text.as_bytes()[start..]
                .iter()
                .position(|&b| b == b' ')
            {
                Some(i) => start + i,
                None => {
                    self.done = true;
                    self.text.len()
                }
            };
            self.cursor = end + 1;
            let slot = self.slot;
            self.slot += 1;
            if end > start {
                self.token.text.clear();
                self.token.text.push_str(&self.text[start..end]);
                self.token.position = slot;
                self.token.offset_from = start;
                self.token.offset_to = end;
                self.token.position_length = 1;
                return true;
            }
        }
        false
    }

    fn token(&self) -> &Token {
        &self.token
    }

    fn token_mut(&mut self) -> &mut Token {
        &mut self.token
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::{to_tokens, Analyzer};

    fn replay(encoded: &str) -> Vec<(String, usize)> {
        let mut t = TermsTokenizer;
        let mut s = t.token_stream(encoded);
        let mut out = Vec::new();
        while s.advance() {
            out.push((s.token().text.clone(), s.token().position));
        }
        out
    }

    #[test]
    fn replays_the_analyzers_tokens_at_their_positions() {
        let a = Analyzer::default();
        for text in [
            "The crème brûlée was not great, but the tacos... oh! 10/10 — we'd return.",
            "",
            "the a of",
            "  leading and trailing spaces  ",
            "Ünïcödé wörds, numbers 42 and emoji 🍕 pizza",
        ] {
            let words = a.words(text);
            let mut enc = String::new();
            encode_terms(&words, &mut enc);
            let want: Vec<(String, usize)> = to_tokens(&words)
                .into_iter()
                .map(|t| (t.text, t.position))
                .collect();
            assert_eq!(replay(&enc), want, "text {text:?} encoded {enc:?}");
        }
    }

    #[test]
    fn gaps_in_positions_become_empty_slots() {
        let w = |term: &str, position: u32, stop: bool| Word {
            term: term.into(),
            position,
            from: 0,
            to: 0,
            stop,
            term_hash: crate::analysis::term_hash(term),
        };
        let mut enc = String::new();
        encode_terms(
            &[w("a", 0, false), w("b", 3, false), w("x y", 4, false)],
            &mut enc,
        );
        assert_eq!(
            replay(&enc),
            [("a".into(), 0), ("b".into(), 3), ("x_y".into(), 4)]
        );
    }
}
