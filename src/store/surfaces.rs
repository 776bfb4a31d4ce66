//! The written forms of an index's words: "pancakes", "pancake" and "Pancakes!" are
//! the term "pancak". The index holds terms (folded, stemmed); typos are made in
//! written words ("dumpligs" is one letter from "dumplings", but its term "dumplig" is
//! two from "dumpl"), and a correction is shown to the person as a word ("Showing
//! results for pancakes"). So a build counts the written forms of the words of a sample
//! of its reviews (and of its businesses' names and categories) and keeps those seen at
//! least twice, with their terms.
//!
//! The file (`surfaces.tsv` in the version directory) is one
//! `written<TAB>term<TAB>count` line per form, sorted by form. A version without it
//! (older indexes) shows terms as they are and corrects on terms alone.

use std::collections::HashMap;
use std::io::Write;
use std::path::Path;

use crate::analysis::{fold, Analyzer};
use crate::error::{IoContext, Result};

/// File name of the written forms in a version directory.
pub const SURFACES: &str = "surfaces.tsv";

/// Forms seen fewer times than this in the sample are not kept (too rare to be a
/// correction worth showing).
const MIN_COUNT: u32 = 2;

/// Counts the written forms of words.
#[derive(Debug, Default)]
pub struct SurfaceCounter {
    /// Form → (term, times seen, kept whatever the count).
    counts: HashMap<String, (String, u32, bool)>,
}

impl SurfaceCounter {
    /// Counts the words of `text` (a review).
    pub fn add(&mut self, analyzer: &Analyzer, text: &str) {
        self.count(analyzer, text, false);
    }

    /// Counts the words of `text` and keeps them whatever their count (a business's
    /// name or category: "Cocina" may be written once and still be searched for).
    pub fn keep(&mut self, analyzer: &Analyzer, text: &str) {
        self.count(analyzer, text, true);
    }

    fn count(&mut self, analyzer: &Analyzer, text: &str, keep: bool) {
        analyzer.for_each_word(text, |w| {
            if w.stop {
                return;
            }
            let written = fold(&text[w.from..w.to]);
            match self.counts.get_mut(written.as_ref()) {
                Some(e) => {
                    e.1 += 1;
                    e.2 |= keep;
                }
                None => {
                    self.counts
                        .insert(written.into_owned(), (w.term.to_string(), 1, keep));
                }
            }
        });
    }

    /// The forms seen at least twice, and those kept.
    pub fn finish(self) -> Surfaces {
        let mut forms: Vec<Form> = self
            .counts
            .into_iter()
            .filter(|(_, (_, n, keep))| *n >= MIN_COUNT || *keep)
            .map(|(written, (term, count, _))| Form {
                written,
                term,
                count,
            })
            .collect();
        forms.sort_by(|a, b| a.written.cmp(&b.written));
        Surfaces::from_sorted(forms)
    }
}

/// A written form of a term.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Form {
    /// As written (folded).
    pub written: String,
    /// Its term.
    pub term: String,
    /// Times seen in the sample.
    pub count: u32,
}

/// The written forms of an index's words.
#[derive(Default)]
pub struct Surfaces {
    /// Sorted by `written`.
    forms: Vec<Form>,
    /// Term → index of its most common form.
    usual: HashMap<String, usize>,
    /// `written` → index into `forms`, for automaton searches.
    map: Option<tantivy_fst::Map<Vec<u8>>>,
}

impl std::fmt::Debug for Surfaces {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Surfaces({} forms)", self.forms.len())
    }
}

impl PartialEq for Surfaces {
    fn eq(&self, other: &Self) -> bool {
        self.forms == other.forms
    }
}

impl Surfaces {
    fn from_sorted(forms: Vec<Form>) -> Surfaces {
        let mut usual: HashMap<String, usize> = HashMap::new();
        for (i, f) in forms.iter().enumerate() {
            match usual.get(&f.term) {
                // The most common form; ties to the shorter, then the first.
                Some(&j)
                    if (forms[j].count, std::cmp::Reverse(forms[j].written.len()))
                        >= (f.count, std::cmp::Reverse(f.written.len())) => {}
                _ => {
                    usual.insert(f.term.clone(), i);
                }
            }
        }
        let map = tantivy_fst::Map::from_iter(
            forms
                .iter()
                .enumerate()
                .map(|(i, f)| (f.written.as_bytes().to_vec(), i as u64)),
        )
        .ok();
        Surfaces { forms, usual, map }
    }

