//! The one-command demo: generate a synthetic corpus, build its index, and serve the
//! page on localhost with a few example queries that have a planted best answer.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

use percent_encoding::{utf8_percent_encode, NON_ALPHANUMERIC};
use yelpsearch::generate::{generate, GenerateOptions, Truth};
use yelpsearch::{build_index, BuildOptions, IndexDir, Progress};
use yelpsearch::{Index, SearchRequest};

use crate::error::CliResult;
use crate::http::{serve, Settings};

/// Settings of `yelpsearch demo`.
#[derive(Debug, clap::Args)]
pub struct DemoArgs {
    /// Where to put the demo's corpus (DIR/corpus) and index (DIR/index). An index
    /// already there is served as it is.
    #[arg(long, default_value = "demo-data")]
    pub dir: PathBuf,
    /// Address to serve on.
    #[arg(long, default_value = "127.0.0.1:8080")]
    pub addr: String,
    /// Businesses to generate.
    #[arg(long, default_value_t = 3_000)]
    pub businesses: usize,
    /// Reviews to generate.
    #[arg(long, default_value_t = 150_000)]
    pub reviews: usize,
    /// Generator seed.
    #[arg(long, default_value_t = 42)]
    pub seed: u64,
}

/// Example queries printed at start.
const EXAMPLES: usize = 4;
/// Quality margin over the runner-up that marks a planted local champion.
const PLANTED_MARGIN: f32 = 0.2;

/// Generates a corpus and builds its index unless DIR/index has a current version,
/// then serves it until Ctrl-C.
pub fn run_demo(args: DemoArgs) -> CliResult<()> {
    let corpus = args.dir.join("corpus");
    let index = args.dir.join("index");
    if IndexDir::new(&index).current().is_ok() {
        eprintln!(
            "using the index in {} (delete {} to start over)",
            index.display(),
            args.dir.display()
        );
    } else {
        prepare(&args, &corpus, &index)?;
    }
    let examples = examples(&corpus.join("truth.json"), &index);
    let settings = Settings::new(index, args.addr.clone());
    serve(settings, |addr| announce(addr, &examples))
}

/// Generates the corpus and builds the index.
fn prepare(args: &DemoArgs, corpus: &Path, index: &Path) -> CliResult<()> {
    let t0 = Instant::now();
    eprintln!(
        "generating {} businesses and {} reviews into {} ...",
        args.businesses,
        args.reviews,
        corpus.display()
    );
    let opts = GenerateOptions {
        businesses: args.businesses,
        reviews: args.reviews,
        seed: args.seed,
    };
    let g = generate(corpus, &opts)?;
    eprintln!(
        "  {} zipcodes, {:.1}s",
        g.zipcodes,
        t0.elapsed().as_secs_f64()
    );
    eprintln!("building the index in {} ...", index.display());
    let last_stage = std::sync::Mutex::new("");
    let progress = move |p: &Progress| {
        let mut last = last_stage.lock().unwrap_or_else(|e| e.into_inner());
        if *last != p.stage {
            *last = p.stage;
            eprintln!("  {}", p.stage);
        }
    };
    let build = BuildOptions {
        progress: Some(Arc::new(progress)),
        ..BuildOptions::default()
    };
    let r = build_index(&g.business_path, &g.review_path, index, &build)?;
    eprintln!(
        "  {} reviews indexed as {}, {:.1}s in all",
        r.indexed,
        r.version,
        t0.elapsed().as_secs_f64()
    );
    Ok(())
}

/// A query to try, with the business the truth says is best.
#[derive(Clone)]
struct Example {
    query: String,
    zip: String,
    dish: String,
    best: String,
    rank: usize,
}

