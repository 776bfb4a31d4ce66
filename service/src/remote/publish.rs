//! `index publish`: upload a local version, pointer last.
//!
//! Order: the blobs the store lacks, then the version's file list (created only if
//! absent), then `CURRENT`. A reader that follows `CURRENT` therefore always finds a
//! complete version; a publisher stopped half-way leaves only unreferenced blobs (gc
//! removes them) and the next attempt uploads what is still missing. Every publish
//! lists the blobs and uploads those missing or of the wrong size, so publishing
//! again also repairs a blob deleted from the store.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::time::Instant;

use futures::{StreamExt, TryStreamExt};
use object_store::{ObjectStoreExt, PutPayload, WriteMultipart};
use serde::Serialize;
use yelpsearch::{version_files, FileEntry, IndexDir};

use super::store::Remote;
use crate::error::{CliError, CliResult, RemoteFailure};

/// Files larger than this go up in parts.
const MULTIPART_OVER: u64 = 64 << 20;
/// Part size of a multipart upload.
const PART_SIZE: usize = 16 << 20;
/// Uploads at once.
const PARALLEL: usize = 4;

/// What a publish did.
#[derive(Debug, Clone, Serialize)]
pub struct PublishReport {
    /// The store URL.
    pub url: String,
    /// The version published.
    pub version: String,
    /// Files of the version.
    pub files: usize,
    /// Their bytes.
    pub bytes: u64,
    /// Files uploaded now (the others were in the store already, with their size).
    pub uploaded_files: usize,
    /// Bytes uploaded now.
    pub uploaded_bytes: u64,
    /// Whether the version's file list was written now.
    pub listed: bool,
    /// What `CURRENT` named before (None: nothing was published).
    pub previous: Option<String>,
    /// Whether `CURRENT` was moved.
    pub pointer_moved: bool,
    /// Seconds taken.
    pub seconds: f64,
}

/// Publishes version `version` (default: the current one) of the index at `root`.
/// Publishing what is already published writes nothing.
pub async fn publish(
    remote: &Remote,
    root: &Path,
    version: Option<&str>,
) -> CliResult<PublishReport> {
    let t0 = Instant::now();
    let dir = IndexDir::new(root);
    let name = match version {
        Some(v) => v.to_string(),
        None => dir.current()?,
    };
    let list = {
        let (root, name) = (root.to_path_buf(), name.clone());
        tokio::task::spawn_blocking(move || version_files(&root, &name))
            .await
            .map_err(|e| CliError::Serve(format!("hashing the version's files: {e}")))??
    };
    let existing = remote.version_files(&name).await?;
    if let Some(old) = &existing {
        if old.files != list.files {
            return Err(conflict(remote, &name));
        }
    }
    // Blobs are checked every time (a listing, no download): a publish that stopped
    // half-way, or a blob deleted from the store, is completed by the next publish.
    let have: HashMap<String, u64> = remote
        .blobs()
        .await?
        .into_iter()
        .map(|(sha, size, _)| (sha, size))
        .collect();
    let mut wanted = HashSet::new();
    let missing: Vec<FileEntry> = list
        .files
        .iter()
        .filter(|f| f.size > 0 && have.get(&f.sha256) != Some(&f.size) && wanted.insert(&f.sha256))
        .cloned()
        .collect();
    let vdir = dir.version_path(&name);
    futures::stream::iter(missing.clone())
        .map(|f: FileEntry| {
            let path = vdir.join(&f.name);
            async move { upload(remote, path, &f).await }
        })
        .buffer_unordered(PARALLEL)
        .try_collect::<Vec<()>>()
        .await?;
    let uploaded_files = missing.len();
    let uploaded_bytes = missing.iter().map(|f| f.size).sum();
    let listed = existing.is_none() && remote.create_version_files(&list).await?;
    if existing.is_none() && !listed {
        // Another publisher wrote the list between our read and our write.
        match remote.version_files(&name).await? {
            Some(other) if other.files == list.files => {}
            _ => return Err(conflict(remote, &name)),
        }
    }
    let previous = remote.current().await?;
    let pointer_moved = previous.as_deref() != Some(name.as_str());
    if pointer_moved {
        remote.set_current(&name).await?;
    }
    Ok(PublishReport {
        url: remote.url().to_string(),
        version: name,
        files: list.files.len(),
        bytes: list.total_bytes(),
        uploaded_files,
        uploaded_bytes,
        listed,
        previous,
        pointer_moved,
        seconds: t0.elapsed().as_secs_f64(),
    })
}

fn conflict(remote: &Remote, name: &str) -> CliError {
    remote.fail(
        RemoteFailure::Conflict,
        format!(
            "the store already holds a different {name}: this index did not come from that store. \
             Pull the store's current version first (`yelpsearch index pull`) and update that, \
             or publish to a new prefix"
        ),
    )
}

/// Uploads one file as the blob of its checksum.
async fn upload(remote: &Remote, path: PathBuf, f: &FileEntry) -> CliResult<()> {
    let key = remote.blob_key(&f.sha256);
    let doing = format!("uploading {} as {key}", f.name);
    if f.size <= MULTIPART_OVER {
        let bytes = tokio::fs::read(&path)
            .await
            .map_err(|e| CliError::io(format!("reading {}", path.display()), e))?;
        remote
            .store()
            .put(&key, PutPayload::from(bytes))
            .await
            .map_err(|e| remote.store_error(&doing, e))?;
        return Ok(());
    }
    let upload = remote
        .store()
        .put_multipart(&key)
        .await
        .map_err(|e| remote.store_error(&doing, e))?;
    let mut w = WriteMultipart::new_with_chunk_size(upload, PART_SIZE);
    let mut file = tokio::fs::File::open(&path)
        .await
        .map_err(|e| CliError::io(format!("reading {}", path.display()), e))?;
    let mut buf = vec![0u8; 1 << 20];
    loop {
        use tokio::io::AsyncReadExt;
        let n = match file.read(&mut buf).await {
            Ok(n) => n,
            Err(e) => {
                let _ = w.abort().await;
                return Err(CliError::io(format!("reading {}", path.display()), e));
            }
        };
        if n == 0 {
            break;
        }
        w.wait_for_capacity(PARALLEL)
            .await
            .map_err(|e| remote.store_error(&doing, e))?;
        w.write(&buf[..n]);
    }
    w.finish()
        .await
        .map_err(|e| remote.store_error(&doing, e))?;
    Ok(())
}
