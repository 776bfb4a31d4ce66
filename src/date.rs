//! Calendar days, the unit of time of reviews and of every cutoff.

use std::fmt;

use std::sync::LazyLock;

use chrono::format::{parse, Item, Parsed, StrftimeItems};
use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A calendar day, stored as days since 1970-01-01.
///
/// ```
/// use yelpsearch::Day;
/// let d = Day::parse_yelp("2016-03-09 21:07:31").unwrap();
/// assert_eq!(d.to_string(), "2016-03-09");
/// assert_eq!(Day::parse("2016-03-10").unwrap().0 - d.0, 1);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Day(pub i32);

const EPOCH_CE_DAYS: i32 = 719_163; // NaiveDate(1970-01-01).num_days_from_ce()

/// `%Y-%m-%d` and `%H:%M:%S`, read once: `parse_from_str` reads its format string again
/// on every call, a review file's every line.
static DATE: LazyLock<Vec<Item<'static>>> =
    LazyLock::new(|| StrftimeItems::new("%Y-%m-%d").collect());
static TIME: LazyLock<Vec<Item<'static>>> =
    LazyLock::new(|| StrftimeItems::new("%H:%M:%S").collect());

/// `s` parsed by `items` (exactly what `parse_from_str` does with their format string).
fn parsed(s: &str, items: &[Item<'static>]) -> Option<Parsed> {
    let mut p = Parsed::new();
    parse(&mut p, s, items.iter()).ok()?;
    Some(p)
}

impl Day {
    /// Parses `YYYY-MM-DD`.
    pub fn parse(s: &str) -> Option<Day> {
        let d = parsed(s.trim(), &DATE)?.to_naive_date().ok()?;
        Some(Day(d.num_days_from_ce() - EPOCH_CE_DAYS))
    }

    /// Parses Yelp's review date, `YYYY-MM-DD HH:MM:SS` (the time is checked, then
    /// dropped) or a bare `YYYY-MM-DD`.
    pub fn parse_yelp(s: &str) -> Option<Day> {
        let s = s.trim();
        let (day, time) = match s.split_once(' ') {
            Some((d, t)) => (d, Some(t)),
            None => match s.split_once('T') {
                Some((d, t)) => (d, Some(t)),
                None => (s, None),
            },
        };
        if let Some(t) = time {
            parsed(t.trim_end_matches('Z'), &TIME)?
                .to_naive_time()
                .ok()?;
        }
        let d = Day::parse(day)?;
        (1990..=2100).contains(&d.year()).then_some(d)
    }

    /// Parses a review's date in any of the forms the Yelp files and their exports
    /// write it: Yelp's `YYYY-MM-DD HH:MM:SS` or a bare day ([`Day::parse_yelp`]),
    /// ISO-8601 (`2018-07-07T22:09:11`, with fractional seconds, `Z` or an offset: the
    /// day as written), and epoch seconds or milliseconds as a numeric string
    /// ([`Day::from_epoch`]).
    ///
    /// ```
    /// use yelpsearch::Day;
    /// let d = Day::parse_yelp("2018-07-07").unwrap();
    /// for s in ["2018-07-07 22:09:11", "2018-07-07T22:09:11.123+02:00", "2018-07-07T22:09:11Z",
    ///           "1531001351", "1531001351000"] {
    ///     assert_eq!(Day::parse_review_date(s), Some(d), "{s}");
    /// }
    /// ```
    pub fn parse_review_date(s: &str) -> Option<Day> {
        let t = s.trim();
        if !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit() || b == b'.') {
            return Day::from_epoch(t.parse().ok()?);
        }
        if let Some(d) = Day::parse_yelp(t) {
            return Some(d);
        }
        // ISO-8601: the time may carry a fraction and a zone (`Z`, `+02:00`, `-0500`).
        let (day, time) = t.split_once('T').or_else(|| t.split_once(' '))?;
        let time = time.trim_end_matches('Z');
        let time = match time.rfind(['+', '-']) {
            Some(i) if i >= 5 => {
                let zone = &time[i + 1..];
                let ok = matches!(zone.len(), 2 | 4 | 5)
                    && zone.bytes().all(|b| b.is_ascii_digit() || b == b':');
                if !ok {
                    return None;
                }
                &time[..i]
            }
            _ => time,
        };
        let time = match time.split_once('.') {
            Some((hms, frac)) if !frac.is_empty() && frac.bytes().all(|b| b.is_ascii_digit()) => {
                hms
            }
            Some(_) => return None,
            None => time,
        };
        Day::parse_yelp(&format!("{day} {time}"))
    }

    /// The UTC day of an epoch timestamp: seconds, or milliseconds when the number is
    /// too large to be seconds of this era (from 10^11 on: seconds would be the year
    /// 5138). Days before 1990 or after 2100 are refused, as in [`Day::parse_yelp`].
    pub fn from_epoch(n: f64) -> Option<Day> {
        if !n.is_finite() || n < 0.0 {
            return None;
        }
        let secs = if n >= 1e11 { n / 1000.0 } else { n };
        let d = Day((secs / 86_400.0).floor() as i32);
        (1990..=2100).contains(&d.year()).then_some(d)
    }

    fn date(self) -> NaiveDate {
        NaiveDate::from_num_days_from_ce_opt(self.0 + EPOCH_CE_DAYS).unwrap_or_default()
    }

    /// The calendar year.
    pub fn year(self) -> i32 {
        self.date().year()
    }

    /// Today, by the system clock.
    pub fn today() -> Day {
        Day(chrono::Utc::now().date_naive().num_days_from_ce() - EPOCH_CE_DAYS)
    }
}

