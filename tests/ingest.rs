//! Bad input: every bad line is reported with its line number and skipped; the good
//! ones land; --strict stops at the first.

mod common;

use common::*;
use yelpsearch::{build_index, BuildOptions};
use yelpsearch::{Error, Index};

#[test]
fn bad_lines_are_counted_by_reason_and_good_lines_land() {
    let dir = tempfile::tempdir().unwrap();
    let b = dir.path().join("business.json");
    let r = dir.path().join("review.json.gz");
    write_lines(
        &b,
        &[
            business_line("b1", "Luigi's", "61820-1234"),
            b"{not json".to_vec(),
            business_line("b2", "Nozip", ""),
        ],
    );
    let mut lines = vec![];
    for i in 0..20 {
        lines.push(review_line(
            &format!("ok{i}"),
            "b1",
            5.0,
            "2018-05-01 12:00:00",
            "Great pasta, truly.",
        ));
    }
    lines.push(b"{\"review_id\": ".to_vec()); // 21: not JSON
    lines.push(br#"{"business_id":"b1","stars":4,"text":"x","date":"2018-01-01"}"#.to_vec()); // 22: missing field
    lines.push(
        br#"{"review_id":"w","business_id":"b1","stars":"4","text":"x","date":"2018-01-01"}"#
            .to_vec(),
    ); // 23
    lines.push(review_line(
        "u",
        "nobody",
        4.0,
        "2018-01-01 00:00:00",
        "pasta",
    )); // 24: unknown business
    lines.push(review_line("d", "b1", 4.0, "2018-02-30 00:00:00", "pasta")); // 25: bad date
    lines.push(review_line("e", "b1", 4.0, "2018-01-01 00:00:00", "   ")); // 26: empty text
    lines.push(b"{\"review_id\":\"x\xff\"}".to_vec()); // 27: invalid UTF-8
    lines.push(format!("{{\"text\":\"{}\"}}", "a".repeat(2 << 20)).into_bytes()); // 28: too long
    lines.push(review_line("ok0", "b1", 5.0, "2018-05-01 12:00:00", "dup")); // 29: duplicate
    lines.push(review_line("z", "b2", 4.0, "2018-01-01 00:00:00", "pasta")); // 30: business without zip
    lines.push(review_line(
        "late",
        "b1",
        4.0,
        "2020-01-01 00:00:00",
        "pasta",
    )); // 31: after --until
    let mut gz = flate2::write::GzEncoder::new(
        std::fs::File::create(&r).unwrap(),
        flate2::Compression::fast(),
    );
    for l in &lines {
        std::io::Write::write_all(&mut gz, l).unwrap();
        std::io::Write::write_all(&mut gz, b"\n").unwrap();
    }
    gz.finish().unwrap();
    let idx = dir.path().join("idx");
    let opts = BuildOptions {
        until: yelpsearch::Day::parse("2019-01-01"),
        memory_mb: 32,
        ..BuildOptions::default()
    };
    let rep = build_index(&b, &r, &idx, &opts).unwrap();
    assert_eq!(
        (
            rep.businesses.read,
            rep.businesses.accepted,
            rep.businesses.skipped_total()
        ),
        (3, 2, 1)
    );
    assert_eq!(rep.reviews.read, 31);
    assert_eq!(rep.indexed, 20);
    assert_eq!(
        rep.reviews.excluded_total(),
        2,
        "{:?}",
        rep.reviews.excluded
    );
    let want = [
        ("bad date", 1),
        ("duplicate review_id", 1),
        ("empty text", 1),
        ("invalid UTF-8", 1),
        ("line too long", 1),
        ("missing field", 1),
        ("not JSON", 1),
        ("unknown business", 1),
        ("wrong type", 1),
    ];
    let got: Vec<(&str, u64)> = rep
        .reviews
        .skipped
        .iter()
        .map(|(k, v)| (k.as_str(), *v))
        .collect();
    let mut want_sorted = want.to_vec();
    want_sorted.sort();
    assert_eq!(got, want_sorted);
    let lines_reported: Vec<u64> = rep.reviews.issues.iter().map(|i| i.line).collect();
    assert_eq!(lines_reported, (21..=30).collect::<Vec<u64>>());
    let last = rep.reviews.issues.last().unwrap();
    assert_eq!(
        (last.kind, last.category.as_str()),
        (
            yelpsearch::IssueKind::LeftOut,
            "business has no postal code"
        ),
        "a review whose business has no postal code is listed, as left out"
    );
    let index = Index::open(&idx).unwrap();
    assert_eq!(index.stats().reviews, 20);
    assert_eq!(
        index
            .search(&yelpsearch::SearchRequest::new("61820 pasta"))
            .unwrap()
            .results
            .len(),
        1
    );

    // --strict: the first bad line is an error naming it.
    let strict = BuildOptions {
        strict: true,
        ..opts
    };
    match build_index(&b, &r, &dir.path().join("idx2"), &strict) {
        Err(Error::BadLine { line, .. }) => {
            assert_eq!(line, 2, "business.json line 2 is the first bad line")
        }
        other => panic!("expected a BadLine error, got {other:?}"),
    }
}

#[test]
fn missing_files_and_foreign_directories_are_clear_errors() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("nope.json");
    let e = build_index(
        &missing,
        &missing,
        &dir.path().join("i"),
        &BuildOptions::default(),
    )
    .unwrap_err();
    assert!(matches!(e, Error::Io { .. }), "{e}");
    assert!(e.to_string().contains("nope.json"));
    assert!(matches!(
        Index::open(dir.path().join("absent")),
        Err(Error::IndexNotFound { .. })
    ));
    std::fs::write(dir.path().join("x.txt"), "hello").unwrap();
    let e = Index::open(dir.path()).err().unwrap();
    assert!(matches!(e, Error::IndexNotFound { .. }), "{e}");
    std::fs::write(dir.path().join("CURRENT"), "v000009\n").unwrap();
    assert!(matches!(
        Index::open(dir.path()),
        Err(Error::IndexCorrupt { .. })
    ));
}
