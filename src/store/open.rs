//! Opening a version's tantivy index: for reading (read-only, no lock files), for
//! writing an unpublished version (no per-file fsyncs), or new with the settings every
//! version shares; and the tokenizers its schema names.

use std::path::Path;

use tantivy::schema::Schema;
use tantivy::{Index, IndexSettings};

use super::readonly::ReadOnlyDirectory;
use super::schema::{build_schema, names, Fields};
use super::terms::{TermsTokenizer, TERMS_TOKENIZER};
use super::unsynced::UnsyncedDirectory;
use crate::analysis::{YelpTokenizer, TOKENIZER_NAME};
use crate::date::Day;
use crate::error::{Error, Result};

/// Bytes of stored documents compressed together in the document store (tantivy's
/// default is 16 KiB). A snippet reads one review's text, and reading it decompresses its
/// whole block: smaller blocks make a snippet cheaper, for a slightly larger store.
pub const DOCSTORE_BLOCK_BYTES: usize = 4096;

/// Opens a tantivy index directory with the analyzer registered.
pub fn open_tantivy(dir: &Path) -> Result<Index> {
    register(Index::open_in_dir(dir), dir)
}

/// Opens a published version for reading only (works on a read-only mount).
pub fn open_tantivy_readonly(dir: &Path) -> Result<Index> {
    let d = ReadOnlyDirectory::open(dir).map_err(|e| unopened(dir, e))?;
    register(Index::open(d), dir)
}

/// Opens an unpublished version for writing; its files are synced when it is published
/// (see [`super::unsynced`]).
pub fn open_tantivy_unsynced(dir: &Path) -> Result<Index> {
    let d = UnsyncedDirectory::open(dir).map_err(|e| unopened(dir, e))?;
    register(Index::open(d), dir)
}

/// The index settings of every version, in an unpublished version directory (its files
/// are synced when it is published: see [`super::unsynced`]).
pub fn new_tantivy_index(dir: &Path) -> Result<(Index, Fields)> {
    let (schema, fields): (Schema, Fields) = build_schema();
    let settings = IndexSettings {
        docstore_blocksize: DOCSTORE_BLOCK_BYTES,
        ..IndexSettings::default()
    };
    let index = Index::create(UnsyncedDirectory::open(dir)?, schema, settings)?;
    register_tokenizers(&index);
    Ok((index, fields))
}

fn unopened(dir: &Path, e: tantivy::TantivyError) -> Error {
    Error::IndexCorrupt {
        path: dir.to_path_buf(),
        reason: format!("cannot open the directory ({e})"),
    }
}

/// Registers the tokenizers an index's schema may name: the build's own
/// [`TermsTokenizer`] and, for indexes older than it, the analyzer itself.
pub fn register_tokenizers(index: &Index) {
    let t = index.tokenizers();
    t.register(TERMS_TOKENIZER, TermsTokenizer);
    t.register(TOKENIZER_NAME, YelpTokenizer::default());
}

fn register(index: tantivy::Result<Index>, dir: &Path) -> Result<Index> {
    let index = index.map_err(|e| Error::IndexCorrupt {
        path: dir.to_path_buf(),
        reason: format!("cannot open the tantivy index ({e})"),
    })?;
    register_tokenizers(&index);
    Ok(index)
}

/// The newest review day of a tantivy index directory (None when empty).
pub fn newest_day(dir: &Path) -> Result<Option<Day>> {
    let index = open_tantivy(dir)?;
    let reader = index.reader()?;
    let searcher = reader.searcher();
    let mut newest: Option<i64> = None;
    for sr in searcher.segment_readers() {
        let col = sr.fast_fields().i64(names::DAY)?;
        if sr.num_docs() > 0 {
            let m = col.max_value();
            newest = Some(newest.map_or(m, |n: i64| n.max(m)));
        }
    }
    Ok(newest.map(|d| Day(d as i32)))
}
