//! On-disk layout of an index: immutable versions and one atomic pointer.
//!
//! ```text
//! DIR/
//!   CURRENT            name of the current version ("v000003"), replaced by rename
//!   write.lock         held (flock) by the one process building or updating
//!   versions/
//!     v000001/         an immutable version: tantivy files, business table, model,
//!     v000002/         manifest.json, and reader.lock (shared-locked by readers)
//!     v000003.tmp-42/  a version being written; never read, removed by gc
//!     v000001.tmp-gc7/ a version being removed by gc (renamed first, then deleted)
//! ```
//!
//! A version is complete before its directory gets its final name, and CURRENT moves
//! only after that, so a crash at any point leaves the last good version current.

use std::collections::BTreeMap;
use std::fs::{self, File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::date::Day;
use crate::error::{Error, IoContext, Result};

/// File naming the current version.
pub const CURRENT: &str = "CURRENT";
/// Directory of versions.
pub const VERSIONS: &str = "versions";
/// Manifest of a version.
pub const MANIFEST: &str = "manifest.json";
/// Business table of a version.
pub const BUSINESSES: &str = "businesses.json";
/// Ranking model of a version.
pub const MODEL: &str = "model.json";
/// Lock file readers share-lock while they use a version.
pub const READER_LOCK: &str = "reader.lock";
const WRITE_LOCK: &str = "write.lock";
/// What marks a temporary (unpublished or abandoned) name.
pub(crate) const TMP_MARK: &str = ".tmp-";

/// What a version holds, written when it is published.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Manifest {
    /// Layout format.
    pub format: u32,
    /// The version's name.
    pub version: String,
    /// The version it was derived from (for updates).
    pub parent: Option<String>,
    /// When it was written (RFC 3339, UTC).
    pub created: String,
    /// How it was made: "build" or "update".
    pub origin: String,
    /// Live review documents.
    pub reviews: u64,
    /// Businesses in the table.
    pub businesses: u64,
    /// Reviews dated on or after this day were left out (`--until`).
    pub until: Option<Day>,
    /// The newest review day in the index.
    pub newest_review: Option<Day>,
    /// The model's version string.
    pub model_version: Option<String>,
    /// Every file of the version but this manifest, the reader lock and the model file
    /// (checked by its own content hash), with its size in bytes: written when the
    /// version is published, checked when it is opened, so that a file damaged since
    /// (truncated, replaced) is refused by name instead of served. Versions published
    /// before it was written have none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub files: Option<BTreeMap<String, u64>>,
}

/// The current layout format.
pub const FORMAT: u32 = 1;

/// An index directory.
#[derive(Debug, Clone)]
pub struct IndexDir {
    root: PathBuf,
}

/// The exclusive write lock of an index directory; released on drop.
#[derive(Debug)]
pub struct WriteLock {
    _file: File,
}

impl Drop for WriteLock {
    fn drop(&mut self) {
        // The next holder writes its own name; until then the file names no one.
        let _ = self._file.set_len(0);
    }
}

/// What of an index directory a build created ([`IndexDir::prepare_build`]).
#[derive(Debug)]
pub struct Created {
    root: Option<PathBuf>,
    versions: Option<PathBuf>,
    lock: Option<PathBuf>,
}

impl Created {
    /// Removes what the build created, when it left it empty: `versions/`, the lock
    /// file, and the folder itself. Call after the write lock is released.
    pub fn undo(&self) {
        if let Some(v) = &self.versions {
            let _ = fs::remove_dir(v); // only when empty
        }
        if let Some(l) = &self.lock {
            if self.versions.as_ref().is_some_and(|v| !v.exists()) {
                let _ = fs::remove_file(l);
            }
        }
        if let Some(r) = &self.root {
            let _ = fs::remove_dir(r); // only when empty
        }
    }
}

/// A shared pin on a version: while held, gc will not remove it.
#[derive(Debug)]
pub struct ReaderPin {
    _file: File,
}

impl IndexDir {
    /// An index directory at `root` (which may not exist yet).
    pub fn new(root: impl Into<PathBuf>) -> Self {
        IndexDir { root: root.into() }
    }

    /// The root directory.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The directory of a version.
    pub fn version_path(&self, name: &str) -> PathBuf {
        self.root.join(VERSIONS).join(name)
    }

    /// Creates the root and versions directories.
    pub fn create(&self) -> Result<()> {
        let v = self.root.join(VERSIONS);
        fs::create_dir_all(&v).at(&v)
    }

