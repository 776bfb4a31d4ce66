//! A version's files with their sizes and SHA-256 checksums (`files.json`), and
//! installing a version whose files were made elsewhere.
//!
//! This is the store's side of copying an index through object storage: the copier
//! (the service's `remote` module) moves bytes; this module says which files make a
//! version, verifies them, and installs a downloaded version the way a build does
//! (complete under a temporary name, renamed, then CURRENT moved), so a reader never
//! sees half of one.
//!
//! ```text
//! versions/
//!   v000004/files.json         the list below, written by an install (never shared)
//!   v000005.tmp-pull/          a version being downloaded: verified files only, under
//!     <name>.part              their final names; a download in progress is `.part`
//! ```
//!
//! Tantivy never rewrites a file, so versions share most of their files; an install
//! hard-links a file from a local version holding the same checksum instead of
//! downloading it again.

use std::collections::{BTreeSet, HashMap};
use std::fs::{self, File};
use std::io::Read;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::layout::{self, IndexDir, WriteLock, READER_LOCK, TMP_MARK};
use crate::error::{Error, IoContext, Result};

/// The list of a version's files, inside an installed version.
pub const FILE_LIST: &str = "files.json";
/// The format of [`VersionFiles`].
pub const FILE_LIST_FORMAT: u32 = 1;
/// What a download in progress is called until it is verified.
const PART: &str = ".part";
/// What the temporary directory of a version being installed is called after.
const STAGING: &str = "pull";

/// One file of a version.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileEntry {
    /// File name inside the version directory (no directories).
    pub name: String,
    /// Size in bytes.
    pub size: u64,
    /// SHA-256 of the contents, lowercase hex.
    pub sha256: String,
}

/// Every file of a version, sorted by name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VersionFiles {
    /// The list's format (1).
    pub format: u32,
    /// The version's name.
    pub version: String,
    /// Its files.
    pub files: Vec<FileEntry>,
}

impl VersionFiles {
    /// Bytes of all files.
    pub fn total_bytes(&self) -> u64 {
        self.files.iter().map(|f| f.size).sum()
    }

    /// Reads a list from JSON and checks it: known format, a version name, file names
    /// that stay inside the version directory, 64-digit checksums, no name twice.
    /// `source` names where the bytes came from, for the error.
    pub fn parse(bytes: &[u8], source: &str) -> Result<VersionFiles> {
        let bad = |reason: String| Error::IndexCorrupt {
            path: PathBuf::from(source),
            reason,
        };
        let list: VersionFiles =
            serde_json::from_slice(bytes).map_err(|e| bad(format!("file list: {e}")))?;
        if list.format != FILE_LIST_FORMAT {
            return Err(bad(format!(
                "file list format {} is not {FILE_LIST_FORMAT} (written by another release of yelpsearch?)",
                list.format
            )));
        }
        if !is_version_name(&list.version) {
            return Err(bad(format!("{:?} is not a version name", list.version)));
        }
        let mut seen = BTreeSet::new();
        for f in &list.files {
            if !is_file_name(&f.name) {
                return Err(bad(format!("{:?} is not a file of a version", f.name)));
            }
            if !is_sha256(&f.sha256) {
                return Err(bad(format!("{}: {:?} is not a SHA-256", f.name, f.sha256)));
            }
            if !seen.insert(f.name.as_str()) {
                return Err(bad(format!("{} is listed twice", f.name)));
            }
        }
        Ok(list)
    }

    /// The list as JSON.
    pub fn to_json(&self) -> Vec<u8> {
        serde_json::to_vec_pretty(self).unwrap_or_default()
    }
}

/// Whether `s` names a version (`v000042`).
pub fn is_version_name(s: &str) -> bool {
    layout::valid_name(s)
}

/// Whether `s` is a lowercase hex SHA-256.
pub fn is_sha256(s: &str) -> bool {
    s.len() == 64 && s.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

/// A plain file name a version may hold: no path, not a temporary or private name.
fn is_file_name(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 255
        && s != "."
        && s != ".."
        && !s.contains(['/', '\\', '\0'])
        && !layout::is_private(s)
        && s != READER_LOCK
        && !s.ends_with(PART)
}

/// Size and SHA-256 of a file.
pub fn hash_file(path: &Path) -> Result<(u64, String)> {
    let mut f = File::open(path).at(path)?;
    let mut h = Sha256::new();
    let mut buf = vec![0u8; 1 << 16];
    let mut size = 0u64;
    loop {
        let n = f.read(&mut buf).at(path)?;
        if n == 0 {
            break;
        }
        h.update(&buf[..n]);
        size += n as u64;
    }
    Ok((size, hex(&h.finalize())))
}

/// Lowercase hex of bytes.
pub fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write as _;
    bytes.iter().fold(String::with_capacity(64), |mut s, b| {
        let _ = write!(s, "{b:02x}");
        s
    })
}

