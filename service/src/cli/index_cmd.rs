//! `yelpsearch index ...`.

use std::path::{Path, PathBuf};
use std::time::Instant;

use yelpsearch::read_businesses;
use yelpsearch::Day;
use yelpsearch::{build_index, scan_reviews, BuildOptions, BusinessTable, ScanDepth, ScanReport};

use crate::error::{CliError, CliResult, RemoteFailure};
use crate::remote::{admin, publish, pull, runtime, Remote};

/// Index subcommands.
#[derive(Debug, clap::Subcommand)]
pub enum IndexCommand {
    /// Build a new index version from Yelp files.
    #[command(
        after_help = "Example:\n  yelpsearch index build --business data/business.jsonl.gz \
        --reviews data/review.jsonl.gz --index idx"
    )]
    Build {
        /// Yelp's business file: JSON lines, plain or gzip (business.json).
        #[arg(long)]
        business: PathBuf,
        /// Yelp's review file: JSON lines, plain or gzip (review.json).
        #[arg(long)]
        reviews: PathBuf,
        /// Directory to build the index in (not needed with --parse-only).
        #[arg(long, required_unless_present = "parse_only")]
        index: Option<PathBuf>,
        #[command(flatten)]
        common: Common,
        /// Index only reviews dated before this day (YYYY-MM-DD).
        #[arg(long)]
        until: Option<Day>,
        /// Skip training the ranker (the BM25 fallback is installed).
        #[arg(long)]
        no_train: bool,
        /// Write no index: only read the files as a build's first pass does, three
        /// times (decompress; + JSON parse; + validation), and print each pass's time and
        /// reviews/s — the floor under a build's time.
        #[arg(long)]
        parse_only: bool,
    },
    /// Add new and edited reviews (and businesses) as a new version.
    Update {
        /// Index directory.
        #[arg(long)]
        index: PathBuf,
        /// review.json(.gz) with new or edited reviews.
        #[arg(long)]
        reviews: PathBuf,
        /// business.json(.gz) with new or changed businesses.
        #[arg(long)]
        business: Option<PathBuf>,
        #[command(flatten)]
        common: Common,
    },
    /// List the versions.
    Versions {
        /// Index directory.
        #[arg(long)]
        index: PathBuf,
        /// JSON output.
        #[arg(long)]
        json: bool,
    },
    /// Point CURRENT at an older version (of a local index, or of a store with --remote).
    Rollback {
        /// Index directory.
        #[arg(long, required_unless_present = "remote", conflicts_with = "remote")]
        index: Option<PathBuf>,
        /// Roll back the versions published at this URL instead (s3://BUCKET/PREFIX);
        /// replicas pulling from it follow on their next round.
        #[arg(long)]
        remote: Option<String>,
        /// The version (default: the one before the current).
        #[arg(long)]
        to: Option<String>,
    },
    /// Remove old versions that no reader uses (of a local index, or of a store with --remote).
    Gc {
        /// Index directory.
        #[arg(long, required_unless_present = "remote", conflicts_with = "remote")]
        index: Option<PathBuf>,
        /// Collect the versions published at this URL instead: delete the file lists of
        /// old versions, then the blobs no kept version lists (older than an hour, so a
        /// publish in progress keeps its uploads).
        #[arg(long)]
        remote: Option<String>,
        /// Versions to keep.
        #[arg(long, default_value_t = 3)]
        keep: usize,
        /// With --remote: blobs younger than this stay even when no version lists them
        /// (a publish in progress uploads its blobs before its file list).
        #[arg(long, default_value_t = 3600, requires = "remote")]
        min_age_secs: u64,
    },
    /// Upload the current version (or --version) to object storage; CURRENT there is
    /// written last. Files the store already has are not uploaded again.
    Publish {
        /// Index directory.
        #[arg(long)]
        index: PathBuf,
        /// Where: s3://BUCKET/PREFIX (AWS_* environment: region, credentials or IRSA,
        /// AWS_ENDPOINT_URL) or file:///DIR.
        #[arg(long, env = "YELPSEARCH_PUBLISH")]
        to: String,
        /// The version to publish (default: the current one).
        #[arg(long)]
        version: Option<String>,
        /// Print the report as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Download the version published at a URL into a local index (one round of what
    /// `serve --pull` does every reload interval), verify it and make it current.
    Pull {
        /// Index directory (created if missing).
        #[arg(long)]
        index: PathBuf,
        /// Where: s3://BUCKET/PREFIX or file:///DIR.
        #[arg(long, env = "YELPSEARCH_PULL")]
        from: String,
        /// Versions to keep locally (the current one and the previous one for rollback).
        #[arg(long, default_value_t = 2)]
        keep: usize,
        /// Succeed, leaving the index as it is, when nothing is published yet (a
        /// bootstrap job that builds the first version).
        #[arg(long)]
        allow_empty: bool,
        /// Print the report as JSON.
        #[arg(long)]
        json: bool,
    },
}

