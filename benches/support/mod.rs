//! Shared setup of the criterion benches: an index and queries, either from the
//! evaluation corpus (YELP_INDEX + YELP_QUERIES) or from the synthetic generator.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

use yelpsearch::generate::{generate, GenerateOptions};
use yelpsearch::{build_index, BuildOptions};

/// A generated corpus in target/bench-cache, reused across runs.
pub fn generated(businesses: usize, reviews: usize) -> (PathBuf, PathBuf, PathBuf) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("target/bench-cache")
        .join(format!("gen-{businesses}-{reviews}"));
    let b = dir.join("business.jsonl.gz");
    let r = dir.join("review.jsonl.gz");
    if !r.exists() {
        generate(
            &dir,
            &GenerateOptions {
                businesses,
                reviews,
                seed: 7,
            },
        )
        .expect("generate");
    }
    (b, r, dir)
}

/// An index and (zip, term) queries.
pub fn index_and_queries() -> (PathBuf, Vec<(String, String)>) {
    if let (Ok(idx), Ok(q)) = (std::env::var("YELP_INDEX"), std::env::var("YELP_QUERIES")) {
        let text = std::fs::read_to_string(&q).expect("queries");
        let qs = text
            .lines()
            .filter_map(|l| {
                let c: Vec<&str> = l.split('\t').collect();
                (c.len() == 3).then(|| (c[1].to_string(), c[2].to_string()))
            })
            .collect();
        return (PathBuf::from(idx), qs);
    }
    let (b, r, dir) = generated(2_000, 100_000);
    let idx = dir.join("index");
    if !idx.join("CURRENT").exists() {
        build_index(&b, &r, &idx, &BuildOptions::default()).expect("build");
    }
    let index = yelpsearch::Index::open(&idx).expect("open");
    let snap = index.snapshot();
    let mut qs = Vec::new();
    for zip in snap.table.zips().iter().take(20) {
        for t in [
            "pizza",
            "pasta",
            "sushi",
            "coffee",
            "tacos",
            "fried chicken",
            "salad",
            "beer",
        ] {
            qs.push((zip.clone(), t.to_string()));
        }
    }
    (idx, qs)
}
