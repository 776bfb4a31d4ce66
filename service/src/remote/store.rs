//! The object store behind a URL and the published layout's keys.
//!
//! `s3://bucket/prefix` opens Amazon S3 (or any S3 API) with the usual AWS
//! environment: `AWS_REGION`, `AWS_ACCESS_KEY_ID`/`AWS_SECRET_ACCESS_KEY`, the web
//! identity token of IRSA (`AWS_ROLE_ARN` + `AWS_WEB_IDENTITY_TOKEN_FILE`, set by EKS),
//! `AWS_ENDPOINT_URL` and `AWS_ALLOW_HTTP=true` for a server on loopback.
//! `file:///dir` opens a local directory (tests, a shared disk).

use std::sync::Arc;
use std::time::Duration;

use futures::StreamExt;
use object_store::aws::{AmazonS3Builder, AmazonS3ConfigKey};
use object_store::local::LocalFileSystem;
use object_store::path::Path as Key;
use object_store::{
    ClientConfigKey, ObjectStore, ObjectStoreExt, PutMode, PutPayload, RetryConfig,
};
use yelpsearch::{is_version_name, VersionFiles};

use crate::error::{CliError, CliResult, RemoteFailure};

/// The pointer object naming the published version.
pub const CURRENT: &str = "CURRENT";
/// Where the file lists of versions live.
pub const VERSIONS: &str = "versions";
/// Where the files' contents live, by SHA-256.
pub const BLOBS: &str = "blobs";
/// A version's file list inside `versions/<name>/`.
pub const FILE_LIST: &str = "files.json";

/// Index versions published under a prefix of an object store.
#[derive(Debug, Clone)]
pub struct Remote {
    store: Arc<dyn ObjectStore>,
    prefix: Key,
    url: String,
}

impl Remote {
    /// Opens the store a URL names (`s3://bucket/prefix` or `file:///dir`).
    pub fn open(url: &str) -> CliResult<Remote> {
        let url = url.trim_end_matches('/').to_string();
        let bad = |why: &str| CliError::Remote {
            kind: RemoteFailure::BadUrl,
            url: url.clone(),
            detail: format!("{why} (write s3://BUCKET/PREFIX, or file:///DIR)"),
        };
        if let Some(rest) = url.strip_prefix("s3://") {
            let (bucket, prefix) = rest.split_once('/').unwrap_or((rest, ""));
            if bucket.is_empty() {
                return Err(bad("no bucket"));
            }
            let store = s3_builder(bucket)
                .map_err(|why| bad(&why))?
                .build()
                .map_err(|e| bad(&e.to_string()))?;
            return Ok(Remote {
                store: Arc::new(store),
                prefix: Key::parse(prefix).map_err(|e| bad(&e.to_string()))?,
                url,
            });
        }
        if let Some(dir) = url.strip_prefix("file://") {
            if !dir.starts_with('/') {
                return Err(bad("a file URL needs an absolute path"));
            }
            std::fs::create_dir_all(dir).map_err(|e| bad(&e.to_string()))?;
            let store = LocalFileSystem::new_with_prefix(dir).map_err(|e| bad(&e.to_string()))?;
            return Ok(Remote {
                store: Arc::new(store),
                prefix: Key::default(),
                url,
            });
        }
        Err(bad("unsupported URL"))
    }

    /// The URL it was opened with.
    pub fn url(&self) -> &str {
        &self.url
    }

    fn key(&self, parts: &[&str]) -> Key {
        let mut k = self.prefix.clone();
        for p in parts {
            k = k.clone().join(*p);
        }
        k
    }

    /// The key of a blob.
    pub fn blob_key(&self, sha256: &str) -> Key {
        self.key(&[BLOBS, sha256])
    }

    /// An error of this store.
    pub fn fail(&self, kind: RemoteFailure, detail: impl Into<String>) -> CliError {
        CliError::Remote {
            kind,
            url: self.url.clone(),
            detail: detail.into(),
        }
    }

    /// Turns an object store error into ours, saying what was being done.
    pub fn store_error(&self, doing: &str, e: object_store::Error) -> CliError {
        let kind = match &e {
            object_store::Error::PermissionDenied { .. }
            | object_store::Error::Unauthenticated { .. } => RemoteFailure::Denied,
            object_store::Error::NotFound { .. } => RemoteFailure::Corrupt,
            _ => RemoteFailure::Unreachable,
        };
        let hint = match kind {
            RemoteFailure::Denied => " (check the credentials: the IRSA role, or AWS_* variables)",
            RemoteFailure::Unreachable => " (is the store reachable? AWS_ENDPOINT_URL, AWS_REGION)",
            _ => "",
        };
        self.fail(kind, format!("{doing}: {e}{hint}"))
    }

    /// An object's bytes, or None when it does not exist.
    pub async fn get_opt(&self, key: &Key, doing: &str) -> CliResult<Option<Vec<u8>>> {
        match self.store.get(key).await {
            Ok(r) => match r.bytes().await {
                Ok(b) => Ok(Some(b.to_vec())),
                Err(e) => Err(self.store_error(doing, e)),
            },
            Err(object_store::Error::NotFound { .. }) => Ok(None),
            Err(e) => Err(self.store_error(doing, e)),
        }
    }

    /// The version `CURRENT` names, or None when nothing was published.
    pub async fn current(&self) -> CliResult<Option<String>> {
        let Some(bytes) = self
            .get_opt(&self.key(&[CURRENT]), "reading CURRENT")
            .await?
        else {
            return Ok(None);
        };
        let name = String::from_utf8_lossy(&bytes).trim().to_string();
        if !is_version_name(&name) {
            return Err(self.fail(
                RemoteFailure::Corrupt,
                format!("CURRENT holds {name:?}, which is not a version name"),
            ));
        }
        Ok(Some(name))
    }

