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

use super::typo::{likelihood, max_edits, slip, Slip};
use super::vocabulary::{Meaning, PriceWish, Vocabulary};
use crate::analysis::{fold, Analyzer};
use crate::ingest::Amenity;

/// What the interpreter asks of the index.
pub trait Lookup {
    /// Whether a review of the zipcode, or a category or name of one of its businesses,
    /// holds `stem`.
    fn in_zip(&self, stem: &str) -> bool;
    /// Whether the name of one of the zipcode's places holds `stem`, or one of their
    /// categories meets it ("Cocina", "thai", "steak" of Steakhouses).
    fn names_or_kinds(&self, stem: &str) -> bool;
    /// Whether the name of one of the zipcode's places holds `stem`, or one of their
    /// categories is held whole by it or named by it ("Cocina", "thai", "plumber"):
    /// such a word is never a slip ("cocktai", only the beginning of a category's
    /// word, may be).
    fn never_a_slip(&self, stem: &str) -> bool;
    /// Reviews of the whole index that hold `stem`, plus its businesses whose
    /// categories or names do.
    fn doc_freq(&self, stem: &str) -> u64;
    /// The index's reviews.
    fn reviews(&self) -> u64;
    /// The terms of the index within `edits` edits of `stem` (reviews, categories and
    /// names), with their [`Lookup::doc_freq`]. Slower than [`Lookup::near_written`]
    /// (it reads the term dictionaries): asked only when the written forms have nothing
    /// for a word the zipcode does not know.
    fn near(&self, stem: &str, edits: u8) -> Vec<(String, u64)>;
    /// How a stem is usually written ("pancak" → "pancakes"), if known.
    fn written(&self, stem: &str) -> Option<String>;
    /// The written forms of the index's words within `edits` edits of `written`: each
    /// form, its term, the term's [`Lookup::doc_freq`] and how often the form itself
    /// was seen (in a sample).
    fn near_written(&self, written: &str, edits: u8) -> Vec<NearForm>;
    /// How often a written form was seen (in the same sample), if it was.
    fn written_count(&self, written: &str) -> Option<u32>;
    /// How differently reviewers judge a term from place to place (0 when unknown):
    /// people search for what reviewers judge (dishes, drinks, the patio), so a
    /// correction to such a word is likelier than one to "said" or "start".
    fn judged(&self, term: &str) -> f32;
    /// How many of the leading `terms` (analysed, stopwords kept) name the town of the
    /// zipcode's businesses ("new orleans", "champaign il"); 0 if they do not.
    fn town_len(&self, terms: &[&str]) -> usize;
    /// Whether `term` is itself a word of a category of the index's places ("steakhous"
    /// of Steakhouses; not a word that only begins with one).
    fn category_word(&self, term: &str) -> bool;
    /// Whether one category of the zipcode's places holds every one of `terms`
    /// ("fast food": Fast Food; "pet store": Pet Stores).
    fn one_kind(&self, terms: &[&str]) -> bool;
    /// The zipcode's places with one review that holds every one of `terms`, counted
    /// up to `cap`.
    fn places_with_all(&self, terms: &[&str], cap: u32) -> u32;
    /// Whether the name of one of the zipcode's places holds every one of `terms`.
    fn one_name(&self, terms: &[&str]) -> bool;
}

/// How much likelier a word is to be searched for, the more reviewers judge it.
fn searched_prior(judged: f32) -> f32 {
    1.0 + judged.clamp(0.0, 50.0)
}

