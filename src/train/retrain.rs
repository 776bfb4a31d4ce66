//! Weekly retraining: a new ranker on the index's current data, installed as a new
//! version only when it is not worse than the current one on the same held-out window.

use std::path::Path;

use serde::Serialize;

use super::ranker::{evaluate_model, train_on_snapshot, TrainOptions};
use crate::error::{check_cancel, IoContext, Result};
use crate::model::file::ModelFile;
use crate::reader::Snapshot;
use crate::store::layout::{link_files, write_json, IndexDir, MANIFEST, MODEL, READER_LOCK};

/// What retraining did.
#[derive(Debug, Clone, Serialize)]
pub struct RetrainReport {
    /// The version trained on.
    pub parent: String,
    /// The new version, when the model was installed.
    pub installed: Option<String>,
    /// The current model's held-out NDCG@10 on the new window.
    pub current_ndcg: f64,
    /// The new model's held-out NDCG@10.
    pub new_ndcg: f64,
    /// BM25's on the same queries.
    pub bm25_ndcg: f64,
    /// Held-out queries.
    pub queries: u64,
    /// The new model's version.
    pub model_version: String,
    /// How the new model's training grades were read (its model file's `grades`).
    pub grades: Option<String>,
    /// Wall time, seconds.
    pub seconds: f64,
}

/// Retrains the ranker of the current version at `root`.
pub fn retrain(root: &Path, opts: &TrainOptions) -> Result<RetrainReport> {
    retrain_with(root, opts, false)
}

/// Like [`retrain`]; with `force`, installs the new model even when it is worse.
pub fn retrain_with(root: &Path, opts: &TrainOptions, force: bool) -> Result<RetrainReport> {
    let t0 = std::time::Instant::now();
    let dir = IndexDir::new(root);
    let _lock = dir.lock_writer("train")?;
    let parent = dir.current()?;
    let pdir = dir.version_path(&parent);
    let snap = Snapshot::open_dir(&pdir, None)?;
    let current = snap.model.clone();
    let base = ModelFile::fallback(None, "");
    let base = ModelFile {
        text_model: current.text_model.clone(),
        text_model_report: current.text_model_report.clone(),
        metrics: current
            .metrics
            .iter()
            .filter(|(k, _)| k.starts_with("text_"))
            .map(|(k, v)| (k.clone(), *v))
            .collect(),
        ..base
    };
    let outcome = train_on_snapshot(&snap, base, opts)?;
    let ndcg =
        |m: &std::collections::BTreeMap<String, f64>| m.get("ndcg@10").copied().unwrap_or(0.0);
    let cur = ndcg(&evaluate_model(&outcome.queries, current.ranker.as_ref()));
    let new = ndcg(&evaluate_model(
        &outcome.queries,
        outcome.model.ranker.as_ref(),
    ));
    let bm25 = ndcg(&evaluate_model(&outcome.queries, None));
    let mut report = RetrainReport {
        parent: parent.clone(),
        installed: None,
        current_ndcg: cur,
        new_ndcg: new,
        bm25_ndcg: bm25,
        queries: outcome.queries.iter().filter(|q| q.held_out).count() as u64,
        model_version: outcome.model.version.clone(),
        grades: outcome.model.grades.clone(),
        seconds: 0.0,
    };
    check_cancel(opts.cancel.as_deref())?;
    if force || new + 1e-9 >= cur {
        let (name, tmp) = dir.begin_version()?;
        let r = (|| -> Result<()> {
            link_files(&pdir, &tmp, &[MANIFEST, MODEL, READER_LOCK])?;
            std::fs::write(tmp.join(READER_LOCK), b"").at(tmp.join(READER_LOCK))?;
            outcome.model.save(&tmp.join(MODEL))?;
            let mut m = dir.manifest(&parent)?;
            m.version = name.clone();
            m.parent = Some(parent.clone());
            m.created = chrono::Utc::now().to_rfc3339();
            m.origin = "train".into();
            m.model_version = Some(outcome.model.version.clone());
            m.files = None;
            write_json(&tmp.join(MANIFEST), &m)
        })();
        if let Err(e) = r {
            let _ = std::fs::remove_dir_all(&tmp);
            return Err(e);
        }
        dir.publish(&tmp, &name)?;
        dir.set_current(&name)?;
        report.installed = Some(name);
    }
    report.seconds = t0.elapsed().as_secs_f64();
    Ok(report)
}
