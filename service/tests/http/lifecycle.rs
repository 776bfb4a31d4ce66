//! The process's life: readiness before the index exists, new index versions picked up
//! without a restart, and SIGTERM under load.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use yelpsearch::build_index;
use yelpsearch::generate::{generate, GenerateOptions};

use crate::common::{build_options, client, enc, fixture, planted, read, Server};

/// A small generated corpus in `dir/corpus`.
fn small_corpus(dir: &std::path::Path, seed: u64) -> yelpsearch::generate::GenerateReport {
    generate(
        &dir.join("corpus"),
        &GenerateOptions {
            businesses: 60,
            reviews: 2_000,
            seed,
        },
    )
    .unwrap()
}

#[test]
fn ready_only_with_an_index_and_new_versions_without_restart() {
    let dir = tempfile::tempdir().unwrap();
    let g = small_corpus(dir.path(), 3);
    let index = dir.path().join("index");
    let s = Server::start(&index, &[("YELPSEARCH_RELOAD_INTERVAL_SECS", "1")]);

    // Up at once, not ready, and searches say why.
    let (st, v) = s.get_json("/health");
    assert_eq!((st, v["status"].as_str()), (200, Some("ok")));
    let (st, v) = s.get_json("/ready");
    assert_eq!((st, v["status"].as_str()), (503, Some("not_ready")), "{v}");
    assert!(v["reason"].as_str().is_some_and(|r| !r.is_empty()));
    for path in ["/search?q=61820+pasta", "/model/info", "/model/metrics"] {
        let (st, v) = s.get_json(path);
        assert_eq!(
            (st, v["error"]["code"].as_str()),
            (503, Some("not_ready")),
            "{path}: {v}"
        );
    }

    // The first version appears: the server opens it without a restart.
    let v1 = build_index(&g.business_path, &g.review_path, &index, &build_options())
        .unwrap()
        .version;
    let ready = s.wait_ready(Duration::from_secs(30));
    assert_eq!(ready["index_version"], v1.as_str());

    // A second version: picked up within a few poll intervals.
    let v2 = build_index(&g.business_path, &g.review_path, &index, &build_options())
        .unwrap()
        .version;
    assert_ne!(v1, v2);
    s.wait_version(&v2, Duration::from_secs(20));
    let m = client()
        .get(s.url("/metrics"))
        .send()
        .unwrap()
        .text()
        .unwrap();
    assert!(
        m.contains(&format!("yelpsearch_index_info{{version=\"{v2}\"")),
        "{m}"
    );
}

fn empty_the_document_stores(version_dir: &std::path::Path) {
    let mut n = 0;
    for e in std::fs::read_dir(version_dir).unwrap() {
        let p = e.unwrap().path();
        if p.extension().is_some_and(|x| x == "store") {
            let f = std::fs::OpenOptions::new().write(true).open(&p).unwrap();
            f.set_len(0).unwrap();
            n += 1;
        }
    }
    assert!(n > 0, "no document store in {}", version_dir.display());
}

/// Issue 23, item 19, over HTTP: a version damaged before it is opened is refused
/// (not ready, and why); one damaged while it is served answers searches with a JSON
/// error (the reads were mapped and the process died of SIGBUS); the server lives on and
/// serves the next good version.
#[test]
fn a_damaged_version_never_takes_the_server_down() {
    let dir = tempfile::tempdir().unwrap();
    let g = small_corpus(dir.path(), 5);
    let index = dir.path().join("index");
    let build = || {
        build_index(&g.business_path, &g.review_path, &index, &build_options())
            .unwrap()
            .version
    };
    let v1 = build();
    empty_the_document_stores(&index.join("versions").join(&v1));
    let s = Server::start(&index, &[("YELPSEARCH_RELOAD_INTERVAL_SECS", "1")]);
    let v = s.wait_refused(Duration::from_secs(30));
    let reason = v["reason"].as_str().unwrap_or_default();
    assert!(
        reason.contains(".store") && reason.contains("0 bytes, but version"),
        "{reason}"
    );

    let v2 = build();
    let ready = s.wait_ready(Duration::from_secs(30));
    assert_eq!(ready["index_version"], v2.as_str());
    let examples: Vec<String> = ready["examples"]
        .as_array()
        .expect("examples")
        .iter()
        .map(|q| q.as_str().unwrap().to_string())
        .collect();
    assert!(!examples.is_empty(), "{ready}");
    // Damaged under the server, before any search read a review of it.
    empty_the_document_stores(&index.join("versions").join(&v2));
    for q in &examples {
        let (st, v) = s.get_json(&format!("/search?q={}", enc(q)));
        assert_eq!(
            (st, v["error"]["code"].as_str()),
            (500, Some("internal")),
            "{q}: {v}"
        );
    }
    assert_eq!(s.get_json("/health").0, 200, "the server lives on");
    assert!(
        read(&s.log).contains("truncated"),
        "the log says what happened"
    );

    let v3 = build();
    s.wait_version(&v3, Duration::from_secs(20));
    for q in &examples {
        let (st, v) = s.get_json(&format!("/search?q={}", enc(q)));
        assert_eq!(st, 200, "{q}: {v}");
        assert!(
            v["results"].as_array().is_some_and(|r| !r.is_empty()),
            "{q}: {v}"
        );
    }
}

