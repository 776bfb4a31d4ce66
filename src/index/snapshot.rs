//! One opened, immutable index version: everything a search reads.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use tantivy::columnar::{Column, ColumnIndex, ColumnValues};
use tantivy::{Index, IndexReader, InvertedIndexReader, ReloadPolicy, Searcher};

use super::layout::{read_manifest, IndexDir, Manifest, ReaderPin, BUSINESSES, MODEL};
use super::rows::DocRows;
use super::schema::{fields_of, names, Fields};
use super::table::BusinessTable;
use super::terms::{TermsTokenizer, TERMS_TOKENIZER};
use crate::analysis::{Analyzer, YelpTokenizer, TOKENIZER_NAME};
use crate::error::{Error, Result};
use crate::rank::affinity::ZipCategories;
use crate::rank::features::{BizStats, RECENT_DAYS};
use crate::rank::ModelFile;
use crate::search::Listing;

/// What a search reads of one segment.
pub struct SegmentColumns {
    /// Each document's business, day, votes, stars and field norm, by doc id.
    pub rows: DocRows,
    /// [`super::schema::review_key`] of the review id (None in indexes older than it).
    pub review_key: Option<DocColumn<u64>>,
    /// Clause values (multi-valued).
    pub clauses: Column<u64>,
    /// Inverted index of the text field.
    pub inverted: Arc<InvertedIndexReader>,
    /// Runs of doc ids per zip ordinal: `[start, end)`.
    pub zip_runs: HashMap<u32, Vec<(u32, u32)>>,
}

/// An opened index version.
pub struct Snapshot {
    /// Version name.
    pub version: String,
    /// Version directory.
    pub dir: PathBuf,
    /// Its manifest.
    pub manifest: Manifest,
    /// The tantivy index.
    pub index: Index,
    /// A searcher over it (the version never changes).
    pub searcher: Searcher,
    _reader: IndexReader,
    /// Schema fields.
    pub fields: Fields,
    /// Business table.
    pub table: BusinessTable,
    /// Per-segment columns, in the searcher's segment order.
    pub segments: Vec<SegmentColumns>,
    /// Segment ordinals in the order of their first documents (zipcode, business,
    /// day): the order in which a build wrote them. Searches and training visit segments
    /// in it, so what they add up does not depend on the order tantivy lists segments in
    /// (a hash map's), and an index in several segments adds up exactly as one.
    pub scan_order: Vec<usize>,
    /// Query-independent business statistics (over all indexed reviews).
    pub stats: Vec<BizStats>,
    /// Each business's index among its zipcode's members ([`BusinessTable::members`]):
    /// the collector's accumulator slot.
    pub local: Vec<u32>,
    /// The categories of each zipcode's members, by zip ordinal (category affinity).
    pub zip_categories: Vec<ZipCategories>,
    /// Each business's listing, by ordinal: the strings its search results share.
    pub listings: Vec<Arc<Listing>>,
    /// Newest review day (the "now" of recency features).
    pub now: i32,
    /// The model in use (the fallback when the file is missing or refused).
    pub model: ModelFile,
    /// Why the model file was refused, if it was.
    pub model_error: Option<String>,
    /// The analyzer.
    pub analyzer: Analyzer,
    _pin: Option<ReaderPin>,
}

/// Opens a tantivy index directory with the analyzer registered.
pub fn open_tantivy(dir: &Path) -> Result<Index> {
    register(Index::open_in_dir(dir), dir)
}

/// Opens a published version for reading only (works on a read-only mount).
pub fn open_tantivy_readonly(dir: &Path) -> Result<Index> {
    let d = super::readonly::ReadOnlyDirectory::open(dir).map_err(|e| unopened(dir, e))?;
    register(Index::open(d), dir)
}

/// Opens an unpublished version for writing; its files are synced when it is published
/// (see [`super::unsynced`]).
pub(crate) fn open_tantivy_unsynced(dir: &Path) -> Result<Index> {
    let d = super::unsynced::UnsyncedDirectory::open(dir).map_err(|e| unopened(dir, e))?;
    register(Index::open(d), dir)
}

fn unopened(dir: &Path, e: tantivy::TantivyError) -> Error {
    Error::IndexCorrupt {
        path: dir.to_path_buf(),
        reason: format!("cannot open the directory ({e})"),
    }
}

