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
