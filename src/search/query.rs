//! Query parsing: where the zipcode is, and what the need is.
//!
//! Accepted forms: `61820 pasta`, `pasta 61820`, `pasta in 61820`, `pasta near 61820`,
//! an explicit zipcode beside a bare need, and quoted phrases (`"deep dish" 61820`).
//! An unquoted multi-word need (`fried chicken`) matches reviews holding every word;
//! a quoted one only reviews where the words stand together.
//!
//! ```
//! use yelpsearch::ParsedQuery;
//! let q = ParsedQuery::parse("\"deep dish\" near 60614", None).unwrap();
//! assert_eq!(q.zip, "60614");
//! assert_eq!(q.need, "\"deep dish\"");
//! ```

use crate::analysis::Analyzer;
use crate::error::{QueryError, Result};
use crate::ingest::{looks_like_postal_code, normalize_postal_code};

/// Longest query accepted, in characters.
pub const MAX_QUERY_CHARS: usize = 256;
/// Most terms in a need.
pub const MAX_TERMS: usize = 16;

/// A group of query terms: a quoted phrase, or the unquoted words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Clause {
    /// Analysed terms with their position offsets relative to the first term.
    pub terms: Vec<(String, u32)>,
    /// Whether the terms must stand together.
    pub phrase: bool,
}

/// A parsed query.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParsedQuery {
    /// Normalised zipcode.
    pub zip: String,
    /// The need as the user wrote it, without the zipcode and its preposition.
    pub need: String,
    /// The clauses; every one must match.
    pub clauses: Vec<Clause>,
    /// The unquoted words, as typed (what the interpreter reads).
    pub loose: String,
    /// The quoted phrases, as typed (without their quotes): words of the need taken as
    /// they are, standing together.
    pub phrases: Vec<String>,
}

#[derive(Debug)]
enum Piece {
    Word(String),
    Quoted(String),
}

fn pieces(q: &str) -> Result<Vec<Piece>> {
    let mut out = Vec::new();
    let mut rest = q;
    loop {
        rest = rest.trim_start();
        if rest.is_empty() {
            break;
        }
        if let Some(after) = rest.strip_prefix('"') {
            match after.find('"') {
                Some(end) => {
                    out.push(Piece::Quoted(after[..end].to_string()));
                    rest = &after[end + 1..];
                }
                None => return Err(QueryError::UnbalancedQuote.into()),
            }
        } else {
            let end = rest
                .find(|c: char| c.is_whitespace() || c == '"')
                .unwrap_or(rest.len());
            out.push(Piece::Word(rest[..end].to_string()));
            rest = &rest[end..];
        }
    }
    Ok(out)
}

impl ParsedQuery {
    /// Parses `q`, with an optional explicit zipcode (which wins over one in `q`).
    pub fn parse(q: &str, zip: Option<&str>) -> Result<ParsedQuery> {
        Self::parse_with(&Analyzer::default(), q, zip)
    }

    /// Parses with a given analyzer.
    pub fn parse_with(analyzer: &Analyzer, q: &str, zip: Option<&str>) -> Result<ParsedQuery> {
        if q.trim().is_empty() {
            return Err(QueryError::EmptyQuery.into());
        }
        if q.chars().count() > MAX_QUERY_CHARS {
            return Err(QueryError::TooLong {
                max: MAX_QUERY_CHARS,
            }
            .into());
        }
        if q.chars().any(|c| c.is_control() && !c.is_whitespace()) {
            return Err(QueryError::ControlChars.into());
        }
        let mut ps = pieces(q)?;
        // A Canadian code typed in two halves: "T6E 1Z9".
        let mut merged = Vec::with_capacity(ps.len());
        let mut i = 0;
        while i < ps.len() {
            if let (Piece::Word(a), Some(Piece::Word(b))) = (&ps[i], ps.get(i + 1)) {
                let joined = format!("{a}{b}");
                if a.len() == 3 && b.len() == 3 && looks_like_postal_code(&joined) {
                    merged.push(Piece::Word(joined));
                    i += 2;
                    continue;
                }
            }
            merged.push(std::mem::replace(&mut ps[i], Piece::Word(String::new())));
            i += 1;
        }
        let mut found_zip: Option<String> = None;
        let mut kept: Vec<Piece> = Vec::new();
        for p in merged {
            match p {
                Piece::Word(w) if found_zip.is_none() && looks_like_postal_code(&w) => {
                    found_zip = normalize_postal_code(&w);
                    // Drop a preposition that introduced the zipcode.
                    if let Some(Piece::Word(prev)) = kept.last() {
                        if matches!(
                            prev.to_lowercase().as_str(),
                            "in" | "near" | "around" | "at"
                        ) {
                            kept.pop();
                        }
                    }
                }
                other => kept.push(other),
            }
        }
        let zip = match zip.map(str::trim).filter(|z| !z.is_empty()) {
            Some(z) => {
                if !looks_like_postal_code(z) {
                    return Err(QueryError::InvalidZip { zip: z.to_string() }.into());
                }
                normalize_postal_code(z).unwrap_or_default()
            }
            None => found_zip.ok_or(QueryError::MissingZip)?,
        };
        let mut clauses = Vec::new();
        let mut loose: Vec<String> = Vec::new();
        let mut need_parts = Vec::new();
        let mut phrases = Vec::new();
        for p in &kept {
            match p {
                Piece::Word(w) => {
                    need_parts.push(w.clone());
                    loose.push(w.clone());
                }
                Piece::Quoted(s) => {
                    need_parts.push(format!("\"{s}\""));
                    let c = clause(analyzer, s, true);
                    if !c.terms.is_empty() {
                        clauses.push(c);
                        phrases.push(s.trim().to_string());
                    }
                }
            }
        }
        let loose = loose.join(" ");
        let loose_clause = clause(analyzer, &loose, false);
        if !loose_clause.terms.is_empty() {
            clauses.insert(0, loose_clause);
        }
        let n_terms: usize = clauses.iter().map(|c| c.terms.len()).sum();
        if n_terms == 0 {
            return Err(QueryError::NoTerms.into());
        }
        if n_terms > MAX_TERMS {
            return Err(QueryError::TooManyTerms { max: MAX_TERMS }.into());
        }
        Ok(ParsedQuery {
            zip,
            need: need_parts.join(" "),
            clauses,
            loose,
            phrases,
        })
    }

