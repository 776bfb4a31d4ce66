//! A synthetic Yelp Open Dataset with a planted, hidden truth.
//!
//! [`generate`] writes `business.jsonl.gz` and `review.jsonl.gz` in exactly the Yelp Open
//! Dataset schema, quirks included (ZIP+4 and oddly written Canadian postal codes, empty
//! postal codes, Python-repr attribute strings, reviews with newlines, accents and emoji,
//! out of date order), plus `truth.json`: for every business, its normalised postal code
//! and the hidden quality in [0, 1] of each dish on its menu.
//!
//! The truth reaches the data only through review text and stars. A reviewer "had" one to
//! three dishes of the menu and writes, for each, a verdict sentence that names the dish and
//! whose polarity follows the dish's quality plus noise (raves, mild praise, "not bad",
//! complaints, negations such as "the pasta was not good" or "never had better pasta",
//! contrasts such as "the pasta was great but the pizza was bland"). Other sentences name
//! dishes without judging this place's version ("I wish they had sushi", "my friend swears
//! by the pasta at Luigi's") and are drawn independently of quality and stars. The stars
//! follow the dish verdicts and the business's service quality, with noise, in Yelp's
//! J-shaped distribution. So the best pasta of zipcode 61820 is, by construction, the
//! business whose reviews say so in the sentences about pasta. In about half of the
//! (zipcode, dish) pairs with three or more servers a local champion is planted, 0.2-0.3
//! above every other server of the pair, so clear targets exist at any size.
//!
//! The output is deterministic: the same [`GenerateOptions`] give byte-identical files, on
//! any number of threads.
//!
//! ```
//! use yelpsearch::generate::{generate, GenerateOptions, Truth};
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let dir = std::env::temp_dir().join(format!("yelpsearch-doc-{}", std::process::id()));
//! let opts = GenerateOptions { businesses: 300, reviews: 3_000, seed: 7 };
//! let report = generate(&dir, &opts)?;
//! assert_eq!(report.businesses, 300);
//! assert!(report.zipcodes >= 3);
//!
//! let truth = Truth::load(&report.truth_path)?;
//! // The first zipcode is always 61820 (Champaign, IL), the biggest one.
//! if let Some(best) = truth.best_for("61820", "pizza") {
//!     println!("best pizza in 61820: {} ({})", best.business_id, best.quality["pizza"]);
//! }
//! # std::fs::remove_dir_all(&dir)?;
//! # Ok(())
//! # }
//! ```

mod text;
mod vocab;
mod writer;

#[cfg(test)]
mod tests;

use std::collections::{BTreeMap, HashSet};
use std::fs::{self, File};
use std::io::{BufReader, BufWriter, Write};
use std::path::{Path, PathBuf};

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::{Error, IoContext, Result};

use text::{pick, word, Mention, ReviewInput};
use vocab::{Archetype, HoursStyle, Kind, CITIES, DISHES, FOOD, OTHER, ZIPS, ZIP_WEIGHTS};

/// What to generate.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GenerateOptions {
    /// Number of businesses (at least 1). Zipcodes scale with it: about one per 125
    /// businesses, at least 3.
    pub businesses: usize,
    /// Number of reviews, spread over the businesses with a heavy-tailed popularity.
    pub reviews: usize,
    /// Seed of every random choice: the same options give byte-identical files.
    pub seed: u64,
}

impl Default for GenerateOptions {
    /// 2 000 businesses, 100 000 reviews, seed 42.
    fn default() -> Self {
        GenerateOptions {
            businesses: 2_000,
            reviews: 100_000,
            seed: 42,
        }
    }
}

/// What [`generate`] wrote.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GenerateReport {
    /// Number of business lines written.
    pub businesses: usize,
    /// Number of review lines written.
    pub reviews: usize,
    /// Number of distinct (normalised, non-empty) postal codes among the businesses.
    pub zipcodes: usize,
    /// `out_dir/business.jsonl.gz`.
    pub business_path: PathBuf,
    /// `out_dir/review.jsonl.gz`.
    pub review_path: PathBuf,
    /// `out_dir/truth.json`.
    pub truth_path: PathBuf,
}

/// The hidden truth, as written to truth.json and read back by tests.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Truth {
    /// The seed the data was generated with.
    pub seed: u64,
    /// The whole dish vocabulary (canonical names, as a user would query them), including
    /// dishes no business serves.
    pub dishes: Vec<String>,
    /// Every business, in the order of `business.jsonl.gz`.
    pub businesses: Vec<TruthBusiness>,
}

/// The hidden truth about one business.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TruthBusiness {
    /// Its `business_id`.
    pub business_id: String,
    /// Its postal code normalised: 5 digits ("61820", ZIP+4 cut), or the Canadian
    /// "A1A 1A1" form (upper case, one space); empty if the business has none.
    pub postal_code: String,
    /// Whether it serves food or drink (has a menu). Coffee shops, bakeries and bars count,
    /// even when "Restaurants" is not among their categories.
    pub is_restaurant: bool,
    /// Dish -> quality in [0, 1] for the dishes on its menu (empty if not a restaurant).
    pub quality: BTreeMap<String, f32>,
}

