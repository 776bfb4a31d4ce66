//! Listing, rolling back and collecting index versions.

use std::path::Path;

use serde::Serialize;

use super::layout::IndexDir;
use crate::error::{Error, Result};

/// One version as listed by `index versions`.
#[derive(Debug, Clone, Serialize)]
pub struct VersionInfo {
    /// Version name.
    pub name: String,
    /// When it was written.
    pub created: String,
    /// "build", "update" or "train".
    pub origin: String,
    /// Live reviews.
    pub reviews: u64,
    /// Model version.
    pub model_version: Option<String>,
    /// Whether CURRENT names it.
    pub current: bool,
    /// Whether a reader pins it.
    pub in_use: bool,
}

/// Every complete version, oldest first.
pub fn list_versions(root: &Path) -> Result<Vec<VersionInfo>> {
    let dir = IndexDir::new(root);
    let current = dir.current()?;
    let mut out = Vec::new();
    for name in dir.versions()? {
        let m = dir.manifest(&name)?;
        out.push(VersionInfo {
            current: name == current,
            in_use: dir.in_use(&name)?,
            created: m.created,
            origin: m.origin,
            reviews: m.reviews,
            model_version: m.model_version,
            name,
        });
    }
    Ok(out)
}

/// Points CURRENT at `to`, or at the version before the current one.
/// Returns (from, to).
pub fn rollback(root: &Path, to: Option<&str>) -> Result<(String, String)> {
    let dir = IndexDir::new(root);
    dir.current()?;
    let _lock = dir.lock_writer()?;
    let current = dir.current()?;
    let versions = dir.versions()?;
    let target = match to {
        Some(t) => {
            if !versions.iter().any(|v| v == t) {
                return Err(Error::Data(format!(
                    "{}: no version {t:?}; the versions are {} (see `yelpsearch index versions`)",
                    root.display(),
                    versions.join(", ")
                )));
            }
            t.to_string()
        }
        None => versions
            .iter()
            .rfind(|v| v.as_str() < current.as_str())
            .cloned()
            .ok_or_else(|| {
                Error::Data(format!(
                    "{}: {current} is the oldest version; there is nothing to roll back to",
                    root.display()
                ))
            })?,
    };
    dir.set_current(&target)?;
    Ok((current, target))
}

/// What gc removed and kept.
#[derive(Debug, Clone, Default, Serialize)]
pub struct GcReport {
    /// Versions removed.
    pub removed: Vec<String>,
    /// Old versions kept because a reader uses them.
    pub kept_in_use: Vec<String>,
    /// Abandoned half-written (or half-removed) versions and temporary files removed.
    pub abandoned: usize,
}

/// Removes all but the newest `keep` versions (never the current one, never one a
/// reader pins), and whatever interrupted writers left behind.
pub fn gc(root: &Path, keep: usize) -> Result<GcReport> {
    let dir = IndexDir::new(root);
    dir.current()?;
    let _lock = dir.lock_writer()?;
    let current = dir.current()?;
    let mut report = GcReport {
        abandoned: dir.remove_abandoned()?,
        ..GcReport::default()
    };
    let versions = dir.versions()?;
    let cut = versions.len().saturating_sub(keep.max(1));
    for name in versions[..cut].iter().filter(|n| **n != current) {
        if dir.remove_version(name)? {
            report.removed.push(name.clone());
        } else {
            report.kept_in_use.push(name.clone());
        }
    }
    Ok(report)
}
