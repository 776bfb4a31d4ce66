//! The one error type of the core library, its typed kinds, and the one table of error
//! codes: the machine-readable code of every kind and the HTTP status it is answered
//! with, shared by the HTTP service, the Flask blueprint and the Python package.
//!
//! Every variant says what went wrong and, where it can, what to do next. Nothing of
//! the crate is imported here: every other floor builds on this one.

use std::path::PathBuf;

use serde::Serialize;

/// Result alias used throughout the crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything that can go wrong in the core library.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Reading or writing a file failed.
    #[error("{path}: {source}")]
    Io {
        /// The file or directory involved.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
    /// An input line was not usable (only raised in `--strict` mode; otherwise lines are
    /// reported and skipped).
    #[error("{path}:{line}: {reason} (fix the line or drop --strict to skip bad lines)")]
    BadLine {
        /// The input file.
        path: PathBuf,
        /// 1-based line number.
        line: u64,
        /// Why the line was rejected.
        reason: String,
    },
    /// A compressed input file ends in the middle of its stream (raised under
    /// `--strict`; otherwise the lines before the cut are kept and the report says so).
    #[error("{path}: the file is truncated after {lines} lines (the gzip stream ends early: download or copy it again, or drop --strict to keep the lines before the cut)")]
    Truncated {
        /// The input file.
        path: PathBuf,
        /// Complete lines read before the cut.
        lines: u64,
    },
    /// Too few lines of an input file could be used, so nothing was published.
    #[error("{path}: {detail}")]
    TooFewAccepted {
        /// The input file.
        path: PathBuf,
        /// How many were accepted, why the others were not, and what to do.
        detail: String,
    },
    /// The input data as a whole is unusable (for example an empty business file).
    #[error("{0}")]
    Data(String),
    /// The query (or a search parameter) could not be understood.
    #[error(transparent)]
    Query(#[from] QueryError),
    /// The zipcode has no businesses in this index.
    #[error("no businesses in zipcode {0} in this index (check the zipcode, or try a nearby one)")]
    UnknownZip(String),
    /// No index at the given directory.
    #[error("no yelpsearch index at {path}: {reason} (build one with `yelpsearch index build`)")]
    IndexNotFound {
        /// The directory that was opened.
        path: PathBuf,
        /// What was missing.
        reason: String,
    },
    /// The index exists but cannot be used.
    #[error("index at {path} is unusable: {reason}")]
    IndexCorrupt {
        /// The directory that was opened.
        path: PathBuf,
        /// What is wrong with it.
        reason: String,
    },
    /// Another process holds the index's write lock.
    #[error("index at {path} is locked by {holder} (wait for it to finish; the lock is released when that process exits)")]
    Locked {
        /// The index directory.
        path: PathBuf,
        /// What holds it: "a running build (pid 1234)", as the holder wrote it.
        holder: String,
    },
    /// A model file is missing, corrupt or does not fit this index.
    #[error("model: {0}")]
    Model(String),
    /// An error from tantivy.
    #[error("tantivy: {0}")]
    Tantivy(#[from] tantivy::TantivyError),
    /// The work was cancelled by the caller (for example Ctrl-C in Python).
    #[error("cancelled")]
    Cancelled,
}

impl Error {
    /// The error's code in the one code table ([`ErrorCode`]): the same for the
    /// command line, the HTTP API and the Python package.
    pub fn code(&self) -> ErrorCode {
        match self {
            Error::Query(q) => q.code(),
            Error::UnknownZip(_) => ErrorCode::UnknownZip,
            Error::IndexNotFound { .. } => ErrorCode::IndexNotFound,
            Error::IndexCorrupt { .. } => ErrorCode::IndexCorrupt,
            Error::Locked { .. } => ErrorCode::Locked,
            Error::BadLine { .. }
            | Error::Data(_)
            | Error::Truncated { .. }
            | Error::TooFewAccepted { .. } => ErrorCode::BadInput,
            Error::Model(_) => ErrorCode::Model,
            Error::Cancelled => ErrorCode::Cancelled,
            Error::Io { .. } => ErrorCode::Io,
            Error::Tantivy(_) => ErrorCode::Internal,
        }
    }

    /// The HTTP status the error is answered with ([`ErrorCode::http_status`]).
    pub fn http_status(&self) -> u16 {
        self.code().http_status()
    }

    /// Wraps an I/O error with the path it concerns.
    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Error::Io {
            path: path.into(),
            source,
        }
    }
}

/// What is wrong with a query or with a search parameter: the caller's mistake, said
/// so that the person searching knows what to type instead.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum QueryError {
    /// The HTTP request has no `q` parameter.
    #[error("add a q parameter with what you are looking for, e.g. q=61820+pasta")]
    MissingQuery,
    /// The query is empty.
    #[error("the query is empty: type what you are looking for and a zipcode, e.g. 61820 pasta")]
    EmptyQuery,
    /// The query's percent-encoding does not decode to UTF-8 text.
    #[error("the query is not valid UTF-8 text")]
    NotUtf8,
    /// The query is longer than `max` characters.
    #[error("the query is longer than {max} characters")]
    TooLong {
        /// The most characters accepted.
        max: usize,
    },
    /// The query holds control characters.
    #[error("the query contains control characters: remove them")]
    ControlChars,
    /// A phrase's quote is not closed.
    #[error("unbalanced quote: close the phrase with a second \"")]
    UnbalancedQuote,
    /// The need has more than `max` terms.
    #[error("too many words: at most {max}")]
    TooManyTerms {
        /// The most terms accepted.
        max: usize,
    },
    /// Neither the query nor the parameters hold a zipcode.
    #[error("no zipcode: write it in the query (\"61820 pasta\") or pass it separately")]
    MissingZip,
    /// The zipcode given is not a zipcode.
    #[error(
        "{zip:?} is not a zipcode (expected 5 digits like 61820, a Canadian code like T6E 1Z9, or its district T6E)"
    )]
    InvalidZip {
        /// What was given (at most 16 characters of it).
        zip: String,
    },
    /// Nothing is left to search for once the zipcode is taken out.
    #[error("no words to search for: add what you are looking for, like \"pasta\"")]
    NoTerms,
    /// The limit is not a whole number from 1 to `max`.
    #[error("limit must be an integer from 1 to {max}")]
    InvalidLimit {
        /// The largest limit accepted.
        max: usize,
    },
    /// A true-or-false parameter (`related`, `nearby`, `literal`) is neither.
    #[error("{name} must be true or false")]
    InvalidFlag {
        /// The parameter.
        name: &'static str,
    },
    /// The ranking mode is neither `model` nor `bm25` (the Python package and the
    /// library; the HTTP API has no mode parameter).
    #[error("mode must be \"model\" or \"bm25\", not {given:?}")]
    InvalidMode {
        /// What was given (at most 16 characters of it).
        given: String,
    },
}