impl Truth {
    /// Reads a `truth.json` written by [`generate`].
    pub fn load(path: &Path) -> Result<Truth> {
        let file = File::open(path).at(path)?;
        serde_json::from_reader(BufReader::new(file)).map_err(|e| {
            Error::Data(format!(
                "{}: not a truth file written by `generate`: {e}",
                path.display()
            ))
        })
    }

    /// The business with the highest quality for `dish` among those of zipcode `zip` that
    /// serve it (the first one on a tie), or `None` if no business there serves it.
    ///
    /// `zip` may be written any way the data writes it ("61820-1234", "t6e1z9"); `dish` is a
    /// canonical name or one of its surface forms, in any case ("crêpes" finds "crepes").
    pub fn best_for(&self, zip: &str, dish: &str) -> Option<&TruthBusiness> {
        let zip = normalize_postal_code(zip);
        if zip.is_empty() {
            return None;
        }
        let dish = match vocab::lookup_dish(dish) {
            Some(i) => DISHES[i].name.to_string(),
            None => dish.trim().to_lowercase(),
        };
        let mut best: Option<(&TruthBusiness, f32)> = None;
        for b in self.businesses.iter().filter(|b| b.postal_code == zip) {
            if let Some(&q) = b.quality.get(&dish) {
                if best.is_none_or(|(_, bq)| q > bq) {
                    best = Some((b, q));
                }
            }
        }
        best.map(|(b, _)| b)
    }
}

/// Normalises a postal code as the truth writes it: US codes to their first 5 digits,
/// Canadian ones to "A1A 1A1", anything else trimmed and upper-cased.
fn normalize_postal_code(raw: &str) -> String {
    let compact: Vec<char> = raw
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .map(|c| c.to_ascii_uppercase())
        .collect();
    if compact.len() >= 5 && compact[..5].iter().all(char::is_ascii_digit) {
        return compact[..5].iter().collect();
    }
    let canadian = compact.len() == 6
        && compact.iter().enumerate().all(|(i, c)| {
            if i % 2 == 0 {
                c.is_ascii_uppercase()
            } else {
                c.is_ascii_digit()
            }
        });
    if canadian {
        let (a, b): (String, String) =
            (compact[..3].iter().collect(), compact[3..].iter().collect());
        return format!("{a} {b}");
    }
    raw.trim().to_uppercase()
}

// ---------------------------------------------------------------------------------------
// Businesses.

/// One zipcode of the dataset.
struct Zip {
    /// Normalised form.
    code: String,
    city: usize,
    weight: f64,
    lat: f64,
    lon: f64,
}

/// One dish on a menu.
#[derive(Clone, Copy, Debug)]
struct MenuItem {
    dish: usize,
    quality: f32,
    /// How often reviewers order it (independent of quality).
    weight: f32,
}

/// Opening hours, serialised with the days in order.
#[derive(Serialize)]
#[allow(non_snake_case)]
struct Hours {
    #[serde(skip_serializing_if = "Option::is_none")]
    Monday: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    Tuesday: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    Wednesday: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    Thursday: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    Friday: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    Saturday: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    Sunday: Option<String>,
}

/// A generated business, with its hidden parameters.
struct Biz {
    id: String,
    name: String,
    address: String,
    city: &'static str,
    state: &'static str,
    postal_written: String,
    postal_norm: String,
    lat: f64,
    lon: f64,
    arch: &'static Archetype,
    categories: Option<String>,
    attributes: Option<BTreeMap<&'static str, String>>,
    hours: Option<Hours>,
    /// Empty for non-food businesses.
    menu: Vec<MenuItem>,
    /// Dish indices of `menu`, for the text composer.
    menu_dishes: Vec<usize>,
    service: f32,
    popularity: f64,
    /// Reviews fall in [first_day, last_day] (days since 1970-01-01).
    first_day: i64,
    last_day: i64,
    is_open: bool,
}

/// Days since 1970-01-01 of a civil date (proleptic Gregorian).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// Civil date of a day number (inverse of [`days_from_civil`]).
fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (if m <= 2 { y + 1 } else { y }, m, d)
}

/// First and last day reviews can have.
fn data_start() -> i64 {
    days_from_civil(2008, 1, 1)
}
fn data_end() -> i64 {
    days_from_civil(2022, 1, 19)
}

/// Relative number of reviews per day, by year from 2008: Yelp's growth and the 2020 dip.
const YEAR_DENSITY: [f64; 15] = [
    0.15, 0.25, 0.35, 0.45, 0.55, 0.65, 0.75, 0.85, 0.95, 1.0, 1.0, 1.0, 0.55, 0.7, 0.7,
];