impl fmt::Display for Day {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.date().format("%Y-%m-%d"))
    }
}

impl std::str::FromStr for Day {
    type Err = String;
    fn from_str(s: &str) -> Result<Day, String> {
        Day::parse(s).ok_or_else(|| format!("{s:?} is not a date of the form YYYY-MM-DD"))
    }
}

impl Serialize for Day {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Day {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Day, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_and_print() {
        assert_eq!(Day::parse("1970-01-01"), Some(Day(0)));
        assert_eq!(
            Day::parse_yelp("2019-10-23 00:00:00").unwrap().to_string(),
            "2019-10-23"
        );
        for bad in [
            "2019-02-30",
            "2019-10-23 25:00:00",
            "yesterday",
            "",
            "0001-01-01",
        ] {
            assert_eq!(Day::parse_yelp(bad), None, "{bad}");
        }
        let d: Day = serde_json::from_str("\"2020-02-29\"").unwrap();
        assert_eq!(serde_json::to_string(&d).unwrap(), "\"2020-02-29\"");
    }

    #[test]
    fn review_dates_in_every_shipped_form() {
        let d = Day::parse("2018-07-07");
        for s in [
            "2018-07-07 22:09:11",
            "2018-07-07",
            "2018-07-07T22:09:11",
            "2018-07-07T22:09:11Z",
            "2018-07-07T22:09:11.5Z",
            "2018-07-07T22:09:11+02:00",
            "2018-07-07T22:09:11-0500",
            "2018-07-07 22:09:11.123",
            "1531001351",
            "1531001351000",
            "1531001351.25",
        ] {
            assert_eq!(Day::parse_review_date(s), d, "{s}");
        }
        assert_eq!(Day::from_epoch(1_531_001_351_000.0), d);
        assert_eq!(Day::from_epoch(1_531_001_351.0), d);
        for bad in [
            "",
            "yesterday",
            "12",
            "2018-07-07T25:00:00",
            "2018-07-07T22:09:11+xx",
            "2018-07-07T22:09:11.",
            "99999999999999999",
            "-1531001351",
        ] {
            assert_eq!(Day::parse_review_date(bad), None, "{bad}");
        }
        assert_eq!(Day::from_epoch(-1.0), None);
        assert_eq!(Day::from_epoch(f64::NAN), None);
    }

    #[test]
    fn formats_read_once_parse_as_parse_from_str() {
        for s in [
            "2019-01-05",
            "2019-1-5",
            "2019-01-05x",
            "+2019-01-05",
            "2019-13-01",
            "12019-01-01",
            "2019-02-29",
            "2020-02-29",
            "2019- 01-05",
            "",
            "2019-01",
            "２０１９-01-05",
            "-0001-01-01",
        ] {
            let want = NaiveDate::parse_from_str(s, "%Y-%m-%d").ok();
            assert_eq!(
                parsed(s, &DATE).and_then(|p| p.to_naive_date().ok()),
                want,
                "{s:?}"
            );
        }
        for s in [
            "21:07:31",
            "1:2:3",
            "24:00:00",
            "23:59:60",
            "23:60:00",
            "21:07",
            "21:07:31.5",
            "21:07:31 ",
            "",
            "ab:cd:ef",
        ] {
            let want = chrono::NaiveTime::parse_from_str(s, "%H:%M:%S").ok();
            assert_eq!(
                parsed(s, &TIME).and_then(|p| p.to_naive_time().ok()),
                want,
                "{s:?}"
            );
        }
    }
}
