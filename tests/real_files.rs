//! Yelp files as they are found (issue 23, items 8–12): epoch and ISO dates, businesses
//! without postal codes, Canadian districts, the old schema, truncated and swapped
//! files, byte-order marks, and the rejects file that lists every line left behind.
//!
//! Each case is written here as a small fixture, so it is tested on every machine; the
//! same cases on the real samples of `../shared/data/yelp-real` (or
//! `$YELPSEARCH_REAL_DATA`) run when the directory is there: without it the test prints
//! that it did not run, and passes only when the variable is unset.

mod common;

use std::io::Write;
use std::path::{Path, PathBuf};

use common::*;
use yelpsearch::{
    build_index, read_businesses, update_index, BuildOptions, Error, Index, SearchRequest,
};

fn opts() -> BuildOptions {
    BuildOptions {
        memory_mb: 16,
        train_ranker: false,
        ..BuildOptions::default()
    }
}

fn opts_with_rejects(dir: &Path) -> BuildOptions {
    BuildOptions {
        rejects: Some(dir.join("rejects.jsonl")),
        ..opts()
    }
}

fn review_json(id: &str, biz: &str, date: serde_json::Value, text: &str) -> Vec<u8> {
    serde_json::json!({
        "review_id": id, "user_id": "u1", "business_id": biz, "stars": 4, "useful": 0,
        "text": text, "date": date
    })
    .to_string()
    .into_bytes()
}

/// The rejects file's lines, parsed.
fn rejects(path: &Path) -> Vec<serde_json::Value> {
    std::fs::read_to_string(path)
        .unwrap_or_default()
        .lines()
        .map(|l| serde_json::from_str(l).expect("a JSON line"))
        .collect()
}

fn search_count(index: &Path, q: &str) -> usize {
    Index::open(index)
        .unwrap()
        .search(&SearchRequest::new(q))
        .map(|r| r.results.len())
        .unwrap_or(0)
}

#[test]
fn epoch_and_iso_dates_are_read_and_a_build_that_accepts_too_little_publishes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let b = dir.path().join("business.json");
    write_lines(&b, &[business_line("b1", "Luigi's", "61820")]);
    let r = dir.path().join("review.json");
    let dates = [
        serde_json::json!(1531001351000u64),
        serde_json::json!("1531001351000"),
        serde_json::json!(1531001351),
        serde_json::json!("2018-07-07T22:09:11Z"),
        serde_json::json!("2018-07-07T22:09:11.000+02:00"),
        serde_json::json!("2018-07-07 22:09:11"),
    ];
    let lines: Vec<Vec<u8>> = dates
        .iter()
        .enumerate()
        .map(|(i, d)| review_json(&format!("r{i}"), "b1", d.clone(), "great pasta"))
        .collect();
    write_lines(&r, &lines);
    let idx = dir.path().join("idx");
    let rep = build_index(&b, &r, &idx, &opts_with_rejects(dir.path())).unwrap();
    assert_eq!((rep.reviews.read, rep.indexed), (6, 6), "{}", rep.reviews);
    assert_eq!(search_count(&idx, "61820 pasta"), 1);

    // Every date unreadable: the build fails, says why, and publishes nothing.
    let bad = dir.path().join("bad.json");
    let lines: Vec<Vec<u8>> = (0..10)
        .map(|i| {
            review_json(
                &format!("r{i}"),
                "b1",
                serde_json::json!("last tuesday"),
                "x",
            )
        })
        .collect();
    write_lines(&bad, &lines);
    let idx2 = dir.path().join("idx2");
    let e = build_index(&b, &bad, &idx2, &opts_with_rejects(dir.path())).unwrap_err();
    let msg = e.to_string();
    assert!(matches!(e, Error::TooFewAccepted { .. }), "{e}");
    assert!(
        msg.contains("only 0 of 10") && msg.contains("bad date: 10"),
        "{msg}"
    );
    assert!(msg.contains("line 1"), "an example line: {msg}");
    assert!(msg.contains("rejects.jsonl"), "where the lines are: {msg}");
    assert!(!idx2.exists(), "a failed first build leaves no folder");
    assert_eq!(rejects(&dir.path().join("rejects.jsonl")).len(), 10);

    // 4 of 10 accepted: under the default 50% it fails, naming --min-accepted; with a
    // lower share it is published.
    let part = dir.path().join("part.json");
    let lines: Vec<Vec<u8>> = (0..10)
        .map(|i| {
            let date = if i < 4 { "2018-01-01" } else { "soon" };
            review_json(&format!("r{i}"), "b1", serde_json::json!(date), "pasta")
        })
        .collect();
    write_lines(&part, &lines);
    let e = build_index(&b, &part, &idx2, &opts_with_rejects(dir.path())).unwrap_err();
    assert!(e.to_string().contains("--min-accepted"), "{e}");
    assert!(!idx2.exists());
    let low = BuildOptions {
        min_accepted: 0.3,
        ..opts_with_rejects(dir.path())
    };
    assert_eq!(build_index(&b, &part, &idx2, &low).unwrap().indexed, 4);

    // An update that accepts too little fails too, and the current version stays.
    let before = Index::open(&idx).unwrap().stats().reviews;
    let e = update_index(&idx, &bad, None, &opts_with_rejects(dir.path())).unwrap_err();
    assert!(matches!(e, Error::TooFewAccepted { .. }), "{e}");
    assert_eq!(Index::open(&idx).unwrap().stats().reviews, before);
}

