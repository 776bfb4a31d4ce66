//! What a business offers: its price range, amenities and opening hours, read from
//! Yelp's `attributes` and `hours` objects with their quirks.
//!
//! Yelp writes attribute values as Python literals inside JSON strings: `"True"`,
//! `"u'free'"`, `"'none'"`, `"None"`, and dictionaries such as
//! `"{'garage': False, 'street': True}"`; exports sometimes turn them into real JSON
//! booleans and objects. Hours are `"Monday": "11:0-22:0"`, a closing time at or
//! before the opening time meaning past midnight (`"16:0-2:0"`) and `"0:0-0:0"` all day.
//! Anything not understood is simply unknown: an attribute never rejects a business.

use serde::{Deserialize, Serialize};

/// An amenity a query can ask for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Amenity {
    /// `OutdoorSeating: True`.
    OutdoorSeating,
    /// `WiFi: free`.
    FreeWifi,
    /// `Alcohol: full_bar`.
    FullBar,
    /// `Alcohol: full_bar` or `beer_and_wine`.
    Alcohol,
    /// `RestaurantsTakeOut: True`.
    TakeOut,
    /// `RestaurantsDelivery: True`.
    Delivery,
    /// `GoodForKids: True`.
    KidFriendly,
    /// `RestaurantsReservations: True`.
    Reservations,
    /// `WheelchairAccessible: True`.
    WheelchairAccessible,
    /// `HappyHour: True`.
    HappyHour,
    /// `DogsAllowed: True`.
    DogsAllowed,
    /// Any kind of parking in `BusinessParking`.
    Parking,
    /// `RestaurantsGoodForGroups: True`.
    GoodForGroups,
    /// `HasTV: True`.
    Tv,
    /// Open until 23:00 or later on some day (from `hours`).
    OpenLate,
    /// `Ambience: {'romantic': True}`.
    Romantic,
    /// `Ambience: {'intimate': True}`.
    Intimate,
    /// `Ambience: {'classy': True}`.
    Classy,
    /// `Ambience: {'hipster': True}`.
    Hipster,
    /// `Ambience: {'trendy': True}`.
    Trendy,
    /// `Ambience: {'casual': True}`.
    Casual,
    /// `Ambience: {'divey': True}`.
    Divey,
    /// `Ambience: {'touristy': True}`.
    Touristy,
}

impl Amenity {
    /// Every amenity, in bit order.
    pub const ALL: [Amenity; 23] = [
        Amenity::OutdoorSeating,
        Amenity::FreeWifi,
        Amenity::FullBar,
        Amenity::Alcohol,
        Amenity::TakeOut,
        Amenity::Delivery,
        Amenity::KidFriendly,
        Amenity::Reservations,
        Amenity::WheelchairAccessible,
        Amenity::HappyHour,
        Amenity::DogsAllowed,
        Amenity::Parking,
        Amenity::GoodForGroups,
        Amenity::Tv,
        Amenity::OpenLate,
        Amenity::Romantic,
        Amenity::Intimate,
        Amenity::Classy,
        Amenity::Hipster,
        Amenity::Trendy,
        Amenity::Casual,
        Amenity::Divey,
        Amenity::Touristy,
    ];

    fn bit(self) -> u32 {
        1 << (self as u32)
    }

    /// How the amenity reads to a person ("outdoor seating").
    pub fn label(self) -> &'static str {
        match self {
            Amenity::OutdoorSeating => "outdoor seating",
            Amenity::FreeWifi => "free wifi",
            Amenity::FullBar => "full bar",
            Amenity::Alcohol => "serves alcohol",
            Amenity::TakeOut => "takeout",
            Amenity::Delivery => "delivery",
            Amenity::KidFriendly => "kid friendly",
            Amenity::Reservations => "takes reservations",
            Amenity::WheelchairAccessible => "wheelchair accessible",
            Amenity::HappyHour => "happy hour",
            Amenity::DogsAllowed => "dogs allowed",
            Amenity::Parking => "parking",
            Amenity::GoodForGroups => "good for groups",
            Amenity::Tv => "has TV",
            Amenity::OpenLate => "open late",
            Amenity::Romantic => "romantic",
            Amenity::Intimate => "intimate",
            Amenity::Classy => "classy",
            Amenity::Hipster => "hipster",
            Amenity::Trendy => "trendy",
            Amenity::Casual => "casual",
            Amenity::Divey => "divey",
            Amenity::Touristy => "touristy",
        }
    }
}

