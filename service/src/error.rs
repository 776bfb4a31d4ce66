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
            CliError::Core(yelpsearch::Error::Locked { .. }) => 75,
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

/// Result of the service crate.
pub type CliResult<T> = Result<T, CliError>;
