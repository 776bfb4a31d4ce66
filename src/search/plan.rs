//! What the collector looks for in one zipcode: the interpreted query ([`Plan`]),
//! made from a parsed query and the snapshot (the index's own vocabulary, categories
//! and names), or, for training, from a term as it is.

use tantivy::schema::{IndexRecordOption, Term};
use tantivy::{DocSet, TERMINATED};

use super::interpret::{interpret, Lookup, NearForm, Understanding};
use super::query::{Clause, ParsedQuery};
use super::typo::Within;
use super::vocabulary::PriceWish;
use crate::ingest::{Amenity, Business};
use crate::reader::Snapshot;

/// A moment of the week in the searcher's local time, for "open now".
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LocalTime {
    /// 0 = Monday.
    pub weekday: u8,
    /// Minutes after midnight.
    pub minute: u16,
}

impl LocalTime {
    /// The machine's local time now.
    pub fn now() -> LocalTime {
        use chrono::{Datelike, Timelike};
        let t = chrono::Local::now();
        LocalTime {
            weekday: t.weekday().num_days_from_monday() as u8,
            minute: (t.hour() * 60 + t.minute()) as u16,
        }
    }
}

/// What a business should offer: price, amenities, open now. Places that offer more
/// of it rank first; none is left out for not offering it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Wishes {
    /// A price range.
    pub price: Option<PriceWish>,
    /// Amenities.
    pub amenities: Vec<Amenity>,
    /// Open at this time.
    pub open_at: Option<LocalTime>,
}

impl Wishes {
    /// How many of the wishes a business meets.
    pub fn met(&self, b: &Business) -> u8 {
        let price = self.price.is_some_and(|p| p.accepts(b.offer.price)) as u8;
        let amenities = self
            .amenities
            .iter()
            .filter(|a| b.offer.amenities.has(**a))
            .count() as u8;
        let open = self.open_at.is_some_and(|t| {
            b.offer
                .hours
                .is_some_and(|h| h.open_at(t.weekday as usize, t.minute))
        }) as u8;
        price + amenities + open
    }

    /// How many wishes there are (price, each amenity, open now).
    pub fn count(&self) -> u8 {
        self.price.is_some() as u8 + self.amenities.len() as u8 + self.open_at.is_some() as u8
    }

    /// Whether anything is wished for.
    pub fn is_empty(&self) -> bool {
        self.price.is_none() && self.amenities.is_empty() && self.open_at.is_none()
    }
}

/// The interpreted query, for one zipcode.
#[derive(Debug, Clone)]
pub struct Plan {
    /// Normalised zipcode.
    pub zip: String,
    /// The clauses a review must match: the need's required words, and each quoted
    /// phrase.
    pub clauses: Vec<Clause>,
    /// The distinct required terms of the need (the unquoted words, then the quoted
    /// phrases'), in order.
    pub need: Vec<String>,
    /// The quoted phrases, as typed.
    pub phrases: Vec<String>,
    /// Every term of the query, corrected (for names: "Dee's Pizzeria").
    pub all_terms: Vec<String>,
    /// The need's terms that are not vocabulary words (a name must hold them all).
    pub name_need: Vec<String>,
    /// What the places should offer.
    pub wishes: Wishes,
    /// A kind-of-place word followed the need ("sandwich shop").
    pub asks_place: bool,
    /// The unquoted words as typed.
    pub text: String,
    /// How the text was understood (None for plans made from terms).
    pub understanding: Option<Understanding>,
}