/// Up to [`EXAMPLES`] queries from the truth whose planted champion the index ranks in
/// its top three (first place preferred), in different zipcodes and dishes where
/// possible. Empty if there is no truth file (an index brought from elsewhere).
fn examples(truth_path: &Path, index: &Path) -> Vec<Example> {
    let (Ok(truth), Ok(index)) = (Truth::load(truth_path), Index::open(index)) else {
        return Vec::new();
    };
    // A dozen candidates from each of the eight biggest zipcodes.
    let mut per_zip: BTreeMap<String, usize> = BTreeMap::new();
    let candidates: Vec<(String, String, String)> = planted(&truth)
        .into_iter()
        .filter(|(zip, _, _)| {
            if !per_zip.contains_key(zip) && per_zip.len() == 8 {
                return false;
            }
            let n = per_zip.entry(zip.clone()).or_default();
            *n += 1;
            *n <= 12
        })
        .collect();
    let mut found: Vec<Example> = candidates
        .into_iter()
        .filter_map(|(zip, dish, id)| {
            let query = format!("{zip} {dish}");
            let res = index
                .search(&SearchRequest::new(query.clone()).limit(3))
                .ok()?;
            let pos = res
                .results
                .iter()
                .position(|h| h.business.business_id == id)?;
            let best = res.results[pos].business.name.clone();
            Some(Example {
                query,
                zip,
                dish,
                best,
                rank: pos + 1,
            })
        })
        .collect();
    found.sort_by_key(|e| e.rank);
    let mut picked: Vec<Example> = Vec::new();
    // First distinct zipcodes and dishes, then distinct dishes.
    for distinct_zip in [true, false] {
        for e in &found {
            let clash = picked
                .iter()
                .any(|p| p.dish == e.dish || (distinct_zip && p.zip == e.zip));
            if picked.len() < EXAMPLES && !clash {
                picked.push(e.clone());
            }
        }
    }
    picked
}

/// (zipcode, dish, champion id) of every pair with a planted local champion: three or
/// more servers, the best [`PLANTED_MARGIN`] above the runner-up. Biggest zipcodes first.
fn planted(truth: &Truth) -> Vec<(String, String, String)> {
    let mut by_pair: BTreeMap<(&str, &str), Vec<(f32, &str)>> = BTreeMap::new();
    let mut zip_size: BTreeMap<&str, usize> = BTreeMap::new();
    for b in truth
        .businesses
        .iter()
        .filter(|b| !b.postal_code.is_empty())
    {
        *zip_size.entry(&b.postal_code).or_default() += 1;
        for (dish, q) in &b.quality {
            by_pair
                .entry((&b.postal_code, dish))
                .or_default()
                .push((*q, &b.business_id));
        }
    }
    let mut out: Vec<(usize, String, String, String)> = Vec::new();
    for ((zip, dish), mut servers) in by_pair {
        if servers.len() < 3 {
            continue;
        }
        servers.sort_by(|a, b| b.0.total_cmp(&a.0));
        if servers[0].0 - servers[1].0 >= PLANTED_MARGIN - 1e-3 {
            out.push((
                zip_size[zip],
                zip.to_string(),
                dish.to_string(),
                servers[0].1.to_string(),
            ));
        }
    }
    out.sort_by(|a, b| {
        b.0.cmp(&a.0)
            .then_with(|| a.1.cmp(&b.1))
            .then_with(|| a.2.cmp(&b.2))
    });
    out.into_iter().map(|(_, z, d, id)| (z, d, id)).collect()
}

/// Prints where to point a browser, and the examples.
fn announce(addr: SocketAddr, examples: &[Example]) {
    let host = if addr.ip().is_unspecified() {
        "127.0.0.1".to_string()
    } else {
        addr.ip().to_string()
    };
    let base = if addr.is_ipv6() {
        format!("http://[{host}]:{}", addr.port())
    } else {
        format!("http://{host}:{}", addr.port())
    };
    let enc = |q: &str| utf8_percent_encode(q, NON_ALPHANUMERIC).to_string();
    println!("\nyelpsearch demo: open {base}/  (Ctrl-C to stop)\n");
    if !examples.is_empty() {
        println!("Try these (the generator planted a clear best for each):");
        let width = examples
            .iter()
            .map(|e| e.query.chars().count())
            .max()
            .unwrap_or(0);
        for e in examples {
            println!(
                "  {:<width$}  best: {:<24}  {base}/?q={}",
                e.query,
                e.best,
                enc(&e.query)
            );
        }
        println!();
    }
    let api = examples.first().map_or("61820 pasta", |e| e.query.as_str());
    println!(
        "API: {base}/search?q={}   docs: {base}/openapi.json   metrics: {base}/metrics",
        enc(api)
    );
}
