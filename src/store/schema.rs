//! The tantivy schema of the review index: one document per review.
//!
//! Indexes written before the `body` and `review_key` fields existed (layout 1, first
//! schema) stay readable and updatable: [`fields_of`] reports those two as absent, the
//! raw text is then read from `text` ([`Fields::stored_text`]), and an update finds an
//! edited review by its indexed `review_id` term.

use tantivy::schema::{
    Field, IndexRecordOption, NumericOptions, Schema, TextFieldIndexing, TextOptions, FAST, STORED,
};

use super::terms::TERMS_TOKENIZER;

/// Field handles of the review schema.
#[derive(Debug, Clone, Copy)]
pub struct Fields {
    /// Yelp's review id, stored (older indexes also index it as a raw term: an update
    /// found an edited review's old document by it).
    pub review_id: Field,
    /// [`review_key`] of the review id (fast): how an update finds an edited review's
    /// old document (None in older indexes, which index `review_id` instead).
    pub review_key: Option<Field>,
    /// Zipcode ordinal (exact-match term and fast field): the filter of every query.
    pub zip: Field,
    /// Business ordinal in the business table (fast).
    pub biz: Field,
    /// Stars 1-5 (fast).
    pub stars: Field,
    /// Review day, days since 1970-01-01 (fast).
    pub day: Field,
    /// Useful votes (fast).
    pub useful: Field,
    /// Review terms, indexed with positions: the build's own analysis, handed over as
    /// `terms` strings and not stored. Older indexes analysed and stored the
    /// raw text here.
    pub text: Field,
    /// The raw review text, stored for snippets (None in older indexes, which store it
    /// in `text`: see [`Fields::stored_text`]).
    pub body: Option<Field>,
    /// Per-clause word ranges and sentiment (multi-valued fast u64, one value per
    /// clause, as the model's clause encoding writes them).
    pub sentences: Field,
}

/// Field names, as written in the schema.
pub mod names {
    /// See [`super::Fields::review_id`].
    pub const REVIEW_ID: &str = "review_id";
    /// See [`super::Fields::review_key`].
    pub const REVIEW_KEY: &str = "review_key";
    /// See [`super::Fields::zip`].
    pub const ZIP: &str = "zip";
    /// See [`super::Fields::biz`].
    pub const BIZ: &str = "biz";
    /// See [`super::Fields::stars`].
    pub const STARS: &str = "stars";
    /// See [`super::Fields::day`].
    pub const DAY: &str = "day";
    /// See [`super::Fields::useful`].
    pub const USEFUL: &str = "useful";
    /// See [`super::Fields::text`].
    pub const TEXT: &str = "text";
    /// See [`super::Fields::body`].
    pub const BODY: &str = "body";
    /// See [`super::Fields::sentences`].
    pub const SENTENCES: &str = "sentences";
}

/// Builds the schema and its field handles.
pub fn build_schema() -> (Schema, Fields) {
    let mut b = Schema::builder();
    let review_id = b.add_text_field(names::REVIEW_ID, STORED);
    let review_key = b.add_u64_field(names::REVIEW_KEY, FAST);
    let zip = b.add_u64_field(names::ZIP, NumericOptions::default().set_indexed() | FAST);
    let biz = b.add_u64_field(names::BIZ, FAST);
    let stars = b.add_u64_field(names::STARS, FAST);
    let day = b.add_i64_field(names::DAY, FAST);
    let useful = b.add_u64_field(names::USEFUL, FAST);
    let text = b.add_text_field(
        names::TEXT,
        TextOptions::default().set_indexing_options(
            TextFieldIndexing::default()
                .set_tokenizer(TERMS_TOKENIZER)
                .set_index_option(IndexRecordOption::WithFreqsAndPositions),
        ),
    );
    let body = b.add_text_field(names::BODY, STORED);
    let sentences = b.add_u64_field(names::SENTENCES, FAST);
    let fields = Fields {
        review_id,
        review_key: Some(review_key),
        zip,
        biz,
        stars,
        day,
        useful,
        text,
        body: Some(body),
        sentences,
    };
    (b.build(), fields)
}

/// Looks up the field handles in an existing index's schema.
pub fn fields_of(schema: &Schema) -> tantivy::Result<Fields> {
    let f = |n: &str| schema.get_field(n);
    Ok(Fields {
        review_id: f(names::REVIEW_ID)?,
        review_key: f(names::REVIEW_KEY).ok(),
        zip: f(names::ZIP)?,
        biz: f(names::BIZ)?,
        stars: f(names::STARS)?,
        day: f(names::DAY)?,
        useful: f(names::USEFUL)?,
        text: f(names::TEXT)?,
        body: f(names::BODY).ok(),
        sentences: f(names::SENTENCES)?,
    })
}

impl Fields {
    /// The field the raw review text is stored in (`body`, or `text` in older indexes).
    pub fn stored_text(&self) -> Field {
        self.body.unwrap_or(self.text)
    }
}

/// The stable 64-bit key of a review id (FNV-1a: the same on every platform and
/// release, since it is written into indexes).
///
/// ```
/// use yelpsearch::bench::review_key;
/// assert_eq!(review_key(""), 0xcbf2_9ce4_8422_2325);
/// assert_ne!(review_key("a"), review_key("b"));
/// ```
pub fn review_key(review_id: &str) -> u64 {
    use std::hash::Hasher;
    let mut h = fnv::FnvHasher::default();
    h.write(review_id.as_bytes());
    h.finish()
}
