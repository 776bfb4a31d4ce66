//! The one reload mechanism: `IndexHolder` reports not ready (with the reason) until the
//! directory holds an index, opens it on the next due attempt, reloads new versions at
//! its interval, keeps serving the version it has when a reload fails, and does all of
//! it alike when driven by requests (`get`) or by its own thread (`watch`).

mod common;

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use common::*;
use yelpsearch::api::ReadyBody;
use yelpsearch::{build_index, BuildOptions, Index, IndexHolder, Readiness};

fn not_ready_reason(h: &IndexHolder) -> Option<String> {
    match h.readiness() {
        Readiness::Ready(_) => None,
        Readiness::NotReady(reason) => Some(reason),
    }
}

fn quick_build(f: &Fixture, at: &std::path::Path) {
    let opts = BuildOptions {
        train_ranker: false,
        memory_mb: 64,
        ..BuildOptions::default()
    };
    build_index(&f.business, &f.reviews, at, &opts).expect("build");
}

#[test]
fn not_ready_with_the_reason_until_the_index_exists_then_open_and_reloaded_on_requests() {
    let f = make_fixture(120, 4_000, 21);
    let dir = tempfile::tempdir().unwrap();
    let at = dir.path().join("idx");
    let holder = IndexHolder::new(&at, Duration::ZERO, Some(Duration::ZERO));
    assert_eq!(
        not_ready_reason(&holder).as_deref(),
        Some("index is loading")
    );
    let body = ReadyBody::of_holder(&holder);
    assert_eq!(body.status(), 503);
    assert!(holder.get().is_none());
    let reason = not_ready_reason(&holder).unwrap();
    assert!(
        reason.starts_with("index not available: no yelpsearch index at") && reason.contains("idx"),
        "{reason}"
    );
    quick_build(&f, &at);
    let index = holder.get().expect("opened on the next due attempt");
    assert_eq!(index.version(), "v000001");
    assert!(matches!(
        ReadyBody::of_holder(&holder),
        ReadyBody::Ready { .. }
    ));
    // A new version is swapped in by the next request's attempt (interval zero).
    quick_build(&f, &at);
    assert_eq!(holder.get().unwrap().version(), "v000002");
    assert!(
        Arc::ptr_eq(&holder.get().unwrap(), &index),
        "one handle, reloaded"
    );
    // A broken CURRENT: the reload fails and the version in use keeps serving.
    std::fs::write(at.join("CURRENT"), "v999999\n").unwrap();
    assert_eq!(holder.get().unwrap().version(), "v000002");
    assert!(not_ready_reason(&holder).is_none());
}

#[test]
fn attempts_wait_for_their_interval() {
    let f = make_fixture(120, 4_000, 22);
    let dir = tempfile::tempdir().unwrap();
    let at = dir.path().join("idx");
    let hour = Duration::from_secs(3600);
    let holder = IndexHolder::new(&at, hour, Some(hour));
    assert!(!holder.refresh(), "the first attempt finds no index");
    quick_build(&f, &at);
    assert!(holder.get().is_none(), "the next retry is an hour away");
    assert!(holder.refresh(), "an explicit attempt opens it");
    quick_build(&f, &at);
    assert_eq!(
        holder.get().unwrap().version(),
        "v000001",
        "no reload before its time"
    );
    assert!(holder.refresh());
    assert_eq!(holder.get().unwrap().version(), "v000002");
    // An open index handed over: never reloaded without a reload interval.
    let open = Arc::new(Index::open(&at).unwrap());
    let given = IndexHolder::with_index(Arc::clone(&open), None);
    quick_build(&f, &at);
    assert!(Arc::ptr_eq(&given.get().unwrap(), &open));
    assert_eq!(given.get().unwrap().version(), "v000002");
}

#[test]
fn watch_opens_the_index_once_it_exists_and_stops_when_asked() {
    let f = make_fixture(120, 4_000, 23);
    let dir = tempfile::tempdir().unwrap();
    let at = dir.path().join("idx");
    let holder = Arc::new(IndexHolder::new(
        &at,
        Duration::from_millis(20),
        Some(Duration::from_millis(20)),
    ));
    let stop = Arc::new(AtomicBool::new(false));
    let watcher = holder.watch(stop.clone());
    let deadline = Instant::now() + Duration::from_secs(30);
    while not_ready_reason(&holder).as_deref() == Some("index is loading") {
        assert!(Instant::now() < deadline, "no first attempt");
        std::thread::sleep(Duration::from_millis(5));
    }
    assert!(holder.index().is_none());
    quick_build(&f, &at);
    while holder.index().is_none() {
        assert!(
            Instant::now() < deadline,
            "the watcher never opened the index"
        );
        std::thread::sleep(Duration::from_millis(5));
    }
    quick_build(&f, &at);
    while holder.index().unwrap().version() != "v000002" {
        assert!(Instant::now() < deadline, "the watcher never reloaded");
        std::thread::sleep(Duration::from_millis(5));
    }
    stop.store(true, Ordering::Relaxed);
    watcher.join().unwrap();
}

