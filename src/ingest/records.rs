//! The two Yelp record types and their validation.
//!
//! Parsing is typed and borrowing on the fast path; only a line that fails is parsed a
//! second time, loosely, to say which field is wrong.

use std::borrow::Cow;

use serde::{Deserialize, Serialize};

use super::attributes::Offer;
use super::postal::{looks_like_postal_code, normalize_postal_code};
use crate::date::Day;

/// A business of `business.json`, as kept in the index's business table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Business {
    /// Yelp's business id.
    pub business_id: String,
    /// Display name.
    pub name: String,
    /// Street address (may be empty).
    pub address: String,
    /// City.
    pub city: String,
    /// State or province.
    pub state: String,
    /// Normalised postal code (`""` when Yelp has none).
    pub postal_code: String,
    /// Latitude, when known.
    pub latitude: Option<f64>,
    /// Longitude, when known.
    pub longitude: Option<f64>,
    /// Yelp's star rating (over all reviews, as shipped).
    pub stars: f32,
    /// Yelp's review count (over all reviews, as shipped).
    pub review_count: u32,
    /// Whether the business is open.
    pub is_open: bool,
    /// Categories, as Yelp's comma-separated string split into items.
    pub categories: Vec<String>,
    /// Price range, amenities and opening hours (from `attributes` and `hours`).
    #[serde(default)]
    pub offer: Offer,
}

/// A review of `review.json`, validated.
#[derive(Debug, Clone, PartialEq)]
pub struct Review {
    /// Yelp's review id.
    pub review_id: String,
    /// The reviewed business.
    pub business_id: String,
    /// Stars, 1 to 5.
    pub stars: u8,
    /// Useful votes.
    pub useful: u32,
    /// The day of the review.
    pub day: Day,
    /// The review text.
    pub text: String,
}

/// Why a line was rejected: a summary category and a detailed reason.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rejection {
    /// Short category for the summary ("not JSON", "missing field", ...).
    pub category: &'static str,
    /// The full reason for this line.
    pub reason: String,
}

impl Rejection {
    fn new(category: &'static str, reason: impl Into<String>) -> Self {
        Rejection {
            category,
            reason: reason.into(),
        }
    }
}

#[derive(Deserialize)]
struct RawBusiness<'a> {
    #[serde(borrow)]
    business_id: Cow<'a, str>,
    #[serde(borrow)]
    name: Cow<'a, str>,
    #[serde(borrow, default)]
    address: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    city: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    state: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    postal_code: Option<Cow<'a, str>>,
    #[serde(default)]
    latitude: Option<f64>,
    #[serde(default)]
    longitude: Option<f64>,
    #[serde(default)]
    stars: Option<f64>,
    #[serde(default)]
    review_count: Option<u64>,
    #[serde(default)]
    is_open: Option<u8>,
    /// The old schema's `is_open`.
    #[serde(default)]
    open: Option<bool>,
    /// The old schema's address: street lines, then "City, ST 12345".
    #[serde(borrow, default)]
    full_address: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    categories: Option<Categories<'a>>,
    #[serde(default)]
    attributes: Option<serde_json::Value>,
    #[serde(default)]
    hours: Option<serde_json::Value>,
}

/// A business's `categories`: Yelp's comma-separated string, or the old schema's list.
enum Categories<'a> {
    Text(Cow<'a, str>),
    List(Vec<String>),
}

impl Categories<'_> {
    fn items(&self) -> Vec<String> {
        let keep = |x: &str| {
            let t = x.trim();
            (!t.is_empty()).then(|| t.to_string())
        };
        match self {
            Categories::Text(t) => t.split(',').filter_map(keep).collect(),
            Categories::List(l) => l.iter().filter_map(|x| keep(x)).collect(),
        }
    }
}