/// A set of amenities, one bit each.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Amenities(u32);

impl Amenities {
    /// Whether the set holds `a`.
    pub fn has(&self, a: Amenity) -> bool {
        self.0 & a.bit() != 0
    }

    /// Adds `a`.
    pub fn insert(&mut self, a: Amenity) {
        self.0 |= a.bit();
    }

    /// Whether the set is empty.
    pub fn is_empty(&self) -> bool {
        self.0 == 0
    }

    /// The amenities of the set, in bit order.
    pub fn iter(self) -> impl Iterator<Item = Amenity> {
        Amenity::ALL.into_iter().filter(move |a| self.has(*a))
    }
}

/// Opening hours of one week: for each day from Monday, the minutes after midnight
/// at which the business opens and closes (`close <= open`: past midnight; `0, 0`:
/// all day). `None`: closed that day, or not given.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct WeekHours(pub [Option<(u16, u16)>; 7]);

/// Yelp's day names, Monday first.
const DAYS: [&str; 7] = [
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
];

/// Minutes in a day.
const DAY_MINUTES: u32 = 24 * 60;

impl WeekHours {
    /// Whether the business is open at `minute` (0 to 1439) of `weekday` (0 = Monday),
    /// counting a previous day's hours that run past midnight.
    pub fn open_at(&self, weekday: usize, minute: u16) -> bool {
        let m = u32::from(minute);
        let today = self.0[weekday % 7];
        let yesterday = self.0[(weekday + 6) % 7];
        let inside = |(open, close): (u16, u16), m: u32| {
            let (open, close) = (u32::from(open), u32::from(close));
            if open == close {
                return true; // all day
            }
            let close = if close <= open {
                close + DAY_MINUTES
            } else {
                close
            };
            (open..close).contains(&m)
        };
        today.is_some_and(|h| inside(h, m))
            || yesterday.is_some_and(|(o, c)| c <= o && o != c && inside((o, c), m + DAY_MINUTES))
    }

    /// Whether the business stays open until `minute` or later on some day (past
    /// midnight counts as later).
    pub fn open_until_at_least(&self, minute: u16) -> bool {
        self.0
            .iter()
            .flatten()
            .any(|&(open, close)| open == close || close <= open || close >= minute)
    }

    /// Whether no day has hours.
    pub fn is_empty(&self) -> bool {
        self.0.iter().all(Option::is_none)
    }
}

/// Price range, amenities and hours of a business.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Offer {
    /// `RestaurantsPriceRange2`: 1 (`$`) to 4 (`$$$$`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub price: Option<u8>,
    /// Amenities known to be offered.
    #[serde(default, skip_serializing_if = "Amenities::is_empty")]
    pub amenities: Amenities,
    /// Opening hours, when given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hours: Option<WeekHours>,
}

impl Offer {
    /// Reads Yelp's `attributes` and `hours` values (either may be null or absent).
    pub fn from_yelp(
        attributes: Option<&serde_json::Value>,
        hours: Option<&serde_json::Value>,
    ) -> Offer {
        let mut offer = Offer::default();
        if let Some(serde_json::Value::Object(attrs)) = attributes {
            for (key, value) in attrs {
                offer.read_attribute(key, value);
            }
        }
        if let Some(serde_json::Value::Object(days)) = hours {
            let mut week = WeekHours::default();
            for (i, day) in DAYS.iter().enumerate() {
                week.0[i] = days.get(*day).and_then(|v| v.as_str()).and_then(parse_span);
            }
            if !week.is_empty() {
                if week.open_until_at_least(23 * 60) {
                    offer.amenities.insert(Amenity::OpenLate);
                }
                offer.hours = Some(week);
            }
        }
        offer
    }

