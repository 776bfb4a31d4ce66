//! A read-only view of a version directory for tantivy, read with positioned reads.
//!
//! Serving pods mount the index read-only, but tantivy's reader takes a lock file in
//! the index directory. Versions are immutable once published, so readers need no lock:
//! this directory grants every lock without touching the disk and refuses writes.
//!
//! It never maps a file (tantivy's `MmapDirectory` does): a mapped file that something
//! truncates under a running process kills the process with SIGBUS at the next read past
//! the new end, and a server must outlive one damaged version. Instead:
//! - the document store (`.store`, two thirds of a version's bytes, read only for the
//!   few reviews a page shows) is read with positioned reads (`pread`): a read past the
//!   end of a truncated file is an ordinary error, which a search answers as
//!   `index_corrupt`;
//! - every other file (postings, positions, terms, fast fields: what every search reads)
//!   is read into memory once, when the version is opened, so a search reads memory as
//!   it would a mapping (positioned reads for these cost a quarter more search latency).
//!   Files are shared by inode across the versions a process holds (an update's version
//!   hard-links its parent's unchanged segments), so a reload does not hold two copies.

use std::collections::HashMap;
use std::fs::{self, File};
use std::io;
use std::ops::Range;
use std::os::unix::fs::FileExt;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::sync::{Arc, LazyLock, Mutex, Weak};

use tantivy::directory::error::{DeleteError, LockError, OpenReadError, OpenWriteError};
use tantivy::directory::{
    Directory, DirectoryLock, FileHandle, Lock, OwnedBytes, WatchCallback, WatchHandle, WritePtr,
};
use tantivy::HasLen;

/// A directory of immutable files, read with positioned reads, that never writes.
#[derive(Debug, Clone)]
pub struct ReadOnlyDirectory {
    root: PathBuf,
}

impl ReadOnlyDirectory {
    /// Opens `root` for reading.
    pub fn open(root: &Path) -> tantivy::Result<Self> {
        if !root.is_dir() {
            return Err(tantivy::TantivyError::from(
                tantivy::directory::error::OpenDirectoryError::DoesNotExist(root.to_path_buf()),
            ));
        }
        Ok(ReadOnlyDirectory {
            root: root.to_path_buf(),
        })
    }

    fn refuse(&self) -> io::Error {
        io::Error::new(
            io::ErrorKind::PermissionDenied,
            format!("{} is an immutable index version", self.root.display()),
        )
    }

    fn open_read(&self, path: &Path) -> Result<(PathBuf, File), OpenReadError> {
        let full = self.root.join(path);
        match File::open(&full) {
            Ok(f) => Ok((full, f)),
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                Err(OpenReadError::FileDoesNotExist(path.to_path_buf()))
            }
            Err(e) => Err(OpenReadError::wrap_io_error(e, full)),
        }
    }
}

/// One file of a version, read with positioned reads. Its length is the one it had when
/// it was opened: a read past the file's end now (it was truncated since) fails with
/// [`io::ErrorKind::UnexpectedEof`] and says so.
#[derive(Debug)]
struct PositionedFile {
    file: File,
    path: PathBuf,
    len: usize,
}

impl HasLen for PositionedFile {
    fn len(&self) -> usize {
        self.len
    }
}

impl FileHandle for PositionedFile {
    fn read_bytes(&self, range: Range<usize>) -> io::Result<OwnedBytes> {
        if range.start > range.end || range.end > self.len {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                format!(
                    "{}: bytes {}..{} of a {}-byte file",
                    self.path.display(),
                    range.start,
                    range.end,
                    self.len
                ),
            ));
        }
        let mut buf = vec![0u8; range.len()];
        self.file
            .read_exact_at(&mut buf, range.start as u64)
            .map_err(|e| match e.kind() {
                io::ErrorKind::UnexpectedEof => io::Error::new(
                    io::ErrorKind::UnexpectedEof,
                    format!(
                        "{} is shorter than the {} bytes it had when the version was opened \
                         (truncated since): the version is damaged",
                        self.path.display(),
                        self.len
                    ),
                ),
                _ => io::Error::new(e.kind(), format!("{}: {e}", self.path.display())),
            })?;
        Ok(OwnedBytes::new(buf))
    }
}

/// Whether a file is read with positioned reads rather than into memory: tantivy's
/// document store.
fn read_in_place(path: &Path) -> bool {
    path.extension().is_some_and(|e| e == "store")
}

/// The files read into memory by this process, by device and inode, while a version
/// holds them.
static IN_MEMORY: LazyLock<Mutex<InMemory>> = LazyLock::new(Mutex::default);

/// File contents by device, inode, size and modification time: an inode number freed
/// by a deleted index can come back for a file of the next one (`rm -rf idx` and build
/// again while a process still holds the old version's bytes), never with the same
/// modification time.
type InMemory = HashMap<(u64, u64, u64, i64, i64), Weak<[u8]>>;

/// The contents of `file` (`len` bytes when opened), shared with any version of this
/// process that holds the same inode.
fn in_memory(file: &mut File, meta: &fs::Metadata, full: &Path) -> io::Result<Arc<[u8]>> {
    use std::io::Read as _;
    let key = (
        meta.dev(),
        meta.ino(),
        meta.len(),
        meta.mtime(),
        meta.mtime_nsec(),
    );
    let mut cache = IN_MEMORY.lock().unwrap_or_else(|p| p.into_inner());
    if let Some(bytes) = cache.get(&key).and_then(Weak::upgrade) {
        return Ok(bytes);
    }
    let mut buf = Vec::with_capacity(meta.len() as usize);
    file.read_to_end(&mut buf)?;
    if buf.len() as u64 != meta.len() {
        return Err(io::Error::new(
            io::ErrorKind::UnexpectedEof,
            format!(
                "{} changed size while it was read ({} bytes, then {}): the version is damaged",
                full.display(),
                meta.len(),
                buf.len()
            ),
        ));
    }
    let bytes: Arc<[u8]> = buf.into();
    cache.retain(|_, w| w.strong_count() > 0);
    cache.insert(key, Arc::downgrade(&bytes));
    Ok(bytes)
}

