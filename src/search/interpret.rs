//! The query interpreter: from what a person typed (after the zipcode is found) to
//! what to look for — the need, the words corrected, the words left optional, the
//! price and amenities asked for — using the product vocabulary
//! ([`super::vocabulary`]) for how people phrase a search and the index itself for
//! what its words are (a dish of its reviews, a category or a name of its businesses).
//!
//! No word may turn a query with a good answer into no answer: filler never filters,
//! a word the zipcode has never heard of is corrected to the nearest word it has
//! ([`super::typo`]) or else left optional, and price and amenities order the results
//! (places that meet them first) rather than remove any.

use serde::{Deserialize, Serialize};

use super::typo::{likelihood, max_edits};
use super::vocabulary::{Meaning, PriceWish, Vocabulary};
use crate::analysis::{fold, Analyzer};
use crate::ingest::Amenity;

/// What the interpreter asks of the index.
pub trait Lookup {
    /// Whether a review of the zipcode, or a category or name of one of its businesses,
    /// holds `stem`.
    fn in_zip(&self, stem: &str) -> bool;
    /// Reviews of the whole index that hold `stem`, plus its businesses whose
    /// categories or names do.
    fn doc_freq(&self, stem: &str) -> u64;
    /// The terms of the index within `edits` edits of `stem` (reviews, categories and
    /// names), with their [`Lookup::doc_freq`].
    fn near(&self, stem: &str, edits: u8) -> Vec<(String, u64)>;
    /// How a stem is usually written ("pancak" → "pancakes"), if known.
    fn written(&self, stem: &str) -> Option<String>;
}

/// A word of the need.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NeedWord {
    /// As typed (folded), or as corrected.
    pub text: String,
    /// Its term.
    pub term: String,
    /// Its position among the need's words, counting stopwords (phrases keep their
    /// gaps: "mac and cheese" has cheese at 2).
    pub position: u32,
    /// What was typed, when the word was corrected.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub typed: Option<String>,
    /// Nothing in the zipcode holds it (nor a correction of it): it does not filter.
    pub optional: bool,
}

/// How a query was understood.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Understanding {
    /// The words of the need, in order.
    pub need: Vec<NeedWord>,
    /// Filler and kind-of-place words that were set aside, as typed.
    pub filler: Vec<String>,
    /// The price range asked for.
    pub price: Option<PriceWish>,
    /// Amenities asked for.
    pub amenities: Vec<Amenity>,
    /// "Open now".
    pub open_now: bool,
    /// Every non-stopword term of the text, vocabulary words included (a name such as
    /// "Best Thai" is matched whole).
    pub all_terms: Vec<String>,
}

impl Understanding {
    /// The terms that must match (the need without its optional words).
    pub fn required_terms(&self) -> impl Iterator<Item = &NeedWord> {
        self.need.iter().filter(|w| !w.optional)
    }
}

/// Interprets `text` (the query without its zipcode and without quoted phrases).
/// With `literal`, every word is part of the need as typed: no vocabulary, no
/// corrections (what the page's "search instead for" link asks).
pub fn interpret(
    analyzer: &Analyzer,
    text: &str,
    lookup: &dyn Lookup,
    literal: bool,
) -> Understanding {
    let words = analyzer.words(text);
    let stems: Vec<&str> = words.iter().map(|w| w.term.as_str()).collect();
    let mut u = Understanding {
        all_terms: words
            .iter()
            .filter(|w| !w.stop)
            .map(|w| w.term.to_string())
            .collect(),
        ..Understanding::default()
    };
    // What each word is: None for a word of the need.
    let mut meaning: Vec<Option<Meaning>> = vec![None; words.len()];
    if !literal {
        for f in Vocabulary::get().find(&stems) {
            let span = &text[words[f.start].from..words[f.start + f.len - 1].to];
            match f.meaning {
                Meaning::Filler | Meaning::Place => u.filler.push(span.to_string()),
                Meaning::Price(p) => u.price = Some(p),
                Meaning::Amenity(a) => {
                    if !u.amenities.contains(&a) {
                        u.amenities.push(a)
                    }
                }
                Meaning::OpenNow => u.open_now = true,
            }
            for m in &mut meaning[f.start..f.start + f.len] {
                *m = Some(f.meaning);
            }
        }
        // "restaurants" or "food" alone: the kind of place is what is asked for.
        let has_need = words
            .iter()
            .zip(&meaning)
            .any(|(w, m)| m.is_none() && !w.stop);
        if !has_need {
            for (i, m) in meaning.iter_mut().enumerate() {
                if *m == Some(Meaning::Place) {
                    *m = None;
                    let typed = &text[words[i].from..words[i].to];
                    u.filler.retain(|f| f != typed);
                }
            }
        }
    }
    // Positions: the need's words keep their gaps of stopwords, but not of the
    // vocabulary words taken out between them.
    let mut removed = 0u32;
    let mut first: Option<u32> = None;
    for (w, m) in words.iter().zip(&meaning) {
        if m.is_some() {
            removed += 1;
            continue;
        }
        if w.stop {
            continue;
        }
        let pos = w.position - removed;
        let base = *first.get_or_insert(pos);
        let typed = fold(&text[w.from..w.to]).into_owned();
        u.need.push(NeedWord {
            text: typed,
            term: w.term.to_string(),
            position: pos - base,
            typed: None,
            optional: false,
        });
    }
    if !literal {
        for word in &mut u.need {
            correct(word, lookup);
        }
    }
    // A word nothing in the zipcode holds does not filter, as long as another does.
    let found: Vec<bool> = u.need.iter().map(|w| lookup.in_zip(&w.term)).collect();
    if found.iter().any(|&f| f) {
        for (w, f) in u.need.iter_mut().zip(found) {
            w.optional = !f;
        }
    }
    u
}

