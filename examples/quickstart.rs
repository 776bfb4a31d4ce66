//! Rust quickstart: generate a small synthetic corpus, build an index, search it.
//!
//! ```sh
//! cargo run --release --example quickstart
//! ```

use yelpsearch::generate::{generate, GenerateOptions};
use yelpsearch::{build_index, BuildOptions};
use yelpsearch::{Index, SearchRequest};

fn main() -> Result<(), yelpsearch::Error> {
    let dir = std::env::temp_dir().join("yelpsearch-quickstart");
    let data = generate(
        &dir.join("data"),
        &GenerateOptions {
            businesses: 500,
            reviews: 30_000,
            seed: 1,
        },
    )?;
    let report = build_index(
        &data.business_path,
        &data.review_path,
        &dir.join("index"),
        &BuildOptions::default(),
    )?;
    println!(
        "indexed {} reviews in {:.1}s",
        report.indexed, report.seconds
    );

    let index = Index::open(dir.join("index"))?;
    let zip = index.snapshot().table.zips()[0].clone();
    let res = index.search(&SearchRequest::new(format!("pizza in {zip}")).limit(5))?;
    for (rank, hit) in res.results.iter().enumerate() {
        println!(
            "{}. {} — {} matching reviews",
            rank + 1,
            hit.business.name,
            hit.matches
        );
        if let Some(s) = hit.snippets.first() {
            println!("   “{}”", s.text);
        }
    }
    Ok(())
}