    /// Checks that a build may write here, and notes what of the index directory
    /// exists already, so that a failed first build can remove what it created
    /// ([`Created::undo`]). A folder that holds files but is not an index (no CURRENT,
    /// no `versions/`, no `write.lock`) is refused: a build would mix its files with the
    /// index's.
    pub fn prepare_build(&self) -> Result<Created> {
        let root_existed = self.root.exists();
        if root_existed {
            let entries: Vec<String> = fs::read_dir(&self.root)
                .at(&self.root)?
                .flatten()
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect();
            let ours = [CURRENT, VERSIONS, WRITE_LOCK];
            if !entries.is_empty() && !entries.iter().any(|e| ours.contains(&e.as_str())) {
                let mut shown: Vec<&str> = entries.iter().map(String::as_str).take(3).collect();
                shown.sort_unstable();
                return Err(Error::Data(format!(
                    "{} is not empty ({}{}) and is not a yelpsearch index: building into it \
                     would mix the index with those files; pass an empty or a new folder \
                     to --index",
                    self.root.display(),
                    shown.join(", "),
                    if entries.len() > 3 { ", ..." } else { "" }
                )));
            }
        }
        Ok(Created {
            root: (!root_existed).then(|| self.root.clone()),
            versions: (!self.root.join(VERSIONS).exists()).then(|| self.root.join(VERSIONS)),
            lock: (!self.root.join(WRITE_LOCK).exists()).then(|| self.root.join(WRITE_LOCK)),
        })
    }

    /// Takes the write lock for `kind` of work ("build", "update", "gc", "train",
    /// "rollback", "pull"), or fails at once with [`Error::Locked`] naming the holder:
    /// the holder writes its kind and pid into the lock file.
    pub fn lock_writer(&self, kind: &str) -> Result<WriteLock> {
        self.create()?;
        let p = self.root.join(WRITE_LOCK);
        let mut file = OpenOptions::new()
            .create(true)
            .truncate(false)
            .read(true)
            .write(true)
            .open(&p)
            .at(&p)?;
        match file.try_lock() {
            Ok(()) => {
                file.set_len(0).at(&p)?;
                file.write_all(format!("{kind} {}\n", std::process::id()).as_bytes())
                    .at(&p)?;
                Ok(WriteLock { _file: file })
            }
            Err(fs::TryLockError::WouldBlock) => {
                let held = fs::read_to_string(&p).unwrap_or_default();
                let holder = match held.split_whitespace().collect::<Vec<_>>()[..] {
                    [kind, pid] => format!("a running {kind} (pid {pid})"),
                    _ => "another process".to_string(),
                };
                Err(Error::Locked {
                    path: self.root.clone(),
                    holder,
                })
            }
            Err(fs::TryLockError::Error(e)) => Err(Error::io(p, e)),
        }
    }

