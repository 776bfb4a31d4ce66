//! The model file: the text model and the ranker of an index version, with what they
//! expect, what they saw and how well they did.
//!
//! The file is JSON (`model.json` in each version). Its `content_hash` is the SHA-256
//! of the file's canonical JSON with the hash field empty, so a corrupt or hand-edited
//! file is refused at load, and the index then serves with the BM25 fallback.

use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::features::{current_feature_name, FEATURE_NAMES};
use super::forest::Ensemble;
use super::text::{TextModel, TextModelReport};
use crate::date::Day;
use crate::error::{Error, IoContext, Result};
use crate::store::layout::write_json;

/// Current model file format.
pub const MODEL_FORMAT: u32 = 1;

/// When the ranker's features and labels were taken from.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct TrainingWindow {
    /// Features from reviews dated before this day.
    pub features_until: Option<Day>,
    /// Labels from reviews dated on or after this day...
    pub labels_from: Option<Day>,
    /// ...and before this day.
    pub labels_until: Option<Day>,
}

/// How much data the models saw.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct TrainingData {
    /// Training queries of the ranker.
    pub queries: u64,
    /// (query, business) pairs of the ranker.
    pub businesses: u64,
    /// Reviews offered to the text model.
    pub reviews: u64,
}

/// A model file.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ModelFile {
    /// File format.
    pub format: u32,
    /// Always "yelpsearch-ranker".
    pub name: String,
    /// Version string: training day and the first 12 hex digits of the content hash.
    pub version: String,
    /// "lambdamart" or "bm25".
    pub kind: String,
    /// True when the ranker is the BM25 fallback (too little data to learn from).
    pub fallback: bool,
    /// Why the fallback is in use.
    pub fallback_reason: Option<String>,
    /// The features the ranker expects, in order.
    pub features: Vec<String>,
    /// When it was trained (RFC 3339).
    pub trained_at: Option<String>,
    /// The ranker's training window.
    pub training_window: TrainingWindow,
    /// What the models saw.
    pub data: TrainingData,
    /// Offline metrics (ndcg@10, mrr, p@5 on the held-out window, and the BM25
    /// baseline's on the same queries; text model AUCs).
    pub metrics: BTreeMap<String, f64>,
    /// The text model's held-out report.
    pub text_model_report: Option<TextModelReport>,
    /// The text model (clause sentiment).
    pub text_model: Option<TextModel>,
    /// The learned ranker.
    pub ranker: Option<Ensemble>,
    /// How differently reviewers judge each term from place to place (the F statistic
    /// of its clauses' sentiment between and within businesses; see
    /// `train::ranker::score_terms`): high for things people judge (dishes, drinks,
    /// the patio), low for words that name a kind of place or say nothing. Learned from
    /// the index's reviews with the ranker; empty in older files.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub judged_terms: BTreeMap<String, f32>,
    /// How the ranker's training grades were read from the later reviews (see
    /// `train::grades`); `None` in older files and the fallback.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub grades: Option<String>,
    /// SHA-256 of the file with this field empty.
    pub content_hash: String,
}

impl ModelFile {
    /// The BM25 fallback, with an optional text model and the reason.
    pub fn fallback(text_model: Option<(TextModel, TextModelReport)>, reason: &str) -> ModelFile {
        let (text_model, text_model_report) = match text_model {
            Some((m, r)) => (Some(m), Some(r)),
            None => (None, None),
        };
        let mut m = ModelFile {
            format: MODEL_FORMAT,
            name: "yelpsearch-ranker".into(),
            version: String::new(),
            kind: "bm25".into(),
            fallback: true,
            fallback_reason: Some(reason.to_string()),
            features: FEATURE_NAMES.iter().map(|s| s.to_string()).collect(),
            trained_at: None,
            training_window: TrainingWindow::default(),
            data: TrainingData::default(),
            metrics: BTreeMap::new(),
            text_model_report,
            text_model,
            ranker: None,
            judged_terms: BTreeMap::new(),
            grades: None,
            content_hash: String::new(),
        };
        if let Some(r) = &m.text_model_report {
            m.metrics.insert("text_clause_auc".into(), r.clause_auc);
            m.metrics.insert("text_review_auc".into(), r.review_auc);
        }
        m.seal();
        m
    }

    fn hash(&self) -> String {
        let mut copy = self.clone();
        copy.content_hash = String::new();
        copy.version = String::new();
        let bytes = serde_json::to_vec(&copy).unwrap_or_default();
        let digest = Sha256::digest(&bytes);
        digest.iter().map(|b| format!("{b:02x}")).collect()
    }

