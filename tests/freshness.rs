//! Freshness at the library level: incremental updates, immutable versions, rollback,
//! gc, atomic reader swaps, and consistency of the ranker's business statistics, all on
//! real indexes on disk. (Crashes, locks between processes and full disks are tested
//! with real processes in `service/tests/freshness_cli.rs`.)

mod common;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

use serde_json::Value;
use yelpsearch::{build_index, BuildOptions, IndexDir};
use yelpsearch::{gc, list_versions, rollback};
use yelpsearch::{parse_business, parse_review};
use yelpsearch::{update_index, UpdateReport};
use yelpsearch::{Error, Index, SearchRequest};

use common::{business_line, copy_dir, gz_lines, review_line, write_lines};

/// A word planted in a few base reviews that the update edits away.
const OLD_WORD: &str = "wombatberry";
/// A word that only the update brings.
const NEW_WORD: &str = "quokkaberry";
/// A word planted in one review of the business that moves zipcode.
const MOVER_WORD: &str = "platypusplum";
/// Base reviews carrying [`OLD_WORD`]; all are among the first [`EDITED`] ones.
const PLANTED: usize = 5;
/// Base reviews the update edits.
const EDITED: usize = 20;

/// A generated corpus split into the reviews of a base index and later ones.
struct Corpus {
    _dir: tempfile::TempDir,
    /// The generator's business file.
    business: PathBuf,
    /// Raw business lines by id.
    biz_lines: HashMap<String, Value>,
    /// Normalised postal code by business id.
    zip_of: HashMap<String, String>,
    /// Valid review lines of the base index (unique ids, businesses with a zipcode).
    base: Vec<Value>,
    /// Valid later review lines, not in the base.
    extra: Vec<Value>,
    /// The base index, copied by each test.
    index: PathBuf,
    /// Index of the base review carrying [`MOVER_WORD`].
    mover: usize,
}

fn opts() -> BuildOptions {
    BuildOptions {
        memory_mb: 64,
        threads: 1,
        train_ranker: false,
        ..BuildOptions::default()
    }
}

fn line(v: &Value) -> Vec<u8> {
    v.to_string().into_bytes()
}

fn text_of(v: &Value) -> &str {
    v["text"].as_str().unwrap_or_default()
}

fn biz_of(v: &Value) -> &str {
    v["business_id"].as_str().unwrap_or_default()
}

/// The shared corpus and base index (built once per test binary).
fn corpus() -> &'static Corpus {
    static C: OnceLock<Corpus> = OnceLock::new();
    C.get_or_init(make_corpus)
}

fn make_corpus() -> Corpus {
    let dir = tempfile::tempdir().expect("tempdir");
    let gen = yelpsearch::generate::generate(
        &dir.path().join("data"),
        &yelpsearch::generate::GenerateOptions {
            businesses: 150,
            reviews: 9_000,
            seed: 21,
        },
    )
    .expect("generate");
    let mut biz_lines = HashMap::new();
    let mut zip_of = HashMap::new();
    for l in gz_lines(&gen.business_path) {
        if let Ok(b) = parse_business(&l) {
            if !b.postal_code.is_empty() {
                zip_of.insert(b.business_id.clone(), b.postal_code);
            }
            biz_lines.insert(b.business_id, serde_json::from_slice(&l).expect("json"));
        }
    }
    let mut seen = std::collections::HashSet::new();
    let mut valid: Vec<Value> = gz_lines(&gen.review_path)
        .into_iter()
        .filter(|l| {
            parse_review(l)
                .is_ok_and(|r| zip_of.contains_key(&r.business_id) && seen.insert(r.review_id))
        })
        .map(|l| serde_json::from_slice(&l).expect("json"))
        .collect();
    let extra = valid.split_off(6_000);
    let mut base = valid;
    for r in &mut base[..PLANTED] {
        r["text"] = Value::from(format!("{} The {OLD_WORD} pie was memorable.", text_of(r)));
    }
    let edited: Vec<String> = base[..EDITED]
        .iter()
        .map(|r| biz_of(r).to_string())
        .collect();
    let mover = (EDITED..base.len())
        .find(|&i| !edited.iter().any(|b| b == biz_of(&base[i])))
        .expect("a mover");
    base[mover]["text"] = Value::from(format!(
        "{} Try the {MOVER_WORD} tart.",
        text_of(&base[mover])
    ));
    let base_file = dir.path().join("base.jsonl");
    write_lines(&base_file, &base.iter().map(line).collect::<Vec<_>>());
    let index = dir.path().join("index");
    let r = build_index(&gen.business_path, &base_file, &index, &opts()).expect("build");
    assert_eq!(r.indexed, base.len() as u64, "every base review is valid");
    Corpus {
        business: gen.business_path,
        biz_lines,
        zip_of,
        base,
        extra,
        index,
        mover,
        _dir: dir,
    }
}

/// A private copy of the base index.
struct Scratch {
    dir: tempfile::TempDir,
    index: PathBuf,
}

