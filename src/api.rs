//! The HTTP contract, once, for both servers (the Rust service and the Flask blueprint
//! of the Python package): the parameters of `/search` and the one place they become a
//! [`SearchRequest`], the limits and defaults of the API, the JSON error body with the
//! status of each error, the bodies of `/ready` and `/model/metrics`, and the OpenAPI
//! document ([`OPENAPI_JSON`], `src/openapi.json`).
//!
//! The servers only translate: the service's axum extractor and the blueprint (through
//! the binding) call [`SearchParams::parse`] on the raw query string, and turn an
//! [`ApiError`] into their framework's response.

use std::collections::BTreeMap;

use percent_encoding::percent_decode;
use serde::Serialize;

use crate::error::{Error, ErrorCode, QueryError};
use crate::handle::{Index, IndexHolder, Readiness};
use crate::search::SearchRequest;

pub use crate::search::MAX_QUERY_CHARS;

/// The OpenAPI document of the HTTP API.
pub const OPENAPI_JSON: &str = include_str!("openapi.json");
/// Most results a client may ask for (`limit`'s maximum).
pub const MAX_LIMIT: usize = 100;
/// Results when `limit` is absent.
pub const DEFAULT_LIMIT: usize = 10;
/// The pattern of the `zip` parameter, applied to the raw value (no trimming). A ZIP+4
/// is searched as its 5 digits.
pub const ZIP_PATTERN: &str =
    "^([0-9]{5}(-[0-9]{4})?|[A-Za-z][0-9][A-Za-z]( ?[0-9][A-Za-z][0-9])?)$";

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
    /// Whether places of nearby zipcodes follow when the zipcode has too few
    /// (`nearby=false` leaves them out).
    pub nearby: bool,
    /// Whether the words are searched as typed (`literal=true`: no corrections, no
    /// filler, price or amenity words).
    pub literal: bool,
}

impl SearchParams {
    /// Parses a raw query string (`q=61820+pasta&limit=5`, still percent-encoded).
    pub fn parse(raw: Option<&str>) -> Result<SearchParams, QueryError> {
        Self::from_pairs(
            raw.unwrap_or("")
                .split('&')
                .filter(|p| !p.is_empty())
                .map(|pair| pair.split_once('=').unwrap_or((pair, ""))),
        )
    }

    /// Checks raw (still percent-encoded) name-value pairs. Unknown parameters are
    /// ignored; for a repeated parameter the first occurrence counts. Every bad
    /// parameter, invalid UTF-8 in a percent-encoding included, is a [`QueryError`].
    pub fn from_pairs<'a>(
        pairs: impl IntoIterator<Item = (&'a str, &'a str)>,
    ) -> Result<SearchParams, QueryError> {
        let (mut q, mut zip, mut limit) = (None, None, None);
        let (mut related, mut nearby, mut literal) = (None, None, None);
        for (name, value) in pairs {
            let slot = match decode(name).as_deref() {
                Ok("q") => &mut q,
                Ok("zip") => &mut zip,
                Ok("limit") => &mut limit,
                Ok("related") => &mut related,
                Ok("nearby") => &mut nearby,
                Ok("literal") => &mut literal,
                _ => continue,
            };
            if slot.is_none() {
                *slot = Some(value);
            }
        }
        let q = decode(q.ok_or(QueryError::MissingQuery)?).map_err(|_| QueryError::NotUtf8)?;
        // The search's own check (a query of spaces is empty too), made before the rest.
        if q.trim().is_empty() {
            return Err(QueryError::EmptyQuery);
        }
        if q.chars().count() > MAX_QUERY_CHARS {
            return Err(QueryError::TooLong {
                max: MAX_QUERY_CHARS,
            });
        }
        Ok(SearchParams {
            q,
            zip: zip.map(parse_zip).transpose()?,
            limit: limit.map(parse_limit).transpose()?.unwrap_or(DEFAULT_LIMIT),
            related: flag("related", related, true)?,
            nearby: flag("nearby", nearby, true)?,
            literal: flag("literal", literal, false)?,
        })
    }

    /// The library request for these parameters: the one place HTTP parameters become
    /// a [`SearchRequest`].
    pub fn to_request(&self) -> SearchRequest {
        SearchRequest::new(self.q.clone())
            .zip_opt(self.zip.clone())
            .limit(self.limit)
            .related(self.related)
            .nearby(self.nearby)
            .literal(self.literal)
    }
}