/// Flags shared by build and update.
#[derive(Debug, clap::Args)]
pub struct Common {
    /// Fail on the first bad line instead of reporting and skipping it.
    #[arg(long)]
    strict: bool,
    /// Memory budget of the index writer, MiB.
    #[arg(long, default_value_t = 512, env = "YELPSEARCH_MEMORY_MB")]
    memory_mb: usize,
    /// Index writers (0 = automatic: one per core); each writes its own range of zipcodes, beside the analysis on every core.
    #[arg(long, default_value_t = 0)]
    threads: usize,
    /// Print the report as JSON.
    #[arg(long)]
    json: bool,
    /// No progress on stderr.
    #[arg(long)]
    quiet: bool,
    /// Write every skipped or left-out line (file, line number, reason) to this file,
    /// as JSON lines [default: yelpsearch-rejects-PID-TIME.jsonl in the temporary
    /// directory; the summary names it].
    #[arg(long)]
    rejects: Option<PathBuf>,
    /// The least share of the review lines that must be accepted, or nothing is
    /// published (0 to 1).
    #[arg(long, default_value_t = yelpsearch::MIN_ACCEPTED, value_parser = share)]
    min_accepted: f64,
}

/// The rejects file when `--rejects` is not given: in the temporary directory, not in
/// the index folder (a failed build leaves that folder as it found it), named after the
/// process and the time; created only when a line is rejected.
fn default_rejects() -> PathBuf {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    std::env::temp_dir().join(format!(
        "yelpsearch-rejects-{}-{secs}.jsonl",
        std::process::id()
    ))
}

/// A share from 0 to 1.
fn share(s: &str) -> Result<f64, String> {
    match s.parse::<f64>() {
        Ok(v) if (0.0..=1.0).contains(&v) => Ok(v),
        _ => Err(format!("{s:?} is not a share from 0 to 1 (e.g. 0.2)")),
    }
}

impl Common {
    fn options(&self) -> BuildOptions {
        let progress = (!self.quiet).then(super::progress::reporter);
        BuildOptions {
            strict: self.strict,
            memory_mb: self.memory_mb,
            threads: self.threads,
            progress,
            rejects: Some(self.rejects.clone().unwrap_or_else(default_rejects)),
            min_accepted: self.min_accepted,
            ..BuildOptions::default()
        }
    }
}

fn print_issues(r: &yelpsearch::FileReport) {
    for i in &r.issues {
        eprintln!("warning: {i}");
    }
    let listed = r.issues.len() as u64;
    let until = r.excluded.get(yelpsearch::UNTIL).copied().unwrap_or(0);
    let all = r.skipped_total() + r.excluded_total() - until;
    if all > listed {
        eprintln!(
            "warning: ... and {} more lines skipped or left out (the rejects file lists them all)",
            all - listed
        );
    }
    if let Some(n) = r.truncated_after {
        eprintln!("warning: the file is truncated after line {n}: the lines before the cut were kept (--strict refuses it)");
    }
}

/// Where every rejected line went (the summary's last line).
fn print_rejects(rejects: &Option<PathBuf>) {
    if let Some(p) = rejects {
        println!(
            "  every skipped or left-out line is listed in {}",
            p.display()
        );
    }
}

/// With `--json`, a failure is a JSON error object on stdout too (the message is on
/// stderr as always).
fn json_error<T>(json: bool, r: CliResult<T>) -> CliResult<T> {
    if let (true, Err(CliError::Core(e))) = (json, &r) {
        println!(
            "{}",
            yelpsearch::api::ApiError::new(e.code(), e.to_string()).to_json()
        );
    }
    r
}

/// What `index build --parse-only` measured.
#[derive(serde::Serialize)]
struct FloorReport {
    /// Business file accounting.
    businesses: yelpsearch::FileReport,
    /// Seconds to read the business file.
    business_seconds: f64,
    /// One pass over the review file per depth, cheapest first.
    passes: Vec<ScanReport>,
}