/// Standard normal draw (Box-Muller).
fn normal<R: Rng + ?Sized>(rng: &mut R) -> f64 {
    let u1: f64 = rng.gen_range(f64::MIN_POSITIVE..1.0);
    let u2: f64 = rng.gen();
    (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
}

fn sigmoid(x: f64) -> f32 {
    (1.0 / (1.0 + (-x).exp())) as f32
}

fn clamp01(x: f64) -> f32 {
    x.clamp(0.0, 1.0) as f32
}

/// Rounds to 3 decimals, so truth.json reads well.
fn round3(x: f32) -> f32 {
    (x * 1000.0).round() / 1000.0
}

const ID_ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/// A 22-character Yelp-style id from 132 random bits.
fn random_id<R: Rng + ?Sized>(rng: &mut R) -> String {
    id_from_words([rng.gen(), rng.gen(), rng.gen()])
}

fn id_from_words(words: [u64; 3]) -> String {
    let mut s = String::with_capacity(22);
    for i in 0..22 {
        let word = words[i / 10];
        let shift = (i % 10) * 6;
        s.push(ID_ALPHABET[((word >> shift) & 63) as usize] as char);
    }
    s
}

/// SplitMix64 step: a cheap deterministic hash for user ids.
fn splitmix(x: u64) -> u64 {
    let mut z = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// The zipcodes of a dataset of `n_biz` businesses: a prefix of the fixed list, extended
/// with synthesised codes of the same cities past its end.
fn zipcodes(n_biz: usize) -> Vec<Zip> {
    let n = (n_biz as f64 / 125.0).round().max(3.0) as usize;
    let mut codes: Vec<(String, usize)> = ZIPS
        .iter()
        .take(n)
        .map(|&(c, city)| (c.to_string(), city))
        .collect();
    let mut seen: HashSet<String> = codes.iter().map(|(c, _)| c.clone()).collect();
    const LETTERS: &[u8] = b"ABCEGHJKLMNPRSTVWXYZ";
    let mut j = 0usize;
    while codes.len() < n {
        let city = j % CITIES.len();
        let m = j / CITIES.len();
        j += 1;
        let c = &CITIES[city];
        let code = if c.canadian {
            format!(
                "{}{} {}{}{}",
                c.zip_base,
                LETTERS[m % 20] as char,
                (m / 20) % 10,
                LETTERS[(m * 7 + 3) % 20] as char,
                (m * 3 + 1) % 10
            )
        } else {
            let base: usize = c.zip_base.parse().unwrap_or(10_000);
            format!("{:05}", base + m)
        };
        if seen.insert(code.clone()) {
            codes.push((code, city));
        }
    }
    codes
        .into_iter()
        .enumerate()
        .map(|(k, (code, city))| {
            let c = &CITIES[city];
            let dx = ((k * 37) % 11) as f64 / 11.0 - 0.5;
            let dy = ((k * 53) % 13) as f64 / 13.0 - 0.5;
            Zip {
                code,
                city,
                weight: ZIP_WEIGHTS[k % ZIP_WEIGHTS.len()],
                lat: c.lat + dy * 0.1,
                lon: c.lon + dx * 0.12,
            }
        })
        .collect()
}

fn weighted_index<R: Rng + ?Sized>(
    rng: &mut R,
    weights: impl Iterator<Item = f64> + Clone,
) -> usize {
    let total: f64 = weights.clone().sum();
    let mut x = rng.gen::<f64>() * total;
    let mut last = 0;
    for (i, w) in weights.enumerate() {
        if x < w {
            return i;
        }
        x -= w;
        last = i;
    }
    last
}

fn fill_name<R: Rng + ?Sized>(rng: &mut R, arch: &Archetype, city: &str) -> String {
    if !arch.chains.is_empty() && rng.gen_bool(0.1) {
        return pick(rng, arch.chains).to_string();
    }
    let tpl = word(rng, arch.names);
    let mut s = String::with_capacity(32);
    let mut rest: &str = tpl;
    while let Some(open) = rest.find('{') {
        s.push_str(&rest[..open]);
        let Some(len) = rest[open..].find('}') else {
            break;
        };
        match &rest[open + 1..open + len] {
            "first" => s.push_str(word(rng, vocab::FIRST)),
            "last" => s.push_str(word(rng, vocab::LAST)),
            "adj" => s.push_str(word(rng, vocab::NAME_ADJ)),
            "noun" => s.push_str(word(rng, vocab::NAME_NOUN)),
            "city" => s.push_str(city),
            "w" => s.push_str(word(rng, arch.words)),
            other => s.push_str(other),
        }
        rest = &rest[open + len + 1..];
    }
    s.push_str(rest);
    s
}

fn address<R: Rng + ?Sized>(rng: &mut R, canadian: bool) -> String {
    if rng.gen_bool(0.02) {
        return String::new();
    }
    let mut a = if canadian {
        if rng.gen_bool(0.5) {
            format!(
                "{} {} Avenue NW",
                rng.gen_range(10_000..11_999),
                rng.gen_range(60..130)
            )
        } else {
            format!(
                "{} {} Street NW",
                rng.gen_range(8_000..12_999),
                rng.gen_range(90..170)
            )
        }
    } else {
        let dir = if rng.gen_bool(0.3) {
            word(rng, &["N ", "S ", "E ", "W "])
        } else {
            ""
        };
        format!(
            "{} {dir}{} {}",
            rng.gen_range(1..9_999),
            word(rng, vocab::STREETS),
            word(rng, vocab::STREET_SUFFIX)
        )
    };
    if rng.gen_bool(0.1) {
        a.push_str(&format!(", Ste {}", rng.gen_range(1..30) * 10));
    }
    a
}

/// The postal code as written in the business file (quirks included).
fn written_postal<R: Rng + ?Sized>(rng: &mut R, code: &str, canadian: bool) -> String {
    if canadian {
        let compact: String = code.chars().filter(|c| *c != ' ').collect();
        match rng.gen_range(0..100) {
            0..=79 => code.to_string(),
            80..=89 => compact,
            90..=95 => compact.to_lowercase(),
            _ => code.to_lowercase(),
        }
    } else if rng.gen_bool(0.08) {
        format!("{code}-{:04}", rng.gen_range(1..10_000))
    } else {
        code.to_string()
    }
}

fn python_bool<R: Rng + ?Sized>(rng: &mut R, p: f64) -> &'static str {
    if rng.gen_bool(p) {
        "True"
    } else {
        "False"
    }
}

fn python_dict<R: Rng + ?Sized>(rng: &mut R, keys: &[(&str, f64)]) -> String {
    let parts: Vec<String> = keys
        .iter()
        .map(|&(k, p)| format!("'{k}': {}", python_bool(rng, p)))
        .collect();
    format!("{{{}}}", parts.join(", "))
}

fn attributes<R: Rng + ?Sized>(
    rng: &mut R,
    arch: &Archetype,
    menu: &[MenuItem],
) -> Option<BTreeMap<&'static str, String>> {
    if rng.gen_bool(0.05) {
        return None;
    }
    let serves = |name: &str| menu.iter().any(|m| DISHES[m.dish].name == name);
    let mut a: BTreeMap<&'static str, String> = BTreeMap::new();
    let maybe =
        |rng: &mut R, a: &mut BTreeMap<&'static str, String>, key: &'static str, v: String| {
            if rng.gen_bool(0.75) {
                a.insert(key, v);
            }
        };
    if rng.gen_bool(0.92) {
        a.insert("BusinessAcceptsCreditCards", python_bool(rng, 0.95).into());
    }
    let parking = python_dict(
        rng,
        &[
            ("garage", 0.15),
            ("street", 0.5),
            ("validated", 0.05),
            ("lot", 0.5),
            ("valet", 0.05),
        ],
    );
    maybe(rng, &mut a, "BusinessParking", parking);
    if menu.is_empty() {
        let v = python_bool(rng, 0.6).to_string();
        maybe(rng, &mut a, "ByAppointmentOnly", v);
        let v = python_bool(rng, 0.8).to_string();
        maybe(rng, &mut a, "WheelchairAccessible", v);
        if arch.hours == HoursStyle::AllDay {
            a.insert("WiFi", "u'free'".into());
        }
        return Some(a);
    }
    let v = if rng.gen_bool(0.05) {
        "None".to_string()
    } else {
        python_bool(rng, 0.85).to_string()
    };
    maybe(rng, &mut a, "RestaurantsTakeOut", v);
    let v = python_bool(rng, 0.5).to_string();
    maybe(rng, &mut a, "RestaurantsDelivery", v);
    let v = pick(rng, arch.price).to_string();
    maybe(rng, &mut a, "RestaurantsPriceRange2", v);
    let v = pick(rng, &["u'free'", "u'no'", "'free'", "'no'", "u'paid'"]).to_string();
    maybe(rng, &mut a, "WiFi", v);
    let alcohol = menu.iter().any(|m| DISHES[m.dish].kind == Kind::Alcohol);
    let v = if alcohol {
        pick(rng, &["u'full_bar'", "u'beer_and_wine'", "'full_bar'"]).to_string()
    } else {
        pick(rng, &["u'none'", "'none'"]).to_string()
    };
    maybe(rng, &mut a, "Alcohol", v);
    let v = if serves("patio") {
        "True".to_string()
    } else {
        python_bool(rng, 0.1).to_string()
    };
    maybe(rng, &mut a, "OutdoorSeating", v);
    if serves("happy hour") {
        a.insert("HappyHour", "True".into());
    }
    let v = pick(rng, &["u'average'", "u'quiet'", "u'loud'", "'average'"]).to_string();
    maybe(rng, &mut a, "NoiseLevel", v);
    for key in [
        "RestaurantsGoodForGroups",
        "GoodForKids",
        "RestaurantsReservations",
        "HasTV",
    ] {
        let v = python_bool(rng, 0.5).to_string();
        maybe(rng, &mut a, key, v);
    }
    let v = python_dict(
        rng,
        &[
            ("romantic", 0.05),
            ("intimate", 0.05),
            ("classy", 0.1),
            ("hipster", 0.05),
            ("divey", 0.05),
            ("touristy", 0.02),
            ("trendy", 0.1),
            ("upscale", 0.05),
            ("casual", 0.8),
        ],
    );
    maybe(rng, &mut a, "Ambience", v);
    let v = python_dict(
        rng,
        &[
            ("dessert", 0.1),
            ("latenight", 0.1),
            ("lunch", 0.6),
            ("dinner", 0.6),
            ("brunch", 0.1),
            ("breakfast", 0.1),
        ],
    );
    maybe(rng, &mut a, "GoodForMeal", v);
    let v = pick(rng, &["u'casual'", "'casual'", "u'dressy'"]).to_string();
    maybe(rng, &mut a, "RestaurantsAttire", v);
    if (serves("vegan") || serves("gluten free")) && rng.gen_bool(0.5) {
        let v = format!(
            "{{'dairy-free': False, 'gluten-free': {}, 'vegan': {}, 'kosher': False, 'halal': False, 'soy-free': False, 'vegetarian': True}}",
            if serves("gluten free") { "True" } else { "False" },
            if serves("vegan") { "True" } else { "False" },
        );
        a.insert("DietaryRestrictions", v);
    }
    Some(a)
}

