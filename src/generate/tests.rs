//! Tests of the generator, on real files in temporary directories.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::sync::OnceLock;

use flate2::read::GzDecoder;
use serde_json::Value;

use super::vocab::{self, DISHES, FOOD, OTHER};
use super::*;

/// Reads every line of a gzip JSON-lines file (with a single-member gzip reader).
fn read_jsonl(path: &Path) -> Vec<Value> {
    let file = File::open(path).expect("open");
    BufReader::new(GzDecoder::new(file))
        .lines()
        .map(|l| serde_json::from_str(&l.expect("line")).expect("valid JSON line"))
        .collect()
}

/// A dataset generated once and shared by the read-only tests.
struct Fixture {
    report: GenerateReport,
    businesses: Vec<Value>,
    reviews: Vec<Value>,
    truth: Truth,
}

const FIXTURE_OPTS: GenerateOptions = GenerateOptions {
    businesses: 2_000,
    reviews: 60_000,
    seed: 42,
};

fn fixture() -> &'static Fixture {
    static FIXTURE: OnceLock<Fixture> = OnceLock::new();
    FIXTURE.get_or_init(|| {
        let dir = tempfile::tempdir().expect("tempdir");
        let report = generate(dir.path(), &FIXTURE_OPTS).expect("generate");
        Fixture {
            businesses: read_jsonl(&report.business_path),
            reviews: read_jsonl(&report.review_path),
            truth: Truth::load(&report.truth_path).expect("load truth"),
            report,
        }
    })
}

fn keys(v: &Value) -> Vec<&str> {
    let mut k: Vec<&str> = v
        .as_object()
        .expect("object")
        .keys()
        .map(String::as_str)
        .collect();
    k.sort_unstable();
    k
}

fn is_yelp_id(v: &Value) -> bool {
    v.as_str().is_some_and(|s| {
        s.len() == 22
            && s.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    })
}

/// Whether `needle` occurs in `hay` as whole words.
fn contains_words(hay: &str, needle: &str) -> bool {
    let mut from = 0;
    while let Some(pos) = hay[from..].find(needle) {
        let start = from + pos;
        let end = start + needle.len();
        let before = hay[..start].chars().next_back();
        let after = hay[end..].chars().next();
        let boundary = |c: Option<char>| c.is_none_or(|c| !c.is_alphanumeric());
        if boundary(before) && boundary(after) {
            return true;
        }
        from = start + needle.len().max(1);
        while !hay.is_char_boundary(from) {
            from += 1;
        }
    }
    false
}

fn mentions(text_lower: &str, dish: usize) -> bool {
    DISHES[dish]
        .forms
        .iter()
        .any(|(f, _)| contains_words(text_lower, &f.to_lowercase()))
}

#[test]
fn default_options() {
    let o = GenerateOptions::default();
    assert_eq!((o.businesses, o.reviews, o.seed), (2_000, 100_000, 42));
}

#[test]
fn same_seed_same_bytes_other_seed_other_bytes() {
    let opts = GenerateOptions {
        businesses: 300,
        reviews: 9_000,
        seed: 5,
    };
    let a = tempfile::tempdir().expect("tempdir");
    let b = tempfile::tempdir().expect("tempdir");
    let c = tempfile::tempdir().expect("tempdir");
    generate(a.path(), &opts).expect("generate a");
    // A different thread count must not change a byte.
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(3)
        .build()
        .expect("pool");
    pool.install(|| generate(b.path(), &opts))
        .expect("generate b");
    generate(
        c.path(),
        &GenerateOptions {
            seed: 6,
            ..opts.clone()
        },
    )
    .expect("generate c");
    for name in ["business.jsonl.gz", "review.jsonl.gz", "truth.json"] {
        let fa = fs::read(a.path().join(name)).expect("read");
        let fb = fs::read(b.path().join(name)).expect("read");
        let fc = fs::read(c.path().join(name)).expect("read");
        assert!(fa == fb, "{name} differs for the same seed");
        assert!(fa != fc, "{name} is the same for another seed");
    }
}