impl QueryError {
    /// The kind's code in the one code table.
    pub fn code(&self) -> ErrorCode {
        match self {
            QueryError::MissingQuery => ErrorCode::MissingQuery,
            QueryError::EmptyQuery
            | QueryError::NotUtf8
            | QueryError::TooLong { .. }
            | QueryError::ControlChars
            | QueryError::UnbalancedQuote
            | QueryError::TooManyTerms { .. } => ErrorCode::InvalidQuery,
            QueryError::MissingZip => ErrorCode::MissingZip,
            QueryError::InvalidZip { .. } => ErrorCode::InvalidZip,
            QueryError::NoTerms => ErrorCode::NoTerms,
            QueryError::InvalidLimit { .. } => ErrorCode::InvalidLimit,
            QueryError::InvalidFlag { .. } => ErrorCode::InvalidFlag,
            QueryError::InvalidMode { .. } => ErrorCode::InvalidMode,
        }
    }
}

/// The one table of error codes: every kind of error the library, the HTTP API and the
/// Python package report, by a stable machine-readable name ([`ErrorCode::as_str`])
/// with the HTTP status it is answered with ([`ErrorCode::http_status`]).
///
/// The codes of the server's own failures (a missing index, a corrupt one, I/O, ...)
/// are for logs, the command line and Python; over HTTP they are all answered as
/// `internal` ([`ErrorCode::over_http`]), so a client sees exactly the codes of the
/// OpenAPI document.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// No `q` parameter (400).
    MissingQuery,
    /// The query is empty, too long, not UTF-8, or malformed (400).
    InvalidQuery,
    /// No zipcode in the query nor the parameters (400).
    MissingZip,
    /// Nothing to search for besides the zipcode (400).
    NoTerms,
    /// The zipcode given is not a zipcode (400).
    InvalidZip,
    /// The limit is not an integer in range (400).
    InvalidLimit,
    /// `related`, `nearby` or `literal` is neither true nor false (400).
    InvalidFlag,
    /// The ranking mode is neither `model` nor `bm25` (400; the Python package and the
    /// library only: the HTTP API has no mode parameter).
    InvalidMode,
    /// A well-formed zipcode with no businesses in the index (404).
    UnknownZip,
    /// A request the server cannot read as HTTP (400; answered before any route).
    BadRequest,
    /// A path the HTTP API does not have (404).
    NotFound,
    /// A method other than GET or HEAD (405).
    MethodNotAllowed,
    /// The request took longer than the server's time limit (408).
    Timeout,
    /// The request's URL is longer than the server reads (414).
    UriTooLong,
    /// The request's headers are larger than the server reads (431).
    HeadersTooLarge,
    /// The server is shedding load (503).
    Overloaded,
    /// No index is open yet (503).
    NotReady,
    /// Anything unexpected (500).
    Internal,
    /// No index at the directory (server side: `internal` over HTTP).
    IndexNotFound,
    /// The index cannot be used (server side).
    IndexCorrupt,
    /// Another process holds the index's write lock (server side).
    Locked,
    /// Input data is unusable (server side).
    BadInput,
    /// A model file is missing, corrupt or does not fit (server side).
    Model,
    /// The work was cancelled (server side).
    Cancelled,
    /// Reading or writing a file failed (server side).
    Io,
}

