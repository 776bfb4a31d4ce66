//! Parsing `/search`'s query string by hand, so that every bad parameter (including
//! invalid UTF-8 in a percent-encoding) gets the service's own JSON 400 rather than a
//! framework's plain-text rejection.

use percent_encoding::percent_decode;
use yelpsearch::MAX_QUERY_CHARS;

use super::errors::ApiError;

/// Most results a client may ask for.
pub const MAX_LIMIT: usize = 100;
/// Results when `limit` is absent.
pub const DEFAULT_LIMIT: usize = 10;

/// The checked parameters of `/search`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchParams {
    /// What to look for, maybe with the zipcode.
    pub q: String,
    /// An explicit zipcode.
    pub zip: Option<String>,
    /// Most results.
    pub limit: usize,
    /// Whether places without a matching review whose category has a match follow the
    /// matches (`related=false` leaves them out).
    pub related: bool,
}

impl SearchParams {
    /// Parses a raw query string (`q=61820+pasta&limit=5`). Unknown parameters are
    /// ignored; for a repeated parameter the first occurrence counts.
    pub fn parse(raw: Option<&str>) -> Result<SearchParams, ApiError> {
        let mut q = None;
        let mut zip = None;
        let mut limit = None;
        let mut related = None;
        for pair in raw.unwrap_or("").split('&').filter(|p| !p.is_empty()) {
            let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
            let slot = match decode(name).as_deref() {
                Ok("q") => &mut q,
                Ok("zip") => &mut zip,
                Ok("limit") => &mut limit,
                Ok("related") => &mut related,
                _ => continue,
            };
            if slot.is_none() {
                *slot = Some(value);
            }
        }
        let q = match q {
            None => {
                return Err(ApiError::bad_request(
                    "missing_query",
                    "add a q parameter with what you are looking for, e.g. q=61820+pasta",
                ))
            }
            Some(raw) => decode(raw)
                .map_err(|_| ApiError::bad_request("invalid_query", "q is not valid UTF-8 text"))?,
        };
        if q.is_empty() {
            return Err(ApiError::bad_request(
                "invalid_query",
                "q is empty: type what you are looking for and a zipcode, e.g. 61820 pasta",
            ));
        }
        if q.chars().count() > MAX_QUERY_CHARS {
            return Err(ApiError::bad_request(
                "invalid_query",
                format!("q is longer than {MAX_QUERY_CHARS} characters"),
            ));
        }
        let zip = zip.map(parse_zip).transpose()?;
        let limit = limit.map(parse_limit).transpose()?.unwrap_or(DEFAULT_LIMIT);
        let related = related.map(parse_related).transpose()?.unwrap_or(true);
        Ok(SearchParams {
            q,
            zip,
            limit,
            related,
        })
    }

    /// The library request for these parameters.
    pub fn to_request(&self) -> yelpsearch::SearchRequest {
        let r = yelpsearch::SearchRequest::new(self.q.clone())
            .limit(self.limit)
            .related(self.related);
        match &self.zip {
            Some(z) => r.zip(z.clone()),
            None => r,
        }
    }
}

/// Decodes one `application/x-www-form-urlencoded` component strictly: `+` is a space,
/// and the decoded bytes must be UTF-8.
fn decode(raw: &str) -> Result<String, std::string::FromUtf8Error> {
    let spaced = raw.replace('+', " ");
    String::from_utf8(percent_decode(spaced.as_bytes()).collect())
}

fn parse_zip(raw: &str) -> Result<String, ApiError> {
    let bad = |what: &str| {
        ApiError::bad_request(
            "invalid_zip",
            format!("zip {what}: use 5 digits (61820) or a Canadian postal code (T2P 1J9)"),
        )
    };
    let z = decode(raw).map_err(|_| bad("is not valid UTF-8 text"))?;
    if z.is_empty() {
        return Err(bad("is empty"));
    }
    if !is_zip(&z) {
        return Err(bad(&format!("{:?} is not a zipcode", truncate(&z, 16))));
    }
    Ok(z)
}

/// The OpenAPI pattern `^([0-9]{5}(-[0-9]{4})?|[A-Za-z][0-9][A-Za-z] ?[0-9][A-Za-z][0-9])$`,
/// applied to the raw value (no trimming). A ZIP+4 is searched as its 5 digits.
fn is_zip(z: &str) -> bool {
    let b = z.as_bytes();
    let digit = |i: usize| b[i].is_ascii_digit();
    let letter = |i: usize| b[i].is_ascii_alphabetic();
    match b.len() {
        5 => (0..5).all(digit),
        6 => letter(0) && digit(1) && letter(2) && digit(3) && letter(4) && digit(5),
        7 => {
            letter(0) && digit(1) && letter(2) && b[3] == b' ' && digit(4) && letter(5) && digit(6)
        }
        10 => (0..5).all(digit) && b[5] == b'-' && (6..10).all(digit),
        _ => false,
    }
}