#[test]
fn reviews_of_businesses_without_postal_code_are_listed_and_every_update_line_is_accounted_for() {
    let dir = tempfile::tempdir().unwrap();
    // An app's export of the Yelp schema: no postal_code, only coordinates and a city.
    let b = dir.path().join("business.json");
    let nozip = |id: &str| {
        serde_json::json!({"business_id": id, "name": "Jersey Mike's", "city": "Nashville",
            "state": "TN", "latitude": 36.1, "longitude": -86.6, "stars": 2.5,
            "review_count": 8, "categories": "Sandwiches, Restaurants"})
        .to_string()
        .into_bytes()
    };
    write_lines(&b, &[nozip("n1"), nozip("n2")]);
    let r = dir.path().join("review.json");
    let lines: Vec<Vec<u8>> = (0..5)
        .map(|i| review_line(&format!("r{i}"), "n1", 4.0, "2018-01-01 00:00:00", "subs"))
        .collect();
    write_lines(&r, &lines);
    let idx = dir.path().join("idx");
    let e = build_index(&b, &r, &idx, &opts_with_rejects(dir.path())).unwrap_err();
    let msg = e.to_string();
    assert!(
        msg.contains("business has no postal code: 5") && msg.contains("postal_code"),
        "says why and what to do: {msg}"
    );
    assert!(!idx.exists());
    let listed = rejects(&dir.path().join("rejects.jsonl"));
    assert_eq!(listed.len(), 5, "every left-out review is listed");
    assert_eq!(listed[0]["kind"], "left_out");
    assert_eq!(listed[0]["category"], "business has no postal code");
    assert_eq!(listed[4]["line"], 5);

    // An update: every line read is added, replaced, unchanged, skipped or left out.
    let b2 = dir.path().join("business2.json");
    write_lines(&b2, &[business_line("z1", "Luigi's", "61820"), nozip("n1")]);
    let base = dir.path().join("base.json");
    let lines: Vec<Vec<u8>> = (0..20)
        .map(|i| review_line(&format!("z{i}"), "z1", 5.0, "2018-01-01 00:00:00", "pasta"))
        .collect();
    write_lines(&base, &lines);
    build_index(&b2, &base, &idx, &opts_with_rejects(dir.path())).unwrap();
    let up = dir.path().join("update.json");
    let mut lines: Vec<Vec<u8>> = (0..10)
        .map(|i| review_line(&format!("z{i}"), "z1", 5.0, "2018-01-01 00:00:00", "pasta"))
        .collect(); // 10 unchanged
    lines.push(review_line("z10", "z1", 1.0, "2018-01-01 00:00:00", "bad")); // replaced
    for i in 0..5 {
        lines.push(review_line(
            &format!("new{i}"),
            "z1",
            4.0,
            "2018-02-01",
            "pasta",
        )); // added
    }
    for i in 0..3 {
        lines.push(review_line(
            &format!("nz{i}"),
            "n1",
            4.0,
            "2018-02-01",
            "subs",
        )); // left out
    }
    lines.push(b"{not json".to_vec()); // skipped
    write_lines(&up, &lines);
    let u = update_index(&idx, &up, None, &opts_with_rejects(dir.path())).unwrap();
    assert_eq!(
        (
            u.added,
            u.replaced,
            u.unchanged,
            u.reviews.skipped_total(),
            u.reviews.excluded_total()
        ),
        (5, 1, 10, 1, 3)
    );
    assert_eq!(
        u.reviews.read,
        u.added + u.replaced + u.unchanged + u.reviews.skipped_total() + u.reviews.excluded_total()
    );
    assert_eq!(
        u.rejects.as_deref(),
        Some(dir.path().join("rejects.jsonl").as_path())
    );
    assert_eq!(rejects(&dir.path().join("rejects.jsonl")).len(), 4);
}