#[test]
fn business_lines_have_the_yelp_schema() {
    let f = fixture();
    assert_eq!(f.businesses.len(), f.report.businesses);
    let expected = {
        let mut k = vec![
            "business_id",
            "name",
            "address",
            "city",
            "state",
            "postal_code",
            "latitude",
            "longitude",
            "stars",
            "review_count",
            "is_open",
            "attributes",
            "categories",
            "hours",
        ];
        k.sort_unstable();
        k
    };
    let (mut null_attrs, mut null_cats, mut null_hours, mut closed) = (0, 0, 0, 0);
    for b in &f.businesses {
        assert_eq!(keys(b), expected, "{b}");
        assert!(is_yelp_id(&b["business_id"]), "{b}");
        for k in ["name", "address", "city", "state", "postal_code"] {
            assert!(b[k].is_string(), "{k} in {b}");
        }
        assert!(!b["name"].as_str().unwrap_or_default().is_empty());
        let lat = b["latitude"].as_f64().expect("latitude");
        let lon = b["longitude"].as_f64().expect("longitude");
        assert!(
            (25.0..60.0).contains(&lat) && (-125.0..-70.0).contains(&lon),
            "{b}"
        );
        assert!(b["stars"].is_f64(), "stars is a float: {b}");
        let stars = b["stars"].as_f64().unwrap_or_default();
        assert!(
            (1.0..=5.0).contains(&stars) && (stars * 2.0).fract() == 0.0,
            "{b}"
        );
        assert!(b["review_count"].is_u64(), "{b}");
        let open = b["is_open"].as_u64().expect("is_open");
        assert!(open <= 1);
        closed += usize::from(open == 0);
        match &b["attributes"] {
            Value::Null => null_attrs += 1,
            Value::Object(m) => assert!(m.values().all(Value::is_string), "{b}"),
            other => panic!("attributes {other}"),
        }
        match &b["categories"] {
            Value::Null => null_cats += 1,
            Value::String(s) => assert!(!s.is_empty()),
            other => panic!("categories {other}"),
        }
        match &b["hours"] {
            Value::Null => null_hours += 1,
            Value::Object(m) => {
                for (day, h) in m {
                    assert!([
                        "Monday",
                        "Tuesday",
                        "Wednesday",
                        "Thursday",
                        "Friday",
                        "Saturday",
                        "Sunday"
                    ]
                    .contains(&day.as_str()));
                    let h = h.as_str().expect("hours string");
                    let ok = h.split('-').count() == 2
                        && h.split('-').all(|t| {
                            let mut p = t.split(':');
                            let hh = p.next().and_then(|x| x.parse::<u32>().ok());
                            let mm = p.next().and_then(|x| x.parse::<u32>().ok());
                            matches!((hh, mm), (Some(hh), Some(mm)) if hh < 24 && mm < 60)
                        });
                    assert!(ok, "hours {h}");
                }
            }
            other => panic!("hours {other}"),
        }
    }
    assert!(
        null_attrs > 0 && null_cats > 0 && null_hours > 0,
        "null quirks present"
    );
    assert!(
        closed > 0 && closed < f.businesses.len() / 4,
        "a few closed: {closed}"
    );
    // Python-repr attribute strings.
    let attrs: Vec<&str> = f
        .businesses
        .iter()
        .filter_map(|b| b["attributes"].as_object())
        .flat_map(|m| m.values().filter_map(Value::as_str))
        .collect();
    assert!(attrs.iter().any(|v| v.starts_with("u'")));
    assert!(attrs.iter().any(|v| v.starts_with("{'garage': ")));
}

#[test]
fn review_lines_have_the_yelp_schema() {
    let f = fixture();
    assert_eq!(f.reviews.len(), f.report.reviews);
    let expected = {
        let mut k = vec![
            "review_id",
            "user_id",
            "business_id",
            "stars",
            "useful",
            "funny",
            "cool",
            "text",
            "date",
        ];
        k.sort_unstable();
        k
    };
    let business_ids: HashSet<&str> = f
        .businesses
        .iter()
        .filter_map(|b| b["business_id"].as_str())
        .collect();
    let mut review_ids = HashSet::new();
    let mut users = HashMap::new();
    for r in &f.reviews {
        assert_eq!(keys(r), expected, "{r}");
        assert!(
            is_yelp_id(&r["review_id"]) && is_yelp_id(&r["user_id"]),
            "{r}"
        );
        assert!(review_ids.insert(r["review_id"].as_str().unwrap_or_default()));
        *users
            .entry(r["user_id"].as_str().unwrap_or_default())
            .or_insert(0) += 1;
        assert!(business_ids.contains(r["business_id"].as_str().unwrap_or_default()));
        assert!(r["stars"].is_f64(), "stars is a float: {r}");
        let s = r["stars"].as_f64().unwrap_or_default();
        assert!([1.0, 2.0, 3.0, 4.0, 5.0].contains(&s));
        for k in ["useful", "funny", "cool"] {
            assert!(r[k].is_u64(), "{k}: {r}");
        }
        assert!(!r["text"].as_str().unwrap_or_default().is_empty());
    }
    // Some users write many reviews, most write few.
    let max_user = users.values().copied().max().unwrap_or(0);
    assert!(
        max_user >= 20 && users.len() > 1_000,
        "users: {} max {max_user}",
        users.len()
    );
}

