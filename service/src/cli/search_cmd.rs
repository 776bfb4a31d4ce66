//! `yelpsearch search`: the request from the flags, and the response as text (how the
//! query was understood, then each result with what of it matched) or as the JSON
//! contract (`--json`).

use std::path::PathBuf;

use yelpsearch::{Hit, Index, Interpretation, RankMode, SearchRequest, SearchResponse};

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
    /// Only the zipcode's own places (no places of nearby zipcodes after them).
    #[arg(long)]
    no_nearby: bool,
    /// Take the words as typed: no corrections, no filler, price or amenity words.
    #[arg(long)]
    literal: bool,
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
        .nearby(!a.no_nearby)
        .literal(a.literal)
        .mode(if a.bm25 {
            RankMode::Bm25
        } else {
            RankMode::Model
        });
    let res = index.search(&req)?;
    if a.json {
        return super::print_json(&res);
    }
    print!("{}", render(&res));
    Ok(())
}

/// The response as terminal text.
fn render(res: &SearchResponse) -> String {
    use std::fmt::Write as _;
    let mut out = String::new();
    let it = &res.interpretation;
    let _ = writeln!(out, "{}", understood(res));
    if res.results.is_empty() {
        let _ = writeln!(out, "No places in {} mention it.", res.zip);
        return out;
    }
    let _ = writeln!(
        out,
        "{} in {} ({:.2} ms)",
        plural(res.results.len(), "place", "places"),
        res.zip,
        res.took_ms
    );
    let mut zip_shown = res.zip.clone();
    for (i, h) in res.results.iter().enumerate() {
        if h.distance_km.is_some() && h.business.postal_code != zip_shown {
            zip_shown.clone_from(&h.business.postal_code);
            let km = it
                .nearby
                .iter()
                .find(|n| n.zip == zip_shown)
                .map(|n| format!(" ({})", km(n.distance_km)))
                .unwrap_or_default();
            let _ = writeln!(out, "\n── Places near {}: in {zip_shown}{km} ──", res.zip);
        }
        let _ = writeln!(
            out,
            "\n{:>2}. {}  ★{:.1} ({} reviews)  score {:.3}",
            i + 1,
            h.business.name,
            h.stars,
            h.review_count,
            h.score
        );
        let place = [
            h.business.address.as_str(),
            h.business.city.as_str(),
            &format!("{} {}", h.business.state, h.business.postal_code),
        ]
        .iter()
        .filter(|s| !s.trim().is_empty())
        .copied()
        .collect::<Vec<_>>()
        .join(", ");
        let away = h
            .distance_km
            .map(|d| format!("  ({} away)", km(d)))
            .unwrap_or_default();
        let _ = writeln!(out, "    {place}{away}");
        let sentiment = h
            .sentiment
            .as_ref()
            .map(|s| format!(" · {} praise it, {} complain", s.positive, s.negative))
            .unwrap_or_default();
        let _ = writeln!(out, "    {}{sentiment}", what_matched(h, it));
        for s in &h.snippets {
            let _ = writeln!(out, "    “{}” ({}★, {})", plain(&s.text), s.stars, s.date);
        }
        if let Some(ex) = &h.explain {
            let _ = writeln!(out, "    features (value → contribution):");
            for f in ex {
                let _ = writeln!(
                    out,
                    "      {:<24} {:>9.3} → {:>+8.4}",
                    f.name, f.value, f.contribution
                );
            }
        }
    }
    out
}

/// How the query was understood, on one line: `Showing results for pizza (you typed
/// "piza") · $ · outdoor seating · near 61801 (2.3 km)`.
fn understood(res: &SearchResponse) -> String {
    let it = &res.interpretation;
    if it.literal {
        return format!("Showing results for {} (the words as typed)", res.query);
    }
    let need = if it.need.is_empty() {
        res.query.clone()
    } else {
        it.need.join(" ")
    };
    let mut line = format!("Showing results for {need}");
    if !it.corrections.is_empty() {
        let typed: Vec<String> = it
            .corrections
            .iter()
            .map(|c| format!("\"{}\"", c.from))
            .collect();
        line.push_str(&format!(" (you typed {})", typed.join(", ")));
    }
    let mut parts = Vec::new();
    if let Some(name) = &it.name {
        parts.push(format!("the place {name}"));
    }
    if !it.categories.is_empty() {
        parts.push(format!("{} places", it.categories.join(" / ")));
    }
    parts.extend(it.price.iter().cloned());
    parts.extend(it.amenities.iter().cloned());
    if it.open_now {
        parts.push("open now".into());
    }
    if !it.nearby.is_empty() {
        let near: Vec<String> = it
            .nearby
            .iter()
            .map(|n| format!("{} ({})", n.zip, km(n.distance_km)))
            .collect();
        parts.push(format!("near {}", near.join(", ")));
    }
    if !it.optional.is_empty() {
        parts.push(format!("not required: {}", it.optional.join(", ")));
    }
    for p in parts {
        line.push_str(" · ");
        line.push_str(&p);
    }
    line
}

/// What of a result met the query.
fn what_matched(h: &Hit, it: &Interpretation) -> String {
    let has = |w: &str| h.matched.iter().any(|m| m == w);
    let mut what = Vec::new();
    if h.matches > 0 {
        what.push(plural(
            h.matches as usize,
            "matching review",
            "matching reviews",
        ));
    }
    if has("category") {
        what.push(match it.categories.as_slice() {
            [] => "its category matches".to_string(),
            cats => {
                let cats = cats.join(" / ");
                format!("{} {cats} place", article(&cats))
            }
        });
    }
    if has("name") {
        what.push("its name matches".into());
    }
    if what.is_empty() {
        return "related: no review mentions it yet; reviewers here mention it at places of \
                its kind"
            .into();
    }
    if h.matches == 0 {
        what.push("no review mentions it yet".into());
    }
    what.join(" · ")
}

/// "a" or "an" before a word.
fn article(word: &str) -> &'static str {
    match word.chars().next().map(|c| c.to_ascii_lowercase()) {
        Some('a' | 'e' | 'i' | 'o' | 'u') => "an",
        _ => "a",
    }
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// A distance for people: one decimal under 10 km, whole kilometres above.
fn km(d: f32) -> String {
    if d < 10.0 {
        format!("{d:.1} km")
    } else {
        format!("{d:.0} km")
    }
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