impl<'de: 'a, 'a> Deserialize<'de> for Categories<'a> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> serde::de::Visitor<'de> for V {
            type Value = Categories<'de>;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a comma-separated string or a list of strings")
            }
            fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Self::Value, E> {
                Ok(Categories::Text(Cow::Borrowed(v)))
            }
            fn visit_str<E>(self, v: &str) -> Result<Self::Value, E> {
                Ok(Categories::Text(Cow::Owned(v.to_string())))
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(
                self,
                mut seq: A,
            ) -> Result<Self::Value, A::Error> {
                let mut out = Vec::new();
                while let Some(x) = seq.next_element::<String>()? {
                    out.push(x);
                }
                Ok(Categories::List(out))
            }
        }
        d.deserialize_any(V)
    }
}

/// The postal code at the end of an old-schema `full_address` ("Boston, MA 02110",
/// "Calgary, AB T2P 1J9"), when its last line ends in one; nothing is guessed.
fn postal_of_full_address(full: &str) -> Option<String> {
    let last = full.lines().map(str::trim).rfind(|l| !l.is_empty())?;
    let tokens: Vec<&str> = last.split_whitespace().collect();
    let n = tokens.len();
    let candidates = [
        (n >= 2).then(|| format!("{} {}", tokens[n - 2], tokens[n - 1])),
        tokens.last().map(|t| t.to_string()),
    ];
    candidates
        .into_iter()
        .flatten()
        .find(|c| looks_like_postal_code(c))
        .and_then(|c| normalize_postal_code(&c))
}

#[derive(Deserialize)]
struct RawReview<'a> {
    #[serde(borrow)]
    review_id: Cow<'a, str>,
    #[serde(borrow)]
    business_id: Cow<'a, str>,
    stars: f64,
    #[serde(default)]
    useful: Option<i64>,
    #[serde(borrow)]
    text: Cow<'a, str>,
    #[serde(borrow)]
    date: RawDate<'a>,
}

/// A review's `date` as written: a string (Yelp's form, ISO-8601 or digits), or a
/// number (epoch seconds or milliseconds, as many exports of the Yelp files store it).
#[derive(Debug)]
enum RawDate<'a> {
    Text(Cow<'a, str>),
    Number(f64),
}

impl RawDate<'_> {
    fn day(&self) -> Option<Day> {
        match self {
            RawDate::Text(s) => Day::parse_review_date(s),
            RawDate::Number(n) => Day::from_epoch(*n),
        }
    }
}

impl<'de: 'a, 'a> Deserialize<'de> for RawDate<'a> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> serde::de::Visitor<'de> for V {
            type Value = RawDate<'de>;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a date string or an epoch number")
            }
            fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Self::Value, E> {
                Ok(RawDate::Text(Cow::Borrowed(v)))
            }
            fn visit_str<E>(self, v: &str) -> Result<Self::Value, E> {
                Ok(RawDate::Text(Cow::Owned(v.to_string())))
            }
            fn visit_u64<E>(self, v: u64) -> Result<Self::Value, E> {
                Ok(RawDate::Number(v as f64))
            }
            fn visit_i64<E>(self, v: i64) -> Result<Self::Value, E> {
                Ok(RawDate::Number(v as f64))
            }
            fn visit_f64<E>(self, v: f64) -> Result<Self::Value, E> {
                Ok(RawDate::Number(v))
            }
        }
        d.deserialize_any(V)
    }
}

const BUSINESS_TYPES: &[(&str, Kind, bool)] = &[
    ("business_id", Kind::Str, true),
    ("name", Kind::Str, true),
    ("address", Kind::Str, false),
    ("city", Kind::Str, false),
    ("state", Kind::Str, false),
    ("postal_code", Kind::Str, false),
    ("latitude", Kind::Num, false),
    ("longitude", Kind::Num, false),
    ("stars", Kind::Num, false),
    ("review_count", Kind::Int, false),
    ("is_open", Kind::Int, false),
    ("categories", Kind::StrOrList, false),
    ("full_address", Kind::Str, false),
];