    /// The name of the current version.
    pub fn current(&self) -> Result<String> {
        let p = self.root.join(CURRENT);
        if !self.root.is_dir() {
            return Err(Error::IndexNotFound {
                path: self.root.clone(),
                reason: "the directory does not exist".into(),
            });
        }
        let name = match fs::read_to_string(&p) {
            Ok(s) => s.trim().to_string(),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Err(Error::IndexNotFound {
                    path: self.root.clone(),
                    reason: "it has no CURRENT file, so it is not a yelpsearch index".into(),
                })
            }
            Err(e) => return Err(Error::io(p, e)),
        };
        if !valid_name(&name) || !self.version_path(&name).is_dir() {
            return Err(Error::IndexCorrupt {
                path: self.root.clone(),
                reason: format!("CURRENT names {name:?}, which is not a version here"),
            });
        }
        Ok(name)
    }

    /// Points CURRENT at `name`, atomically (write, fsync, rename, fsync the directory).
    pub fn set_current(&self, name: &str) -> Result<()> {
        if !self.version_path(name).join(MANIFEST).is_file() {
            return Err(Error::IndexCorrupt {
                path: self.root.clone(),
                reason: format!("version {name} does not exist or is incomplete"),
            });
        }
        let tmp = self
            .root
            .join(format!("{CURRENT}{TMP_MARK}{}", std::process::id()));
        {
            let mut f = File::create(&tmp).at(&tmp)?;
            f.write_all(format!("{name}\n").as_bytes()).at(&tmp)?;
            f.sync_all().at(&tmp)?;
        }
        let dst = self.root.join(CURRENT);
        fs::rename(&tmp, &dst).at(&dst)?;
        sync_dir(&self.root)
    }

    /// Names of all complete versions, oldest first.
    pub fn versions(&self) -> Result<Vec<String>> {
        let dir = self.root.join(VERSIONS);
        let mut out = self.version_dirs()?;
        out.retain(|name| dir.join(name).join(MANIFEST).is_file());
        Ok(out)
    }

    /// Names of every version directory, complete or not (a version whose
    /// `manifest.json` is missing is damaged, but it is still there), oldest first.
    pub fn version_dirs(&self) -> Result<Vec<String>> {
        let dir = self.root.join(VERSIONS);
        let mut out = Vec::new();
        let rd = match fs::read_dir(&dir) {
            Ok(rd) => rd,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(out),
            Err(e) => return Err(Error::io(dir, e)),
        };
        for entry in rd {
            let entry = entry.at(&dir)?;
            let name = entry.file_name().to_string_lossy().into_owned();
            if valid_name(&name) && entry.path().is_dir() {
                out.push(name);
            }
        }
        out.sort();
        Ok(out)
    }

    /// Fails with [`Error::IndexNotFound`] unless the directory holds an index, even one
    /// whose CURRENT is damaged (the recovery commands work on those).
    pub fn check_exists(&self) -> Result<()> {
        if self.root.join(CURRENT).is_file() || self.root.join(VERSIONS).is_dir() {
            return Ok(());
        }
        self.current().map(|_| ())
    }

    /// Directories of versions that were being written (or removed) when their process
    /// stopped. Only meaningful under the write lock: without it, a live writer's
    /// directory looks the same.
    pub fn abandoned(&self) -> Result<Vec<PathBuf>> {
        let dir = self.root.join(VERSIONS);
        let mut out = Vec::new();
        if let Ok(rd) = fs::read_dir(&dir) {
            for entry in rd {
                let entry = entry.at(&dir)?;
                if entry.file_name().to_string_lossy().contains(TMP_MARK) {
                    out.push(entry.path());
                }
            }
        }
        Ok(out)
    }

    /// Temporary CURRENT files left by a process stopped while switching versions.
    fn abandoned_pointers(&self) -> Result<Vec<PathBuf>> {
        let prefix = format!("{CURRENT}{TMP_MARK}");
        let mut out = Vec::new();
        if let Ok(rd) = fs::read_dir(&self.root) {
            for entry in rd {
                let entry = entry.at(&self.root)?;
                if entry.file_name().to_string_lossy().starts_with(&prefix) {
                    out.push(entry.path());
                }
            }
        }
        Ok(out)
    }

    /// Removes everything interrupted writers left behind (half-written versions,
    /// half-removed versions, temporary CURRENT files); returns how many. Call under the
    /// write lock.
    pub fn remove_abandoned(&self) -> Result<usize> {
        let mut n = 0;
        for p in self.abandoned()? {
            remove_any(&p)?;
            n += 1;
        }
        for p in self.abandoned_pointers()? {
            remove_any(&p)?;
            n += 1;
        }
        Ok(n)
    }

    /// A fresh name after every existing version, and the temporary directory to write
    /// it in (created empty).
    pub fn begin_version(&self) -> Result<(String, PathBuf)> {
        self.create()?;
        let next = self
            .versions()?
            .iter()
            .chain(self.abandoned_names()?.iter())
            .filter_map(|n| n.get(1..7).and_then(|d| d.parse::<u32>().ok()))
            .max()
            .unwrap_or(0)
            + 1;
        let name = format!("v{next:06}");
        let tmp = self
            .root
            .join(VERSIONS)
            .join(format!("{name}{TMP_MARK}{}", std::process::id()));
        if fs::symlink_metadata(&tmp).is_ok() {
            remove_any(&tmp)?;
        }
        fs::create_dir_all(&tmp).at(&tmp)?;
        Ok((name, tmp))
    }

    fn abandoned_names(&self) -> Result<Vec<String>> {
        Ok(self
            .abandoned()?
            .iter()
            .filter_map(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()))
            .collect())
    }

    /// Gives a finished temporary version directory its final name.
    pub fn publish(&self, tmp: &Path, name: &str) -> Result<PathBuf> {
        list_files_in_manifest(tmp)?;
        sync_tree(tmp)?;
        let dst = self.version_path(name);
        fs::rename(tmp, &dst).at(&dst)?;
        sync_dir(&self.root.join(VERSIONS))?;
        Ok(dst)
    }

    /// The file readers share-lock to pin a version: `reader.lock`, or the manifest for
    /// versions written without one.
    fn pin_file(&self, name: &str) -> PathBuf {
        let vdir = self.version_path(name);
        let lock = vdir.join(READER_LOCK);
        if lock.is_file() {
            lock
        } else {
            vdir.join(MANIFEST)
        }
    }

    /// Share-locks a version so that gc leaves it alone while it is read.
    ///
    /// Fails when the version is gone, including when gc removed it between the caller
    /// choosing it and the lock being granted (gc renames a version away while it holds
    /// the exclusive lock, so a pin granted after that finds no manifest).
    pub fn pin(&self, name: &str) -> Result<ReaderPin> {
        let p = self.pin_file(name);
        let file = File::open(&p).at(&p)?;
        file.lock_shared().at(&p)?;
        if !self.version_path(name).join(MANIFEST).is_file() {
            return Err(Error::IndexCorrupt {
                path: self.root.clone(),
                reason: format!("version {name} was removed while it was being opened"),
            });
        }
        Ok(ReaderPin { _file: file })
    }

    /// Pins the current version: reads CURRENT and pins the version it names, retrying
    /// when gc removes that version in between (possible only when CURRENT moved on).
    pub fn pin_current(&self) -> Result<(String, ReaderPin)> {
        const ATTEMPTS: usize = 5;
        let mut last = None;
        for _ in 0..ATTEMPTS {
            let name = self.current()?;
            match self.pin(&name) {
                Ok(pin) => return Ok((name, pin)),
                Err(e) => last = Some(e),
            }
        }
        Err(last.unwrap_or_else(|| Error::IndexCorrupt {
            path: self.root.clone(),
            reason: "could not pin the current version".into(),
        }))
    }

    /// Whether any reader pins the version (tries an exclusive lock).
    pub fn in_use(&self, name: &str) -> Result<bool> {
        let p = self.pin_file(name);
        let file = match File::open(&p) {
            Ok(f) => f,
            Err(_) => return Ok(false),
        };
        match file.try_lock() {
            Ok(()) => Ok(false),
            Err(fs::TryLockError::WouldBlock) => Ok(true),
            Err(fs::TryLockError::Error(e)) => Err(Error::io(p, e)),
        }
    }

    /// Removes a version unless a reader pins it; returns whether it was removed.
    ///
    /// The exclusive lock is held while the version is renamed to an abandoned name, so
    /// a reader either pinned it before (and it stays) or finds it gone. A crash while
    /// deleting leaves an abandoned directory for the next gc. Call under the write lock.
    pub fn remove_version(&self, name: &str) -> Result<bool> {
        let p = self.pin_file(name);
        // A damaged version without manifest or reader.lock cannot be pinned: no
        // reader can hold it.
        let file = match File::open(&p) {
            Ok(f) => Some(f),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
            Err(e) => return Err(Error::io(p, e)),
        };
        if let Some(file) = &file {
            match file.try_lock() {
                Ok(()) => {}
                Err(fs::TryLockError::WouldBlock) => return Ok(false),
                Err(fs::TryLockError::Error(e)) => return Err(Error::io(p, e)),
            }
        }
        let doomed = self
            .root
            .join(VERSIONS)
            .join(format!("{name}.tmp-gc{}", std::process::id()));
        let src = self.version_path(name);
        fs::rename(&src, &doomed).at(&src)?;
        sync_dir(&self.root.join(VERSIONS))?;
        drop(file);
        fs::remove_dir_all(&doomed).at(&doomed)?;
        Ok(true)
    }

    /// Reads a version's manifest.
    pub fn manifest(&self, name: &str) -> Result<Manifest> {
        read_manifest(&self.version_path(name))
    }
}