/// `index build --parse-only`: the business file once, then the review file at each
/// [`ScanDepth`], writing nothing.
fn parse_only_floor(
    business: &Path,
    reviews: &Path,
    common: &Common,
    until: Option<Day>,
) -> CliResult<()> {
    let t0 = Instant::now();
    let (list, biz_report) = read_businesses(business, common.strict)?;
    let table = BusinessTable::new(list);
    let business_seconds = t0.elapsed().as_secs_f64();
    print_issues(&biz_report);
    let mut passes = Vec::new();
    for depth in ScanDepth::ALL {
        if !common.quiet {
            eprintln!("  {}: {}", depth.label(), reviews.display());
        }
        passes.push(scan_reviews(reviews, depth, &table, until, common.strict)?);
    }
    if let Some(v) = passes.last() {
        print_issues(&v.reviews);
    }
    let r = FloorReport {
        businesses: biz_report,
        business_seconds,
        passes,
    };
    if common.json {
        return super::print_json(&r);
    }
    println!("parse only, no index written");
    println!(
        "  businesses: {} in {:.2}s",
        r.businesses, r.business_seconds
    );
    if let Some(v) = r.passes.last() {
        println!("  reviews:    {}", v.reviews);
    }
    for p in &r.passes {
        println!(
            "  {:<26} {:>8.2}s  {:>10.0} reviews/s  {:>7.1} MB/s of JSON",
            p.depth.label(),
            p.seconds,
            p.reviews_per_sec,
            p.bytes as f64 / 1e6 / p.seconds.max(1e-9)
        );
    }
    Ok(())
}

