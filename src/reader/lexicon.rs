//! What the index's businesses are called and what they are: the terms of their
//! categories and names, by zipcode, and where each zipcode lies. Built from the
//! business table when a version opens; the query interpreter reads it to know that
//! "thai" is a category of this index, that "Dee's Pizzeria" is a name, and which
//! zipcodes are near.
//!
//! Category and name words are analysed like review words (folded, stemmed), so
//! "bakery" meets "Bakeries" and "steakhouse" meets "Steakhouses"; a query term also
//! meets a category term it begins or that begins it when the shorter has five letters
//! or more ("plumb" and "plumber", "steak" and "steakhouse").
//!
//! A word of names can name a kind too: when most of the index's businesses whose
//! names hold "pizzeria" are in Pizza, and enough of Pizza's places are called so,
//! "pizzeria" asks for Pizza ([`Lexicon::categories_named_by`]). Learned from the
//! index's own names and categories, never from a list of trade words.

use std::collections::HashMap;

use rustc_hash::FxHashMap;

use crate::analysis::Analyzer;
use crate::store::BusinessTable;

/// Shortest common beginning for a query term to meet a category term it is not equal to.
const MIN_PREFIX: usize = 5;

/// Fewest businesses, index-wide, whose names hold a word for it to name a kind.
const MIN_NAMED: u32 = 5;
/// Least share of those businesses in a category for the word to name it.
const NAMED_SHARE: f32 = 0.4;
/// ... and at least this many times its share of all the index's places: a word that
/// only says "a restaurant" ("Kitchen": Restaurants, as most places are) names no kind.
const NAMED_LIFT: f32 = 2.0;
/// A word names the categories whose places are most often called by it ("doughnut":
/// Donuts, not Coffee & Tea, though every doughnut shop here is both): those with at
/// least this share of the best one's.
const NAMED_OF_BEST: f32 = 0.5;

/// One distinct category of the table.
#[derive(Debug, Clone)]
pub struct Category {
    /// As Yelp writes it ("Ice Cream & Frozen Yogurt").
    pub name: String,
    /// Its analysed terms (stopwords left out).
    pub terms: Vec<String>,
    /// The terms of the words people ask for it by: those before an `&` or a
    /// parenthesis ("Coffee & Tea" is asked for as "coffee", "American (New)" as
    /// "american").
    pub asked: Vec<String>,
}

/// The words people ask for a category by (see [`Category::asked`]).
pub fn category_words(name: &str) -> &str {
    name.split(['&', '(', '/']).next().unwrap_or(name).trim()
}

/// How the words of a query meet the categories: by the categories' own terms ("thai",
/// "bakery") or as words of names that name a category whole ("pizzeria": Pizza). Made
/// once per query ([`Lexicon::kinds_asked`]), read per category ([`KindsAsked::of`]).
pub struct KindsAsked<'a> {
    /// For each word, the category terms it meets ([`Lexicon::category_terms_meeting`]).
    pub meets: Vec<Vec<&'a str>>,
    /// For each word, the categories it names ([`Lexicon::categories_named_by`]).
    pub named_by: Vec<&'a [u32]>,
}

/// How the words of a query meet one category (bit `i` for word `i`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct KindMet {
    /// Words that meet one of its terms.
    pub by_terms: u32,
    /// Words that name it whole.
    pub by_name: u32,
    /// The share of its terms the words name (all of them when a word names it whole).
    pub share: f32,
}

impl KindMet {
    /// Words that meet it either way.
    pub fn bits(&self) -> u32 {
        self.by_terms | self.by_name
    }
}

/// Bit `i` of a word mask (none past the 32nd word).
fn bit(i: usize) -> u32 {
    1u32.checked_shl(i as u32).unwrap_or(0)
}

/// The mask of the first `n` words (all 32 bits for 32 words or more).
pub fn word_mask(n: usize) -> u32 {
    1u32.checked_shl(n as u32).map_or(u32::MAX, |b| b - 1)
}