/// A written form near a typed word (see [`Lookup::near_written`]).
#[derive(Debug, Clone, PartialEq)]
pub struct NearForm {
    /// As written.
    pub written: String,
    /// Its term.
    pub term: String,
    /// The term's document frequency.
    pub doc_freq: u64,
    /// How often the form was seen.
    pub count: u32,
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
    /// It does not filter: nothing in the zipcode holds it (nor a correction of it), or
    /// it describes the rest of the need and is seldom written with it (see [`relax`]).
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
    /// A kind-of-place word ("shop", "restaurant", "spot") was set aside: the need is
    /// asked for as a kind of place ("sandwich shop").
    pub place: bool,
    /// Vocabulary words read through a slip: (as typed, as read).
    pub corrections: Vec<(String, String)>,
    /// Every non-stopword term of the text, vocabulary words included and need words
    /// corrected (a name such as "Best Thai" is matched whole).
    pub all_terms: Vec<String>,
    /// The terms of the zipcode's town as the query named it ("new", "orlean"): part of
    /// a name only with the rest of it ("New Orleans Hamburger"), never alone.
    pub town_terms: Vec<String>,
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
    let mut words = analyzer.words(text);
    let (joined_text, joined) = if literal {
        (None, Vec::new())
    } else {
        join_split_words(analyzer, text, &words, lookup)
    };
    let text = match joined_text.as_deref() {
        Some(t) => {
            words = analyzer.words(t);
            t
        }
        None => text,
    };
    // The words `r` as typed.
    let span = |r: std::ops::Range<usize>| &text[words[r.start].from..words[r.end - 1].to];
    let mut u = Understanding {
        corrections: joined,
        ..Understanding::default()
    };
    // What each word is: None for a word of the need.
    let mut meaning: Vec<Option<Meaning>> = vec![None; words.len()];
    // Vocabulary words read through a slip: (as written, its term), by word.
    let mut read_as: Vec<Option<(&'static str, String)>> = vec![None; words.len()];
    // The need is the vocabulary's own words ("patio restaurant" alone).
    let mut vocabulary_need = false;
    if !literal {
        // A slip in a vocabulary word ("chep", "outdor seating") that the zipcode does not
        // know as typed is read as the vocabulary word, when it then makes a phrase; so is
        // one it knows when the vocabulary word is written a hundred times as often, the
        // slip weighed ("resturant": reviewers slip too; not "bear" for near).
        let vocabulary = Vocabulary::get();
        let typed: Vec<String> = words
            .iter()
            .map(|w| fold(&text[w.from..w.to]).into_owned())
            .collect();
        let mut stems: Vec<&str> = words.iter().map(|w| w.term.as_str()).collect();
        let mut slipped: Vec<(usize, &str)> = Vec::new();
        for (i, w) in words.iter().enumerate() {
            // A word of a category of the index's places ("diner") is no slip for a
            // vocabulary word ("dinner").
            if w.stop || typed[i].chars().count() < 4 || lookup.category_word(&w.term) {
                continue;
            }
            // A form of the same word ("hour" beside "hours") is no slip.
            if let Some((written, stem)) = vocabulary
                .nearest_word(&typed[i])
                .filter(|(_, stem)| *stem != w.term.as_str())
                .filter(|(written, _)| {
                    !lookup.in_zip(&w.term) || {
                        let typed_count = lookup.written_count(&typed[i]).unwrap_or(0).max(1);
                        let count = lookup.written_count(written).unwrap_or(0);
                        let weight = slip(&typed[i], written).map_or(0.0, |s| s.weight());
                        weight * count as f32 >= KNOWN_WORD_ODDS * typed_count as f32
                    }
                })
            {
                stems[i] = stem;
                slipped.push((i, written));
            }
        }
        let found = vocabulary.find(&stems);
        for (i, written) in slipped {
            if found
                .iter()
                .any(|f| (f.start..f.start + f.len).contains(&i))
            {
                read_as[i] = Some((written, stems[i].to_string()));
            }
        }
        for f in found {
            let span = span(f.start..f.start + f.len);
            match f.meaning {
                Meaning::Filler | Meaning::Place | Meaning::Meal => u.filler.push(span.to_string()),
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
        // Amounts: "under $15", "10 bucks or less", "$$", "within 5 miles".
        if let Some(a) = amounts(text, &words, &meaning) {
            // A distance, or a price beyond Yelp's levels ("under $100"): filler.
            let m = a.price.map_or(Meaning::Filler, Meaning::Price);
            u.price = a.price.or(u.price);
            if a.price.is_none() && !a.words.is_empty() {
                u.filler.push(span(a.words.clone()).to_string());
            }
            for w in &mut meaning[a.words] {
                *w = Some(m);
            }
        }
        // A number that is not an amount ("top 10", "#1", "2024") says which or when,
        // never what (a name with one, "Pho 79", is still matched whole).
        for (i, w) in words.iter().enumerate() {
            if meaning[i].is_none() && !w.stop && w.term.bytes().all(|b| b.is_ascii_digit()) {
                u.filler.push(span(i..i + 1).to_string());
                meaning[i] = Some(Meaning::Filler);
            }
        }
        // The zipcode's own town ("pasta in new orleans", "champaign il") says where,
        // as the zipcode does: never a word of the need.
        let terms: Vec<&str> = words.iter().map(|w| w.term.as_str()).collect();
        let mut i = 0;
        while i < words.len() {
            let n = lookup.town_len(&terms[i..]);
            if n == 0 || meaning[i..i + n].iter().any(Option::is_some) {
                i += 1;
                continue;
            }
            u.filler.push(span(i..i + n).to_string());
            for m in &mut meaning[i..i + n] {
                *m = Some(Meaning::Filler);
            }
            u.town_terms.extend(
                words[i..i + n]
                    .iter()
                    .filter(|w| !w.stop)
                    .map(|w| w.term.to_string()),
            );
            i += n;
        }
        // A meal says when beside a word places are judged by ("pizza dinner", "gluten
        // free lunch"); before another word of the need, or beside words that are not
        // judged, it is part of the need ("lunch specials", "late lunch"); alone it is
        // the need.
        let need_word = |i: usize| meaning[i].is_none() && !words[i].stop;
        // Asked only when a meal stands beside need words.
        let unjudged_need = std::cell::OnceCell::new();
        let unjudged_need = || {
            *unjudged_need.get_or_init(|| {
                (0..words.len()).any(need_word)
                    && !(0..words.len())
                        .any(|i| need_word(i) && lookup.judged(&words[i].term) >= JUDGED_WORD)
            })
        };
        let part_of_need: Vec<bool> = (0..words.len())
            .map(|i| {
                meaning[i] == Some(Meaning::Meal)
                    && ((i + 1 < words.len() && need_word(i + 1)) || unjudged_need())
            })
            .collect();
        for (i, part) in part_of_need.into_iter().enumerate() {
            if part {
                meaning[i] = None;
                let typed = &text[words[i].from..words[i].to];
                u.filler.retain(|f| f != typed);
            }
        }
        // A kind-of-place word that, with the word before it, is a category of the
        // zipcode ("fast food", "pet store"): part of the need, not set aside.
        for i in 1..words.len() {
            let (prev, this) = (&words[i - 1], &words[i]);
            if meaning[i] == Some(Meaning::Place)
                && meaning[i - 1].is_none()
                && !prev.stop
                && lookup.one_kind(&[prev.term.as_str(), this.term.as_str()])
            {
                meaning[i] = None;
                let typed = &text[this.from..this.to];
                u.filler.retain(|f| f != typed);
            }
        }
        // The need is asked for as a kind of place when a kind-of-place word follows
        // it ("sandwich shop", "the best pizza place"), not when one comes before it
        // ("places that serve pizza", "a spot for pizza": the dish is asked for).
        u.place = (1..words.len()).any(|i| {
            meaning[i] == Some(Meaning::Place) && meaning[i - 1].is_none() && !words[i - 1].stop
        });
        // "restaurants", "happy hour", "dinner" or "cheap" alone: the words are also
        // what to look for (the category Restaurants, reviews that talk of the happy
        // hour).
        let has_need = words
            .iter()
            .zip(&meaning)
            .any(|(w, m)| m.is_none() && !w.stop);
        if !has_need {
            vocabulary_need = true;
            // An amenity is what to look for before a kind of place or a meal ("patio
            // restaurant", "happy hour dinner": the patio, the happy hour); either of
            // those before a price word ("cheap restaurants": the restaurants); a price
            // word only alone ("cheap").
            let has = |f: fn(&Meaning) -> bool| meaning.iter().flatten().any(f);
            let amenity = has(|m| matches!(m, Meaning::Amenity(_)));
            let place = has(|m| matches!(m, Meaning::Place | Meaning::Meal));
            for (i, m) in meaning.iter_mut().enumerate() {
                let asked = match m {
                    Some(Meaning::Amenity(_)) => true,
                    Some(Meaning::Place | Meaning::Meal) => !amenity,
                    Some(Meaning::Price(_)) => !amenity && !place,
                    _ => false,
                };
                if asked {
                    let was_set_aside = matches!(m, Some(Meaning::Place | Meaning::Meal));
                    *m = None;
                    if was_set_aside {
                        let typed = &text[words[i].from..words[i].to];
                        u.filler.retain(|f| f != typed);
                    }
                }
            }
        }
    }
    // Positions: the need's words keep their gaps of stopwords, but not of the
    // vocabulary words taken out between them.
    let mut removed = 0u32;
    let mut first: Option<u32> = None;
    // Which need word each word became.
    let mut need_of: Vec<Option<usize>> = vec![None; words.len()];
    for (i, (w, m)) in words.iter().zip(&meaning).enumerate() {
        if m.is_some() {
            removed += 1;
            continue;
        }
        if w.stop {
            continue;
        }
        need_of[i] = Some(u.need.len());
        let pos = w.position - removed;
        let base = *first.get_or_insert(pos);
        let typed = fold(&text[w.from..w.to]).into_owned();
        // A vocabulary word that is also the need ("paio" alone) is read as it was.
        let (text, term, typed) = match read_as[i].take() {
            Some((written, term)) => (written.to_string(), term, Some(typed)),
            None => (typed, w.term.to_string(), None),
        };
        u.need.push(NeedWord {
            text,
            term,
            position: pos - base,
            typed,
            optional: false,
        });
    }
    // Vocabulary words read through a slip count as read in names ("smoky stdio").
    let mut read_terms: Vec<Option<String>> = vec![None; words.len()];
    for (i, r) in read_as.into_iter().enumerate() {
        if let Some((written, term)) = r {
            let w = &words[i];
            u.corrections
                .push((fold(&text[w.from..w.to]).into_owned(), written.to_string()));
            read_terms[i] = Some(term);
        }
    }
    if !literal {
        // Each word is corrected in the context of the query's other words (a name).
        let context: Vec<&str> = words
            .iter()
            .zip(&read_terms)
            .filter(|(w, _)| !w.stop)
            .map(|(w, read)| read.as_deref().unwrap_or(w.term.as_str()))
            .collect();
        // The words that are not the vocabulary's: a name followed by what is wanted of
        // it ("coper korean bbq near me", "coper korean bbq menu").
        let bare: Vec<&str> = words
            .iter()
            .zip(&meaning)
            .filter(|(w, m)| !w.stop && m.is_none())
            .map(|(w, _)| w.term.as_str())
            .collect();
        fn without<'t>(list: &[&'t str], term: &str) -> Vec<&'t str> {
            let mut out = list.to_vec();
            if let Some(k) = out.iter().position(|t| *t == term) {
                out.remove(k);
            }
            out
        }
        let need_terms: Vec<String> = u.need.iter().map(|w| w.term.clone()).collect();
        for (i, word) in u.need.iter_mut().enumerate() {
            if word.typed.is_some() {
                continue;
            }
            let mut others = without(&context, &word.term);
            if bare.len() < context.len() && !others.is_empty() && !lookup.one_name(&others) {
                let bare = without(&bare, &word.term);
                if !bare.is_empty() && lookup.one_name(&bare) {
                    others = bare;
                }
            }
            let need: Vec<&str> = need_terms
                .iter()
                .enumerate()
                .filter(|&(j, _)| j != i)
                .map(|(_, t)| t.as_str())
                .collect();
            correct(word, lookup, &others, &need);
        }
    }
    u.all_terms = words
        .iter()
        .zip(&need_of)
        .zip(read_terms)
        .filter(|((w, _), _)| !w.stop)
        .map(|((w, n), read)| match n {
            Some(k) => u.need[*k].term.clone(),
            None => read.unwrap_or_else(|| w.term.to_string()),
        })
        .collect();
    if !literal {
        set_aside_around_a_name(&mut u, lookup);
    }
    // A word nothing in the zipcode holds does not filter, as long as another does.
    let found: Vec<bool> = u.need.iter().map(|w| lookup.in_zip(&w.term)).collect();
    if found.iter().any(|&f| f) {
        for (w, f) in u.need.iter_mut().zip(found) {
            w.optional = !f;
        }
    }
    if !literal && !vocabulary_need {
        relax(&mut u, lookup);
    }
    u
}