/// Runs an index subcommand.
pub fn run(c: IndexCommand) -> CliResult<()> {
    match c {
        IndexCommand::Build {
            business,
            reviews,
            index,
            common,
            until,
            no_train,
            parse_only,
        } => {
            if parse_only {
                return parse_only_floor(&business, &reviews, &common, until);
            }
            let Some(index) = index else {
                return Err(CliError::Usage(
                    "index build: --index is required (or --parse-only)".into(),
                ));
            };
            let mut opts = common.options();
            opts.until = until;
            opts.train_ranker = !no_train;
            let r = json_error(
                common.json,
                build_index(&business, &reviews, &index, &opts).map_err(CliError::from),
            )?;
            print_issues(&r.businesses);
            print_issues(&r.reviews);
            if common.json {
                return super::print_json(&r);
            }
            println!("built version {} at {}", r.version, index.display());
            println!("  businesses: {}", r.businesses);
            println!("  reviews:    {}", r.reviews);
            println!(
                "  indexed {} reviews in {:.1}s ({:.0} reviews/s), index {:.1} MB",
                r.indexed,
                r.seconds,
                r.reviews_per_sec,
                r.index_bytes as f64 / 1e6
            );
            if let Some(t) = &r.text_model {
                println!(
                    "  text model: held-out review AUC {:.3} (length baseline {:.3}), accuracy {:.3} (majority {:.3})",
                    t.review_auc, t.length_auc, t.review_accuracy, t.majority_accuracy
                );
            }
            println!("  model: {}", r.model);
            print_rejects(&r.rejects);
            Ok(())
        }
        IndexCommand::Update {
            index,
            reviews,
            business,
            common,
        } => {
            let opts = common.options();
            let r = json_error(
                common.json,
                yelpsearch::update_index(&index, &reviews, business.as_deref(), &opts)
                    .map_err(CliError::from),
            )?;
            print_issues(&r.reviews);
            if let Some(b) = &r.businesses {
                print_issues(b);
            }
            if common.json {
                return super::print_json(&r);
            }
            if r.published {
                println!("updated {} -> {}", r.parent, r.version);
            } else {
                println!(
                    "nothing changed: {} stays current (no new version)",
                    r.parent
                );
            }
            println!(
                "  reviews: {} lines read: {} added, {} replaced, {} unchanged (already indexed), {} skipped, {} left out",
                r.reviews.read,
                r.added,
                r.replaced,
                r.unchanged,
                r.reviews.skipped_total(),
                r.reviews.excluded_total()
            );
            for (why, n) in &r.reviews.skipped {
                println!("    skipped {n}: {why}");
            }
            for (why, n) in &r.reviews.excluded {
                println!("    left out {n}: {why}");
            }
            println!(
                "  businesses: {} added, {} changed; reviews moved with a business's new zipcode: {}, dropped with its zipcode: {}",
                r.businesses_added, r.businesses_changed, r.rehomed, r.dropped
            );
            println!(
                "  {} reviews in the index; {:.1}s ({:.0} reviews/s)",
                r.total_reviews, r.seconds, r.reviews_per_sec
            );
            print_rejects(&r.rejects);
            if let Some(w) = &r.model_warning {
                println!("  WARNING: {w}");
                eprintln!("warning: {w}");
            }
            Ok(())
        }
        IndexCommand::Versions { index, json } => {
            let v = yelpsearch::list_versions(&index)?;
            if let Err(e) = yelpsearch::IndexDir::new(&index).current() {
                eprintln!(
                    "warning: {e}: point CURRENT at a good version with `yelpsearch index rollback --index {} --to VERSION`",
                    index.display()
                );
            }
            if json {
                return super::print_json(&v);
            }
            println!(
                "{:<9} {:<8} {:<26} {:>10}  {:<22} in use",
                "version", "origin", "created", "reviews", "model"
            );
            for x in v {
                println!(
                    "{}{:<8} {:<8} {:<26} {:>10}  {:<22} {}",
                    if x.current { "*" } else { " " },
                    x.name,
                    x.origin,
                    x.created.get(..19).unwrap_or(&x.created),
                    x.reviews,
                    x.model_version.unwrap_or_default(),
                    if x.in_use { "yes" } else { "" }
                );
                if let Some(why) = &x.damaged {
                    let next = if x.current {
                        "roll back past it with `index rollback --to VERSION`"
                    } else {
                        "`index gc` removes it"
                    };
                    println!("          damaged: {why} ({next})");
                }
            }
            Ok(())
        }
        IndexCommand::Rollback { index, remote, to } => {
            let (from, to) = match (index, remote) {
                (Some(index), _) => yelpsearch::rollback(&index, to.as_deref())?,
                (None, Some(url)) => {
                    let remote = Remote::open(&url)?;
                    runtime()?.block_on(admin::rollback(&remote, to.as_deref()))?
                }
                (None, None) => return Err(CliError::Usage("--index or --remote".into())),
            };
            println!("CURRENT moved from {from} to {to}");
            Ok(())
        }
        IndexCommand::Gc {
            index: None,
            remote: Some(url),
            keep,
            min_age_secs,
        } => {
            let remote = Remote::open(&url)?;
            let r = runtime()?.block_on(admin::gc(
                &remote,
                keep,
                std::time::Duration::from_secs(min_age_secs),
            ))?;
            println!(
                "removed {} versions ({}) and {} blobs ({:.1} MB); kept {}",
                r.removed_versions.len(),
                r.removed_versions.join(", "),
                r.removed_blobs,
                r.removed_bytes as f64 / 1e6,
                r.kept_versions.join(", ")
            );
            Ok(())
        }
        IndexCommand::Gc { index, keep, .. } => {
            let index = index.ok_or_else(|| CliError::Usage("--index or --remote".into()))?;
            let r = yelpsearch::gc(&index, keep)?;
            println!(
                "removed {} versions ({}), {} damaged versions ({}), {} abandoned writes; kept {} in use ({})",
                r.removed.len(),
                r.removed.join(", "),
                r.damaged.len(),
                r.damaged.join(", "),
                r.abandoned,
                r.kept_in_use.len(),
                r.kept_in_use.join(", ")
            );
            if let Some(note) = &r.note {
                eprintln!("warning: {note}");
            }
            Ok(())
        }
        IndexCommand::Publish {
            index,
            to,
            version,
            json,
        } => {
            let remote = Remote::open(&to)?;
            let r = runtime()?.block_on(publish(&remote, &index, version.as_deref()))?;
            if json {
                return super::print_json(&r);
            }
            println!(
                "published {} to {} in {:.1}s: {} of {} files uploaded ({:.1} of {:.1} MB), {}",
                r.version,
                r.url,
                r.seconds,
                r.uploaded_files,
                r.files,
                r.uploaded_bytes as f64 / 1e6,
                r.bytes as f64 / 1e6,
                match (&r.previous, r.pointer_moved) {
                    (_, false) => "CURRENT already named it: nothing to do".to_string(),
                    (Some(p), true) => format!("CURRENT moved from {p}"),
                    (None, true) => "CURRENT written (first publish)".to_string(),
                }
            );
            Ok(())
        }
        IndexCommand::Pull {
            index,
            from,
            keep,
            allow_empty,
            json,
        } => {
            let remote = Remote::open(&from)?;
            let r = match runtime()?.block_on(pull(&remote, &index, keep)) {
                Err(CliError::Remote {
                    kind: RemoteFailure::NothingPublished,
                    ..
                }) if allow_empty => {
                    println!(
                        "nothing is published at {from} yet: {} left as it is",
                        index.display()
                    );
                    return Ok(());
                }
                r => r?,
            };
            if json {
                return super::print_json(&r);
            }
            match r.outcome {
                "up_to_date" => println!("{} is current: nothing to do", r.remote_version),
                "switched" => println!("CURRENT moved to {} (already here)", r.remote_version),
                _ => println!(
                    "installed {} from {} in {:.1}s: {} of {} files downloaded ({:.1} of {:.1} MB), {} reused, {} resumed; removed {}",
                    r.remote_version,
                    r.url,
                    r.seconds,
                    r.downloaded_files,
                    r.files,
                    r.downloaded_bytes as f64 / 1e6,
                    r.bytes as f64 / 1e6,
                    r.reused_files,
                    r.resumed_files,
                    if r.removed.is_empty() { "nothing".to_string() } else { r.removed.join(", ") }
                ),
            }
            Ok(())
        }
    }
}
