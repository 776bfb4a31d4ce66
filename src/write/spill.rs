//! Validated reviews spilled to bucket files, so that the index can be written in
//! zipcode order with bounded memory.
//!
//! Reviews arrive in any order; the search reads one zipcode's documents as contiguous
//! runs of doc ids (see [`crate::search`]). Pass one parses and validates every line
//! once and appends a compact record to the bucket of its zipcode (each bucket a range
//! of zipcodes); pass two loads one bucket at a time, sorts it by (zip, business, day)
//! and indexes it, so the index holds the reviews in that order.

use std::fs::File;
use std::hash::{Hash, Hasher};
use std::io::{BufReader, BufWriter, Read, Write};
use std::ops::Range;
use std::path::{Path, PathBuf};

use crate::error::{Error, IoContext, Result};
use crate::ingest::FileReport;

/// A hash of a review id, for this process only (duplicate checks, the text model's
/// sample); indexes store [`crate::store::schema::review_key`] instead.
pub(crate) fn id_hash(s: &str) -> u64 {
    let mut h = std::collections::hash_map::DefaultHasher::new();
    s.hash(&mut h);
    h.finish()
}

/// What pass one produced.
pub(crate) struct Spilled {
    pub report: FileReport,
    pub counts: SpillCounts,
    pub dir: PathBuf,
}

/// A validated review, ready for analysis.
#[derive(Debug, Clone, PartialEq)]
pub struct SpillRecord {
    /// Zip ordinal.
    pub zip: u32,
    /// Business ordinal.
    pub biz: u32,
    /// Day (days since 1970-01-01).
    pub day: i32,
    /// Stars 1-5.
    pub stars: u8,
    /// Useful votes.
    pub useful: u32,
    /// Yelp review id.
    pub review_id: String,
    /// Review text.
    pub text: String,
}

impl SpillRecord {
    fn write_to(&self, w: &mut impl Write) -> std::io::Result<()> {
        w.write_all(&self.zip.to_le_bytes())?;
        w.write_all(&self.biz.to_le_bytes())?;
        w.write_all(&self.day.to_le_bytes())?;
        w.write_all(&[self.stars])?;
        w.write_all(&self.useful.to_le_bytes())?;
        for s in [&self.review_id, &self.text] {
            w.write_all(&(s.len() as u32).to_le_bytes())?;
            w.write_all(s.as_bytes())?;
        }
        Ok(())
    }

    /// The next record of `r`: `None` at the end, `Some(None)` for one whose zipcode
    /// ordinal and review id `keep` refuses (its text skipped, never read into memory).
    fn read_from(
        r: &mut BufReader<File>,
        keep: &mut impl FnMut(u32, &str) -> bool,
    ) -> std::io::Result<Option<Option<SpillRecord>>> {
        let mut head = [0u8; 17];
        match r.read_exact(&mut head) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => return Ok(None),
            Err(e) => return Err(e),
        }
        let u32_at =
            |i: usize| u32::from_le_bytes([head[i], head[i + 1], head[i + 2], head[i + 3]]);
        let len = |r: &mut BufReader<File>| -> std::io::Result<usize> {
            let mut len = [0u8; 4];
            r.read_exact(&mut len)?;
            Ok(u32::from_le_bytes(len) as usize)
        };
        let string = |r: &mut BufReader<File>, n: usize| -> std::io::Result<String> {
            let mut buf = vec![0u8; n];
            r.read_exact(&mut buf)?;
            String::from_utf8(buf).map_err(std::io::Error::other)
        };
        let n = len(r)?;
        let review_id = string(r, n)?;
        let n = len(r)?;
        if !keep(u32_at(0), &review_id) {
            r.seek_relative(n as i64)?;
            return Ok(Some(None));
        }
        Ok(Some(Some(SpillRecord {
            zip: u32_at(0),
            biz: u32_at(4),
            day: u32_at(8) as i32,
            stars: head[12],
            useful: u32_at(13),
            review_id,
            text: string(r, n)?,
        })))
    }
}

/// Bucket files of spilled records.
pub struct Spill {
    dir: PathBuf,
    writers: Vec<BufWriter<File>>,
    counts: SpillCounts,
}

/// How many records were spilled, per bucket and per zipcode ordinal.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SpillCounts {
    /// Records of each bucket.
    pub buckets: Vec<u64>,
    /// Records of each zipcode ordinal.
    pub zips: Vec<u64>,
}

impl SpillCounts {
    /// Records in all.
    pub fn total(&self) -> u64 {
        self.buckets.iter().sum()
    }

    /// The bucket that holds zipcode ordinal `zip`.
    pub fn bucket_of(&self, zip: u32) -> usize {
        bucket_of(zip, self.buckets.len(), self.zips.len())
    }

    /// The zipcode ordinals bucket `i` holds: those that [`Self::bucket_of`] puts there.
    pub fn zips_of(&self, i: usize) -> Range<u32> {
        let (nb, nz) = (self.buckets.len().max(1) as u64, self.zips.len() as u64);
        let first = |i: u64| (i * nz).div_ceil(nb) as u32;
        first(i as u64)..first(i as u64 + 1)
    }
}

/// The bucket of zipcode ordinal `zip` among `buckets` buckets for `zips` ordinals: the
/// ordinals are cut into `buckets` ranges, in order.
fn bucket_of(zip: u32, buckets: usize, zips: usize) -> usize {
    ((zip as u64 * buckets as u64 / zips.max(1) as u64) as usize).min(buckets.max(1) - 1)
}

