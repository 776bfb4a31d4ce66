//! Other places named in a review: a sentence that names another business judges that
//! business's dish, not this one's ("my mom swears by the bacon at Trattoria Milano",
//! "last time I was in town I had bacon at Boise Bagel Co.").
//!
//! The names are the index's own business file: every name of two words or more (its
//! words as the analyzer reads them, stopwords left out), found in a clause when each of
//! its words stands there in a row (stopwords between them allowed) and is written with
//! a capital, as a name is. A one-word name is left out: a capitalised word alone
//! ("Maria's", "Apero") is too often the start of a sentence or a word of the menu. The
//! review's own name (and its namesakes: a chain's other branches) never counts, so
//! "Urban Slice has the best pizza" in a review of Urban Slice is read as it is.

use std::collections::HashMap;

use crate::analysis::{Analyzer, Word};
use crate::ingest::Business;

/// The index's business names, for [`PlaceNames::names_another`].
#[derive(Debug, Default)]
pub struct PlaceNames {
    /// Name ids by the term hash of their first word.
    by_first: rustc_hash::FxHashMap<u64, Vec<u32>>,
    /// Each name's words (term hashes, stopwords left out).
    names: Vec<Vec<u64>>,
    /// The name id of each business ordinal (`u32::MAX`: a name too short to look for).
    of_biz: Vec<u32>,
}

impl PlaceNames {
    /// The names of `businesses` (in business ordinal order), as the index's analyzer
    /// reads them.
    pub fn of(businesses: &[Business]) -> Self {
        Self::new(
            &Analyzer::default(),
            businesses.iter().map(|b| b.name.as_str()),
        )
    }

    /// The names of businesses `names` (in business ordinal order).
    pub fn new<'a>(analyzer: &Analyzer, names: impl IntoIterator<Item = &'a str>) -> Self {
        let mut out = PlaceNames::default();
        let mut ids: HashMap<Vec<u64>, u32> = HashMap::new();
        for name in names {
            let words: Vec<u64> = analyzer
                .words(name)
                .iter()
                .filter(|w| !w.stop)
                .map(|w| w.term_hash)
                .collect();
            if words.len() < 2 {
                out.of_biz.push(u32::MAX);
                continue;
            }
            let next = out.names.len() as u32;
            let id = *ids.entry(words.clone()).or_insert_with(|| {
                out.by_first.entry(words[0]).or_default().push(next);
                out.names.push(words);
                next
            });
            out.of_biz.push(id);
        }
        out
    }

    /// Whether the clause `words` of `text` names a business other than business
    /// ordinal `own` (and its namesakes).
    pub fn names_another(&self, text: &str, words: &[Word], own: u32) -> bool {
        if self.names.is_empty() {
            return false;
        }
        let own = self.of_biz.get(own as usize).copied().unwrap_or(u32::MAX);
        let capital = |w: &Word| {
            text[w.from..]
                .chars()
                .next()
                .is_some_and(char::is_uppercase)
        };
        // The clause's words that are not stopwords, walked once; a name's other words
        // are read from a copy of the walk (no allocation: this runs for every clause
        // a build or an update scores).
        let mut content = words.iter().filter(|w| !w.stop);
        while let Some(w) = content.next() {
            // Most words are written in lower case: that test is cheaper than the lookup.
            if !capital(w) {
                continue;
            }
            let Some(ids) = self.by_first.get(&w.term_hash) else {
                continue;
            };
            let found = ids.iter().any(|&id| {
                let mut rest = content.clone();
                id != own
                    && self.names[id as usize][1..]
                        .iter()
                        .all(|&h| rest.next().is_some_and(|w| w.term_hash == h && capital(w)))
            });
            if found {
                return true;
            }
        }
        false
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names() -> (Analyzer, PlaceNames) {
        let a = Analyzer::default();
        let n = PlaceNames::new(
            &a,
            [
                "Trattoria Milano",
                "Urban Slice",
                "Apero",
                "Taste of Lotus",
                "Urban Slice",
            ],
        );
        (a, n)
    }

    fn another(text: &str, own: u32) -> bool {
        let (a, n) = names();
        n.names_another(text, &a.words(text), own)
    }

    #[test]
    fn a_clause_naming_another_place_is_found() {
        assert!(another(
            "My mom swears by the bacon at Trattoria Milano.",
            1
        ));
        assert!(another("We had the noodles at Taste of Lotus last week", 0));
    }

    #[test]
    fn its_own_name_lowercase_words_and_one_word_names_are_not_another_place() {
        // Its own name, and a namesake branch of it.
        assert!(!another("Urban Slice has the best pizza in town", 1));
        assert!(!another("Urban Slice has the best pizza in town", 4));
        // The words of a name, not written as one.
        assert!(!another("an urban slice of life, and great bacon", 0));
        // A one-word name.
        assert!(!another("Apero was closed, so we came here for bacon", 0));
        // Not every word of the name, in the clause or at its end.
        assert!(!another("Trattoria food done right", 1));
        assert!(!another("the bacon was as good as at Trattoria", 1));
    }
}