/// One client request: when it started and ended relative to the signal, and how it went.
#[derive(Debug)]
struct Outcome {
    started: Instant,
    ended: Instant,
    result: Result<u16, String>,
}

#[test]
fn sigterm_finishes_requests_in_flight_and_exits_0() {
    const CLIENTS: usize = 24;
    const GRACE_SECS: u64 = 10;
    let f = fixture();
    let grace = GRACE_SECS.to_string();
    let mut s = Server::ready(&[("YELPSEARCH_SHUTDOWN_GRACE_SECS", grace.as_str())]);
    let queries: Vec<String> = planted(&f.truth)
        .iter()
        .map(|(z, d, _)| s.url(&format!("/search?q={}&limit=100", enc(&format!("{z} {d}")))))
        .collect();
    assert!(!queries.is_empty());
    let stop = AtomicBool::new(false);
    let barrier = std::sync::Barrier::new(CLIENTS + 1);

    let (signal_at, exit, outcomes) = std::thread::scope(|sc| {
        let workers: Vec<_> = (0..CLIENTS)
            .map(|w| {
                let (queries, stop, barrier) = (&queries, &stop, &barrier);
                sc.spawn(move || {
                    let c = client();
                    let mut out = Vec::new();
                    barrier.wait();
                    // Bounded: at most 10,000 requests or until the server is gone.
                    for i in 0..10_000 {
                        if stop.load(Ordering::Relaxed) {
                            break;
                        }
                        let started = Instant::now();
                        let result = c
                            .get(&queries[(w + i) % queries.len()])
                            .send()
                            .map(|r| r.status().as_u16())
                            .map_err(|e| format!("{e:?}"));
                        let failed = result.is_err();
                        out.push(Outcome {
                            started,
                            ended: Instant::now(),
                            result,
                        });
                        if failed {
                            break;
                        }
                    }
                    out
                })
            })
            .collect();
        barrier.wait();
        std::thread::sleep(Duration::from_millis(500));
        let signal_at = Instant::now();
        s.terminate();
        let exit = s.wait_exit(Duration::from_secs(GRACE_SECS + 5));
        // The clients stop on their first refused connection; this is a backstop.
        stop.store(true, Ordering::Relaxed);
        let outcomes: Vec<Outcome> = workers
            .into_iter()
            .flat_map(|h| h.join().unwrap())
            .collect();
        (signal_at, exit, outcomes)
    });
    let (code, took) = exit;
    assert_eq!(code, Some(0), "exit code; log: {}", read(&s.log));
    assert!(
        took <= Duration::from_secs(GRACE_SECS),
        "exit took {took:?}"
    );

    // Every request sent before the signal (with 50 ms for the server to have read it)
    // was answered 200; a request sent later may find the port closed, but any answer
    // it got is a 200 too.
    let margin = Duration::from_millis(50);
    let before: Vec<&Outcome> = outcomes
        .iter()
        .filter(|o| o.started + margin <= signal_at)
        .collect();
    let in_flight = outcomes
        .iter()
        .filter(|o| o.started < signal_at && o.ended > signal_at)
        .count();
    let late_ok = outcomes
        .iter()
        .filter(|o| o.started >= signal_at && o.result == Ok(200))
        .count();
    assert!(
        before.len() >= CLIENTS,
        "too little load: {} requests",
        before.len()
    );
    assert!(in_flight > 0, "no request was in flight at the signal");
    for o in &before {
        assert_eq!(
            o.result,
            Ok(200),
            "a request sent before SIGTERM failed: {o:?}"
        );
    }
    for o in &outcomes {
        if let Ok(st) = o.result {
            assert_eq!(st, 200, "{o:?}");
        }
    }
    eprintln!(
        "{} requests, {} before the signal, {in_flight} in flight at it, {late_ok} answered after it; exit in {took:?}",
        outcomes.len(),
        before.len()
    );
}

