//! `yelpsearch search`.

use std::path::PathBuf;

use yelpsearch::{Index, RankMode, SearchRequest};

use crate::error::CliResult;

/// Arguments of `search`.
#[derive(Debug, clap::Args)]
pub struct SearchArgs {
    /// Index directory.
    #[arg(long)]
    index: PathBuf,
    /// Zipcode (otherwise taken from the query).
    #[arg(long)]
    zip: Option<String>,
    /// Most results.
    #[arg(long, default_value_t = 10)]
    limit: usize,
    /// Print the JSON contract instead of text.
    #[arg(long)]
    json: bool,
    /// Show each result's features, their contributions and the sentences behind the
    /// aspect sentiment.
    #[arg(long)]
    explain: bool,
    /// Rank by BM25 only (ignore the learned ranker).
    #[arg(long)]
    bm25: bool,
    /// Only businesses with a matching review (no related ones after them).
    #[arg(long)]
    matches_only: bool,
    /// The query, e.g. `61820 pasta` or `"deep dish" near 60614`.
    #[arg(required = true, num_args = 1..)]
    query: Vec<String>,
}

/// Runs `search`.
pub fn run(a: SearchArgs) -> CliResult<()> {
    let index = Index::open(&a.index)?;
    let req = SearchRequest::new(a.query.join(" "))
        .zip_opt(a.zip)
        .limit(a.limit)
        .explain(a.explain)
        .related(!a.matches_only)
        .mode(if a.bm25 {
            RankMode::Bm25
        } else {
            RankMode::Model
        });
    let res = index.search(&req)?;
    if a.json {
        return super::print_json(&res);
    }
    if res.results.is_empty() {
        println!("No places in {} mention {}.", res.zip, res.query);
        return Ok(());
    }
    println!("{} in {} ({:.2} ms)", res.query, res.zip, res.took_ms);
    for (i, h) in res.results.iter().enumerate() {
        println!(
            "\n{:>2}. {}  ★{:.1} ({} reviews)  score {:.3}\n    {}, {}, {} {}\n    {}{}",
            i + 1,
            h.business.name,
            h.stars,
            h.review_count,
            h.score,
            h.business.address,
            h.business.city,
            h.business.state,
            h.business.postal_code,
            if h.matches == 0 {
                "no review mentions it yet; reviewers here mention it at places of its kind"
                    .to_string()
            } else {
                format!("{} matching reviews", h.matches)
            },
            h.sentiment
                .as_ref()
                .map(|s| format!(" · {} praise it, {} complain", s.positive, s.negative))
                .unwrap_or_default()
        );
        for s in &h.snippets {
            println!("    “{}” ({}★, {})", plain(&s.text), s.stars, s.date);
        }
        if let Some(ex) = &h.explain {
            println!("    features (value → contribution):");
            for f in ex {
                println!(
                    "      {:<24} {:>9.3} → {:>+8.4}",
                    f.name, f.value, f.contribution
                );
            }
        }
    }
    Ok(())
}

/// Snippet HTML as terminal text: marks become brackets, entities are decoded.
fn plain(html: &str) -> String {
    html.replace("<mark>", "[")
        .replace("</mark>", "]")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&amp;", "&")
}
