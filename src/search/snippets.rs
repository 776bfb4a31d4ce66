//! Snippets: the sentence of a review that mentions the need, HTML-escaped, with the
//! query terms wrapped in `<mark>`.
//!
//! ```
//! use yelpsearch::analysis::Analyzer;
//! use yelpsearch::bench::snippet;
//! let a = Analyzer::default();
//! let s = snippet(&a, "Nice place. The <b>pasta</b> was divine!", &["pasta".into()], 200);
//! assert_eq!(s, "The &lt;b&gt;<mark>pasta</mark>&lt;/b&gt; was divine!");
//! ```

use std::ops::ControlFlow;

use crate::analysis::{ends_sentence, Analyzer, Word};

/// Escapes text for HTML (`&`, `<`, `>`, `"`, `'`).
pub fn escape_html(s: &str, out: &mut String) {
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
}

/// The snippet of `text` for the analysed query `terms`: the first sentence holding a
/// term (cut to about `max_chars` around it), escaped, terms marked.
pub fn snippet(analyzer: &Analyzer, text: &str, terms: &[String], max_chars: usize) -> String {
    snippet_of(analyzer, text, terms, max_chars, true)
}

/// [`snippet`], analysing the whole text (`stop_early` false) or only as far as the
/// first word after the sentence of the first term (true: nothing after it shows).
fn snippet_of(
    analyzer: &Analyzer,
    text: &str,
    terms: &[String],
    max_chars: usize,
    stop_early: bool,
) -> String {
    let is_hit = |w: &Word| !w.stop && terms.iter().any(|t| **t == *w.term);
    let mut words: Vec<Word> = Vec::with_capacity(text.len() / 6 + 4);
    let mut first_hit: Option<usize> = None;
    let _ = analyzer.try_for_each_word(text, |w| {
        if first_hit.is_none() && is_hit(&w) {
            first_hit = Some(words.len());
        }
        words.push(w);
        // The first hit's sentence is complete once a later word starts another one; that
        // word is kept, as the sentence's end is where it starts.
        match (first_hit, &words[..]) {
            (Some(h), [.., prev, last]) if stop_early && h + 1 < words.len() => {
                if ends_sentence(&text[prev.to..last.from]) {
                    return ControlFlow::Break(());
                }
                ControlFlow::Continue(())
            }
            _ => ControlFlow::Continue(()),
        }
    });
    let hits: Vec<usize> = words
        .iter()
        .enumerate()
        .filter(|(_, w)| is_hit(w))
        .map(|(i, _)| i)
        .collect();
    let sentences = analyzer.sentences(text, &words);
    let (mut from, mut to) = match hits.first() {
        Some(&h) => {
            let pos = words[h].position;
            sentences
                .iter()
                .find(|s| s.first_word <= pos && pos < s.end_word)
                .map_or((0, text.len()), |s| (s.from, s.to))
        }
        None => sentences
            .first()
            .map_or((0, text.len()), |s| (s.from, s.to)),
    };
    // Cut a long sentence to a window around its first hit, on word boundaries.
    if text[from..to].chars().count() > max_chars {
        let anchor = hits.first().map_or(from, |&h| words[h].from);
        let mut start = anchor.saturating_sub(max_chars / 3).max(from);
        while !text.is_char_boundary(start) {
            start += 1;
        }
        if let Some(w) = words.iter().find(|w| w.from >= start && w.from <= anchor) {
            start = w.from;
        }
        let mut end = start;
        for (i, _) in text[start..to].char_indices().take(max_chars) {
            end = start + i;
        }
        if let Some(w) = words.iter().rev().find(|w| w.to <= end && w.to > start) {
            end = w.to;
        }
        from = start;
        to = end.max(anchor);
    }
    let mut out = String::with_capacity(to - from + 32);
    let lead = from > 0 && !text[..from].trim_end().ends_with(['.', '!', '?', '\n']);
    if lead {
        out.push('…');
    }
    let mut at = from;
    for &h in &hits {
        let w = &words[h];
        if w.from < from || w.to > to {
            continue;
        }
        escape_html(&text[at..w.from], &mut out);
        out.push_str("<mark>");
        escape_html(&text[w.from..w.to], &mut out);
        out.push_str("</mark>");
        at = w.to;
    }
    escape_html(text[at..to].trim_end(), &mut out);
    if to < text.trim_end().len() && !text[..to].trim_end().ends_with(['.', '!', '?']) {
        out.push('…');
    }
    out.trim().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn marks_folded_and_stemmed_forms_and_escapes() {
        let a = Analyzer::default();
        let t: Vec<String> = a.terms("creme brulee").collect();
        let s = snippet(
            &a,
            "Meh.\nTheir CRÈME brûlées <script>alert(1)</script> rock",
            &t,
            200,
        );
        assert_eq!(
            s,
            "Their <mark>CRÈME</mark> <mark>brûlées</mark> &lt;script&gt;alert(1)&lt;/script&gt; rock"
        );
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig { cases: 3_000, ..Default::default() })]
        /// Stopping the analysis after the first term's sentence shows exactly what
        /// analysing the whole text shows: texts of words, terms, stopwords, numbers,
        /// terminators, line breaks, markup and accents, windows short and long.
        #[test]
        fn stopping_early_shows_what_the_whole_text_shows(
            parts in proptest::collection::vec(
                proptest::sample::select(vec![
                    "pasta", "Pastas", "the", "was", "good", "but", "3.5", "e.g.", ". ", "! ",
                    "? ", "\n", "… ", ", ", "; ", "<b>", "crème", "brûlée", "Luigi's", "  ",
                    "pizza", "not", "x", "...", "\"",
                ]),
                0..60,
            ),
            max in 10usize..300,
        ) {
            let a = Analyzer::default();
            let text = parts.join(" ");
            for query in ["pasta", "pizza", "creme brulee", "missing"] {
                let terms: Vec<String> = a.terms(query).collect();
                proptest::prop_assert_eq!(
                    snippet_of(&a, &text, &terms, max, true),
                    snippet_of(&a, &text, &terms, max, false),
                    "{:?} {:?} {}", text, query, max
                );
            }
        }
    }

    #[test]
    fn long_sentences_are_windowed() {
        let a = Analyzer::default();
        let text = format!("{} pasta {}", "word ".repeat(200), "more ".repeat(200));
        let s = snippet(&a, &text, &["pasta".into()], 120);
        assert!(s.contains("<mark>pasta</mark>"));
        assert!(s.chars().count() < 160, "{}", s.len());
        assert!(s.starts_with('…') && s.ends_with('…'));
    }
}