impl Scratch {
    fn new() -> Scratch {
        let c = corpus();
        let dir = tempfile::tempdir().expect("tempdir");
        let index = dir.path().join("index");
        copy_dir(&c.index, &index);
        Scratch { dir, index }
    }

    /// Writes lines to a file in the scratch directory.
    fn file(&self, name: &str, lines: &[Vec<u8>]) -> PathBuf {
        let p = self.dir.path().join(name);
        write_lines(&p, lines);
        p
    }

    fn update(&self, name: &str, lines: &[Vec<u8>]) -> UpdateReport {
        let f = self.file(name, lines);
        update_index(&self.index, &f, None, &opts()).expect("update")
    }

    fn current(&self) -> String {
        IndexDir::new(&self.index).current().expect("current")
    }

    /// Names of temporary (unpublished or abandoned) entries.
    fn temporaries(&self) -> Vec<String> {
        let mut out = Vec::new();
        for d in [self.index.clone(), self.index.join("versions")] {
            for e in std::fs::read_dir(d).expect("read_dir").flatten() {
                let n = e.file_name().to_string_lossy().into_owned();
                if n.contains(".tmp-") {
                    out.push(n);
                }
            }
        }
        out
    }
}

fn base_count() -> u64 {
    corpus().base.len() as u64
}

/// Business ids found for `word` in `zip`.
fn found(index: &Index, word: &str, zip: &str) -> Vec<String> {
    let res = index
        .search(&SearchRequest::new(word).zip(zip).limit(100).related(false))
        .expect("search");
    res.results
        .into_iter()
        .map(|h| h.business.business_id.clone())
        .collect()
}

fn edited(r: &Value) -> Value {
    let mut e = r.clone();
    let stars = e["stars"].as_f64().unwrap_or(3.0);
    e["stars"] = Value::from(if stars >= 4.5 { 1.0 } else { 5.0 });
    e["text"] = Value::from(format!(
        "Edited: the {NEW_WORD} tart was superb and the staff were kind."
    ));
    e
}

#[test]
fn update_adds_replaces_updates_businesses_and_is_idempotent() {
    let c = corpus();
    let s = Scratch::new();
    let old = Index::open(&s.index).unwrap();
    let x = biz_of(&c.base[0]).to_string();
    let zip_x = c.zip_of[&x].clone();
    let zip0 = c.zip_of[biz_of(&c.extra[0])].clone();
    let known = biz_of(&c.base[1]).to_string();

    // Reviews: 400 new, 20 edited, 4 bad (lines 421-424), 5 for a new business.
    let mut lines: Vec<Vec<u8>> = c.extra[..400].iter().map(line).collect();
    lines.extend(c.base[..EDITED].iter().map(|r| line(&edited(r))));
    lines.push(b"{not json".to_vec());
    lines.push(review_line(
        "r-unknown",
        "no-such-business",
        4.0,
        "2021-01-01",
        "Fine pasta.",
    ));
    lines.push(review_line(
        "r-badstars",
        &known,
        9.0,
        "2021-01-01",
        "Fine pasta.",
    ));
    lines.push(line(&c.extra[0]));
    for i in 1..=5 {
        let text = format!("The {NEW_WORD} pie at Quokka Kitchen is the best in town.");
        lines.push(review_line(
            &format!("quokka-{i}"),
            "biz-quokka",
            5.0,
            &format!("2021-06-0{i}"),
            &text,
        ));
    }
    let reviews = s.file("update.jsonl", &lines);
    // Businesses: one new, one changed, one unchanged.
    let mut changed = c.biz_lines[&x].clone();
    changed["name"] = Value::from("Renamed Diner");
    changed["address"] = Value::from("99 New Road");
    changed["stars"] = Value::from(1.5);
    changed["review_count"] = Value::from(999);
    changed["is_open"] = Value::from(0);
    let biz = s.file(
        "business.jsonl",
        &[
            business_line("biz-quokka", "Quokka Kitchen", &zip0),
            line(&changed),
            line(&c.biz_lines[&known]),
        ],
    );

    let r = update_index(&s.index, &reviews, Some(&biz), &opts()).unwrap();
    assert!(r.published);
    assert_eq!(
        (r.parent.as_str(), r.version.as_str()),
        ("v000001", "v000002")
    );
    assert_eq!((r.added, r.replaced, r.unchanged), (405, EDITED as u64, 0));
    assert_eq!((r.businesses_added, r.businesses_changed), (1, 1));
    assert_eq!(r.reviews.skipped_total(), 4, "{:?}", r.reviews.skipped);
    let bad: Vec<u64> = r.reviews.issues.iter().map(|i| i.line).collect();
    assert_eq!(bad, vec![421, 422, 423, 424], "{:?}", r.reviews.issues);
    for cat in [
        "not JSON",
        "unknown business",
        "bad stars",
        "duplicate review_id",
    ] {
        assert_eq!(
            r.reviews.skipped.get(cat),
            Some(&1),
            "{cat}: {:?}",
            r.reviews.skipped
        );
    }
    let total = base_count() + 405;
    assert_eq!(r.total_reviews, total);

    let new = Index::open(&s.index).unwrap();
    let st = new.stats();
    assert_eq!((st.version.as_str(), st.reviews), ("v000002", total));
    assert_eq!(st.businesses, old.stats().businesses + 1);
    let m = IndexDir::new(&s.index).manifest("v000002").unwrap();
    assert_eq!(
        (m.reviews, m.origin.as_str(), m.parent.as_deref()),
        (total, "update", Some("v000001"))
    );

    // The replaced text is gone, the new text is found, and the old reader still
    // answers from the old version.
    assert!(found(&old, OLD_WORD, &zip_x).contains(&x));
    assert!(found(&new, OLD_WORD, &zip_x).is_empty());
    assert!(found(&old, NEW_WORD, &zip_x).is_empty());
    assert!(found(&new, NEW_WORD, &zip0).contains(&"biz-quokka".to_string()));
    let res = new
        .search(&SearchRequest::new(NEW_WORD).zip(&zip_x).limit(100))
        .unwrap();
    let hit = res
        .results
        .iter()
        .find(|h| h.business.business_id == x)
        .expect("the changed business");
    assert_eq!(
        (hit.business.name.as_str(), hit.business.address.as_str()),
        ("Renamed Diner", "99 New Road")
    );
    assert_eq!((hit.stars, hit.review_count), (1.5, 999));
    let snap = new.snapshot();
    let ord = snap.table.ord_of(&x).unwrap();
    assert!(!snap.table.get(ord).unwrap().is_open);

    // Re-applying the same files changes nothing and publishes nothing.
    let again = update_index(&s.index, &reviews, Some(&biz), &opts()).unwrap();
    assert!(!again.published);
    assert_eq!(again.version, "v000002");
    assert_eq!(
        (again.added, again.replaced, again.unchanged),
        (0, 0, 405 + EDITED as u64)
    );
    assert_eq!((again.businesses_added, again.businesses_changed), (0, 0));
    assert_eq!(
        (again.total_reviews, again.reviews.skipped_total()),
        (total, 4)
    );
    assert_eq!(
        IndexDir::new(&s.index).versions().unwrap(),
        vec!["v000001", "v000002"]
    );
    assert!(s.temporaries().is_empty(), "{:?}", s.temporaries());
}

