//! Property tests: the query parser and the line parsers never panic.

use proptest::prelude::*;
use yelpsearch::ParsedQuery;
use yelpsearch::{parse_business, parse_review};

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

    #[test]
    fn query_parser_never_panics(q in "\\PC{0,80}", zip in proptest::option::of("[0-9A-Za-z \\-]{0,9}")) {
        let _ = ParsedQuery::parse(&q, zip.as_deref());
    }

    #[test]
    fn query_parser_with_structure(words in proptest::collection::vec("[a-zé\"]{0,8}|[0-9]{5}|in|near", 0..8)) {
        let q = words.join(" ");
        if let Ok(p) = ParsedQuery::parse(&q, None) {
            prop_assert!(!p.clauses.is_empty());
            prop_assert_eq!(p.zip.len(), 5);
        }
    }

    #[test]
    fn line_parsers_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..300)) {
        let _ = parse_review(&bytes);
        let _ = parse_business(&bytes);
    }

    #[test]
    fn json_shaped_lines_never_panic(
        id in "\\PC{0,10}", stars in any::<f64>(), date in "[0-9 :\\-]{0,20}", text in "\\PC{0,40}"
    ) {
        let line = serde_json::json!({"review_id": id, "business_id": "b", "stars": stars, "text": text, "date": date}).to_string();
        let _ = parse_review(line.as_bytes());
    }
}
