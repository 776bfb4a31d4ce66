//! Trains the text model on review files as `index build` does (3-star reviews left
//! out, the newest tenth held out) and prints its held-out figures, then the score of
//! each clause of each sentence read from stdin.
//!
//! ```text
//! cargo run --release --example text_model_probe -- REVIEWS.json.gz [MORE.json.gz ...] \
//!     [--without-negation-marks] < sentences.txt
//! ```
//!
//! The README's real-sample figures of the negation marks come from it, run on
//! `../shared/data/yelp-real/{cb1,sa}_review.json.gz` with and without the flag. Reviews
//! are taken in file order (their dates do not matter here: the held-out tenth is the
//! last lines).

use std::io::{BufRead, BufReader};

use yelpsearch::analysis::Analyzer;
use yelpsearch::bench::{clauses::clauses, train_text_model, LabelledReview, TextModelConfig};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let marks = !args.iter().any(|a| a == "--without-negation-marks");
    let mut rows: Vec<(u8, String)> = Vec::new();
    for path in args.iter().filter(|a| !a.starts_with("--")) {
        let file = std::fs::File::open(path).map_err(|e| format!("{path}: {e}"))?;
        for line in BufReader::new(flate2::read::MultiGzDecoder::new(file)).lines() {
            let v: serde_json::Value = serde_json::from_str(&line?)?;
            if let (Some(stars), Some(text)) = (v["stars"].as_f64(), v["text"].as_str()) {
                rows.push((stars.round().clamp(1.0, 5.0) as u8, text.to_string()));
            }
        }
    }
    let reviews = LabelledReview::in_order(&rows);
    let config = TextModelConfig {
        negation_marks: marks,
        ..TextModelConfig::default()
    };
    let (model, report) =
        train_text_model(&reviews, &config).ok_or("under 200 polar reviews: nothing to learn")?;
    println!(
        "negation marks {marks}: held-out clause AUC {:.4}, review AUC {:.4} ({} clauses trained on)",
        report.clause_auc, report.review_auc, report.train_clauses
    );
    let analyzer = Analyzer::default();
    let mut scratch = Vec::new();
    for line in std::io::stdin().lines() {
        let text = line?;
        let words = analyzer.words(&text);
        let scores: Vec<String> = clauses(&analyzer, &text, &words)
            .iter()
            .map(|c| {
                format!(
                    "{:+.2}",
                    model.score_words(&words[c.start..c.end], &mut scratch)
                )
            })
            .collect();
        println!("{}\t{text}", scores.join(" "));
    }
    Ok(())
}
