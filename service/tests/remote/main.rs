//! Index versions through object storage, against a real S3 server on loopback
//! (s3s-fs, started by each test): publish and pull with the real binary, a serving
//! replica that pulls, and the failure modes (killed mid-download, a corrupt object,
//! a pointer to a missing version, an unreachable store, a conflicting publish).

mod s3server;

use std::collections::HashSet;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use s3server::S3Server;
use serde_json::Value;
use yelpsearch::generate::{generate, GenerateOptions};
use yelpsearch::{build_index, BuildOptions};

const BUCKET: &str = "yelpsearch-test";
/// How long a wait for a replica gives up after: a failsafe against a hung test, not a
/// measured figure (benches/remote_pull.sh times an empty replica).
const DEADLINE: Duration = Duration::from_secs(120);

/// A generated corpus: its files, and reviews for an update that adds a made-up word.
struct Corpus {
    _dir: tempfile::TempDir,
    business: PathBuf,
    reviews: PathBuf,
    update: PathBuf,
}

fn corpus() -> &'static Corpus {
    static C: OnceLock<Corpus> = OnceLock::new();
    C.get_or_init(|| {
        let dir = tempfile::tempdir().expect("tempdir");
        let g = generate(
            &dir.path().join("corpus"),
            &GenerateOptions {
                businesses: 300,
                reviews: 20_000,
                seed: 11,
            },
        )
        .expect("generate");
        // The update: 300 of the corpus's reviews under new ids, with a made-up word.
        let text = read_gz(&g.review_path);
        let update = dir.path().join("update.jsonl");
        let mut out = String::new();
        for (i, line) in text.lines().take(300).enumerate() {
            let mut v: Value = serde_json::from_str(line).expect("review json");
            v["review_id"] = Value::from(format!("zorblat-review-{i:08}-xx"));
            v["text"] = Value::from(format!(
                "The zorblat special. {}",
                v["text"].as_str().unwrap_or("")
            ));
            out.push_str(&v.to_string());
            out.push('\n');
        }
        std::fs::write(&update, out).expect("write the update");
        Corpus {
            business: g.business_path,
            reviews: g.review_path,
            update,
            _dir: dir,
        }
    })
}

fn read_gz(p: &Path) -> String {
    use std::io::Read;
    let mut s = String::new();
    flate2::read::GzDecoder::new(std::fs::File::open(p).expect("open"))
        .read_to_string(&mut s)
        .expect("gunzip");
    s
}

/// Builds an index of the corpus at `dir`.
fn build(dir: &Path) {
    let c = corpus();
    let opts = BuildOptions {
        memory_mb: 64,
        train_ranker: false,
        ..BuildOptions::default()
    };
    build_index(&c.business, &c.reviews, dir, &opts).expect("build");
}

/// A test's world: a temp dir, an S3 server over part of it, and a source index.
struct World {
    dir: tempfile::TempDir,
    s3: S3Server,
    source: PathBuf,
}

impl World {
    fn new() -> World {
        let dir = tempfile::tempdir().expect("tempdir");
        let s3 = S3Server::start(&dir.path().join("s3"), &[BUCKET], 0);
        let source = dir.path().join("source");
        build(&source);
        World { dir, s3, source }
    }