/// What is wanted of a place named in the query ("joe's pizza hours", "gift cards at
/// joe's pizza"): when the need is no name of the zipcode but a
/// run of two or more of its words is, the words around that run are set aside if
/// places are not judged by them (a dish beside a name stays: "thai kitchen pad thai").
fn set_aside_around_a_name(u: &mut Understanding, lookup: &dyn Lookup) {
    let n = u.need.len();
    if n < 3 {
        return;
    }
    let terms: Vec<&str> = u.need.iter().map(|w| w.term.as_str()).collect();
    if lookup.one_name(&terms) {
        return;
    }
    let Some((from, to)) = (2..n)
        .rev()
        .flat_map(|len| (0..=n - len).map(move |a| (a, a + len)))
        .find(|&(a, b)| lookup.one_name(&terms[a..b]))
    else {
        return;
    };
    let around = |i: usize| i < from || i >= to;
    if (0..n).any(|i| around(i) && lookup.judged(terms[i]) >= JUDGED_WORD) {
        return;
    }
    let mut kept = Vec::with_capacity(to - from);
    for (i, w) in std::mem::take(&mut u.need).into_iter().enumerate() {
        if around(i) {
            u.filler.push(w.typed.unwrap_or(w.text));
        } else {
            kept.push(w);
        }
    }
    u.need = kept;
}

/// A category's word typed as two ("steak house", "sea food", "cheese steaks"): two
/// neighbouring words apart only by spaces, whose joined form is a written word (seen in
/// the sample of reviews, names and categories) and a word of a category of the
/// index's places, are read as that word, unless a name of the zipcode holds both
/// ("Steak House Grill"). Returns the text with them joined, if any were, and each
/// joining as a correction (as typed, as read).
fn join_split_words(
    analyzer: &Analyzer,
    text: &str,
    words: &[crate::analysis::Word],
    lookup: &dyn Lookup,
) -> (Option<String>, Vec<(String, String)>) {
    let mut out = String::new();
    let mut copied = 0;
    let mut joined = Vec::new();
    let mut i = 0;
    while i + 1 < words.len() {
        let (a, b) = (&words[i], &words[i + 1]);
        let between = &text[a.to..b.from];
        if a.stop || b.stop || between.is_empty() || !between.chars().all(char::is_whitespace) {
            i += 1;
            continue;
        }
        let whole = format!("{}{}", &text[a.from..a.to], &text[b.from..b.to]);
        let term = match analyzer.words(&whole).as_slice() {
            [w] => w.term.to_string(),
            _ => {
                i += 1;
                continue;
            }
        };
        // A word written so (not "bagelal", whose stem is "bagel"), of a category, and
        // not two words of a name.
        let compound = term != a.term.as_str()
            && term != b.term.as_str()
            && lookup.written_count(&fold(&whole)).is_some()
            && lookup.category_word(&term);
        if !compound || lookup.one_name(&[a.term.as_str(), b.term.as_str()]) {
            i += 1;
            continue;
        }
        out.push_str(&text[copied..a.from]);
        out.push_str(&whole);
        copied = b.to;
        joined.push((
            fold(&text[a.from..b.to]).into_owned(),
            fold(&whole).into_owned(),
        ));
        i += 2;
    }
    if joined.is_empty() {
        return (None, joined);
    }
    out.push_str(&text[copied..]);
    (Some(out), joined)
}

/// A need word judged from place to place less than this fraction of its most-judged
/// word describes the others ("authentic" or "fresh" beside a dish), if it stands with
/// them in few places ([`DESCRIBED_FEW`]).
const DESCRIBES: f32 = 5.0;

/// Places holding the need's words are counted up to this many.
const RELAX_CAP: u32 = 60;

/// A describing word stays in the need when it stands with the rest in one review of
/// this many of the zipcode's places, or of half of the places whose reviews hold the
/// rest ("gluten free" stays).
const DESCRIBED_FEW: u32 = 5;

/// Words that describe rather than name what is wanted ("authentic sushi", "fresh
/// seafood") are seldom written in one review with the dish: required together, they
/// would leave the places that serve the dish behind those whose reviews hold each
/// word somewhere apart. So a need of several words is relaxed, one word at a time:
/// a word reviewers hardly judge from place to place beside the others ("authentic"
/// beside "sushi": a dish is judged, a description is not, see [`Lookup::judged`])
/// when it stands with the rest in one review of fewer than [`DESCRIBED_FEW`] places
/// and of fewer than half of those that hold the rest; any word, the first (as in an
/// English noun phrase, whose last word is what it names: "spicy tuna roll"), when no
/// place has them in one review. The word becomes optional. A dish of several words
/// that some place's review names whole ("mac and cheese", "fish tacos") stays whole,
/// and so do words that name a kind of place or a place of the zipcode, and needs that
/// are one category's words ("sushi bar").
fn relax(u: &mut Understanding, lookup: &dyn Lookup) {
    loop {
        let required: Vec<usize> = (0..u.need.len()).filter(|&i| !u.need[i].optional).collect();
        if required.len() < 2 {
            return;
        }
        let terms: Vec<&str> = required.iter().map(|&i| u.need[i].term.as_str()).collect();
        if lookup.one_kind(&terms) {
            return;
        }
        let judged = |i: usize| lookup.judged(&u.need[i].term);
        let most_judged = required.iter().map(|&i| judged(i)).fold(0.0, f32::max);
        let describes = |i: usize| judged(i) < most_judged / DESCRIBES;
        let last = required[required.len() - 1];
        let drop = required
            .iter()
            .copied()
            .filter(|&i| i != last || describes(i))
            .filter(|&i| !lookup.names_or_kinds(&u.need[i].term))
            .min_by_key(|&i| (!describes(i), i));
        let Some(drop) = drop else { return };
        let together = lookup.places_with_all(&terms, RELAX_CAP);
        let relaxed = together == 0
            || (describes(drop) && together < DESCRIBED_FEW && {
                let rest: Vec<&str> = required
                    .iter()
                    .filter(|&&i| i != drop)
                    .map(|&i| u.need[i].term.as_str())
                    .collect();
                together * 2 < lookup.places_with_all(&rest, RELAX_CAP)
            });
        if !relaxed {
            return;
        }
        u.need[drop].optional = true;
    }
}