fn hours<R: Rng + ?Sized>(rng: &mut R, style: HoursStyle) -> Option<Hours> {
    if rng.gen_bool(0.12) {
        return None;
    }
    let choices: &[&str] = match style {
        HoursStyle::Morning => &["7:0-14:0", "6:30-15:0", "8:0-14:30", "7:0-15:0"],
        HoursStyle::Cafe => &["6:0-18:0", "7:0-19:0", "6:30-17:0", "7:0-20:0"],
        HoursStyle::Restaurant => &[
            "11:0-22:0",
            "11:30-21:30",
            "17:0-22:0",
            "11:0-23:0",
            "12:0-21:0",
        ],
        HoursStyle::Bar => &["16:0-2:0", "15:0-0:0", "11:0-2:0", "17:0-1:30"],
        HoursStyle::Shop => &["9:0-18:0", "8:0-17:0", "10:0-19:0", "9:30-17:30"],
        HoursStyle::AllDay => &["0:0-0:0"],
    };
    let weekday = pick(rng, choices).to_string();
    let weekend = if rng.gen_bool(0.6) {
        weekday.clone()
    } else {
        pick(rng, choices).to_string()
    };
    let closed_monday = style != HoursStyle::AllDay && rng.gen_bool(0.25);
    let sunday = match style {
        HoursStyle::Shop if rng.gen_bool(0.5) => None,
        _ => Some(weekend.clone()),
    };
    let mut h = Hours {
        Monday: (!closed_monday).then(|| weekday.clone()),
        Tuesday: Some(weekday.clone()),
        Wednesday: Some(weekday.clone()),
        Thursday: Some(weekday.clone()),
        Friday: Some(weekday),
        Saturday: Some(weekend),
        Sunday: sunday,
    };
    // The Yelp quirk: a day of "0:0-0:0" now and then.
    if rng.gen_bool(0.03) {
        h.Monday = Some("0:0-0:0".into());
    }
    Some(h)
}

