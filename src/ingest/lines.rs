//! Streaming line reader for JSON-lines files, plain or gzip.
//!
//! Compression is detected from the file's first bytes, not its name, so
//! `review.json`, `review.jsonl.gz` and a gzip without suffix all work. Lines longer
//! than [`MAX_LINE_BYTES`] are reported and skipped without being held in memory. A
//! UTF-8 byte-order mark at the start is dropped; a gzip stream cut short ends the file
//! where it was cut, and [`LineReader::truncated_after`] says so (the caller decides
//! whether that is an error).

use std::fs::File;
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};

use flate2::read::MultiGzDecoder;

use crate::error::{IoContext, Result};

/// The longest line accepted (Yelp's longest reviews are about 5,000 characters).
pub const MAX_LINE_BYTES: usize = 1 << 20;

/// One line of input, or why it could not be read.
#[derive(Debug)]
pub enum Line {
    /// A complete line, without its line terminator.
    Ok {
        /// 1-based line number.
        no: u64,
        /// The line's bytes.
        bytes: Vec<u8>,
    },
    /// A line longer than `MAX_LINE_BYTES`; its bytes were discarded.
    TooLong {
        /// 1-based line number.
        no: u64,
        /// The line's length in bytes.
        len: usize,
    },
}

/// Reads a JSON-lines file line by line with line numbers.
pub struct LineReader {
    path: PathBuf,
    inner: Box<dyn BufRead + Send>,
    no: u64,
    bytes_read: u64,
    truncated_after: Option<u64>,
}

const BOM: &[u8] = b"\xEF\xBB\xBF";

impl LineReader {
    /// Opens `path`, detecting gzip by its magic bytes.
    pub fn open(path: &Path) -> Result<Self> {
        let mut file = File::open(path).at(path)?;
        let mut magic = [0u8; 2];
        let n = read_up_to(&mut file, &mut magic).at(path)?;
        let file = File::open(path).at(path)?;
        let inner: Box<dyn BufRead + Send> = if n == 2 && magic == [0x1f, 0x8b] {
            Box::new(BufReader::with_capacity(
                1 << 16,
                MultiGzDecoder::new(BufReader::with_capacity(1 << 16, file)),
            ))
        } else {
            Box::new(BufReader::with_capacity(1 << 16, file))
        };
        Ok(LineReader {
            path: path.to_path_buf(),
            inner,
            no: 0,
            bytes_read: 0,
            truncated_after: None,
        })
    }

    /// The file being read.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Uncompressed bytes read so far.
    pub fn bytes_read(&self) -> u64 {
        self.bytes_read
    }

    /// When the compressed stream ended early (a truncated download or copy): the
    /// number of complete lines read before the cut. The incomplete last line is
    /// dropped; the file reads as if it ended there.
    pub fn truncated_after(&self) -> Option<u64> {
        self.truncated_after
    }

    /// The next non-empty line, `None` at the end of the file (or where a truncated
    /// gzip stream was cut: see [`LineReader::truncated_after`]).
    pub fn next_line(&mut self) -> Result<Option<Line>> {
        if self.truncated_after.is_some() {
            return Ok(None);
        }
        loop {
            let mut bytes = Vec::new();
            let mut too_long = 0usize;
            let mut any = false;
            loop {
                let buf = match self.inner.fill_buf() {
                    Ok(buf) => buf,
                    Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => {
                        self.truncated_after = Some(self.no);
                        return Ok(None);
                    }
                    Err(e) => return Err(crate::error::Error::io(&self.path, e)),
                };
                if buf.is_empty() {
                    break;
                }
                any = true;
                let (take, done) = match memchr::memchr(b'\n', buf) {
                    Some(i) => (i + 1, true),
                    None => (buf.len(), false),
                };
                let chunk = &buf[..take];
                let content = if done { &chunk[..take - 1] } else { chunk };
                if too_long > 0 || bytes.len() + content.len() > MAX_LINE_BYTES {
                    too_long += bytes.len() + content.len();
                    bytes = Vec::new();
                } else {
                    bytes.extend_from_slice(content);
                }
                self.inner.consume(take);
                self.bytes_read += take as u64;
                if done {
                    break;
                }
            }
            if !any {
                return Ok(None);
            }
            self.no += 1;
            if too_long > 0 {
                return Ok(Some(Line::TooLong {
                    no: self.no,
                    len: too_long,
                }));
            }
            if bytes.last() == Some(&b'\r') {
                bytes.pop();
            }
            if self.no == 1 && bytes.starts_with(BOM) {
                bytes.drain(..BOM.len());
            }
            if bytes.iter().all(u8::is_ascii_whitespace) {
                continue;
            }
            return Ok(Some(Line::Ok { no: self.no, bytes }));
        }
    }