/// Yelp's price levels by what a person means to spend at most (Yelp's own legend: `$`
/// under $10, `$$` $11–30, `$$$` $31–60); above $60 says nothing.
fn price_up_to(dollars: u64) -> Option<PriceWish> {
    let max = match dollars {
        0..=10 => 1,
        11..=30 => 2,
        31..=60 => 3,
        _ => return None,
    };
    Some(PriceWish { min: 1, max })
}

/// A bound on an amount found in a query.
struct Amount {
    /// The price it asks for: none for a distance, or above Yelp's levels.
    price: Option<PriceWish>,
    /// The words it covers (none for signs: the analyser has no word for "$$").
    words: std::ops::Range<usize>,
}

/// The bound on an amount a query states, if one: a price in dollars ("under $15",
/// "less than 20 dollars", "10 bucks or less", "$30 max", "under 10$") or Yelp's signs
/// typed alone ("$$"); or a distance or a time ("within 5 miles", "10 minutes away"),
/// which says where, as the zipcode does. An amount counts only with its dollar sign or
/// unit.
fn amounts(
    text: &str,
    words: &[crate::analysis::Word],
    meaning: &[Option<Meaning>],
) -> Option<Amount> {
    const BEFORE: &[&str] = &["under", "below", "less", "max", "maximum", "within"];
    const UNITS: &[&str] = &["dollar", "dollars", "buck", "bucks", "usd"];
    const FAR: &[&str] = &[
        "mile",
        "miles",
        "mi",
        "km",
        "kms",
        "kilometer",
        "kilometers",
        "kilometre",
        "kilometres",
        "minute",
        "minutes",
        "min",
        "mins",
        "block",
        "blocks",
    ];
    const AFTER: &[&[&str]] = &[
        &["or", "less"],
        &["or", "under"],
        &["and", "under"],
        &["or", "below"],
        &["max"],
        &["maximum"],
    ];
    const AWAY: &[&[&str]] = &[&["away"]];
    const PRICE_BOUND: &[&str] = &["under", "below", "less"];
    let typed = |i: usize| fold(&text[words[i].from..words[i].to]).into_owned();
    let free = |i: usize| i < words.len() && meaning[i].is_none();
    let is = |i: usize, set: &[&str]| free(i) && set.contains(&typed(i).as_str());
    for i in (0..words.len()).filter(|&i| free(i)) {
        let Ok(amount) = typed(i).parse::<u64>() else {
            continue;
        };
        let sign = text[..words[i].from].trim_end().ends_with('$')
            || text[words[i].to..].trim_start().starts_with('$');
        let mut to = i + 1;
        let (unit, far) = (is(to, UNITS), is(to, FAR));
        if unit || far {
            to += 1;
        }
        // "less than $20": the bound, stopwords, the amount.
        let mut from = i;
        while from > 0 && free(from - 1) && words[from - 1].stop && !is(from - 1, BEFORE) {
            from -= 1;
        }
        let before = from > 0 && is(from - 1, BEFORE);
        // A bare amount under a bound of price ("tacos under 10", "less than 20") is
        // dollars: what else would be under ten at a restaurant.
        let bare = before && is(from - 1, PRICE_BOUND);
        if !(sign || unit || far || bare) {
            continue;
        }
        let after = AFTER
            .iter()
            .chain(if far { AWAY } else { &[] })
            .find(|p| p.iter().enumerate().all(|(k, w)| is(to + k, &[w])));
        if let Some(p) = after {
            to += p.len();
        } else if !before {
            continue;
        }
        let start = if before { from - 1 } else { i };
        let price = if far { None } else { price_up_to(amount) };
        return Some(Amount {
            price,
            words: start..to,
        });
    }
    // Yelp's signs alone: "$$ sushi".
    text.split_whitespace()
        .rfind(|t| (1..=4).contains(&t.len()) && t.bytes().all(|b| b == b'$'))
        .map(|t| {
            let n = t.len() as u8;
            Amount {
                price: Some(PriceWish { min: n, max: n }),
                words: 0..0,
            }
        })
}

/// How much more likely a correction must be than the word as typed, when the
/// zipcode knows the typed word (it may be a rare dish, not a slip): a slip is about a
/// hundred times less likely than typing a word right.
const KNOWN_WORD_ODDS: f32 = 100.0;

/// A candidate meaning of a typed word.
#[derive(Clone)]
struct Candidate {
    likelihood: f32,
    term: String,
    written: Option<String>,
    /// The odds against the typed word, when the zipcode knows it.
    odds: f32,
}

/// A written form seen this often in the sample is taken as meant: a correction would
/// need a neighbour a hundred times as common (and the search for one is the costly
/// part of a query). A form the sample has not seen is looked at, however many of the
/// zipcode's reviews hold its term ("coffe" is in a few: "coffee" is in hundreds).
const COMMON_FORM: u32 = 20;

/// A word reviewers judge places by ([`Lookup::judged`], an F statistic of its clauses'
/// sentiment between and within places: 1 is chance): dishes and drinks score 10–40,
/// meals 4–10; "late", "desert", "bunch", "fired" 1.1–3.3 on the evaluation corpus.
const JUDGED_WORD: f32 = 4.0;

/// A word in more than this share of the reviews is part of how reviews are written
/// ("back", judged because "will be back" goes with how a place is liked), not what
/// people look for: no common word is read as a slip for it.
const SOUGHT_SHARE: f64 = 0.1;

/// How many times more a neighbour must be judged than a common word that is not a
/// judged word, for the word to be read as a slip for it.
const JUDGED_MORE: f32 = 3.0;

