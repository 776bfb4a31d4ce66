//! Freshness with real processes: `yelpsearch index update` killed with SIGKILL at
//! random points, two writers at once, a full disk (RLIMIT_FSIZE), and the
//! `versions`/`rollback`/`gc` commands, on real indexes on disk.

#[path = "../../tests/common/mod.rs"]
mod common;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

use serde_json::Value;
use yelpsearch::{build_index, BuildOptions, IndexDir, Snapshot};
use yelpsearch::{parse_business, parse_review};
use yelpsearch::{Index, SearchRequest};

use common::{copy_dir, gz_lines, write_lines};

const BIN: &str = env!("CARGO_BIN_EXE_yelpsearch");
/// Reviews of the base index.
const BASE: usize = 4_000;
/// New reviews of the update.
const NEW: usize = 20_000;
/// Base reviews the update edits.
const EDITS: usize = 200;
/// SIGKILL trials.
const TRIALS: usize = 20;

/// The tests of this file time processes: run them one at a time.
static SERIAL: Mutex<()> = Mutex::new(());

fn serial() -> std::sync::MutexGuard<'static, ()> {
    SERIAL.lock().unwrap_or_else(|e| e.into_inner())
}

/// A base index and an update file for it, with the exact counts it must give.
struct Corpus {
    _dir: tempfile::TempDir,
    business: PathBuf,
    base_reviews: PathBuf,
    index: PathBuf,
    update: PathBuf,
    /// A zipcode of the data.
    zip: String,
}

fn corpus() -> &'static Corpus {
    static C: OnceLock<Corpus> = OnceLock::new();
    C.get_or_init(make_corpus)
}

fn make_corpus() -> Corpus {
    let dir = tempfile::tempdir().expect("tempdir");
    let gen = yelpsearch::generate::generate(
        &dir.path().join("data"),
        &yelpsearch::generate::GenerateOptions {
            businesses: 2_000,
            reviews: BASE + NEW + 2_000,
            seed: 9,
        },
    )
    .expect("generate");
    let zips: HashMap<String, String> = gz_lines(&gen.business_path)
        .iter()
        .filter_map(|l| parse_business(l).ok())
        .filter(|b| !b.postal_code.is_empty())
        .map(|b| (b.business_id, b.postal_code))
        .collect();
    let mut seen = std::collections::HashSet::new();
    let valid: Vec<Vec<u8>> = gz_lines(&gen.review_path)
        .into_iter()
        .filter(|l| {
            parse_review(l)
                .is_ok_and(|r| zips.contains_key(&r.business_id) && seen.insert(r.review_id))
        })
        .collect();
    assert!(
        valid.len() >= BASE + NEW,
        "the generator gave too few valid reviews"
    );
    let base = &valid[..BASE];
    let mut update: Vec<Vec<u8>> = valid[BASE..BASE + NEW].to_vec();
    for l in &base[..EDITS] {
        let mut v: Value = serde_json::from_slice(l).expect("json");
        v["text"] = Value::from(format!(
            "{} Edited later: the tiramisu was even better.",
            v["text"].as_str().unwrap_or("")
        ));
        update.push(v.to_string().into_bytes());
    }
    let base_reviews = dir.path().join("base.jsonl");
    write_lines(&base_reviews, base);
    let update_file = dir.path().join("update.jsonl");
    write_lines(&update_file, &update);
    let index = dir.path().join("index");
    let opts = BuildOptions {
        memory_mb: 64,
        threads: 1,
        train_ranker: false,
        ..BuildOptions::default()
    };
    let r = build_index(&gen.business_path, &base_reviews, &index, &opts).expect("build");
    assert_eq!(r.indexed, BASE as u64);
    let first: Value = serde_json::from_slice(&base[0]).expect("json");
    let zip = zips[first["business_id"].as_str().unwrap_or_default()].clone();
    Corpus {
        business: gen.business_path,
        base_reviews,
        index,
        update: update_file,
        zip,
        _dir: dir,
    }
}

const FINAL: u64 = (BASE + NEW) as u64;

/// A private copy of the base index.
fn scratch() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().expect("tempdir");
    let index = dir.path().join("index");
    copy_dir(&corpus().index, &index);
    (dir, index)
}