const REVIEW_TYPES: &[(&str, Kind, bool)] = &[
    ("review_id", Kind::Str, true),
    ("business_id", Kind::Str, true),
    ("stars", Kind::Num, true),
    ("useful", Kind::Int, false),
    ("text", Kind::Str, true),
    ("date", Kind::StrOrNum, true),
];

#[derive(Clone, Copy)]
enum Kind {
    Str,
    StrOrNum,
    StrOrList,
    Num,
    Int,
}

/// Says precisely what is wrong with a line that failed typed parsing.
fn diagnose(text: &str, fields: &[(&str, Kind, bool)], err: &serde_json::Error) -> Rejection {
    let value: serde_json::Value = match serde_json::from_str(text) {
        Ok(v) => v,
        Err(e) => return Rejection::new("not JSON", format!("not JSON ({e})")),
    };
    let Some(obj) = value.as_object() else {
        return Rejection::new("not a JSON object", "not a JSON object");
    };
    for (name, kind, required) in fields {
        match obj.get(*name) {
            None if *required => {
                return Rejection::new("missing field", format!("missing field `{name}`"))
            }
            None | Some(serde_json::Value::Null) if !required => {}
            None => {}
            Some(v) => {
                let ok = match kind {
                    Kind::Str => v.is_string(),
                    Kind::StrOrNum => v.is_string() || v.is_number(),
                    Kind::StrOrList => {
                        v.is_string()
                            || v.as_array()
                                .is_some_and(|a| a.iter().all(|x| x.is_string()))
                    }
                    Kind::Num => v.is_number(),
                    Kind::Int => v.is_u64() || v.is_i64(),
                };
                if !ok {
                    return Rejection::new(
                        "wrong type",
                        format!("field `{name}` has the wrong type ({v})"),
                    );
                }
            }
        }
    }
    Rejection::new("invalid record", format!("invalid record ({err})"))
}

fn as_text(bytes: &[u8]) -> Result<&str, Rejection> {
    std::str::from_utf8(bytes).map_err(|e| {
        Rejection::new(
            "invalid UTF-8",
            format!("invalid UTF-8 at byte {}", e.valid_up_to()),
        )
    })
}

fn non_empty<'a>(field: &str, v: &'a str) -> Result<&'a str, Rejection> {
    let t = v.trim();
    if t.is_empty() {
        Err(Rejection::new("empty field", format!("empty `{field}`")))
    } else {
        Ok(t)
    }
}

/// Parses one line of `business.json`.
pub fn parse_business(bytes: &[u8]) -> Result<Business, Rejection> {
    let text = as_text(bytes)?;
    let raw: RawBusiness =
        serde_json::from_str(text).map_err(|e| diagnose(text, BUSINESS_TYPES, &e))?;
    let s = |v: Option<Cow<str>>| v.map(|c| c.trim().to_string()).unwrap_or_default();
    let full = raw.full_address.as_deref();
    // The old schema: the street is the first line of `full_address`, the postal code
    // its last token when that is one.
    let address = match (raw.address, full) {
        (Some(a), _) => a.trim().to_string(),
        (None, Some(f)) if f.lines().count() > 1 => {
            f.lines().next().unwrap_or_default().trim().to_string()
        }
        _ => String::new(),
    };
    let postal_code = match (raw.postal_code.as_deref(), full) {
        (Some(p), _) => normalize_postal_code(p),
        (None, Some(f)) => postal_of_full_address(f),
        (None, None) => None,
    };
    Ok(Business {
        business_id: non_empty("business_id", &raw.business_id)?.to_string(),
        name: non_empty("name", &raw.name)?.to_string(),
        address,
        city: s(raw.city),
        state: s(raw.state),
        postal_code: postal_code.unwrap_or_default(),
        latitude: raw.latitude,
        longitude: raw.longitude,
        stars: raw.stars.unwrap_or(0.0).clamp(0.0, 5.0) as f32,
        review_count: raw.review_count.unwrap_or(0).min(u32::MAX as u64) as u32,
        is_open: raw.is_open.map_or(raw.open.unwrap_or(true), |o| o != 0),
        categories: raw
            .categories
            .as_ref()
            .map(Categories::items)
            .unwrap_or_default(),
        offer: Offer::from_yelp(raw.attributes.as_ref(), raw.hours.as_ref()),
    })
}

