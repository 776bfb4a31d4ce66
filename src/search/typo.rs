//! Typo tolerance: the nearest terms of the index's own dictionary to a word it does
//! not know, and which of them the person most likely meant.
//!
//! Candidates are the dictionary's terms within one edit of the typed word's term
//! (two for words of nine letters or more: Meilisearch's rule, with a transposition
//! counting as one edit), found with a Levenshtein automaton over tantivy's term
//! dictionary (the `levenshtein_automata` and `tantivy-fst` crates tantivy itself uses
//! for fuzzy queries), so no second dictionary is kept. Words of four letters get one
//! edit too, but only when the index has never seen them.
//!
//! Among the candidates, the one chosen is the most probable under a simple
//! noisy-channel model: how common the term is (its document frequency) times how
//! common that kind of slip is. Typing studies find omitted letters, doubled letters
//! and swapped neighbours to be the usual slips of a typist, and a wrong letter less
//! usual, unless it is a neighbour on the keyboard; so "sald" is read as "salad" (a
//! letter left out), not "said" (a letter replaced), although "said" is more common.

use std::sync::OnceLock;

use levenshtein_automata::{Distance, LevenshteinAutomatonBuilder, DFA};

/// Most edits allowed for a typed word of `chars` characters (0: never corrected).
pub fn max_edits(chars: usize) -> u8 {
    match chars {
        0..=3 => 0,
        4..=8 => 1,
        _ => 2,
    }
}

/// The kind of a single slip that turns the meant word into the typed one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Slip {
    /// A letter of the meant word was left out ("piza" for "pizza").
    Omitted,
    /// A letter was typed twice ("happpy").
    Doubled,
    /// Two neighbouring letters were swapped ("pancaeks").
    Swapped,
    /// A letter was replaced by its neighbour on the keyboard ("pizzs").
    NeighbourKey,
    /// A letter was added that is not a repeat ("pastra").
    Inserted,
    /// A letter was replaced by another ("pacta").
    Replaced,
}

impl Slip {
    /// One of the usual slips of a typist: a letter left out, doubled, or two swapped.
    pub fn usual(self) -> bool {
        matches!(self, Slip::Omitted | Slip::Doubled | Slip::Swapped)
    }

    /// How common the slip is, relative to an omission.
    pub fn weight(self) -> f32 {
        match self {
            Slip::Omitted | Slip::Doubled | Slip::Swapped => 1.0,
            Slip::NeighbourKey => 0.5,
            Slip::Inserted => 0.3,
            Slip::Replaced => 0.1,
        }
    }
}

/// The slip that turns `meant` into `typed`, if they are one edit apart.
pub fn slip(typed: &str, meant: &str) -> Option<Slip> {
    let t: Vec<char> = typed.chars().collect();
    let m: Vec<char> = meant.chars().collect();
    let prefix = t.iter().zip(&m).take_while(|(a, b)| a == b).count();
    match (t.len() as isize) - (m.len() as isize) {
        -1 => (t[prefix..] == m[prefix + 1..]).then_some(Slip::Omitted),
        1 => {
            if t[prefix + 1..] != m[prefix..] {
                return None;
            }
            let c = t[prefix];
            let repeat = (prefix > 0 && t[prefix - 1] == c) || t.get(prefix + 1) == Some(&c);
            Some(if repeat {
                Slip::Doubled
            } else {
                Slip::Inserted
            })
        }
        0 => {
            if prefix == t.len() {
                return None;
            }
            if t[prefix + 1..] == m[prefix + 1..] {
                let neighbour = keyboard_neighbours(t[prefix], m[prefix]);
                return Some(if neighbour {
                    Slip::NeighbourKey
                } else {
                    Slip::Replaced
                });
            }
            let swapped = prefix + 1 < t.len()
                && t[prefix] == m[prefix + 1]
                && t[prefix + 1] == m[prefix]
                && t[prefix + 2..] == m[prefix + 2..];
            swapped.then_some(Slip::Swapped)
        }
        _ => None,
    }
}

/// Whether two letters are neighbours on a QWERTY keyboard.
fn keyboard_neighbours(a: char, b: char) -> bool {
    const ROWS: [&str; 3] = ["qwertyuiop", "asdfghjkl", "zxcvbnm"];
    let pos = |c: char| {
        ROWS.iter()
            .enumerate()
            .find_map(|(r, row)| row.find(c).map(|i| (r as i32, i as i32)))
    };
    match (pos(a), pos(b)) {
        (Some((ra, ia)), Some((rb, ib))) => {
            // Rows are offset by about half a key.
            (ra == rb && (ia - ib).abs() == 1)
                || ((ra - rb).abs() == 1 && (0..=1).contains(&(ia - ib + (ra > rb) as i32)))
        }
        _ => false,
    }
}

/// How likely `meant` is the word behind `typed`, up to a constant: its document
/// frequency times the likelihood of the slip(s). Two edits apart (no single slip),
/// the product of two ordinary slips.
pub fn likelihood(typed: &str, meant: &str, doc_freq: u64) -> f32 {
    let channel = slip(typed, meant).map_or(0.05, Slip::weight);
    channel * doc_freq as f32
}