impl Spill {
    /// Creates `buckets` empty bucket files in `dir` for records of `zips` zipcode
    /// ordinals. Each bucket holds a range of zipcodes, the ranges in bucket order, so
    /// that reading the buckets in order reads the zipcodes in order.
    pub fn create(dir: &Path, buckets: usize, zips: usize) -> Result<Spill> {
        std::fs::create_dir_all(dir).at(dir)?;
        let mut writers = Vec::with_capacity(buckets);
        for i in 0..buckets.max(1) {
            let p = bucket_path(dir, i);
            writers.push(BufWriter::with_capacity(1 << 16, File::create(&p).at(&p)?));
        }
        Ok(Spill {
            dir: dir.to_path_buf(),
            counts: SpillCounts {
                buckets: vec![0; writers.len()],
                zips: vec![0; zips.max(1)],
            },
            writers,
        })
    }

    /// Appends a record to its zipcode's bucket.
    pub fn push(&mut self, rec: &SpillRecord) -> Result<()> {
        let b = self.counts.bucket_of(rec.zip);
        self.counts.buckets[b] += 1;
        if let Some(z) = self.counts.zips.get_mut(rec.zip as usize) {
            *z += 1;
        }
        rec.write_to(&mut self.writers[b])
            .at(bucket_path(&self.dir, b))
    }

    /// Flushes every bucket; returns the record counts.
    pub fn finish(mut self) -> Result<SpillCounts> {
        for (i, w) in self.writers.iter_mut().enumerate() {
            w.flush().at(bucket_path(&self.dir, i))?;
        }
        Ok(self.counts)
    }
}

/// The path of bucket `i`.
pub fn bucket_path(dir: &Path, i: usize) -> PathBuf {
    dir.join(format!("bucket-{i:04}.bin"))
}

/// Reads every record of bucket `i`.
pub fn read_bucket(dir: &Path, i: usize) -> Result<Vec<SpillRecord>> {
    read_bucket_where(dir, i, |_, _| true)
}

/// Reads the records of bucket `i` whose zipcode ordinal and review id `keep` accepts;
/// the others' texts are skipped, not read (a sample of a bucket, or some of its
/// zipcodes, costs little more than its ids).
pub fn read_bucket_where(
    dir: &Path,
    i: usize,
    mut keep: impl FnMut(u32, &str) -> bool,
) -> Result<Vec<SpillRecord>> {
    let p = bucket_path(dir, i);
    let mut r = BufReader::with_capacity(1 << 16, File::open(&p).at(&p)?);
    let mut out = Vec::new();
    while let Some(rec) = SpillRecord::read_from(&mut r, &mut keep).map_err(|e| Error::io(&p, e))? {
        out.extend(rec);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_bucket_holds_the_zipcodes_bucket_of_puts_there() {
        for (buckets, zips) in [(3, 4), (4, 80), (8, 80), (8, 3), (512, 1600), (7, 1)] {
            let counts = SpillCounts {
                buckets: vec![0; buckets],
                zips: vec![0; zips],
            };
            for i in 0..buckets {
                let want: Vec<u32> = (0..zips as u32)
                    .filter(|&z| counts.bucket_of(z) == i)
                    .collect();
                let got: Vec<u32> = counts.zips_of(i).collect();
                assert_eq!(got, want, "bucket {i} of {buckets} for {zips} zipcodes");
            }
        }
    }

    #[test]
    fn records_round_trip_through_buckets() {
        let dir = tempfile::tempdir().unwrap();
        let mut s = Spill::create(dir.path(), 3, 4).unwrap();
        let recs: Vec<SpillRecord> = (0..10)
            .map(|i| SpillRecord {
                zip: i % 4,
                biz: i * 7,
                day: -(i as i32),
                stars: (i % 5 + 1) as u8,
                useful: i * 100,
                review_id: format!("r{i}"),
                text: format!("crème brûlée {i}\nline"),
            })
            .collect();
        for r in &recs {
            s.push(r).unwrap();
        }
        let counts = s.finish().unwrap();
        assert_eq!(counts.total(), 10);
        assert_eq!(counts.zips, [3, 3, 2, 2]);
        let buckets: Vec<Vec<SpillRecord>> = (0..3)
            .map(|i| read_bucket(dir.path(), i).unwrap())
            .collect();
        // Each bucket holds a range of zipcodes, the ranges in order.
        let ranges: Vec<(u32, u32)> = buckets
            .iter()
            .filter(|b| !b.is_empty())
            .map(|b| {
                let zips = b.iter().map(|r| r.zip);
                (zips.clone().min().unwrap(), zips.max().unwrap())
            })
            .collect();
        assert!(ranges.len() > 1);
        assert!(ranges.windows(2).all(|w| w[0].1 < w[1].0), "{ranges:?}");
        // A filtered read keeps exactly the accepted records, in order, whole.
        for (i, bucket) in buckets.iter().enumerate() {
            let odd = |id: &str| id.ends_with(['1', '3', '5', '7', '9']);
            let kept = read_bucket_where(dir.path(), i, |_, id| odd(id)).unwrap();
            let expected: Vec<&SpillRecord> = bucket.iter().filter(|r| odd(&r.review_id)).collect();
            assert_eq!(kept.iter().collect::<Vec<_>>(), expected);
            let kept = read_bucket_where(dir.path(), i, |zip, _| zip == 1).unwrap();
            let expected: Vec<&SpillRecord> = bucket.iter().filter(|r| r.zip == 1).collect();
            assert_eq!(kept.iter().collect::<Vec<_>>(), expected);
            assert!(bucket.iter().all(|r| counts.bucket_of(r.zip) == i));
            assert!(bucket.iter().all(|r| counts.zips_of(i).contains(&r.zip)));
        }
        let mut back: Vec<SpillRecord> = buckets.into_iter().flatten().collect();
        back.sort_by_key(|r| r.biz);
        assert_eq!(back, recs);
    }
}
