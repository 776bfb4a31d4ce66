//! Command-line parsing and dispatch. Each subcommand translates flags into a library
//! call and prints its result; nothing here knows how search works.

mod eval_cmd;
mod export_page;
mod index_cmd;
mod model_cmd;
mod progress;
mod search_cmd;

use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};

use crate::error::CliResult;

/// Examples and exit codes, at the end of `yelpsearch --help`.
const AFTER_HELP: &str = "\
Examples:
  yelpsearch generate --out data --businesses 500 --reviews 30000
  yelpsearch index build --business data/business.jsonl.gz --reviews data/review.jsonl.gz --index idx
  yelpsearch search --index idx 61820 pasta
  yelpsearch serve --index idx --addr 127.0.0.1:8080

Exit codes:
  0   done
  1   an error: a missing file, no index at --index, a failed build, I/O
  2   a bad command line, query or store URL
  3   the zipcode is not in the index
  75  another process holds the index's write lock, or the store is busy: try again later";

/// Review-powered local search over Yelp data: build an index of Yelp's business and
/// review files, search it ("61820 pasta"), serve it over HTTP.
#[derive(Debug, Parser)]
#[command(name = "yelpsearch", version, about, propagate_version = true, after_help = AFTER_HELP)]
pub struct Cli {
    /// Log format on stderr.
    #[arg(long, global = true, value_enum, default_value_t = LogFormat::Text, env = "YELPSEARCH_LOG_FORMAT", help_heading = "Global options")]
    pub log_format: LogFormat,
    /// More logging (-v info, -vv debug).
    #[arg(short, long, global = true, action = clap::ArgAction::Count, help_heading = "Global options")]
    pub verbose: u8,
    #[command(subcommand)]
    command: Command,
}

/// Log output format.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum LogFormat {
    /// Human-readable lines.
    Text,
    /// One JSON object per line.
    Json,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Generate a synthetic Yelp-schema corpus with a planted truth.
    #[command(
        after_help = "Example:\n  yelpsearch generate --out data --businesses 500 --reviews 30000\n\n\
        The first zipcode is always 61820; truth.json says which places are best for what."
    )]
    Generate {
        /// Directory to write business.jsonl.gz, review.jsonl.gz and truth.json into.
        #[arg(long)]
        out: PathBuf,
        /// How many businesses (about one zipcode per 125 of them, at least 3).
        #[arg(long, default_value_t = 2_000)]
        businesses: usize,
        /// How many reviews, spread over the businesses with a heavy tail.
        #[arg(long, default_value_t = 100_000)]
        reviews: usize,
        /// Random seed: the same seed and counts write byte-identical files.
        #[arg(long, default_value_t = 42)]
        seed: u64,
    },
    /// Build, update and manage indexes.
    #[command(subcommand)]
    Index(index_cmd::IndexCommand),
    /// Search an index.
    #[command(
        after_help = "Examples:\n  yelpsearch search --index idx 61820 pasta\n  \
        yelpsearch search --index idx --zip 61820 cheap piza with outdoor seating\n  \
        yelpsearch search --index idx --json --limit 3 '\"deep dish\" near 60614'"
    )]
    Search(search_cmd::SearchArgs),
    /// Rank the queries of a query file into a run file, for offline evaluation.
    #[command(subcommand)]
    Eval(eval_cmd::EvalCommand),
    /// Train and inspect ranking models.
    #[command(subcommand)]
    Model(model_cmd::ModelCommand),
    /// Serve the HTTP API and the search page.
    #[command(
        after_help = "Example:\n  yelpsearch serve --index idx --addr 127.0.0.1:8080\n\n\
        Every setting is also an environment variable (shown with each). Without an index at\n\
        --index yet, /ready answers 503 and the index is tried again every reload interval."
    )]
    Serve(crate::http::ServeArgs),
    /// Generate a corpus, build an index and serve it on localhost.
    Demo(crate::demo::DemoArgs),
    /// Write the search page as a static site (S3 + CloudFront) that calls the API at --api.
    ExportPage(export_page::ExportPageArgs),
}

/// Sets up logging to stderr.
pub fn init_logging(format: LogFormat, verbose: u8) {
    use tracing_subscriber::EnvFilter;
    let default = match verbose {
        0 => "warn",
        1 => "info",
        _ => "debug",
    };
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(default));
    // Colours only for a person at a terminal: not in files, pipes or log collectors.
    let b = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .with_writer(std::io::stderr);
    let _ = match format {
        LogFormat::Text => b.try_init(),
        LogFormat::Json => b.json().try_init(),
    };
}

/// Runs a parsed command line.
pub fn run(cli: Cli) -> CliResult<()> {
    match cli.command {
        Command::Generate {
            out,
            businesses,
            reviews,
            seed,
        } => {
            let t0 = std::time::Instant::now();
            let opts = yelpsearch::generate::GenerateOptions {
                businesses,
                reviews,
                seed,
            };
            let r = yelpsearch::generate::generate(&out, &opts)?;
            println!(
                "generated {} businesses in {} zipcodes and {} reviews in {:.1}s\n  {}\n  {}\n  {}",
                r.businesses,
                r.zipcodes,
                r.reviews,
                t0.elapsed().as_secs_f64(),
                r.business_path.display(),
                r.review_path.display(),
                r.truth_path.display()
            );
            Ok(())
        }
        Command::Index(c) => index_cmd::run(c),
        Command::Search(a) => search_cmd::run(a),
        Command::Eval(c) => eval_cmd::run(c),
        Command::Model(c) => model_cmd::run(c),
        Command::Serve(a) => crate::http::run_serve(a),
        Command::Demo(a) => crate::demo::run_demo(a),
        Command::ExportPage(a) => export_page::run(a),
    }
}

/// Prints a value as pretty JSON on stdout.
pub fn print_json<T: serde::Serialize>(v: &T) -> CliResult<()> {
    let s = serde_json::to_string_pretty(v)
        .map_err(|e| crate::error::CliError::io("writing JSON", e.into()))?;
    println!("{s}");
    Ok(())
}
