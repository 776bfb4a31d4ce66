//! Text analysis: words, folding, stopwords, stemming, sentences.
//!
//! One [`Analyzer`] serves indexing, queries, snippets and the text model, so that a
//! query term always meets the same form it was indexed under:
//!
//! 1. words by Unicode word boundaries (`unicode-segmentation`),
//! 2. lowercase and accent folding (`crème brûlée` → `creme brulee`),
//! 3. English stopwords removed for retrieval (negations are kept: they matter to
//!    sentiment and the text model sees every word),
//! 4. Snowball English stemming (`rust-stemmers`): `tacos` → `taco`.
//!
//! Positions count every word, stopwords included, so phrase queries stay exact.
//!
//! ```
//! use yelpsearch::analysis::Analyzer;
//! let a = Analyzer::default();
//! let terms: Vec<String> = a.terms("The Crème Brûlées were great").collect();
//! assert_eq!(terms, ["creme", "brule", "great"]);
//! ```

use std::borrow::Cow;
use std::ops::ControlFlow;

use rust_stemmers::{Algorithm, Stemmer};
use unicode_normalization::{char::is_combining_mark, UnicodeNormalization};
use unicode_segmentation::UnicodeSegmentation;

/// The name the analyzer is registered under in the tantivy index.
pub const TOKENIZER_NAME: &str = "yelp_en";

/// English stopwords removed from retrieval terms.
///
/// A short list kept by hand rather than a crate's: negations (`not`, `no`, `never`,
/// `nor`) and contrastive words must stay, and most published lists drop them.
const STOPWORDS: &[&str] = &[
    "a", "about", "after", "again", "all", "am", "an", "and", "any", "are", "as", "at", "be",
    "been", "before", "being", "both", "by", "can", "could", "d", "did", "do", "does", "doing",
    "for", "from", "had", "has", "have", "having", "he", "her", "here", "hers", "him", "his",
    "how", "i", "if", "in", "into", "is", "it", "its", "itself", "ll", "m", "me", "my", "myself",
    "of", "on", "or", "our", "ours", "re", "s", "she", "so", "t", "than", "that", "the", "their",
    "them", "then", "there", "these", "they", "this", "those", "to", "too", "us", "ve", "was",
    "we", "were", "what", "when", "where", "which", "while", "who", "whom", "why", "will", "with",
    "would", "you", "your", "yours",
];

/// Memo of word as written → (term, is stopword, term hash).
type TermCache = rustc_hash::FxHashMap<Box<str>, (Term, bool, u64)>;

/// A stable 64-bit hash of a term (FNV-1a: the same across runs and platforms, unlike
/// std's `RandomState`). [`Word::term_hash`] holds it, computed once per distinct word.
pub fn term_hash(term: &str) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in term.bytes() {
        h ^= b as u64;
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}

/// A normalised term. Terms of up to 23 bytes (nearly all) are held inline, so the
/// per-thread memo hands out a copy without touching shared memory; longer ones share
/// one allocation.
pub type Term = smol_str::SmolStr;

/// A word of a text: its normalised form, its word position and its byte span.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Word {
    /// Lowercased, accent-folded and stemmed form.
    pub term: Term,
    /// Index of the word among all words of the text (stopwords included).
    pub position: u32,
    /// Byte offset of the word's start in the text.
    pub from: usize,
    /// Byte offset just past the word's end.
    pub to: usize,
    /// Whether the word is a stopword (kept for the text model, dropped for retrieval).
    pub stop: bool,
    /// [`term_hash`] of `term` (the text model's feature hashing reads it).
    pub term_hash: u64,
}

/// A sentence of a text, as a range of word positions and bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sentence {
    /// Position of the first word of the sentence.
    pub first_word: u32,
    /// Position just past the last word of the sentence.
    pub end_word: u32,
    /// Byte offset of the sentence's start.
    pub from: usize,
    /// Byte offset just past the sentence's end.
    pub to: usize,
}

/// The English analyzer shared by indexing, queries and the text model.
#[derive(Clone)]
pub struct Analyzer {
    stemmer: std::sync::Arc<Stemmer>,
}

impl Default for Analyzer {
    fn default() -> Self {
        Analyzer {
            stemmer: std::sync::Arc::new(Stemmer::create(Algorithm::English)),
        }
    }
}

impl std::fmt::Debug for Analyzer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Analyzer(english)")
    }
}