/// The JSON half of [`parse_review`]: the line parsed into its typed fields, no value
/// checked (the parse floor of `index build --parse-only`).
pub fn parse_review_fields(bytes: &[u8]) -> Result<(), Rejection> {
    raw_review(bytes).map(|_| ())
}

fn raw_review(bytes: &[u8]) -> Result<RawReview<'_>, Rejection> {
    let text = as_text(bytes)?;
    serde_json::from_str(text).map_err(|e| diagnose(text, REVIEW_TYPES, &e))
}

/// Parses one line of `review.json`.
pub fn parse_review(bytes: &[u8]) -> Result<Review, Rejection> {
    let raw = raw_review(bytes)?;
    let day = raw.date.day().ok_or_else(|| {
        let shown = match &raw.date {
            RawDate::Text(t) => format!("{t:?}"),
            RawDate::Number(n) => n.to_string(),
        };
        Rejection::new(
            "bad date",
            format!(
                "bad date {shown} (expected YYYY-MM-DD HH:MM:SS, ISO-8601, or epoch seconds or milliseconds from 1990 to 2100)"
            ),
        )
    })?;
    if !(raw.stars.is_finite() && (1.0..=5.0).contains(&raw.stars)) {
        return Err(Rejection::new(
            "bad stars",
            format!("stars {} outside 1..5", raw.stars),
        ));
    }
    if raw.text.trim().is_empty() {
        return Err(Rejection::new("empty text", "empty text"));
    }
    Ok(Review {
        review_id: non_empty("review_id", &raw.review_id)?.to_string(),
        business_id: non_empty("business_id", &raw.business_id)?.to_string(),
        stars: raw.stars.round() as u8,
        useful: raw.useful.unwrap_or(0).clamp(0, u32::MAX as i64) as u32,
        day,
        text: raw.text.into_owned(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const REVIEW: &str = r#"{"review_id":"r1","user_id":"u","business_id":"b1","stars":4.0,"useful":2,"funny":0,"cool":1,"text":"Great pasta\nreally","date":"2016-03-09 21:07:31"}"#;

    #[test]
    fn parses_yelp_review() {
        let r = parse_review(REVIEW.as_bytes()).unwrap();
        assert_eq!(r.review_id, "r1");
        assert_eq!(r.stars, 4);
        assert_eq!(r.day.to_string(), "2016-03-09");
        assert_eq!(r.text, "Great pasta\nreally");
    }

    #[test]
    fn rejections_name_the_problem() {
        let cases = [
            (r#"{"review_id": "#, "not JSON"),
            ("[1,2]", "not a JSON object"),
            (
                r#"{"business_id":"b","stars":4,"text":"x","date":"2016-01-01"}"#,
                "missing field",
            ),
            (
                r#"{"review_id":"r","business_id":"b","stars":"4","text":"x","date":"2016-01-01"}"#,
                "wrong type",
            ),
            (
                r#"{"review_id":"r","business_id":"b","stars":4,"text":"x","date":"2016-13-01"}"#,
                "bad date",
            ),
            (
                r#"{"review_id":"r","business_id":"b","stars":4,"text":"  ","date":"2016-01-01"}"#,
                "empty text",
            ),
            (
                r#"{"review_id":"r","business_id":"b","stars":9,"text":"x","date":"2016-01-01"}"#,
                "bad stars",
            ),
        ];
        for (line, want) in cases {
            let got = parse_review(line.as_bytes()).unwrap_err();
            assert_eq!(got.category, want, "{line}: {}", got.reason);
        }
        let got = parse_review(b"{\"text\":\"\xff\"}").unwrap_err();
        assert_eq!(got.category, "invalid UTF-8");
        let got = parse_review(
            br#"{"review_id":"r","business_id":"b","stars":4,"text":"x","date":"2016-01-01"}"#,
        );
        assert!(got.is_ok(), "date-only form is accepted");
    }

    #[test]
    fn epoch_and_iso_dates_are_read() {
        for date in [
            "1531001351000",
            "\"1531001351000\"",
            "1531001351",
            "\"2018-07-07T22:09:11Z\"",
            "\"2018-07-07T22:09:11.000+02:00\"",
        ] {
            let line = format!(
                r#"{{"review_id":"r","business_id":"b","stars":4,"text":"x","date":{date}}}"#
            );
            let r = parse_review(line.as_bytes()).unwrap_or_else(|e| panic!("{date}: {e:?}"));
            assert_eq!(r.day.to_string(), "2018-07-07", "{date}");
        }
        let line = r#"{"review_id":"r","business_id":"b","stars":4,"text":"x","date":12}"#;
        assert_eq!(
            parse_review(line.as_bytes()).unwrap_err().category,
            "bad date"
        );
        let line = r#"{"review_id":"r","business_id":"b","stars":4,"text":"x","date":true}"#;
        assert_eq!(
            parse_review(line.as_bytes()).unwrap_err().category,
            "wrong type"
        );
    }

    #[test]
    fn parses_business_with_quirks() {
        let line = r#"{"business_id":"b1","name":"Luigi's","address":"1 Main St","city":"Urbana","state":"IL","postal_code":"61820-1234","latitude":40.1,"longitude":-88.2,"stars":4.5,"review_count":12,"is_open":1,"attributes":{"WiFi":"u'free'"},"categories":"Restaurants, Italian","hours":null}"#;
        let b = parse_business(line.as_bytes()).unwrap();
        assert_eq!(b.postal_code, "61820");
        assert_eq!(b.categories, ["Restaurants", "Italian"]);
        let line = r#"{"business_id":"b2","name":"X","postal_code":"","categories":null,"attributes":null,"stars":3.0,"review_count":1,"is_open":0}"#;
        let b = parse_business(line.as_bytes()).unwrap();
        assert_eq!(b.postal_code, "");
        assert!(!b.is_open && b.categories.is_empty());
    }

    #[test]
    fn old_schema_businesses_are_read_where_unambiguous() {
        let line = r#"{"business_id": "b1", "full_address": "75 Federal Street\nFinancial District\nBoston, MA 02110", "hours": {}, "open": false, "categories": ["Bakeries", "Food"], "city": "Boston", "review_count": 6, "name": "Rebecca's Cafe", "neighborhoods": ["Financial District"], "longitude": -71.05, "state": "MA", "stars": 3.5, "latitude": 42.35, "attributes": {"Price Range": 1}, "type": "business"}"#;
        let b = parse_business(line.as_bytes()).unwrap();
        assert_eq!(b.postal_code, "02110");
        assert_eq!(b.address, "75 Federal Street");
        assert_eq!(b.categories, ["Bakeries", "Food"]);
        assert!(!b.is_open);
        let ca = r#"{"business_id": "b2", "name": "X", "full_address": "1 Main St\nCalgary, AB T2P 1J9", "categories": []}"#;
        assert_eq!(
            parse_business(ca.as_bytes()).unwrap().postal_code,
            "T2P 1J9"
        );
        // No postal code at the end: none is invented.
        let none = r#"{"business_id": "b3", "name": "X", "full_address": "Somewhere\nLas Vegas, NV", "categories": ["Food"]}"#;
        assert_eq!(parse_business(none.as_bytes()).unwrap().postal_code, "");
        let bad = r#"{"business_id": "b4", "name": "X", "categories": [1, 2]}"#;
        assert_eq!(
            parse_business(bad.as_bytes()).unwrap_err().category,
            "wrong type"
        );
    }
}