#[test]
fn every_rejected_line_is_in_the_rejects_file_and_a_byte_order_mark_is_no_error() {
    let dir = tempfile::tempdir().unwrap();
    let b = dir.path().join("business.json");
    let mut biz = b"\xEF\xBB\xBF".to_vec();
    biz.extend(business_line("b1", "Luigi's", "61820"));
    write_lines(&b, &[biz]);
    let r = dir.path().join("review.json");
    let mut lines = vec![];
    let mut first = b"\xEF\xBB\xBF".to_vec();
    first.extend(review_line("r0", "b1", 5.0, "2018-01-01 00:00:00", "pasta"));
    lines.push(first);
    for i in 1..400 {
        lines.push(review_line(
            &format!("r{i}"),
            "b1",
            5.0,
            "2018-01-01 00:00:00",
            "pasta",
        ));
    }
    for i in 0..150 {
        lines.push(format!("{{\"review_id\": \"broken{i}\"").into_bytes());
    }
    write_lines(&r, &lines);
    let idx = dir.path().join("idx");
    let rep = build_index(&b, &r, &idx, &opts_with_rejects(dir.path())).unwrap();
    assert_eq!(rep.businesses.accepted, 1, "the BOM is not an error");
    assert_eq!(rep.indexed, 400, "{}", rep.reviews);
    assert_eq!(
        rep.reviews.issues.len(),
        100,
        "the report keeps the first 100"
    );
    let path = rep
        .rejects
        .clone()
        .expect("the report names the rejects file");
    let listed = rejects(&path);
    assert_eq!(listed.len(), 150, "every rejected line is in the file");
    assert_eq!(listed[149]["line"], 550);
    assert_eq!(listed[149]["category"], "not JSON");
    assert_eq!(listed[0]["file"], r.display().to_string());

    // Without a path, the library writes no file (the command line has a default).
    let rep = build_index(&b, &r, &dir.path().join("idx3"), &opts()).unwrap();
    assert_eq!((rep.rejects, rep.reviews.skipped_total()), (None, 150));
}