/// Parses "YYYY-MM-DD HH:MM:SS" into a day number and seconds, validating the calendar.
fn parse_date(s: &str) -> Option<(i64, u32)> {
    let (date, time) = s.split_once(' ')?;
    let d: Vec<i64> = date
        .split('-')
        .map(|x| x.parse().ok())
        .collect::<Option<_>>()?;
    let t: Vec<u32> = time
        .split(':')
        .map(|x| x.parse().ok())
        .collect::<Option<_>>()?;
    if d.len() != 3 || t.len() != 3 || date.len() != 10 || time.len() != 8 {
        return None;
    }
    let day = days_from_civil(d[0], d[1], d[2]);
    if civil_from_days(day) != (d[0], d[1], d[2]) || t[0] > 23 || t[1] > 59 || t[2] > 59 {
        return None;
    }
    Some((day, t[0] * 3600 + t[1] * 60 + t[2]))
}

#[test]
fn dates_are_valid_spread_and_unsorted() {
    let f = fixture();
    let dates: Vec<(i64, u32)> = f
        .reviews
        .iter()
        .map(|r| {
            let s = r["date"].as_str().expect("date");
            parse_date(s).unwrap_or_else(|| panic!("bad date {s}"))
        })
        .collect();
    assert!(dates
        .iter()
        .all(|&(d, _)| d >= data_start() && d <= data_end()));
    assert!(dates.windows(2).any(|w| w[0] > w[1]), "not in date order");
    let years: HashSet<i64> = dates.iter().map(|&(d, _)| civil_from_days(d).0).collect();
    for y in 2008..=2022 {
        assert!(years.contains(&y), "no review in {y}");
    }
    // Leap days are fine.
    assert!(parse_date("2016-02-29 10:00:00").is_some());
    assert!(parse_date("2015-02-29 10:00:00").is_none());
}

#[test]
fn review_count_and_stars_are_computed_over_the_reviews() {
    let f = fixture();
    let mut per: HashMap<&str, (u64, f64)> = HashMap::new();
    for r in &f.reviews {
        let e = per
            .entry(r["business_id"].as_str().unwrap_or_default())
            .or_default();
        e.0 += 1;
        e.1 += r["stars"].as_f64().unwrap_or_default();
    }
    let mut counts = Vec::new();
    for b in &f.businesses {
        let id = b["business_id"].as_str().unwrap_or_default();
        let (n, sum) = per.get(id).copied().unwrap_or_default();
        assert_eq!(b["review_count"].as_u64(), Some(n), "{id}");
        assert!(n >= FLOOR as u64, "every business has a few reviews");
        let stars = (sum / n as f64 * 2.0).round() / 2.0;
        assert_eq!(b["stars"].as_f64(), Some(stars), "{id}");
        counts.push(n);
    }
    // Heavy-tailed popularity.
    counts.sort_unstable();
    let median = counts[counts.len() / 2];
    let max = counts[counts.len() - 1];
    assert!(max >= 8 * median, "max {max} median {median}");
}

#[test]
fn stars_are_j_shaped() {
    let f = fixture();
    let mut hist = [0usize; 6];
    for r in &f.reviews {
        hist[r["stars"].as_f64().unwrap_or_default() as usize] += 1;
    }
    let n = f.reviews.len() as f64;
    let share: Vec<f64> = hist.iter().map(|&h| h as f64 / n).collect();
    assert!(share[5] > share[4] && share[4] > share[3], "{share:?}");
    assert!(share[1] > share[2], "{share:?}");
    assert!(share[5] > 0.3 && share[1] > 0.07, "{share:?}");
}

