//! One review as a tantivy document: analysed once, clauses scored by the text model.

use tantivy::schema::Term;
use tantivy::tokenizer::PreTokenizedString;
use tantivy::TantivyDocument;

use super::schema::Fields;
use super::spill::SpillRecord;
use crate::analysis::{to_tokens, Analyzer};
use crate::rank::clauses;
use crate::rank::text_model::TextModel;

/// Builds the document of a review.
pub fn review_document(
    fields: &Fields,
    analyzer: &Analyzer,
    text_model: Option<&TextModel>,
    rec: &SpillRecord,
) -> TantivyDocument {
    let words = analyzer.words(&rec.text);
    let cl = clauses::clauses(analyzer, &rec.text, &words);
    let mut scratch = Vec::new();
    let logits: Vec<f32> = cl
        .iter()
        .map(|c| text_model.map_or(0.0, |m| m.score_words(&words[c.start..c.end], &mut scratch)))
        .collect();
    let encoded = clauses::encode(&words, &cl, &logits);
    let mut doc = TantivyDocument::default();
    doc.add_text(fields.review_id, &rec.review_id);
    doc.add_u64(fields.zip, rec.zip as u64);
    doc.add_u64(fields.biz, rec.biz as u64);
    doc.add_u64(fields.stars, rec.stars as u64);
    doc.add_i64(fields.day, rec.day as i64);
    doc.add_u64(fields.useful, rec.useful as u64);
    doc.add_pre_tokenized_text(
        fields.text,
        PreTokenizedString {
            text: rec.text.clone(),
            tokens: to_tokens(&words),
        },
    );
    for v in encoded {
        doc.add_u64(fields.sentences, v);
    }
    doc
}

/// The term that identifies a review (for delete-and-replace).
pub fn review_term(fields: &Fields, review_id: &str) -> Term {
    Term::from_field_text(fields.review_id, review_id)
}