impl KindsAsked<'_> {
    /// The mask of every word asked about.
    pub fn every_word(&self) -> u32 {
        word_mask(self.meets.len())
    }

    /// How the words meet category `id`.
    pub fn of(&self, id: u32, cat: &Category) -> KindMet {
        let by_name = self
            .named_by
            .iter()
            .enumerate()
            .filter(|(_, cs)| cs.contains(&id))
            .fold(0u32, |b, (i, _)| b | bit(i));
        let (mut by_terms, mut named) = (0u32, 0usize);
        for t in &cat.terms {
            let mut hit = false;
            for (i, ms) in self.meets.iter().enumerate() {
                if ms.contains(&t.as_str()) {
                    by_terms |= bit(i);
                    hit = true;
                }
            }
            named += (hit || by_name != 0) as usize;
        }
        KindMet {
            by_terms,
            by_name,
            share: named as f32 / cat.terms.len().max(1) as f32,
        }
    }
}

/// Categories, names and zipcode centroids of one index version.
#[derive(Debug, Default)]
pub struct Lexicon {
    categories: Vec<Category>,
    /// Category term → categories holding it.
    category_terms: HashMap<String, Vec<u32>>,
    /// Sorted distinct category terms (for prefix matches).
    sorted_category_terms: Vec<String>,
    /// Business ordinal → its category ids.
    business_categories: Vec<Box<[u32]>>,
    /// Business ordinal → the distinct terms of its name.
    name_terms: Vec<Box<[String]>>,
    /// Zip ordinal → term of a category → its businesses with such a category.
    zip_category_terms: Vec<FxHashMap<String, Vec<u32>>>,
    /// Zip ordinal → term of a name → its businesses whose name holds it.
    zip_name_terms: Vec<FxHashMap<String, Vec<u32>>>,
    /// Term of a name (not of a category) → the categories it names (see
    /// [`Lexicon::categories_named_by`]).
    named_kinds: HashMap<String, Box<[u32]>>,
    /// Term of any category or name → businesses holding it, index-wide.
    business_freq: HashMap<String, u32>,
    /// Zip ordinal → mean coordinates of its businesses.
    centroids: Vec<Option<(f64, f64)>>,
    /// Zip ordinal → the towns its businesses are in, analysed.
    towns: Vec<Vec<Town>>,
    /// The terms of `business_freq` as an automaton-searchable map (typo candidates).
    term_map: Option<tantivy_fst::Map<Vec<u8>>>,
}

/// A town of a zipcode's businesses as a query would spell it, analysed (stopwords
/// kept): the city ("new", "orlean") and its state ("la").
#[derive(Debug, Clone, Default, PartialEq)]
struct Town {
    city: Vec<String>,
    state: Vec<String>,
}

impl Town {
    fn of(analyzer: &Analyzer, city: &str, state: &str) -> Town {
        let all = |t: &str| -> Vec<String> {
            analyzer
                .words(t)
                .into_iter()
                .map(|w| w.term.to_string())
                .collect()
        };
        Town {
            city: all(city),
            state: all(state),
        }
    }

    /// How many of the leading `terms` name the town: its city, then maybe its state.
    fn leads(&self, terms: &[&str]) -> usize {
        let named = |t: &[String], at: usize| {
            !t.is_empty()
                && terms.len() >= at + t.len()
                && t.iter().zip(&terms[at..]).all(|(a, b)| a == b)
        };
        if !named(&self.city, 0) {
            return 0;
        }
        let n = self.city.len();
        if named(&self.state, n) {
            n + self.state.len()
        } else {
            n
        }
    }
}

fn terms_of(analyzer: &Analyzer, text: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for w in analyzer.words(text) {
        if !w.stop && !out.iter().any(|t| t == w.term.as_str()) {
            out.push(w.term.to_string());
        }
    }
    out
}

