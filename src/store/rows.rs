//! What a search reads of each matching document, decoded once when an index version
//! opens: its business, day, useful votes, stars and field norm.
//!
//! Reading them from tantivy's fast fields costs a decode of each of five columns per
//! match; a [`DocRows`] holds them side by side, 8 bytes a document: the business
//! ordinal, the day as an offset from the segment's first day, the field norm, the stars,
//! and the useful votes up to 30 (more are read from their column, rarely). A segment
//! with a row that does not fit (days spanning more than 179 years, stars past 7) keeps
//! 16-byte rows instead. [`DocColumn`] reads any other single-valued fast field by
//! document.

use std::sync::Arc;

use tantivy::columnar::{Column, ColumnIndex, ColumnValues};
use tantivy::schema::Field;
use tantivy::{DocId, SegmentReader};

use super::schema::names;
use crate::error::Result;

/// What a search reads of a matching document.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct DocRow {
    /// Business ordinal.
    pub biz: u32,
    /// Day (days since 1970-01-01).
    pub day: i32,
    /// Useful votes.
    pub useful: u32,
    /// Stars.
    pub stars: u8,
    /// Field norm id of the text field.
    pub norm: u8,
}

/// Useful votes held in a packed row; this value means "read the column".
const USEFUL_IN_COLUMN: u64 = 31;

/// The [`DocRow`]s of one segment, by doc id.
pub struct DocRows {
    rows: Rows,
}

enum Rows {
    /// 8 bytes a document: biz (bits 0-31), day − `base_day` (32-47), field norm
    /// (48-55), stars (56-58), useful votes or [`USEFUL_IN_COLUMN`] (59-63).
    Packed {
        words: Vec<u64>,
        base_day: i32,
        useful: DocColumn<u64>,
    },
    /// 16 bytes a document, when the packed form cannot hold a segment's values.
    Wide(Vec<DocRow>),
}

impl DocRows {
    /// Reads every document's row of a segment from its fast fields and the field
    /// norms of `text`.
    pub fn read(sr: &SegmentReader, text: Field) -> Result<DocRows> {
        let ff = sr.fast_fields();
        let day_column = ff.i64(names::DAY)?;
        // Days are packed as offsets from the column's least value (a document without
        // one reads 0, which then does not fit, like any value a row cannot hold).
        let base_day = day_column
            .min_value()
            .clamp(i32::MIN as i64, i32::MAX as i64) as i32;
        let biz = DocColumn::new(ff.u64(names::BIZ)?);
        let day = DocColumn::new(day_column);
        let useful = DocColumn::new(ff.u64(names::USEFUL)?);
        let stars = DocColumn::new(ff.u64(names::STARS)?);
        let norms = sr.get_fieldnorms_reader(text)?;
        let row = |doc: DocId| DocRow {
            biz: biz
                .first(doc)
                .map_or(u32::MAX, |b| b.min(u32::MAX as u64) as u32),
            day: day.first(doc).unwrap_or(0) as i32,
            useful: useful.first(doc).unwrap_or(0).min(u32::MAX as u64) as u32,
            stars: stars.first(doc).unwrap_or(0).min(u8::MAX as u64) as u8,
            norm: norms.fieldnorm_id(doc),
        };
        // The packed word of a row, or None for one that does not fit (a day more than
        // 65,535 days after the base, stars past 7): the segment then keeps wide rows.
        let pack = |r: DocRow| {
            let offset = u16::try_from(r.day as i64 - base_day as i64).ok()?;
            let useful = (r.useful as u64).min(USEFUL_IN_COLUMN);
            (r.stars <= 7).then_some(
                r.biz as u64
                    | (offset as u64) << 32
                    | (r.norm as u64) << 48
                    | (r.stars as u64) << 56
                    | useful << 59,
            )
        };
        // Allocated once at its size (collecting into an `Option<Vec>` would grow it by
        // doubling, to up to twice the memory).
        let mut words = Vec::with_capacity(sr.max_doc() as usize);
        for doc in 0..sr.max_doc() {
            let Some(w) = pack(row(doc)) else {
                drop(words);
                return Ok(DocRows {
                    rows: Rows::Wide((0..sr.max_doc()).map(row).collect()),
                });
            };
            words.push(w);
        }
        Ok(DocRows {
            rows: Rows::Packed {
                words,
                base_day,
                useful,
            },
        })
    }

    /// The row of document `doc` (a doc id of the segment, below [`DocRows::len`]).
    #[inline]
    pub fn get(&self, doc: DocId) -> DocRow {
        match &self.rows {
            Rows::Packed {
                words,
                base_day,
                useful,
            } => {
                let w = words[doc as usize];
                let inline = w >> 59;
                DocRow {
                    biz: w as u32,
                    day: base_day + ((w >> 32) & 0xffff) as i32,
                    useful: if inline == USEFUL_IN_COLUMN {
                        useful.first(doc).unwrap_or(0).min(u32::MAX as u64) as u32
                    } else {
                        inline as u32
                    },
                    stars: ((w >> 56) & 0x7) as u8,
                    norm: (w >> 48) as u8,
                }
            }
            Rows::Wide(rows) => rows[doc as usize],
        }
    }

    /// Documents in the segment.
    pub fn len(&self) -> usize {
        match &self.rows {
            Rows::Packed { words, .. } => words.len(),
            Rows::Wide(rows) => rows.len(),
        }
    }

    /// Whether the segment has no documents.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Whether the rows are packed in 8 bytes a document (else 16).
    pub fn packed(&self) -> bool {
        matches!(self.rows, Rows::Packed { .. })
    }