#[test]
fn postal_codes_have_quirks_and_normalise_to_the_truth() {
    let f = fixture();
    assert_eq!(f.truth.businesses.len(), f.businesses.len());
    let (mut plus4, mut compact_ca, mut lower_ca, mut empty, mut spaced_ca) = (0, 0, 0, 0, 0);
    for (b, t) in f.businesses.iter().zip(&f.truth.businesses) {
        assert_eq!(b["business_id"].as_str(), Some(t.business_id.as_str()));
        let raw = b["postal_code"].as_str().unwrap_or_default();
        assert_eq!(normalize_postal_code(raw), t.postal_code, "{raw}");
        if raw.is_empty() {
            empty += 1;
        } else if raw.len() == 10 && raw.as_bytes()[5] == b'-' {
            plus4 += 1;
        } else if raw.len() == 6 && raw.chars().any(|c| c.is_ascii_lowercase()) {
            lower_ca += 1;
        } else if raw.len() == 6 && raw.chars().any(|c| c.is_ascii_alphabetic()) {
            compact_ca += 1;
        } else if raw.len() == 7 && raw.as_bytes()[3] == b' ' {
            spaced_ca += 1;
        }
        if !t.postal_code.is_empty() {
            let p = &t.postal_code;
            let us = p.len() == 5 && p.bytes().all(|c| c.is_ascii_digit());
            let ca = p.len() == 7 && normalize_postal_code(p) == *p && p.as_bytes()[3] == b' ';
            assert!(us || ca, "normalised form {p}");
        }
    }
    assert!(plus4 > 0 && compact_ca > 0 && lower_ca > 0 && empty > 0 && spaced_ca > 0);
    let zips: HashSet<&str> = f
        .truth
        .businesses
        .iter()
        .filter(|b| !b.postal_code.is_empty())
        .map(|b| b.postal_code.as_str())
        .collect();
    assert_eq!(zips.len(), f.report.zipcodes);
    assert_eq!(f.report.zipcodes, 16, "2000 businesses / 125");
    for z in ["61820", "19103", "T6E 1Z9", "08002"] {
        assert!(zips.contains(z), "{z}");
    }
    // Zip sizes vary: the biggest is about 3x the smallest.
    let mut sizes: HashMap<&str, usize> = HashMap::new();
    for b in &f.truth.businesses {
        *sizes.entry(b.postal_code.as_str()).or_default() += 1;
    }
    sizes.remove("");
    let (min, max) = (
        sizes.values().copied().min().unwrap_or(0),
        sizes.values().copied().max().unwrap_or(0),
    );
    assert!(max >= 2 * min, "sizes {min}..{max}");
    assert_eq!(
        sizes.iter().max_by_key(|(_, &n)| n).map(|(z, _)| *z),
        Some("61820")
    );
    // Several cities and states, US and Canada.
    let states: HashSet<&str> = f
        .businesses
        .iter()
        .filter_map(|b| b["state"].as_str())
        .collect();
    assert!(states.len() >= 10 && states.contains("AB"), "{states:?}");
}

#[test]
fn normalize_postal_code_cases() {
    assert_eq!(normalize_postal_code("61820"), "61820");
    assert_eq!(normalize_postal_code("61820-1234"), "61820");
    assert_eq!(normalize_postal_code(" 08002 "), "08002");
    assert_eq!(normalize_postal_code("T6E 1Z9"), "T6E 1Z9");
    assert_eq!(normalize_postal_code("t6e1z9"), "T6E 1Z9");
    assert_eq!(normalize_postal_code("T6E1Z9"), "T6E 1Z9");
    assert_eq!(normalize_postal_code("t6e 1z9"), "T6E 1Z9");
    assert_eq!(normalize_postal_code(""), "");
}