/// Registers the tokenizers an index's schema may name: the build's own
/// [`TermsTokenizer`] and, for indexes older than it, the analyzer itself.
pub(crate) fn register_tokenizers(index: &Index) {
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

impl Snapshot {
    /// Opens the current version of the index at `root`.
    pub fn open_current(root: &Path) -> Result<Snapshot> {
        let dir = IndexDir::new(root);
        let (name, pin) = dir.pin_current()?;
        Self::open_dir(&dir.version_path(&name), Some(pin))
    }

    /// Opens one version directory (pinned by `pin` when given).
    pub fn open_dir(vdir: &Path, pin: Option<ReaderPin>) -> Result<Snapshot> {
        let manifest = read_manifest(vdir)?;
        let index = if pin.is_some() {
            open_tantivy_readonly(vdir)?
        } else {
            open_tantivy(vdir)?
        };
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()?;
        let searcher = reader.searcher();
        let fields = fields_of(&index.schema()).map_err(|e| Error::IndexCorrupt {
            path: vdir.to_path_buf(),
            reason: format!("schema: {e}"),
        })?;
        let table = BusinessTable::load(&vdir.join(BUSINESSES))?;
        let mut segments = Vec::new();
        for sr in searcher.segment_readers() {
            let ff = sr.fast_fields();
            segments.push(SegmentColumns {
                rows: DocRows::read(sr, fields.text)?,
                review_key: ff.u64(names::REVIEW_KEY).ok().map(DocColumn::new),
                clauses: ff.u64(names::SENTENCES)?,
                inverted: sr.inverted_index(fields.text)?,
                zip_runs: zip_runs(sr)?,
            });
        }
        let scan_order = scan_order(&searcher, &segments);
        let local = local_slots(&table);
        let zip_categories = ZipCategories::for_table(&table);
        let listings = table
            .businesses()
            .iter()
            .map(|b| Arc::new(Listing::of(b)))
            .collect();
        let (stats, now) = business_stats(&searcher, &segments, table.len(), None);
        let (model, model_error) = ModelFile::load_or_fallback(&vdir.join(MODEL));
        if let Some(e) = &model_error {
            tracing::warn!(error = %e, "model refused; serving with the BM25 fallback");
        }
        let model_error = model_error.map(|e| e.to_string());
        Ok(Snapshot {
            version: manifest.version.clone(),
            dir: vdir.to_path_buf(),
            manifest,
            index,
            searcher,
            _reader: reader,
            fields,
            table,
            segments,
            scan_order,
            stats,
            local,
            zip_categories,
            listings,
            now,
            model,
            model_error,
            analyzer: Analyzer::default(),
            _pin: pin,
        })
    }

    /// Live review documents.
    pub fn num_reviews(&self) -> u64 {
        self.searcher.num_docs()
    }
}

/// The segments' ordinals sorted by their first documents' (zipcode, business, day), then
/// size and id (ties only between segments no build writes).
fn scan_order(searcher: &Searcher, segments: &[SegmentColumns]) -> Vec<usize> {
    let key = |i: usize| {
        let sr = searcher.segment_reader(i as u32);
        if sr.max_doc() == 0 {
            return (None, None, None, 0, sr.segment_id().uuid_string());
        }
        let cols = &segments[i];
        let zip = cols
            .zip_runs
            .iter()
            .find(|(_, runs)| runs.first().is_some_and(|r| r.0 == 0))
            .map(|(z, _)| *z);
        let first = (!cols.rows.is_empty()).then(|| cols.rows.get(0));
        (
            zip,
            first.map(|r| r.biz),
            first.map(|r| r.day),
            sr.max_doc(),
            sr.segment_id().uuid_string(),
        )
    };
    let mut order: Vec<usize> = (0..segments.len()).collect();
    order.sort_by_cached_key(|&i| key(i));
    order
}

impl SegmentColumns {
    /// The clause values of document `doc`, in clause order, into `out` (one read of
    /// the column rather than a call per value).
    pub fn clause_values(&self, doc: tantivy::DocId, out: &mut Vec<u64>) {
        let rows = self.clauses.index.value_row_ids(doc);
        out.resize(rows.len(), 0);
        self.clauses.values.get_range(rows.start as u64, out);
    }
}

/// A single-valued fast field read by document: when every document has a value (as
/// the build writes them), straight from the values, without the column index's
/// per-document row range.
pub struct DocColumn<T> {
    column: Column<T>,
    full: Option<Arc<dyn ColumnValues<T>>>,
}

impl<T: PartialOrd + Copy + std::fmt::Debug + Send + Sync + 'static> DocColumn<T> {
    /// Wraps a column.
    pub fn new(column: Column<T>) -> Self {
        let full = matches!(column.index, ColumnIndex::Full).then(|| Arc::clone(&column.values));
        DocColumn { column, full }
    }

    /// The document's (first) value.
    #[inline]
    pub fn first(&self, doc: tantivy::DocId) -> Option<T> {
        match &self.full {
            Some(values) => Some(values.get_val(doc)),
            None => self.column.first(doc),
        }
    }
}