/// The files of version `name` of the index at `root` with their sizes and checksums:
/// everything in the version directory but what is private to it (its reader lock,
/// tantivy's lock files, a previous `files.json`).
pub fn version_files(root: &Path, name: &str) -> Result<VersionFiles> {
    let dir = IndexDir::new(root);
    let vdir = dir.version_path(name);
    if !vdir.join(layout::MANIFEST).is_file() {
        return Err(Error::IndexCorrupt {
            path: root.to_path_buf(),
            reason: format!("version {name} does not exist or is incomplete"),
        });
    }
    let mut files = Vec::new();
    for entry in fs::read_dir(&vdir).at(&vdir)? {
        let entry = entry.at(&vdir)?;
        let fname = entry.file_name().to_string_lossy().into_owned();
        let path = entry.path();
        if fname == FILE_LIST || fname == READER_LOCK || layout::is_private(&fname) {
            continue;
        }
        if !entry.file_type().at(&path)?.is_file() {
            return Err(Error::IndexCorrupt {
                path: path.clone(),
                reason: "a version holds only files; this is not one".into(),
            });
        }
        let (size, sha256) = hash_file(&path)?;
        files.push(FileEntry {
            name: fname,
            size,
            sha256,
        });
    }
    files.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(VersionFiles {
        format: FILE_LIST_FORMAT,
        version: name.to_string(),
        files,
    })
}

/// Checks that `dir` holds every file of `list` with its size and checksum.
pub fn verify_dir(dir: &Path, list: &VersionFiles) -> Result<()> {
    for f in &list.files {
        let p = dir.join(&f.name);
        let (size, sha) = hash_file(&p)?;
        if size != f.size || sha != f.sha256 {
            return Err(Error::IndexCorrupt {
                path: p,
                reason: format!(
                    "{size} bytes with SHA-256 {sha}, but the version lists {} bytes with {}",
                    f.size, f.sha256
                ),
            });
        }
    }
    Ok(())
}

/// Whether version `name` of the index at `root` holds exactly the files of `list`, by
/// name and size: a cheap check, without hashing, for versions that have no file list
/// (built here rather than installed).
pub fn same_names_and_sizes(root: &Path, name: &str, list: &VersionFiles) -> bool {
    let Ok(here) = layout::shared_file_sizes(&IndexDir::new(root).version_path(name)) else {
        return false;
    };
    here.len() == list.files.len()
        && list
            .files
            .iter()
            .all(|f| here.get(&f.name) == Some(&f.size))
}