    /// Reads up to `max` lines into `out` (cleared first); returns false at the end.
    pub fn next_batch(&mut self, out: &mut Vec<Line>, max: usize) -> Result<bool> {
        out.clear();
        while out.len() < max {
            match self.next_line()? {
                Some(l) => out.push(l),
                None => return Ok(!out.is_empty()),
            }
        }
        Ok(true)
    }
}

fn read_up_to(r: &mut impl Read, buf: &mut [u8]) -> std::io::Result<usize> {
    let mut n = 0;
    while n < buf.len() {
        match r.read(&mut buf[n..])? {
            0 => break,
            k => n += k,
        }
    }
    Ok(n)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn lines_of(path: &Path) -> Vec<(u64, String)> {
        let mut r = LineReader::open(path).unwrap();
        let mut out = vec![];
        while let Some(l) = r.next_line().unwrap() {
            out.push(match l {
                Line::Ok { no, bytes } => (no, String::from_utf8(bytes).unwrap()),
                Line::TooLong { no, len } => (no, format!("<{len}>")),
            });
        }
        out
    }

    #[test]
    fn plain_and_gzip_read_the_same() {
        let dir = tempfile::tempdir().unwrap();
        let text = "a\r\n\nb\n  \nc";
        let plain = dir.path().join("x.json");
        std::fs::write(&plain, text).unwrap();
        let gz = dir.path().join("x.whatever");
        let mut enc =
            flate2::write::GzEncoder::new(File::create(&gz).unwrap(), flate2::Compression::fast());
        enc.write_all(text.as_bytes()).unwrap();
        enc.finish().unwrap();
        let want = vec![(1, "a".into()), (3, "b".into()), (5, "c".into())];
        assert_eq!(lines_of(&plain), want);
        assert_eq!(lines_of(&gz), want);
    }

    #[test]
    fn a_byte_order_mark_is_dropped_and_a_cut_gzip_ends_where_it_was_cut() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("bom.json");
        std::fs::write(&p, b"\xEF\xBB\xBF{\"a\":1}\n{\"b\":2}\n").unwrap();
        assert_eq!(
            lines_of(&p),
            vec![(1, "{\"a\":1}".into()), (2, "{\"b\":2}".into())]
        );
        let gz = dir.path().join("cut.gz");
        let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        for i in 0..5000 {
            writeln!(enc, "line {i} with some text to make the stream longer {i}").unwrap();
        }
        let full = enc.finish().unwrap();
        std::fs::write(&gz, &full[..full.len() / 2]).unwrap();
        let mut r = LineReader::open(&gz).unwrap();
        let mut n = 0;
        while let Some(l) = r.next_line().unwrap() {
            n += 1;
            let Line::Ok { bytes, .. } = l else { panic!() };
            assert!(String::from_utf8(bytes)
                .unwrap()
                .starts_with(&format!("line {} ", n - 1)));
        }
        assert!(n > 100 && n < 5000, "{n}");
        assert_eq!(r.truncated_after(), Some(n));
    }

    #[test]
    fn overlong_lines_are_reported_not_kept() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("x.json");
        let long = "x".repeat(MAX_LINE_BYTES + 10);
        std::fs::write(&p, format!("ok\n{long}\nafter\n")).unwrap();
        let got = lines_of(&p);
        assert_eq!(got[0], (1, "ok".into()));
        assert_eq!(got[1], (2, format!("<{}>", MAX_LINE_BYTES + 10)));
        assert_eq!(got[2], (3, "after".into()));
    }
}