#[test]
fn old_schema_truncated_and_swapped_files_and_foreign_folders() {
    let dir = tempfile::tempdir().unwrap();
    // The old schema: categories as a list, full_address, open, type.
    let old = dir.path().join("old_business.json");
    let line = |id: &str, addr: &str| {
        serde_json::json!({"business_id": id, "full_address": addr, "hours": {}, "open": true,
            "categories": ["Pizza", "Restaurants"], "city": "Boston", "review_count": 6,
            "name": "Regina", "neighborhoods": [], "longitude": -71.0, "state": "MA",
            "stars": 3.5, "latitude": 42.3, "attributes": {}, "type": "business"})
        .to_string()
        .into_bytes()
    };
    write_lines(
        &old,
        &[
            line("o1", "11 Thacher St\nNorth End\nBoston, MA 02113"),
            line("o2", "Somewhere\nBoston, MA"),
        ],
    );
    let (list, rep) = read_businesses(&old, false).unwrap();
    assert_eq!(rep.accepted, 2, "{rep}");
    assert_eq!(list[0].postal_code, "02113");
    assert_eq!(list[0].categories, ["Pizza", "Restaurants"]);
    assert_eq!(list[1].postal_code, "", "no postal code is invented");

    // A truncated gzip: the lines before the cut are kept and the report says so;
    // --strict refuses it.
    let reviews = dir.path().join("review.json.gz");
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    for i in 0..3000 {
        gz.write_all(&review_line(
            &format!("r{i}"),
            "o1",
            4.0,
            "2018-01-01",
            "pizza crust",
        ))
        .unwrap();
        gz.write_all(b"\n").unwrap();
    }
    let full = gz.finish().unwrap();
    std::fs::write(&reviews, &full[..full.len() * 2 / 3]).unwrap();
    let idx = dir.path().join("idx");
    let rep = build_index(&old, &reviews, &idx, &opts_with_rejects(dir.path())).unwrap();
    let n = rep
        .reviews
        .truncated_after
        .expect("the report says it is truncated");
    assert!(n > 1000 && n < 3000, "{n}");
    assert_eq!(rep.indexed, n);
    assert!(rep
        .reviews
        .to_string()
        .contains(&format!("truncated after line {n}")));
    assert_eq!(search_count(&idx, "02113 pizza"), 1);
    let strict = BuildOptions {
        strict: true,
        ..opts_with_rejects(dir.path())
    };
    let e = build_index(&old, &reviews, &dir.path().join("idx2"), &strict).unwrap_err();
    assert!(
        matches!(e, Error::Truncated { lines, .. } if lines == n),
        "{e}"
    );
    assert!(
        e.to_string()
            .contains(&format!("truncated after {n} lines")),
        "{e}"
    );
    assert!(!dir.path().join("idx2").exists(), "no half folder");

    // Swapped files: a hint.
    let e = build_index(
        &reviews,
        &old,
        &dir.path().join("idx3"),
        &opts_with_rejects(dir.path()),
    )
    .unwrap_err();
    assert!(
        e.to_string().contains("swap --business and --reviews"),
        "{e}"
    );
    assert!(!dir.path().join("idx3").exists(), "no half folder");

    // A non-empty folder that is not an index is refused and left as it was.
    let foreign = dir.path().join("photos");
    std::fs::create_dir(&foreign).unwrap();
    std::fs::write(foreign.join("cat.jpg"), b"meow").unwrap();
    let e = build_index(&old, &reviews, &foreign, &opts_with_rejects(dir.path())).unwrap_err();
    assert!(e.to_string().contains("not a yelpsearch index"), "{e}");
    let left: Vec<_> = std::fs::read_dir(&foreign).unwrap().flatten().collect();
    assert_eq!(left.len(), 1);
    // An existing empty folder is fine, and a failed build leaves it empty.
    let empty = dir.path().join("empty");
    std::fs::create_dir(&empty).unwrap();
    build_index(&reviews, &old, &empty, &opts_with_rejects(dir.path())).unwrap_err();
    assert_eq!(std::fs::read_dir(&empty).unwrap().count(), 0);
}

#[test]
fn a_canadian_district_is_searchable() {
    let dir = tempfile::tempdir().unwrap();
    let b = dir.path().join("business.json");
    write_lines(
        &b,
        &[
            business_line_in("c1", "La Belle Patate", "T5J", "Restaurants, Poutineries"),
            business_line_in("c2", "Chez Ma", "t5j 1a7", "Restaurants, Poutineries"),
        ],
    );
    let r = dir.path().join("review.json");
    let lines: Vec<Vec<u8>> = (0..6)
        .map(|i| {
            let biz = if i % 2 == 0 { "c1" } else { "c2" };
            review_line(&format!("r{i}"), biz, 5.0, "2018-01-01", "the best poutine")
        })
        .collect();
    write_lines(&r, &lines);
    let idx = dir.path().join("idx");
    build_index(&b, &r, &idx, &opts_with_rejects(dir.path())).unwrap();
    let index = Index::open(&idx).unwrap();
    let res = index.search(&SearchRequest::new("T5J poutine")).unwrap();
    assert_eq!(res.zip, "T5J");
    assert!(
        res.results.iter().any(|h| h.business.business_id == "c1"),
        "{res:?}"
    );
    let res = index
        .search(&SearchRequest::new("poutine").zip("t5j"))
        .unwrap();
    assert!(res.results.iter().any(|h| h.business.business_id == "c1"));
    let res = index
        .search(&SearchRequest::new("poutine in T5J 1A7"))
        .unwrap();
    assert!(res.results.iter().any(|h| h.business.business_id == "c2"));
}

