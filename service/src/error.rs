//! The service crate's error type.

/// Errors of the command line and the HTTP service.
#[derive(Debug, thiserror::Error)]
pub enum CliError {
    /// From the core library.
    #[error(transparent)]
    Core(#[from] yelpsearch::Error),
    /// Bad usage of the command line.
    #[error("{0}")]
    Usage(String),
    /// The HTTP service failed (for example it could not finish in time on shutdown).
    #[error("{0}")]
    Serve(String),
    /// Copying index versions to or from object storage failed.
    #[error("{url}: {detail}")]
    Remote {
        /// What kind of failure (a metrics label).
        kind: RemoteFailure,
        /// The store URL.
        url: String,
        /// What happened and what to do next.
        detail: String,
    },
    /// An I/O failure outside the library (binding a port, writing a file).
    #[error("{what}: {source}")]
    Io {
        /// What was being done.
        what: String,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
}

impl CliError {
    /// Process exit code: 2 for usage and query errors, 1 otherwise.
    pub fn exit_code(&self) -> u8 {
        match self {
            CliError::Usage(_) | CliError::Core(yelpsearch::Error::Query(_)) => 2,
            CliError::Core(yelpsearch::Error::UnknownZip(_)) => 3,
            CliError::Core(yelpsearch::Error::Locked { .. })
            | CliError::Remote {
                kind: RemoteFailure::Busy,
                ..
            } => 75,
            CliError::Remote {
                kind: RemoteFailure::BadUrl,
                ..
            } => 2,
            _ => 1,
        }
    }

    /// An I/O error with context.
    pub fn io(what: impl Into<String>, source: std::io::Error) -> Self {
        CliError::Io {
            what: what.into(),
            source,
        }
    }
}

/// Kinds of [`CliError::Remote`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum RemoteFailure {
    /// The store URL is not one this build can open.
    BadUrl,
    /// The store did not answer, or answered with an error (network, server).
    Unreachable,
    /// The store refused the credentials or the request.
    Denied,
    /// Nothing was ever published at the URL (no `CURRENT` object).
    NothingPublished,
    /// `CURRENT` names a version whose file list is not in the store.
    MissingVersion,
    /// An object's size or checksum is not the one the version lists, or a listed
    /// object is missing: it is refused.
    Corrupt,
    /// The store already holds a different version under the same name.
    Conflict,
    /// Another process is writing the local index.
    Busy,
    /// The local index directory could not be read or written.
    Local,
}

impl RemoteFailure {
    /// The label used in `/metrics` and `/ready`.
    pub fn as_str(self) -> &'static str {
        match self {
            RemoteFailure::BadUrl => "bad_url",
            RemoteFailure::Unreachable => "unreachable",
            RemoteFailure::Denied => "denied",
            RemoteFailure::NothingPublished => "nothing_published",
            RemoteFailure::MissingVersion => "missing_version",
            RemoteFailure::Corrupt => "corrupt",
            RemoteFailure::Conflict => "conflict",
            RemoteFailure::Busy => "busy",
            RemoteFailure::Local => "local",
        }
    }
}

/// Result of the service crate.
pub type CliResult<T> = Result<T, CliError>;
