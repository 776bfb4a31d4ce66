//! `index pull`: one round of making the local index follow the store's `CURRENT`.
//!
//! A newer version is downloaded beside the current one: files the local versions
//! already hold (same SHA-256) are hard-linked, the others are downloaded to `.part`
//! files, checked against the listed size and SHA-256 while they stream, and renamed;
//! the whole version is verified again before it gets its name and CURRENT moves (the
//! core's [`Install`]). A round that fails for any reason leaves CURRENT where it was.

use std::path::Path;
use std::time::Instant;

use futures::{StreamExt, TryStreamExt};
use object_store::ObjectStoreExt;
use serde::Serialize;
use sha2::{Digest, Sha256};
use tokio::io::AsyncWriteExt;
use yelpsearch::{installed_files, same_names_and_sizes, ErrorCode, FileEntry, IndexDir, Install};

use super::store::Remote;
use crate::error::{CliError, CliResult, RemoteFailure};

/// Downloads at once.
const PARALLEL: usize = 4;

/// What a pull round did.
#[derive(Debug, Clone, Default, Serialize)]
pub struct PullReport {
    /// The store URL.
    pub url: String,
    /// The version the store's CURRENT names.
    pub remote_version: String,
    /// The local current version before the round (None: the index was empty).
    pub previous: Option<String>,
    /// "installed" (downloaded a version), "switched" (CURRENT moved to a version
    /// already here, e.g. after a rollback in the store) or "up_to_date".
    pub outcome: &'static str,
    /// Files of the version.
    pub files: usize,
    /// Their bytes.
    pub bytes: u64,
    /// Files downloaded.
    pub downloaded_files: usize,
    /// Bytes downloaded.
    pub downloaded_bytes: u64,
    /// Files taken from the local versions (hard links) or empty.
    pub reused_files: usize,
    /// Files an interrupted earlier round had already downloaded.
    pub resumed_files: usize,
    /// Versions removed by the gc after the install.
    pub removed: Vec<String>,
    /// Seconds taken.
    pub seconds: f64,
}

/// Makes the index at `root` (created if missing) serve the store's current version,
/// keeping the newest `keep` versions (at least the current one and, with 2, the
/// previous one for rollback).
pub async fn pull(remote: &Remote, root: &Path, keep: usize) -> CliResult<PullReport> {
    let t0 = Instant::now();
    let dir = IndexDir::new(root);
    let name = remote.current().await?.ok_or_else(|| {
        remote.fail(
            RemoteFailure::NothingPublished,
            "nothing is published here (no CURRENT object): run `yelpsearch index publish` first",
        )
    })?;
    let previous = dir.current().ok();
    let mut report = PullReport {
        url: remote.url().to_string(),
        remote_version: name.clone(),
        previous: previous.clone(),
        outcome: "up_to_date",
        ..PullReport::default()
    };
    if dir
        .versions()
        .map_err(|e| local(remote, e))?
        .contains(&name)
    {
        // The same name here: the same version, unless this directory got it from
        // elsewhere (built here, or pulled from another store). A version installed by
        // a pull carries its file list; the steady state (CURRENT unchanged, file list
        // here) costs one GET.
        let up_to_date = previous.as_deref() == Some(name.as_str());
        let here = installed_files(root, &name);
        if !(up_to_date && here.is_some()) {
            let list = remote
                .version_files(&name)
                .await?
                .ok_or_else(|| missing_version(remote, &name, previous.as_deref()))?;
            let same = match &here {
                Some(h) => h.files == list.files,
                None => same_names_and_sizes(root, &name, &list),
            };
            if !same {
                return Err(remote.fail(
                    RemoteFailure::Conflict,
                    format!(
                        "{} has a {name} that is not the store's {name} (built here, or pulled from \
                         another store): pull into an empty directory, or move this one aside",
                        root.display()
                    ),
                ));
            }
        }
        if !up_to_date {
            let (r, n) = (root.to_path_buf(), name.clone());
            blocking(remote, move || yelpsearch::rollback(&r, Some(&n))).await?;
            report.outcome = "switched";
        }
        report.seconds = t0.elapsed().as_secs_f64();
        return Ok(report);
    }
    let list = remote
        .version_files(&name)
        .await?
        .ok_or_else(|| missing_version(remote, &name, previous.as_deref()))?;
    report.files = list.files.len();
    report.bytes = list.total_bytes();
    let install = {
        let (r, l) = (root.to_path_buf(), list.clone());
        blocking(remote, move || Install::begin(&r, &l)).await?
    };
    let mut todo = Vec::new();
    for f in &list.files {
        if install.staged(f) {
            report.resumed_files += 1;
        } else if install.reuse_local(f).map_err(|e| local(remote, e))? {
            report.reused_files += 1;
        } else {
            todo.push(f.clone());
        }
    }
    report.downloaded_files = todo.len();
    report.downloaded_bytes = todo.iter().map(|f| f.size).sum();
    let install_ref = &install;
    futures::stream::iter(todo)
        .map(|f: FileEntry| async move { download(remote, install_ref, &f).await })
        .buffer_unordered(PARALLEL)
        .try_collect::<Vec<()>>()
        .await?;
    // Verifying hashes every file again: blocking work.
    blocking(remote, move || install.finish(&list)).await?;
    report.outcome = "installed";
    let r = root.to_path_buf();
    let gc = blocking(remote, move || yelpsearch::gc(&r, keep.max(1))).await?;
    report.removed = gc.removed;
    report.seconds = t0.elapsed().as_secs_f64();
    Ok(report)
}