#[test]
fn an_index_rebuilt_at_the_same_path_is_picked_up() {
    let small = make_fixture(60, 1_500, 24);
    let big = make_fixture(120, 4_000, 25);
    let dir = tempfile::tempdir().unwrap();
    let at = dir.path().join("idx");
    quick_build(&small, &at);
    let index = Index::open(&at).unwrap();
    let holder = IndexHolder::new(&at, Duration::ZERO, Some(Duration::ZERO));
    let held = holder.get().unwrap();
    let before = index.stats().reviews;
    assert_eq!(held.stats().reviews, before);
    // rm -rf idx; build again: the new index's first version has the same name.
    std::fs::remove_dir_all(&at).unwrap();
    quick_build(&big, &at);
    assert_eq!(Index::open(&at).unwrap().version(), "v000001");
    assert!(index.reload().unwrap(), "a new index identity is a reload");
    assert_ne!(index.stats().reviews, before);
    assert_eq!(
        holder.get().unwrap().stats().reviews,
        index.stats().reviews,
        "the holder (the service's and the blueprint's) picks it up too"
    );
    assert!(!index.reload().unwrap(), "and only once");
}

/// The files of `version` of the index at `at` whose names end with `ext`, biggest first.
fn files_of(at: &std::path::Path, version: &str, ext: &str) -> Vec<std::path::PathBuf> {
    let mut files: Vec<_> = std::fs::read_dir(at.join("versions").join(version))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.to_string_lossy().ends_with(ext))
        .collect();
    files.sort_by_key(|p| std::cmp::Reverse(std::fs::metadata(p).unwrap().len()));
    assert!(!files.is_empty(), "{version} has no {ext} file");
    files
}

fn truncate(path: &std::path::Path, len: u64) {
    std::fs::OpenOptions::new()
        .write(true)
        .open(path)
        .unwrap()
        .set_len(len)
        .unwrap();
}

/// Issue 23, item 19: a segment file truncated in place used to kill the process with
/// SIGBUS (the files were mapped). A damaged new version is refused by name when it is
/// opened (its manifest lists every file's size) and the version in use keeps serving;
/// the version in use damaged under the process answers with an error, and the
/// process lives on to pick up the next good version. Under mapped reads this test
/// process itself would die of SIGBUS.
#[test]
fn a_damaged_version_is_refused_and_never_takes_the_process_down() {
    let f = make_fixture(120, 4_000, 26);
    let dir = tempfile::tempdir().unwrap();
    let at = dir.path().join("idx");
    quick_build(&f, &at);
    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(at.join("versions/v000001/manifest.json")).unwrap())
            .unwrap();
    let listed = manifest["files"]
        .as_object()
        .expect("the manifest lists its files");
    let store = files_of(&at, "v000001", ".store").remove(0);
    let store_name = store.file_name().unwrap().to_string_lossy().into_owned();
    assert_eq!(
        listed[&store_name].as_u64(),
        Some(std::fs::metadata(&store).unwrap().len())
    );
    let holder = IndexHolder::new(&at, Duration::ZERO, Some(Duration::ZERO));
    let index = holder.get().unwrap();
    let queries = index.example_queries();
    assert!(!queries.is_empty());
    let search = |q: &str| index.search(&yelpsearch::SearchRequest::new(q).snippets(3));
    for q in &queries {
        let r = search(q).unwrap();
        assert!(r.results.iter().any(|h| !h.snippets.is_empty()), "{q}");
    }

    // A new version damaged before it is opened: refused by name, v1 keeps serving.
    quick_build(&f, &at);
    let idx = files_of(&at, "v000002", ".idx").remove(0);
    let len = std::fs::metadata(&idx).unwrap().len();
    truncate(&idx, len - 1);
    let Err(e) = Index::open(&at) else {
        panic!("a damaged version opened")
    };
    assert_eq!(e.code(), "index_corrupt", "{e}");
    let msg = e.to_string();
    assert!(
        msg.contains(&*idx.file_name().unwrap().to_string_lossy())
            && msg.contains(&format!("lists {len} bytes"))
            && msg.contains("rollback"),
        "{msg}"
    );
    assert_eq!(holder.get().unwrap().version(), "v000001");
    assert!(
        !index.reload().is_ok_and(|moved| moved),
        "the reload is refused"
    );
    let listed = yelpsearch::list_versions(&at).unwrap();
    assert_eq!(listed[0].damaged, None);
    assert!(
        listed[1]
            .damaged
            .as_deref()
            .is_some_and(|d| d.contains(&format!("lists {len} bytes"))),
        "`index versions` says which version is damaged and why: {listed:?}"
    );
    for q in &queries {
        assert!(search(q).is_ok(), "{q}: v1 still serves");
    }

    // The version in use damaged under the process, before it read any review (what it
    // read is cached): every document store emptied.
    quick_build(&f, &at);
    assert_eq!(holder.get().unwrap().version(), "v000003");
    for store in files_of(&at, "v000003", ".store") {
        truncate(&store, 0);
    }
    for q in &queries {
        let e = search(q).expect_err("a search reading a review of the damaged store");
        assert_eq!(e.code(), "index_corrupt", "{q}: {e}");
        assert!(e.to_string().contains("truncated"), "{e}");
    }
    // The process lives on, and the next good version is picked up.
    quick_build(&f, &at);
    assert_eq!(holder.get().unwrap().version(), "v000004");
    for q in &queries {
        let r = search(q).unwrap();
        assert!(r.results.iter().any(|h| !h.snippets.is_empty()), "{q}");
    }
    // gc removes the damaged versions however many it may keep, and only those.
    let report = yelpsearch::gc(&at, 10).unwrap();
    assert_eq!(report.damaged, ["v000002", "v000003"], "{report:?}");
    let left: Vec<String> = yelpsearch::list_versions(&at)
        .unwrap()
        .into_iter()
        .map(|v| v.name)
        .collect();
    assert_eq!(left, ["v000001", "v000004"]);
}