    /// Points `CURRENT` at `name` (one small object, replaced whole).
    pub async fn set_current(&self, name: &str) -> CliResult<()> {
        let body = PutPayload::from(format!("{name}\n").into_bytes());
        self.store
            .put(&self.key(&[CURRENT]), body)
            .await
            .map_err(|e| self.store_error("writing CURRENT", e))?;
        Ok(())
    }

    /// The file list of a published version, or None when it is not there.
    pub async fn version_files(&self, name: &str) -> CliResult<Option<VersionFiles>> {
        let key = self.key(&[VERSIONS, name, FILE_LIST]);
        let Some(bytes) = self
            .get_opt(&key, &format!("reading the file list of {name}"))
            .await?
        else {
            return Ok(None);
        };
        let list = VersionFiles::parse(&bytes, &format!("{}/{key}", self.url))
            .map_err(|e| self.fail(RemoteFailure::Corrupt, e.to_string()))?;
        if list.version != name {
            return Err(self.fail(
                RemoteFailure::Corrupt,
                format!("{key} describes {}, not {name}", list.version),
            ));
        }
        Ok(Some(list))
    }

    /// Writes a version's file list unless one is there; returns false when one was
    /// (the caller compares).
    pub async fn create_version_files(&self, list: &VersionFiles) -> CliResult<bool> {
        let key = self.key(&[VERSIONS, &list.version, FILE_LIST]);
        let body = PutPayload::from(list.to_json());
        match self
            .store
            .put_opts(&key, body, PutMode::Create.into())
            .await
        {
            Ok(_) => Ok(true),
            Err(
                object_store::Error::AlreadyExists { .. }
                | object_store::Error::Precondition { .. },
            ) => Ok(false),
            Err(e) => Err(self.store_error(&format!("writing {key}"), e)),
        }
    }

    /// Deletes a version's file list (the version disappears; its blobs stay until a
    /// gc finds them unreferenced).
    pub async fn delete_version(&self, name: &str) -> CliResult<()> {
        let key = self.key(&[VERSIONS, name, FILE_LIST]);
        self.store
            .delete(&key)
            .await
            .map_err(|e| self.store_error(&format!("deleting {key}"), e))
    }

    /// Names of the published versions, oldest first.
    pub async fn versions(&self) -> CliResult<Vec<String>> {
        let dir = self.key(&[VERSIONS]);
        let listed = self
            .store
            .list_with_delimiter(Some(&dir))
            .await
            .map_err(|e| self.store_error("listing the versions", e))?;
        let mut out: Vec<String> = listed
            .common_prefixes
            .iter()
            .filter_map(|p| p.filename().map(str::to_string))
            .filter(|n| is_version_name(n))
            .collect();
        out.sort();
        Ok(out)
    }

    /// The blobs in the store: (SHA-256, size, last modified in Unix seconds).
    pub async fn blobs(&self) -> CliResult<Vec<(String, u64, i64)>> {
        let dir = self.key(&[BLOBS]);
        let mut stream = self.store.list(Some(&dir));
        let mut out = Vec::new();
        while let Some(meta) = stream.next().await {
            let meta = meta.map_err(|e| self.store_error("listing the blobs", e))?;
            if let Some(name) = meta.location.filename() {
                out.push((name.to_string(), meta.size, meta.last_modified.timestamp()));
            }
        }
        Ok(out)
    }

    /// The store itself.
    pub fn store(&self) -> &Arc<dyn ObjectStore> {
        &self.store
    }
}

/// An S3 client for `bucket`: bounded retries and timeouts (a replica must notice an
/// unreachable store within seconds, not minutes), then every `AWS_*` variable of the
/// environment, as the AWS SDKs read them.
/// An S3 client for `bucket` configured from the `AWS_*` environment. An endpoint
/// that is not an http(s) URL with a host is refused here: the client would panic on
/// the first request (object_store 0.13 unwraps its parse).
fn s3_builder(bucket: &str) -> Result<AmazonS3Builder, String> {
    let mut b = AmazonS3Builder::new()
        .with_retry(RetryConfig {
            max_retries: 3,
            retry_timeout: Duration::from_secs(30),
            ..RetryConfig::default()
        })
        .with_config(
            AmazonS3ConfigKey::Client(ClientConfigKey::ConnectTimeout),
            "5s",
        )
        .with_config(AmazonS3ConfigKey::Client(ClientConfigKey::Timeout), "600s");
    for (k, v) in std::env::vars() {
        if k.starts_with("AWS_") {
            if let Ok(key) = k.to_ascii_lowercase().parse::<AmazonS3ConfigKey>() {
                if key == AmazonS3ConfigKey::Endpoint && !is_http_url(&v) {
                    return Err(format!(
                        "{k}={v:?} is not an http(s) URL: write http://HOST:PORT for a server \
                         of your own, or unset it to reach AWS"
                    ));
                }
                b = b.with_config(key, v);
            }
        }
    }
    Ok(b.with_bucket_name(bucket))
}

/// Whether `s` is `http://` or `https://` followed by a host.
fn is_http_url(s: &str) -> bool {
    let rest = s
        .strip_prefix("https://")
        .or_else(|| s.strip_prefix("http://"));
    rest.is_some_and(|r| {
        let host = r.split(['/', '?', '#']).next().unwrap_or("");
        !host.is_empty() && !host.starts_with(':')
    })
}