impl Directory for ReadOnlyDirectory {
    fn get_file_handle(&self, path: &Path) -> Result<Arc<dyn FileHandle>, OpenReadError> {
        let (full, mut file) = self.open_read(path)?;
        let io_err = |e: io::Error| OpenReadError::wrap_io_error(e, full.clone());
        let meta = file.metadata().map_err(io_err)?;
        let len =
            usize::try_from(meta.len()).map_err(|_| io_err(io::Error::other("file too large")))?;
        if read_in_place(path) {
            return Ok(Arc::new(PositionedFile {
                file,
                path: full,
                len,
            }));
        }
        let bytes = in_memory(&mut file, &meta, &full).map_err(io_err)?;
        Ok(Arc::new(OwnedBytes::new(bytes)))
    }

    fn delete(&self, path: &Path) -> Result<(), DeleteError> {
        Err(DeleteError::IoError {
            io_error: Arc::new(self.refuse()),
            filepath: path.to_path_buf(),
        })
    }

    fn exists(&self, path: &Path) -> Result<bool, OpenReadError> {
        let full = self.root.join(path);
        full.try_exists()
            .map_err(|e| OpenReadError::wrap_io_error(e, full))
    }

    fn open_write(&self, path: &Path) -> Result<WritePtr, OpenWriteError> {
        Err(OpenWriteError::IoError {
            io_error: Arc::new(self.refuse()),
            filepath: path.to_path_buf(),
        })
    }

    fn atomic_read(&self, path: &Path) -> Result<Vec<u8>, OpenReadError> {
        let full = self.root.join(path);
        fs::read(&full).map_err(|e| match e.kind() {
            io::ErrorKind::NotFound => OpenReadError::FileDoesNotExist(path.to_path_buf()),
            _ => OpenReadError::wrap_io_error(e, full),
        })
    }

    fn atomic_write(&self, _path: &Path, _data: &[u8]) -> io::Result<()> {
        Err(self.refuse())
    }

    fn sync_directory(&self) -> io::Result<()> {
        Ok(())
    }

    fn acquire_lock(&self, _lock: &Lock) -> Result<DirectoryLock, LockError> {
        Ok(DirectoryLock::from(Box::new(())))
    }

    fn watch(&self, _cb: WatchCallback) -> tantivy::Result<WatchHandle> {
        Ok(WatchHandle::empty())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_truncated_after_it_was_opened_reads_as_an_error() {
        let d = tempfile::tempdir().unwrap();
        fs::write(d.path().join("seg.store"), vec![7u8; 10_000]).unwrap();
        let dir = ReadOnlyDirectory::open(d.path()).unwrap();
        let h = dir.get_file_handle(Path::new("seg.store")).unwrap();
        assert_eq!(
            h.read_bytes(9_000..10_000).unwrap().as_slice(),
            &[7u8; 1000][..]
        );
        assert!(h.read_bytes(0..0).unwrap().is_empty());
        File::options()
            .write(true)
            .open(d.path().join("seg.store"))
            .unwrap()
            .set_len(100)
            .unwrap();
        let e = h.read_bytes(9_000..10_000).unwrap_err();
        assert_eq!(e.kind(), io::ErrorKind::UnexpectedEof);
        assert!(e.to_string().contains("truncated"), "{e}");
        assert_eq!(h.read_bytes(0..100).unwrap().len(), 100);
        assert!(h.read_bytes(10..20_000).is_err());
        assert!(matches!(
            dir.get_file_handle(Path::new("missing")),
            Err(OpenReadError::FileDoesNotExist(_))
        ));
        assert!(dir.open_write(Path::new("x")).is_err());
    }

    #[test]
    fn other_files_are_read_once_and_shared_by_inode() {
        let d = tempfile::tempdir().unwrap();
        for v in ["v1", "v2"] {
            fs::create_dir(d.path().join(v)).unwrap();
        }
        fs::write(d.path().join("v1/a.idx"), b"postings").unwrap();
        fs::hard_link(d.path().join("v1/a.idx"), d.path().join("v2/a.idx")).unwrap();
        let one = ReadOnlyDirectory::open(&d.path().join("v1")).unwrap();
        let two = ReadOnlyDirectory::open(&d.path().join("v2")).unwrap();
        let a = one.get_file_handle(Path::new("a.idx")).unwrap();
        let b = two.get_file_handle(Path::new("a.idx")).unwrap();
        let (a, b) = (a.read_bytes(0..8).unwrap(), b.read_bytes(0..8).unwrap());
        assert_eq!(a.as_slice(), b"postings");
        assert_eq!(a.as_slice().as_ptr(), b.as_slice().as_ptr(), "one copy");
        // Held in memory, it outlives a truncation of the file.
        File::options()
            .write(true)
            .open(d.path().join("v1/a.idx"))
            .unwrap()
            .set_len(0)
            .unwrap();
        assert_eq!(a.as_slice(), b"postings");
    }
}