/// Decodes one `application/x-www-form-urlencoded` component strictly: `+` is a space,
/// and the decoded bytes must be UTF-8.
fn decode(raw: &str) -> Result<String, std::string::FromUtf8Error> {
    let spaced = raw.replace('+', " ");
    String::from_utf8(percent_decode(spaced.as_bytes()).collect())
}

fn parse_zip(raw: &str) -> Result<String, QueryError> {
    let z = decode(raw).map_err(|e| QueryError::InvalidZip {
        zip: truncate(&String::from_utf8_lossy(e.as_bytes()), 16),
    })?;
    if !is_zip(&z) {
        return Err(QueryError::InvalidZip {
            zip: truncate(&z, 16),
        });
    }
    Ok(z)
}

/// [`ZIP_PATTERN`], by hand.
fn is_zip(z: &str) -> bool {
    let b = z.as_bytes();
    let digit = |i: usize| b[i].is_ascii_digit();
    let letter = |i: usize| b[i].is_ascii_alphabetic();
    match b.len() {
        3 => letter(0) && digit(1) && letter(2),
        5 => (0..5).all(digit),
        6 => letter(0) && digit(1) && letter(2) && digit(3) && letter(4) && digit(5),
        7 => {
            letter(0) && digit(1) && letter(2) && b[3] == b' ' && digit(4) && letter(5) && digit(6)
        }
        10 => (0..5).all(digit) && b[5] == b'-' && (6..10).all(digit),
        _ => false,
    }
}

fn parse_limit(raw: &str) -> Result<usize, QueryError> {
    let bad = QueryError::InvalidLimit { max: MAX_LIMIT };
    let s = decode(raw).map_err(|_| bad.clone())?;
    if s.is_empty() || !s.bytes().all(|c| c.is_ascii_digit()) {
        return Err(bad);
    }
    match s.parse::<u64>() {
        Ok(n) if (1..=MAX_LIMIT as u64).contains(&n) => Ok(n as usize),
        _ => Err(bad),
    }
}

/// A true-or-false parameter: `true`, `false`, or absent (`default`).
fn flag(name: &'static str, raw: Option<&str>, default: bool) -> Result<bool, QueryError> {
    match raw.map(decode) {
        None => Ok(default),
        Some(Ok(v)) if v == "true" => Ok(true),
        Some(Ok(v)) if v == "false" => Ok(false),
        Some(_) => Err(QueryError::InvalidFlag { name }),
    }
}

fn truncate(s: &str, n: usize) -> String {
    s.chars().take(n).collect()
}

/// An error answered to an HTTP client: its status, its code and a message safe to
/// show to the person searching (server-side details go to the log, never here).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    /// HTTP status.
    pub status: u16,
    /// Machine-readable code.
    pub code: ErrorCode,
    /// Human-readable message.
    pub message: String,
}

#[derive(Serialize)]
struct Body<'a> {
    error: Inner<'a>,
}

#[derive(Serialize)]
struct Inner<'a> {
    code: &'a str,
    message: &'a str,
}

impl ApiError {
    /// An error of `code` (its status from the code table) with `message`.
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        ApiError {
            status: code.http_status(),
            code,
            message: message.into(),
        }
    }

    /// An error of `code` with the message the API gives it when there is nothing more
    /// to say (`not_ready`, `overloaded`, `timeout`, `not_found`, `method_not_allowed`,
    /// `bad_request`, `uri_too_long`, `headers_too_large`, `internal`; any other code is
    /// answered as `internal`).
    pub fn of_code(code: ErrorCode) -> Self {
        let message = match code {
            ErrorCode::NotReady => "the search index is still loading, try again shortly",
            ErrorCode::Overloaded => "the server is busy, try again shortly",
            ErrorCode::Timeout => "the request took too long, try again",
            ErrorCode::NotFound => "no such page: see /openapi.json for the API",
            ErrorCode::MethodNotAllowed => "only GET (and HEAD) are supported",
            ErrorCode::BadRequest => "the request is not HTTP this server can read",
            ErrorCode::UriTooLong => {
                "the URL is too long: q holds at most 256 characters, e.g. q=61820+pasta"
            }
            ErrorCode::HeadersTooLarge => "the request's headers are too large: send fewer",
            _ => return ApiError::new(ErrorCode::Internal, "internal error"),
        };
        ApiError::new(code, message)
    }

    /// 503 `not_ready`: no index is open yet.
    pub fn not_ready() -> Self {
        Self::of_code(ErrorCode::NotReady)
    }

    /// 503 `overloaded`: too many searches at once.
    pub fn overloaded() -> Self {
        Self::of_code(ErrorCode::Overloaded)
    }

    /// 408 `timeout`.
    pub fn timeout() -> Self {
        Self::of_code(ErrorCode::Timeout)
    }

    /// 404 `not_found` for a path the API does not have.
    pub fn not_found() -> Self {
        Self::of_code(ErrorCode::NotFound)
    }

    /// 405 `method_not_allowed`.
    pub fn method_not_allowed() -> Self {
        Self::of_code(ErrorCode::MethodNotAllowed)
    }

    /// 500 `internal`; `detail` is logged, not sent.
    pub fn internal(detail: &dyn std::fmt::Display) -> Self {
        tracing::error!(error = %detail, "internal error");
        Self::of_code(ErrorCode::Internal)
    }

    /// The JSON body: `{"error": {"code": ..., "message": ...}}`.
    pub fn to_json(&self) -> String {
        serde_json::to_string(&Body {
            error: Inner {
                code: self.code.as_str(),
                message: &self.message,
            },
        })
        .unwrap_or_else(|_| r#"{"error":{"code":"internal","message":"internal error"}}"#.into())
    }
}