#[test]
fn truth_round_trips_and_answers_best_for() {
    let f = fixture();
    let json = serde_json::to_string(&f.truth).expect("serialise");
    let back: Truth = serde_json::from_str(&json).expect("parse");
    assert_eq!(back, f.truth);
    assert_eq!(f.truth.seed, 42);
    assert!(f.truth.dishes.len() >= 60);
    let restaurants = f
        .truth
        .businesses
        .iter()
        .filter(|b| b.is_restaurant)
        .count();
    let share = restaurants as f64 / f.truth.businesses.len() as f64;
    assert!((0.85..0.95).contains(&share), "restaurants {share}");
    for b in &f.truth.businesses {
        assert_eq!(b.is_restaurant, !b.quality.is_empty());
        assert!(b.quality.values().all(|q| (0.0..=1.0).contains(q)));
        assert!(b.quality.keys().all(|d| f.truth.dishes.contains(d)));
    }

    let best = f
        .truth
        .best_for("61820", "pasta")
        .expect("someone serves pasta in 61820");
    let top = f
        .truth
        .businesses
        .iter()
        .filter(|b| b.postal_code == "61820")
        .filter_map(|b| b.quality.get("pasta"))
        .fold(f32::MIN, |a, &q| a.max(q));
    assert_eq!(best.quality["pasta"], top);
    assert_eq!(
        f.truth
            .best_for("61820-9999", "Pasta")
            .map(|b| &b.business_id),
        Some(&best.business_id)
    );
    assert!(f.truth.best_for("t6e1z9", "coffee").is_some());
    assert!(f.truth.best_for("61820", "unobtainium").is_none());
    assert!(f.truth.best_for("99999", "pasta").is_none());
    assert!(f.truth.best_for("", "pasta").is_none());
}

#[test]
fn truth_load_reads_the_file_and_reports_errors() {
    let f = fixture();
    // The fixture was loaded from disk; here the errors.
    let dir = tempfile::tempdir().expect("tempdir");
    let missing = dir.path().join("nope.json");
    match Truth::load(&missing) {
        Err(Error::Io { path, .. }) => assert_eq!(path, missing),
        other => panic!("expected Io, got {other:?}"),
    }
    let bad = dir.path().join("bad.json");
    fs::write(&bad, b"{not json").expect("write");
    assert!(matches!(Truth::load(&bad), Err(Error::Data(_))));
    assert!(!f.truth.businesses.is_empty());
}

#[test]
fn generate_reports_bad_options_and_io_errors() {
    let dir = tempfile::tempdir().expect("tempdir");
    let opts = GenerateOptions {
        businesses: 0,
        reviews: 10,
        seed: 1,
    };
    assert!(matches!(generate(dir.path(), &opts), Err(Error::Data(_))));
    // out_dir below a regular file cannot be created.
    let file = dir.path().join("file");
    fs::write(&file, b"x").expect("write");
    let out = file.join("sub");
    let opts = GenerateOptions {
        businesses: 5,
        reviews: 10,
        seed: 1,
    };
    match generate(&out, &opts) {
        Err(Error::Io { path, .. }) => assert_eq!(path, out),
        other => panic!("expected Io, got {other:?}"),
    }
}

#[test]
fn tiny_datasets_work() {
    let dir = tempfile::tempdir().expect("tempdir");
    for (businesses, reviews) in [(1, 0), (1, 1), (2, 1), (7, 30)] {
        let opts = GenerateOptions {
            businesses,
            reviews,
            seed: 3,
        };
        let r = generate(dir.path(), &opts).expect("generate");
        assert_eq!(read_jsonl(&r.business_path).len(), businesses);
        assert_eq!(read_jsonl(&r.review_path).len(), reviews);
        assert!(r.zipcodes >= 1 && r.zipcodes <= 3);
        assert_eq!(
            Truth::load(&r.truth_path).expect("truth").businesses.len(),
            businesses
        );
    }
}

#[test]
fn review_text_has_the_quirks() {
    let f = fixture();
    let texts: Vec<&str> = f
        .reviews
        .iter()
        .filter_map(|r| r["text"].as_str())
        .collect();
    assert!(texts.iter().any(|t| t.contains('\n')), "newlines");
    for s in ["crème brûlée", "crêpes", "jalapeño", "café", "phở"] {
        assert!(texts.iter().any(|t| t.to_lowercase().contains(s)), "{s}");
    }
    assert!(
        texts.iter().any(|t| t.chars().any(|c| c as u32 >= 0x1F300)),
        "emoji"
    );
    let negations = [
        "was not good",
        "wasn't anything special",
        "never had better",
    ];
    for n in negations {
        assert!(texts.iter().any(|t| t.to_lowercase().contains(n)), "{n}");
    }
    assert!(texts.iter().any(|t| t.contains("I wish they had")));
    assert!(texts.iter().any(|t| t.contains(" but ")));
    // Varied: many distinct sentences openings.
    let distinct: HashSet<String> = texts.iter().map(|t| t.chars().take(25).collect()).collect();
    assert!(distinct.len() > 2_000, "{}", distinct.len());
}

