//! One opened, immutable index version: everything a search reads.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use tantivy::columnar::Column;
use tantivy::{Index, IndexReader, InvertedIndexReader, ReloadPolicy, Searcher};

use super::lexicon::Lexicon;
use super::stats::business_stats;
use crate::analysis::Analyzer;
use crate::error::{Error, Result};
use crate::model::affinity::ZipCategories;
use crate::model::features::BizStats;
use crate::model::file::ModelFile;
use crate::store::files::verify_sizes;
use crate::store::layout::{read_manifest, IndexDir, Manifest, ReaderPin, BUSINESSES, MODEL};
use crate::store::open::{open_tantivy, open_tantivy_readonly};
use crate::store::rows::{DocColumn, DocRows};
use crate::store::schema::{fields_of, names, Fields};
use crate::store::surfaces::Surfaces;
use crate::store::table::{BusinessTable, Listing};

/// What a search reads of one segment.
pub struct SegmentColumns {
    /// Each document's business, day, votes, stars and field norm, by doc id.
    pub rows: DocRows,
    /// [`crate::store::schema::review_key`] of the review id (None in indexes older than it).
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
    /// The terms of the businesses' categories and names, by zipcode, and where each
    /// zipcode lies.
    pub lexicon: Lexicon,
    /// How the index's terms are usually written (for corrections shown to people).
    pub surfaces: Surfaces,
    /// Example queries that find places on this version, made on first use (by the
    /// handle's `example_queries`).
    pub examples: std::sync::OnceLock<Vec<String>>,
    _pin: Option<ReaderPin>,
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
        verify_sizes(vdir, &manifest)?;
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
        let analyzer = Analyzer::default();
        let lexicon = Lexicon::new(&table, &analyzer);
        let surfaces = Surfaces::load(vdir)?;
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
            analyzer,
            lexicon,
            surfaces,
            examples: std::sync::OnceLock::new(),
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