#[test]
fn strict_update_fails_on_the_first_bad_line_and_changes_nothing() {
    let c = corpus();
    let s = Scratch::new();
    let lines = vec![line(&c.extra[0]), b"[1,2]".to_vec(), line(&c.extra[1])];
    let f = s.file("bad.jsonl", &lines);
    let strict = BuildOptions {
        strict: true,
        ..opts()
    };
    match update_index(&s.index, &f, None, &strict) {
        Err(Error::BadLine { line, path, .. }) => assert_eq!((line, path), (2, f.clone())),
        other => panic!("expected a bad line error, got {other:?}"),
    }
    assert_eq!(s.current(), "v000001");
    assert_eq!(IndexDir::new(&s.index).versions().unwrap(), vec!["v000001"]);
    assert!(s.temporaries().is_empty());
    assert_eq!(Index::open(&s.index).unwrap().stats().reviews, base_count());
    // Without --strict the same file lands its good lines.
    let r = update_index(&s.index, &f, None, &opts()).unwrap();
    assert_eq!((r.added, r.reviews.skipped_total()), (2, 1));
}

#[test]
fn business_moving_zipcode_takes_its_reviews_along() {
    let c = corpus();
    let s = Scratch::new();
    let y = biz_of(&c.base[c.mover]).to_string();
    let old_zip = c.zip_of[&y].clone();
    let new_zip = c.zip_of.values().find(|z| **z != old_zip).unwrap().clone();
    let n_y = c.base.iter().filter(|r| biz_of(r) == y).count() as u64;
    // Another business loses its postal code: a build would skip its reviews.
    let w = c
        .base
        .iter()
        .map(biz_of)
        .find(|b| *b != y && *b != biz_of(&c.base[0]))
        .unwrap()
        .to_string();
    let n_w = c.base.iter().filter(|r| biz_of(r) == w).count() as u64;
    let mut moved = c.biz_lines[&y].clone();
    moved["postal_code"] = Value::from(new_zip.clone());
    let mut lost = c.biz_lines[&w].clone();
    lost["postal_code"] = Value::from("");
    let old = Index::open(&s.index).unwrap();
    let biz = s.file("business.jsonl", &[line(&moved), line(&lost)]);
    let empty = s.file("none.jsonl", &[]);
    let r = update_index(&s.index, &empty, Some(&biz), &opts()).unwrap();
    assert!(r.published);
    assert_eq!(
        (r.businesses_changed, r.rehomed, r.dropped, r.added),
        (2, n_y, n_w, 0)
    );
    assert_eq!(r.total_reviews, base_count() - n_w);
    let new = Index::open(&s.index).unwrap();
    assert_eq!(new.stats().reviews, base_count() - n_w);
    assert_eq!(found(&old, MOVER_WORD, &old_zip), vec![y.clone()]);
    assert_eq!(found(&new, MOVER_WORD, &new_zip), vec![y.clone()]);
    assert!(found(&new, MOVER_WORD, &old_zip).is_empty());
    let snap = new.snapshot();
    let ord = snap.table.ord_of(&y).unwrap() as usize;
    assert_eq!(
        snap.stats[ord].n as u64, n_y,
        "the moved business keeps its reviews"
    );
    let ord_w = snap.table.ord_of(&w).unwrap() as usize;
    assert_eq!(snap.stats[ord_w].n, 0);
}

