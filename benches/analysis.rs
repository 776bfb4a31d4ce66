//! Text analysis throughput: the words of review texts (folding, stopwords, stemming,
//! the per-thread word memo), a review's index-time analysis (words, clauses and the
//! encoded terms) and tantivy's side of it (the encoded terms split again by
//! `TermsTokenizer`), one thread; and the text model's training (its SGD alone, over the
//! clauses of those reviews).
//!
//! Review texts come from `YELP_REVIEWS` (a Yelp review file, JSON lines, gzip or not:
//! its first `YELP_TEXTS` texts, 20,000 unless set) or else from the synthetic generator
//! (20,000 reviews).

mod support;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use tantivy::tokenizer::{TokenStream, Tokenizer};
use yelpsearch::analysis::Analyzer;
use yelpsearch::bench::clauses;
use yelpsearch::bench::{encode_terms, TermsTokenizer};
use yelpsearch::bench::{features, Example, TextModel, TextModelConfig};
use yelpsearch::bench::{Line, LineReader};
use yelpsearch::parse_review;

const TEXTS: usize = 20_000;

/// The texts of the first reviews of `YELP_REVIEWS` or of a generated corpus that the
/// build would accept, read as the build reads them.
fn texts() -> Vec<String> {
    let n = std::env::var("YELP_TEXTS").map_or(TEXTS, |v| v.parse().expect("YELP_TEXTS"));
    let path = std::env::var("YELP_REVIEWS")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|_| support::generated(400, TEXTS).1);
    let mut lines = LineReader::open(&path).expect("open the review file");
    let mut out = Vec::with_capacity(n);
    while out.len() < n {
        match lines.next_line().expect("read the review file") {
            Some(Line::Ok { bytes, .. }) => out.extend(parse_review(&bytes).ok().map(|r| r.text)),
            Some(Line::TooLong { .. }) => {}
            None => break,
        }
    }
    out
}

fn bench(c: &mut Criterion) {
    let texts = texts();
    let bytes: usize = texts.iter().map(String::len).sum();
    let a = Analyzer::default();
    let mut g = c.benchmark_group("analysis");
    g.sample_size(10);
    g.throughput(Throughput::Bytes(bytes as u64));
    g.bench_function("words", |b| {
        b.iter(|| texts.iter().map(|t| a.words(t).len()).sum::<usize>())
    });
    g.bench_function("review_terms_and_clauses", |b| {
        let mut out = String::new();
        b.iter(|| {
            let mut n = 0;
            for t in &texts {
                let words = a.words(t);
                n += clauses::clauses(&a, t, &words).len();
                out.clear();
                encode_terms(&words, &mut out);
                n += out.len();
            }
            n
        })
    });
    let encoded: Vec<String> = texts
        .iter()
        .map(|t| {
            let mut out = String::new();
            encode_terms(&a.words(t), &mut out);
            out
        })
        .collect();
    g.bench_function("terms_tokenized", |b| {
        let mut tokenizer = TermsTokenizer;
        b.iter(|| {
            let mut n = 0;
            for e in &encoded {
                let mut stream = tokenizer.token_stream(e);
                while stream.advance() {
                    n += stream.token().position;
                }
            }
            n
        })
    });
    g.finish();

    // The clauses of the texts labelled by a stand-in polarity (the text's length
    // parity): the SGD's cost depends on the features' count and spread, not the labels.
    let examples: Vec<Example> = texts
        .iter()
        .flat_map(|t| {
            let words = a.words(t);
            let label = (t.len() % 2) as f32;
            clauses::clauses(&a, t, &words)
                .into_iter()
                .map(|c| {
                    let mut f = Vec::new();
                    features(&words[c.start..c.end], &mut f);
                    Example { features: f, label }
                })
                .collect::<Vec<_>>()
        })
        .collect();
    let mut g = c.benchmark_group("text_model");
    g.sample_size(10);
    g.throughput(Throughput::Elements(examples.len() as u64));
    let config = TextModelConfig::default();
    g.bench_function("train", |b| {
        b.iter(|| TextModel::train(&examples, &config).bias)
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
