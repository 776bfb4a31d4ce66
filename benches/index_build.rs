//! Index build throughput on a synthetic corpus (20,000 reviews), ranker training off
//! and on.

mod support;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use yelpsearch::{build_index, BuildOptions};

fn bench(c: &mut Criterion) {
    let (b, r, dir) = support::generated(400, 20_000);
    let mut g = c.benchmark_group("index_build");
    g.sample_size(10);
    g.throughput(Throughput::Elements(20_000));
    for (name, train) in [("no_ranker", false), ("with_ranker", true)] {
        g.bench_function(name, |bench| {
            bench.iter(|| {
                let out = dir.join(format!("bench-index-{name}"));
                let _ = std::fs::remove_dir_all(&out);
                let opts = BuildOptions {
                    train_ranker: train,
                    ..BuildOptions::default()
                };
                build_index(&b, &r, &out, &opts).expect("build").indexed
            })
        });
    }
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