fn cli(args: &[&str]) -> Command {
    let mut c = Command::new(BIN);
    c.args(args).env("RUST_LOG", "error").stdin(Stdio::null());
    c
}

fn run(args: &[&str]) -> Output {
    cli(args).output().expect("run yelpsearch")
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

fn update_args<'a>(index: &'a str, reviews: &'a str) -> Vec<&'a str> {
    vec![
        "index",
        "update",
        "--index",
        index,
        "--reviews",
        reviews,
        "--quiet",
        "--json",
        "--memory-mb",
        "64",
    ]
}

/// Runs the update to completion and returns its JSON report.
fn update_to_completion(index: &Path) -> Value {
    let (i, u) = (index.to_string_lossy(), corpus().update.to_string_lossy());
    let out = run(&update_args(&i, &u));
    assert!(out.status.success(), "update failed: {}", text(&out.stderr));
    serde_json::from_slice(&out.stdout).expect("the update's JSON report")
}

/// Temporary (unpublished or abandoned) entries of an index directory.
fn temporaries(index: &Path) -> Vec<String> {
    let mut out = Vec::new();
    for d in [index.to_path_buf(), index.join("versions")] {
        for e in std::fs::read_dir(d).expect("read_dir").flatten() {
            let n = e.file_name().to_string_lossy().into_owned();
            if n.contains(".tmp-") {
                out.push(n);
            }
        }
    }
    out.sort();
    out
}

/// Live documents of one version, opened read-only (and checked whole: manifest,
/// business table, model and segments all load).
fn version_docs(index: &Path, name: &str) -> u64 {
    let dir = IndexDir::new(index);
    let pin = dir.pin(name).expect("pin a published version");
    Snapshot::open_dir(&dir.version_path(name), Some(pin))
        .expect("a published version opens")
        .num_reviews()
}

/// Checks an index after a kill: it opens on a whole version with exact counts.
fn check_serving(index: &Path) -> String {
    let dir = IndexDir::new(index);
    let current = dir
        .current()
        .expect("CURRENT names a version after the kill");
    let want = match current.as_str() {
        "v000001" => BASE as u64,
        _ => FINAL,
    };
    let open = Index::open(index).expect("the index opens after the kill");
    assert_eq!(open.stats().version, current);
    assert_eq!(open.stats().reviews, want, "version {current}");
    let res = open
        .search(&SearchRequest::new("pizza").zip(&corpus().zip))
        .expect("search after the kill");
    assert!(res.results.len() <= 10);
    for v in dir.versions().expect("versions") {
        let docs = version_docs(index, &v);
        let want = if v == "v000001" { BASE as u64 } else { FINAL };
        assert_eq!(docs, want, "published version {v} is whole");
    }
    current
}

/// A deterministic spread of fractions in [0, 1): 0 (kill at once), then one per
/// stratum, jittered.
fn kill_points(n: usize) -> Vec<f64> {
    let mut state = 0x2545_F491_4F6C_DD1Du64;
    (0..n)
        .map(|i| {
            if i == 0 {
                return 0.0;
            }
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (i as f64 + (state % 1000) as f64 / 1000.0) / n as f64
        })
        .collect()
}

#[test]
fn sigkill_at_random_points_never_loses_or_duplicates_reviews() {
    let _g = serial();
    let c = corpus();
    // Calibrate: one full update gives the duration to spread the kills over, and the
    // exact figures every re-run must reach.
    // The faster of two runs (the first may pay for cold caches).
    let mut full = Duration::MAX;
    for _ in 0..2 {
        let (_d0, calib) = scratch();
        let t0 = Instant::now();
        let r = update_to_completion(&calib);
        full = full.min(t0.elapsed());
        assert_eq!(
            (r["added"].as_u64(), r["replaced"].as_u64()),
            (Some(NEW as u64), Some(EDITS as u64))
        );
        assert_eq!(r["total_reviews"].as_u64(), Some(FINAL));
    }
    eprintln!("a full update of {NEW} new and {EDITS} edited reviews takes {full:?}");

    let mut phases: HashMap<&str, usize> = HashMap::new();
    for (trial, frac) in kill_points(TRIALS).into_iter().enumerate() {
        let (_d, index) = scratch();
        let (i, u) = (
            index.to_string_lossy().into_owned(),
            c.update.to_string_lossy().into_owned(),
        );
        let delay = full.mul_f64(frac);
        let mut child = cli(&update_args(&i, &u))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn");
        std::thread::sleep(delay);
        let finished = child
            .try_wait()
            .expect("try_wait")
            .is_some_and(|s| s.success());
        let _ = child.kill();
        let status = child.wait().expect("wait");
        let temps = temporaries(&index);
        let current = check_serving(&index);
        let published = IndexDir::new(&index).versions().expect("versions").len() > 1;
        let phase = match (
            finished || status.success(),
            current.as_str(),
            published,
            temps.is_empty(),
        ) {
            (true, _, _, _) => "completed before the kill",
            (false, "v000001", true, _) => "killed after publishing, before CURRENT moved",
            (false, "v000001", false, false) => "killed while writing the new version",
            (false, "v000001", false, true) => "killed before writing anything",
            _ => "killed after CURRENT moved",
        };
        *phases.entry(phase).or_default() += 1;
        eprintln!(
            "trial {trial:2}: kill after {delay:?}: {phase}; current {current}, left {temps:?}"
        );

        if trial % 2 == 0 {
            // gc removes what the killed writer left.
            let out = run(&["index", "gc", "--index", &i, "--keep", "5"]);
            assert!(out.status.success(), "gc: {}", text(&out.stderr));
            let said = format!("{} abandoned writes", temps.len());
            assert!(
                text(&out.stdout).contains(&said),
                "gc said {:?}, expected {said:?}",
                text(&out.stdout)
            );
            assert!(temporaries(&index).is_empty());
        }
        // Re-running completes with exact counts (the update itself clears leftovers).
        let r = update_to_completion(&index);
        assert!(temporaries(&index).is_empty(), "{:?}", temporaries(&index));
        assert_eq!(r["total_reviews"].as_u64(), Some(FINAL), "{r}");
        if current == "v000001" {
            assert_eq!(
                (r["added"].as_u64(), r["replaced"].as_u64()),
                (Some(NEW as u64), Some(EDITS as u64)),
                "{r}"
            );
            assert_eq!(r["published"], Value::Bool(true));
        } else {
            assert_eq!(
                (r["added"].as_u64(), r["replaced"].as_u64()),
                (Some(0), Some(0)),
                "{r}"
            );
            assert_eq!(r["unchanged"].as_u64(), Some((NEW + EDITS) as u64));
            assert_eq!(
                r["published"],
                Value::Bool(false),
                "a no-op update publishes nothing"
            );
        }
        let open = Index::open(&index).expect("open after the re-run");
        assert_eq!(open.stats().reviews, FINAL);
    }
    eprintln!("kill points: {phases:?}");
    let mid = phases
        .get("killed while writing the new version")
        .copied()
        .unwrap_or(0);
    assert!(
        mid >= TRIALS / 2,
        "too few kills landed mid-write ({phases:?}); is the update too small?"
    );
}

#[test]
fn a_second_update_at_once_gets_locked_and_nothing_is_corrupted() {
    let _g = serial();
    let c = corpus();
    let (_d, index) = scratch();
    let (i, u) = (
        index.to_string_lossy().into_owned(),
        c.update.to_string_lossy().into_owned(),
    );
    let mut first = cli(&update_args(&i, &u))
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn");
    let mark = format!(".tmp-{}", first.id());
    let t0 = Instant::now();
    while !temporaries(&index).iter().any(|n| n.ends_with(&mark)) {
        assert!(
            t0.elapsed() < Duration::from_secs(60),
            "the first update never started writing"
        );
        std::thread::sleep(Duration::from_millis(2));
    }
    let b = c.business.to_string_lossy().into_owned();
    let r = c.base_reviews.to_string_lossy().into_owned();
    let second: [&[&str]; 4] = [
        &update_args(&i, &u),
        &["index", "gc", "--index", &i, "--keep", "1"],
        &["index", "rollback", "--index", &i],
        &[
            "index",
            "build",
            "--index",
            &i,
            "--business",
            &b,
            "--reviews",
            &r,
            "--no-train",
            "--quiet",
        ],
    ];
    for args in second {
        let out = run(args);
        let err = text(&out.stderr);
        assert_eq!(out.status.code(), Some(75), "{args:?}: {err}");
        assert!(err.contains("locked"), "{args:?}: {err}");
    }
    assert!(
        first.try_wait().expect("try_wait").is_none(),
        "the first update ended before the others ran"
    );
    let out = first.wait_with_output().expect("wait");
    assert!(out.status.success());
    let report: Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(report["total_reviews"].as_u64(), Some(FINAL));
    assert_eq!(
        IndexDir::new(&index).versions().expect("versions"),
        vec!["v000001", "v000002"]
    );
    assert!(temporaries(&index).is_empty());
    assert_eq!(check_serving(&index), "v000002");
}

/// Makes the command's writes fail with EFBIG past `bytes` (a full disk, as root too).
fn limit_file_size(cmd: &mut Command, bytes: u64) {
    use std::os::unix::process::CommandExt;
    // SAFETY: between fork and exec the closure calls only async-signal-safe functions
    // (setrlimit, signal) and allocates nothing.
    unsafe {
        cmd.pre_exec(move || {
            let lim = libc::rlimit {
                rlim_cur: bytes as libc::rlim_t,
                rlim_max: bytes as libc::rlim_t,
            };
            if libc::setrlimit(libc::RLIMIT_FSIZE, &lim) != 0 {
                return Err(std::io::Error::last_os_error());
            }
            libc::signal(libc::SIGXFSZ, libc::SIG_IGN);
            Ok(())
        });
    }
}

#[test]
fn a_full_disk_fails_the_update_clearly_and_keeps_the_current_version() {
    let _g = serial();
    let c = corpus();
    let (_d, index) = scratch();
    let (i, u) = (
        index.to_string_lossy().into_owned(),
        c.update.to_string_lossy().into_owned(),
    );
    let mut stages = Vec::new();
    for kib in [
        64u64,
        1 << 10,
        2 << 10,
        5 << 9,
        3 << 10,
        7 << 9,
        4 << 10,
        6 << 10,
        8 << 10,
    ] {
        let mut cmd = cli(&update_args(&i, &u));
        limit_file_size(&mut cmd, kib << 10);
        let out = cmd.output().expect("run");
        if out.status.success() {
            break;
        }
        let err = text(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{err}");
        let line = err
            .lines()
            .find(|l| l.starts_with("error:"))
            .unwrap_or_default()
            .to_string();
        assert!(
            line.contains("File too large") && line.contains(&i),
            "unclear error: {line}"
        );
        assert!(temporaries(&index).is_empty(), "{:?}", temporaries(&index));
        assert_eq!(check_serving(&index), "v000001");
        let stage = if line.contains("/spill/") || line.contains("/fresh/") {
            "spill"
        } else {
            "index"
        };
        eprintln!("file size limit {kib} KiB: failed in the {stage} stage: {line}");
        stages.push(stage);
    }
    assert!(
        stages.contains(&"spill") && stages.contains(&"index"),
        "stages hit: {stages:?}"
    );
    let r = update_to_completion(&index);
    assert_eq!(r["total_reviews"].as_u64(), Some(FINAL));
    assert_eq!(check_serving(&index), "v000002");
}

#[test]
fn cli_reports_bad_lines_and_strict_fails_without_a_new_version() {
    let _g = serial();
    let c = corpus();
    let (d, index) = scratch();
    let i = index.to_string_lossy().into_owned();
    let all = std::fs::read(&c.update).expect("read");
    let mut upd = all
        .split(|&b| b == b'\n')
        .filter(|l| !l.is_empty())
        .map(<[u8]>::to_vec);
    let lines = vec![
        upd.next().unwrap_or_default(),
        b"{\"review_id\": ".to_vec(),
        upd.next().unwrap_or_default(),
    ];
    let f = d.path().join("bad.jsonl");
    write_lines(&f, &lines);
    let fs = f.to_string_lossy().into_owned();

    let out = run(&[
        "index",
        "update",
        "--index",
        &i,
        "--reviews",
        &fs,
        "--strict",
        "--quiet",
    ]);
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.contains(&format!("{fs}:2:")) && err.contains("--strict"),
        "{err}"
    );
    assert_eq!(
        IndexDir::new(&index).versions().expect("versions"),
        vec!["v000001"]
    );
    assert!(temporaries(&index).is_empty());

    let out = run(&[
        "index",
        "update",
        "--index",
        &i,
        "--reviews",
        &fs,
        "--quiet",
    ]);
    let (so, se) = (text(&out.stdout), text(&out.stderr));
    assert!(out.status.success(), "{se}");
    assert!(se.contains(&format!("warning: {fs}:2:")), "{se}");
    assert!(so.contains("2 added") && so.contains("1 skipped"), "{so}");
    assert_eq!(
        Index::open(&index).expect("open").stats().reviews,
        BASE as u64 + 2
    );

    let out = run(&[
        "index",
        "update",
        "--index",
        "/nonexistent/index",
        "--reviews",
        &fs,
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("no yelpsearch index"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn cli_versions_rollback_and_gc() {
    let _g = serial();
    let c = corpus();
    let (d, index) = scratch();
    let i = index.to_string_lossy().into_owned();
    let all = std::fs::read(&c.update).expect("read");
    let lines: Vec<Vec<u8>> = all
        .split(|&b| b == b'\n')
        .filter(|l| !l.is_empty())
        .take(200)
        .map(<[u8]>::to_vec)
        .collect();
    for (k, chunk) in lines.chunks(100).enumerate() {
        let f = d.path().join(format!("u{k}.jsonl"));
        write_lines(&f, chunk);
        let out = run(&[
            "index",
            "update",
            "--index",
            &i,
            "--reviews",
            &f.to_string_lossy(),
            "--quiet",
        ]);
        assert!(out.status.success(), "{}", text(&out.stderr));
    }
    let versions = |json: bool| -> Output {
        let mut a = vec!["index", "versions", "--index", &i];
        if json {
            a.push("--json");
        }
        run(&a)
    };
    let out = versions(true);
    assert!(out.status.success());
    let list: Vec<Value> = serde_json::from_slice(&out.stdout).expect("json");
    let got: Vec<(String, u64, bool)> = list
        .iter()
        .map(|v| {
            (
                v["name"].as_str().unwrap_or("").to_string(),
                v["reviews"].as_u64().unwrap_or(0),
                v["current"] == Value::Bool(true),
            )
        })
        .collect();
    let b = BASE as u64;
    assert_eq!(
        got,
        vec![
            ("v000001".into(), b, false),
            ("v000002".into(), b + 100, false),
            ("v000003".into(), b + 200, true)
        ]
    );
    assert!(text(&versions(false).stdout).contains("*v000003"));

    let out = run(&["index", "rollback", "--index", &i]);
    assert!(
        text(&out.stdout).contains("from v000003 to v000002"),
        "{}",
        text(&out.stdout)
    );
    let out = run(&["index", "rollback", "--index", &i, "--to", "v000001"]);
    assert!(text(&out.stdout).contains("from v000002 to v000001"));
    let out = run(&["index", "rollback", "--index", &i, "--to", "v000042"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("no version"),
        "{}",
        text(&out.stderr)
    );
    // This process pins v000001 while another process collects.
    let reader = Index::open(&index).expect("open");
    let out = run(&["index", "rollback", "--index", &i, "--to", "v000003"]);
    assert!(out.status.success());
    let out = run(&["index", "gc", "--index", &i, "--keep", "1"]);
    let so = text(&out.stdout);
    assert!(
        so.contains("removed 1 versions (v000002)") && so.contains("kept 1 in use (v000001)"),
        "{so}"
    );
    assert_eq!(reader.stats().reviews, b);
    drop(reader);
    let out = run(&["index", "gc", "--index", &i, "--keep", "1"]);
    assert!(
        text(&out.stdout).contains("removed 1 versions (v000001)"),
        "{}",
        text(&out.stdout)
    );
    assert_eq!(
        IndexDir::new(&index).versions().expect("versions"),
        vec!["v000003"]
    );
    assert_eq!(Index::open(&index).expect("open").stats().reviews, b + 200);
}