impl Lexicon {
    /// The lexicon of a business table.
    pub fn new(table: &BusinessTable, analyzer: &Analyzer) -> Lexicon {
        let mut lex = Lexicon::default();
        let mut category_ids: HashMap<&str, u32> = HashMap::new();
        for b in table.businesses() {
            let mut ids: Vec<u32> = Vec::with_capacity(b.categories.len());
            for c in &b.categories {
                let id = *category_ids.entry(c.as_str()).or_insert_with(|| {
                    lex.categories.push(Category {
                        name: c.clone(),
                        terms: terms_of(analyzer, c),
                        asked: terms_of(analyzer, category_words(c)),
                    });
                    lex.categories.len() as u32 - 1
                });
                if !ids.contains(&id) {
                    ids.push(id);
                }
            }
            lex.business_categories.push(ids.into_boxed_slice());
            lex.name_terms
                .push(terms_of(analyzer, &b.name).into_boxed_slice());
        }
        for (id, c) in lex.categories.iter().enumerate() {
            for t in &c.terms {
                lex.category_terms
                    .entry(t.clone())
                    .or_default()
                    .push(id as u32);
            }
        }
        lex.sorted_category_terms = lex.category_terms.keys().cloned().collect();
        lex.sorted_category_terms.sort();
        lex.zip_category_terms = vec![FxHashMap::default(); table.zips().len()];
        lex.zip_name_terms = vec![FxHashMap::default(); table.zips().len()];
        lex.centroids = Vec::with_capacity(table.zips().len());
        lex.towns = Vec::with_capacity(table.zips().len());
        for zip in 0..table.zips().len() as u32 {
            let mut sum = (0.0, 0.0, 0u32);
            let mut towns: Vec<Town> = Vec::new();
            // The towns as written: a zipcode's businesses mostly share one, analysed once.
            let mut written: Vec<(&str, &str)> = Vec::new();
            for &biz in table.members(zip) {
                let mut seen: Vec<&str> = Vec::new();
                let terms = &mut lex.zip_category_terms[zip as usize];
                for &c in lex.business_categories[biz as usize].iter() {
                    for t in &lex.categories[c as usize].terms {
                        if !seen.contains(&t.as_str()) {
                            seen.push(t);
                            terms.entry(t.clone()).or_default().push(biz);
                        }
                    }
                }
                let terms = &mut lex.zip_name_terms[zip as usize];
                for t in lex.name_terms[biz as usize].iter() {
                    terms.entry(t.clone()).or_default().push(biz);
                }
                if let Some(b) = table.get(biz) {
                    if !written.contains(&(&b.city, &b.state)) {
                        written.push((&b.city, &b.state));
                        let town = Town::of(analyzer, &b.city, &b.state);
                        if !town.city.is_empty() && !towns.contains(&town) {
                            towns.push(town);
                        }
                    }
                    if let (Some(lat), Some(lon)) = (b.latitude, b.longitude) {
                        if lat.is_finite() && lon.is_finite() && (lat, lon) != (0.0, 0.0) {
                            sum = (sum.0 + lat, sum.1 + lon, sum.2 + 1);
                        }
                    }
                }
            }
            lex.centroids
                .push((sum.2 > 0).then(|| (sum.0 / sum.2 as f64, sum.1 / sum.2 as f64)));
            lex.towns.push(towns);
        }
        for biz in 0..table.len() {
            let mut seen: Vec<&str> = Vec::new();
            let cats = lex.business_categories[biz].iter();
            let from_categories = cats.flat_map(|&c| lex.categories[c as usize].terms.iter());
            for t in from_categories.chain(lex.name_terms[biz].iter()) {
                if !seen.contains(&t.as_str()) {
                    seen.push(t);
                    *lex.business_freq.entry(t.clone()).or_default() += 1;
                }
            }
        }
        lex.named_kinds = lex.kinds_named_by_names();
        let mut sorted: Vec<(&String, &u32)> = lex.business_freq.iter().collect();
        sorted.sort();
        lex.term_map = tantivy_fst::Map::from_iter(
            sorted
                .into_iter()
                .map(|(t, n)| (t.as_bytes().to_vec(), u64::from(*n))),
        )
        .ok();
        lex
    }

