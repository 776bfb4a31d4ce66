//! Search latency: the learned ranker and BM25-only, with and without snippets; and the
//! learned ranker's forest alone over each query's candidates (`forest_per_query`).
//!
//! On the evaluation corpus: `YELP_INDEX=bench-out/full/index
//! YELP_QUERIES=bench-out/full/dev/queries.tsv cargo bench --bench search`.

mod support;

use criterion::{criterion_group, criterion_main, Criterion};
use yelpsearch::bench::{collect, CollectContext, Plan};
use yelpsearch::{Index, ParsedQuery, RankMode, SearchRequest};

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
    forest(&index, &queries, &mut g);
    g.finish();
}

/// The forest over each query's candidates, collected once beforehand; prints how many
/// candidates and matching reviews a query has on average.
fn forest(
    index: &Index,
    queries: &[(String, String)],
    g: &mut criterion::BenchmarkGroup<'_, criterion::measurement::WallTime>,
) {
    let snap = index.snapshot();
    let Some(ranker) = snap.model.ranker.as_ref() else {
        eprintln!("forest_per_query: the index has no ranker (BM25 fallback), skipped");
        return;
    };
    let ctx = CollectContext {
        from: None,
        until: None,
        stats: &snap.stats,
        now: snap.now,
        related: true,
        kin: true,
        judged: &snap.model.judged_terms,
    };
    let mut reviews = 0usize;
    let rows: Vec<Vec<[f32; yelpsearch::bench::N_FEATURES]>> = queries
        .iter()
        .filter_map(|(z, t)| {
            let q = ParsedQuery::parse_with(&snap.analyzer, t, Some(z)).ok()?;
            let plan = Plan::new(&snap, &q, false, None);
            let found = collect(&snap, &plan, &ctx).ok()?.candidates;
            reviews += found.iter().map(|c| c.acc.n as usize).sum::<usize>();
            Some(found.iter().map(|c| c.features).collect())
        })
        .collect();
    if rows.is_empty() {
        eprintln!("forest_per_query: no query found its zipcode, skipped");
        return;
    }
    let n: usize = rows.iter().map(Vec::len).sum();
    eprintln!(
        "forest_per_query: {} queries, {:.1} candidates and {:.1} matching reviews per query, {} trees",
        rows.len(),
        n as f64 / rows.len() as f64,
        reviews as f64 / rows.len() as f64,
        ranker.trees.len()
    );
    let (mut i, mut out) = (0usize, Vec::new());
    g.bench_function("forest_per_query", |b| {
        b.iter(|| {
            i = (i + 1) % rows.len();
            ranker.score_many(&rows[i], &mut out);
            out.len()
        })
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
