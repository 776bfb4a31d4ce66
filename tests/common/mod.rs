//! Shared fixtures of the integration tests: corpora and indexes built once per test
//! binary, in temporary directories.
#![allow(dead_code)]

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use yelpsearch::generate::{generate, GenerateOptions, Truth};
use yelpsearch::{build_index, BuildOptions};

/// A generated corpus and an index built from it.
pub struct Fixture {
    pub dir: tempfile::TempDir,
    pub business: PathBuf,
    pub reviews: PathBuf,
    pub truth: Truth,
    pub index: PathBuf,
}

/// The shared synthetic fixture (built on first use).
pub fn fixture() -> &'static Fixture {
    static F: OnceLock<Fixture> = OnceLock::new();
    F.get_or_init(|| make_fixture(600, 60_000, 11))
}

/// Generates a corpus and builds a fully trained index.
pub fn make_fixture(businesses: usize, reviews: usize, seed: u64) -> Fixture {
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path().join("data");
    let r = generate(
        &data,
        &GenerateOptions {
            businesses,
            reviews,
            seed,
        },
    )
    .expect("generate");
    let truth = Truth::load(&r.truth_path).expect("truth");
    let index = dir.path().join("index");
    build_index(
        &r.business_path,
        &r.review_path,
        &index,
        &BuildOptions {
            // Small enough that the writer fills it: every test that uses the fixture
            // runs on an index of several segments, as large builds are.
            memory_mb: 16,
            ..BuildOptions::default()
        },
    )
    .expect("build");
    Fixture {
        business: r.business_path,
        reviews: r.review_path,
        truth,
        index,
        dir,
    }
}

/// Copies a directory tree (an index, say, to change it without touching the shared one).
pub fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("mkdir");
    for e in std::fs::read_dir(from).expect("read_dir").flatten() {
        let dst = to.join(e.file_name());
        if e.path().is_dir() {
            copy_dir(&e.path(), &dst);
        } else {
            std::fs::copy(e.path(), &dst).expect("copy");
        }
    }
}

/// The non-empty lines of a gzip file.
pub fn gz_lines(path: &Path) -> Vec<Vec<u8>> {
    use std::io::BufRead;
    let f = std::fs::File::open(path).expect("open");
    std::io::BufReader::new(flate2::read::GzDecoder::new(f))
        .split(b'\n')
        .map(|l| l.expect("read"))
        .filter(|l| !l.is_empty())
        .collect()
}

/// Writes JSON lines (each item is one raw line) to a file.
pub fn write_lines(path: &Path, lines: &[Vec<u8>]) {
    let mut f = std::fs::File::create(path).expect("create");
    for l in lines {
        f.write_all(l).expect("write");
        f.write_all(b"\n").expect("write");
    }
}

/// A business line.
pub fn business_line(id: &str, name: &str, zip: &str) -> Vec<u8> {
    business_line_in(id, name, zip, "Restaurants, Italian")
}

/// A business line with the given categories (Yelp's comma-separated string).
pub fn business_line_in(id: &str, name: &str, zip: &str, categories: &str) -> Vec<u8> {
    serde_json::json!({
        "business_id": id, "name": name, "address": "1 Main St", "city": "Urbana", "state": "IL",
        "postal_code": zip, "latitude": 40.1, "longitude": -88.2, "stars": 4.0, "review_count": 3,
        "is_open": 1, "attributes": {"WiFi": "u'free'"}, "categories": categories, "hours": null
    })
    .to_string()
    .into_bytes()
}

/// A review line.
pub fn review_line(id: &str, business: &str, stars: f64, date: &str, text: &str) -> Vec<u8> {
    serde_json::json!({
        "review_id": id, "user_id": "u1", "business_id": business, "stars": stars, "useful": 1,
        "funny": 0, "cool": 0, "text": text, "date": date
    })
    .to_string()
    .into_bytes()
}