/// The real samples' directory, or `None` (having said so) when the test cannot run.
fn real_data() -> Option<PathBuf> {
    let var = std::env::var_os("YELPSEARCH_REAL_DATA");
    let dir = match &var {
        Some(v) => PathBuf::from(v),
        None => Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/data/yelp-real"),
    };
    if dir.join("sa_review.json.gz").is_file() {
        return Some(dir);
    }
    assert!(
        var.is_none(),
        "YELPSEARCH_REAL_DATA={} holds no real Yelp files",
        dir.display()
    );
    eprintln!(
        "real Yelp files not found at {}: this test did not run (set YELPSEARCH_REAL_DATA)",
        dir.display()
    );
    None
}

#[test]
fn real_yelp_files() {
    let Some(data) = real_data() else { return };
    let dir = tempfile::tempdir().unwrap();
    let f = |n: &str| data.join(n);

    // sa_*: epoch-millisecond dates, 3-character districts, most reviews' businesses
    // missing (so the default share refuses it, naming the reason).
    let e = build_index(
        &f("sa_business.json.gz"),
        &f("sa_review.json.gz"),
        &dir.path().join("sa0"),
        &opts_with_rejects(dir.path()),
    )
    .unwrap_err();
    assert!(e.to_string().contains("unknown business"), "{e}");
    let idx = dir.path().join("sa");
    let low = BuildOptions {
        min_accepted: 0.2,
        ..opts_with_rejects(dir.path())
    };
    let rep = build_index(
        &f("sa_business.json.gz"),
        &f("sa_review.json.gz"),
        &idx,
        &low,
    )
    .unwrap();
    eprintln!("sa: businesses {}; reviews {}", rep.businesses, rep.reviews);
    assert_eq!(rep.reviews.read, 5000);
    assert!(rep.indexed > 1000, "{}", rep.reviews);
    assert_eq!(rep.reviews.skipped.get("bad date"), None, "{}", rep.reviews);
    let listed = rejects(&dir.path().join("rejects.jsonl")).len() as u64;
    assert_eq!(
        listed,
        rep.reviews.skipped_total() + rep.reviews.excluded_total() + rep.businesses.skipped_total(),
        "every line not indexed is listed"
    );

    // Real review text (issue 22): "ice cream" finds, first, the places whose reviews
    // say the phrase, in each zipcode of the sample that has one.
    let index = Index::open(&idx).unwrap();
    for (zip, place) in [("37201", "Mike's Ice Cream"), ("70115", "Creole Creamery")] {
        let res = index
            .search(&SearchRequest::new("ice cream").zip(zip))
            .unwrap();
        let first = res.results.first().map(|h| h.business.name.as_str());
        assert_eq!(first, Some(place), "ice cream in {zip}");
    }
    drop(index);

    // cb1_*: no postal codes at all: refused, saying why.
    let e = build_index(
        &f("cb1_business.json.gz"),
        &f("cb1_review.json.gz"),
        &dir.path().join("cb1"),
        &opts_with_rejects(dir.path()),
    )
    .unwrap_err();
    assert!(
        e.to_string().contains("business has no postal code: 5000"),
        "{e}"
    );
    assert!(!dir.path().join("cb1").exists());

    // sh_business: the old schema is read; postal codes come from full_address.
    let (list, rep) = read_businesses(&f("sh_business.json.gz"), false).unwrap();
    eprintln!("sh: businesses {rep}");
    assert_eq!(rep.accepted, rep.read, "{rep}");
    let with_zip = list.iter().filter(|b| !b.postal_code.is_empty()).count();
    assert!(
        with_zip * 10 > list.len() * 9,
        "{with_zip} of {}",
        list.len()
    );
}
