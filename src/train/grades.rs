//! Training grades: how good a place's dish is, by what the later reviews say about it.
//!
//! The ranker learns from grades of the reviews written after the features' cutoff
//! (the label window). Two readings of those reviews exist:
//! - **stars** (the evaluation protocol's rule): how many later reviews mention the
//!   dish and their stars (grade 3 needs two mentions). It rewards being reviewed as
//!   much as being good: ten lukewarm mentions beat two raves.
//! - **quality** (the default): what the later reviews' sentences that name the dish
//!   say of it, as the text model reads them, shrunk toward the zipcode's mean by how
//!   little they say ([`quality`]); the places of a query are ranked by it into
//!   [`QUALITY_LEVELS`] levels, and the stars grade is added, so the grade is the sum of
//!   two judgments of the same later reviews: what their dish sentences say (relative
//!   to the zipcode's other places) and how they rate the visit, with their number.
//!   Two raving reviews (quality level 3 and stars grade 3) beat ten lukewarm ones
//!   (about 1 and 2), and a place no later review mentions the dish at stays at 0.
//!   When [`JUDGED_PLACES`] places or more of the query have later reviews that *judge*
//!   the dish (as for **verdict** below), a place they only mention it at gets 0 too:
//!   where enough places are clearly reviewed for it to fill a first page, a mention in
//!   passing ("next time I want to try the bacon", "I had bacon at another place") is no
//!   evidence worth ranking; where few are, it is the best evidence there is (a later
//!   mention is what the evaluation protocol counts), and it keeps its grade.
//!
//! - **verdict**: the quality grades of the places whose later reviews *judge* the dish:
//!   at least one sentence naming it reads as clear praise or a clear complaint
//!   ([`CLEAR_LOGIT`](crate::model::features::CLEAR_LOGIT)). A place whose later
//!   reviews only name the dish in passing ("I wish they had bacon", "my mom swears by
//!   the bacon at another place", "we were debating between bacon and poke") stays at 0,
//!   as a place nobody mentions it at: the ranker learns that a mention is not evidence
//!   that the place serves the dish well. The evaluation protocol counts every mention,
//!   so this trades the future-review lens for the quality lens (README, *By how good
//!   the dish is*).
//!
//! None reads the generator's truth: the grades come from the index's own reviews.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::model::features::{quality, quality_sum, MatchAcc};

/// How the training grades are read from the later reviews.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Grades {
    /// What the later reviews' dish sentences say, plus their stars (0 to 6); places
    /// mentioned only in passing stay at 0 when [`JUDGED_PLACES`] places are judged.
    #[default]
    Quality,
    /// The evaluation protocol's rule: the later mentions' number and stars (0 to 3).
    Stars,
    /// [`Grades::Quality`] of the places whose later reviews clearly judge the dish;
    /// places mentioned only in passing stay at 0.
    Verdict,
}

impl Grades {
    /// Every way of reading the grades.
    pub const ALL: [Grades; 3] = [Grades::Quality, Grades::Stars, Grades::Verdict];

    /// Its name, as `model info` and the CLI show it.
    pub fn name(self) -> &'static str {
        match self {
            Grades::Quality => "quality",
            Grades::Stars => "stars",
            Grades::Verdict => "verdict",
        }
    }

    /// One line on how they are read (for `model info`).
    pub fn describe(self) -> &'static str {
        match self {
            Grades::Quality => {
                "quality: what the later reviews' sentences naming the dish say of it \
                 (shrunk toward the zipcode's mean), in 4 levels by rank within the query, \
                 plus the stars grade (0-6); where 6 or more places are clearly judged, \
                 places only mentioned stay at 0"
            }
            Grades::Stars => {
                "stars: the later reviews that mention the dish, by number and stars (0-3, \
                 the evaluation protocol's rule)"
            }
            Grades::Verdict => {
                "verdict: the quality grades (0-6) of the places whose later reviews clearly \
                 judge the dish; places they only mention it at stay at 0"
            }
        }
    }
}

impl std::str::FromStr for Grades {
    type Err = Error;

