//! The one error type of the core library.
//!
//! Every variant says what went wrong and, where it can, what to do next.

use std::path::PathBuf;

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
    /// The input data as a whole is unusable (for example an empty business file).
    #[error("{0}")]
    Data(String),
    /// The query could not be understood.
    #[error("{0}")]
    Query(String),
    /// The zipcode has no businesses in this index.
    #[error("no businesses in zipcode {0} in this index (check the zipcode, or index its data)")]
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
    #[error("index at {path} is locked by another update or build (wait for it to finish; the lock is released when that process exits)")]
    Locked {
        /// The index directory.
        path: PathBuf,
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
    /// A stable machine-readable code for the error, shared by the HTTP service and
    /// the Python package: `missing_zip`, `invalid_zip`, `no_terms`, `invalid_limit`,
    /// `invalid_query`, `unknown_zip`, `index_not_found`, `index_corrupt`, `locked`,
    /// `bad_input`, `model`, `cancelled`, `io`, `internal`.
    pub fn code(&self) -> &'static str {
        match self {
            Error::Query(m) => {
                if m.starts_with("no zipcode") {
                    "missing_zip"
                } else if m.contains("is not a zipcode") {
                    "invalid_zip"
                } else if m.starts_with("no words") {
                    "no_terms"
                } else if m.starts_with("limit") {
                    "invalid_limit"
                } else {
                    "invalid_query"
                }
            }
            Error::UnknownZip(_) => "unknown_zip",
            Error::IndexNotFound { .. } => "index_not_found",
            Error::IndexCorrupt { .. } => "index_corrupt",
            Error::Locked { .. } => "locked",
            Error::BadLine { .. } | Error::Data(_) => "bad_input",
            Error::Model(_) => "model",
            Error::Cancelled => "cancelled",
            Error::Io { .. } => "io",
            Error::Tantivy(_) => "internal",
        }
    }

    /// Wraps an I/O error with the path it concerns.
    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Error::Io {
            path: path.into(),
            source,
        }
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
        assert_eq!(Error::UnknownZip("1".into()).code(), "unknown_zip");
    }
}
