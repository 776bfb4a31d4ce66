//! How each business of the zipcode meets the query beyond its matching reviews:
//! the need's words its categories meet ("thai" and Thai, "bakery" and Bakeries), the
//! query's words its name holds ("Dee's Pizzeria"), which of the need's words its
//! reviews hold when they are not all in one review, and the wishes it meets (price,
//! amenities, open now).
//!
//! The collector turns this into features for the ranker ([`QueryMatch`]) and into a
//! [`Tier`]: what must come first whatever the score — the place the query names, the
//! places that meet the wishes, the places that meet more of the need, and, for a need
//! of several words, the places where they stand together ("ice cream" above "iced …
//! cream").

use tantivy::schema::{IndexRecordOption, Term};
use tantivy::{DocSet, TERMINATED};

use super::collect::{seek_forward, slot, CollectContext};
use super::plan::Plan;
use crate::error::{Error, Result};
use crate::ingest::Business;
use crate::model::features::{MatchAcc, QueryMatch};
use crate::reader::lexicon::word_mask;
use crate::reader::Snapshot;

/// What orders results before their score: compared field by field, greater first.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord)]
pub struct Tier {
    /// The query is this place's name: 2 as written ("Lucky Grill"), 1 in its words
    /// ("The Lucky Grill"), 0 not.
    pub name: u8,
    /// How many of the wishes (price, each amenity, open now) it meets.
    pub wishes: u8,
    /// How many of the need's words its reviews, categories or name hold (a quoted
    /// phrase's words only where a review matches the phrase).
    pub coverage: u8,
    /// Whether the need's words stand together for it.
    pub together: bool,
}

/// Most need words tracked one bit each.
const MAX_NEED: usize = 32;

/// The per-query view of the zipcode's members, by accumulator slot.
pub(crate) struct QueryMeets {
    n_need: usize,
    /// Need words held by some review (needs of two words or more only), words of a
    /// quoted phrase left out: a review holds those only by matching the phrase.
    review_bits: Vec<u32>,
    /// The need words that only a quoted phrase asks for.
    phrase_bits: u32,
    /// Need words one of its categories meets.
    category_bits: Vec<u32>,
    /// The largest share of one category's words the need names.
    category_share: Vec<f32>,
    /// One of its categories meets every need word.
    category_together: Vec<bool>,
    /// One of its categories is asked for by the need's words (all of its asked-for
    /// words are met).
    category_asked: Vec<bool>,
    /// Distinct query words its name holds.
    name_hits: Vec<u8>,
    /// Need words its name holds.
    name_bits: Vec<u32>,
    /// Some place of the zipcode is of the kind the need asks for.
    need_kind: bool,
    /// How differently reviewers judge the need's words.
    need_judged: f32,
}