impl From<QueryError> for ApiError {
    fn from(e: QueryError) -> Self {
        ApiError::new(e.code(), e.to_string())
    }
}

impl From<Error> for ApiError {
    /// The client's mistakes (query errors, an unknown zipcode) with their code, status
    /// and message; anything else is the server's: 500 `internal`, the detail logged.
    fn from(e: Error) -> Self {
        match e.code().over_http() {
            ErrorCode::Internal => ApiError::internal(&e),
            code => ApiError::new(code, e.to_string()),
        }
    }
}

/// The body of `/ready`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum ReadyBody {
    /// 200: an index is open.
    Ready {
        /// `"ready"`.
        status: &'static str,
        /// The open version.
        index_version: String,
        /// Its live reviews.
        documents: u64,
        /// Its model's version.
        model: String,
        /// Queries that find places on it (suggestions: the search page shows them).
        examples: Vec<String>,
        /// What pulling versions from object storage did (a server that pulls only).
        #[serde(skip_serializing_if = "Option::is_none")]
        pull: Option<PullDetails>,
    },
    /// 503: none is, and why.
    NotReady {
        /// `"not_ready"`.
        status: &'static str,
        /// Why not.
        reason: String,
        /// What pulling versions from object storage did (a server that pulls only).
        #[serde(skip_serializing_if = "Option::is_none")]
        pull: Option<PullDetails>,
    },
}

impl ReadyBody {
    /// Ready, with `index`'s version, reviews and model.
    pub fn of(index: &Index) -> ReadyBody {
        let s = index.stats();
        ReadyBody::Ready {
            status: "ready",
            index_version: s.version,
            documents: s.reviews,
            model: s.model_version,
            examples: index.example_queries(),
            pull: None,
        }
    }

    /// Not ready, for `reason`.
    pub fn not_ready(reason: impl Into<String>) -> ReadyBody {
        ReadyBody::NotReady {
            status: "not_ready",
            reason: reason.into(),
            pull: None,
        }
    }

    /// What the holder's readiness answers.
    pub fn of_holder(holder: &IndexHolder) -> ReadyBody {
        match holder.readiness() {
            Readiness::Ready(index) => Self::of(&index),
            Readiness::NotReady(reason) => Self::not_ready(reason),
        }
    }

    /// The same body with the `pull` object of a server that pulls its index.
    pub fn with_pull(mut self, details: Option<PullDetails>) -> ReadyBody {
        match &mut self {
            ReadyBody::Ready { pull, .. } | ReadyBody::NotReady { pull, .. } => *pull = details,
        }
        self
    }

    /// The HTTP status: 200 or 503.
    pub fn status(&self) -> u16 {
        match self {
            ReadyBody::Ready { .. } => 200,
            ReadyBody::NotReady { .. } => ErrorCode::NotReady.http_status(),
        }
    }
}