#[test]
fn versions_rollback_and_gc_spare_the_current_and_pinned_versions() {
    let c = corpus();
    let s = Scratch::new();
    let pinned = Index::open(&s.index).unwrap();
    for (k, chunk) in c.extra[..300].chunks(100).enumerate() {
        let r = s.update(
            &format!("u{k}.jsonl"),
            &chunk.iter().map(line).collect::<Vec<_>>(),
        );
        assert_eq!(r.version, format!("v{:06}", k + 2));
    }
    let list = list_versions(&s.index).unwrap();
    let got: Vec<(&str, u64, bool, bool, &str)> = list
        .iter()
        .map(|v| {
            (
                v.name.as_str(),
                v.reviews,
                v.current,
                v.in_use,
                v.origin.as_str(),
            )
        })
        .collect();
    let b = base_count();
    assert_eq!(
        got,
        vec![
            ("v000001", b, false, true, "build"),
            ("v000002", b + 100, false, false, "update"),
            ("v000003", b + 200, false, false, "update"),
            ("v000004", b + 300, true, false, "update"),
        ]
    );

    assert_eq!(
        rollback(&s.index, None).unwrap(),
        ("v000004".into(), "v000003".into())
    );
    assert_eq!(
        rollback(&s.index, Some("v000001")).unwrap(),
        ("v000003".into(), "v000001".into())
    );
    assert!(matches!(rollback(&s.index, None), Err(Error::Data(m)) if m.contains("oldest")));
    assert!(
        matches!(rollback(&s.index, Some("v000009")), Err(Error::Data(m)) if m.contains("no version"))
    );
    assert_eq!(s.current(), "v000001");
    let reader = Index::open(&s.index).unwrap();
    assert_eq!(reader.stats().reviews, b);
    rollback(&s.index, Some("v000004")).unwrap();
    assert!(reader.reload().unwrap());
    assert_eq!(reader.stats().reviews, b + 300);

    // What interrupted writers leave: a half-written version and a CURRENT temp file.
    let half = s.index.join("versions/v000010.tmp-4242");
    std::fs::create_dir_all(&half).unwrap();
    std::fs::write(half.join("meta.json"), b"{").unwrap();
    std::fs::write(s.index.join("CURRENT.tmp-4242"), b"v000010\n").unwrap();

    let r = gc(&s.index, 1).unwrap();
    assert_eq!(r.removed, vec!["v000002", "v000003"]);
    assert_eq!(r.kept_in_use, vec!["v000001"]);
    assert_eq!(r.abandoned, 2);
    assert!(s.temporaries().is_empty(), "{:?}", s.temporaries());
    assert_eq!(
        IndexDir::new(&s.index).versions().unwrap(),
        vec!["v000001", "v000004"]
    );
    // The pinned reader still serves its version in full.
    assert_eq!(pinned.stats().reviews, b);
    let zip_x = &c.zip_of[biz_of(&c.base[0])];
    assert!(!found(&pinned, OLD_WORD, zip_x).is_empty());

    drop(pinned);
    let r = gc(&s.index, 1).unwrap();
    assert_eq!(
        (r.removed, r.kept_in_use, r.abandoned),
        (vec!["v000001".to_string()], vec![], 0)
    );
    assert_eq!(IndexDir::new(&s.index).versions().unwrap(), vec!["v000004"]);
    assert_eq!(Index::open(&s.index).unwrap().stats().reviews, b + 300);
    // Names are never reused after gc.
    let r = s.update("u9.jsonl", &[line(&c.extra[300])]);
    assert_eq!(r.version, "v000005");
}

#[test]
fn a_reader_keeps_its_version_until_reload() {
    let c = corpus();
    let s = Scratch::new();
    let index = Index::open(&s.index).unwrap();
    let zip0 = c.zip_of[biz_of(&c.base[0])].clone();
    assert!(!index.reload().unwrap(), "nothing to reload yet");
    s.update(
        "u.jsonl",
        &c.base[..EDITED]
            .iter()
            .map(|r| line(&edited(r)))
            .collect::<Vec<_>>(),
    );
    assert_eq!(index.version(), "v000001");
    assert!(found(&index, NEW_WORD, &zip0).is_empty());
    assert!(!found(&index, OLD_WORD, &zip0).is_empty());
    assert!(index.reload().unwrap());
    assert_eq!(index.version(), "v000002");
    assert!(!found(&index, NEW_WORD, &zip0).is_empty());
    assert!(found(&index, OLD_WORD, &zip0).is_empty());
    assert!(!index.reload().unwrap());
}