/// Replaces `word` by its most likely meaning when the zipcode does not know it, or
/// knows it far less than a near neighbour. Candidates are the written forms near what
/// was typed ("dumpligs" → "dumplings") and, when those have none the zipcode knows,
/// the terms near its term. `others` are the query's other words (for names), `need`
/// the need's other words.
///
/// Two slips look like words the zipcode knows, and are read by what they are near:
/// a common word that places are not judged by, alone or beside words it is seldom
/// written with, is read as a word one usual slip away that places are judged by and
/// that is written with the rest ("desert" → "dessert", "late" → "latte", "fired rice"
/// → "fried rice"); and a word that holds a category's word only by beginning with it,
/// a form the sample has not seen, is read as that word when it is one usual slip away
/// ("coffeee", "donutts").
fn correct(word: &mut NeedWord, lookup: &dyn Lookup, others: &[&str], need: &[&str]) {
    let chars = word.text.chars().count();
    let edits = max_edits(chars);
    if edits == 0 || word.text.chars().any(|c| c.is_ascii_digit()) {
        return;
    }
    // The other words are a name of the zipcode's but this one is not in it ("harbor
    // plumbng", "the moring kettle": "more" is a common word): a neighbour that
    // completes the name is looked for even when the word is a common one or meets a
    // category.
    let in_a_name = !others.is_empty() && lookup.one_name(others) && {
        let mut all = others.to_vec();
        all.push(&word.term);
        !lookup.one_name(&all)
    };
    let typed_count = lookup.written_count(&word.text);
    let established = typed_count.is_some_and(|n| n >= COMMON_FORM);
    let held = lookup.never_a_slip(&word.term) && !in_a_name;
    // A held word is read otherwise only when it holds a category's word by beginning
    // with it ("coffeee"): never a common form, nor a word of the zipcode's names.
    if held && (established || lookup.one_name(&[&word.term])) {
        return;
    }
    let typed_judged = lookup.judged(&word.term);
    let says_nothing =
        !held && !in_a_name && typed_judged < JUDGED_WORD && lookup.in_zip(&word.term);
    if established && !in_a_name && !says_nothing {
        return;
    }
    let typed_prior = searched_prior(typed_judged);
    let typed_df = lookup.doc_freq(&word.term).max(1) as f32 * typed_prior;
    // The written forms near `typed` (the word, or the word without a possessive).
    let near_forms = |typed: &str, edits: u8| -> Vec<Candidate> {
        let mut out = Vec::new();
        for f in lookup.near_written(typed, edits) {
            if f.term == word.term || crate::analysis::is_stopword(&f.written) {
                continue;
            }
            let prior = searched_prior(lookup.judged(&f.term));
            let likelihood = likelihood(typed, &f.written, f.doc_freq) * prior;
            // Both forms seen in the sample: compare the forms ("wins" and "wings"
            // share no term, but "win" counts every "win" and "winning").
            let odds = match typed_count {
                Some(tc) => {
                    likelihood / f.doc_freq.max(1) as f32 * f.count as f32
                        / (tc.max(1) as f32 * typed_prior)
                }
                None => likelihood / typed_df,
            };
            out.push(Candidate {
                likelihood,
                term: f.term,
                written: Some(f.written),
                odds,
            });
        }
        out
    };
    let mut candidates = near_forms(&word.text, edits);
    // A neighbour that makes a name of the zipcode with the query's other words ("coper
    // cucina": The Copper Cucina) is what was meant, however rare a word it is.
    if in_a_name {
        if let Some(named) = completes_a_name(&mut candidates, lookup, others) {
            apply(word, named, lookup);
            return;
        }
        // A name typed with a possessive ("iron detal's"): the word without it.
        if let Some(bare) = word
            .text
            .strip_suffix("'s")
            .filter(|b| b.chars().count() >= 4)
        {
            let mut bare_candidates = near_forms(bare, max_edits(bare.chars().count()));
            if let Some(named) = completes_a_name(&mut bare_candidates, lookup, others) {
                apply(word, named, lookup);
                return;
            }
        }
    }
    if held || says_nothing {
        let mut usual: Vec<Candidate> = candidates
            .iter()
            .filter(|c| {
                c.written
                    .as_deref()
                    .and_then(|w| slip(&word.text, w))
                    .is_some_and(Slip::usual)
            })
            .cloned()
            .collect();
        let meant = if held {
            // "coffeee" is held by beginning with the word of Coffee & Tea, which
            // "coffee" is.
            let term = word.term.clone();
            likeliest(&mut usual, |t| {
                t.len() < term.len() && term.starts_with(t) && lookup.never_a_slip(t)
            })
        } else {
            let with_rest = |t: &str| {
                let mut terms = need.to_vec();
                terms.push(t);
                lookup.places_with_all(&terms, RELAX_CAP)
            };
            // Counted only once a candidate asks for it.
            let typed_together = std::cell::OnceCell::new();
            likeliest(&mut usual, |t| {
                lookup.judged(t) >= JUDGED_WORD.max(JUDGED_MORE * typed_judged)
                    && (lookup.doc_freq(t) as f64) <= SOUGHT_SHARE * lookup.reviews() as f64
                    && lookup.in_zip(t)
                    && (need.is_empty()
                        || with_rest(t)
                            >= (2 * *typed_together.get_or_init(|| with_rest(&word.term))).max(3))
            })
        };
        if let Some(meant) = meant {
            apply(word, meant, lookup);
            return;
        }
        if held {
            return;
        }
    }
    if established {
        return;
    }
    let mut best = most_likely_in_zip(&mut candidates, lookup);
    if best.is_none() && !lookup.in_zip(&word.term) {
        for (t, df) in lookup.near(&word.term, edits) {
            if t == word.term || crate::analysis::is_stopword(&t) {
                continue;
            }
            let likelihood = likelihood(&word.term, &t, df) * searched_prior(lookup.judged(&t));
            candidates.push(Candidate {
                odds: likelihood / typed_df,
                likelihood,
                term: t,
                written: None,
            });
        }
        best = most_likely_in_zip(&mut candidates, lookup);
    }
    let Some(best) = best else {
        return;
    };
    if lookup.in_zip(&word.term) && best.odds < KNOWN_WORD_ODDS {
        return;
    }
    apply(word, best, lookup);
}

/// Reads `word` as `best`.
fn apply(word: &mut NeedWord, best: Candidate, lookup: &dyn Lookup) {
    let shown = best
        .written
        .or_else(|| lookup.written(&best.term))
        .unwrap_or_else(|| best.term.clone());
    word.typed = Some(std::mem::replace(&mut word.text, shown));
    word.term = best.term;
}

/// The most likely of the eight most likely candidates (distinct terms) that `fits`.
fn likeliest(candidates: &mut [Candidate], fits: impl Fn(&str) -> bool) -> Option<Candidate> {
    candidates.sort_by(|a, b| {
        b.likelihood
            .total_cmp(&a.likelihood)
            .then_with(|| a.term.cmp(&b.term))
    });
    let mut tried: Vec<&str> = Vec::new();
    for c in candidates.iter() {
        if tried.contains(&c.term.as_str()) {
            continue;
        }
        if tried.len() >= 8 {
            break;
        }
        tried.push(&c.term);
        if fits(&c.term) {
            return Some(c.clone());
        }
    }
    None
}

/// The likeliest candidate that, with `others`, is all words of one name of the
/// zipcode's places.
fn completes_a_name(
    candidates: &mut [Candidate],
    lookup: &dyn Lookup,
    others: &[&str],
) -> Option<Candidate> {
    if others.is_empty() {
        return None;
    }
    likeliest(candidates, |term| {
        let mut terms = others.to_vec();
        terms.push(term);
        lookup.one_name(&terms)
    })
}