    /// How `term` is usually written, if known.
    pub fn get(&self, term: &str) -> Option<&str> {
        self.usual
            .get(term)
            .map(|&i| self.forms[i].written.as_str())
    }

    /// How often a written form was seen, if it was kept.
    pub fn count(&self, written: &str) -> Option<u32> {
        self.forms
            .binary_search_by(|f| f.written.as_str().cmp(written))
            .ok()
            .map(|i| self.forms[i].count)
    }

    /// The forms an automaton accepts.
    pub fn search<A: tantivy_fst::Automaton>(&self, automaton: A) -> Vec<&Form> {
        use tantivy_fst::{IntoStreamer, Streamer};
        let Some(map) = &self.map else {
            return Vec::new();
        };
        let mut out = Vec::new();
        let mut stream = map.search(automaton).into_stream();
        while let Some((_, i)) = stream.next() {
            if let Some(f) = self.forms.get(i as usize) {
                out.push(f);
            }
        }
        out
    }

    /// Number of forms known.
    pub fn len(&self) -> usize {
        self.forms.len()
    }

    /// Whether no form is known.
    pub fn is_empty(&self) -> bool {
        self.forms.is_empty()
    }

    /// Writes the file into `dir` (synced).
    pub fn save(&self, dir: &Path) -> Result<()> {
        let path = dir.join(SURFACES);
        let f = std::fs::File::create(&path).at(&path)?;
        let mut w = std::io::BufWriter::new(f);
        for f in &self.forms {
            writeln!(w, "{}\t{}\t{}", f.written, f.term, f.count).at(&path)?;
        }
        w.flush().at(&path)?;
        w.get_ref().sync_all().at(&path)
    }

    /// Reads the file of a version directory; empty when the version has none. Lines
    /// it does not understand are skipped (the file only helps).
    pub fn load(dir: &Path) -> Result<Surfaces> {
        let path = dir.join(SURFACES);
        let text = match std::fs::read_to_string(&path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Surfaces::default()),
            Err(e) => return Err(crate::error::Error::io(&path, e)),
        };
        let mut forms: Vec<Form> = text
            .lines()
            .filter_map(|l| {
                let mut parts = l.split('\t');
                let (written, term, count) = (parts.next()?, parts.next()?, parts.next()?);
                Some(Form {
                    written: written.to_string(),
                    term: term.to_string(),
                    count: count.parse().ok()?,
                })
            })
            .collect();
        forms.sort_by(|a, b| a.written.cmp(&b.written));
        forms.dedup_by(|a, b| a.written == b.written);
        Ok(Surfaces::from_sorted(forms))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_most_common_form_is_shown_and_forms_read_back() {
        let a = Analyzer::default();
        let mut c = SurfaceCounter::default();
        c.add(
            &a,
            "Pancakes! The pancakes and a pancake. Fried chicken, fries, fried rice. Once: zucchini.",
        );
        c.add(&a, "More pancake, fries, pancakes.");
        c.keep(&a, "Carlos's Cocina");
        let s = c.finish();
        assert_eq!(s.get("pancak"), Some("pancakes"));
        assert_eq!(
            s.get("fri"),
            Some("fried"),
            "fried and fries twice each: the first"
        );
        assert_eq!(s.get("zucchini"), None, "seen once");
        assert_eq!(s.get("cocina"), Some("cocina"), "a name's words are kept");
        let near = s.search(tantivy_fst::automaton::Subsequence::new("pancake"));
        let written: Vec<&str> = near.iter().map(|f| f.written.as_str()).collect();
        assert_eq!(written, ["pancake", "pancakes"]);
        let dir = tempfile::tempdir().unwrap();
        s.save(dir.path()).unwrap();
        assert_eq!(Surfaces::load(dir.path()).unwrap(), s);
        let empty = tempfile::tempdir().unwrap();
        assert!(Surfaces::load(empty.path()).unwrap().is_empty());
    }
}