    fn read_attribute(&mut self, key: &str, value: &serde_json::Value) {
        let flag = |a: &mut Amenities, amenity: Amenity| {
            if truthy(value) == Some(true) {
                a.insert(amenity);
            }
        };
        let a = &mut self.amenities;
        match key {
            "RestaurantsPriceRange2" => {
                self.price = literal(value)
                    .and_then(|s| s.parse::<u8>().ok())
                    .filter(|p| (1..=4).contains(p));
            }
            "OutdoorSeating" => flag(a, Amenity::OutdoorSeating),
            "RestaurantsTakeOut" => flag(a, Amenity::TakeOut),
            "RestaurantsDelivery" => flag(a, Amenity::Delivery),
            "GoodForKids" => flag(a, Amenity::KidFriendly),
            "RestaurantsReservations" => flag(a, Amenity::Reservations),
            "WheelchairAccessible" => flag(a, Amenity::WheelchairAccessible),
            "HappyHour" => flag(a, Amenity::HappyHour),
            "DogsAllowed" => flag(a, Amenity::DogsAllowed),
            "RestaurantsGoodForGroups" => flag(a, Amenity::GoodForGroups),
            "HasTV" => flag(a, Amenity::Tv),
            "WiFi" if literal(value).as_deref() == Some("free") => a.insert(Amenity::FreeWifi),
            "Alcohol" => match literal(value).as_deref() {
                Some("full_bar") => {
                    a.insert(Amenity::FullBar);
                    a.insert(Amenity::Alcohol);
                }
                Some("beer_and_wine") => a.insert(Amenity::Alcohol),
                _ => {}
            },
            "BusinessParking" if dict_entries(value).iter().any(|(_, v)| *v) => {
                a.insert(Amenity::Parking)
            }
            "Ambience" => {
                for (k, on) in dict_entries(value) {
                    let ambience = match k.as_str() {
                        "romantic" => Amenity::Romantic,
                        "intimate" => Amenity::Intimate,
                        "classy" => Amenity::Classy,
                        "hipster" => Amenity::Hipster,
                        "trendy" => Amenity::Trendy,
                        "casual" => Amenity::Casual,
                        "divey" => Amenity::Divey,
                        "touristy" => Amenity::Touristy,
                        _ => continue,
                    };
                    if on {
                        a.insert(ambience);
                    }
                }
            }
            _ => {}
        }
    }
}

/// A scalar attribute value without Python's quoting: `u'free'` → `free`,
/// `"True"` → `True`, JSON `true` → `True`, `2` → `2`; `None`/null → None.
fn literal(value: &serde_json::Value) -> Option<String> {
    let raw = match value {
        serde_json::Value::String(s) => s.trim().to_string(),
        serde_json::Value::Bool(b) => return Some(if *b { "True" } else { "False" }.into()),
        serde_json::Value::Number(n) => return Some(n.to_string()),
        _ => return None,
    };
    let unprefixed = raw
        .strip_prefix('u')
        .filter(|r| r.starts_with('\''))
        .unwrap_or(&raw);
    let inner = unprefixed
        .strip_prefix('\'')
        .and_then(|r| r.strip_suffix('\''))
        .or_else(|| {
            unprefixed
                .strip_prefix('"')
                .and_then(|r| r.strip_suffix('"'))
        })
        .unwrap_or(unprefixed);
    (inner != "None" && !inner.is_empty()).then(|| inner.to_string())
}

/// A boolean attribute: `True`/`False` in any of Yelp's spellings.
fn truthy(value: &serde_json::Value) -> Option<bool> {
    match literal(value)?.to_ascii_lowercase().as_str() {
        "true" | "yes" | "1" => Some(true),
        "false" | "no" | "0" => Some(false),
        _ => None,
    }
}

/// The `key: bool` entries of a dictionary attribute, written as a Python literal
/// string (`"{'garage': False, 'lot': True}"`) or as a JSON object.
fn dict_entries(value: &serde_json::Value) -> Vec<(String, bool)> {
    match value {
        serde_json::Value::Object(m) => m
            .iter()
            .filter_map(|(k, v)| Some((k.clone(), truthy(v)?)))
            .collect(),
        serde_json::Value::String(s) => s
            .trim()
            .trim_start_matches('{')
            .trim_end_matches('}')
            .split(',')
            .filter_map(|entry| {
                let (k, v) = entry.split_once(':')?;
                let k = k.trim().trim_matches(|c| c == '\'' || c == '"');
                let v = match v.trim() {
                    "True" | "true" => true,
                    "False" | "false" => false,
                    _ => return None,
                };
                Some((k.to_string(), v))
            })
            .collect(),
        _ => Vec::new(),
    }
}