impl Plan {
    /// Interprets a parsed query in its zipcode. With `literal`, the words are taken
    /// as typed. `now` is the moment "open now" means.
    pub fn new(snap: &Snapshot, q: &ParsedQuery, literal: bool, now: Option<LocalTime>) -> Plan {
        let zip_ord = snap.table.zip_ord(&q.zip);
        let lookup = SnapLookup { snap, zip: zip_ord };
        let u = interpret(&snap.analyzer, &q.loose, &lookup, literal);
        let required: Vec<(String, u32)> = u
            .required_terms()
            .map(|w| (w.term.clone(), w.position))
            .collect();
        let mut clauses = Vec::new();
        if !required.is_empty() {
            let base = required.iter().map(|r| r.1).min().unwrap_or(0);
            clauses.push(Clause {
                terms: required
                    .iter()
                    .map(|(t, p)| (t.clone(), p - base))
                    .collect(),
                phrase: false,
            });
        }
        clauses.extend(q.clauses.iter().filter(|c| c.phrase).cloned());
        // A quoted phrase is words of the need as typed ("\"salad\"" is salad), met only
        // where they stand together (never by a name or a category that holds them).
        let mut need: Vec<String> = Vec::new();
        let quoted = q.clauses.iter().filter(|c| c.phrase).flat_map(|c| &c.terms);
        for (t, _) in required.iter().chain(quoted) {
            if !need.contains(t) {
                need.push(t.clone());
            }
        }
        let wishes = Wishes {
            price: u.price,
            amenities: u.amenities.clone(),
            open_at: if u.open_now {
                Some(now.unwrap_or_else(LocalTime::now))
            } else {
                None
            },
        };
        Plan {
            zip: q.zip.clone(),
            clauses,
            name_need: u.need.iter().map(|w| w.term.clone()).collect(),
            all_terms: u.all_terms.clone(),
            need,
            phrases: q.phrases.clone(),
            wishes,
            asks_place: u.place,
            text: q.loose.clone(),
            understanding: Some(u),
        }
    }

    /// A plan for analysed terms as they are (training): one clause, no vocabulary,
    /// no corrections.
    pub fn for_terms(zip: &str, terms: &[(String, u32)]) -> Plan {
        let mut need: Vec<String> = Vec::new();
        for (t, _) in terms {
            if !need.contains(t) {
                need.push(t.clone());
            }
        }
        Plan {
            zip: zip.to_string(),
            clauses: vec![Clause {
                terms: terms.to_vec(),
                phrase: false,
            }],
            all_terms: need.clone(),
            name_need: need.clone(),
            need,
            phrases: Vec::new(),
            wishes: Wishes::default(),
            asks_place: false,
            text: terms
                .iter()
                .map(|t| t.0.as_str())
                .collect::<Vec<_>>()
                .join(" "),
            understanding: None,
        }
    }

    /// Every distinct term of the review clauses.
    pub fn distinct_terms(&self) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for c in &self.clauses {
            for (t, _) in &c.terms {
                if !out.contains(t) {
                    out.push(t.clone());
                }
            }
        }
        out
    }

    /// The plan for another zipcode (nearby results): the same words.
    pub fn in_zip(&self, zip: &str) -> Plan {
        Plan {
            zip: zip.to_string(),
            ..self.clone()
        }
    }
}

/// The interpreter's view of a snapshot and one zipcode.
struct SnapLookup<'a> {
    snap: &'a Snapshot,
    zip: Option<u32>,
}

impl SnapLookup<'_> {
    /// The zipcode's reviews that hold `term`, counted up to `cap` (deleted ones count
    /// too: this only decides whether the word is known).
    fn count_zip_reviews(&self, term: &str, cap: u32) -> u32 {
        let Some(zip) = self.zip else { return 0 };
        let t = Term::from_field_text(self.snap.fields.text, term);
        let mut n = 0;
        for seg in &self.snap.segments {
            let Some(runs) = seg.zip_runs.get(&zip) else {
                continue;
            };
            let Ok(Some(mut p)) = seg.inverted.read_postings(&t, IndexRecordOption::Basic) else {
                continue;
            };
            for &(start, end) in runs {
                let mut d = if p.doc() < start {
                    p.seek(start)
                } else {
                    p.doc()
                };
                while d < end {
                    n += 1;
                    if n >= cap {
                        return n;
                    }
                    d = p.advance();
                }
                if d == TERMINATED {
                    break;
                }
            }
        }
        n
    }

    /// The zipcode's places with a review (deleted ones count too) that holds every
    /// one of `terms`, counted up to `cap`.
    fn count_places_with_all(&self, terms: &[&str], cap: u32) -> u32 {
        let Some(zip) = self.zip else { return 0 };
        let mut places: Vec<u32> = Vec::new();
        for seg in &self.snap.segments {
            let Some(runs) = seg.zip_runs.get(&zip) else {
                continue;
            };
            let mut postings = Vec::with_capacity(terms.len());
            for t in terms {
                let term = Term::from_field_text(self.snap.fields.text, t);
                match seg.inverted.read_postings(&term, IndexRecordOption::Basic) {
                    Ok(Some(p)) => postings.push(p),
                    _ => break,
                }
            }
            if postings.len() < terms.len() || postings.is_empty() {
                continue;
            }
            for &(start, end) in runs {
                let mut doc = start;
                'run: loop {
                    // Leap-frog every term to a common document of the run.
                    let mut agreed = 0;
                    let mut k = 0;
                    while agreed < postings.len() {
                        let p = &mut postings[k];
                        let d = if p.doc() < doc { p.seek(doc) } else { p.doc() };
                        if d >= end {
                            break 'run;
                        }
                        if d == doc {
                            agreed += 1;
                        } else {
                            doc = d;
                            agreed = 1;
                        }
                        k = (k + 1) % postings.len();
                    }
                    let biz = seg.rows.get(doc).biz;
                    if !places.contains(&biz) {
                        places.push(biz);
                        if places.len() as u32 >= cap {
                            return cap;
                        }
                    }
                    doc += 1;
                }
            }
        }
        places.len() as u32
    }
}