    /// Every distinct term of the query.
    pub fn distinct_terms(&self) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for c in &self.clauses {
            for (t, _) in &c.terms {
                if !out.contains(t) {
                    out.push(t.clone());
                }
            }
        }
        out
    }
}

fn clause(analyzer: &Analyzer, text: &str, phrase: bool) -> Clause {
    let words: Vec<_> = analyzer
        .words(text)
        .into_iter()
        .filter(|w| !w.stop)
        .collect();
    let first = words.first().map_or(0, |w| w.position);
    Clause {
        terms: words
            .into_iter()
            .map(|w| (w.term.to_string(), w.position - first))
            .collect(),
        phrase,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn terms(q: &ParsedQuery) -> Vec<Vec<&str>> {
        q.clauses
            .iter()
            .map(|c| c.terms.iter().map(|(t, _)| t.as_str()).collect())
            .collect()
    }

    #[test]
    fn zip_anywhere() {
        for q in [
            "61820 pasta",
            "pasta 61820",
            "pasta in 61820",
            "pasta near 61820",
            "Pasta near 61820-1234",
        ] {
            let p = ParsedQuery::parse(q, None).unwrap();
            assert_eq!(p.zip, "61820", "{q}");
            assert_eq!(terms(&p), [["pasta"]], "{q}");
        }
        let p = ParsedQuery::parse("pasta", Some("61820")).unwrap();
        assert_eq!(p.zip, "61820");
        let p = ParsedQuery::parse("poutine in t6e 1z9", None).unwrap();
        assert_eq!((p.zip.as_str(), p.need.as_str()), ("T6E 1Z9", "poutine"));
        let p = ParsedQuery::parse("61820 pasta", Some("60614")).unwrap();
        assert_eq!(p.zip, "60614", "the explicit zip wins");
        // A Canadian district alone, as Yelp gives some businesses' postal codes.
        for (q, zip) in [
            ("T5J poutine", None),
            ("poutine in t5j", None),
            ("poutine", Some("t5j")),
        ] {
            let p = ParsedQuery::parse(q, zip).unwrap();
            assert_eq!((p.zip.as_str(), p.need.as_str()), ("T5J", "poutine"), "{q}");
        }
        let p = ParsedQuery::parse("T5J 1A7 poutine", None).unwrap();
        assert_eq!(p.zip, "T5J 1A7", "the full code is still one zipcode");
    }

    #[test]
    fn phrases_and_words() {
        let p = ParsedQuery::parse("\"deep dish\" pizza 60614", None).unwrap();
        assert_eq!(terms(&p), [vec!["pizza"], vec!["deep", "dish"]]);
        assert!(p.clauses[1].phrase && !p.clauses[0].phrase);
        let p = ParsedQuery::parse("fried chicken in 61820", None).unwrap();
        assert_eq!(
            p.clauses[0].terms,
            [("fri".to_string(), 0), ("chicken".to_string(), 1)]
        );
        let p = ParsedQuery::parse("\"mac and cheese\" 61820", None).unwrap();
        assert_eq!(
            p.clauses[0].terms,
            [("mac".to_string(), 0), ("chees".to_string(), 2)]
        );
    }

    #[test]
    fn clear_errors() {
        for (q, zip, want) in [
            ("pasta", None, "no zipcode"),
            ("61820", None, "no words"),
            ("the in 61820", None, "no words"),
            ("\"pasta 61820", None, "unbalanced"),
            ("pasta", Some("6182"), "not a zipcode"),
        ] {
            let e = ParsedQuery::parse(q, zip).unwrap_err().to_string();
            assert!(e.contains(want), "{q}: {e}");
        }
        let long = "a".repeat(MAX_QUERY_CHARS + 1);
        assert!(ParsedQuery::parse(&long, Some("61820")).is_err());
    }
}