/// Reads the manifest of a version directory.
pub fn read_manifest(dir: &Path) -> Result<Manifest> {
    let p = dir.join(MANIFEST);
    let bytes = fs::read(&p).at(&p)?;
    serde_json::from_slice(&bytes).map_err(|e| Error::IndexCorrupt {
        path: dir.to_path_buf(),
        reason: format!("manifest: {e}"),
    })
}

/// The size of every file of a version directory that a copy of the version carries:
/// all but its reader lock and what is private to it (tantivy's locks, a file list).
pub(crate) fn shared_file_sizes(dir: &Path) -> Result<BTreeMap<String, u64>> {
    let mut sizes = BTreeMap::new();
    for entry in fs::read_dir(dir).at(dir)? {
        let entry = entry.at(dir)?;
        let name = entry.file_name().to_string_lossy().into_owned();
        if name == READER_LOCK || is_private(&name) {
            continue;
        }
        let meta = entry.metadata().at(entry.path())?;
        if meta.is_file() {
            sizes.insert(name, meta.len());
        }
    }
    Ok(sizes)
}

/// The sizes a manifest lists: [`shared_file_sizes`] but the manifest itself and the
/// model file (which carries its own content hash: a damaged or replaced one is refused
/// alone, and the version serves with the BM25 fallback).
pub(crate) fn file_sizes(dir: &Path) -> Result<BTreeMap<String, u64>> {
    let mut sizes = shared_file_sizes(dir)?;
    sizes.remove(MANIFEST);
    sizes.remove(MODEL);
    Ok(sizes)
}