/// How much more likely a correction must be than the word as typed, when the
/// zipcode knows the typed word (it may be a rare dish, not a slip).
const KNOWN_WORD_ODDS: f32 = 100.0;

/// Replaces `word` by its most likely meaning when the zipcode does not know it, or
/// knows it far less than a near neighbour.
fn correct(word: &mut NeedWord, lookup: &dyn Lookup) {
    let chars = word.text.chars().count();
    let typed_df = lookup.doc_freq(&word.term);
    let mut edits = max_edits(chars);
    if chars == 4 && typed_df > 0 {
        edits = 0; // a short word the index knows is taken as meant
    }
    if edits == 0 || word.text.chars().any(|c| c.is_ascii_digit()) {
        return;
    }
    let known = lookup.in_zip(&word.term);
    let mut candidates: Vec<(f32, String)> = lookup
        .near(&word.term, edits)
        .into_iter()
        .filter(|(t, _)| *t != word.term && !crate::analysis::is_stopword(t))
        .map(|(t, df)| (likelihood(&word.term, &t, df), t))
        .collect();
    candidates.sort_by(|a, b| b.0.total_cmp(&a.0).then_with(|| a.1.cmp(&b.1)));
    let best = candidates
        .into_iter()
        .take(8)
        .find(|(_, t)| lookup.in_zip(t));
    let Some((odds, term)) = best else {
        return;
    };
    if known && odds < KNOWN_WORD_ODDS * typed_df.max(1) as f32 {
        return;
    }
    word.typed = Some(std::mem::replace(
        &mut word.text,
        lookup.written(&term).unwrap_or_else(|| term.clone()),
    ));
    word.term = term;
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    /// A zipcode and an index of a few words: term → (in the zipcode, document frequency).
    struct Fake(HashMap<&'static str, (bool, u64)>);

    impl Fake {
        fn new() -> Fake {
            Fake(HashMap::from([
                ("pizza", (true, 10_000)),
                ("pasta", (true, 8_000)),
                ("past", (true, 21_000)),
                ("salad", (true, 18_000)),
                ("said", (true, 24_000)),
                ("taco", (true, 5_000)),
                ("ice", (true, 6_000)),
                ("cream", (true, 5_000)),
                ("sushi", (false, 3_000)),
                ("pancak", (true, 2_000)),
                ("thai", (true, 900)),
                ("coffe", (true, 3)),
                ("restaur", (true, 7_000)),
                ("spaghetti", (true, 600)),
            ]))
        }
    }

    impl Lookup for Fake {
        fn in_zip(&self, stem: &str) -> bool {
            self.0.get(stem).is_some_and(|e| e.0)
        }
        fn doc_freq(&self, stem: &str) -> u64 {
            self.0.get(stem).map_or(0, |e| e.1)
        }
        fn near(&self, stem: &str, edits: u8) -> Vec<(String, u64)> {
            let w = super::super::typo::Within::new(stem, edits);
            self.0
                .iter()
                .filter(|(t, _)| w.distance(t).is_some())
                .map(|(t, e)| (t.to_string(), e.1))
                .collect()
        }
        fn written(&self, stem: &str) -> Option<String> {
            (stem == "pancak").then(|| "pancakes".to_string())
        }
    }

    fn need(q: &str) -> Vec<(String, Option<String>, bool)> {
        interpret(&Analyzer::default(), q, &Fake::new(), false)
            .need
            .into_iter()
            .map(|w| (w.text, w.typed, w.optional))
            .collect()
    }

    fn words(q: &str) -> Vec<String> {
        need(q).into_iter().map(|w| w.0).collect()
    }

    #[test]
    fn filler_never_filters() {
        for q in [
            "best pasta",
            "pasta near me",
            "i want pasta",
            "good pasta",
            "pasta restaurant",
            "where can i get pasta around here",
            "looking for pasta places",
        ] {
            assert_eq!(words(q), ["pasta"], "{q}");
        }
        let u = interpret(
            &Analyzer::default(),
            "best pasta near me",
            &Fake::new(),
            false,
        );
        assert_eq!(u.filler, ["best", "near me"]);
    }

    #[test]
    fn a_kind_of_place_alone_is_the_need() {
        assert_eq!(words("restaurants"), ["restaurants"]);
        assert_eq!(words("best restaurants near me"), ["restaurants"]);
    }

    #[test]
    fn price_and_amenities() {
        let u = interpret(
            &Analyzer::default(),
            "good cheap pizza with outdoor seating open now",
            &Fake::new(),
            false,
        );
        assert_eq!(u.need.len(), 1);
        assert_eq!(u.need[0].text, "pizza");
        assert_eq!(u.price.map(|p| (p.min, p.max)), Some((1, 1)));
        assert_eq!(u.amenities, [Amenity::OutdoorSeating]);
        assert!(u.open_now);
    }

    #[test]
    fn typos_are_corrected_to_the_likely_word() {
        assert_eq!(need("piza"), [("pizza".into(), Some("piza".into()), false)]);
        assert_eq!(need("sald")[0].0, "salad", "a left-out letter, not said");
        assert_eq!(need("pasa")[0].0, "pasta");
        assert_eq!(
            need("pancaeks")[0].0,
            "pancakes",
            "written as it is usually written"
        );
        assert_eq!(need("spagetti")[0].0, "spaghetti");
        assert_eq!(
            need("cofee")[0].0,
            "coffe",
            "the known rare word, one edit away"
        );
    }

    #[test]
    fn known_words_stay() {
        assert_eq!(need("past")[0].1, None);
        assert_eq!(need("pasta")[0].1, None);
        // Three letters: never corrected.
        assert_eq!(need("pza"), [("pza".into(), None, false)]);
    }

    #[test]
    fn words_nothing_holds_are_optional_unless_all_are() {
        assert_eq!(
            need("pasta xyzzyq"),
            [("pasta".into(), None, false), ("xyzzyq".into(), None, true)]
        );
        assert_eq!(need("xyzzyq"), [("xyzzyq".into(), None, false)]);
        // In the index but not in the zipcode: kept for nearby zipcodes.
        assert_eq!(need("sushi"), [("sushi".into(), None, false)]);
        assert_eq!(
            need("pasta sushi"),
            [("pasta".into(), None, false), ("sushi".into(), None, true)]
        );
    }

    #[test]
    fn positions_skip_vocabulary_words() {
        let u = interpret(&Analyzer::default(), "ice best cream", &Fake::new(), false);
        let pos: Vec<u32> = u.need.iter().map(|w| w.position).collect();
        assert_eq!(pos, [0, 1]);
        let u = interpret(&Analyzer::default(), "mac and cheese", &Fake::new(), true);
        let pos: Vec<u32> = u.need.iter().map(|w| w.position).collect();
        assert_eq!(pos, [0, 2]);
    }

    #[test]
    fn literal_takes_every_word() {
        let u = interpret(&Analyzer::default(), "cheap piza", &Fake::new(), true);
        let w: Vec<&str> = u.need.iter().map(|w| w.text.as_str()).collect();
        assert_eq!(w, ["cheap", "piza"]);
        assert!(u.price.is_none());
    }
}