    /// The grades of a [`Grades::name`] (`"quality"`, `"stars"`, `"verdict"`).
    fn from_str(s: &str) -> Result<Grades> {
        Grades::ALL
            .into_iter()
            .find(|g| g.name() == s)
            .ok_or_else(|| {
                let names: Vec<&str> = Grades::ALL.iter().map(|g| g.name()).collect();
                Error::Model(format!(
                    "grades must be one of {}, not {s:?} (the build uses quality)",
                    names.join(", ")
                ))
            })
    }
}

/// Places of a query whose later reviews clearly judge the need, from which on a place
/// they only mention it at gets no quality grade ([`Grades::Quality`]). Chosen on the
/// development seed's quality lens and future-review split (5, 6, 8, 10, 12 tried):
/// fewer gave up future-review figures, more the lens.
pub const JUDGED_PLACES: usize = 6;

/// Levels of the quality part of a grade.
pub const QUALITY_LEVELS: usize = 4;

/// Grade of a business from its label-window mentions (the protocol's rule).
pub fn stars_grade(n: u32, mean_stars: f32) -> u8 {
    if n >= 2 && mean_stars >= 4.5 {
        3
    } else if n >= 1 && mean_stars >= 4.0 {
        2
    } else if n >= 1 && mean_stars >= 3.0 {
        1
    } else {
        0
    }
}

fn stars_of(acc: &MatchAcc) -> u8 {
    stars_grade(acc.n, acc.stars_sum as f32 / acc.n.max(1) as f32)
}

/// The grades of the places whose label-window reviews mention the need (`labels`:
/// business and its label-window matches); places left out have grade 0.
pub fn grade_places(grades: Grades, labels: &[(u32, &MatchAcc)]) -> BTreeMap<u32, u8> {
    let clear = |a: &MatchAcc| a.aspect_pos + a.aspect_neg > 0;
    let judged_places = labels.iter().filter(|(_, a)| clear(a)).count();
    let judged = |a: &MatchAcc| match grades {
        Grades::Verdict => clear(a),
        Grades::Quality => a.n > 0 && (judged_places < JUDGED_PLACES || clear(a)),
        Grades::Stars => a.n > 0,
    };
    let mentioned: Vec<(u32, &MatchAcc)> =
        labels.iter().filter(|(_, a)| judged(a)).copied().collect();
    match grades {
        Grades::Stars => mentioned.iter().map(|&(b, a)| (b, stars_of(a))).collect(),
        Grades::Quality | Grades::Verdict => {
            // The zipcode's mean: what its matching later reviews say, all together.
            let (sum, n) = mentioned.iter().fold((0.0f32, 0.0f32), |(s, n), (_, a)| {
                let (qs, qn) = quality_sum(a);
                (s + qs, n + qn)
            });
            let prior = if n > 0.0 { sum / n } else { 0.0 };
            let mut by_quality: Vec<(u32, f32, u8)> = mentioned
                .iter()
                .map(|&(b, a)| (b, quality(a, prior), stars_of(a)))
                .collect();
            by_quality.sort_by(|x, y| y.1.total_cmp(&x.1).then(x.0.cmp(&y.0)));
            let total = by_quality.len();
            by_quality
                .iter()
                .enumerate()
                .map(|(rank, &(b, _, stars))| (b, level(rank, total) + stars))
                .collect()
        }
    }
}

/// The quality level of the place at `rank` (0: best) of `total`: the best quarter gets
/// `QUALITY_LEVELS - 1`, the last quarter 0.
fn level(rank: usize, total: usize) -> u8 {
    let above = (total - rank) * QUALITY_LEVELS;
    (above.div_ceil(total).saturating_sub(1)).min(QUALITY_LEVELS - 1) as u8
}

#[cfg(test)]
mod tests {
    use super::*;

    fn acc(n: u32, stars: u32, clause_logits: &[f32]) -> MatchAcc {
        use crate::model::features::CLEAR_LOGIT;
        MatchAcc {
            n,
            stars_sum: stars,
            aspect_sum: clause_logits.iter().sum(),
            aspect_n: clause_logits.len() as u32,
            aspect_pos: clause_logits.iter().filter(|&&l| l > CLEAR_LOGIT).count() as u32,
            aspect_neg: clause_logits.iter().filter(|&&l| l < -CLEAR_LOGIT).count() as u32,
            ..MatchAcc::default()
        }
    }