impl ErrorCode {
    /// Every code.
    pub const ALL: [ErrorCode; 25] = [
        ErrorCode::MissingQuery,
        ErrorCode::InvalidQuery,
        ErrorCode::MissingZip,
        ErrorCode::NoTerms,
        ErrorCode::InvalidZip,
        ErrorCode::InvalidLimit,
        ErrorCode::InvalidFlag,
        ErrorCode::InvalidMode,
        ErrorCode::UnknownZip,
        ErrorCode::BadRequest,
        ErrorCode::NotFound,
        ErrorCode::MethodNotAllowed,
        ErrorCode::Timeout,
        ErrorCode::UriTooLong,
        ErrorCode::HeadersTooLarge,
        ErrorCode::Overloaded,
        ErrorCode::NotReady,
        ErrorCode::Internal,
        ErrorCode::IndexNotFound,
        ErrorCode::IndexCorrupt,
        ErrorCode::Locked,
        ErrorCode::BadInput,
        ErrorCode::Model,
        ErrorCode::Cancelled,
        ErrorCode::Io,
    ];

    /// The code as the JSON error bodies and the Python exceptions carry it.
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::MissingQuery => "missing_query",
            ErrorCode::InvalidQuery => "invalid_query",
            ErrorCode::MissingZip => "missing_zip",
            ErrorCode::NoTerms => "no_terms",
            ErrorCode::InvalidZip => "invalid_zip",
            ErrorCode::InvalidLimit => "invalid_limit",
            ErrorCode::InvalidFlag => "invalid_flag",
            ErrorCode::InvalidMode => "invalid_mode",
            ErrorCode::UnknownZip => "unknown_zip",
            ErrorCode::BadRequest => "bad_request",
            ErrorCode::NotFound => "not_found",
            ErrorCode::MethodNotAllowed => "method_not_allowed",
            ErrorCode::Timeout => "timeout",
            ErrorCode::UriTooLong => "uri_too_long",
            ErrorCode::HeadersTooLarge => "headers_too_large",
            ErrorCode::Overloaded => "overloaded",
            ErrorCode::NotReady => "not_ready",
            ErrorCode::Internal => "internal",
            ErrorCode::IndexNotFound => "index_not_found",
            ErrorCode::IndexCorrupt => "index_corrupt",
            ErrorCode::Locked => "locked",
            ErrorCode::BadInput => "bad_input",
            ErrorCode::Model => "model",
            ErrorCode::Cancelled => "cancelled",
            ErrorCode::Io => "io",
        }
    }

    /// The HTTP status an error of this code is answered with.
    pub fn http_status(self) -> u16 {
        match self {
            ErrorCode::MissingQuery
            | ErrorCode::InvalidQuery
            | ErrorCode::MissingZip
            | ErrorCode::NoTerms
            | ErrorCode::InvalidZip
            | ErrorCode::InvalidLimit
            | ErrorCode::InvalidFlag
            | ErrorCode::InvalidMode
            | ErrorCode::BadRequest => 400,
            ErrorCode::UnknownZip | ErrorCode::NotFound => 404,
            ErrorCode::MethodNotAllowed => 405,
            ErrorCode::Timeout => 408,
            ErrorCode::UriTooLong => 414,
            ErrorCode::HeadersTooLarge => 431,
            ErrorCode::Overloaded | ErrorCode::NotReady => 503,
            ErrorCode::Internal
            | ErrorCode::IndexNotFound
            | ErrorCode::IndexCorrupt
            | ErrorCode::Locked
            | ErrorCode::BadInput
            | ErrorCode::Model
            | ErrorCode::Cancelled
            | ErrorCode::Io => 500,
        }
    }

    /// Whether the HTTP API can answer with this code (or, for the server's own
    /// failures, with `internal` in its place): every code but those of parameters the
    /// API does not have (`invalid_mode`).
    pub fn in_http_api(self) -> bool {
        self != ErrorCode::InvalidMode
    }

    /// The code an HTTP client sees: the code itself, or `internal` for the server's
    /// own failures (whose details go to the log, not to the client).
    pub fn over_http(self) -> ErrorCode {
        if self.http_status() == 500 {
            ErrorCode::Internal
        } else {
            self
        }
    }
}

