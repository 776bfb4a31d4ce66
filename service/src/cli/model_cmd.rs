//! `yelpsearch model ...`.

use std::path::PathBuf;

use clap::builder::TypedValueParser;
use yelpsearch::retrain_with;
use yelpsearch::Index;
use yelpsearch::{check_label_days, check_max_queries, Grades, TrainOptions};

use crate::error::CliResult;

/// Model subcommands.
#[derive(Debug, clap::Subcommand)]
pub enum ModelCommand {
    /// Retrain the ranker on the index's current data; install it if not worse.
    Train {
        /// Index directory.
        #[arg(long)]
        index: PathBuf,
        /// Days at the end of the index whose reviews give the training grades
        /// (0: the newest fifth of the reviews, as the evaluation protocol splits).
        #[arg(long, default_value_t = 0)]
        label_days: i32,
        /// Train on these query terms (one per line, e.g. from a query log) instead
        /// of terms mined from the corpus.
        #[arg(long)]
        terms: Option<PathBuf>,
        /// Install the new model even if it is worse than the current one.
        #[arg(long)]
        force: bool,
        /// Leave out the aspect-sentiment features (an ablation).
        #[arg(long)]
        without_aspect: bool,
        /// Leave out the quality-estimate features (an ablation).
        #[arg(long)]
        without_quality: bool,
        /// How the training grades are read from the later reviews: `quality` (what
        /// their sentences about the dish say, plus their stars; where six places or
        /// more are clearly judged, a mention in passing counts for nothing), `verdict`
        /// (the same, for the places they clearly judge the dish at, however few) or
        /// `stars` (the evaluation protocol's rule: number and stars of the mentions).
        #[arg(long, default_value = "quality", value_parser = grades_parser())]
        grades: Grades,
        /// Most query terms to train on, drawn from the corpus (category queries, a fifth
        /// as many, come on top): more make a better ranker and a longer training (the
        /// build uses 3000; the deployment's weekly retraining 8000).
        #[arg(long, default_value_t = TrainOptions::default().max_queries)]
        max_queries: usize,
        /// Draw of the training queries, their held-out fifth and the trees' samples
        /// (the build uses 0): retraining with a few seeds shows how much the figures
        /// move with the draw alone.
        #[arg(long, default_value_t = 0)]
        seed: u64,
    },
    /// Print the model's metadata and offline metrics.
    Info {
        /// Index directory.
        #[arg(long)]
        index: PathBuf,
        /// JSON output.
        #[arg(long)]
        json: bool,
    },
}

/// `--grades`: the library's names of [`Grades`] (listed in `--help`), read by the
/// library, so that the names exist once.
fn grades_parser() -> impl TypedValueParser<Value = Grades> {
    clap::builder::PossibleValuesParser::new(Grades::ALL.map(|g| g.name()))
        .try_map(|name| name.parse::<Grades>())
}

/// Runs a model subcommand.
pub fn run(c: ModelCommand) -> CliResult<()> {
    match c {
        ModelCommand::Train {
            index,
            label_days,
            force,
            terms,
            without_aspect,
            without_quality,
            grades,
            max_queries,
            seed,
        } => {
            check_label_days(label_days)?;
            check_max_queries(max_queries)?;
            let terms = match terms {
                Some(p) => Some(
                    std::fs::read_to_string(&p)
                        .map_err(|e| {
                            crate::error::CliError::io(format!("reading {}", p.display()), e)
                        })?
                        .lines()
                        .map(|l| l.trim().to_lowercase())
                        .filter(|l| !l.is_empty() && !l.starts_with('#'))
                        .collect(),
                ),
                None => None,
            };
            let opts = TrainOptions {
                label_days,
                terms,
                without_aspect,
                without_quality,
                grades,
                max_queries,
                seed,
                ablation: true,
                ..TrainOptions::default()
            };
            let r = retrain_with(&index, &opts, force)?;
            println!(
                "held-out NDCG@10 on {} queries: current model {:.4}, new model {:.4} (BM25 {:.4})",
                r.queries, r.current_ndcg, r.new_ndcg, r.bm25_ndcg
            );
            match &r.installed {
                Some(v) => println!(
                    "installed model {} as version {v} ({:.1}s)",
                    r.model_version, r.seconds
                ),
                None => println!(
                    "kept the current model: the new one is worse ({:.1}s)",
                    r.seconds
                ),
            }
            Ok(())
        }
        ModelCommand::Info { index, json } => {
            let idx = Index::open(&index)?;
            let m = idx.model_info();
            if json {
                return super::print_json(&m);
            }
            println!(
                "model {} ({}{})",
                m.version,
                m.kind,
                if m.fallback { ", fallback" } else { "" }
            );
            if let Some(r) = &m.fallback_reason {
                println!("  fallback because: {r}");
            }
            if let Some(e) = idx.model_error() {
                println!("  model file refused: {e}");
            }
            println!("  trained at: {}", m.trained_at.as_deref().unwrap_or("-"));
            let w = &m.training_window;
            let d =
                |x: Option<yelpsearch::Day>| x.map(|d| d.to_string()).unwrap_or_else(|| "-".into());
            println!(
                "  window: features before {}, labels {}..{}",
                d(w.features_until),
                d(w.labels_from),
                d(w.labels_until)
            );
            println!(
                "  data: {} queries, {} (query, business) pairs, {} reviews for the text model",
                m.data.queries, m.data.businesses, m.data.reviews
            );
            if let Some(g) = &m.grades {
                println!("  grades: {g}");
            }
            let get = |k: &str| {
                m.metrics
                    .get(k)
                    .map_or("-".to_string(), |v| format!("{v:.4}"))
            };
            if m.metrics.contains_key("ndcg@10") {
                println!(
                    "  held-out NDCG@10: by the training grades {} (BM25 {}), by the stars grades of the future-review protocol {} (BM25 {})",
                    get("ndcg@10"),
                    get("bm25_ndcg@10"),
                    get("stars_ndcg@10"),
                    get("bm25_stars_ndcg@10")
                );
            }
            println!("  features: {}", m.features.join(", "));
            for (k, v) in &m.metrics {
                println!("  {k:<24} {v:.4}");
            }
            println!("  content hash: {}", m.content_hash);
            Ok(())
        }
    }
}
