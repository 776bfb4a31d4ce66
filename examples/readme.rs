//! The README's Rust quickstart, as written there (tests/python/test_readme.py checks
//! that the two are the same, and runs it where the README's commands left `data/`).

use std::path::Path;
use yelpsearch::{build_index, BuildOptions, Index, SearchRequest};

fn main() -> Result<(), yelpsearch::Error> {
    let (data, idx) = (Path::new("data"), Path::new("idx"));
    let (business, reviews) = (data.join("business.jsonl.gz"), data.join("review.jsonl.gz"));
    build_index(&business, &reviews, idx, &BuildOptions::default())?;
    let index = Index::open(idx)?;
    for hit in index.search(&SearchRequest::new("61820 pasta"))?.results {
        println!("{} — {} matching reviews", hit.business.name, hit.matches);
        for s in &hit.snippets {
            println!("  “{}”", s.text); // HTML: escaped, query terms in <mark>
        }
    }
    Ok(())
}