    /// For each word of names that is not a category's, the categories it names: those
    /// holding at least [`NAMED_SHARE`] of the businesses so called (at least
    /// [`MIN_NAMED`] of them) and [`NAMED_LIFT`] times their share of all businesses, and
    /// among those the ones whose places are most often called so.
    fn kinds_named_by_names(&self) -> HashMap<String, Box<[u32]>> {
        let mut size = vec![0u32; self.categories.len()];
        let mut by_word: HashMap<&str, (u32, FxHashMap<u32, u32>)> = HashMap::new();
        for (cats, names) in self.business_categories.iter().zip(&self.name_terms) {
            for &c in cats.iter() {
                size[c as usize] += 1;
            }
            for t in names.iter() {
                let e = by_word.entry(t.as_str()).or_default();
                e.0 += 1;
                for &c in cats.iter() {
                    *e.1.entry(c).or_default() += 1;
                }
            }
        }
        let mut out = HashMap::new();
        for (word, (n, cats)) in by_word {
            if n < MIN_NAMED || !self.category_terms_meeting(word).is_empty() {
                continue;
            }
            // (category, share of its places called so), for the categories most of
            // the word's places are in.
            let all = self.business_categories.len().max(1) as f32;
            let held: Vec<(u32, f32)> = cats
                .into_iter()
                .filter(|&(_, k)| k as f32 >= NAMED_SHARE * n as f32)
                .filter(|&(c, k)| k as f32 / n as f32 >= NAMED_LIFT * size[c as usize] as f32 / all)
                .map(|(c, k)| (c, k as f32 / size[c as usize].max(1) as f32))
                .collect();
            let best = held.iter().map(|h| h.1).fold(0.0, f32::max);
            let mut named: Vec<u32> = held
                .into_iter()
                .filter(|h| h.1 >= NAMED_OF_BEST * best)
                .map(|h| h.0)
                .collect();
            if !named.is_empty() {
                named.sort_unstable();
                out.insert(word.to_string(), named.into_boxed_slice());
            }
        }
        out
    }