/// What a response says, to compare responses exactly.
type Signature = Vec<(String, u32, f32)>;

fn signature(index: &Index, req: &SearchRequest) -> yelpsearch::Result<Signature> {
    let res = index.search(req)?;
    Ok(res
        .results
        .into_iter()
        .map(|h| (h.business.business_id.clone(), h.matches, h.score))
        .collect())
}

#[test]
fn searches_during_reloads_see_the_old_or_the_new_version_never_a_mix() {
    let c = corpus();
    let s = Scratch::new();
    let mut zips: Vec<String> = c.zip_of.values().cloned().collect();
    zips.sort();
    zips.dedup();
    let reqs: Vec<SearchRequest> = zips
        .iter()
        .take(3)
        .flat_map(|z| {
            ["pizza", "pasta", NEW_WORD, "friendly service"]
                .map(|q| SearchRequest::new(q).zip(z).limit(20))
        })
        .collect();
    let old = Index::open(&s.index).unwrap();
    let mut lines: Vec<Vec<u8>> = c.extra[..1500].iter().map(line).collect();
    lines.extend(c.base[..EDITED].iter().map(|r| line(&edited(r))));
    s.update("u.jsonl", &lines);
    let new = Index::open(&s.index).unwrap();
    let expect: Vec<(Signature, Signature)> = reqs
        .iter()
        .map(|r| (signature(&old, r).unwrap(), signature(&new, r).unwrap()))
        .collect();
    for (r, (o, n)) in reqs.iter().zip(&expect) {
        assert_eq!(
            &signature(&old, r).unwrap(),
            o,
            "searches are deterministic"
        );
        assert_eq!(
            &signature(&new, r).unwrap(),
            n,
            "searches are deterministic"
        );
    }
    let differ = expect.iter().filter(|(o, n)| o != n).count();
    assert!(
        differ >= reqs.len() / 2,
        "the update must change most answers ({differ} of {})",
        reqs.len()
    );
    drop((old, new));

    rollback(&s.index, Some("v000001")).unwrap();
    let shared = Arc::new(Index::open(&s.index).unwrap());
    let stop = Arc::new(AtomicBool::new(false));
    let (seen_old, seen_new) = (Arc::new(AtomicU64::new(0)), Arc::new(AtomicU64::new(0)));
    let workers: Vec<_> = (0..2)
        .map(|w| {
            let (shared, stop, reqs, expect) =
                (shared.clone(), stop.clone(), reqs.clone(), expect.clone());
            let (seen_old, seen_new) = (seen_old.clone(), seen_new.clone());
            std::thread::spawn(move || {
                let mut i = w;
                while !stop.load(Ordering::Relaxed) {
                    let k = i % reqs.len();
                    let got =
                        signature(&shared, &reqs[k]).expect("a search failed during a reload");
                    let (o, n) = &expect[k];
                    if &got == o {
                        seen_old.fetch_add(1, Ordering::Relaxed);
                    } else if &got == n {
                        seen_new.fetch_add(1, Ordering::Relaxed);
                    } else {
                        panic!("request {k} got an answer of neither version: {got:?}");
                    }
                    i += 1;
                }
            })
        })
        .collect();
    for round in 0..12 {
        let to = if round % 2 == 0 { "v000002" } else { "v000001" };
        rollback(&s.index, Some(to)).unwrap();
        assert!(shared.reload().unwrap());
        assert_eq!(shared.version(), to);
        std::thread::sleep(Duration::from_millis(40));
    }
    stop.store(true, Ordering::Relaxed);
    for w in workers {
        w.join().expect("a search thread failed");
    }
    let (o, n) = (
        seen_old.load(Ordering::Relaxed),
        seen_new.load(Ordering::Relaxed),
    );
    eprintln!("searches during 12 swaps: {o} answered by the old version, {n} by the new");
    assert!(
        o > 0 && n > 0,
        "both versions must have answered ({o} old, {n} new)"
    );
}

#[test]
fn watch_picks_up_a_new_version_within_the_interval() {
    let c = corpus();
    let s = Scratch::new();
    let index = Arc::new(Index::open(&s.index).unwrap());
    let stop = Arc::new(AtomicBool::new(false));
    let interval = Duration::from_millis(300);
    let watcher = index.watch(interval, stop.clone());
    s.update(
        "u.jsonl",
        &c.extra[..200].iter().map(line).collect::<Vec<_>>(),
    );
    let published = Instant::now();
    while index.version() != "v000002" {
        assert!(
            published.elapsed() < interval * 10,
            "watch did not pick up the new version"
        );
        std::thread::sleep(Duration::from_millis(5));
    }
    let took = published.elapsed();
    eprintln!(
        "watch swapped in the new version {took:?} after it was published (interval {interval:?})"
    );
    assert!(
        took < interval + Duration::from_millis(700),
        "took {took:?}"
    );
    assert_eq!(index.stats().reviews, base_count() + 200);
    stop.store(true, Ordering::Relaxed);
    watcher.join().unwrap();
}