/// Writes the sizes of a finished version's files into its manifest, unless it has them
/// (or a file list with checksums: an installed version).
fn list_files_in_manifest(tmp: &Path) -> Result<()> {
    if tmp.join(super::files::FILE_LIST).is_file() {
        return Ok(());
    }
    let mut manifest = read_manifest(tmp)?;
    if manifest.files.is_none() {
        manifest.files = Some(file_sizes(tmp)?);
        write_json(&tmp.join(MANIFEST), &manifest)?;
    }
    Ok(())
}

/// Writes a JSON file and fsyncs it.
pub fn write_json<T: Serialize>(path: &Path, value: &T) -> Result<()> {
    let bytes =
        serde_json::to_vec_pretty(value).map_err(|e| Error::io(path, std::io::Error::other(e)))?;
    let mut f = File::create(path).at(path)?;
    f.write_all(&bytes).at(path)?;
    f.sync_all().at(path)
}

pub(crate) fn valid_name(name: &str) -> bool {
    name.len() == 7 && name.starts_with('v') && name[1..].bytes().all(|b| b.is_ascii_digit())
}

/// Fsyncs a directory so that renames in it are durable.
pub fn sync_dir(dir: &Path) -> Result<()> {
    File::open(dir).and_then(|f| f.sync_all()).at(dir)
}

/// Fsyncs every file of a directory (not its subdirectories), then the directory.
pub(crate) fn sync_tree(dir: &Path) -> Result<()> {
    for entry in fs::read_dir(dir).at(dir)? {
        let p = entry.at(dir)?.path();
        if p.is_file() {
            File::open(&p).and_then(|f| f.sync_all()).at(&p)?;
        }
    }
    sync_dir(dir)
}

/// Removes a file or a directory tree.
fn remove_any(p: &Path) -> Result<()> {
    if p.is_dir() {
        fs::remove_dir_all(p).at(p)
    } else {
        fs::remove_file(p).at(p)
    }
}

/// Whether a file of a version is private to it and must not be shared by a derived
/// version: tantivy's lock files (locking them in one version would lock the other)
/// and leftovers of tantivy's atomic writes, and an installed version's file list.
pub(crate) fn is_private(name: &str) -> bool {
    (name.starts_with(".tantivy-") && name.ends_with(".lock"))
        || name.starts_with(".tmp")
        || name == super::files::FILE_LIST
}

/// Hard-links (or copies, across filesystems) every file of `from` into `to`, except
/// the names in `skip` and files private to a version.
///
/// Sharing is safe because nothing rewrites a published file in place: tantivy writes
/// new segment and delete files under new names and replaces `meta.json` and
/// `.managed.json` by rename, which gives the new version its own inode.
pub fn link_files(from: &Path, to: &Path, skip: &[&str]) -> Result<()> {
    for entry in fs::read_dir(from).at(from)? {
        let entry = entry.at(from)?;
        let name = entry.file_name();
        let name_s = name.to_string_lossy();
        if skip.iter().any(|s| *s == name_s) || is_private(&name_s) || !entry.path().is_file() {
            continue;
        }
        let dst = to.join(&name);
        if fs::hard_link(entry.path(), &dst).is_err() {
            fs::copy(entry.path(), &dst).at(&dst)?;
        }
    }
    Ok(())
}
