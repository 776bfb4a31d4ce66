//! The tantivy directory of a version being written: files are not fsynced one by one.
//!
//! tantivy's [`MmapDirectory`] fsyncs every file it finishes and the directory at each
//! commit, and the build's writer thread waits for each of those calls (a full build:
//! 42 calls, 0.3–0.4 s, while the other core has nothing to do). A version being
//! written is invisible until [`super::layout::IndexDir::publish`] renames it into
//! place, and that fsyncs every file of the version and the directory first, so
//! durability needs the syncs only by then: the build starts them in the background
//! ([`sync_in_background`]) as soon as the index is committed, and trains the ranker
//! meanwhile. A crash before the publish leaves an unpublished directory, which the
//! next writer removes whether it was synced or not.
//!
//! Reads go to the [`MmapDirectory`] unchanged; so do atomic writes (tantivy's
//! `meta.json`: small, and kept durable as tantivy writes it).

use std::fs::{File, OpenOptions};
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::thread::JoinHandle;

use tantivy::directory::error::{DeleteError, LockError, OpenReadError, OpenWriteError};
use tantivy::directory::{
    AntiCallToken, Directory, DirectoryLock, FileHandle, Lock, MmapDirectory, TerminatingWrite,
    WatchCallback, WatchHandle, WritePtr,
};

use crate::error::Result;

/// An mmap directory whose written files are flushed but not fsynced.
#[derive(Debug, Clone)]
pub struct UnsyncedDirectory {
    inner: MmapDirectory,
    root: PathBuf,
}

impl UnsyncedDirectory {
    /// Opens `root` (an unpublished version directory) for writing.
    pub fn open(root: &Path) -> tantivy::Result<Self> {
        Ok(UnsyncedDirectory {
            inner: MmapDirectory::open(root)?,
            root: root.to_path_buf(),
        })
    }
}

/// A written file: flushed when finished, synced later with the whole version.
struct UnsyncedFile(File);

impl Write for UnsyncedFile {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0.write(buf)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.0.flush()
    }
}

impl TerminatingWrite for UnsyncedFile {
    fn terminate_ref(&mut self, _: AntiCallToken) -> io::Result<()> {
        self.0.flush()
    }
}

impl Directory for UnsyncedDirectory {
    fn get_file_handle(
        &self,
        path: &Path,
    ) -> std::result::Result<Arc<dyn FileHandle>, OpenReadError> {
        self.inner.get_file_handle(path)
    }

    fn delete(&self, path: &Path) -> std::result::Result<(), DeleteError> {
        self.inner.delete(path)
    }

    fn exists(&self, path: &Path) -> std::result::Result<bool, OpenReadError> {
        self.inner.exists(path)
    }

    fn open_write(&self, path: &Path) -> std::result::Result<WritePtr, OpenWriteError> {
        let file = OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(self.root.join(path))
            .map_err(|e| {
                if e.kind() == io::ErrorKind::AlreadyExists {
                    OpenWriteError::FileAlreadyExists(path.to_path_buf())
                } else {
                    OpenWriteError::wrap_io_error(e, path.to_path_buf())
                }
            })?;
        Ok(BufWriter::new(Box::new(UnsyncedFile(file))))
    }

    fn atomic_read(&self, path: &Path) -> std::result::Result<Vec<u8>, OpenReadError> {
        self.inner.atomic_read(path)
    }

    fn atomic_write(&self, path: &Path, data: &[u8]) -> io::Result<()> {
        self.inner.atomic_write(path, data)
    }

    fn sync_directory(&self) -> io::Result<()> {
        Ok(())
    }

    fn acquire_lock(&self, lock: &Lock) -> std::result::Result<DirectoryLock, LockError> {
        self.inner.acquire_lock(lock)
    }

    fn watch(&self, cb: WatchCallback) -> tantivy::Result<WatchHandle> {
        self.inner.watch(cb)
    }
}

/// Fsyncs every file of `dir` and the directory itself on a thread of its own; join it
/// (or let [`super::layout::IndexDir::publish`] sync again) before publishing.
pub fn sync_in_background(dir: &Path) -> JoinHandle<Result<()>> {
    let dir = dir.to_path_buf();
    std::thread::spawn(move || super::layout::sync_tree(&dir))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn written_files_read_back_and_are_never_overwritten() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = UnsyncedDirectory::open(tmp.path()).unwrap();
        let path = Path::new("a.bin");
        let mut w = dir.open_write(path).unwrap();
        w.write_all(b"segment bytes").unwrap();
        w.terminate().unwrap();
        let read = dir.open_read(path).unwrap().read_bytes().unwrap();
        assert_eq!(read.as_slice(), b"segment bytes");
        assert!(matches!(
            dir.open_write(path),
            Err(OpenWriteError::FileAlreadyExists(p)) if p == path
        ));
        sync_in_background(tmp.path()).join().unwrap().unwrap();
    }

    #[test]
    fn a_failed_sync_is_reported() {
        let tmp = tempfile::tempdir().unwrap();
        let gone = tmp.path().join("gone");
        let err = sync_in_background(&gone).join().unwrap().unwrap_err();
        assert!(err.to_string().contains("gone"), "{err}");
    }
}
