//! Search load on an index that may change underneath: worker threads search in a loop
//! while another thread calls `Index::reload` every few hundred milliseconds, as a
//! serving process does; prints searches per second and latency percentiles.
//!
//! ```text
//! cargo run --release --example search_load -- --index DIR [--queries queries.tsv]
//!     [--seconds 20] [--threads 2] [--reload-ms 200] [--stop-file PATH]
//! ```
//!
//! `--queries` takes make_qrels' `queries.tsv` (qid, postal code, term); without it,
//! a few dishes are asked in every zipcode of the index. The run ends after `--seconds`
//! or as soon as `--stop-file` exists. The last line is `key=value` figures for scripts.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use yelpsearch::{Index, SearchRequest};

/// Command-line options.
struct Args {
    index: PathBuf,
    queries: Option<PathBuf>,
    seconds: f64,
    threads: usize,
    reload_ms: u64,
    stop_file: Option<PathBuf>,
}

fn parse_args() -> Result<Args, String> {
    let mut a = Args {
        index: PathBuf::new(),
        queries: None,
        seconds: 20.0,
        threads: 2,
        reload_ms: 200,
        stop_file: None,
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let mut value = || it.next().ok_or_else(|| format!("{flag} needs a value"));
        let num = |v: String| {
            v.parse::<f64>()
                .map_err(|_| format!("{flag}: {v:?} is not a number"))
        };
        match flag.as_str() {
            "--index" => a.index = PathBuf::from(value()?),
            "--queries" => a.queries = Some(PathBuf::from(value()?)),
            "--seconds" => a.seconds = num(value()?)?,
            "--threads" => a.threads = num(value()?)?.max(1.0) as usize,
            "--reload-ms" => a.reload_ms = num(value()?)?.max(1.0) as u64,
            "--stop-file" => a.stop_file = Some(PathBuf::from(value()?)),
            _ => return Err(format!("unknown flag {flag:?}")),
        }
    }
    if a.index.as_os_str().is_empty() {
        return Err("--index DIR is required".into());
    }
    Ok(a)
}

/// The requests to cycle through.
fn requests(queries: Option<&Path>, index: &Index) -> Result<Vec<SearchRequest>, String> {
    let reqs: Vec<SearchRequest> = match queries {
        Some(p) => std::fs::read_to_string(p)
            .map_err(|e| format!("{}: {e}", p.display()))?
            .lines()
            .filter_map(|l| {
                let mut f = l.split('\t');
                let (_qid, zip, term) = (f.next()?, f.next()?, f.next()?);
                Some(SearchRequest::new(term).zip(zip))
            })
            .collect(),
        None => {
            let snap = index.snapshot();
            let zips = snap.table.zips().to_vec();
            zips.iter()
                .flat_map(|z| {
                    ["pizza", "pasta", "tacos", "friendly service"]
                        .map(|q| SearchRequest::new(q).zip(z))
                })
                .collect()
        }
    };
    if reqs.is_empty() {
        return Err("no queries".into());
    }
    Ok(reqs)
}

/// What the workers measured.
#[derive(Default)]
struct Tally {
    micros: Vec<u32>,
    errors: u64,
}

fn worker(
    index: Arc<Index>,
    reqs: Arc<Vec<SearchRequest>>,
    stop: Arc<AtomicBool>,
    start: usize,
) -> Tally {
    let mut t = Tally::default();
    let mut i = start;
    while !stop.load(Ordering::Relaxed) {
        let t0 = Instant::now();
        let ok = index.search(&reqs[i % reqs.len()]).is_ok();
        t.micros
            .push(t0.elapsed().as_micros().min(u32::MAX as u128) as u32);
        t.errors += u64::from(!ok);
        i += 1;
    }
    t
}

fn reloader(index: Arc<Index>, stop: Arc<AtomicBool>, every: Duration, swaps: Arc<AtomicU64>) {
    while !stop.load(Ordering::Relaxed) {
        std::thread::sleep(every);
        match index.reload() {
            Ok(true) => {
                swaps.fetch_add(1, Ordering::Relaxed);
                eprintln!("search_load: swapped to {}", index.version());
            }
            Ok(false) => {}
            Err(e) => eprintln!(
                "search_load: reload failed ({e}); still serving {}",
                index.version()
            ),
        }
    }
}

fn percentile(sorted: &[u32], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let k = ((sorted.len() - 1) as f64 * p).round() as usize;
    sorted[k] as f64 / 1e3
}

fn run(a: &Args) -> Result<(), String> {
    let index = Arc::new(Index::open(&a.index).map_err(|e| e.to_string())?);
    let reqs = Arc::new(requests(a.queries.as_deref(), &index)?);
    let from = index.version();
    let stop = Arc::new(AtomicBool::new(false));
    let swaps = Arc::new(AtomicU64::new(0));
    let t0 = Instant::now();
    let workers: Vec<_> = (0..a.threads)
        .map(|k| {
            let (index, reqs, stop) = (index.clone(), reqs.clone(), stop.clone());
            std::thread::spawn(move || worker(index, reqs, stop, k * 7919))
        })
        .collect();
    let rl = {
        let (index, stop, swaps) = (index.clone(), stop.clone(), swaps.clone());
        let every = Duration::from_millis(a.reload_ms);
        std::thread::spawn(move || reloader(index, stop, every, swaps))
    };
    while t0.elapsed().as_secs_f64() < a.seconds
        && !a.stop_file.as_ref().is_some_and(|p| p.exists())
    {
        std::thread::sleep(Duration::from_millis(20));
    }
    stop.store(true, Ordering::Relaxed);
    let secs = t0.elapsed().as_secs_f64();
    let mut all = Tally::default();
    for w in workers {
        let t = w
            .join()
            .map_err(|_| "a search thread panicked".to_string())?;
        all.micros.extend(t.micros);
        all.errors += t.errors;
    }
    rl.join()
        .map_err(|_| "the reload thread panicked".to_string())?;
    all.micros.sort_unstable();
    let n = all.micros.len();
    let (p50, p99, max) = (
        percentile(&all.micros, 0.5),
        percentile(&all.micros, 0.99),
        percentile(&all.micros, 1.0),
    );
    println!(
        "{n} searches in {secs:.1}s on {} threads: {:.0}/s; latency p50 {p50:.2} ms, p99 {p99:.2} ms, max {max:.2} ms; \
         {} errors; {} swaps ({from} -> {})",
        a.threads,
        n as f64 / secs,
        all.errors,
        swaps.load(Ordering::Relaxed),
        index.version()
    );
    println!(
        "searches={n} seconds={secs:.2} qps={:.1} p50_ms={p50:.3} p99_ms={p99:.3} max_ms={max:.3} errors={} swaps={}",
        n as f64 / secs,
        all.errors,
        swaps.load(Ordering::Relaxed)
    );
    Ok(())
}

fn main() -> ExitCode {
    let result = parse_args().and_then(|a| run(&a));
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("search_load: {e}");
            ExitCode::from(2)
        }
    }
}
