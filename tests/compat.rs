//! Indexes written by earlier releases stay readable and updatable.
//!
//! `tests/fixtures/schema1` is an index of the first schema (review text stored
//! pre-tokenized in `text`, `review_id` an indexed term), written by an earlier build of
//! yelpsearch; see its README.

mod common;

use std::path::{Path, PathBuf};

use yelpsearch::update_index;
use yelpsearch::BuildOptions;
use yelpsearch::{Index, SearchRequest};

use common::{copy_dir, gz_lines, review_line, write_lines};

fn fixture() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/schema1")
}

/// The zipcodes of the fixture's businesses.
fn zips() -> Vec<String> {
    let mut z: Vec<String> = gz_lines(&fixture().join("business.jsonl.gz"))
        .iter()
        .filter_map(|l| serde_json::from_slice::<serde_json::Value>(l).ok())
        .filter_map(|v| v["postal_code"].as_str().map(str::to_string))
        .filter(|z| !z.is_empty())
        .collect();
    z.sort();
    z.dedup();
    z
}

/// The first (zipcode, word) among common dish words that has matches.
fn some_match(index: &Index) -> (String, String) {
    for word in [
        "coffee", "pizza", "salad", "tacos", "burger", "noodles", "service",
    ] {
        for zip in zips() {
            let res = index
                .search(&SearchRequest::new(word).zip(&zip).related(false))
                .expect("search");
            if !res.results.is_empty() {
                return (zip, word.to_string());
            }
        }
    }
    panic!("no common word matches anywhere in the fixture");
}

#[test]
fn an_index_of_the_first_schema_searches_with_snippets_and_takes_updates() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let root = tmp.path().join("index");
    copy_dir(&fixture().join("index"), &root);
    let index = Index::open(&root).expect("open the old index");
    let before = index.stats().reviews;
    assert_eq!(before, 500);

    // Search: matches with snippets whose text comes from the old stored field.
    let (zip, word) = some_match(&index);
    let res = index
        .search(&SearchRequest::new(&word).zip(&zip).related(false))
        .expect("search");
    let hit = &res.results[0];
    assert!(hit.matches > 0);
    let snip = hit.snippets.first().expect("a snippet");
    assert!(
        snip.text.to_lowercase().contains(&word[..word.len() - 1]),
        "snippet {:?} should show {word:?}",
        snip.text
    );
    assert!(!snip.review_id.is_empty());

    // Update: edit the review behind that snippet and add a new one.
    let reviews = tmp.path().join("update.jsonl");
    write_lines(
        &reviews,
        &[
            review_line(
                &snip.review_id,
                &hit.business.business_id,
                5.0,
                "2023-03-01 12:00:00",
                "Edited: the quokkaberry tart was superb.",
            ),
            review_line(
                "compat-new-review-0001",
                &hit.business.business_id,
                4.0,
                "2023-03-02 12:00:00",
                "A wombatberry pie worth the trip.",
            ),
        ],
    );
    let opts = BuildOptions {
        memory_mb: 32,
        threads: 1,
        ..BuildOptions::default()
    };
    let r = update_index(&root, &reviews, None, &opts).expect("update the old index");
    assert_eq!((r.added, r.replaced, r.unchanged), (1, 1, 0));
    assert_eq!(r.total_reviews, before + 1);

    index.reload().expect("reload");
    assert_eq!(index.stats().reviews, before + 1);
    for (w, id) in [
        ("quokkaberry", snip.review_id.as_str()),
        ("wombatberry", "compat-new-review-0001"),
    ] {
        let res = index
            .search(&SearchRequest::new(w).zip(&zip).related(false))
            .expect("search");
        let ids: Vec<&str> = res
            .results
            .iter()
            .flat_map(|h| h.snippets.iter().map(|s| s.review_id.as_str()))
            .collect();
        assert_eq!(ids, [id], "{w}");
        assert!(res.results[0].snippets[0].text.contains(w));
    }
    // The edited review's old text is gone: the business has one review fewer that
    // mentions the word (the snippet shown for it came from that review).
    let res = index
        .search(
            &SearchRequest::new(&word)
                .zip(&zip)
                .limit(100)
                .related(false),
        )
        .expect("search");
    let after = res
        .results
        .iter()
        .find(|h| h.business.business_id == hit.business.business_id)
        .map_or(0, |h| h.matches);
    assert_eq!(after, hit.matches - 1);
}
