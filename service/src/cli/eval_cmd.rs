//! `yelpsearch eval run`: a run file (ranked businesses per query) for an evaluation
//! script.

use std::io::Write;
use std::path::PathBuf;

use yelpsearch::{Error, Index, RankMode, SearchRequest};

use crate::error::{CliError, CliResult};

/// Eval subcommands.
#[derive(Debug, clap::Subcommand)]
pub enum EvalCommand {
    /// Answer every query of a queries.tsv (qid, postal_code, term) into a run file.
    Run {
        /// Index directory.
        #[arg(long)]
        index: PathBuf,
        /// Queries file: tab-separated qid, postal_code, term.
        #[arg(long)]
        queries: PathBuf,
        /// Run file to write (qid, business_id, rank).
        #[arg(long)]
        out: PathBuf,
        /// Results per query.
        #[arg(long, default_value_t = 100)]
        limit: usize,
        /// Rank by BM25 only.
        #[arg(long)]
        bm25: bool,
        /// Only businesses with a matching review (no related ones after them).
        #[arg(long)]
        matches_only: bool,
        /// Only the zipcode's own places (no places of nearby zipcodes after them).
        #[arg(long)]
        no_nearby: bool,
        /// Take the words as typed (no corrections, no filler, price or amenity words).
        #[arg(long)]
        literal: bool,
        /// Passes over the queries before the timed one, in this process and untimed:
        /// the timed pass then measures searches whose index pages this process has
        /// already touched, as in a running service (0: the timed pass is the first).
        #[arg(long, default_value_t = 0)]
        warmup: usize,
    },
}

/// Runs an eval subcommand.
pub fn run(c: EvalCommand) -> CliResult<()> {
    let EvalCommand::Run {
        index,
        queries,
        out,
        limit,
        bm25,
        matches_only,
        no_nearby,
        literal,
        warmup,
    } = c;
    let idx = Index::open(&index)?;
    let text = std::fs::read_to_string(&queries)
        .map_err(|e| CliError::io(format!("reading {}", queries.display()), e))?;
    let mode = if bm25 {
        RankMode::Bm25
    } else {
        RankMode::Model
    };
    let mut reqs: Vec<(&str, SearchRequest)> = Vec::new();
    for (no, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let cols: Vec<&str> = line.split('\t').collect();
        if cols.len() != 3 {
            return Err(CliError::Usage(format!(
                "{}:{}: expected qid<TAB>postal_code<TAB>term",
                queries.display(),
                no + 1
            )));
        }
        let req = SearchRequest::new(cols[2])
            .zip(cols[1])
            .limit(limit)
            .snippets(0)
            .related(!matches_only)
            .nearby(!no_nearby)
            .literal(literal)
            .mode(mode);
        reqs.push((cols[0], req));
    }
    for _ in 0..warmup {
        for (_, req) in &reqs {
            match idx.search(req) {
                Ok(_) | Err(Error::UnknownZip(_)) | Err(Error::Query(_)) => {}
                Err(e) => return Err(e.into()),
            }
        }
    }
    let mut w = std::io::BufWriter::new(
        std::fs::File::create(&out)
            .map_err(|e| CliError::io(format!("creating {}", out.display()), e))?,
    );
    let (n, mut empty) = (reqs.len(), 0usize);
    let mut lat = Vec::with_capacity(n);
    for (qid, req) in &reqs {
        match idx.search(req) {
            Ok(res) => {
                lat.push(res.took_ms);
                if res.results.is_empty() {
                    empty += 1;
                }
                for (r, h) in res.results.iter().enumerate() {
                    writeln!(w, "{}\t{}\t{}", qid, h.business.business_id, r + 1)
                        .map_err(|e| CliError::io("writing the run", e))?;
                }
            }
            Err(Error::UnknownZip(_)) | Err(Error::Query(_)) => empty += 1,
            Err(e) => return Err(e.into()),
        }
    }
    w.flush().map_err(|e| CliError::io("writing the run", e))?;
    lat.sort_by(f64::total_cmp);
    let pct = |p: f64| {
        lat.get(((lat.len() as f64 - 1.0) * p).round() as usize)
            .copied()
            .unwrap_or(0.0)
    };
    let warmed = if warmup > 0 {
        format!(" after {warmup} untimed pass(es)")
    } else {
        String::new()
    };
    eprintln!(
        "{n} queries ({empty} without results) -> {}; latency{warmed} p50 {:.3} ms, p99 {:.3} ms",
        out.display(),
        pct(0.5),
        pct(0.99)
    );
    Ok(())
}