/// Lowercases and removes accents: `Crème` → `creme`, `Straße` → `strasse`.
pub fn fold(word: &str) -> Cow<'_, str> {
    if word
        .bytes()
        .all(|b| b.is_ascii() && !b.is_ascii_uppercase())
    {
        return Cow::Borrowed(word);
    }
    if word.is_ascii() {
        return Cow::Owned(word.to_ascii_lowercase());
    }
    let mut out = String::with_capacity(word.len());
    for c in word.nfd() {
        if is_combining_mark(c) {
            continue;
        }
        match c {
            'ß' => out.push_str("ss"),
            'æ' | 'Æ' => out.push_str("ae"),
            'œ' | 'Œ' => out.push_str("oe"),
            'ø' | 'Ø' => out.push('o'),
            'ł' | 'Ł' => out.push('l'),
            'đ' | 'Đ' => out.push('d'),
            '’' | 'ʼ' => out.push('\''),
            _ => out.extend(c.to_lowercase()),
        }
    }
    Cow::Owned(out)
}

/// Whether `folded` (a folded word) is an English stopword.
pub fn is_stopword(folded: &str) -> bool {
    STOPWORDS.binary_search(&folded).is_ok()
}

fn is_word(segment: &str) -> bool {
    segment.chars().any(char::is_alphanumeric)
}

/// The word segments of an ASCII `text` with an alphanumeric character, exactly as
/// Unicode word segmentation (UAX #29) finds them, without its table lookups.
///
/// For ASCII the rules reduce to: letters, digits and `_` join (WB5, WB8-10, WB13a/b);
/// `.` `'` `:` join two letters (WB6/7); `.` `'` `,` `;` join two digits (WB11/12).
/// Everything else breaks, and a segment without a letter or digit is not a word.
/// `tests::ascii_words_match_unicode_segmentation` checks this against the crate.
pub(crate) fn ascii_words<'a, B>(
    text: &'a str,
    mut f: impl FnMut(usize, &'a str) -> ControlFlow<B>,
) -> ControlFlow<B> {
    let b = text.as_bytes();
    let joins = |c: u8| c.is_ascii_alphanumeric() || c == b'_';
    let mid = |prev: u8, c: u8, next: u8| {
        (prev.is_ascii_alphabetic()
            && next.is_ascii_alphabetic()
            && matches!(c, b'.' | b'\'' | b':'))
            || (prev.is_ascii_digit()
                && next.is_ascii_digit()
                && matches!(c, b'.' | b'\'' | b',' | b';'))
    };
    let mut i = 0;
    while i < b.len() {
        if !joins(b[i]) {
            i += 1;
            continue;
        }
        let start = i;
        let mut alnum = b[i] != b'_';
        i += 1;
        while i < b.len() {
            if joins(b[i]) {
                alnum |= b[i] != b'_';
                i += 1;
            } else if i + 1 < b.len() && mid(b[i - 1], b[i], b[i + 1]) {
                alnum = true;
                i += 2;
            } else {
                break;
            }
        }
        if alnum {
            f(start, &text[start..i])?;
        }
    }
    ControlFlow::Continue(())
}

/// Whether the text between two words ends a sentence: it holds a sentence terminator
/// (`.`, `!`, `?`, `…`) or a line break (see [`Analyzer::sentences`]).
pub fn ends_sentence(gap: &str) -> bool {
    gap.bytes().any(|b| matches!(b, b'.' | b'!' | b'?' | b'\n'))
        || (!gap.is_ascii() && gap.contains('…'))
}