fn parse_limit(raw: &str) -> Result<usize, ApiError> {
    let bad = || {
        ApiError::bad_request(
            "invalid_limit",
            format!("limit must be an integer from 1 to {MAX_LIMIT}"),
        )
    };
    let s = decode(raw).map_err(|_| bad())?;
    if s.is_empty() || !s.bytes().all(|c| c.is_ascii_digit()) {
        return Err(bad());
    }
    match s.parse::<u64>() {
        Ok(n) if (1..=MAX_LIMIT as u64).contains(&n) => Ok(n as usize),
        _ => Err(bad()),
    }
}

fn parse_related(raw: &str) -> Result<bool, ApiError> {
    match decode(raw).as_deref() {
        Ok("true") => Ok(true),
        Ok("false") => Ok(false),
        _ => Err(ApiError::bad_request(
            "invalid_related",
            "related must be true or false",
        )),
    }
}

fn truncate(s: &str, n: usize) -> String {
    s.chars().take(n).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code(raw: &str) -> &'static str {
        SearchParams::parse(Some(raw)).unwrap_err().code
    }

    #[test]
    fn good() {
        let p = SearchParams::parse(Some("q=61820+pasta&x=%FF")).unwrap();
        assert_eq!(
            (p.q.as_str(), p.zip.as_deref(), p.limit),
            ("61820 pasta", None, 10)
        );
        assert!(p.related, "related places are on by default");
        assert!(p.to_request().related);
        let p = SearchParams::parse(Some("q=61820+pasta&related=false")).unwrap();
        assert!(!p.related && !p.to_request().related);
        assert!(
            SearchParams::parse(Some("q=61820+pasta&related=true"))
                .unwrap()
                .related
        );
        let p = SearchParams::parse(Some("zip=T2P%201J9&q=%22deep+dish%22&limit=100&limit=abc"))
            .unwrap();
        assert_eq!(
            (p.q.as_str(), p.zip.as_deref(), p.limit),
            ("\"deep dish\"", Some("T2P 1J9"), 100)
        );
        assert_eq!(
            SearchParams::parse(Some("q=caf%C3%A9&zip=t2p1j9"))
                .unwrap()
                .q,
            "café"
        );
        let p = SearchParams::parse(Some("q=pasta&zip=61820-1234")).unwrap();
        assert_eq!(p.zip.as_deref(), Some("61820-1234"), "ZIP+4 is a zipcode");
        for bad in ["61820-12", "61820_1234", "61820-12345"] {
            assert!(SearchParams::parse(Some(&format!("q=pasta&zip={bad}"))).is_err());
        }
        let long = format!("q={}", "é".repeat(MAX_QUERY_CHARS));
        assert!(
            SearchParams::parse(Some(&long)).is_ok(),
            "length counts characters, not bytes"
        );
    }

    #[test]
    fn bad() {
        assert_eq!(SearchParams::parse(None).unwrap_err().code, "missing_query");
        assert_eq!(code("zip=61820"), "missing_query");
        assert_eq!(code("q="), "invalid_query");
        assert_eq!(code("q"), "invalid_query");
        assert_eq!(code("q=%FF"), "invalid_query");
        assert_eq!(
            code(&format!("q={}", "a".repeat(MAX_QUERY_CHARS + 1))),
            "invalid_query"
        );
        for l in [
            "-1",
            "0",
            "101",
            "1000000000",
            "99999999999999999999999",
            "abc",
            "",
            "1.5",
            "+5",
            "%FF",
        ] {
            assert_eq!(
                code(&format!("q=pasta&limit={l}")),
                "invalid_limit",
                "limit={l}"
            );
        }
        for r in ["", "0", "no", "False", "%FF"] {
            assert_eq!(
                code(&format!("q=pasta&related={r}")),
                "invalid_related",
                "related={r}"
            );
        }
        for z in [
            "",
            "6182",
            "618201",
            "61820-12",
            "+61820",
            "T2P-1J9",
            "T2P++1J9",
            "%FF",
            "%EF%BC%96%EF%BC%91%EF%BC%98%EF%BC%92%EF%BC%90",
        ] {
            assert_eq!(code(&format!("q=pasta&zip={z}")), "invalid_zip", "zip={z}");
        }
    }
}