impl std::fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl PartialEq<&str> for ErrorCode {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

/// [`Error::Cancelled`] once `flag` (a caller's cancel flag, if any) is set: the one
/// check every long stage (reading, training, indexing, ranker training) makes.
pub(crate) fn check_cancel(flag: Option<&std::sync::atomic::AtomicBool>) -> Result<()> {
    match flag {
        Some(c) if c.load(std::sync::atomic::Ordering::Relaxed) => Err(Error::Cancelled),
        _ => Ok(()),
    }
}

/// Adds the path to an I/O result.
pub(crate) trait IoContext<T> {
    /// Attaches `path` to the error.
    fn at(self, path: impl Into<PathBuf>) -> Result<T>;
}

impl<T> IoContext<T> for std::io::Result<T> {
    fn at(self, path: impl Into<PathBuf>) -> Result<T> {
        self.map_err(|e| Error::io(path, e))
    }
}

#[cfg(test)]
mod tests {
    use super::Error;
    use crate::search::ParsedQuery;

    #[test]
    fn query_errors_have_stable_codes() {
        let code = |q: &str, z: Option<&str>| ParsedQuery::parse(q, z).unwrap_err().code();
        assert_eq!(code("pasta", None), "missing_zip");
        assert_eq!(code("pasta", Some("12")), "invalid_zip");
        assert_eq!(code("61820 the", None), "no_terms");
        assert_eq!(code("\"pasta 61820", None), "invalid_query");
        // An empty query is the same mistake with or without a zipcode, and the same
        // code as the HTTP API's `q=` (it was missing_zip or no_terms).
        assert_eq!(code("", None), "invalid_query");
        assert_eq!(code("  ", Some("61820")), "invalid_query");
        assert_eq!(
            "foo".parse::<crate::search::RankMode>().unwrap_err().code(),
            "invalid_mode"
        );
        assert_eq!(Error::UnknownZip("1".into()).code(), "unknown_zip");
    }
}
