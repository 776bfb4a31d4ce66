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
    /// Why the version is unusable, when it is: its manifest is missing or unreadable,
    /// or a file no longer has the size its manifest lists (readers refuse it). `gc`
    /// removes it unless it is current (then roll back past it, or rebuild).
    pub damaged: Option<String>,
}

/// Every version directory, oldest first, damaged ones included. A damaged CURRENT
/// does not stop the listing: then no version is marked current.
pub fn list_versions(root: &Path) -> Result<Vec<VersionInfo>> {
    let dir = IndexDir::new(root);
    dir.check_exists()?;
    let current = dir.current().ok();
    let mut out = Vec::new();
    for name in dir.version_dirs()? {
        let info = match dir.manifest(&name) {
            Ok(m) => VersionInfo {
                damaged: super::files::verify_sizes(&dir.version_path(&name), &m)
                    .err()
                    .map(|e| e.to_string()),
                created: m.created,
                origin: m.origin,
                reviews: m.reviews,
                model_version: m.model_version,
                current: false,
                in_use: false,
                name: name.clone(),
            },
            Err(e) => VersionInfo {
                created: String::new(),
                origin: String::new(),
                reviews: 0,
                model_version: None,
                damaged: Some(match e {
                    Error::Io { .. } => "manifest.json is missing".to_string(),
                    e => e.to_string(),
                }),
                current: false,
                in_use: false,
                name: name.clone(),
            },
        };
        out.push(VersionInfo {
            current: current.as_deref() == Some(name.as_str()),
            in_use: dir.in_use(&name)?,
            ..info
        });
    }
    Ok(out)
}

/// Points CURRENT at `to`, or at the version before the current one.
/// Returns (from, to). With `to`, it works on a damaged CURRENT (the recovery of one).
pub fn rollback(root: &Path, to: Option<&str>) -> Result<(String, String)> {
    let dir = IndexDir::new(root);
    dir.check_exists()?;
    let _lock = dir.lock_writer("rollback")?;
    let current = dir.current();
    let versions = dir.versions()?;
    let target = match (to, &current) {
        (Some(t), _) => {
            if !versions.iter().any(|v| v == t) {
                return Err(Error::Data(format!(
                    "{}: no version {t:?} here; the complete versions are {} (see `yelpsearch index versions`)",
                    root.display(),
                    versions.join(", ")
                )));
            }
            t.to_string()
        }
        (None, Ok(current)) => versions
            .iter()
            .rfind(|v| v.as_str() < current.as_str())
            .cloned()
            .ok_or_else(|| {
                Error::Data(format!(
                    "{}: {current} is the oldest version; there is nothing to roll back to",
                    root.display()
                ))
            })?,
        (None, Err(e)) => {
            return Err(Error::Data(format!(
                "{e}; say which version to point it at with --to (the complete versions are {})",
                if versions.is_empty() {
                    "none: build the index again".to_string()
                } else {
                    versions.join(", ")
                }
            )))
        }
    };
    dir.set_current(&target)?;
    let from = current.unwrap_or_else(|_| "a damaged CURRENT".to_string());
    Ok((from, target))
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
    /// Damaged versions (no readable manifest, or files that no longer match it) removed.
    pub damaged: Vec<String>,
    /// Why old versions were kept although `keep` would remove them: CURRENT is
    /// damaged, so which one is in service is unknown.
    pub note: Option<String>,
}

/// Removes all but the newest `keep` versions (never the current one, never one a
/// reader pins), damaged versions, and whatever interrupted writers left behind. On a
/// damaged CURRENT it removes only what is certainly garbage (abandoned writes and
/// damaged versions) and keeps every complete version.
pub fn gc(root: &Path, keep: usize) -> Result<GcReport> {
    let dir = IndexDir::new(root);
    dir.check_exists()?;
    let _lock = dir.lock_writer("gc")?;
    let current = dir.current();
    let mut report = GcReport {
        abandoned: dir.remove_abandoned()?,
        ..GcReport::default()
    };
    let versions = dir.versions()?;
    for name in dir.version_dirs()? {
        let is_current = current.as_deref().ok() == Some(name.as_str());
        if versions.contains(&name) || is_current {
            continue;
        }
        if dir.remove_version(&name)? {
            report.damaged.push(name);
        } else {
            report.kept_in_use.push(name);
        }
    }
    let current = match current {
        Ok(c) => c,
        Err(e) => {
            report.note = Some(format!(
                "{e}: every complete version was kept; point CURRENT at one with `yelpsearch index rollback --to VERSION`"
            ));
            return Ok(report);
        }
    };
    // Versions whose files no longer match their manifest cannot be served.
    let (damaged, versions): (Vec<String>, Vec<String>) = versions.into_iter().partition(|name| {
        *name != current
            && dir
                .manifest(name)
                .and_then(|m| super::files::verify_sizes(&dir.version_path(name), &m))
                .is_err()
    });
    for name in damaged {
        if dir.remove_version(&name)? {
            report.damaged.push(name);
        } else {
            report.kept_in_use.push(name);
        }
    }
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