    /// The segment's runs of documents of one business, in document order: a build
    /// writes a business's reviews side by side, so a few thousand runs name the
    /// business of every document from a table that stays in cache.
    pub fn biz_runs(&self) -> BizRuns {
        let mut runs: Vec<(DocId, u32)> = Vec::new();
        for doc in 0..self.len() as DocId {
            let biz = self.get(doc).biz;
            if runs.last().is_none_or(|&(_, b)| b != biz) {
                runs.push((doc, biz));
            }
        }
        BizRuns { runs }
    }
}

/// The business of each document of a segment, as runs ([`DocRows::biz_runs`]).
pub struct BizRuns {
    /// Each run's first document and business.
    runs: Vec<(DocId, u32)>,
}

impl BizRuns {
    /// Number of runs.
    pub fn len(&self) -> usize {
        self.runs.len()
    }

    /// Whether the segment has no documents.
    pub fn is_empty(&self) -> bool {
        self.runs.is_empty()
    }

    /// The business of `doc` (a document of the segment, not below the last one asked
    /// with this cursor), looked up from run `*at` on: documents asked in increasing
    /// order move `at` forward only.
    #[inline]
    pub fn biz(&self, doc: DocId, at: &mut usize) -> u32 {
        let rest = &self.runs[*at..];
        *at += rest
            .partition_point(|&(first, _)| first <= doc)
            .saturating_sub(1);
        self.runs[*at].1
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

#[cfg(test)]
mod tests {
    use super::*;
    use tantivy::schema::{Schema, FAST, TEXT};
    use tantivy::{doc, Index, IndexWriter};

    /// A one-segment index of the given (biz, day, useful, stars, words) documents, with
    /// the fast fields a build writes under their names.
    fn rows_of(docs: &[(u64, i64, u64, u64, &str)]) -> (DocRows, Vec<DocRow>) {
        let mut sb = Schema::builder();
        let biz = sb.add_u64_field(names::BIZ, FAST);
        let day = sb.add_i64_field(names::DAY, FAST);
        let useful = sb.add_u64_field(names::USEFUL, FAST);
        let stars = sb.add_u64_field(names::STARS, FAST);
        let text = sb.add_text_field(names::TEXT, TEXT);
        let index = Index::create_in_ram(sb.build());
        let mut w: IndexWriter = index.writer(15_000_000).expect("writer");
        for &(b, d, u, s, t) in docs {
            w.add_document(doc!(biz => b, day => d, useful => u, stars => s, text => t))
                .expect("add");
        }
        w.commit().expect("commit");
        let searcher = index.reader().expect("reader").searcher();
        let sr = searcher.segment_reader(0);
        let rows = DocRows::read(sr, text).expect("rows");
        let norms = sr.get_fieldnorms_reader(text).expect("norms");
        let expected = docs
            .iter()
            .enumerate()
            .map(|(i, &(b, d, u, s, _))| DocRow {
                biz: b as u32,
                day: d as i32,
                useful: u as u32,
                stars: s as u8,
                norm: norms.fieldnorm_id(i as u32),
            })
            .collect();
        (rows, expected)
    }

    fn all(rows: &DocRows) -> Vec<DocRow> {
        (0..rows.len() as u32).map(|d| rows.get(d)).collect()
    }

    #[test]
    fn packed_rows_read_back_every_value_votes_past_30_from_their_column() {
        let docs = [
            (0, 12_000, 0, 1, "a"),
            (7, 19_000, 30, 5, "a b c d e f g h"),
            (u32::MAX as u64 - 1, 12_000 + 65_535, 31, 3, ""),
            (42, 15_000, 1_000_000, 4, "x y"),
            (
                3,
                12_001,
                29,
                2,
                "one two three four five six seven eight nine ten",
            ),
        ];
        let (rows, expected) = rows_of(&docs);
        assert!(rows.packed());
        assert_eq!(all(&rows), expected);
        // The norms differ, so they are read, not all zero.
        assert_ne!(expected[0].norm, expected[4].norm);
    }

    #[test]
    fn runs_name_the_business_of_every_document() {
        let docs = [
            (4, 12_000, 0, 1, "a"),
            (4, 12_001, 0, 1, "b"),
            (9, 12_000, 0, 1, "c"),
            (4, 12_002, 0, 1, "d"),
            (4, 12_003, 0, 1, "e"),
            (7, 12_000, 0, 1, "f"),
        ];
        let (rows, expected) = rows_of(&docs);
        let runs = rows.biz_runs();
        assert_eq!(runs.len(), 4, "a business met again starts a new run");
        // Every document in order, and every other document, from one cursor.
        for step in [1, 2, 3] {
            let mut at = 0;
            for doc in (0..docs.len()).step_by(step) {
                assert_eq!(
                    runs.biz(doc as u32, &mut at),
                    expected[doc].biz,
                    "doc {doc}"
                );
            }
        }
    }

    #[test]
    fn days_spanning_more_than_the_packed_offset_keep_wide_rows() {
        let docs = [(1, -40_000, 2, 4, "a"), (2, 30_000, 50, 5, "b c")];
        let (rows, expected) = rows_of(&docs);
        assert!(!rows.packed());
        assert_eq!(all(&rows), expected);
        assert_eq!(rows.len(), 2);
    }

    #[test]
    fn stars_past_seven_keep_wide_rows() {
        let (rows, expected) = rows_of(&[(1, 100, 0, 9, "a")]);
        assert!(!rows.packed());
        assert_eq!(all(&rows), expected);
    }

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