impl Analyzer {
    /// Stems a folded word.
    pub fn stem<'a>(&self, folded: &'a str) -> Cow<'a, str> {
        // Possessives and contractions: "luigi's" → "luigi", "wasn't" stays whole.
        let base = folded.strip_suffix("'s").unwrap_or(folded);
        match self.stemmer.stem(base) {
            Cow::Borrowed(s) if s.len() == folded.len() => Cow::Borrowed(&folded[..s.len()]),
            other => Cow::Owned(other.into_owned()),
        }
    }

    /// Every word of `text` with its position, span and stopword flag.
    pub fn words(&self, text: &str) -> Vec<Word> {
        // About one word per six bytes of review text: grown once or not at all, instead
        // of copied at every doubling.
        let mut out = Vec::with_capacity(text.len() / 6 + 4);
        self.for_each_word(text, |w| out.push(w));
        out
    }

    /// The term and stopword flag of one word as written, memoised per thread: review
    /// vocabularies are Zipfian, so nearly every word is a cache hit and skips folding
    /// and stemming.
    fn normalise(&self, seg: &str) -> (Term, bool, u64) {
        const MAX_CACHED: usize = 400_000;
        thread_local! {
            static CACHE: std::cell::RefCell<TermCache> = std::cell::RefCell::new(TermCache::default());
        }
        CACHE.with(|c| {
            if let Some((t, stop, hash)) = c.borrow().get(seg) {
                return (t.clone(), *stop, *hash);
            }
            let folded = fold(seg);
            let stop = is_stopword(&folded);
            let term: Term = self.stem(&folded).into();
            let hash = term_hash(&term);
            let mut c = c.borrow_mut();
            if c.len() >= MAX_CACHED {
                c.clear();
            }
            c.insert(seg.into(), (term.clone(), stop, hash));
            (term, stop, hash)
        })
    }

    /// Calls `f` on every word of `text`, in order.
    pub fn for_each_word(&self, text: &str, mut f: impl FnMut(Word)) {
        let _ = self.try_for_each_word(text, |w| {
            f(w);
            ControlFlow::<()>::Continue(())
        });
    }

    /// Calls `f` on the words of `text` in order, until it breaks (returning its break).
    pub fn try_for_each_word<B>(
        &self,
        text: &str,
        mut f: impl FnMut(Word) -> ControlFlow<B>,
    ) -> ControlFlow<B> {
        let mut position = 0u32;
        let mut emit = |from: usize, seg: &str| {
            let (term, stop, term_hash) = self.normalise(seg);
            let flow = f(Word {
                term,
                position,
                from,
                to: from + seg.len(),
                stop,
                term_hash,
            });
            position += 1;
            flow
        };
        if text.is_ascii() {
            // Nearly every review: the same words as Unicode segmentation, 3-4x faster.
            ascii_words(text, &mut emit)
        } else {
            for (from, seg) in text.split_word_bound_indices() {
                if is_word(seg) {
                    emit(from, seg)?;
                }
            }
            ControlFlow::Continue(())
        }
    }

    /// The retrieval terms of `text` (stopwords dropped), in order.
    pub fn terms<'a>(&'a self, text: &'a str) -> impl Iterator<Item = String> + 'a {
        self.words(text)
            .into_iter()
            .filter(|w| !w.stop)
            .map(|w| w.term.to_string())
    }

    /// The sentences of `text`, each with the range of word positions it holds.
    ///
    /// A sentence ends where the text between two words (as Unicode word segmentation
    /// found them) holds a sentence terminator (`.`, `!`, `?`, `…`) or a line break:
    /// reviews use line breaks as bullet points without punctuation. Abbreviations
    /// ("Dr. Smith") split a sentence, which costs the text model nothing.
    pub fn sentences(&self, text: &str, words: &[Word]) -> Vec<Sentence> {
        let mut out = Vec::new();
        if words.is_empty() {
            return out;
        }
        let mut first = 0usize;
        let mut from = 0usize;
        for i in 0..words.len() {
            let gap_end = words.get(i + 1).map_or(text.len(), |w| w.from);
            let gap = &text[words[i].to..gap_end];
            if i + 1 == words.len() || ends_sentence(gap) {
                let to = if i + 1 == words.len() {
                    text.len()
                } else {
                    gap_end
                };
                out.push(Sentence {
                    first_word: words[first].position,
                    end_word: words[i].position + 1,
                    from,
                    to,
                });
                first = i + 1;
                from = to;
            }
        }
        out
    }
}

/// The analyzer as a tantivy tokenizer, for queries parsed by tantivy itself.
#[derive(Clone, Default)]
pub struct YelpTokenizer {
    analyzer: Analyzer,
    tokens: Vec<tantivy::tokenizer::Token>,
}

impl YelpTokenizer {
    /// A tokenizer over the given analyzer.
    pub fn new(analyzer: Analyzer) -> Self {
        YelpTokenizer {
            analyzer,
            tokens: Vec::new(),
        }
    }
}

/// Converts analyzed words to tantivy tokens (stopwords dropped, positions kept).
pub fn to_tokens(words: &[Word]) -> Vec<tantivy::tokenizer::Token> {
    words
        .iter()
        .filter(|w| !w.stop)
        .map(|w| tantivy::tokenizer::Token {
            offset_from: w.from,
            offset_to: w.to,
            position: w.position as usize,
            text: w.term.to_string(),
            position_length: 1,
        })
        .collect()
}