    fn url(&self) -> String {
        format!("s3://{BUCKET}/indexes/main")
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// The object at `key` on the server's disk.
    fn object(&self, key: &str) -> PathBuf {
        self.s3.root.join(BUCKET).join("indexes/main").join(key)
    }

    /// Runs the CLI with the S3 environment.
    fn cli(&self, args: &[&str]) -> Output {
        cli(args, &self.s3.client_env())
    }

    /// Runs the CLI, expects success, returns its JSON report.
    fn json(&self, args: &[&str]) -> Value {
        let mut a = args.to_vec();
        a.push("--json");
        let out = self.cli(&a);
        assert!(
            out.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice(&out.stdout).expect("JSON report")
    }

    fn publish(&self) -> Value {
        self.json(&[
            "index",
            "publish",
            "--index",
            s(&self.source),
            "--to",
            &self.url(),
        ])
    }

    fn pull(&self, index: &Path) -> Value {
        self.json(&["index", "pull", "--index", s(index), "--from", &self.url()])
    }

    fn update_source(&self) {
        let out = self.cli(&[
            "index",
            "update",
            "--index",
            s(&self.source),
            "--reviews",
            s(&corpus().update),
            "--quiet",
        ]);
        assert!(
            out.status.success(),
            "update: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }

    fn serve(&self, index: &Path) -> Replica {
        Replica::start(index, &self.url(), &self.s3.client_env())
    }
}

fn s(p: &Path) -> &str {
    p.to_str().expect("utf-8 path")
}

fn cli(args: &[&str], env: &[(String, String)]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_yelpsearch"));
    clear_env(&mut cmd);
    cmd.args(args).envs(env.iter().map(|(k, v)| (k, v)));
    cmd.output().expect("run yelpsearch")
}

/// Keeps the caller's AWS and service settings out of a child.
fn clear_env(cmd: &mut Command) {
    for (k, _) in std::env::vars() {
        if k.starts_with("AWS_") || k.starts_with("YELPSEARCH_") || k == "RUST_LOG" {
            cmd.env_remove(k);
        }
    }
}

fn current(index: &Path) -> String {
    std::fs::read_to_string(index.join("CURRENT"))
        .map(|s| s.trim().to_string())
        .unwrap_or_default()
}

/// The file list of a version: name -> sha256.
fn files(list: &Path) -> Vec<(String, String)> {
    let v: Value = serde_json::from_slice(&std::fs::read(list).expect("file list")).expect("json");
    v["files"]
        .as_array()
        .expect("files")
        .iter()
        .map(|f| {
            (
                f["name"].as_str().unwrap().to_string(),
                f["sha256"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

/// A `yelpsearch serve --pull` process; killed on drop.
struct Replica {
    child: Child,
    _stdout: BufReader<std::process::ChildStdout>,
    base: String,
    log: PathBuf,
}

impl Replica {
    fn start(index: &Path, url: &str, env: &[(String, String)]) -> Replica {
        let log = index.with_extension(format!("{}.log", std::process::id()));
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_yelpsearch"));
        clear_env(&mut cmd);
        cmd.args([
            "serve",
            "--addr",
            "127.0.0.1:0",
            "--index",
            s(index),
            "--pull",
            url,
        ])
        .env("YELPSEARCH_RELOAD_INTERVAL_SECS", "1")
        .env("YELPSEARCH_LOG_FORMAT", "json")
        .env("RUST_LOG", "info")
        .envs(env.iter().map(|(k, v)| (k, v)))
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(std::fs::File::create(&log).expect("log"));
        let mut child = cmd.spawn().expect("start serve");
        let mut stdout = BufReader::new(child.stdout.take().expect("stdout"));
        let mut line = String::new();
        stdout.read_line(&mut line).expect("listening line");
        let base = line
            .trim()
            .strip_prefix("yelpsearch listening on ")
            .unwrap_or_else(|| panic!("unexpected {line:?}"))
            .to_string();
        Replica {
            child,
            _stdout: stdout,
            base,
            log,
        }
    }

    fn get(&self, path: &str) -> (u16, String) {
        let r = reqwest::blocking::Client::new()
            .get(format!("{}{path}", self.base))
            .timeout(Duration::from_secs(30))
            .send()
            .expect("request");
        (r.status().as_u16(), r.text().expect("body"))
    }

    fn ready(&self) -> (u16, Value) {
        let (st, body) = self.get("/ready");
        (st, serde_json::from_str(&body).expect("ready json"))
    }

    /// Waits until /ready reports `version` (failing the test after [`DEADLINE`]).
    fn wait_version(&self, version: &str) {
        let t0 = Instant::now();
        loop {
            let (st, v) = self.ready();
            if st == 200 && v["index_version"] == version {
                return;
            }
            assert!(
                t0.elapsed() < DEADLINE,
                "not serving {version} after {DEADLINE:?}: {st} {v}\nlog: {}",
                std::fs::read_to_string(&self.log).unwrap_or_default()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Waits until /ready shows a failing pull of `kind`; returns the /ready body.
    fn wait_pull_failure(&self, kind: &str) -> (u16, Value) {
        let t0 = Instant::now();
        loop {
            let (st, v) = self.ready();
            let reason = v["reason"].as_str().unwrap_or("");
            if v["pull"]["last_error"]["kind"] == kind || reason.contains(&format!("({kind})")) {
                return (st, v);
            }
            assert!(t0.elapsed() < DEADLINE, "no {kind} failure: {st} {v}");
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    fn metric(&self, line_start: &str) -> f64 {
        let (_, text) = self.get("/metrics");
        text.lines()
            .find_map(|l| {
                l.strip_prefix(line_start)
                    .map(|v| v.trim().parse().unwrap_or(f64::NAN))
            })
            .unwrap_or_else(|| panic!("no {line_start} in\n{text}"))
    }

    fn search(&self, q: &str) -> Value {
        let (st, body) = self.get(&format!("/search?q={q}&limit=100"));
        assert_eq!(st, 200, "{body}");
        serde_json::from_str(&body).expect("search json")
    }

    fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Replica {
    fn drop(&mut self) {
        self.kill();
    }
}

/// A query for the biggest zipcode of the corpus that finds something.
fn query(r: &Replica) -> String {
    let text = read_gz(&corpus().business);
    let mut count = std::collections::HashMap::<String, usize>::new();
    for line in text.lines() {
        let v: Value = serde_json::from_str(line).expect("business");
        if let Some(z) = v["postal_code"].as_str() {
            *count.entry(z.to_string()).or_default() += 1;
        }
    }
    let mut zips: Vec<_> = count.into_iter().collect();
    zips.sort_by_key(|z| std::cmp::Reverse(z.1));
    for (z, _) in zips {
        let (st, _) = r.get(&format!("/search?q={z}+food&limit=1"));
        if st == 200 {
            return format!("{z}+food");
        }
    }
    panic!("no searchable zipcode")
}

#[test]
fn an_empty_replica_serves_the_published_version() {
    let w = World::new();
    let rep = w.publish();
    assert_eq!(rep["version"], "v000001");
    assert_eq!(rep["uploaded_files"], rep["files"]);
    assert_eq!(rep["pointer_moved"], true);
    // The store: blobs, a file list, CURRENT.
    assert_eq!(
        std::fs::read_to_string(w.object("CURRENT")).unwrap().trim(),
        "v000001"
    );
    let listed = files(&w.object("versions/v000001/files.json"));
    for (_, sha) in &listed {
        assert!(w.object(&format!("blobs/{sha}")).is_file(), "blob {sha}");
    }

    // A replica started on an empty directory: nothing to serve until its first pull
    // round has installed the published version.
    let empty = w.path("replica");
    let r = w.serve(&empty);
    r.wait_version("v000001");
    let (_, ready) = r.ready();
    assert_eq!(ready["pull"]["status"], "ok", "{ready}");
    assert_eq!(ready["pull"]["remote_version"], "v000001");
    assert_eq!(r.metric("yelpsearch_pull_versions_installed_total "), 1.0);
    assert_eq!(
        r.metric("yelpsearch_pull_downloaded_files_total "),
        listed.len() as f64
    );
    // The replica answers what the source index answers.
    let q = query(&r);
    let src = yelpsearch::Index::open(&w.source).unwrap();
    let want = src
        .search(&yelpsearch::SearchRequest::new(q.replace('+', " ")).limit(100))
        .unwrap();
    let got = r.search(&q);
    let ids = |v: &Value| -> Vec<String> {
        v["results"]
            .as_array()
            .unwrap()
            .iter()
            .map(|h| h["business_id"].as_str().unwrap_or("").to_string())
            .collect()
    };
    let want_ids: Vec<String> = want
        .results
        .iter()
        .map(|h| h.business.business_id.clone())
        .collect();
    assert!(!want_ids.is_empty());
    assert_eq!(ids(&got), want_ids);
    // The installed version carries its verified file list.
    assert_eq!(files(&empty.join("versions/v000001/files.json")), listed);
}

#[test]
fn a_mostly_unchanged_version_moves_only_its_new_files() {
    let w = World::new();
    w.publish();
    let replica = w.path("replica");
    let first = w.pull(&replica);
    assert_eq!(first["outcome"], "installed");
    assert_eq!(first["downloaded_files"], first["files"]);

    // Re-publishing the same version writes nothing.
    let again = w.publish();
    assert_eq!(again["uploaded_files"], 0);
    assert_eq!(again["listed"], false);
    assert_eq!(again["pointer_moved"], false);

    w.update_source();
    let v2 = w.publish();
    assert_eq!(v2["version"], "v000002");
    let old: HashSet<String> = files(&w.object("versions/v000001/files.json"))
        .into_iter()
        .map(|f| f.1)
        .collect();
    let new = files(&w.object("versions/v000002/files.json"));
    let fresh: HashSet<&String> = new
        .iter()
        .map(|f| &f.1)
        .filter(|sha| !old.contains(*sha))
        .collect();
    let empty = new
        .iter()
        .filter(|(n, _)| {
            std::fs::metadata(w.source.join("versions/v000002").join(n))
                .map(|m| m.len() == 0)
                .unwrap_or(false)
        })
        .count();
    assert!(
        fresh.len() < new.len() / 2,
        "{} of {} files are new",
        fresh.len(),
        new.len()
    );
    assert_eq!(v2["uploaded_files"].as_u64().unwrap() as usize, fresh.len());

    let pulled = w.pull(&replica);
    eprintln!(
        "mostly unchanged version: {} of {} files downloaded ({} of {} bytes), {} reused",
        pulled["downloaded_files"],
        pulled["files"],
        pulled["downloaded_bytes"],
        pulled["bytes"],
        pulled["reused_files"]
    );
    assert_eq!(pulled["outcome"], "installed");
    assert_eq!(
        pulled["downloaded_files"].as_u64().unwrap() as usize,
        fresh.len()
    );
    assert_eq!(
        pulled["reused_files"].as_u64().unwrap() as usize,
        new.len() - fresh.len(),
        "every file the replica had was linked, not downloaded ({empty} empty)"
    );
    assert!(pulled["downloaded_bytes"].as_u64().unwrap() * 10 < pulled["bytes"].as_u64().unwrap());
    assert_eq!(current(&replica), "v000002");
    // Shared files are hard links: the same inode in both versions.
    use std::os::unix::fs::MetadataExt;
    let shared = new
        .iter()
        .find(|(n, sha)| old.contains(sha) && n.ends_with(".idx"))
        .expect("a shared segment file");
    let ino = |v: &str| {
        std::fs::metadata(replica.join("versions").join(v).join(&shared.0))
            .unwrap()
            .ino()
    };
    assert_eq!(ino("v000001"), ino("v000002"));

    // A rollback in the store switches the replica back without a download.
    let out = w.cli(&["index", "rollback", "--remote", &w.url()]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let back = w.pull(&replica);
    assert_eq!(back["outcome"], "switched");
    assert_eq!(back["downloaded_files"], 0);
    assert_eq!(current(&replica), "v000001");
}

#[test]
fn a_replica_killed_mid_download_comes_back_on_its_last_good_version() {
    let w = World::new();
    w.publish();
    let replica = w.path("replica");
    w.pull(&replica);
    w.update_source();
    w.publish();
    let new = files(&w.object("versions/v000002/files.json"));
    let old: HashSet<String> = files(&w.object("versions/v000001/files.json"))
        .into_iter()
        .map(|f| f.1)
        .collect();
    let to_download = new.iter().filter(|f| !old.contains(&f.1)).count();
    let linked = new.len() - to_download;

    // Slow GETs: the download of v000002 takes seconds; kill the replica once some
    // but not all of its files are in place.
    w.s3.set_get_delay(Duration::from_millis(700));
    let mut r = w.serve(&replica);
    r.wait_version("v000001");
    let staging = replica.join("versions/v000002.tmp-pull");
    let t0 = Instant::now();
    let in_place = loop {
        let n = std::fs::read_dir(&staging)
            .map(|d| {
                d.filter_map(|e| e.ok())
                    .filter(|e| !e.file_name().to_string_lossy().ends_with(".part"))
                    .count()
            })
            .unwrap_or(0);
        if n > linked {
            break n;
        }
        assert!(t0.elapsed() < DEADLINE, "the download never started");
        std::thread::sleep(Duration::from_millis(10));
    };
    r.kill();
    assert!(
        in_place < new.len(),
        "killed after the download finished ({in_place} of {})",
        new.len()
    );
    assert_eq!(current(&replica), "v000001");
    assert!(!replica.join("versions/v000002").exists());

    // Restarted, it serves v000001 at once, then finishes v000002 from where it stopped.
    let r = w.serve(&replica);
    r.wait_version("v000001");
    w.s3.set_get_delay(Duration::ZERO);
    r.wait_version("v000002");
    let downloaded = r.metric("yelpsearch_pull_downloaded_files_total ");
    eprintln!(
        "killed with {} of {} files in place; after the restart {downloaded} of the {to_download} new files were downloaded",
        in_place, new.len()
    );
    assert!(
        (downloaded as usize) < to_download,
        "the restart resumed ({downloaded} < {to_download})"
    );
    assert!(!staging.exists());
}

#[test]
fn a_corrupt_object_is_refused_and_the_old_version_keeps_serving() {
    let w = World::new();
    w.publish();
    let replica = w.path("replica");
    w.pull(&replica);
    w.update_source();
    w.publish();
    let old: HashSet<String> = files(&w.object("versions/v000001/files.json"))
        .into_iter()
        .map(|f| f.1)
        .collect();
    let (name, sha) = files(&w.object("versions/v000002/files.json"))
        .into_iter()
        .filter(|f| !old.contains(&f.1))
        .max_by_key(|f| {
            std::fs::metadata(w.object(&format!("blobs/{}", f.1)))
                .unwrap()
                .len()
        })
        .expect("a new file");
    let blob = w.object(&format!("blobs/{sha}"));
    let good = std::fs::read(&blob).unwrap();
    let mut bad = good.clone();
    let mid = bad.len() / 2;
    bad[mid] ^= 0x55; // same size, other bytes
    std::fs::write(&blob, &bad).unwrap();

    let out = w.cli(&["index", "pull", "--index", s(&replica), "--from", &w.url()]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(err.contains("refused") && err.contains(&name), "{err}");
    assert_eq!(current(&replica), "v000001");
    assert!(!replica.join("versions/v000002").exists());

    let r = w.serve(&replica);
    r.wait_version("v000001");
    let (st, ready) = r.wait_pull_failure("corrupt");
    assert_eq!(st, 200, "still serving: {ready}");
    assert_eq!(ready["index_version"], "v000001");
    assert_eq!(ready["pull"]["status"], "failing");
    assert!(r.metric("yelpsearch_pull_failures_total{kind=\"corrupt\"} ") >= 1.0);
    assert_eq!(r.metric("yelpsearch_pull_failing "), 1.0);

    // Repaired, the next round installs it.
    std::fs::write(&blob, &good).unwrap();
    r.wait_version("v000002");
    assert_eq!(r.metric("yelpsearch_pull_failing "), 0.0);
}

#[test]
fn a_pointer_to_a_missing_version_keeps_the_old_one() {
    let w = World::new();
    w.publish();
    let replica = w.path("replica");
    w.pull(&replica);
    std::fs::write(w.object("CURRENT"), "v000007\n").unwrap();
    let out = w.cli(&["index", "pull", "--index", s(&replica), "--from", &w.url()]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(
        err.contains("v000007") && err.contains("no file list"),
        "{err}"
    );

    let r = w.serve(&replica);
    r.wait_version("v000001");
    let (st, ready) = r.wait_pull_failure("missing_version");
    assert_eq!(st, 200);
    assert_eq!(ready["index_version"], "v000001");
    assert!(r.metric("yelpsearch_pull_failures_total{kind=\"missing_version\"} ") >= 1.0);
    assert_eq!(current(&replica), "v000001");
}

#[test]
fn an_unreachable_store_keeps_the_old_version_and_an_empty_replica_says_why() {
    let w = World::new();
    w.publish();
    let replica = w.path("replica");
    w.pull(&replica);
    // A port nothing listens on.
    let closed = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    let env = s3server::client_env(&format!("http://{closed}"));
    let r = Replica::start(&replica, &w.url(), &env);
    r.wait_version("v000001");
    let (st, ready) = r.wait_pull_failure("unreachable");
    assert_eq!(st, 200);
    assert_eq!(ready["index_version"], "v000001");
    assert!(r.metric("yelpsearch_pull_failures_total{kind=\"unreachable\"} ") >= 1.0);

    let empty = Replica::start(&w.path("empty"), &w.url(), &env);
    let (st, ready) = empty.wait_pull_failure("unreachable");
    assert_eq!(st, 503, "{ready}");
    assert!(
        ready["reason"]
            .as_str()
            .unwrap()
            .contains("pulling the index failed"),
        "{ready}"
    );
    assert_eq!(ready["pull"]["status"], "failing", "{ready}");
    assert_eq!(ready["pull"]["last_error"]["kind"], "unreachable");
    assert!(ready["pull"]["remote_version"].is_null(), "{ready}");
}

#[test]
fn publishing_another_index_under_the_same_name_is_refused() {
    let w = World::new();
    w.publish();
    let other = w.path("other");
    build(&other); // its own v000001, other segment ids
    let out = w.cli(&["index", "publish", "--index", s(&other), "--to", &w.url()]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(err.contains("different v000001"), "{err}");
    assert_eq!(
        std::fs::read_to_string(w.object("CURRENT")).unwrap().trim(),
        "v000001"
    );
    // Pulling into the other index, whose v000001 is not the store's, is refused too
    // (it is not "up to date" because the names match).
    let out = w.cli(&["index", "pull", "--index", s(&other), "--from", &w.url()]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(err.contains("is not the store's v000001"), "{err}");
    // The store still serves the first index's files.
    let replica = w.path("replica");
    w.pull(&replica);
    let src: Vec<_> = files(&w.object("versions/v000001/files.json"));
    assert_eq!(files(&replica.join("versions/v000001/files.json")), src);
}

#[test]
fn gc_in_the_store_keeps_the_listed_blobs() {
    let w = World::new();
    w.publish();
    w.update_source();
    w.publish();
    let blobs = |w: &World| std::fs::read_dir(w.object("blobs")).unwrap().count();
    let before = blobs(&w);
    let out = w.cli(&[
        "index",
        "gc",
        "--remote",
        &w.url(),
        "--keep",
        "1",
        "--min-age-secs",
        "0",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(!w.object("versions/v000001/files.json").exists());
    let kept: HashSet<String> = files(&w.object("versions/v000002/files.json"))
        .into_iter()
        .map(|f| f.1)
        .collect();
    let after: HashSet<String> = std::fs::read_dir(w.object("blobs"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(after.len() < before);
    let nonempty: HashSet<String> = kept
        .iter()
        .filter(|sha| {
            after.contains(*sha)
                || **sha == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        })
        .cloned()
        .collect();
    assert_eq!(nonempty, kept, "every listed blob stays");
    let replica = w.path("replica");
    assert_eq!(w.pull(&replica)["remote_version"], "v000002");
}

#[test]
fn an_endpoint_that_is_not_an_http_url_is_a_clear_error() {
    let index = tempfile::tempdir().expect("tempdir");
    let dir = index.path().join("replica");
    for endpoint in ["", "localhost:9000", "http://", "https://:9000"] {
        let env = [
            ("AWS_ENDPOINT_URL".to_string(), endpoint.to_string()),
            ("AWS_REGION".to_string(), "us-east-1".to_string()),
        ];
        let out = cli(
            &[
                "index",
                "pull",
                "--index",
                s(&dir),
                "--from",
                "s3://a-bucket/index",
            ],
            &env,
        );
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{endpoint:?}: {err}");
        assert!(
            err.contains("AWS_ENDPOINT_URL") && err.contains("not an http(s) URL"),
            "{endpoint:?}: {err}"
        );
        assert!(!err.contains("panicked"), "{endpoint:?}: {err}");
        assert!(!dir.exists(), "nothing written for {endpoint:?}");
    }
}
