//! Index versions through object storage: publish a local version, pull the
//! published one into a local index (once, or every interval while serving), and
//! manage what the store holds.
//!
//! The published layout under a URL's prefix:
//!
//! ```text
//! PREFIX/blobs/<sha256>                 a file's contents, named by their SHA-256
//! PREFIX/versions/v000042/files.json    a version: its files' names, sizes, SHA-256s
//! PREFIX/CURRENT                        "v000042": the published version, written last
//! ```
//!
//! Versions share blobs as local versions share files (tantivy never rewrites a
//! segment file), so publishing or pulling a mostly unchanged version moves only the
//! new segments. Which files make a version, verifying them and installing them
//! atomically is the core's business ([`yelpsearch::VersionFiles`],
//! [`yelpsearch::Install`]); this module only moves bytes.
//!
//! - [`store`]: opening `s3://` and `file://` URLs, the layout's keys.
//! - [`publish`](mod@publish): `index publish`.
//! - [`pull`](mod@pull): `index pull`, one round.
//! - [`status`]: `serve --pull`, and its `/ready` details and metrics.
//! - [`admin`]: rollback and gc in the store.

pub mod admin;
pub mod publish;
pub mod pull;
pub mod status;
pub mod store;

pub use publish::publish;
pub use pull::pull;
pub use status::{PullStatus, Puller};
pub use store::Remote;

use crate::error::{CliError, CliResult};

/// A runtime for a command-line remote operation.
pub fn runtime() -> CliResult<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| CliError::io("starting the async runtime", e))
}