impl QueryMeets {
    /// Looks the query up in the zip ordinal `zip`'s categories, names and reviews.
    pub(crate) fn new(
        snap: &Snapshot,
        plan: &Plan,
        zip: u32,
        members: usize,
        ctx: &CollectContext<'_>,
    ) -> Result<QueryMeets> {
        let need = &plan.need[..plan.need.len().min(MAX_NEED)];
        let lex = &snap.lexicon;
        let mut m = QueryMeets {
            n_need: need.len(),
            review_bits: Vec::new(),
            phrase_bits: 0,
            category_bits: vec![0; members],
            category_share: vec![0.0; members],
            category_together: vec![false; members],
            category_asked: vec![false; members],
            name_hits: vec![0; members],
            name_bits: vec![0; members],
            need_kind: false,
            need_judged: 0.0,
        };
        // "deep dish" quoted: a review with "deep" and "dish" apart meets neither.
        let loose = |t: &String| {
            plan.clauses
                .iter()
                .any(|c| !c.phrase && c.terms.iter().any(|(x, _)| x == t))
        };
        let quoted = |t: &String| {
            plan.clauses
                .iter()
                .any(|c| c.phrase && c.terms.iter().any(|(x, _)| x == t))
        };
        for (i, t) in need.iter().enumerate() {
            if quoted(t) && !loose(t) {
                m.phrase_bits |= 1 << i;
            }
        }
        if !need.is_empty() {
            let sum: f32 = need
                .iter()
                .map(|t| ctx.judged.get(t).copied().unwrap_or(0.0))
                .sum();
            m.need_judged = sum / need.len() as f32;
        }
        let slot_of = |biz: u32| slot(snap, biz, zip);
        // Categories.
        let asked = lex.kinds_asked(need);
        let mut touched: Vec<(usize, u32)> = Vec::new();
        let mut touch = |m: &mut QueryMeets, i: usize, biz: u32| {
            if let Some(li) = slot_of(biz) {
                if m.category_bits[li] == 0 {
                    touched.push((li, biz));
                }
                m.category_bits[li] |= 1 << i;
            }
        };
        for (i, (terms, named)) in asked.meets.iter().zip(&asked.named_by).enumerate() {
            for t in terms {
                for &biz in lex.zip_category_businesses(zip, t) {
                    touch(&mut m, i, biz);
                }
            }
            for &c in named.iter() {
                for biz in lex.zip_category_members(zip, c) {
                    touch(&mut m, i, biz);
                }
            }
        }
        let full = word_mask(need.len());
        let mut kind_by_words = false;
        for (li, biz) in touched {
            // A category asked for by its own words ("sandwich"), not only named by
            // a word of names ("pho").
            let mut asked_by_words = false;
            for &c in lex.categories_of(biz) {
                let Some(cat) = lex.category(c) else { continue };
                if cat.terms.is_empty() {
                    continue;
                }
                let kind = asked.of(c, cat);
                if kind.share > m.category_share[li] {
                    m.category_share[li] = kind.share;
                }
                if kind.bits() == full {
                    m.category_together[li] = true;
                }
                let met = |t: &String| asked.meets.iter().any(|ms| ms.contains(&t.as_str()));
                let by_words = !cat.asked.is_empty() && cat.asked.iter().all(met);
                asked_by_words |= by_words;
                if kind.by_name != 0 || by_words {
                    m.category_asked[li] = true;
                }
            }
            if m.category_asked[li] && m.category_bits[li] & full == full {
                m.need_kind = true;
                kind_by_words |= asked_by_words;
            }
        }
        // "sandwich shop": the kind of place is asked for, not the dish ("pho
        // restaurant", where only names say pho is a kind, still asks for the dish).
        if plan.asks_place && kind_by_words {
            m.need_judged = 0.0;
        }
        // Names. The zipcode's town, when the query names it, counts only for a name
        // another word of the query is in ("new orleans hamburger"): "bagel in
        // philadelphia" asks nothing of Philadelphia Taproom.
        let town: &[String] = plan
            .understanding
            .as_ref()
            .map_or(&[], |u| u.town_terms.as_slice());
        let (others, in_town): (Vec<&String>, Vec<&String>) =
            plan.all_terms.iter().partition(|t| !town.contains(t));
        let terms = others.into_iter().map(|t| (t, false));
        let mut seen: Vec<&str> = Vec::new();
        for (t, of_town) in terms.chain(in_town.into_iter().map(|t| (t, true))) {
            if seen.contains(&t.as_str()) {
                continue;
            }
            seen.push(t);
            let bit = need.iter().position(|n| n == t).map_or(0, |i| 1u32 << i);
            for &biz in lex.zip_name_businesses(zip, t) {
                match slot_of(biz) {
                    Some(li) if !of_town || m.name_hits[li] > 0 => {
                        m.name_hits[li] = m.name_hits[li].saturating_add(1);
                        m.name_bits[li] |= bit;
                    }
                    _ => {}
                }
            }
        }
        // Which need words each member's reviews hold, when they need not share a review.
        if need.len() >= 2 {
            m.review_bits = vec![0; members];
            let until = ctx.until.unwrap_or(i32::MAX);
            let from = ctx.from.unwrap_or(i32::MIN);
            for (i, t) in need.iter().enumerate() {
                if m.phrase_bits & (1 << i) != 0 {
                    continue;
                }
                let term = Term::from_field_text(snap.fields.text, t);
                for &seg_ord in &snap.scan_order {
                    let seg = &snap.segments[seg_ord];
                    let Some(runs) = seg.zip_runs.get(&zip) else {
                        continue;
                    };
                    let postings = seg
                        .inverted
                        .read_postings(&term, IndexRecordOption::Basic)
                        .map_err(|e| Error::IndexCorrupt {
                            path: snap.dir.clone(),
                            reason: e.to_string(),
                        })?;
                    let Some(mut p) = postings else { continue };
                    let alive = snap.searcher.segment_reader(seg_ord as u32).alive_bitset();
                    for &(start, end) in runs {
                        let mut doc = seek_forward(&mut p, start);
                        while doc < end {
                            if alive.is_none_or(|a| a.is_alive(doc)) {
                                let row = seg.rows.get(doc);
                                if row.day < until && row.day >= from {
                                    if let Some(li) = slot_of(row.biz) {
                                        m.review_bits[li] |= 1 << i;
                                    }
                                }
                            }
                            doc = p.advance();
                        }
                        if doc == TERMINATED {
                            break;
                        }
                    }
                }
            }
        }
        Ok(m)
    }

