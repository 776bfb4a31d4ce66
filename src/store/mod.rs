//! The on-disk index: the directory of immutable versions and its CURRENT pointer, the
//! tantivy schema of a version, its business table, the packed rows a search reads of
//! each document, the encoded review terms, the tantivy directories a version is
//! opened through (read-only for readers, unsynced while it is written), and a
//! version's file list with checksums, by which a version made elsewhere (downloaded
//! from object storage) is verified and installed.
//!
//! Nothing here knows of models, searches or builds: the floors above read and write
//! versions through it.

pub mod files;
pub mod layout;
pub mod open;
pub mod readonly;
pub mod rows;
pub mod schema;
pub mod surfaces;
pub mod table;
pub mod terms;
pub mod unsynced;
pub mod versions;

pub use files::{
    installed_files, is_version_name, same_names_and_sizes, version_files, FileEntry, Install,
    VersionFiles,
};
pub use layout::{IndexDir, Manifest, ReaderPin, WriteLock};
pub use table::{BusinessTable, Listing};
pub use versions::{gc, list_versions, rollback, GcReport, VersionInfo};
