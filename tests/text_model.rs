//! The text model learned from the synthetic corpus reads planted sentences right:
//! praise, complaints, negations, and mentions that judge nothing.

mod common;

use common::*;
use yelpsearch::analysis::Analyzer;
use yelpsearch::Index;

fn logit(index: &Index, text: &str) -> f32 {
    let snap = index.snapshot();
    let m = snap.model.text_model.as_ref().expect("a text model");
    let a = Analyzer::default();
    let w = a.words(text);
    m.score_words(&w, &mut Vec::new())
}

#[test]
fn separates_praise_complaints_and_negations() {
    let f = fixture();
    let index = Index::open(&f.index).unwrap();
    // Verdicts as the generator writes them; the negated one must read as negative.
    let pos = ["The pasta was amazing.", "I've never had better pasta."];
    let neg = [
        "The pasta was terrible.",
        "The pasta was not good at all.",
        "Not a fan of the pasta.",
    ];
    let neutral = [
        "I wish they had pasta",
        "My friend swears by the pasta at Luigi's",
    ];
    let min_pos = pos
        .iter()
        .map(|s| logit(&index, s))
        .fold(f32::MAX, f32::min);
    let max_neg = neg
        .iter()
        .map(|s| logit(&index, s))
        .fold(f32::MIN, f32::max);
    for s in pos.iter().chain(&neg).chain(&neutral) {
        eprintln!("{:>7.3}  {s}", logit(&index, s));
    }
    assert!(
        min_pos > max_neg,
        "praise {min_pos} must score above complaints {max_neg}"
    );
    for s in neutral {
        let l = logit(&index, s);
        assert!(l < min_pos, "{s:?} ({l}) reads as praise");
    }
    let report = index.model_info().text_model_report.expect("report");
    assert!(report.review_auc > report.length_auc + 0.2, "{report:?}");
    assert!(
        report.review_accuracy > report.majority_accuracy,
        "{report:?}"
    );
}
