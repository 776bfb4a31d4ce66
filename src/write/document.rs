//! One review as a tantivy document: analysed once, clauses scored by the text model
//! (a clause that names another business of the index scores 0: no verdict on this one's
//! dish, [`PlaceNames`]).

use tantivy::schema::Term;
use tantivy::TantivyDocument;

use super::spill::SpillRecord;
use crate::analysis::Analyzer;
use crate::model::clauses;
use crate::model::names::PlaceNames;
use crate::model::text::TextModel;
use crate::store::schema::{review_key, Fields};
use crate::store::terms::encode_terms;

/// Builds the document of a review.
pub fn review_document(
    fields: &Fields,
    analyzer: &Analyzer,
    text_model: Option<&TextModel>,
    names: &PlaceNames,
    rec: &SpillRecord,
) -> TantivyDocument {
    let words = analyzer.words(&rec.text);
    let cl = clauses::clauses(analyzer, &rec.text, &words);
    let mut scratch = Vec::new();
    let logits: Vec<f32> = cl
        .iter()
        .map(|c| {
            let clause = &words[c.start..c.end];
            match text_model {
                // A sentence that names another business judges that one's dish.
                Some(_) if names.names_another(&rec.text, clause, rec.biz) => 0.0,
                Some(m) => m.score_words(clause, &mut scratch),
                None => 0.0,
            }
        })
        .collect();
    let encoded = clauses::encode(&words, &cl, &logits);
    let mut doc = TantivyDocument::default();
    doc.add_text(fields.review_id, &rec.review_id);
    if let Some(key) = fields.review_key {
        doc.add_u64(key, review_key(&rec.review_id));
    }
    doc.add_u64(fields.zip, rec.zip as u64);
    doc.add_u64(fields.biz, rec.biz as u64);
    doc.add_u64(fields.stars, rec.stars as u64);
    doc.add_i64(fields.day, rec.day as i64);
    doc.add_u64(fields.useful, rec.useful as u64);
    match fields.body {
        Some(body) => {
            let mut terms = String::with_capacity(rec.text.len());
            encode_terms(&words, &mut terms);
            doc.add_text(fields.text, &terms);
            doc.add_text(body, &rec.text);
        }
        // An index older than the `body` field (an update of one): tantivy analyses
        // and stores the raw text itself, with the same analyzer.
        None => doc.add_text(fields.text, &rec.text),
    }
    for v in encoded {
        doc.add_u64(fields.sentences, v);
    }
    doc
}

/// The term that identifies a review in indexes older than the `review_key` field.
pub fn review_term(fields: &Fields, review_id: &str) -> Term {
    Term::from_field_text(fields.review_id, review_id)
}