    /// Computes the content hash and the version string.
    pub fn seal(&mut self) {
        self.content_hash = self.hash();
        let day = self
            .trained_at
            .as_deref()
            .and_then(|t| t.get(..10))
            .unwrap_or("untrained")
            .replace('-', "");
        self.version = format!("{}-{}", day, &self.content_hash[..12]);
    }

    /// Writes the file.
    pub fn save(&self, path: &Path) -> Result<()> {
        write_json(path, self)
    }

    /// Reads and verifies a model file: format, hash and the feature list must match
    /// what this build of yelpsearch computes.
    pub fn load(path: &Path) -> Result<ModelFile> {
        let m = Self::load_sound(path)?;
        m.check_compatible(path)?;
        Ok(m)
    }

    /// The model to serve from `path`, read once: the file itself, or the BM25 fallback
    /// with the reason it was refused. A sound file whose ranker this build cannot use
    /// (another feature list, say, after an upgrade) keeps its text model in the
    /// fallback, so that aspect sentiment is still shown, updates still score new
    /// reviews and `model train` keeps it.
    pub fn load_or_fallback(path: &Path) -> (ModelFile, Option<Error>) {
        let refused = |text_model, e: Error| {
            let m = ModelFile::fallback(text_model, &format!("model file refused: {e}"));
            (m, Some(e))
        };
        match Self::load_sound(path) {
            Ok(m) => match m.check_compatible(path) {
                Ok(()) => (m, None),
                Err(e) => {
                    let text = m
                        .text_model
                        .map(|t| (t, m.text_model_report.unwrap_or_default()));
                    refused(text, e)
                }
            },
            Err(e) => refused(None, e),
        }
    }

    /// Checks that the file's feature list and ranker fit this build.
    fn check_compatible(&self, path: &Path) -> Result<()> {
        // A ranker trained before features were appended reads the first ones only.
        let known = self.features.len() <= FEATURE_NAMES.len()
            && self
                .features
                .iter()
                .map(|n| current_feature_name(n))
                .eq(FEATURE_NAMES[..self.features.len()].iter().copied());
        if !known {
            return Err(Error::Model(format!(
                "{}: expects features {:?}, this yelpsearch computes {:?}; retrain with `yelpsearch model train`",
                path.display(),
                self.features,
                FEATURE_NAMES
            )));
        }
        if let Some(r) = &self.ranker {
            r.check(self.features.len())
                .map_err(|e| Error::Model(format!("{}: {e}", path.display())))?;
        }
        Ok(())
    }

    /// Reads a model file and checks its format and content hash.
    fn load_sound(path: &Path) -> Result<ModelFile> {
        let bytes = std::fs::read(path).at(path)?;
        let m: ModelFile = serde_json::from_slice(&bytes)
            .map_err(|e| Error::Model(format!("{}: not a model file ({e})", path.display())))?;
        if m.format != MODEL_FORMAT {
            return Err(Error::Model(format!(
                "{}: format {} but this yelpsearch reads {MODEL_FORMAT}; retrain with `yelpsearch model train`",
                path.display(),
                m.format
            )));
        }
        if m.hash() != m.content_hash {
            return Err(Error::Model(format!(
                "{}: content hash mismatch (the file is corrupt or was edited); retrain with `yelpsearch model train`",
                path.display()
            )));
        }
        Ok(m)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn older_feature_lists_are_read_newer_ones_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("model.json");
        // Written before the last features were added: its ranker reads the first ones,
        // which are computed as they were.
        let mut older = ModelFile::fallback(None, "test");
        older.features.truncate(33);
        older.seal();
        older.save(&path).unwrap();
        assert!(ModelFile::load(&path).is_ok());
        // Written before the aspect means were renamed for what they are: read.
        let mut renamed = ModelFile::fallback(None, "test");
        for (old, new) in super::super::features::RENAMED_FEATURES {
            let at = renamed.features.iter().position(|f| f == new).unwrap();
            renamed.features[at] = old.to_string();
        }
        assert!(renamed.features.iter().any(|f| f == "aspect_mean"));
        renamed.seal();
        renamed.save(&path).unwrap();
        assert!(ModelFile::load(&path).is_ok());
        // A feature this build does not compute, or one renamed: refused.
        for change in [
            |m: &mut ModelFile| m.features.push("from_a_newer_yelpsearch".into()),
            |m: &mut ModelFile| m.features[0] = "renamed".into(),
        ] {
            let mut other = ModelFile::fallback(None, "test");
            change(&mut other);
            other.seal();
            other.save(&path).unwrap();
            let e = ModelFile::load(&path).unwrap_err().to_string();
            assert!(e.contains("expects features"), "{e}");
        }
    }
}