/// For (zip, dish) pairs with a clear planted gap, the best business by truth has better
/// stars on reviews mentioning the dish, and more positive words in the sentences naming it,
/// than the worst.
#[test]
fn text_and_stars_carry_the_planted_signal() {
    let f = fixture();
    let index: HashMap<&str, usize> = f
        .truth
        .businesses
        .iter()
        .enumerate()
        .map(|(i, b)| (b.business_id.as_str(), i))
        .collect();
    let mut texts: Vec<Vec<(String, f64)>> = vec![Vec::new(); f.truth.businesses.len()];
    for r in &f.reviews {
        let i = index[r["business_id"].as_str().unwrap_or_default()];
        texts[i].push((
            r["text"].as_str().unwrap_or_default().to_lowercase(),
            r["stars"].as_f64().unwrap_or_default(),
        ));
    }
    let positive = [
        "amazing",
        "incredible",
        "outstanding",
        "delicious",
        "tasty",
        "great",
        "perfect",
        "fantastic",
        "excellent",
        "never had better",
        "best",
    ];
    let negative = [
        "bland",
        "disappointing",
        "awful",
        "terrible",
        "not good",
        "mediocre",
        "worst",
        "underwhelming",
        "gross",
        "soggy",
    ];

    // Per (zip, dish): businesses serving it with enough mentioning reviews.
    struct Stat {
        quality: f32,
        mean_stars: f64,
        sentence_score: f64,
    }
    let mut pairs: BTreeMap<(String, String), Vec<Stat>> = BTreeMap::new();
    for (i, b) in f.truth.businesses.iter().enumerate() {
        if b.postal_code.is_empty() {
            continue;
        }
        for (dish, &quality) in &b.quality {
            let d = vocab::dish_index(dish).expect("known dish");
            let forms: Vec<String> = DISHES[d]
                .forms
                .iter()
                .map(|(f, _)| f.to_lowercase())
                .collect();
            let mut stars = Vec::new();
            let mut score = 0.0;
            let mut sentences = 0usize;
            for (t, s) in &texts[i] {
                if !mentions(t, d) {
                    continue;
                }
                stars.push(*s);
                for sentence in t.split(['.', '!', '?', ';']) {
                    if forms.iter().any(|f| contains_words(sentence, f)) {
                        sentences += 1;
                        score += positive.iter().filter(|w| sentence.contains(*w)).count() as f64;
                        score -= negative.iter().filter(|w| sentence.contains(*w)).count() as f64;
                    }
                }
            }
            if stars.len() >= 12 {
                pairs
                    .entry((b.postal_code.clone(), dish.clone()))
                    .or_default()
                    .push(Stat {
                        quality,
                        mean_stars: stars.iter().sum::<f64>() / stars.len() as f64,
                        sentence_score: score / sentences.max(1) as f64,
                    });
            }
        }
    }
    let mut chosen: Vec<(f32, String, String, f64, f64, f64, f64)> = pairs
        .into_iter()
        .filter(|(_, v)| v.len() >= 3)
        .filter_map(|((zip, dish), v)| {
            let best = v.iter().max_by(|a, b| a.quality.total_cmp(&b.quality))?;
            let worst = v.iter().min_by(|a, b| a.quality.total_cmp(&b.quality))?;
            Some((
                best.quality - worst.quality,
                zip,
                dish,
                best.mean_stars,
                worst.mean_stars,
                best.sentence_score,
                worst.sentence_score,
            ))
        })
        .filter(|c| c.0 >= 0.3)
        .collect();
    chosen.sort_by(|a, b| b.0.total_cmp(&a.0));
    chosen.truncate(10);
    assert!(chosen.len() >= 5, "enough clear pairs: {}", chosen.len());
    for (gap, zip, dish, best_stars, worst_stars, best_score, worst_score) in &chosen {
        eprintln!("({zip}, {dish}) gap {gap:.2}: stars {best_stars:.2} vs {worst_stars:.2}, sentence score {best_score:.2} vs {worst_score:.2}");
        assert!(
            best_stars > worst_stars,
            "({zip}, {dish}) gap {gap}: stars {best_stars} vs {worst_stars}"
        );
        assert!(
            best_score > worst_score,
            "({zip}, {dish}) gap {gap}: sentence score {best_score} vs {worst_score}"
        );
    }
}