/// Downloads one blob into its `.part` file, checking size and SHA-256 as it
/// streams, and renames it into place.
async fn download(remote: &Remote, install: &Install, f: &FileEntry) -> CliResult<()> {
    let key = remote.blob_key(&f.sha256);
    let doing = format!("downloading {key} ({})", f.name);
    let got = match remote.store().get(&key).await {
        Ok(g) => g,
        Err(object_store::Error::NotFound { .. }) => {
            return Err(remote.fail(
                RemoteFailure::Corrupt,
                format!(
                    "{key} ({} of {}) is missing from the store: refused",
                    f.name,
                    install.name()
                ),
            ))
        }
        Err(e) => return Err(remote.store_error(&doing, e)),
    };
    let part = install.part_path(f);
    let io = |e| CliError::io(format!("writing {}", part.display()), e);
    let mut file = tokio::fs::File::create(&part).await.map_err(io)?;
    let mut hash = Sha256::new();
    let mut size = 0u64;
    let mut stream = got.into_stream();
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.map_err(|e| remote.store_error(&doing, e))?;
        size += chunk.len() as u64;
        if size > f.size {
            break;
        }
        hash.update(&chunk);
        file.write_all(&chunk).await.map_err(io)?;
    }
    file.flush().await.map_err(io)?;
    drop(file);
    let sha = format!("{:x}", hash.finalize());
    if size != f.size || sha != f.sha256 {
        let _ = tokio::fs::remove_file(&part).await;
        return Err(remote.fail(
            RemoteFailure::Corrupt,
            format!(
                "{key} ({} of {}) is {} bytes with SHA-256 {sha}; the version lists {} bytes: refused",
                f.name,
                install.name(),
                if size > f.size {
                    format!("more than {}", f.size)
                } else {
                    size.to_string()
                },
                f.size
            ),
        ));
    }
    install.accept(f).map_err(|e| local(remote, e))
}

/// The store's CURRENT names a version it has no file list for.
fn missing_version(remote: &Remote, name: &str, serving: Option<&str>) -> CliError {
    remote.fail(
        RemoteFailure::MissingVersion,
        format!(
            "CURRENT names {name}, but the store has no file list for it \
             (a publish of it did not finish, or it was deleted): still serving {}",
            serving.unwrap_or("nothing")
        ),
    )
}

/// Runs blocking index work off the async threads.
async fn blocking<T: Send + 'static>(
    remote: &Remote,
    f: impl FnOnce() -> yelpsearch::Result<T> + Send + 'static,
) -> CliResult<T> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| remote.fail(RemoteFailure::Local, format!("index work failed: {e}")))?
        .map_err(|e| local(remote, e))
}

/// A local index error as a pull failure, by its code in the core's code table:
/// another writer holds the lock (busy), a downloaded version does not verify
/// (corrupt), anything else (the disk failed, ...) is local.
fn local(remote: &Remote, e: yelpsearch::Error) -> CliError {
    let kind = match e.code() {
        ErrorCode::Locked => RemoteFailure::Busy,
        ErrorCode::IndexCorrupt => RemoteFailure::Corrupt,
        _ => RemoteFailure::Local,
    };
    remote.fail(kind, e.to_string())
}
