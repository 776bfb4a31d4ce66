//! Managing the published versions in the store: moving `CURRENT` back, and removing
//! old versions and the blobs no version lists any more.

use std::collections::HashSet;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use object_store::ObjectStoreExt;
use serde::Serialize;

use super::store::Remote;
use crate::error::{CliResult, RemoteFailure};

/// Points the store's `CURRENT` at `to`, or at the published version before the
/// current one. Returns (from, to). Replicas pulling from the store switch on their
/// next round (they keep the previous version, so nothing is downloaded).
pub async fn rollback(remote: &Remote, to: Option<&str>) -> CliResult<(String, String)> {
    let current = remote
        .current()
        .await?
        .ok_or_else(|| remote.fail(RemoteFailure::NothingPublished, "nothing is published here"))?;
    let versions = remote.versions().await?;
    let target = match to {
        Some(t) if versions.iter().any(|v| v == t) => t.to_string(),
        Some(t) => {
            return Err(remote.fail(
                RemoteFailure::MissingVersion,
                format!("no published version {t:?}; the versions are {}", versions.join(", ")),
            ))
        }
        None => versions
            .iter()
            .rfind(|v| v.as_str() < current.as_str())
            .cloned()
            .ok_or_else(|| {
                remote.fail(
                    RemoteFailure::MissingVersion,
                    format!("{current} is the oldest published version; there is nothing to roll back to"),
                )
            })?,
    };
    if remote.version_files(&target).await?.is_none() {
        return Err(remote.fail(
            RemoteFailure::MissingVersion,
            format!("{target} has no file list in the store"),
        ));
    }
    remote.set_current(&target).await?;
    Ok((current, target))
}

/// What a gc of the store removed.
#[derive(Debug, Clone, Default, Serialize)]
pub struct RemoteGcReport {
    /// Versions whose file lists were deleted.
    pub removed_versions: Vec<String>,
    /// Versions kept.
    pub kept_versions: Vec<String>,
    /// Blobs deleted (listed by no kept version and older than the grace period).
    pub removed_blobs: usize,
    /// Their bytes.
    pub removed_bytes: u64,
}

/// Keeps the newest `keep` published versions (always the current one) and deletes
/// the others' file lists, then the blobs no kept version lists. A blob younger than
/// `grace` stays: a publish in progress uploads its blobs before its file list.
pub async fn gc(remote: &Remote, keep: usize, grace: Duration) -> CliResult<RemoteGcReport> {
    let current = remote.current().await?;
    let versions = remote.versions().await?;
    let cut = versions.len().saturating_sub(keep.max(1));
    let mut report = RemoteGcReport::default();
    let mut referenced = HashSet::new();
    for (i, v) in versions.iter().enumerate() {
        if i < cut && current.as_deref() != Some(v.as_str()) {
            remote.delete_version(v).await?;
            report.removed_versions.push(v.clone());
        } else {
            let list = remote.version_files(v).await?.ok_or_else(|| {
                remote.fail(
                    RemoteFailure::MissingVersion,
                    format!("{v} lost its file list during the gc: run it again"),
                )
            })?;
            referenced.extend(list.files.into_iter().map(|f| f.sha256));
            report.kept_versions.push(v.clone());
        }
    }
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64);
    for (sha, size, modified) in remote.blobs().await? {
        if referenced.contains(&sha) || now - modified < grace.as_secs() as i64 {
            continue;
        }
        let key = remote.blob_key(&sha);
        remote
            .store()
            .delete(&key)
            .await
            .map_err(|e| remote.store_error(&format!("deleting {key}"), e))?;
        report.removed_blobs += 1;
        report.removed_bytes += size;
    }
    Ok(report)
}