/// `/ready`'s `pull` object (the OpenAPI document's `PullStatus`): what pulling index
/// versions from object storage did, on a server that pulls them (`serve --pull`). A
/// failing pull keeps the version being served.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PullDetails {
    /// The store URL (`s3://bucket/prefix`).
    pub source: String,
    /// Before the first round, after a round that succeeded, after one that failed.
    pub status: PullState,
    /// The version the store's CURRENT named at the last successful round.
    pub remote_version: Option<String>,
    /// When a round last succeeded, Unix seconds.
    pub last_success_unix: Option<f64>,
    /// Rounds failed since the last that succeeded.
    pub consecutive_failures: u64,
    /// Why the last round failed, while it is the latest.
    pub last_error: Option<PullError>,
}

/// Where pulling stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PullState {
    /// No round has run yet.
    Pending,
    /// The last round succeeded.
    Ok,
    /// The last round failed.
    Failing,
}

/// Why a pull round failed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PullError {
    /// The kind of failure (the OpenAPI document lists them; the same labels as the
    /// server's `yelpsearch_pull_failures_total` metric). Not an HTTP error code: the
    /// server keeps answering with the version it has.
    pub kind: &'static str,
    /// What happened and what to do next.
    pub message: String,
}

/// The body of `/model/metrics`: the model's version, whether it is the BM25 fallback,
/// and its offline metrics (finite values only: JSON has no NaN).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ModelMetrics {
    /// Model version.
    pub model: String,
    /// Whether the model is the BM25 fallback.
    pub fallback: bool,
    /// Offline metrics by name.
    pub metrics: BTreeMap<String, f64>,
}

