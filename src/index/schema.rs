//! The tantivy schema of the review index: one document per review.

use tantivy::schema::{
    Field, IndexRecordOption, NumericOptions, Schema, TextFieldIndexing, TextOptions, FAST, STORED,
    STRING,
};

use crate::analysis::TOKENIZER_NAME;

/// Field handles of the review schema.
#[derive(Debug, Clone, Copy)]
pub struct Fields {
    /// Yelp's review id (raw term, stored): replacing an edited review deletes by it.
    pub review_id: Field,
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
    /// Review text: analyzed with positions, stored for snippets.
    pub text: Field,
    /// Per-clause word ranges and sentiment (multi-valued fast u64, see
    /// [`crate::rank::clauses`]).
    pub sentences: Field,
}

/// Field names, as written in the schema.
pub mod names {
    /// See [`super::Fields::review_id`].
    pub const REVIEW_ID: &str = "review_id";
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
    /// See [`super::Fields::sentences`].
    pub const SENTENCES: &str = "sentences";
}

/// Builds the schema and its field handles.
pub fn build_schema() -> (Schema, Fields) {
    let mut b = Schema::builder();
    let review_id = b.add_text_field(names::REVIEW_ID, STRING | STORED);
    let zip = b.add_u64_field(names::ZIP, NumericOptions::default().set_indexed() | FAST);
    let biz = b.add_u64_field(names::BIZ, FAST);
    let stars = b.add_u64_field(names::STARS, FAST);
    let day = b.add_i64_field(names::DAY, FAST);
    let useful = b.add_u64_field(names::USEFUL, FAST);
    let text = b.add_text_field(
        names::TEXT,
        TextOptions::default().set_stored().set_indexing_options(
            TextFieldIndexing::default()
                .set_tokenizer(TOKENIZER_NAME)
                .set_index_option(IndexRecordOption::WithFreqsAndPositions),
        ),
    );
    let sentences = b.add_u64_field(names::SENTENCES, FAST);
    let fields = Fields {
        review_id,
        zip,
        biz,
        stars,
        day,
        useful,
        text,
        sentences,
    };
    (b.build(), fields)
}

/// Looks up the field handles in an existing index's schema.
pub fn fields_of(schema: &Schema) -> tantivy::Result<Fields> {
    let f = |n: &str| schema.get_field(n);
    Ok(Fields {
        review_id: f(names::REVIEW_ID)?,
        zip: f(names::ZIP)?,
        biz: f(names::BIZ)?,
        stars: f(names::STARS)?,
        day: f(names::DAY)?,
        useful: f(names::USEFUL)?,
        text: f(names::TEXT)?,
        sentences: f(names::SENTENCES)?,
    })
}