/// The token stream of [`YelpTokenizer`].
pub struct YelpTokenStream<'a> {
    tokens: &'a [tantivy::tokenizer::Token],
    index: usize,
    current: tantivy::tokenizer::Token,
}

impl tantivy::tokenizer::Tokenizer for YelpTokenizer {
    type TokenStream<'a> = YelpTokenStream<'a>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> YelpTokenStream<'a> {
        self.tokens = to_tokens(&self.analyzer.words(text));
        YelpTokenStream {
            tokens: &self.tokens,
            index: 0,
            current: tantivy::tokenizer::Token::default(),
        }
    }
}

impl tantivy::tokenizer::TokenStream for YelpTokenStream<'_> {
    fn advance(&mut self) -> bool {
        match self.tokens.get(self.index) {
            Some(t) => {
                self.current = t.clone();
                self.index += 1;
                true
            }
            None => false,
        }
    }

    fn token(&self) -> &tantivy::tokenizer::Token {
        &self.current
    }

    fn token_mut(&mut self) -> &mut tantivy::tokenizer::Token {
        &mut self.current
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn term_hashes_are_stable_and_carried_by_words() {
        // FNV-1a of "pasta": models store weights by these hashes, so they must not move.
        assert_eq!(term_hash("pasta"), 0x13b4_e4a7_a5cc_3c74);
        let a = Analyzer::default();
        for w in a.words("Pasta, PASTA and pastas! Crème brûlée") {
            assert_eq!(w.term_hash, term_hash(&w.term), "{w:?}");
        }
    }

    fn unicode_words(text: &str) -> Vec<(usize, &str)> {
        text.split_word_bound_indices()
            .filter(|(_, s)| is_word(s))
            .collect()
    }

    fn fast_words(text: &str) -> Vec<(usize, &str)> {
        let mut out = Vec::new();
        let _ = ascii_words(text, |i, s| {
            out.push((i, s));
            ControlFlow::<()>::Continue(())
        });
        out
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig { cases: 20_000, ..Default::default() })]
        #[test]
        fn ascii_words_match_unicode_segmentation(text in "[aZ9_.':,;\\- !?\n\r\t\\\"(/@#$%&*+=]{0,24}") {
            proptest::prop_assert_eq!(fast_words(&text), unicode_words(&text));
        }
    }

    #[test]
    fn ascii_words_on_review_like_text() {
        for text in [
            "It's 3.50 at 10:30 -- e.g. the U.S.A.'s best; 1,000,000 fans_ __init__ a'b'c 1'2 x.y. 5.a a.5",
            "Don't!!! won't... can't?? A:B 12:30 12,5 12;5 12.5.6 a..b 1..2 a''b _ __ _1 1_ a_.b",
            "\r\nline one\nline two\r\n\tTabbed    spaces",
        ] {
            assert_eq!(fast_words(text), unicode_words(text), "{text:?}");
        }
    }

    #[test]
    fn stopwords_are_sorted_for_binary_search() {
        let mut sorted = STOPWORDS.to_vec();
        sorted.sort_unstable();
        assert_eq!(sorted, STOPWORDS);
        assert!(!is_stopword("not") && !is_stopword("no") && !is_stopword("never"));
    }

    #[test]
    fn folding_and_stemming_meet() {
        let a = Analyzer::default();
        let x: Vec<_> = a.terms("Crème Brûlée, CRÊPES and jalapeños").collect();
        let y: Vec<_> = a.terms("creme brulee crepe jalapeno").collect();
        assert_eq!(x, y);
        assert_eq!(a.terms("Tacos").collect::<Vec<_>>(), ["taco"]);
        assert_eq!(a.terms("Luigi's").collect::<Vec<_>>(), ["luigi"]);
    }

    #[test]
    fn positions_count_stopwords() {
        let a = Analyzer::default();
        let w = a.words("the deep dish of the day");
        let kept: Vec<_> = w.iter().filter(|w| !w.stop).map(|w| w.position).collect();
        assert_eq!(kept, [1, 2, 5]);
    }

    #[test]
    fn sentences_split_on_punctuation_and_newlines() {
        let a = Analyzer::default();
        let text = "Great pasta! The pizza was bland.\nService ok";
        let w = a.words(text);
        let s = a.sentences(text, &w);
        assert_eq!(s.len(), 3);
        assert_eq!((s[0].first_word, s[0].end_word), (0, 2));
        assert_eq!(&text[s[1].from..s[1].to].trim(), &"The pizza was bland.");
        assert_eq!((s[2].first_word, s[2].end_word), (6, 8));
    }
}