#[test]
fn business_stats_follow_the_update_and_match_a_rebuild() {
    let c = corpus();
    let s = Scratch::new();
    let before = Index::open(&s.index).unwrap().snapshot();
    // New reviews for business x, and one of x's reviews edited to other stars.
    let x = biz_of(&c.base[0]).to_string();
    let mut news = Vec::new();
    for (i, r) in c.extra.iter().take(5).enumerate() {
        let mut n = r.clone();
        n["business_id"] = Value::from(x.clone());
        n["review_id"] = Value::from(format!("stats-new-{i}"));
        n["stars"] = Value::from((i % 5 + 1) as f64);
        news.push(n);
    }
    let edit = edited(&c.base[0]);
    let delta =
        edit["stars"].as_f64().unwrap() as i64 - c.base[0]["stars"].as_f64().unwrap() as i64;
    let mut lines: Vec<Vec<u8>> = news.iter().map(line).collect();
    lines.push(line(&edit));
    lines.extend(c.extra[100..600].iter().map(line));
    let r = s.update("u.jsonl", &lines);
    assert_eq!((r.added, r.replaced), (505, 1));

    let after = Index::open(&s.index).unwrap().snapshot();
    let ord = after.table.ord_of(&x).unwrap() as usize;
    let added_here = 5 + c.extra[100..600].iter().filter(|r| biz_of(r) == x).count() as u32;
    let added_stars: u32 = news
        .iter()
        .chain(&c.extra[100..600])
        .filter(|r| biz_of(r) == x)
        .map(|r| r["stars"].as_f64().unwrap() as u32)
        .sum();
    assert_eq!(after.stats[ord].n, before.stats[ord].n + added_here);
    assert_eq!(
        after.stats[ord].stars_sum as i64,
        (before.stats[ord].stars_sum + added_stars) as i64 + delta
    );
    let untouched = c.base.iter().map(biz_of).find(|b| {
        *b != x
            && !c.extra[100..600].iter().any(|r| biz_of(r) == *b)
            && !c.base[..1].iter().any(|r| biz_of(r) == *b)
    });
    if let Some(u) = untouched {
        let o = after.table.ord_of(u).unwrap() as usize;
        assert_eq!(
            (after.stats[o].n, after.stats[o].stars_sum),
            (before.stats[o].n, before.stats[o].stars_sum)
        );
    }

    // A full rebuild over the same reviews gives every business the same statistics.
    let mut all: Vec<Vec<u8>> = c
        .base
        .iter()
        .enumerate()
        .map(|(i, r)| if i == 0 { line(&edit) } else { line(r) })
        .collect();
    all.extend(
        lines
            .iter()
            .filter(|l| !l.windows(7).any(|w| w == b"Edited:"))
            .cloned(),
    );
    let combined = s.file("all.jsonl", &all);
    let rebuilt_dir = s.dir.path().join("rebuilt");
    build_index(&c.business, &combined, &rebuilt_dir, &opts()).unwrap();
    let rebuilt = Index::open(&rebuilt_dir).unwrap().snapshot();
    assert_eq!(rebuilt.num_reviews(), after.num_reviews());
    assert_eq!(rebuilt.now, after.now);
    for b in rebuilt.table.businesses() {
        let (i, j) = (
            rebuilt.table.ord_of(&b.business_id).unwrap() as usize,
            after.table.ord_of(&b.business_id).unwrap() as usize,
        );
        let (p, q) = (rebuilt.stats[i], after.stats[j]);
        assert_eq!(
            (p.n, p.stars_sum, p.last_day, p.recent, p.recent_stars_sum),
            (q.n, q.stars_sum, q.last_day, q.recent, q.recent_stars_sum),
            "business {}",
            b.business_id
        );
    }
}

#[test]
fn a_cancelled_update_leaves_the_current_version_untouched() {
    let c = corpus();
    let s = Scratch::new();
    let cancel = Arc::new(AtomicBool::new(false));
    let flag = cancel.clone();
    let progress: yelpsearch::ProgressFn = Arc::new(move |p| {
        if p.stage == "index" {
            flag.store(true, Ordering::Relaxed);
        }
    });
    let f = s.file(
        "u.jsonl",
        &c.extra[..2000].iter().map(line).collect::<Vec<_>>(),
    );
    let o = BuildOptions {
        cancel: Some(cancel),
        progress: Some(progress),
        ..opts()
    };
    assert!(matches!(
        update_index(&s.index, &f, None, &o),
        Err(Error::Cancelled)
    ));
    assert_eq!(s.current(), "v000001");
    assert!(s.temporaries().is_empty(), "{:?}", s.temporaries());
    assert_eq!(Index::open(&s.index).unwrap().stats().reviews, base_count());
    let r = update_index(&s.index, &f, None, &opts()).unwrap();
    assert_eq!((r.added, r.version.as_str()), (2000, "v000002"));
}