    /// The features and the tier of the member in slot `li`.
    pub(crate) fn of(
        &self,
        snap: &Snapshot,
        plan: &Plan,
        li: usize,
        biz: u32,
        acc: &MatchAcc,
        b: &Business,
    ) -> (QueryMatch, Tier) {
        let n = self.n_need;
        let full = word_mask(n);
        let review = match n {
            0 => 0,
            1 => (acc.n > 0) as u32,
            // A matching review holds the quoted phrases.
            _ => self.review_bits[li] | if acc.n > 0 { self.phrase_bits } else { 0 },
        };
        let category = self.category_bits[li];
        let covered = (review | ((category | self.name_bits[li]) & !self.phrase_bits)) & full;
        let name_terms = snap.lexicon.name_terms(biz);
        let name_hits = self.name_hits[li] as usize;
        let exact_name = !name_terms.is_empty()
            && name_hits >= name_terms.len()
            && plan.name_need.iter().all(|t| name_terms.contains(t));
        let together = n < 2
            || acc.phrase > 0
            || self.category_together[li]
            || (self.name_bits[li] & full) == full;
        let share = |bits: u32| {
            if n == 0 {
                0.0
            } else {
                bits.count_ones() as f32 / n as f32
            }
        };
        let query = QueryMatch {
            coverage: share(covered),
            category: share(category & full),
            category_share: self.category_share[li],
            name: if name_terms.is_empty() {
                0.0
            } else {
                (name_hits as f32 / name_terms.len() as f32).min(1.0)
            },
            together,
            kind: n > 0 && self.category_asked[li] && (category & full) == full,
            need_kind: self.need_kind,
            need_judged: self.need_judged,
            reviews: review != 0 || acc.n > 0,
            prior: 0.0,
        };
        let name = match (exact_name, b) {
            (false, _) => 0,
            (true, b) if same_words(&b.name, &plan.text) => 2,
            (true, _) => 1,
        };
        // Without need words (filler alone: "best"), a place whose reviews match the
        // query's clauses, if any, comes first.
        let coverage = if n == 0 {
            (acc.n > 0) as u8
        } else {
            covered.count_ones() as u8
        };
        let tier = Tier {
            name,
            wishes: plan.wishes.met(b),
            coverage,
            together,
        };
        (query, tier)
    }
}

/// Whether two texts are the same words, ignoring case, accents and punctuation.
fn same_words(a: &str, b: &str) -> bool {
    let words = |s: &str| {
        crate::analysis::fold(s)
            .split(|c: char| !c.is_alphanumeric())
            .filter(|w| !w.is_empty())
            .map(String::from)
            .collect::<Vec<_>>()
    };
    words(a) == words(b)
}
