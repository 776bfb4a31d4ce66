//! Search latency: the learned ranker and BM25-only, with and without snippets.
//!
//! On the evaluation corpus: `YELP_INDEX=bench-out/full/index
//! YELP_QUERIES=bench-out/full/dev/queries.tsv cargo bench --bench search`.

mod support;

use criterion::{criterion_group, criterion_main, Criterion};
use yelpsearch::{Index, RankMode, SearchRequest};

fn bench(c: &mut Criterion) {
    let (idx, queries) = support::index_and_queries();
    let index = Index::open(&idx).expect("open index");
    let mut g = c.benchmark_group("search");
    for (name, mode, snippets) in [
        ("model_ranked_list", RankMode::Model, 0),
        ("bm25_ranked_list", RankMode::Bm25, 0),
        ("model_with_snippets", RankMode::Model, 3),
    ] {
        let reqs: Vec<SearchRequest> = queries
            .iter()
            .map(|(z, t)| {
                let mut r = SearchRequest::new(t.clone()).zip(z.clone()).limit(10);
                r.mode = mode;
                r.snippets = snippets;
                r
            })
            .collect();
        let mut i = 0usize;
        g.bench_function(name, |b| {
            b.iter(|| {
                i = (i + 1) % reqs.len();
                index.search(&reqs[i]).map(|r| r.results.len()).unwrap_or(0)
            })
        });
    }
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