    /// How `words` (analysed terms) meet the categories (see [`KindsAsked`]).
    pub fn kinds_asked<S: AsRef<str>>(&self, words: &[S]) -> KindsAsked<'_> {
        KindsAsked {
            meets: words
                .iter()
                .map(|t| self.category_terms_meeting(t.as_ref()))
                .collect(),
            named_by: words
                .iter()
                .map(|t| self.categories_named_by(t.as_ref()))
                .collect(),
        }
    }

    /// The categories a word of names asks for ("pizzeria": Pizza; "taqueria":
    /// Mexican), learned from the index's names and categories; empty for a word
    /// that meets a category by its own terms ([`Lexicon::category_terms_meeting`]).
    pub fn categories_named_by(&self, term: &str) -> &[u32] {
        self.named_kinds.get(term).map_or(&[], |c| &c[..])
    }

    /// The businesses of zip ordinal `zip` in category `id`.
    pub fn zip_category_members(&self, zip: u32, id: u32) -> impl Iterator<Item = u32> + '_ {
        let first = self
            .category(id)
            .and_then(|c| c.terms.first())
            .map_or(&[][..], |t| self.zip_category_businesses(zip, t));
        first
            .iter()
            .copied()
            .filter(move |&b| self.categories_of(b).contains(&id))
    }

    /// The terms of categories and names an automaton accepts, with
    /// [`Lexicon::business_freq`].
    pub fn search<A: tantivy_fst::Automaton>(&self, automaton: A) -> Vec<(String, u64)> {
        use tantivy_fst::{IntoStreamer, Streamer};
        let Some(map) = &self.term_map else {
            return Vec::new();
        };
        let mut out = Vec::new();
        let mut stream = map.search(automaton).into_stream();
        while let Some((key, n)) = stream.next() {
            if let Ok(t) = std::str::from_utf8(key) {
                out.push((t.to_string(), n));
            }
        }
        out
    }

    /// Every distinct category.
    pub fn categories(&self) -> &[Category] {
        &self.categories
    }

    /// The category ids of a business.
    pub fn categories_of(&self, biz: u32) -> &[u32] {
        self.business_categories
            .get(biz as usize)
            .map_or(&[], |c| &c[..])
    }

    /// The distinct terms of a business's name.
    pub fn name_terms(&self, biz: u32) -> &[String] {
        self.name_terms.get(biz as usize).map_or(&[], |n| &n[..])
    }

    /// The category terms a query term meets: those it holds
    /// ([`Lexicon::category_terms_held`]) and those it begins with [`MIN_PREFIX`] letters
    /// or more ("plumb" meets Plumbing's "plumb" and "plumbing"'s beginning alike).
    pub fn category_terms_meeting(&self, term: &str) -> Vec<&str> {
        let mut out = self.category_terms_held(term);
        if term.len() >= MIN_PREFIX {
            // Category terms that begin with the query term.
            let from = self
                .sorted_category_terms
                .partition_point(|t| t.as_str() < term);
            for t in &self.sorted_category_terms[from..] {
                if !t.starts_with(term) {
                    break;
                }
                if t != term {
                    out.push(t);
                }
            }
        }
        out
    }

    /// The category terms a query term holds whole: itself, itself with a plural "s" the
    /// stemmer keeps ("spa" meets the "spas" of Beauty & Spas), and those it begins with
    /// (with [`MIN_PREFIX`] letters or more: "plumber" holds Plumbing's "plumb"). A
    /// word that is only the beginning of a category term ("cocktai") may be a slip.
    pub fn category_terms_held(&self, term: &str) -> Vec<&str> {
        let mut out = self.category_terms_named(term);
        if term.len() >= MIN_PREFIX {
            // Category terms the query term begins with.
            for end in MIN_PREFIX..term.len() {
                if !term.is_char_boundary(end) {
                    continue;
                }
                if let Some((t, _)) = self.category_terms.get_key_value(&term[..end]) {
                    out.push(t);
                }
            }
        }
        out
    }

    /// Whether a name of a business of zip ordinal `zip` holds `term`, or one of its
    /// categories meets it or is named by it.
    pub fn in_zip(&self, zip: u32, term: &str) -> bool {
        self.in_zip_by(zip, term, &self.category_terms_meeting(term))
    }

    /// Whether a name of a business of zip ordinal `zip` holds `term`, or one of its
    /// categories is held whole by it ([`Lexicon::category_terms_held`]) or named by it:
    /// the term is no slip.
    pub fn held_in_zip(&self, zip: u32, term: &str) -> bool {
        self.in_zip_by(zip, term, &self.category_terms_held(term))
    }

    fn in_zip_by(&self, zip: u32, term: &str, category_terms: &[&str]) -> bool {
        !self.zip_name_businesses(zip, term).is_empty()
            || category_terms
                .iter()
                .any(|t| !self.zip_category_businesses(zip, t).is_empty())
            || self
                .categories_named_by(term)
                .iter()
                .any(|&c| self.zip_category_members(zip, c).next().is_some())
    }

    /// Whether one category of zip ordinal `zip`'s businesses holds every one of
    /// `terms` (each equal to one of its terms, or meeting it).
    pub fn one_kind(&self, zip: u32, terms: &[&str]) -> bool {
        let asked = self.kinds_asked(terms);
        let Some(first) = asked.meets.first() else {
            return false;
        };
        let every = asked.every_word();
        let holds_all = |c: u32| {
            self.category(c)
                .is_some_and(|cat| asked.of(c, cat).by_terms == every)
        };
        first.iter().any(|t| {
            self.zip_category_businesses(zip, t)
                .iter()
                .any(|&biz| self.categories_of(biz).iter().any(|&c| holds_all(c)))
        })
    }

    /// How many of the leading `terms` (analysed, stopwords kept) name a town of zip
    /// ordinal `zip`'s businesses — its city, then maybe its state ("new orleans la"):
    /// the longest such name, 0 if none.
    pub fn town_len(&self, zip: u32, terms: &[&str]) -> usize {
        self.towns
            .get(zip as usize)
            .map_or(0, |ts| ts.iter().map(|t| t.leads(terms)).max().unwrap_or(0))
    }

    /// The category terms that are `term` itself, or `term` with a plural "s" the
    /// stemmer keeps ("Spas", "Gas Stations": the singular meets them).
    fn category_terms_named(&self, term: &str) -> Vec<&str> {
        let plural = format!("{term}s");
        [term, plural.as_str()]
            .into_iter()
            .filter_map(|t| self.category_terms.get_key_value(t))
            .map(|(t, _)| t.as_str())
            .collect()
    }

    /// Whether `term` is itself a word of a category of the index's businesses, or is
    /// with the plural "s" the stemmer keeps ("steakhous" of Steakhouses).
    pub fn is_category_word(&self, term: &str) -> bool {
        !self.category_terms_named(term).is_empty()
    }

    /// The businesses of zip ordinal `zip` with a category holding the category term
    /// `term`.
    pub fn zip_category_businesses(&self, zip: u32, term: &str) -> &[u32] {
        self.zip_category_terms
            .get(zip as usize)
            .and_then(|m| m.get(term))
            .map_or(&[], Vec::as_slice)
    }

    /// The businesses of zip ordinal `zip` whose name holds `term`.
    pub fn zip_name_businesses(&self, zip: u32, term: &str) -> &[u32] {
        self.zip_name_terms
            .get(zip as usize)
            .and_then(|m| m.get(term))
            .map_or(&[], Vec::as_slice)
    }

    /// A category by id.
    pub fn category(&self, id: u32) -> Option<&Category> {
        self.categories.get(id as usize)
    }

    /// Businesses, index-wide, whose categories or names hold `term`.
    pub fn business_freq(&self, term: &str) -> u32 {
        self.business_freq.get(term).copied().unwrap_or(0)
    }

    /// Every term of a category or a name, with [`Lexicon::business_freq`].
    pub fn terms(&self) -> impl Iterator<Item = (&str, u32)> {
        self.business_freq.iter().map(|(t, n)| (t.as_str(), *n))
    }

    /// The mean coordinates of zip ordinal `zip`'s businesses.
    pub fn centroid(&self, zip: u32) -> Option<(f64, f64)> {
        self.centroids.get(zip as usize).copied().flatten()
    }

    /// The other zip ordinals by distance from `zip` (kilometres), nearest first, up to
    /// `max_km` away.
    pub fn nearest_zips(&self, zip: u32, max_km: f64) -> Vec<(u32, f64)> {
        let Some(here) = self.centroid(zip) else {
            return Vec::new();
        };
        let mut out: Vec<(u32, f64)> = self
            .centroids
            .iter()
            .enumerate()
            .filter(|(z, _)| *z as u32 != zip)
            .filter_map(|(z, c)| Some((z as u32, distance_km(here, (*c)?))))
            .filter(|(_, d)| *d <= max_km)
            .collect();
        out.sort_by(|a, b| a.1.total_cmp(&b.1).then(a.0.cmp(&b.0)));
        out
    }
}

