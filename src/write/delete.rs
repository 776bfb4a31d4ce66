//! Deleting chosen documents: a tantivy query that matches exactly a list of
//! (segment, document) addresses.
//!
//! An update finds the documents an edited review replaces by its review id, checks
//! them against the stored id, and then deletes exactly those documents. Tantivy deletes
//! by term or by query; the review id is not an indexed term (638k unique ids made a
//! third of a build's term dictionary work), so the deletes go through this query.
//! Segment ids survive the hard-linking of a parent version's files, so addresses read
//! from the parent name the same documents in the version being written.

use std::collections::HashMap;
use std::sync::Arc;

use tantivy::index::SegmentId;
use tantivy::query::{ConstScorer, EmptyScorer, EnableScoring, Explanation, Query, Scorer, Weight};
use tantivy::{DocId, DocSet, Score, SegmentReader, TantivyError, TERMINATED};

/// Matches the listed documents of the listed segments and nothing else.
#[derive(Clone, Debug, Default)]
pub struct DocsQuery {
    docs: HashMap<SegmentId, Vec<DocId>>,
}

impl DocsQuery {
    /// Adds one document.
    pub fn insert(&mut self, segment: SegmentId, doc: DocId) {
        self.docs.entry(segment).or_default().push(doc);
    }

    /// Whether no document is listed.
    pub fn is_empty(&self) -> bool {
        self.docs.is_empty()
    }
}

impl Query for DocsQuery {
    fn weight(&self, _scoring: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        let docs = self
            .docs
            .iter()
            .map(|(s, d)| {
                let mut d = d.clone();
                d.sort_unstable();
                d.dedup();
                (*s, Arc::new(d))
            })
            .collect();
        Ok(Box::new(DocsWeight { docs }))
    }
}

struct DocsWeight {
    docs: HashMap<SegmentId, Arc<Vec<DocId>>>,
}

impl Weight for DocsWeight {
    fn scorer(&self, reader: &SegmentReader, boost: Score) -> tantivy::Result<Box<dyn Scorer>> {
        Ok(match self.docs.get(&reader.segment_id()) {
            None => Box::new(EmptyScorer),
            Some(d) => Box::new(ConstScorer::new(
                SortedDocs::new(d.clone(), reader.max_doc()),
                boost,
            )),
        })
    }

    fn explain(&self, reader: &SegmentReader, doc: DocId) -> tantivy::Result<Explanation> {
        let listed = self
            .docs
            .get(&reader.segment_id())
            .is_some_and(|d| d.binary_search(&doc).is_ok());
        if listed {
            Ok(Explanation::new("listed document", 1.0))
        } else {
            Err(TantivyError::InvalidArgument(format!(
                "document {doc} is not listed"
            )))
        }
    }
}

/// A doc set over a sorted, deduplicated list of documents (those past `max_doc` are
/// ignored).
struct SortedDocs {
    docs: Arc<Vec<DocId>>,
    len: usize,
    cursor: usize,
}

impl SortedDocs {
    fn new(docs: Arc<Vec<DocId>>, max_doc: DocId) -> Self {
        let len = docs.partition_point(|&d| d < max_doc);
        SortedDocs {
            docs,
            len,
            cursor: 0,
        }
    }
}

impl DocSet for SortedDocs {
    fn advance(&mut self) -> DocId {
        if self.cursor < self.len {
            self.cursor += 1;
        }
        self.doc()
    }

    fn doc(&self) -> DocId {
        if self.cursor < self.len {
            self.docs[self.cursor]
        } else {
            TERMINATED
        }
    }

    fn size_hint(&self) -> u32 {
        (self.len - self.cursor) as u32
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tantivy::collector::DocSetCollector;
    use tantivy::schema::{Schema, FAST};
    use tantivy::{doc, Index, IndexWriter};

    #[test]
    fn deletes_exactly_the_listed_documents() -> tantivy::Result<()> {
        let mut b = Schema::builder();
        let n = b.add_u64_field("n", FAST);
        let index = Index::create_in_ram(b.build());
        let mut w: IndexWriter = index.writer_with_num_threads(1, 15_000_000)?;
        for i in 0..10u64 {
            w.add_document(doc!(n => i))?;
        }
        w.commit()?;
        let searcher = index.reader()?.searcher();
        let seg = searcher.segment_reader(0).segment_id();
        let mut q = DocsQuery::default();
        for d in [7, 2, 2, 9, 500] {
            q.insert(seg, d);
        }
        let found = searcher.search(&q, &DocSetCollector)?;
        let mut found: Vec<u32> = found.into_iter().map(|a| a.doc_id).collect();
        found.sort_unstable();
        assert_eq!(found, [2, 7, 9]);
        w.delete_query(Box::new(q))?;
        w.commit()?;
        let reader = index.reader()?;
        reader.reload()?;
        let s = reader.searcher();
        let col = s.segment_reader(0).fast_fields().u64("n")?;
        let alive = s.segment_reader(0).alive_bitset().cloned();
        let live: Vec<u64> = (0..10)
            .filter(|&d| alive.as_ref().is_none_or(|a| a.is_alive(d)))
            .filter_map(|d| col.first(d))
            .collect();
        assert_eq!(live, [0, 1, 3, 4, 5, 6, 8]);
        Ok(())
    }
}