impl Lookup for SnapLookup<'_> {
    fn in_zip(&self, stem: &str) -> bool {
        self.zip.is_some_and(|z| self.snap.lexicon.in_zip(z, stem))
            || self.count_zip_reviews(stem, 1) > 0
    }

    fn names_or_kinds(&self, stem: &str) -> bool {
        self.zip.is_some_and(|z| self.snap.lexicon.in_zip(z, stem))
    }

    fn never_a_slip(&self, stem: &str) -> bool {
        self.zip
            .is_some_and(|z| self.snap.lexicon.held_in_zip(z, stem))
    }

    fn reviews(&self) -> u64 {
        self.snap.searcher.num_docs()
    }

    fn doc_freq(&self, stem: &str) -> u64 {
        let t = Term::from_field_text(self.snap.fields.text, stem);
        let reviews: u64 = self
            .snap
            .segments
            .iter()
            .map(|s| s.inverted.doc_freq(&t).unwrap_or(0) as u64)
            .sum();
        reviews + self.snap.lexicon.business_freq(stem) as u64
    }

    fn near(&self, stem: &str, edits: u8) -> Vec<(String, u64)> {
        let mut found: std::collections::BTreeMap<String, u64> = Default::default();
        for seg in &self.snap.segments {
            use tantivy::termdict::TermStreamer;
            let dict = seg.inverted.terms();
            let Ok(mut stream) = dict.search(Within::anchored(stem, edits)).into_stream() else {
                continue;
            };
            let _: &mut TermStreamer<'_, Within> = &mut stream;
            while stream.advance() {
                if let Ok(t) = std::str::from_utf8(stream.key()) {
                    *found.entry(t.to_string()).or_default() += stream.value().doc_freq as u64;
                }
            }
        }
        for (t, n) in self.snap.lexicon.search(Within::anchored(stem, edits)) {
            *found.entry(t).or_default() += n;
        }
        found.into_iter().collect()
    }

    fn written(&self, stem: &str) -> Option<String> {
        self.snap.surfaces.get(stem).map(String::from)
    }

    fn near_written(&self, written: &str, edits: u8) -> Vec<NearForm> {
        self.snap
            .surfaces
            .search(Within::anchored(written, edits))
            .into_iter()
            .map(|f| NearForm {
                written: f.written.clone(),
                term: f.term.clone(),
                doc_freq: self.doc_freq(&f.term),
                count: f.count,
            })
            .collect()
    }

    fn written_count(&self, written: &str) -> Option<u32> {
        self.snap.surfaces.count(written)
    }

    fn town_len(&self, terms: &[&str]) -> usize {
        self.zip.map_or(0, |z| self.snap.lexicon.town_len(z, terms))
    }

    fn category_word(&self, term: &str) -> bool {
        self.snap.lexicon.is_category_word(term)
    }

    fn one_kind(&self, terms: &[&str]) -> bool {
        self.zip
            .is_some_and(|z| self.snap.lexicon.one_kind(z, terms))
    }

    fn places_with_all(&self, terms: &[&str], cap: u32) -> u32 {
        self.count_places_with_all(terms, cap)
    }

    fn one_name(&self, terms: &[&str]) -> bool {
        let (Some(zip), Some(first)) = (self.zip, terms.first()) else {
            return false;
        };
        let lex = &self.snap.lexicon;
        lex.zip_name_businesses(zip, first).iter().any(|&biz| {
            let name = lex.name_terms(biz);
            terms.iter().all(|t| name.iter().any(|n| n == t))
        })
    }

    fn judged(&self, term: &str) -> f32 {
        self.snap
            .model
            .judged_terms
            .get(term)
            .copied()
            .unwrap_or(0.0)
    }
}