/// Builds the businesses (sequential, one RNG) with their hidden parameters.
fn build_businesses(opts: &GenerateOptions) -> Vec<Biz> {
    let mut rng = ChaCha8Rng::seed_from_u64(opts.seed);
    let zips = zipcodes(opts.businesses);
    let mut ids: HashSet<String> = HashSet::with_capacity(opts.businesses);
    let (start, end) = (data_start(), data_end());
    let full_span = (end - start) as f64;
    let food_total: f64 = FOOD.iter().map(|a| a.weight).sum();
    let mut out = Vec::with_capacity(opts.businesses);
    for i in 0..opts.businesses {
        // The first business of each zipcode is placed there, so every zipcode is used.
        let z = if i < zips.len() {
            i
        } else {
            weighted_index(&mut rng, zips.iter().map(|z| z.weight))
        };
        let zip = &zips[z];
        let city = &CITIES[zip.city];
        let food = i < zips.len() || rng.gen_bool(0.9);
        let arch: &'static Archetype = if food {
            let mut x = rng.gen::<f64>() * food_total;
            let mut chosen = &FOOD[0];
            for a in FOOD {
                if x < a.weight {
                    chosen = a;
                    break;
                }
                x -= a.weight;
            }
            chosen
        } else {
            pick(&mut rng, OTHER)
        };
        let (categories, implied) = *pick(&mut rng, arch.categories);

        // Hidden quality: a business level, each dish and the service around it.
        // On a logit scale, so qualities spread over (0, 1) without piling up at the ends
        // (no ties at 1.0: every zipcode has one best place per dish).
        let base = 0.55 + 0.8 * normal(&mut rng);
        let service = sigmoid(base + 0.6 * normal(&mut rng));
        let mut menu: Vec<MenuItem> = Vec::new();
        let mut add = |rng: &mut ChaCha8Rng, name: &str, weight: f32| {
            let Some(dish) = vocab::dish_index(name) else {
                return;
            };
            if menu.iter().any(|m| m.dish == dish) {
                return;
            }
            let weight = if DISHES[dish].kind == Kind::Amenity {
                0.6
            } else {
                weight
            };
            let quality = round3(sigmoid(base + 0.9 * normal(rng)));
            menu.push(MenuItem {
                dish,
                quality,
                weight,
            });
        };
        for name in arch.core.iter().chain(implied) {
            add(&mut rng, name, 3.0);
        }
        for name in arch.extra {
            if rng.gen_bool(0.35) {
                add(&mut rng, name, 1.5);
            }
        }

        let name = fill_name(&mut rng, arch, city.name);
        let address = address(&mut rng, city.canadian);
        let city_written = if !city.alt_names.is_empty() && rng.gen_bool(0.25) {
            word(&mut rng, city.alt_names)
        } else {
            city.name
        };
        let (postal_written, postal_norm) = if i >= zips.len() && rng.gen_bool(0.006) {
            (String::new(), String::new())
        } else {
            (
                written_postal(&mut rng, &zip.code, city.canadian),
                zip.code.clone(),
            )
        };
        let lat = ((zip.lat + 0.008 * normal(&mut rng)) * 1e7).round() / 1e7;
        let lon = ((zip.lon + 0.008 * normal(&mut rng)) * 1e7).round() / 1e7;

        let first_day = if rng.gen_bool(0.5) {
            start
        } else {
            rng.gen_range(start..end - 730)
        };
        let is_open = !rng.gen_bool(0.08);
        let last_day = if is_open {
            end
        } else {
            let earliest = (first_day + 365).max(days_from_civil(2012, 1, 1));
            rng.gen_range(earliest..end - 30)
        };
        let popularity =
            (1.15 * normal(&mut rng)).exp() * ((last_day - first_day) as f64 / full_span);

        let attributes = attributes(&mut rng, arch, &menu);
        let categories = if rng.gen_bool(0.01) {
            None
        } else {
            Some(categories.to_string())
        };
        let hours = hours(&mut rng, arch.hours);
        let mut id = random_id(&mut rng);
        while !ids.insert(id.clone()) {
            id = random_id(&mut rng);
        }
        let menu_dishes = menu.iter().map(|m| m.dish).collect();
        out.push(Biz {
            id,
            name,
            address,
            city: city_written,
            state: city.state,
            postal_written,
            postal_norm,
            lat,
            lon,
            arch,
            categories,
            attributes,
            hours,
            menu,
            menu_dishes,
            service,
            popularity,
            first_day,
            last_day,
            is_open,
        });
    }
    plant_local_champions(&mut rng, &mut out);
    out
}