/// Kills and reaps a process on drop, so a failed assertion leaves none running.
struct Reaper(std::process::Child);

impl Drop for Reaper {
    fn drop(&mut self) {
        if let Ok(None) = self.0.try_wait() {
            let _ = self.0.kill();
        }
        let _ = self.0.wait();
    }
}

#[test]
fn demo_generates_builds_serves_and_reuses_its_index() {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("demo.log");
    let run = || {
        let mut child = Command::new(env!("CARGO_BIN_EXE_yelpsearch"))
            .args([
                "demo",
                "--addr",
                "127.0.0.1:0",
                "--businesses",
                "120",
                "--reviews",
                "5000",
                "--dir",
            ])
            .arg(dir.path())
            .env_remove("RUST_LOG")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(std::fs::File::create(&log).unwrap())
            .spawn()
            .expect("start yelpsearch demo");
        // The announcement ends with the "API:" line.
        let mut out = BufReader::new(child.stdout.take().unwrap());
        let mut text = String::new();
        let t0 = Instant::now();
        while !text.contains("API: ") {
            let mut line = String::new();
            if out.read_line(&mut line).unwrap() == 0 {
                let _ = child.kill();
                let _ = child.wait();
                panic!("demo exited early: {text}\n{}", read(&log));
            }
            text.push_str(&line);
            assert!(
                t0.elapsed() < Duration::from_secs(300),
                "demo too slow: {text}"
            );
        }
        (Reaper(child), out, text)
    };

    let (mut child, _out, text) = run();
    let base = text
        .split_whitespace()
        .find_map(|w| {
            w.strip_prefix("http://")
                .map(|r| format!("http://{}", r.trim_end_matches('/')))
        })
        .expect("a URL");
    // The page answers at once; searches once the index is open.
    let t0 = Instant::now();
    while client()
        .get(format!("{base}/ready"))
        .send()
        .unwrap()
        .status()
        != 200
    {
        assert!(t0.elapsed() < Duration::from_secs(60), "demo not ready");
        std::thread::sleep(Duration::from_millis(100));
    }
    let page = client().get(format!("{base}/")).send().unwrap();
    assert_eq!(page.status(), 200);
    // Each example names the business the index ranks in its top three.
    for line in text.lines().filter(|l| l.contains(" best: ")) {
        let (query, best) = line.trim().split_once(" best: ").unwrap();
        let best = best.split("  ").next().unwrap().trim();
        let v: serde_json::Value = client()
            .get(format!("{base}/search?q={}", enc(query.trim())))
            .send()
            .unwrap()
            .json()
            .unwrap();
        let names: Vec<&str> = v["results"]
            .as_array()
            .unwrap()
            .iter()
            .take(3)
            .map(|h| h["name"].as_str().unwrap())
            .collect();
        assert!(names.contains(&best), "{query}: {best} not in {names:?}");
    }
    // SAFETY: kill(2) on the pid of a child this test started and has not reaped.
    unsafe { libc::kill(child.0.id() as libc::pid_t, libc::SIGTERM) };
    assert_eq!(child.0.wait().unwrap().code(), Some(0));
    let err = read(&log);
    assert!(err.contains("building the index"), "{err}");

    // A second run serves the index it built.
    let (mut child, _out, _) = run();
    // SAFETY: as above.
    unsafe { libc::kill(child.0.id() as libc::pid_t, libc::SIGTERM) };
    assert_eq!(child.0.wait().unwrap().code(), Some(0));
    let err = read(&log);
    assert!(err.contains("using the index in"), "{err}");
}