#[test]
fn closed_businesses_stop_getting_reviews() {
    let f = fixture();
    let hidden = build_businesses(&FIXTURE_OPTS);
    let last: HashMap<&str, i64> = hidden.iter().map(|b| (b.id.as_str(), b.last_day)).collect();
    let mut checked = 0;
    for r in &f.reviews {
        let id = r["business_id"].as_str().unwrap_or_default();
        let (day, _) = parse_date(r["date"].as_str().unwrap_or_default()).expect("date");
        assert!(day <= last[id], "{id} reviewed after closing");
        checked += 1;
    }
    assert_eq!(checked, f.reviews.len());
    let closed: Vec<&Biz> = hidden.iter().filter(|b| !b.is_open).collect();
    assert!(!closed.is_empty() && closed.iter().all(|b| b.last_day < data_end()));
    // And the business file says so.
    for (b, line) in hidden.iter().zip(&f.businesses) {
        assert_eq!(line["is_open"].as_u64(), Some(u64::from(b.is_open)));
    }
}

#[test]
fn vocabulary_is_complete_and_unambiguous() {
    assert!(DISHES.len() >= 60);
    let required = [
        "pizza",
        "pasta",
        "sushi",
        "tacos",
        "burger",
        "ramen",
        "pho",
        "coffee",
        "bagel",
        "brunch",
        "wings",
        "bbq",
        "steak",
        "salad",
        "curry",
        "dumplings",
        "sandwich",
        "burrito",
        "noodles",
        "fried chicken",
        "ice cream",
        "donuts",
        "pancakes",
        "cocktails",
        "beer",
        "wine",
        "seafood",
        "oysters",
        "lobster",
        "shrimp",
        "salmon",
        "fries",
        "milkshake",
        "cheesecake",
        "tea",
        "boba",
        "soup",
        "nachos",
        "gyro",
        "falafel",
        "hummus",
        "pad thai",
        "fried rice",
        "dim sum",
        "lasagna",
        "gnocchi",
        "risotto",
        "meatballs",
        "waffles",
        "crepes",
        "croissant",
        "espresso",
        "latte",
        "crème brûlée",
        "deep dish",
        "patio",
        "happy hour",
        "gluten free",
    ];
    for r in required {
        assert!(vocab::dish_index(r).is_some(), "{r}");
    }
    let names: HashSet<&str> = DISHES.iter().map(|d| d.name).collect();
    assert_eq!(names.len(), DISHES.len(), "unique names");
    // No surface form of one dish names another dish.
    for (i, a) in DISHES.iter().enumerate() {
        for (j, b) in DISHES.iter().enumerate() {
            if i == j {
                continue;
            }
            for (form, _) in a.forms {
                let lower = form.to_lowercase();
                for (other, _) in b.forms {
                    assert!(
                        !contains_words(&lower, &other.to_lowercase()),
                        "{form} ({}) contains {other} ({})",
                        a.name,
                        b.name
                    );
                }
            }
        }
    }
    // Every archetype's dishes exist; every table is non-empty.
    for a in FOOD.iter().chain(OTHER) {
        assert!(!a.categories.is_empty() && !a.names.is_empty() && !a.words.is_empty());
        assert!(!a.staff.is_empty() && !a.price.is_empty(), "{}", a.key);
        for (_, implied) in a.categories {
            for d in *implied {
                assert!(vocab::dish_index(d).is_some(), "{} implies {d}", a.key);
            }
        }
        for d in a.core.iter().chain(a.extra) {
            assert!(vocab::dish_index(d).is_some(), "{} serves {d}", a.key);
        }
    }
    for a in FOOD {
        assert!(!a.core.is_empty(), "{}", a.key);
    }
    for a in OTHER {
        assert!(!a.things.is_empty(), "{}", a.key);
    }
    // Sentences that must not judge dishes do not name any.
    for s in text::dish_free_sentences() {
        let lower = s.to_lowercase();
        for d in DISHES {
            for (form, _) in d.forms {
                assert!(
                    !contains_words(&lower, &form.to_lowercase()),
                    "{s:?} names {form}"
                );
            }
        }
    }
    // Dish templates all name their dish.
    for t in text::dish_templates() {
        assert!(
            t.contains("{the}") || t.contains("{d}") || t.contains("{A}") || t.contains("{dA}"),
            "{t}"
        );
    }
    assert_eq!(vocab::lookup_dish("Crêpes"), vocab::dish_index("crepes"));
    assert_eq!(
        vocab::lookup_dish("creme brulee"),
        vocab::dish_index("crème brûlée")
    );
}