/// Levenshtein automata builders (with transpositions as one edit), built once.
fn builder(edits: u8) -> &'static LevenshteinAutomatonBuilder {
    static ONE: OnceLock<LevenshteinAutomatonBuilder> = OnceLock::new();
    static TWO: OnceLock<LevenshteinAutomatonBuilder> = OnceLock::new();
    let cell = if edits <= 1 { &ONE } else { &TWO };
    cell.get_or_init(|| LevenshteinAutomatonBuilder::new(edits.clamp(1, 2), true))
}

/// A Levenshtein automaton over the bytes of the terms of a tantivy term dictionary,
/// optionally only over the words that begin with the same letter (studies of typing
/// find the first letter right in the great majority of slips; it also lets the search
/// skip all but one branch of the dictionary).
pub struct Within {
    dfa: DFA,
    first: Option<u8>,
}

impl Within {
    /// The terms within `edits` edits of `term`.
    #[cfg(test)]
    pub fn new(term: &str, edits: u8) -> Within {
        Within {
            dfa: builder(edits).build_dfa(term),
            first: None,
        }
    }

    /// The terms within `edits` edits of `term` that begin with its first byte.
    pub fn anchored(term: &str, edits: u8) -> Within {
        Within {
            dfa: builder(edits).build_dfa(term),
            first: term.bytes().next(),
        }
    }

    /// The edit distance of `text` from the term, if within the bound.
    #[cfg(test)]
    pub fn distance(&self, text: &str) -> Option<u8> {
        if self.first.is_some_and(|f| text.bytes().next() != Some(f)) {
            return None;
        }
        match self.dfa.eval(text) {
            Distance::Exact(d) => Some(d),
            Distance::AtLeast(_) => None,
        }
    }
}

/// The automaton's state: the DFA's, and how many bytes were read (up to one).
#[derive(Clone, Copy)]
pub struct WithinState {
    dfa: u32,
    started: bool,
}

impl tantivy_fst::Automaton for Within {
    type State = WithinState;

    fn start(&self) -> WithinState {
        WithinState {
            dfa: self.dfa.initial_state(),
            started: false,
        }
    }

    fn is_match(&self, state: &WithinState) -> bool {
        matches!(self.dfa.distance(state.dfa), Distance::Exact(_))
    }

    fn can_match(&self, state: &WithinState) -> bool {
        state.dfa != levenshtein_automata::SINK_STATE
    }

    fn accept(&self, state: &WithinState, byte: u8) -> WithinState {
        let dfa = match self.first {
            Some(f) if !state.started && byte != f => levenshtein_automata::SINK_STATE,
            _ => self.dfa.transition(state.dfa, byte),
        };
        WithinState { dfa, started: true }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slips() {
        assert_eq!(slip("piza", "pizza"), Some(Slip::Omitted));
        assert_eq!(slip("sald", "salad"), Some(Slip::Omitted));
        assert_eq!(slip("sald", "said"), Some(Slip::Replaced));
        assert_eq!(slip("happpy", "happy"), Some(Slip::Doubled));
        assert_eq!(slip("pastra", "pasta"), Some(Slip::Inserted));
        assert_eq!(slip("pancaeks", "pancakes"), Some(Slip::Swapped));
        assert_eq!(slip("pizzs", "pizza"), Some(Slip::NeighbourKey));
        assert_eq!(slip("pacta", "pasta"), Some(Slip::Replaced));
        assert_eq!(slip("pasta", "pasta"), None);
        assert_eq!(slip("paste", "pizza"), None);
        assert_eq!(slip("ab", "abcd"), None);
    }

    #[test]
    fn the_likely_word_wins_over_the_common_one() {
        // "said" is more common than "salad", but a left-out letter is a likelier slip.
        assert!(likelihood("sald", "salad", 18_000) > likelihood("sald", "said", 24_000));
        assert!(likelihood("wins", "wings", 9_000) > likelihood("wins", "wine", 12_700));
        assert!(likelihood("pasa", "pasta", 8_000) > likelihood("pasa", "past", 21_000));
        // ... but not over a far more common word.
        assert!(likelihood("pizzs", "pizza", 10_000) > likelihood("pizzs", "pizzas", 10));
    }

    #[test]
    fn edits_by_length() {
        assert_eq!(max_edits(3), 0);
        assert_eq!(max_edits(4), 1);
        assert_eq!(max_edits(8), 1);
        assert_eq!(max_edits(9), 2);
    }

    #[test]
    fn automaton_counts_transpositions_as_one() {
        let w = Within::new("pancaek", 1);
        assert_eq!(w.distance("pancake"), Some(1));
        assert_eq!(w.distance("pancak"), Some(1));
        assert_eq!(w.distance("pizza"), None);
        let w = Within::new("smoothhi", 2);
        assert_eq!(w.distance("smoothi"), Some(1));
    }

    #[test]
    fn anchored_keeps_the_first_letter() {
        let w = Within::anchored("pizza", 1);
        assert_eq!(w.distance("pizzas"), Some(1));
        assert_eq!(w.distance("lizza"), None);
        assert_eq!(Within::new("pizza", 1).distance("lizza"), Some(1));
    }

    #[test]
    fn keyboard() {
        assert!(keyboard_neighbours('a', 's'));
        assert!(keyboard_neighbours('s', 'w'));
        assert!(keyboard_neighbours('s', 'z'));
        assert!(!keyboard_neighbours('a', 'p'));
    }
}