/// In about half of the (zipcode, dish) pairs served by three or more businesses, one of
/// them, drawn at random, is planted as the clear local champion: its quality is set to
/// 0.92-0.99, and any other server of the pair within 0.2-0.3 of it is pushed down to that
/// distance. This is what makes "the best pasta in 61820" a well-defined target. The
/// champion is drawn independently of popularity, name and everything else a ranker can
/// see; only the text and stars of its reviews tell.
fn plant_local_champions(rng: &mut ChaCha8Rng, businesses: &mut [Biz]) {
    let mut groups: BTreeMap<(&str, usize), Vec<(usize, usize)>> = BTreeMap::new();
    for (b, biz) in businesses.iter().enumerate() {
        if biz.postal_norm.is_empty() {
            continue;
        }
        for (m, item) in biz.menu.iter().enumerate() {
            groups
                .entry((biz.postal_norm.as_str(), item.dish))
                .or_default()
                .push((b, m));
        }
    }
    let mut changes: Vec<(usize, usize, f32)> = Vec::new();
    for servers in groups.values() {
        if servers.len() < 3 || !rng.gen_bool(0.5) {
            continue;
        }
        let champion = servers[rng.gen_range(0..servers.len())];
        let top: f32 = rng.gen_range(0.92..0.99);
        let ceiling = top - rng.gen_range(0.2..0.3);
        changes.push((champion.0, champion.1, round3(top)));
        for &(b, m) in servers {
            let q = businesses[b].menu[m].quality;
            if (b, m) != champion && q > ceiling {
                let lowered = ceiling - rng.gen_range(0.0..0.05);
                changes.push((b, m, round3(lowered)));
            }
        }
    }
    for (b, m, q) in changes {
        businesses[b].menu[m].quality = q;
    }
}

// ---------------------------------------------------------------------------------------
// Reviews.

/// Reviews per chunk; each chunk has its own RNG stream and is compressed on its own.
const CHUNK: usize = 4096;
/// Chunks generated in parallel before their bytes are written out.
const BATCH: usize = 32;
/// gzip level of the review file.
const LEVEL: u32 = 1;
/// Reviews every business gets before popularity takes over (if there are enough).
const FLOOR: usize = 3;

#[derive(Serialize)]
struct ReviewLine<'a> {
    review_id: &'a str,
    user_id: &'a str,
    business_id: &'a str,
    stars: f64,
    useful: u32,
    funny: u32,
    cool: u32,
    text: &'a str,
    date: &'a str,
}

#[derive(Serialize)]
struct BusinessLine<'a> {
    business_id: &'a str,
    name: &'a str,
    address: &'a str,
    city: &'a str,
    state: &'a str,
    postal_code: &'a str,
    latitude: f64,
    longitude: f64,
    stars: f64,
    review_count: u64,
    is_open: u8,
    attributes: Option<&'a BTreeMap<&'static str, String>>,
    categories: Option<&'a str>,
    hours: Option<&'a Hours>,
}

/// Read-only state shared by the review chunks.
struct Ctx<'a> {
    seed: u64,
    businesses: &'a [Biz],
    /// Cumulative popularity, for sampling a business.
    cumulative: Vec<f64>,
    floor_total: usize,
    n_users: u64,
}

/// One generated chunk: compressed lines, and (business, stars) per review.
struct ChunkOut {
    deflated: writer::Deflated,
    stars: Vec<(u32, u8)>,
}

fn geometric<R: Rng + ?Sized>(rng: &mut R, mean: f64) -> u32 {
    // P(k) = (1-p) p^k with mean p / (1-p).
    let p = mean / (1.0 + mean);
    let mut k = 0;
    while k < 500 && rng.gen_bool(p) {
        k += 1;
    }
    k
}

