//! A gzip file written from independently compressed chunks.
//!
//! Each chunk is raw-deflated on its own (in parallel) and ended with a sync flush, so the
//! chunks concatenate into one valid deflate stream; a final empty block, the combined
//! CRC-32 and the length close it. The result is a single-member gzip file that any gzip
//! reader (including `flate2::read::GzDecoder`) reads whole, and its bytes depend only on
//! the chunk contents, never on thread scheduling.

use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

use flate2::{Compress, Compression, Crc, FlushCompress};

use crate::error::{IoContext, Result};

/// gzip header: magic, deflate, no flags, mtime 0, no extra flags, OS unknown.
const HEADER: [u8; 10] = [0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 255];
/// A final, empty, fixed-Huffman deflate block.
const FINAL_BLOCK: [u8; 2] = [0x03, 0x00];

/// One compressed chunk.
pub(super) struct Deflated {
    /// Raw deflate data, byte-aligned, not final.
    pub bytes: Vec<u8>,
    /// CRC-32 of the uncompressed data.
    pub crc: Crc,
}

/// Raw-deflates `data` at `level`, ending with a sync flush (not a final block).
pub(super) fn deflate_chunk(data: &[u8], level: u32) -> io::Result<Deflated> {
    let mut crc = Crc::new();
    crc.update(data);
    let mut c = Compress::new(Compression::new(level), false);
    let mut out = Vec::with_capacity(data.len() / 3 + 1024);
    loop {
        let consumed = usize::try_from(c.total_in()).map_err(io::Error::other)?;
        let input = data.get(consumed..).unwrap_or(&[]);
        c.compress_vec(input, &mut out, FlushCompress::Sync)
            .map_err(io::Error::other)?;
        let done = usize::try_from(c.total_in()).map_err(io::Error::other)? == data.len();
        if done && out.len() < out.capacity() {
            // All input taken and the flush did not run out of room: complete.
            break;
        }
        let more = out.capacity().max(64 * 1024);
        out.reserve(more);
    }
    Ok(Deflated { bytes: out, crc })
}

/// Writes a gzip file chunk by chunk.
pub(super) struct GzChunkWriter {
    file: BufWriter<File>,
    path: PathBuf,
    crc: Crc,
    len: u64,
}

impl GzChunkWriter {
    /// Creates (truncates) `path` and writes the gzip header.
    pub(super) fn create(path: &Path) -> Result<Self> {
        let file = File::create(path).at(path)?;
        let mut file = BufWriter::with_capacity(1 << 20, file);
        file.write_all(&HEADER).at(path)?;
        Ok(GzChunkWriter {
            file,
            path: path.to_path_buf(),
            crc: Crc::new(),
            len: 0,
        })
    }

    /// Appends one compressed chunk.
    pub(super) fn append(&mut self, chunk: &Deflated) -> Result<()> {
        self.file.write_all(&chunk.bytes).at(&self.path)?;
        self.len += u64::from(chunk.crc.amount());
        self.crc.combine(&chunk.crc);
        Ok(())
    }

    /// Writes the final block and the trailer, and flushes.
    pub(super) fn finish(mut self) -> Result<()> {
        self.file.write_all(&FINAL_BLOCK).at(&self.path)?;
        self.file
            .write_all(&self.crc.sum().to_le_bytes())
            .at(&self.path)?;
        // ISIZE is the length modulo 2^32.
        let isize = (self.len & 0xffff_ffff) as u32;
        self.file.write_all(&isize.to_le_bytes()).at(&self.path)?;
        self.file.flush().at(&self.path)?;
        Ok(())
    }
}
