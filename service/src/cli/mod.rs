//! Command-line parsing and dispatch. Each subcommand translates flags into a library
//! call and prints its result; nothing here knows how search works.

mod eval_cmd;
mod export_page;
mod index_cmd;
mod model_cmd;
mod search_cmd;

use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};

use crate::error::CliResult;

/// Review-powered local search over Yelp data.
#[derive(Debug, Parser)]
#[command(name = "yelpsearch", version, about, propagate_version = true)]
pub struct Cli {
    /// Log format on stderr.
    #[arg(long, global = true, value_enum, default_value_t = LogFormat::Text, env = "YELPSEARCH_LOG_FORMAT")]
    pub log_format: LogFormat,
    /// More logging (-v info, -vv debug).
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
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
    Generate {
        /// Output directory (business.jsonl.gz, review.jsonl.gz, truth.json).
        #[arg(long)]
        out: PathBuf,
        /// Businesses.
        #[arg(long, default_value_t = 2_000)]
        businesses: usize,
        /// Reviews.
        #[arg(long, default_value_t = 100_000)]
        reviews: usize,
        /// Seed.
        #[arg(long, default_value_t = 42)]
        seed: u64,
    },
    /// Build, update and manage indexes.
    #[command(subcommand)]
    Index(index_cmd::IndexCommand),
    /// Search an index.
    Search(search_cmd::SearchArgs),
    /// Evaluation runs for ../shared/eval/score.py.
    #[command(subcommand)]
    Eval(eval_cmd::EvalCommand),
    /// Train and inspect ranking models.
    #[command(subcommand)]
    Model(model_cmd::ModelCommand),
    /// Serve the HTTP API and the search page.
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
    let b = tracing_subscriber::fmt()
        .with_env_filter(filter)
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