fn sample_day<R: Rng + ?Sized>(rng: &mut R, first: i64, last: i64) -> i64 {
    for _ in 0..64 {
        let day = rng.gen_range(first..=last);
        let (y, _, _) = civil_from_days(day);
        let density = YEAR_DENSITY[(y - 2008).clamp(0, 14) as usize];
        if rng.gen::<f64>() < density {
            return day;
        }
    }
    rng.gen_range(first..=last)
}

fn star_rating(e: f64) -> u8 {
    if e >= 0.64 {
        5
    } else if e >= 0.53 {
        4
    } else if e >= 0.45 {
        3
    } else if e >= 0.355 {
        2
    } else {
        1
    }
}

fn generate_chunk(ctx: &Ctx<'_>, chunk: usize, total: usize) -> Result<ChunkOut> {
    let mut rng = ChaCha8Rng::seed_from_u64(ctx.seed);
    rng.set_stream(1 + chunk as u64);
    let begin = chunk * CHUNK;
    let end = (begin + CHUNK).min(total);
    let mut buf: Vec<u8> = Vec::with_capacity((end - begin) * 900);
    let mut stars_out = Vec::with_capacity(end - begin);
    let mut text = String::with_capacity(2048);
    let mut had: Vec<Mention> = Vec::with_capacity(3);
    let n_biz = ctx.businesses.len();
    let pop_total = ctx.cumulative.last().copied().unwrap_or(0.0);
    for g in begin..end {
        let b_idx = if g < ctx.floor_total {
            g % n_biz
        } else {
            let x = rng.gen::<f64>() * pop_total;
            ctx.cumulative.partition_point(|&c| c <= x).min(n_biz - 1)
        };
        let b = &ctx.businesses[b_idx];

        // Who and when.
        let u: f64 = rng.gen();
        let user = ((ctx.n_users as f64 * u.powf(1.8)) as u64).min(ctx.n_users - 1);
        let h1 = splitmix(ctx.seed ^ splitmix(user));
        let user_id = id_from_words([h1, splitmix(h1), splitmix(h1 ^ 0x5555)]);
        let user_bias = ((h1 % 1001) as f64 / 1000.0 - 0.5) * 0.12;
        let day = sample_day(&mut rng, b.first_day, b.last_day);
        let (y, mo, d) = civil_from_days(day);
        let secs = rng.gen_range(0..86_400);
        let date = format!(
            "{y:04}-{mo:02}-{d:02} {:02}:{:02}:{:02}",
            secs / 3600,
            secs / 60 % 60,
            secs % 60
        );

        // What they had and how it was.
        had.clear();
        if !b.menu.is_empty() {
            let want = match rng.gen_range(0..10) {
                0..=3 => 1,
                4..=7 => 2,
                _ => 3,
            }
            .min(b.menu.len());
            while had.len() < want {
                let i = weighted_index(
                    &mut rng,
                    b.menu.iter().map(|m| {
                        if had.iter().any(|h| h.dish == m.dish) {
                            0.0
                        } else {
                            f64::from(m.weight)
                        }
                    }),
                );
                let m = b.menu[i];
                if had.iter().any(|h| h.dish == m.dish) {
                    continue;
                }
                let perceived = clamp01(f64::from(m.quality) + 0.12 * normal(&mut rng));
                had.push(Mention {
                    dish: m.dish,
                    perceived,
                });
            }
        }
        let service = clamp01(f64::from(b.service) + 0.1 * normal(&mut rng));
        let mut e = if had.is_empty() {
            f64::from(service)
        } else {
            let dishes = had.iter().map(|m| f64::from(m.perceived)).sum::<f64>() / had.len() as f64;
            0.7 * dishes + 0.3 * f64::from(service)
        };
        e += user_bias + 0.05 * normal(&mut rng);
        let disaster = rng.gen_bool(0.01 + 0.05 * (1.0 - f64::from(b.service)));
        let stars = if disaster { 1 } else { star_rating(e) };

        // Another business, preferably one with a menu, for "the pasta at X".
        let mut other = &ctx.businesses[rng.gen_range(0..n_biz)];
        for _ in 0..3 {
            if !other.menu.is_empty() {
                break;
            }
            other = &ctx.businesses[rng.gen_range(0..n_biz)];
        }
        let other = &other.name;
        let input = ReviewInput {
            arch: b.arch,
            menu: &b.menu_dishes,
            had: &had,
            service,
            stars,
            disaster,
            other_name: other,
        };
        text::compose(&mut rng, &input, &mut text);

        let useful = geometric(
            &mut rng,
            0.6 + text.len() as f64 / 900.0 + if stars == 1 { 0.5 } else { 0.0 },
        );
        let funny = geometric(&mut rng, 0.25);
        let cool = geometric(&mut rng, if stars >= 4 { 0.6 } else { 0.2 });
        let review_id = random_id(&mut rng);
        let line = ReviewLine {
            review_id: &review_id,
            user_id: &user_id,
            business_id: &b.id,
            stars: f64::from(stars),
            useful,
            funny,
            cool,
            text: &text,
            date: &date,
        };
        serde_json::to_writer(&mut buf, &line)
            .map_err(|e| Error::Data(format!("serialising a review: {e}")))?;
        buf.push(b'\n');
        stars_out.push((b_idx as u32, stars));
    }
    let deflated = writer::deflate_chunk(&buf, LEVEL)
        .map_err(|e| Error::Data(format!("compressing reviews: {e}")))?;
    Ok(ChunkOut {
        deflated,
        stars: stars_out,
    })
}