/// Great-circle distance between two (latitude, longitude) points, kilometres.
pub fn distance_km(a: (f64, f64), b: (f64, f64)) -> f64 {
    const EARTH_KM: f64 = 6371.0;
    let (la1, lo1, la2, lo2) = (
        a.0.to_radians(),
        a.1.to_radians(),
        b.0.to_radians(),
        b.1.to_radians(),
    );
    let h = ((la2 - la1) / 2.0).sin().powi(2)
        + la1.cos() * la2.cos() * ((lo2 - lo1) / 2.0).sin().powi(2);
    2.0 * EARTH_KM * h.sqrt().min(1.0).asin()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ingest::Business;

    fn biz(id: &str, name: &str, zip: &str, cats: &[&str], at: (f64, f64)) -> Business {
        Business {
            business_id: id.into(),
            name: name.into(),
            address: String::new(),
            city: String::new(),
            state: String::new(),
            postal_code: zip.into(),
            latitude: Some(at.0),
            longitude: Some(at.1),
            stars: 4.0,
            review_count: 10,
            is_open: true,
            categories: cats.iter().map(|c| c.to_string()).collect(),
            offer: Default::default(),
        }
    }

    fn lexicon() -> (BusinessTable, Lexicon) {
        let table = BusinessTable::new(vec![
            biz(
                "a",
                "Dee's Pizzeria",
                "61820",
                &["Pizza", "Restaurants"],
                (40.11, -88.24),
            ),
            biz(
                "b",
                "Bangkok Garden",
                "61820",
                &["Thai", "Restaurants"],
                (40.12, -88.23),
            ),
            biz(
                "c",
                "Sweet Things",
                "61801",
                &["Bakeries", "Ice Cream & Frozen Yogurt"],
                (40.11, -88.21),
            ),
            biz(
                "d",
                "Pipe Pros",
                "60614",
                &["Plumbing", "Steakhouses"],
                (41.92, -87.65),
            ),
            biz(
                "e",
                "Still Waters",
                "98101",
                &["Beauty & Spas", "Day Spas"],
                (47.61, -122.33),
            ),
        ]);
        let lex = Lexicon::new(&table, &Analyzer::default());
        (table, lex)
    }

    #[test]
    fn categories_meet_analysed_and_by_prefix() {
        let (_, lex) = lexicon();
        let a = Analyzer::default();
        let meet = |w: &str| {
            let t = a.words(w)[0].term.to_string();
            lex.category_terms_meeting(&t)
                .into_iter()
                .map(String::from)
                .collect::<Vec<_>>()
        };
        assert_eq!(meet("bakery"), ["bakeri"]);
        assert_eq!(meet("plumber"), ["plumb"]);
        assert_eq!(meet("thai"), ["thai"]);
        assert_eq!(
            meet("steak"),
            ["steakhous"],
            "a query term a category term begins with"
        );
        assert!(meet("sushi").is_empty());
        assert_eq!(meet("spa"), ["spas"], "a plural the stemmer keeps");
        assert_eq!(meet("spas"), ["spas"]);
        assert!(meet("cream").contains(&"cream".to_string()));
        // Held whole: not a category word's beginning only ("steak" of Steakhouses, or
        // a slip such as "steakho"), which may be a slip.
        let held = |w: &str| lex.category_terms_held(&a.words(w)[0].term).len();
        assert_eq!(held("plumber"), 1);
        assert_eq!(held("bakery"), 1);
        assert_eq!(held("steak"), 0);
        assert_eq!(held("steakho"), 0);
        assert_eq!(meet("steakho"), ["steakhous"]);
    }

    #[test]
    fn a_word_most_places_of_a_kind_are_called_by_names_that_kind() {
        // Six taquerias (all Mexican, one also a Bar), two Mexican places called
        // otherwise, a bar; "Garden" is in names of three kinds; "Lucky" in only four.
        let mut all = Vec::new();
        for i in 0..6 {
            let cats: &[&str] = if i == 0 {
                &["Mexican", "Bars"]
            } else {
                &["Mexican"]
            };
            all.push(biz(
                &format!("t{i}"),
                &format!("Taqueria {i}"),
                "61820",
                cats,
                (40.1, -88.2),
            ));
        }
        all.push(biz(
            "m1",
            "Casa Bonita",
            "61820",
            &["Mexican"],
            (40.1, -88.2),
        ));
        all.push(biz("m2", "El Sol", "60614", &["Mexican"], (41.9, -87.6)));
        for (i, cat) in ["Thai", "Chinese", "Italian", "Thai", "Bars", "Chinese"]
            .iter()
            .enumerate()
        {
            all.push(biz(
                &format!("g{i}"),
                &format!("Garden {i}"),
                "60614",
                &[cat],
                (41.9, -87.6),
            ));
        }
        for i in 0..4 {
            all.push(biz(
                &format!("l{i}"),
                &format!("Lucky {i}"),
                "60614",
                &["Thai"],
                (41.9, -87.6),
            ));
        }
        let table = BusinessTable::new(all);
        let lex = Lexicon::new(&table, &Analyzer::default());
        let named = |t: &str| -> Vec<&str> {
            lex.categories_named_by(t)
                .iter()
                .map(|&c| lex.category(c).unwrap().name.as_str())
                .collect()
        };
        assert_eq!(
            named("taqueria"),
            ["Mexican"],
            "not Bars: one taqueria of six"
        );
        assert!(
            named("garden").is_empty(),
            "no kind holds 40% of the Gardens"
        );
        assert!(
            named("lucki").is_empty(),
            "fewer than five places are called so"
        );
        assert!(
            named("mexican").is_empty(),
            "a category's own word meets it already"
        );
        let chicago = table.zip_ord("60614").unwrap();
        let champaign = table.zip_ord("61820").unwrap();
        assert!(
            lex.in_zip(chicago, "taqueria"),
            "El Sol is Mexican, though not called so"
        );
        let mexican = lex.categories_named_by("taqueria")[0];
        assert_eq!(lex.zip_category_members(champaign, mexican).count(), 7);
    }

    #[test]
    fn a_word_mask_holds_the_first_words_and_every_bit_from_32() {
        assert_eq!(word_mask(0), 0);
        assert_eq!(word_mask(1), 0b1);
        assert_eq!(word_mask(3), 0b111);
        assert_eq!(word_mask(31), u32::MAX >> 1);
        assert_eq!(word_mask(32), u32::MAX);
        assert_eq!(word_mask(40), u32::MAX);
        // Every word's bit is in the mask of its query, the 32nd included.
        assert!((0..32).all(|i| word_mask(32) & bit(i) == bit(i)));
        assert_eq!(bit(32), 0);
    }

    #[test]
    fn a_word_that_only_says_restaurant_names_no_kind() {
        // Every place is a restaurant; the five Kitchens are of five cuisines.
        let kinds = ["Thai", "Italian", "Greek", "Korean", "Cajun/Creole"];
        let mut all = Vec::new();
        for (i, kind) in kinds.iter().enumerate() {
            let cats = ["Restaurants", kind];
            all.push(biz(
                &format!("k{i}"),
                &format!("Kitchen {i}"),
                "61820",
                &cats,
                (40.1, -88.2),
            ));
            all.push(biz(
                &format!("o{i}"),
                &format!("Other {i}"),
                "61820",
                &cats,
                (40.1, -88.2),
            ));
        }
        let table = BusinessTable::new(all);
        let lex = Lexicon::new(&table, &Analyzer::default());
        assert!(lex.categories_named_by("kitchen").is_empty());
    }

    #[test]
    fn names_and_zips() {
        let (table, lex) = lexicon();
        let z = table.zip_ord("61820").unwrap();
        assert_eq!(lex.name_terms(0), ["dee", "pizzeria"]);
        assert!(lex.in_zip(z, "pizzeria") && lex.in_zip(z, "thai") && !lex.in_zip(z, "bakeri"));
        assert_eq!(lex.zip_category_businesses(z, "restaur"), [0, 1]);
        // One category holding them all: Thai and Restaurants are two.
        assert!(lex.one_kind(z, &["thai"]) && !lex.one_kind(z, &["thai", "restaur"]));
        let urbana = table.zip_ord("61801").unwrap();
        assert!(lex.one_kind(urbana, &["frozen", "yogurt"]) && !lex.one_kind(z, &["frozen"]));
        assert_eq!(lex.zip_name_businesses(z, "pizzeria"), [0]);
        assert!(lex.zip_name_businesses(z, "restaur").is_empty());
        assert_eq!(lex.business_freq("restaur"), 2);
        let near = lex.search(crate::search::typo::Within::new("pizzaria", 1));
        assert_eq!(near, [("pizzeria".to_string(), 1)]);
        let near = lex.nearest_zips(z, 50.0);
        assert_eq!(near.len(), 1, "Chicago is too far");
        assert_eq!(table.zip_name(near[0].0), Some("61801"));
        assert!(near[0].1 > 1.0 && near[0].1 < 5.0, "{near:?}");
    }

    #[test]
    fn towns_of_a_zipcode_are_named_by_its_businesses() {
        let town = |id: &str, zip: &str, city: &str, state: &str| Business {
            city: city.into(),
            state: state.into(),
            ..biz(id, "Cafe", zip, &["Cafes"], (29.9, -90.1))
        };
        let table = BusinessTable::new(vec![
            town("a", "70115", "New Orleans", "LA"),
            town("b", "70115", "New Orleans", "LA"),
            town("c", "70115", "Metairie", "LA"),
            town("d", "61820", "Champaign", "IL"),
            town("e", "61820", "", ""),
        ]);
        let lex = Lexicon::new(&table, &Analyzer::default());
        let a = Analyzer::default();
        let len = |zip: &str, q: &str| {
            let words = a.words(q);
            let terms: Vec<&str> = words.iter().map(|w| w.term.as_str()).collect();
            lex.town_len(table.zip_ord(zip).unwrap(), &terms)
        };
        assert_eq!(len("70115", "New Orleans pasta"), 2);
        assert_eq!(
            len("70115", "new orleans, la"),
            3,
            "the state after the city"
        );
        assert_eq!(len("70115", "metairie"), 1);
        assert_eq!(len("70115", "new pasta"), 0, "only the whole city");
        assert_eq!(len("70115", "la pasta"), 0, "a state alone is no town");
        assert_eq!(len("70115", "champaign"), 0, "another zipcode's town");
        assert_eq!(len("61820", "Champaign IL"), 2);
    }
}