    #[test]
    fn levels_split_the_places_into_quarters() {
        let got: Vec<u8> = (0..8).map(|r| level(r, 8)).collect();
        assert_eq!(got, vec![3, 3, 2, 2, 1, 1, 0, 0]);
        assert_eq!(level(0, 1), 3);
        assert_eq!((level(0, 2), level(1, 2)), (3, 1));
    }

    #[test]
    fn two_raves_beat_ten_lukewarm_mentions_and_the_unmentioned_stay_at_zero() {
        let raves = acc(2, 10, &[3.0, 3.5]);
        let lukewarm = acc(10, 38, &[0.2; 10]);
        let poor = acc(3, 7, &[-2.0, -1.5, -2.5]);
        let middling = acc(4, 14, &[0.5, 0.4, 0.6, 0.1]);
        let silent = MatchAcc::default();
        let labels = [
            (1, &raves),
            (2, &lukewarm),
            (3, &poor),
            (4, &middling),
            (5, &silent),
        ];
        let q = grade_places(Grades::Quality, &labels);
        assert!(q[&1] > q[&2], "{q:?}");
        assert!(q[&2] > q[&3], "{q:?}");
        assert!(!q.contains_key(&5));
        let s = grade_places(Grades::Stars, &labels);
        assert_eq!((s[&1], s[&2], s[&3]), (3, 1, 0));
    }

    #[test]
    fn verdict_grades_leave_places_mentioned_only_in_passing_at_zero() {
        // Two five-star reviews that name the dish without judging it ("I wish they had
        // bacon", "my mom swears by the bacon at another place"): the text model reads
        // them near zero.
        let passing = acc(2, 10, &[0.1, -0.2]);
        let raves = acc(2, 9, &[2.5, 3.0]);
        let complaint = acc(1, 2, &[-2.0]);
        let lukewarm = acc(3, 12, &[1.2, 0.3, 0.4]);
        let labels = [(1, &passing), (2, &raves), (3, &complaint), (4, &lukewarm)];
        let quality = grade_places(Grades::Quality, &labels);
        assert!(
            quality[&1] > 0,
            "the quality grades count a mention: {quality:?}"
        );
        let verdict = grade_places(Grades::Verdict, &labels);
        assert!(!verdict.contains_key(&1), "{verdict:?}");
        assert!(
            verdict[&2] > verdict[&4] && verdict[&4] > verdict[&3],
            "{verdict:?}"
        );
        assert_eq!(Grades::Verdict.name(), "verdict");
    }

    #[test]
    fn where_enough_places_are_judged_a_mention_in_passing_earns_no_quality_grade() {
        let passing = acc(3, 15, &[0.2, 0.1, -0.3]);
        let judged: Vec<MatchAcc> = (0..JUDGED_PLACES)
            .map(|i| acc(2, 8, &[1.5 + i as f32 * 0.3, 0.4]))
            .collect();
        let mut labels: Vec<(u32, &MatchAcc)> = vec![(100, &passing)];
        labels.extend(judged.iter().enumerate().map(|(i, a)| (i as u32, a)));
        let all = grade_places(Grades::Quality, &labels);
        assert!(!all.contains_key(&100), "{all:?}");
        assert_eq!(all.len(), JUDGED_PLACES);
        // One judged place fewer: the mention is the best evidence there is.
        let fewer = grade_places(Grades::Quality, &labels[..JUDGED_PLACES]);
        assert!(fewer[&100] > 0, "{fewer:?}");
        // The stars grades, the protocol's, count every mention.
        assert!(grade_places(Grades::Stars, &labels)[&100] > 0);
        // `model info` says the rule with its number.
        let said = format!("where {JUDGED_PLACES} or more places are clearly judged");
        assert!(Grades::Quality.describe().contains(&said));
    }

    #[test]
    fn grades_are_read_from_their_names_and_a_wrong_name_lists_them() {
        for g in Grades::ALL {
            assert_eq!(g.name().parse::<Grades>().unwrap(), g);
        }
        let e = "popular".parse::<Grades>().unwrap_err().to_string();
        assert!(
            e.contains("quality, stars, verdict") && e.contains("popular"),
            "{e}"
        );
    }
}