/// Generates a synthetic Yelp dataset into `out_dir` (created if missing):
/// `business.jsonl.gz`, `review.jsonl.gz` and the hidden `truth.json`.
///
/// Existing files of those names are overwritten. The same options always give
/// byte-identical files. Fails with [`Error::Data`] if `opts.businesses` is 0, and with
/// [`Error::Io`] (naming the path) if a file cannot be written.
pub fn generate(out_dir: &Path, opts: &GenerateOptions) -> Result<GenerateReport> {
    if opts.businesses == 0 {
        return Err(Error::Data(
            "generate: the number of businesses must be at least 1".into(),
        ));
    }
    if opts.businesses > u32::MAX as usize {
        return Err(Error::Data(format!(
            "generate: at most {} businesses",
            u32::MAX
        )));
    }
    fs::create_dir_all(out_dir).at(out_dir)?;
    let business_path = out_dir.join("business.jsonl.gz");
    let review_path = out_dir.join("review.jsonl.gz");
    let truth_path = out_dir.join("truth.json");

    let businesses = build_businesses(opts);
    let mut cumulative = Vec::with_capacity(businesses.len());
    let mut acc = 0.0;
    for b in &businesses {
        acc += b.popularity;
        cumulative.push(acc);
    }
    let ctx = Ctx {
        seed: opts.seed,
        businesses: &businesses,
        cumulative,
        floor_total: opts.reviews.min(businesses.len() * FLOOR),
        n_users: (opts.reviews as u64 / 3).max(10),
    };

    // Reviews: chunks in parallel, written in order.
    let mut counts = vec![0u64; businesses.len()];
    let mut star_sums = vec![0u64; businesses.len()];
    let n_chunks = opts.reviews.div_ceil(CHUNK);
    let mut out = writer::GzChunkWriter::create(&review_path)?;
    let mut next = 0;
    while next < n_chunks {
        let upto = (next + BATCH).min(n_chunks);
        let chunks: Vec<ChunkOut> = (next..upto)
            .into_par_iter()
            .map(|c| generate_chunk(&ctx, c, opts.reviews))
            .collect::<Result<_>>()?;
        for chunk in &chunks {
            out.append(&chunk.deflated)?;
            for &(b, s) in &chunk.stars {
                counts[b as usize] += 1;
                star_sums[b as usize] += u64::from(s);
            }
        }
        next = upto;
    }
    out.finish()?;

    // Businesses, with stars and review counts over their generated reviews.
    let mut buf: Vec<u8> = Vec::with_capacity(businesses.len() * 700);
    for (i, b) in businesses.iter().enumerate() {
        let stars = if counts[i] == 0 {
            0.0
        } else {
            (star_sums[i] as f64 / counts[i] as f64 * 2.0).round() / 2.0
        };
        let line = BusinessLine {
            business_id: &b.id,
            name: &b.name,
            address: &b.address,
            city: b.city,
            state: b.state,
            postal_code: &b.postal_written,
            latitude: b.lat,
            longitude: b.lon,
            stars,
            review_count: counts[i],
            is_open: u8::from(b.is_open),
            attributes: b.attributes.as_ref(),
            categories: b.categories.as_deref(),
            hours: b.hours.as_ref(),
        };
        serde_json::to_writer(&mut buf, &line)
            .map_err(|e| Error::Data(format!("serialising a business: {e}")))?;
        buf.push(b'\n');
    }
    let deflated = writer::deflate_chunk(&buf, 6).at(&business_path)?;
    let mut out = writer::GzChunkWriter::create(&business_path)?;
    out.append(&deflated)?;
    out.finish()?;

    // The truth.
    let truth = Truth {
        seed: opts.seed,
        dishes: DISHES.iter().map(|d| d.name.to_string()).collect(),
        businesses: businesses
            .iter()
            .map(|b| TruthBusiness {
                business_id: b.id.clone(),
                postal_code: b.postal_norm.clone(),
                is_restaurant: !b.menu.is_empty(),
                quality: b
                    .menu
                    .iter()
                    .map(|m| (DISHES[m.dish].name.to_string(), m.quality))
                    .collect(),
            })
            .collect(),
    };
    let file = File::create(&truth_path).at(&truth_path)?;
    let mut w = BufWriter::new(file);
    serde_json::to_writer_pretty(&mut w, &truth)
        .map_err(std::io::Error::from)
        .at(&truth_path)?;
    w.write_all(b"\n").at(&truth_path)?;
    w.flush().at(&truth_path)?;

    let zipcodes = businesses
        .iter()
        .filter(|b| !b.postal_norm.is_empty())
        .map(|b| b.postal_norm.as_str())
        .collect::<HashSet<_>>()
        .len();
    Ok(GenerateReport {
        businesses: businesses.len(),
        reviews: opts.reviews,
        zipcodes,
        business_path,
        review_path,
        truth_path,
    })
}