impl ModelMetrics {
    /// The metrics of `index`'s model.
    pub fn of(index: &Index) -> ModelMetrics {
        let m = index.model_info();
        ModelMetrics {
            model: m.version,
            fallback: m.fallback,
            metrics: m
                .metrics
                .into_iter()
                .filter(|(_, v)| v.is_finite())
                .collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    fn code(raw: &str) -> ErrorCode {
        SearchParams::parse(Some(raw)).unwrap_err().code()
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
        for z in ["T5J", "t5j"] {
            let p = SearchParams::parse(Some(&format!("q=poutine&zip={z}"))).unwrap();
            assert_eq!(
                p.zip.as_deref(),
                Some(z),
                "a Canadian district is a zipcode"
            );
        }
        let p = SearchParams::parse(Some("zip=T2P%201J9&q=%22deep+dish%22&limit=100&limit=abc"))
            .unwrap();
        assert_eq!(
            (p.q.as_str(), p.zip.as_deref(), p.limit),
            ("\"deep dish\"", Some("T2P 1J9"), 100)
        );
        let r = p.to_request();
        assert_eq!(
            (r.query.as_str(), r.zip.as_deref(), r.limit),
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
        let pairs = [("q", "pasta"), ("zip", "61820"), ("related", "false")];
        assert_eq!(
            SearchParams::from_pairs(pairs).unwrap(),
            SearchParams {
                q: "pasta".into(),
                zip: Some("61820".into()),
                limit: DEFAULT_LIMIT,
                related: false,
                nearby: true,
                literal: false,
            }
        );
        let p = SearchParams::parse(Some("q=61820+piza&nearby=false&literal=true")).unwrap();
        let r = p.to_request();
        assert!(!r.nearby && r.literal && r.related);
    }

    #[test]
    fn bad() {
        assert_eq!(
            SearchParams::parse(None).unwrap_err().code(),
            "missing_query"
        );
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
        for name in ["related", "nearby", "literal"] {
            for r in ["", "0", "no", "False", "%FF"] {
                assert_eq!(
                    code(&format!("q=pasta&{name}={r}")),
                    "invalid_flag",
                    "{name}={r}"
                );
            }
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

    #[test]
    fn errors_carry_the_code_tables_status_and_a_json_body() {
        let e = ApiError::from(SearchParams::parse(Some("q=pasta&limit=0")).unwrap_err());
        assert_eq!((e.status, e.code), (400, ErrorCode::InvalidLimit));
        assert_eq!(e.message, "limit must be an integer from 1 to 100");
        let e = ApiError::from(Error::UnknownZip("99999".into()));
        assert_eq!((e.status, e.code.as_str()), (404, "unknown_zip"));
        let e = ApiError::from(Error::Model("secret detail".into()));
        assert_eq!((e.status, e.code.as_str()), (500, "internal"));
        assert_eq!(e.message, "internal error", "server details are not sent");
        let v: serde_json::Value = serde_json::from_str(&ApiError::not_ready().to_json()).unwrap();
        assert_eq!(v["error"]["code"], "not_ready");
        assert_eq!(ApiError::not_ready().status, 503);
        let v: serde_json::Value =
            serde_json::from_str(&ApiError::new(ErrorCode::Timeout, "a \"b\"").to_json()).unwrap();
        assert_eq!(
            (v["error"]["code"].as_str(), v["error"]["message"].as_str()),
            (Some("timeout"), Some("a \"b\""))
        );
    }

    /// The codes an example of a response object shows (resolving a `$ref` to the
    /// document's shared responses).
    fn example_codes<'a>(doc: &'a serde_json::Value, resp: &'a serde_json::Value) -> Vec<&'a str> {
        let resp = match resp["$ref"].as_str() {
            Some(r) => &doc["components"]["responses"][r.rsplit('/').next().unwrap()],
            None => resp,
        };
        let json = &resp["content"]["application/json"];
        let mut out: Vec<&str> = json["example"]["error"]["code"]
            .as_str()
            .into_iter()
            .collect();
        if let Some(examples) = json["examples"].as_object() {
            out.extend(
                examples
                    .values()
                    .filter_map(|e| e["value"]["error"]["code"].as_str()),
            );
        }
        out
    }

    #[test]
    fn every_code_of_the_openapi_document_is_produced_by_exactly_one_kind() {
        let doc: serde_json::Value = serde_json::from_str(OPENAPI_JSON).unwrap();
        let listed: BTreeSet<&str> = doc["components"]["schemas"]["Error"]["properties"]["error"]
            ["properties"]["code"]["enum"]
            .as_array()
            .expect("the Error schema lists its codes")
            .iter()
            .map(|v| v.as_str().unwrap())
            .collect();
        // A client gets exactly the document's codes...
        let over_http: BTreeSet<&str> = ErrorCode::ALL
            .iter()
            .filter(|c| c.in_http_api())
            .map(|c| c.over_http().as_str())
            .collect();
        assert_eq!(listed, over_http);
        // ... each produced by one kind of the table, no two kinds sharing a code.
        for code in &listed {
            let kinds: Vec<ErrorCode> = ErrorCode::ALL
                .into_iter()
                .filter(|c| c.as_str() == *code)
                .collect();
            assert_eq!(kinds.len(), 1, "{code}: {kinds:?}");
            assert_eq!(
                kinds[0].over_http(),
                kinds[0],
                "{code} reaches clients as itself"
            );
        }
        let all: BTreeSet<&str> = ErrorCode::ALL.iter().map(|c| c.as_str()).collect();
        assert_eq!(all.len(), ErrorCode::ALL.len(), "no code is spelled twice");
        // Every status the document answers a code with is the table's.
        let mut checked = 0;
        for (path, item) in doc["paths"].as_object().unwrap() {
            for (status, resp) in item["get"]["responses"].as_object().unwrap() {
                for code in example_codes(&doc, resp) {
                    let kind = ErrorCode::ALL
                        .into_iter()
                        .find(|c| c.as_str() == code)
                        .unwrap();
                    assert_eq!(kind.http_status().to_string(), *status, "{path} {code}");
                    checked += 1;
                }
            }
        }
        assert!(checked >= 10, "only {checked} examples checked");
        // The 400 codes are the kinds of QueryError, one kind or more each.
        let samples = [
            QueryError::MissingQuery,
            QueryError::EmptyQuery,
            QueryError::NotUtf8,
            QueryError::TooLong { max: 1 },
            QueryError::ControlChars,
            QueryError::UnbalancedQuote,
            QueryError::TooManyTerms { max: 1 },
            QueryError::MissingZip,
            QueryError::InvalidZip { zip: "x".into() },
            QueryError::NoTerms,
            QueryError::InvalidLimit { max: 1 },
            QueryError::InvalidFlag { name: "related" },
        ];
        let from_queries: BTreeSet<&str> = samples.iter().map(|q| q.code().as_str()).collect();
        // (bad_request is the server's: what it cannot read as HTTP, before any route.)
        let bad_request: BTreeSet<&str> = listed
            .iter()
            .copied()
            .filter(|c| {
                ErrorCode::ALL.iter().any(|k| {
                    k.as_str() == *c && k.http_status() == 400 && *k != ErrorCode::BadRequest
                })
            })
            .collect();
        assert_eq!(from_queries, bad_request);
        for q in &samples {
            assert_eq!(ApiError::from(q.clone()).status, 400, "{q:?}");
        }
    }
}