/// The likeliest candidate that the zipcode knows.
fn most_likely_in_zip(candidates: &mut [Candidate], lookup: &dyn Lookup) -> Option<Candidate> {
    likeliest(candidates, |term| lookup.in_zip(term))
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
                ("dumpl", (true, 1_500)),
                ("wing", (true, 9_000)),
                ("win", (true, 900)),
                ("cram", (true, 12)),
                ("late", (true, 15_000)),
                ("latt", (true, 5_000)),
                ("tart", (true, 150)),
                ("start", (true, 16_000)),
                ("fast", (true, 4_000)),
                ("food", (true, 40_000)),
                ("pet", (true, 700)),
                ("store", (true, 2_000)),
                ("frozen", (true, 900)),
                ("yogurt", (true, 800)),
                ("authent", (true, 3_000)),
                ("burger", (true, 30_000)),
                ("burgesr", (true, 300)),
                ("fire", (true, 20_000)),
                ("fri", (true, 12_000)),
                ("rice", (true, 8_000)),
                ("back", (true, 60_000)),
                ("bake", (true, 4_000)),
                ("donut", (true, 3_000)),
                ("price", (true, 9_000)),
                ("india", (true, 50)),
                ("restur", (true, 30)),
                ("bear", (true, 1_500)),
                ("near", (true, 20_000)),
                ("indian", (true, 2_000)),
            ]))
        }
    }

    impl Fake {
        /// The zipcode's reviews that hold `stem`: a hundredth of the index's.
        fn zip_reviews(&self, stem: &str, cap: u32) -> u32 {
            self.0
                .get(stem)
                .filter(|e| e.0)
                .map_or(0, |e| (e.1 / 100).min(cap as u64) as u32)
        }
    }

    impl Lookup for Fake {
        fn in_zip(&self, stem: &str) -> bool {
            self.0.get(stem).is_some_and(|e| e.0)
        }
        fn names_or_kinds(&self, stem: &str) -> bool {
            stem == "cocina"
        }
        fn never_a_slip(&self, stem: &str) -> bool {
            // Cocina and India name places; Indian and Donuts are categories, Donuts
            // met by the words that begin with its word.
            ["cocina", "india", "indian"].contains(&stem) || stem.starts_with("donut")
        }
        fn doc_freq(&self, stem: &str) -> u64 {
            self.0.get(stem).map_or(0, |e| e.1)
        }
        fn reviews(&self) -> u64 {
            200_000
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
        fn near_written(&self, written: &str, edits: u8) -> Vec<NearForm> {
            let w = super::super::typo::Within::new(written, edits);
            FORMS
                .iter()
                .filter(|(f, _, _)| w.distance(f).is_some())
                .map(|(f, t, n)| NearForm {
                    written: f.to_string(),
                    term: t.to_string(),
                    doc_freq: self.doc_freq(t),
                    count: *n,
                })
                .collect()
        }
        fn written_count(&self, written: &str) -> Option<u32> {
            FORMS.iter().find(|f| f.0 == written).map(|f| f.2)
        }
        fn judged(&self, term: &str) -> f32 {
            JUDGED.iter().find(|j| j.0 == term).map_or(0.0, |j| j.1)
        }
        fn town_len(&self, terms: &[&str]) -> usize {
            match terms {
                ["new", "orlean", "la", ..] => 3,
                ["new", "orlean", ..] => 2,
                _ => 0,
            }
        }
        fn category_word(&self, term: &str) -> bool {
            ["steakhous", "seafood", "bagel", "diner"].contains(&term)
        }
        fn one_kind(&self, terms: &[&str]) -> bool {
            matches!(terms, ["fast", "food"] | ["pet", "store"])
        }
        fn one_name(&self, terms: &[&str]) -> bool {
            // The fake zipcode's named places: Cram Cocina, Latte Bar, India House, Sea
            // Food Shack.
            terms.iter().all(|t| ["cram", "cocina"].contains(t))
                || terms.iter().all(|t| ["india", "hous"].contains(t))
                || terms.iter().all(|t| ["sea", "food", "shack"].contains(t))
                || terms.iter().all(|t| ["latt", "bar"].contains(t))
        }
        fn places_with_all(&self, terms: &[&str], cap: u32) -> u32 {
            // The zipcode's places: a tenth of its reviews' count; words written apart
            // share no review.
            let pair = |set: &[(&str, &str)]| {
                set.iter()
                    .any(|(a, b)| terms.contains(a) && terms.contains(b))
            };
            if pair(APART) {
                return 0;
            }
            if pair(SELDOM) {
                return 1;
            }
            terms
                .iter()
                .map(|t| (self.zip_reviews(t, u32::MAX) / 10).min(cap))
                .min()
                .unwrap_or(0)
        }
    }

    /// Words of the fake index that no review writes together.
    const APART: &[(&str, &str)] = &[("authent", "pizza"), ("salad", "pasta"), ("fire", "rice")];
    /// Words of the fake index that one place's reviews write together.
    const SELDOM: &[(&str, &str)] = &[("authent", "pasta"), ("wing", "salad")];

    /// How the fake index's reviewers judge its terms.
    const JUDGED: &[(&str, f32)] = &[
        ("burger", 25.0),
        ("pizza", 30.0),
        ("pasta", 20.0),
        ("salad", 14.0),
        ("wing", 20.0),
        ("latt", 10.0),
        ("cream", 8.0),
        ("tart", 5.0),
        ("said", 1.0),
        ("start", 1.0),
        ("late", 2.0),
        ("fire", 3.0),
        ("fri", 20.0),
        ("rice", 9.0),
        ("back", 10.0),
        ("bake", 1.5),
        ("price", 19.0),
    ];

    /// Written forms of the fake index: form, term, times seen.
    const FORMS: &[(&str, &str, u32)] = &[
        ("dumplings", "dumpl", 40),
        ("wings", "wing", 295),
        ("wins", "win", 2),
        ("winning", "win", 30),
        ("cream", "cream", 60),
        ("cram", "cram", 3),
        ("burgers", "burger", 900),
        ("late", "late", 150),
        ("latte", "latt", 50),
        ("fired", "fire", 300),
        ("fried", "fri", 200),
        ("baked", "bake", 150),
        ("backed", "back", 30),
        ("donuts", "donut", 300),
        ("rice", "rice", 200),
        ("price", "price", 250),
        ("indian", "indian", 300),
        ("resturant", "restur", 3),
        ("restaurant", "restaur", 900),
        ("bear", "bear", 15),
        ("near", "near", 300),
        ("steakhouse", "steakhous", 40),
        ("steakhouses", "steakhous", 60),
        ("seafood", "seafood", 80),
    ];

    /// How the fake index's zipcode understands `q`.
    fn understand(q: &str) -> Understanding {
        interpret(&Analyzer::default(), q, &Fake::new(), false)
    }

    fn need(q: &str) -> Vec<(String, Option<String>, bool)> {
        understand(q)
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
            "i would like pasta",
            "i'd like some pasta",
            "i feel like pasta",
            "in the mood for pasta",
            "pasta with friends",
            "best pasta ever",
            "order pasta",
            "i'd love some pasta",
            "hungry for pasta",
            "pasta lovers",
            "killer pasta",
            "nearest pasta",
            "pasta dinner",
            "pasta for lunch",
            "thai cuisine near me",
        ] {
            let want = if q.starts_with("thai") {
                "thai"
            } else {
                "pasta"
            };
            assert_eq!(words(q), [want], "{q}");
        }
        let u = understand("best pasta near me");
        assert_eq!(u.filler, ["best", "near me"]);
    }

    #[test]
    fn a_meal_says_when_unless_it_names_the_need() {
        // After the need, it says when; before another word it is part of the need;
        // alone it is the need.
        assert_eq!(words("pasta dinner"), ["pasta"]);
        assert_eq!(words("lunch specials"), ["lunch", "specials"]);
        // After a word places are not judged by, it is what that word describes.
        assert_eq!(words("late lunch"), ["late", "lunch"]);
        assert_eq!(words("dinner"), ["dinner"]);
        assert_eq!(words("best lunch near me"), ["lunch"]);
        // A word of a category of the index's places is no slip for one ("diner").
        let u = understand("diner");
        assert!(u.corrections.is_empty() && u.filler.is_empty(), "{u:?}");
        assert_eq!(need("diner"), [("diner".to_string(), None, false)]);
    }

    #[test]
    fn a_kind_of_place_word_before_the_need_asks_for_the_dish() {
        for q in ["pasta place", "the best pasta restaurant", "a pasta spot"] {
            assert!(understand(q).place, "{q}");
        }
        for q in [
            "places that serve pasta",
            "restaurants with pasta",
            "best place to get pasta",
            "a good spot for pasta",
        ] {
            let u = understand(q);
            assert_eq!(words(q), ["pasta"], "{q}");
            assert!(!u.place, "{q}");
        }
    }

    #[test]
    fn a_kind_of_place_alone_is_the_need() {
        assert_eq!(words("restaurants"), ["restaurants"]);
        assert_eq!(words("best restaurants near me"), ["restaurants"]);
    }

    #[test]
    fn a_kind_of_place_word_stays_when_it_completes_a_category() {
        // The fake zipcode has Fast Food and Pet Stores, no Pasta Shops.
        assert_eq!(words("fast food"), ["fast", "food"]);
        assert_eq!(words("cheap fast food near me"), ["fast", "food"]);
        assert_eq!(words("pet store"), ["pet", "store"]);
        assert_eq!(words("pasta shop"), ["pasta"]);
        assert!(understand("pasta shop").place && !understand("fast food").place);
        assert_eq!(words("frozen yogurt stand"), ["frozen", "yogurt"]);
    }

    #[test]
    fn price_or_amenity_alone_is_also_the_need() {
        let u = understand("happy hour");
        assert_eq!(u.amenities, [Amenity::HappyHour]);
        let w: Vec<&str> = u.need.iter().map(|w| w.text.as_str()).collect();
        assert_eq!(w, ["happy", "hour"]);
        let u = understand("best cheap");
        assert!(u.price.is_some());
        assert_eq!(u.need.len(), 1);
        let u = understand("open now");
        assert!(u.open_now && u.need.is_empty());
        // An amenity is asked for before a kind of place or a meal, and a number
        // beside it says nothing ("happy hour 2024" looked for "2024" alone).
        for q in [
            "happy hour restaurants",
            "happy hour dinner",
            "happy hour 2024",
        ] {
            assert_eq!(words(q), ["happy", "hour"], "{q}");
        }
        assert_eq!(words("patio restaurant"), ["patio"]);
        assert!(!understand("patio restaurant").place);
        // Before a price, a kind of place is the need.
        assert_eq!(words("cheap restaurants"), ["restaurants"]);
    }

    #[test]
    fn all_terms_hold_corrections() {
        let u = understand("best piza");
        assert_eq!(u.all_terms, ["best", "pizza"]);
        // A vocabulary word read through a slip, as read.
        let u = understand("pizza resturant");
        assert_eq!(u.corrections, [("resturant".into(), "restaurant".into())]);
        assert_eq!(u.all_terms, ["pizza", "restaur"]);
    }

    #[test]
    fn slips_in_vocabulary_words_are_read() {
        let u = understand("chep pizza");
        assert_eq!(u.price.map(|p| (p.min, p.max)), Some((1, 1)));
        assert_eq!(u.corrections, [("chep".to_string(), "cheap".to_string())]);
        let w: Vec<&str> = u.need.iter().map(|w| w.text.as_str()).collect();
        assert_eq!(w, ["pizza"]);
        let u = understand("pizza with outdor seating");
        assert_eq!(u.amenities, [Amenity::OutdoorSeating]);
        let u = understand("paio");
        assert_eq!(u.amenities, [Amenity::OutdoorSeating]);
        // A word the zipcode knows is not a slip: "taco" stays a taco.
        let u = understand("taco");
        assert!(u.corrections.is_empty() && u.amenities.is_empty());
        // Unless the vocabulary word is written a hundred times as often, the slip
        // weighed: "resturant" (in a few reviews) is a restaurant, a kind of place;
        // "bear" (a neighbouring key from "near", written a twentieth as often) stays.
        let u = understand("pizza resturant");
        assert!(u.place);
        assert_eq!(words("pizza resturant"), ["pizza"]);
        let u = understand("pizza bear");
        assert!(u.corrections.is_empty() && u.filler.is_empty());
        assert_eq!(words("pizza bear"), ["pizza", "bear"]);
    }

    #[test]
    fn price_and_amenities() {
        let u = understand("good cheap pizza with outdoor seating open now");
        assert_eq!(u.need.len(), 1);
        assert_eq!(u.need[0].text, "pizza");
        assert_eq!(u.price.map(|p| (p.min, p.max)), Some((1, 1)));
        assert_eq!(u.amenities, [Amenity::OutdoorSeating]);
        assert!(u.open_now);
        let u = understand("pizza for a group");
        assert_eq!(u.amenities, [Amenity::GoodForGroups]);
    }

    #[test]
    fn dollars_are_a_price() {
        let price = |q: &str| {
            let u = understand(q);
            let need: Vec<String> = u.need.into_iter().map(|w| w.text).collect();
            (u.price.map(|p| (p.min, p.max)), need)
        };
        let pizza = || vec!["pizza".to_string()];
        assert_eq!(price("pizza under $10"), (Some((1, 1)), pizza()));
        assert_eq!(price("pizza for less than $25"), (Some((1, 2)), pizza()));
        assert_eq!(price("pizza under 40 dollars"), (Some((1, 3)), pizza()));
        assert_eq!(price("pizza 10 bucks or less"), (Some((1, 1)), pizza()));
        assert_eq!(price("pizza under 10$"), (Some((1, 1)), pizza()));
        assert_eq!(price("pizza $15 max"), (Some((1, 2)), pizza()));
        // A bare amount under a bound of price is dollars.
        assert_eq!(price("pizza under 15"), (Some((1, 2)), pizza()));
        assert_eq!(price("pizza for less than 10"), (Some((1, 1)), pizza()));
        assert_eq!(price("$$ pizza"), (Some((2, 2)), pizza()));
        assert_eq!(price("pizza $$$$"), (Some((4, 4)), pizza()));
        // Above Yelp's top level the amount says nothing; the words still do not filter.
        assert_eq!(price("pizza under $100"), (None, pizza()));
        // A distance or a time says where: no price, and no word of the need.
        assert_eq!(price("pizza within 5 miles"), (None, pizza()));
        assert_eq!(price("pizza 10 minutes away"), (None, pizza()));
        // Numbers without a unit or a bound say which or when, never what; a name
        // with one is still matched whole.
        assert_eq!(
            price("pizza $10"),
            (None, pizza()),
            "an amount without a bound"
        );
        for q in ["top 10 pizza", "#1 pizza", "pizza 2024"] {
            assert_eq!(price(q), (None, pizza()), "{q}");
        }
        assert_eq!(price("5 guys burgers").1, ["guys", "burgers"]);
        assert_eq!(
            understand("5 guys burgers").all_terms,
            ["5", "guy", "burger"]
        );
    }

    #[test]
    fn the_zipcodes_town_is_where_not_what() {
        for q in [
            "pasta in new orleans",
            "best pasta new orleans la",
            "New Orleans pasta",
        ] {
            assert_eq!(words(q), ["pasta"], "{q}");
        }
        let u = understand("pasta in New Orleans");
        assert_eq!(u.filler, ["New Orleans"]);
        assert_eq!(u.town_terms, ["new", "orlean"]);
        assert_eq!(words("new pasta"), ["new", "pasta"], "only the whole name");
        assert_eq!(
            interpret(&Analyzer::default(), "new orleans", &Fake::new(), true)
                .need
                .len(),
            2,
            "taken literally, the words are the need"
        );
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
        // A form the sample has not seen, which a few of the zipcode's reviews hold,
        // beside one it has seen hundreds of times.
        assert_eq!(need("burgesr")[0].0, "burgers");
    }

    #[test]
    fn written_forms_catch_what_terms_miss() {
        // "dumpligs" is term "dumplig", two edits from "dumpl".
        assert_eq!(need("dumpligs")[0].0, "dumplings");
        // "wins" is a word, but far rarer as written than "wings".
        assert_eq!(need("wins")[0].0, "wings");
        // "cram" is a known term, four letters, much rarer than "cream".
        assert_eq!(need("ice cram")[1].0, "cream");
        // "tart" is rare, but a dish: not "start".
        assert_eq!(need("tart")[0].1, None);
    }

    #[test]
    fn a_common_word_places_are_not_judged_by_is_a_slip_for_one_they_are() {
        // Alone, "late" says nothing about a place: latte (judged five times as much).
        assert_eq!(need("late"), [("latte".into(), Some("late".into()), false)]);
        // "fired" beside "rice", which no review writes with it: fried rice.
        assert_eq!(words("fired rice"), ["fried", "rice"]);
        // Beside "pizza", written together as often as "fried" is: it stays.
        assert_eq!(need("fired pizza")[0].1, None);
        // "backed" is judged, but "back" is in a third of the reviews: not a slip for it.
        assert_eq!(need("baked")[0].1, None);
        // A word places are judged by stays: "rice", though "price" is judged twice
        // as much.
        assert_eq!(need("rice")[0].1, None);
    }

    #[test]
    fn a_category_word_typed_as_two_is_read_as_one() {
        let u = understand("best Steak House near me");
        assert_eq!(words("best Steak House near me"), ["steakhouse"]);
        assert_eq!(
            u.corrections,
            [("steak house".to_string(), "steakhouse".to_string())]
        );
        assert_eq!(words("steak houses"), ["steakhouses"]);
        // Apart by more than a space, or taken literally, they stay two words.
        assert_eq!(words("steak, house"), ["steak", "house"]);
        let literal = interpret(&Analyzer::default(), "steak house", &Fake::new(), true);
        assert_eq!(literal.need.len(), 2);
        // "bagel al fresco" is no "bagelal", whose stem is the category's "bagel"; words
        // of a name of the zipcode stay as typed: Sea Food Shack.
        assert!(understand("bagel al fresco").corrections.is_empty());
        assert_eq!(words("bagel al fresco")[0], "bagel");
        assert!(understand("sea food").corrections.is_empty());
    }

    #[test]
    fn a_category_word_with_a_letter_doubled_is_read_as_the_word() {
        // "donutts" begins with the Donuts category's word, so it was never a slip.
        assert_eq!(need("donutts")[0].0, "donuts");
        assert_eq!(need("donuts")[0].1, None);
        // A name's word is held as it is: "india" (India House), not Indian.
        assert_eq!(need("india")[0].1, None);
    }

    #[test]
    fn a_slip_is_read_as_the_name_the_other_words_make() {
        // "craem" alone is cream; beside "cocina", the name Cram Cocina.
        assert_eq!(need("craem")[0].0, "cream");
        assert_eq!(need("craem cocina")[0].0, "cram");
        assert_eq!(need("craem cocina")[0].1.as_deref(), Some("craem"));
        // "late" is common and stays beside "pizza", but not beside "bar": Latte Bar.
        assert_eq!(need("late pizza")[0].1, None);
        assert_eq!(need("late bar")[0].0, "latte");
    }

    #[test]
    fn what_is_wanted_of_a_named_place_is_set_aside() {
        // India House is a place of the fake zipcode.
        for q in [
            "india house hours",
            "hours of india house",
            "india house gift card",
        ] {
            assert_eq!(words(q), ["india", "house"], "{q}");
        }
        assert!(understand("india house hours")
            .filler
            .contains(&"hours".to_string()));
        // A dish beside the name is what is wanted there; a name's words are kept.
        assert_eq!(words("india house pasta"), ["india", "house", "pasta"]);
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
    fn words_seldom_written_with_the_rest_of_the_need_are_relaxed() {
        // "authentic" is hardly judged and never written with "pizza": optional.
        assert_eq!(
            need("authentic pizza"),
            [
                ("authentic".into(), None, true),
                ("pizza".into(), None, false)
            ]
        );
        assert_eq!(need("pizza authentic")[1], ("authentic".into(), None, true));
        // Two dishes never written together: the last word is what is asked for.
        assert_eq!(
            need("salad pasta"),
            [("salad".into(), None, true), ("pasta".into(), None, false)]
        );
        // A describing word written with the dish at one place of the eight that serve
        // it: optional. Two dishes written together at one place: a dish of two words.
        assert_eq!(need("authentic pasta")[0], ("authentic".into(), None, true));
        assert!(need("salad wings").iter().all(|w| !w.2));
        // Written together often enough: both stay, the describing word too.
        assert!(need("ice cream").iter().all(|w| !w.2));
        assert!(need("said pizza").iter().all(|w| !w.2));
        // A category's words stay together; taken as typed, nothing is relaxed.
        assert!(need("fast food").iter().all(|w| !w.2));
        let u = interpret(&Analyzer::default(), "authentic pizza", &Fake::new(), true);
        assert!(u.need.iter().all(|w| !w.optional));
    }

    #[test]
    fn a_price_word_is_the_need_only_alone() {
        let u = understand("cheap happy hour");
        assert_eq!(words("cheap happy hour"), ["happy", "hour"]);
        assert_eq!(u.price.map(|p| (p.min, p.max)), Some((1, 1)));
        assert_eq!(u.amenities, [Amenity::HappyHour]);
        assert_eq!(words("cheap"), ["cheap"]);
    }

    #[test]
    fn positions_skip_vocabulary_words() {
        let u = understand("ice best cream");
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