/// Ctrl-C in Python sets the cancel flag at any moment: once the ranker is training, the
/// build still stops, publishes nothing and leaves no temporary behind (it had no cancel
/// point there: the build finished and was published).
#[test]
fn a_build_cancelled_during_ranker_training_publishes_nothing() {
    let c = corpus();
    let s = Scratch::new();
    let cancel = Arc::new(AtomicBool::new(false));
    let flag = cancel.clone();
    let progress: yelpsearch::ProgressFn = Arc::new(move |p| {
        if p.stage == "train ranker" {
            flag.store(true, Ordering::Relaxed);
        }
    });
    let f = s.file("base.jsonl", &c.base.iter().map(line).collect::<Vec<_>>());
    let o = BuildOptions {
        train_ranker: true,
        cancel: Some(cancel),
        progress: Some(progress),
        ..opts()
    };
    let r = build_index(&c.business, &f, &s.index, &o);
    assert!(
        matches!(r, Err(Error::Cancelled)),
        "{:?}",
        r.map(|r| r.version)
    );
    assert_eq!(s.current(), "v000001");
    assert_eq!(
        list_versions(&s.index).unwrap().len(),
        1,
        "no version was added"
    );
    assert!(s.temporaries().is_empty(), "{:?}", s.temporaries());
}

/// Progress covers every stage of a build, each ending with `done == total` where it
/// counts (reading had no end, and training reported nothing but its start).
#[test]
fn a_build_reports_every_stage_to_its_end() {
    let c = corpus();
    let s = Scratch::new();
    type Seen = Vec<(String, u64, Option<u64>)>;
    let seen: Arc<std::sync::Mutex<Seen>> = Arc::default();
    let log = seen.clone();
    let progress: yelpsearch::ProgressFn = Arc::new(move |p| {
        log.lock()
            .unwrap()
            .push((p.stage.to_string(), p.done, p.total));
    });
    let f = s.file("base.jsonl", &c.base.iter().map(line).collect::<Vec<_>>());
    let o = BuildOptions {
        train_ranker: true,
        progress: Some(progress),
        ..opts()
    };
    build_index(&c.business, &f, &s.index, &o).unwrap();
    let seen = seen.lock().unwrap();
    let mut stages: Vec<&str> = seen.iter().map(|(s, _, _)| s.as_str()).collect();
    stages.dedup();
    assert_eq!(
        stages,
        ["read", "train text model", "index", "train ranker"],
        "{seen:?}"
    );
    for stage in ["read", "train text model", "index"] {
        let last = seen.iter().rev().find(|(s, _, _)| s == stage).unwrap();
        assert_eq!(Some(last.1), last.2, "{stage} ends at its total: {seen:?}");
    }
    assert_eq!(
        seen.iter().find(|(s, _, _)| s == "read").unwrap().1,
        0,
        "a stage's start is reported"
    );
}

#[test]
fn a_second_writer_gets_a_locked_error() {
    let c = corpus();
    let s = Scratch::new();
    let f = s.file("u.jsonl", &[line(&c.extra[0])]);
    let lock = IndexDir::new(&s.index).lock_writer("gc").unwrap();
    let e = update_index(&s.index, &f, None, &opts()).unwrap_err();
    // The message names what holds the lock, as the holder wrote it.
    let holder = format!("locked by a running gc (pid {})", std::process::id());
    assert!(
        matches!(e, Error::Locked { .. }) && e.to_string().contains(&holder),
        "{e}"
    );
    assert!(matches!(gc(&s.index, 1), Err(Error::Locked { .. })));
    assert!(matches!(
        rollback(&s.index, None),
        Err(Error::Locked { .. })
    ));
    drop(lock);
    assert_eq!(update_index(&s.index, &f, None, &opts()).unwrap().added, 1);
}

/// Makes a directory unwritable for the test's lifetime: by permissions where they are
/// enforced, else (as root) with the immutable attribute; `None` when neither works.
struct Unwritable {
    dir: PathBuf,
    immutable: bool,
}

impl Unwritable {
    fn new(dir: &Path) -> Option<Unwritable> {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o555)).ok()?;
        let mut guard = Unwritable {
            dir: dir.to_path_buf(),
            immutable: false,
        };
        if guard.holds() {
            return Some(guard);
        }
        let ok = std::process::Command::new("chattr")
            .arg("+i")
            .arg(dir)
            .status()
            .is_ok_and(|s| s.success());
        guard.immutable = ok;
        (ok && guard.holds()).then_some(guard)
    }

    /// Whether creating a file in the directory fails.
    fn holds(&self) -> bool {
        let probe = self.dir.join("probe");
        match std::fs::write(&probe, b"") {
            Ok(()) => {
                let _ = std::fs::remove_file(&probe);
                false
            }
            Err(_) => true,
        }
    }
}