#[test]
fn gzip_stitching_round_trips() {
    use std::io::Read;
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("x.gz");
    let parts: Vec<Vec<u8>> = vec![
        b"hello ".repeat(10_000),
        Vec::new(),
        (0..200_000u32).flat_map(|i| i.to_le_bytes()).collect(),
        "crème brûlée 🍮\n".as_bytes().to_vec(),
    ];
    let mut w = writer::GzChunkWriter::create(&path).expect("create");
    for p in &parts {
        w.append(&writer::deflate_chunk(p, 1).expect("deflate"))
            .expect("append");
    }
    w.finish().expect("finish");
    let mut out = Vec::new();
    GzDecoder::new(File::open(&path).expect("open"))
        .read_to_end(&mut out)
        .expect("single-member gzip decodes");
    assert_eq!(out, parts.concat());
}

/// Sentences that name a dish without judging it are independent of the stars.
#[test]
fn distractor_mentions_are_uncorrelated_with_stars() {
    let f = fixture();
    let markers = [
        "I wish they had",
        "swears by the",
        "were debating between",
        "Next time I want to try",
        "They don't serve",
        "is known for its",
        "They also have",
        "Didn't get a chance to try",
    ];
    let restaurant: HashSet<&str> = f
        .truth
        .businesses
        .iter()
        .filter(|b| b.is_restaurant)
        .map(|b| b.business_id.as_str())
        .collect();
    let (mut with, mut without) = ((0.0, 0usize), (0.0, 0usize));
    for r in &f.reviews {
        if !restaurant.contains(r["business_id"].as_str().unwrap_or_default()) {
            continue;
        }
        let text = r["text"].as_str().unwrap_or_default();
        let stars = r["stars"].as_f64().unwrap_or_default();
        let slot = if markers.iter().any(|m| text.contains(m)) {
            &mut with
        } else {
            &mut without
        };
        slot.0 += stars;
        slot.1 += 1;
    }
    assert!(
        with.1 > 5_000 && without.1 > 5_000,
        "{} {}",
        with.1,
        without.1
    );
    let (a, b) = (with.0 / with.1 as f64, without.0 / without.1 as f64);
    assert!(
        (a - b).abs() < 0.08,
        "mean stars {a} with distractors, {b} without"
    );
}

/// Planted champions make clear (zip, dish) targets common, including for everyday dishes.
#[test]
fn clear_local_champions_exist() {
    let f = fixture();
    let mut groups: BTreeMap<(&str, &str), Vec<f32>> = BTreeMap::new();
    for b in f
        .truth
        .businesses
        .iter()
        .filter(|b| !b.postal_code.is_empty())
    {
        for (d, &q) in &b.quality {
            groups
                .entry((b.postal_code.as_str(), d.as_str()))
                .or_default()
                .push(q);
        }
    }
    let (mut eligible, mut clear, mut common_clear) = (0, 0, 0);
    let common = [
        "pizza", "pasta", "sushi", "tacos", "burger", "ramen", "coffee", "salad",
    ];
    for ((_, dish), mut q) in groups {
        if q.len() < 3 {
            continue;
        }
        eligible += 1;
        q.sort_by(|a, b| b.total_cmp(a));
        if q[0] - q[1] > 0.15 {
            clear += 1;
            common_clear += usize::from(common.contains(&dish));
        }
    }
    assert!(clear * 3 >= eligible, "{clear} clear of {eligible}");
    assert!(common_clear >= 20, "{common_clear}");
}