/// Each business's position among the members of its zipcode.
fn local_slots(table: &BusinessTable) -> Vec<u32> {
    let mut local = vec![u32::MAX; table.len()];
    for (zip, _) in table.zips().iter().enumerate() {
        for (i, &b) in table.members(zip as u32).iter().enumerate() {
            local[b as usize] = i as u32;
        }
    }
    local
}

fn zip_runs(sr: &tantivy::SegmentReader) -> Result<HashMap<u32, Vec<(u32, u32)>>> {
    let zip: Column<u64> = sr.fast_fields().u64(names::ZIP)?;
    let mut runs: HashMap<u32, Vec<(u32, u32)>> = HashMap::new();
    let max = sr.max_doc();
    let mut start = 0u32;
    let mut cur: Option<u64> = None;
    for doc in 0..max {
        let z = zip.first(doc);
        if z != cur {
            if let Some(c) = cur {
                runs.entry(c as u32).or_default().push((start, doc));
            }
            start = doc;
            cur = z;
        }
    }
    if let Some(c) = cur {
        runs.entry(c as u32).or_default().push((start, max));
    }
    Ok(runs)
}

/// Business statistics over live reviews dated before `until` (all when `None`), and
/// the newest such day.
pub fn business_stats(
    searcher: &Searcher,
    segments: &[SegmentColumns],
    n_businesses: usize,
    until: Option<i32>,
) -> (Vec<BizStats>, i32) {
    let mut stats = vec![
        BizStats {
            last_day: i32::MIN,
            ..BizStats::default()
        };
        n_businesses
    ];
    let mut now = i32::MIN;
    let limit = until.unwrap_or(i32::MAX);
    let each = |f: &mut dyn FnMut(usize, u8, i32)| {
        for (sr, cols) in searcher.segment_readers().iter().zip(segments) {
            let alive = sr.alive_bitset();
            for doc in 0..sr.max_doc() {
                if alive.is_some_and(|a| a.is_deleted(doc)) {
                    continue;
                }
                let row = cols.rows.get(doc);
                if row.day >= limit {
                    continue;
                }
                f(row.biz as usize, row.stars, row.day);
            }
        }
    };
    each(&mut |_, _, day| now = now.max(day));
    each(&mut |biz, stars, day| {
        if let Some(s) = stats.get_mut(biz) {
            s.n += 1;
            s.stars_sum += stars as u32;
            s.last_day = s.last_day.max(day);
            if now - day <= RECENT_DAYS {
                s.recent += 1;
                s.recent_stars_sum += stars as u32;
            }
        }
    });
    if now == i32::MIN {
        now = 0;
    }
    (stats, now)
}

#[cfg(test)]
mod tests {
    use super::*;
    use tantivy::schema::{Schema, FAST};
    use tantivy::{doc, IndexWriter};

    /// Reads back a fast field written for every document or for some, as the
    /// column's own reader does.
    fn read_back(with_gaps: bool) -> Vec<(Option<u64>, Option<u64>)> {
        let mut sb = Schema::builder();
        let f = sb.add_u64_field("f", FAST);
        let g = sb.add_u64_field("g", FAST);
        let index = Index::create_in_ram(sb.build());
        let mut w: IndexWriter = index.writer(15_000_000).expect("writer");
        for i in 0..300u64 {
            if with_gaps && i % 7 == 3 {
                w.add_document(doc!(g => i)).expect("add");
            } else {
                w.add_document(doc!(f => i * 1_000 + 5, g => i))
                    .expect("add");
            }
        }
        w.commit().expect("commit");
        let searcher = index.reader().expect("reader").searcher();
        let sr = searcher.segment_reader(0);
        let col = sr.fast_fields().u64("f").expect("column");
        let wrapped = DocColumn::new(col.clone());
        assert_eq!(wrapped.full.is_some(), !with_gaps);
        (0..sr.max_doc())
            .map(|d| (wrapped.first(d), col.first(d)))
            .collect()
    }

    #[test]
    fn doc_column_reads_what_the_column_reads() {
        for gaps in [false, true] {
            let pairs = read_back(gaps);
            assert_eq!(pairs.len(), 300);
            assert!(pairs.iter().all(|(a, b)| a == b));
            let missing = pairs.iter().filter(|(a, _)| a.is_none()).count();
            assert_eq!(missing, if gaps { 43 } else { 0 });
        }
    }
}