impl Drop for Unwritable {
    fn drop(&mut self) {
        use std::os::unix::fs::PermissionsExt;
        if self.immutable {
            let _ = std::process::Command::new("chattr")
                .arg("-i")
                .arg(&self.dir)
                .status();
        }
        let _ = std::fs::set_permissions(&self.dir, std::fs::Permissions::from_mode(0o755));
    }
}

#[test]
fn an_unwritable_versions_directory_fails_clearly_and_keeps_serving() {
    let c = corpus();
    let s = Scratch::new();
    let reader = Index::open(&s.index).unwrap();
    let f = s.file(
        "u.jsonl",
        &c.extra[..100].iter().map(line).collect::<Vec<_>>(),
    );
    {
        let Some(_guard) = Unwritable::new(&s.index.join("versions")) else {
            eprintln!("SKIPPED: cannot make a directory unwritable here (root without chattr)");
            return;
        };
        let e = update_index(&s.index, &f, None, &opts()).unwrap_err();
        let msg = e.to_string();
        assert!(
            matches!(&e, Error::Io { path, .. } if path.starts_with(s.index.join("versions"))),
            "{e:?}"
        );
        assert!(
            msg.contains("ermission denied") || msg.contains("not permitted"),
            "{msg}"
        );
        assert_eq!(s.current(), "v000001");
        assert!(!reader.reload().unwrap());
        assert_eq!(Index::open(&s.index).unwrap().stats().reviews, base_count());
        let zip_x = &c.zip_of[biz_of(&c.base[0])];
        assert!(!found(&reader, OLD_WORD, zip_x).is_empty());
    }
    let r = update_index(&s.index, &f, None, &opts()).unwrap();
    assert_eq!((r.added, r.version.as_str()), (100, "v000002"));
}

#[test]
fn readers_opening_while_versions_come_and_go_never_fail() {
    let c = corpus();
    let s = Scratch::new();
    let stop = Arc::new(AtomicBool::new(false));
    let opened = Arc::new(AtomicU64::new(0));
    let readers: Vec<_> = (0..2)
        .map(|_| {
            let (root, stop, opened) = (s.index.clone(), stop.clone(), opened.clone());
            let zip = c.zip_of[biz_of(&c.base[0])].clone();
            std::thread::spawn(move || {
                while !stop.load(Ordering::Relaxed) {
                    let index = Index::open(&root).expect("open while gc runs");
                    index
                        .search(&SearchRequest::new("pizza").zip(&zip))
                        .expect("search while gc runs");
                    opened.fetch_add(1, Ordering::Relaxed);
                }
            })
        })
        .collect();
    for (k, chunk) in c.extra[..250].chunks(10).enumerate() {
        s.update(
            &format!("u{k}.jsonl"),
            &chunk.iter().map(line).collect::<Vec<_>>(),
        );
        gc(&s.index, 1).unwrap();
    }
    stop.store(true, Ordering::Relaxed);
    for r in readers {
        r.join()
            .expect("a reader failed while versions were collected");
    }
    assert!(opened.load(Ordering::Relaxed) > 0);
    assert_eq!(
        Index::open(&s.index).unwrap().stats().reviews,
        base_count() + 250
    );
}

#[test]
fn an_update_of_a_version_without_its_model_says_so_and_a_build_clears_what_a_killed_one_left() {
    let c = corpus();
    let s = Scratch::new();
    let f = s.file("u.jsonl", &[line(&c.extra[0])]);
    let r = update_index(&s.index, &f, None, &opts()).unwrap();
    assert_eq!((r.added, r.model_warning), (1, None));
    let model = s
        .index
        .join("versions")
        .join(s.current())
        .join("model.json");
    std::fs::remove_file(&model).unwrap();
    let f = s.file("u2.jsonl", &[line(&c.extra[1])]);
    let r = update_index(&s.index, &f, None, &opts()).unwrap();
    let w = r
        .model_warning
        .expect("the report says the model is missing");
    assert!(
        w.contains("no usable model") && w.contains("BM25 fallback"),
        "{w}"
    );

    // A build killed mid-way leaves its temporary version: the next build removes it.
    let half = s.index.join("versions/v000009.tmp-4242");
    std::fs::create_dir_all(&half).unwrap();
    std::fs::write(half.join("meta.json"), b"{").unwrap();
    let base = s.file(
        "base.jsonl",
        &c.base.iter().take(50).map(line).collect::<Vec<_>>(),
    );
    let no_train = BuildOptions {
        train_ranker: false,
        ..opts()
    };
    build_index(&c.business, &base, &s.index, &no_train).unwrap();
    assert!(s.temporaries().is_empty(), "{:?}", s.temporaries());
}
