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