/// Checks that version directory `vdir` holds every file its manifest lists (or, for an
/// installed version whose manifest lists none, its file list but the model file, which
/// its content hash guards) at the listed size: a
/// cheap check, without reading the files, made whenever a version is opened, so that a
/// file damaged since the version was written is refused by name rather than served.
/// Versions written before manifests listed their files are not checked.
pub fn verify_sizes(vdir: &Path, manifest: &layout::Manifest) -> Result<()> {
    let listed: Vec<(String, u64)> = match &manifest.files {
        Some(files) => files.iter().map(|(n, s)| (n.clone(), *s)).collect(),
        None => match fs::read(vdir.join(FILE_LIST)) {
            Ok(bytes) => VersionFiles::parse(&bytes, &vdir.join(FILE_LIST).to_string_lossy())?
                .files
                .into_iter()
                .filter(|f| f.name != layout::MANIFEST && f.name != layout::MODEL)
                .map(|f| (f.name, f.size))
                .collect(),
            Err(_) => return Ok(()),
        },
    };
    for (name, size) in listed {
        let p = vdir.join(&name);
        let here = match fs::metadata(&p) {
            Ok(m) => format!("{} bytes", m.len()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => "missing".to_string(),
            Err(e) => return Err(Error::io(&p, e)),
        };
        if here != format!("{size} bytes") {
            return Err(Error::IndexCorrupt {
                path: p,
                reason: format!(
                    "{here}, but version {} lists {size} bytes: the file was damaged after the \
                     version was written; this version cannot be served (roll back with \
                     `yelpsearch index rollback`, pull it again, or rebuild)",
                    manifest.version
                ),
            });
        }
    }
    Ok(())
}

/// The file list of an installed version, if it has one (versions built here have
/// none; installed ones do).
pub fn installed_files(root: &Path, name: &str) -> Option<VersionFiles> {
    let p = IndexDir::new(root).version_path(name).join(FILE_LIST);
    let bytes = fs::read(&p).ok()?;
    VersionFiles::parse(&bytes, &p.to_string_lossy()).ok()
}

/// A version being installed from files made elsewhere. Holds the index's write lock
/// until it is finished or dropped; a process stopped half-way leaves a staging
/// directory that the next install of the same version continues from (and that gc
/// removes).
#[derive(Debug)]
pub struct Install {
    dir: IndexDir,
    _lock: WriteLock,
    name: String,
    staging: PathBuf,
    /// Checksum -> a file of a complete local version with that content.
    local: HashMap<String, PathBuf>,
}

impl Install {
    /// Takes the write lock of the index at `root` (created if missing) and prepares the
    /// staging directory for `list`'s version. Fails with [`Error::Locked`] while another
    /// process writes, and when the version is already here.
    pub fn begin(root: &Path, list: &VersionFiles) -> Result<Install> {
        let dir = IndexDir::new(root);
        let lock = dir.lock_writer("pull")?;
        let name = list.version.clone();
        if dir.version_path(&name).exists() {
            return Err(Error::Data(format!(
                "{}: version {name} is already installed (point CURRENT at it with `yelpsearch index rollback --to {name}`)",
                root.display()
            )));
        }
        let staging = dir
            .root()
            .join(layout::VERSIONS)
            .join(format!("{name}{TMP_MARK}{STAGING}"));
        fs::create_dir_all(&staging).at(&staging)?;
        let mut local = HashMap::new();
        for v in dir.versions()? {
            if let Some(files) = installed_files(root, &v) {
                for f in files.files.into_iter().filter(|f| f.size > 0) {
                    local
                        .entry(f.sha256)
                        .or_insert_with(|| dir.version_path(&v).join(f.name));
                }
            }
        }
        Ok(Install {
            dir,
            _lock: lock,
            name,
            staging,
            local,
        })
    }

    /// The version being installed.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Where its files go.
    pub fn staging(&self) -> &Path {
        &self.staging
    }

    /// Whether an earlier, interrupted install already put `f` in place (files get
    /// their final name only once verified, so the size tells).
    pub fn staged(&self, f: &FileEntry) -> bool {
        fs::metadata(self.staging.join(&f.name)).is_ok_and(|m| m.is_file() && m.len() == f.size)
    }

    /// Puts `f` in place without downloading it when it can: an empty file is created,
    /// a file with the checksum of one in a complete local version is hard-linked from
    /// it (copied across file systems). Returns whether it did.
    pub fn reuse_local(&self, f: &FileEntry) -> Result<bool> {
        let dst = self.staging.join(&f.name);
        if f.size == 0 {
            fs::write(&dst, b"").at(&dst)?;
            return Ok(true);
        }
        let Some(src) = self.local.get(&f.sha256) else {
            return Ok(false);
        };
        if !fs::metadata(src).is_ok_and(|m| m.len() == f.size) {
            return Ok(false);
        }
        let _ = fs::remove_file(&dst);
        if fs::hard_link(src, &dst).is_err() {
            fs::copy(src, &dst).at(&dst)?;
        }
        Ok(true)
    }

    /// The temporary file a download of `f` writes to, before [`Install::accept`].
    pub fn part_path(&self, f: &FileEntry) -> PathBuf {
        self.staging.join(format!("{}{PART}", f.name))
    }

    /// Gives a downloaded and verified file its final name.
    pub fn accept(&self, f: &FileEntry) -> Result<()> {
        let dst = self.staging.join(&f.name);
        fs::rename(self.part_path(f), &dst).at(&dst)
    }

    /// Verifies every file of `list` (size and checksum), writes the list and a fresh
    /// reader lock beside them, gives the version its final name and points CURRENT at
    /// it. Returns the version's directory.
    pub fn finish(self, list: &VersionFiles) -> Result<PathBuf> {
        for entry in fs::read_dir(&self.staging).at(&self.staging)? {
            let p = entry.at(&self.staging)?.path();
            if p.to_string_lossy().ends_with(PART) {
                fs::remove_file(&p).at(&p)?;
            }
        }
        verify_dir(&self.staging, list)?;
        layout::write_json(&self.staging.join(FILE_LIST), list)?;
        let lock = self.staging.join(READER_LOCK);
        fs::write(&lock, b"").at(&lock)?;
        let vdir = self.dir.publish(&self.staging, &self.name)?;
        self.dir.set_current(&self.name)?;
        Ok(vdir)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn list(files: &[(&str, &str)]) -> Vec<u8> {
        let files: Vec<_> = files
            .iter()
            .map(|(n, s)| serde_json::json!({"name": n, "size": 1, "sha256": s}))
            .collect();
        serde_json::to_vec(&serde_json::json!({"format": 1, "version": "v000001", "files": files}))
            .unwrap()
    }

    #[test]
    fn a_list_naming_files_outside_the_version_is_refused() {
        let sha = "a".repeat(64);
        assert!(VersionFiles::parse(&list(&[("meta.json", &sha)]), "x").is_ok());
        for name in [
            "../CURRENT",
            "a/b",
            "",
            "..",
            ".tantivy-meta.lock",
            "reader.lock",
            "x.part",
        ] {
            let e = VersionFiles::parse(&list(&[(name, &sha)]), "x").unwrap_err();
            assert_eq!(e.code(), "index_corrupt", "{name}: {e}");
        }
        assert!(VersionFiles::parse(&list(&[("m", "ABC")]), "x").is_err());
        assert!(VersionFiles::parse(&list(&[("m", &sha), ("m", &sha)]), "x").is_err());
    }

    #[test]
    fn hashes_like_sha256sum() {
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("f");
        fs::write(&p, b"abc").unwrap();
        assert_eq!(
            hash_file(&p).unwrap(),
            (
                3,
                "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad".into()
            )
        );
    }
}