/// `"11:0-22:0"` → (660, 1320); `"0:0-0:0"` → (0, 0). None when not understood.
fn parse_span(s: &str) -> Option<(u16, u16)> {
    let (open, close) = s.trim().split_once('-')?;
    Some((parse_clock(open)?, parse_clock(close)?))
}

fn parse_clock(s: &str) -> Option<u16> {
    let (h, m) = s.trim().split_once(':')?;
    let (h, m): (u16, u16) = (h.trim().parse().ok()?, m.trim().parse().ok()?);
    (h <= 24 && m < 60).then(|| (h % 24) * 60 + m)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn reads_yelp_quirks() {
        let attrs = json!({
            "RestaurantsPriceRange2": "2",
            "OutdoorSeating": "True",
            "WiFi": "u'free'",
            "Alcohol": "'beer_and_wine'",
            "RestaurantsTakeOut": "None",
            "RestaurantsDelivery": "False",
            "BusinessParking": "{'garage': False, 'street': True, 'validated': False}",
            "GoodForKids": true,
            "Ambience": "{'touristy': False, 'hipster': None, 'romantic': True, 'divey': False, \
                         'intimate': False, 'trendy': True, 'upscale': False, 'classy': False, \
                         'casual': False}",
        });
        let o = Offer::from_yelp(Some(&attrs), None);
        assert_eq!(o.price, Some(2));
        let got: Vec<Amenity> = o.amenities.iter().collect();
        assert_eq!(
            got,
            [
                Amenity::OutdoorSeating,
                Amenity::FreeWifi,
                Amenity::Alcohol,
                Amenity::KidFriendly,
                Amenity::Parking,
                Amenity::Romantic,
                Amenity::Trendy
            ]
        );
        let o = Offer::from_yelp(
            Some(
                &json!({"Alcohol": "u'full_bar'", "WiFi": "'no'", "RestaurantsPriceRange2": "None",
                         "BusinessParking": "{'garage': False, 'lot': False}",
                         "Ambience": {"casual": true, "classy": "False"}}),
            ),
            None,
        );
        assert_eq!(o.price, None);
        assert!(o.amenities.has(Amenity::FullBar) && o.amenities.has(Amenity::Alcohol));
        assert!(!o.amenities.has(Amenity::FreeWifi) && !o.amenities.has(Amenity::Parking));
        assert!(o.amenities.has(Amenity::Casual) && !o.amenities.has(Amenity::Classy));
        assert_eq!(
            Offer::from_yelp(Some(&json!(null)), Some(&json!(null))),
            Offer::default()
        );
        assert_eq!(
            Offer::from_yelp(Some(&json!({"RestaurantsPriceRange2": "9"})), None).price,
            None,
            "out of range"
        );
    }

    #[test]
    fn hours_past_midnight_and_all_day() {
        let o = Offer::from_yelp(
            None,
            Some(
                &json!({"Monday": "16:0-2:0", "Tuesday": "11:0-22:0", "Wednesday": "0:0-0:0",
                         "Thursday": "bogus"}),
            ),
        );
        let h = o.hours.unwrap();
        assert_eq!(h.0[0], Some((960, 120)));
        assert_eq!(h.0[3], None);
        assert!(h.open_at(0, 17 * 60), "Monday evening");
        assert!(h.open_at(1, 60), "Monday's hours run into Tuesday 1:00");
        assert!(!h.open_at(1, 3 * 60), "closed Tuesday 3:00");
        assert!(h.open_at(1, 12 * 60) && !h.open_at(1, 22 * 60));
        assert!(h.open_at(2, 4 * 60), "all day Wednesday");
        assert!(!h.open_at(4, 12 * 60), "no Friday hours");
        assert!(o.amenities.has(Amenity::OpenLate));
        let early = Offer::from_yelp(None, Some(&json!({"Monday": "7:0-15:0"})));
        assert!(!early.amenities.has(Amenity::OpenLate));
        assert!(early.hours.is_some());
    }

    #[test]
    fn serialises_compactly_and_reads_old_tables() {
        let o = Offer::default();
        assert_eq!(serde_json::to_string(&o).unwrap(), "{}");
        let back: Offer = serde_json::from_str("{}").unwrap();
        assert_eq!(back, o);
    }
}
