//! Search behaviour on real indexes: planted truths, zip isolation, phrases, folding.

mod common;

use common::*;
use yelpsearch::{build_index, BuildOptions};
use yelpsearch::{Error, Index, SearchRequest};

/// The fixture's postal codes, each once, sorted.
fn zipcodes(f: &Fixture) -> Vec<&str> {
    let mut zips: Vec<&str> = f
        .truth
        .businesses
        .iter()
        .map(|b| b.postal_code.as_str())
        .collect();
    zips.sort();
    zips.dedup();
    zips
}

/// (zip, dish) pairs whose planted best business is clearly better than the runner-up.
fn clear_pairs(f: &Fixture) -> Vec<(String, String, String)> {
    let mut out = Vec::new();
    let zips = zipcodes(f);
    for dish in [
        "pizza", "pasta", "sushi", "tacos", "burger", "ramen", "coffee", "salad",
    ] {
        for &zip in &zips {
            let mut q: Vec<(f32, &str)> = f
                .truth
                .businesses
                .iter()
                .filter(|b| b.postal_code == zip)
                .filter_map(|b| b.quality.get(dish).map(|q| (*q, b.business_id.as_str())))
                .collect();
            q.sort_by(|a, b| b.0.total_cmp(&a.0));
            if q.len() >= 3 && q[0].0 - q[1].0 > 0.15 {
                out.push((zip.to_string(), dish.to_string(), q[0].1.to_string()));
            }
        }
    }
    out
}

#[test]
fn planted_best_is_found_and_zip_never_leaks() {
    let f = fixture();
    let index = Index::open(&f.index).unwrap();
    let pairs = clear_pairs(f);
    assert!(
        pairs.len() >= 10,
        "the fixture has too few clear pairs: {}",
        pairs.len()
    );
    let (mut found, mut misses) = (0, Vec::new());
    for (zip, dish, best) in &pairs {
        // Retrieval, not ranking (tests/ranking.rs judges the order): every business
        // with a matching review, and no related places.
        let res = index
            .search(
                &SearchRequest::new(format!("{dish} in {zip}"))
                    .limit(1000)
                    .related(false),
            )
            .unwrap();
        assert_eq!(&res.zip, zip);
        // With related(false), every hit is a match with evidence (the related places'
        // order is tested in related_businesses_follow_the_matches).
        for h in &res.results {
            assert_eq!(&h.business.postal_code, zip, "result from another zipcode");
            assert!(h.matches >= 1 && !h.snippets.is_empty() && h.snippets.len() <= 3);
            assert!(
                h.snippets.iter().all(|s| s.text.contains("<mark>")),
                "{:?}",
                h.snippets
            );
        }
        if res.results.iter().any(|h| &h.business.business_id == best) {
            found += 1;
        } else {
            let all = index
                .search(&SearchRequest::new(format!("{dish} in {zip}")).limit(1000))
                .unwrap();
            let at = all
                .results
                .iter()
                .position(|h| &h.business.business_id == best);
            misses.push((zip.clone(), dish.clone(), at, all.results.len()));
        }
    }
    // Every planted best whose reviews name the dish is found; a champion with no
    // review naming it yet cannot be.
    let share = found as f64 / pairs.len() as f64;
    assert!(
        share >= 0.9,
        "planted best among the results for only {found} of {} pairs; misses (zip, dish, rank, results): {misses:?}",
        pairs.len()
    );
}

#[test]
fn query_forms_agree() {
    let f = fixture();
    let index = Index::open(&f.index).unwrap();
    let (zip, dish, _) = clear_pairs(f).into_iter().next().unwrap();
    let ids = |q: SearchRequest| -> Vec<String> {
        index
            .search(&q)
            .unwrap()
            .results
            .into_iter()
            .map(|h| h.business.business_id.clone())
            .collect()
    };
    let a = ids(SearchRequest::new(format!("{zip} {dish}")));
    assert!(!a.is_empty());
    assert_eq!(a, ids(SearchRequest::new(format!("{dish} near {zip}"))));
    assert_eq!(a, ids(SearchRequest::new(dish.clone()).zip(zip.clone())));
    assert_eq!(a, ids(SearchRequest::new(dish.to_uppercase()).zip(zip)));
}

#[test]
fn bad_queries_are_clear_errors() {
    let f = fixture();
    let index = Index::open(&f.index).unwrap();
    assert!(matches!(
        index.search(&SearchRequest::new("pasta")),
        Err(Error::Query(_))
    ));
    assert!(matches!(
        index.search(&SearchRequest::new("61820")),
        Err(Error::Query(_))
    ));
    assert!(matches!(
        index.search(&SearchRequest::new("pasta 00001")),
        Err(Error::UnknownZip(_))
    ));
    assert!(matches!(
        index.search(&SearchRequest::new("pasta 61820").limit(0)),
        Err(Error::Query(_))
    ));
}

#[test]
fn phrases_folding_and_escaping() {
    let dir = tempfile::tempdir().unwrap();
    let b = dir.path().join("business.json");
    let r = dir.path().join("review.json");
    write_lines(
        &b,
        &[
            business_line("b1", "Deep Place", "60614"),
            business_line("b2", "Dish Deep", "60614"),
            business_line("b3", "Other Zip", "61820"),
        ],
    );
    write_lines(
        &r,
        &[
            review_line(
                "r1",
                "b1",
                5.0,
                "2019-01-01 10:00:00",
                "The deep dish was wonderful.",
            ),
            review_line(
                "r2",
                "b2",
                4.0,
                "2019-01-02 10:00:00",
                "A dish so deep, and crème brûlée to die for.",
            ),
            review_line(
                "r3",
                "b3",
                5.0,
                "2019-01-03 10:00:00",
                "Best deep dish in town <script>alert(1)</script>",
            ),
        ],
    );
    let idx = dir.path().join("idx");
    build_index(
        &b,
        &r,
        &idx,
        &BuildOptions {
            memory_mb: 32,
            ..BuildOptions::default()
        },
    )
    .unwrap();
    let index = Index::open(&idx).unwrap();
    let ids = |q: &str| -> Vec<String> {
        let mut v: Vec<String> = index
            .search(&SearchRequest::new(q).related(false).nearby(false))
            .unwrap()
            .results
            .into_iter()
            .map(|h| h.business.business_id.clone())
            .collect();
        v.sort();
        v
    };
    assert_eq!(ids("\"deep dish\" 60614"), ["b1"]);
    // The other zipcode's place (at the same spot) follows when nearby places may.
    let near = index
        .search(&SearchRequest::new("\"deep dish\" 60614").related(false))
        .unwrap();
    let got: Vec<(&str, Option<f32>)> = near
        .results
        .iter()
        .map(|h| (h.business.business_id.as_str(), h.distance_km))
        .collect();
    assert_eq!(got, [("b1", None), ("b3", Some(0.0))]);
    assert_eq!(near.interpretation.nearby.len(), 1);
    assert_eq!(near.interpretation.nearby[0].zip, "61820");
    assert_eq!(ids("deep dish 60614"), ["b1", "b2"]);
    assert_eq!(ids("creme brulee 60614"), ["b2"]);
    assert_eq!(ids("CRÈME BRÛLÉE in 60614"), ["b2"]);
    let res = index
        .search(&SearchRequest::new("deep dish 61820"))
        .unwrap();
    let text = &res.results[0].snippets[0].text;
    assert!(
        text.contains("&lt;script&gt;") && !text.contains("<script>"),
        "{text}"
    );
    assert!(
        text.contains("<mark>deep</mark> <mark>dish</mark>"),
        "{text}"
    );
}

#[test]
fn related_businesses_follow_the_matches() {
    let dir = tempfile::tempdir().unwrap();
    let b = dir.path().join("business.json");
    let r = dir.path().join("review.json");
    write_lines(
        &b,
        &[
            business_line_in("it1", "Luigi's", "60614", "Restaurants, Italian"),
            business_line_in("it2", "Mario's", "60614", "Italian"),
            business_line_in("car", "Fast Garage", "60614", "Automotive"),
            business_line_in("it3", "Elsewhere", "61820", "Italian"),
        ],
    );
    let day = "2019-01-01 10:00:00";
    write_lines(
        &r,
        &[
            review_line("r1", "it1", 5.0, day, "The pasta was superb."),
            review_line("r2", "it2", 4.0, day, "Lovely wine list and kind staff."),
            review_line("r3", "car", 5.0, day, "Quick oil change, fair price."),
            review_line("r4", "it3", 4.0, day, "Nice wine, cosy room."),
        ],
    );
    let idx = dir.path().join("idx");
    build_index(&b, &r, &idx, &BuildOptions::default()).unwrap();
    let index = Index::open(&idx).unwrap();
    let res = index.search(&SearchRequest::new("pasta 60614")).unwrap();
    let got: Vec<(&str, u32, usize)> = res
        .results
        .iter()
        .map(|h| (h.business.business_id.as_str(), h.matches, h.snippets.len()))
        .collect();
    // The other Italian place of the zipcode follows the match, without evidence; the
    // garage (no kin among the matches) and the Italian place of another zipcode do not.
    assert_eq!(got, [("it1", 1, 1), ("it2", 0, 0)]);
    assert!(res.results[0].score > res.results[1].score);
    let only = index
        .search(&SearchRequest::new("pasta 60614").related(false))
        .unwrap();
    assert_eq!(only.results.len(), 1);
    let limited = index
        .search(&SearchRequest::new("pasta 60614").limit(1))
        .unwrap();
    assert_eq!(limited.results[0].business.business_id, "it1");
    assert_eq!(limited.results.len(), 1);
    // No match, no kin: nothing to offer.
    let none = index.search(&SearchRequest::new("sushi 60614")).unwrap();
    assert!(none.results.is_empty());
}

/// A build whose writer fills its memory budget several times keeps its segments (one
/// writer writes them in zipcode order, so nothing needs merging), and so does a build
/// of several writers (each writes its own range of zipcodes); both answer exactly as a
/// build in one segment: same businesses, scores, counts, sentiment and snippets.
#[test]
fn an_index_in_several_segments_answers_as_one() {
    let f = fixture();
    let dir = tempfile::tempdir().unwrap();
    let build_with = |name: &str, memory_mb: usize, threads: usize| {
        let at = dir.path().join(name);
        let opts = BuildOptions {
            memory_mb,
            threads,
            train_ranker: false,
            ..BuildOptions::default()
        };
        build_index(&f.business, &f.reviews, &at, &opts).unwrap();
        at
    };
    let build = |name: &str, memory_mb: usize| build_with(name, memory_mb, 1);
    let (one, several) = (build("one", 1024), build("several", 16));
    let parts = build_with("parts", 1024, 3);
    let segments = |at: &std::path::Path| {
        let current = std::fs::read_to_string(at.join("CURRENT")).unwrap();
        tantivy::Index::open_in_dir(at.join("versions").join(current.trim()))
            .unwrap()
            .searchable_segment_ids()
            .unwrap()
            .len()
    };
    assert_eq!(segments(&one), 1);
    assert!(segments(&several) > 1, "the small budget should flush");
    assert_eq!(segments(&parts), 3, "one segment per writer");
    // The parts combined into one index keep the build's document-store blocks.
    for at in [&one, &parts] {
        let current = std::fs::read_to_string(at.join("CURRENT")).unwrap();
        let index = tantivy::Index::open_in_dir(at.join("versions").join(current.trim())).unwrap();
        assert_eq!(
            index.settings().docstore_blocksize,
            yelpsearch::DOCSTORE_BLOCK_BYTES
        );
    }
    // The shared fixture is built the same way, so every test on it sees several segments.
    assert!(segments(&f.index) > 1);
    // Visited in scan order, the segments hold the reviews in the build's order, as the
    // one segment does: what a search adds up comes in the same order.
    let scanned_in_build_order = |at: &std::path::Path| {
        let snap = yelpsearch::Snapshot::open_current(at).unwrap();
        let mut keys = Vec::new();
        for &i in &snap.scan_order {
            let (seg, reader) = (&snap.segments[i], snap.searcher.segment_reader(i as u32));
            for doc in 0..reader.max_doc() {
                let row = seg.rows.get(doc);
                keys.push((snap.table.zip_of(row.biz), row.biz, row.day));
            }
        }
        keys.is_sorted()
    };
    assert!(
        scanned_in_build_order(&several),
        "segments visited out of build order"
    );
    assert!(
        scanned_in_build_order(&parts),
        "segments visited out of build order"
    );
    // The same update on both: a few reviews edited (a new word in their text) and a
    // few added, so that a version of several segments gains one more and loses
    // documents from the old ones.
    let lines = gz_lines(&f.reviews);
    let mut update = Vec::new();
    for (k, line) in lines.iter().step_by(997).enumerate() {
        let mut v: serde_json::Value = serde_json::from_slice(line).unwrap();
        let text = format!(
            "{} The zorblat pasta was great.",
            v["text"].as_str().unwrap()
        );
        v["text"] = text.into();
        update.push(serde_json::to_vec(&v).unwrap());
        if k % 2 == 0 {
            v["review_id"] = format!("multi-segment-new-{k:04}").into();
            v["date"] = "2024-01-02 10:00:00".into();
            update.push(serde_json::to_vec(&v).unwrap());
        }
    }
    let update_file = dir.path().join("update.jsonl");
    write_lines(&update_file, &update);
    // Every zipcode, the ones a segment boundary cuts through among them.
    let zips = zipcodes(f);
    let compare = |one: &Index, several: &Index| {
        let mut compared = 0;
        for &zip in &zips {
            for dish in ["pizza", "pasta", "coffee", "tacos", "service", "zorblat"] {
                let req = SearchRequest::new(dish).zip(zip).limit(1000);
                match (one.search(&req), several.search(&req)) {
                    (Ok(mut a), Ok(mut b)) => {
                        (a.took_ms, b.took_ms) = (0.0, 0.0);
                        assert_eq!(a, b, "{dish} in {zip}");
                        compared += a.results.len();
                    }
                    // Postal codes no search accepts (empty, say) fail alike.
                    (Err(a), Err(b)) => assert_eq!(a.to_string(), b.to_string()),
                    (a, b) => panic!("{dish} in {zip}: {a:?} against {b:?}"),
                }
            }
        }
        assert!(compared > 500, "compared only {compared} results");
    };
    let (a, b) = (Index::open(&one).unwrap(), Index::open(&several).unwrap());
    compare(&a, &b);
    compare(&a, &Index::open(&parts).unwrap());
    let opts = BuildOptions {
        threads: 1,
        ..BuildOptions::default()
    };
    let mut changed = 0;
    for at in [&one, &several] {
        let r = yelpsearch::update_index(at, &update_file, None, &opts).unwrap();
        assert!(r.added > 0 && r.replaced > 0, "{r:?}");
        changed = r.added + r.replaced;
    }
    assert!(segments(&several) > 2);
    let (a, b) = (Index::open(&one).unwrap(), Index::open(&several).unwrap());
    compare(&a, &b);
    // Every review the update wrote holds the new word, and is found once.
    let mut zorblat = 0;
    for &zip in &zips {
        let req = SearchRequest::new("zorblat")
            .zip(zip)
            .limit(1000)
            .related(false);
        if let Ok(res) = b.search(&req) {
            zorblat += res.results.iter().map(|h| h.matches as u64).sum::<u64>();
        }
    }
    assert_eq!(zorblat, changed);
}

/// The rows a search reads of each document hold exactly what the index's fast fields
/// and field norms hold, in every segment of the several-segment fixture, and each row's
/// business lies in the zipcode whose run holds the document.
#[test]
fn doc_rows_hold_what_the_fast_fields_hold() {
    use yelpsearch::field_names as names;
    let f = fixture();
    let snap = yelpsearch::Snapshot::open_current(&f.index).unwrap();
    assert!(snap.segments.len() > 1);
    let mut checked = 0usize;
    for (i, seg) in snap.segments.iter().enumerate() {
        let sr = snap.searcher.segment_reader(i as u32);
        let ff = sr.fast_fields();
        let (biz, day) = (ff.u64(names::BIZ).unwrap(), ff.i64(names::DAY).unwrap());
        let (stars, useful) = (
            ff.u64(names::STARS).unwrap(),
            ff.u64(names::USEFUL).unwrap(),
        );
        let norms = sr.get_fieldnorms_reader(snap.fields.text).unwrap();
        assert_eq!(seg.rows.len(), sr.max_doc() as usize);
        assert!(seg.rows.packed(), "the fixture's rows fit in 8 bytes");
        for d in 0..sr.max_doc() {
            let row = seg.rows.get(d);
            assert_eq!(Some(row.biz as u64), biz.first(d));
            assert_eq!(Some(row.day as i64), day.first(d));
            assert_eq!(Some(row.stars as u64), stars.first(d));
            assert_eq!(Some(row.useful as u64), useful.first(d));
            assert_eq!(row.norm, norms.fieldnorm_id(d));
            checked += 1;
        }
        for (&zip, runs) in &seg.zip_runs {
            for &(start, end) in runs {
                for doc in start..end {
                    assert_eq!(snap.table.zip_of(seg.rows.get(doc).biz), zip);
                }
            }
        }
    }
    let docs: u32 = snap
        .searcher
        .segment_readers()
        .iter()
        .map(|s| s.max_doc())
        .sum();
    assert_eq!(checked, docs as usize);
    // Not every review is alike: the rows are not all one default value.
    let first = snap.segments[0].rows.get(0);
    assert!(snap
        .segments
        .iter()
        .flat_map(|s| (0..s.rows.len() as u32).map(|d| s.rows.get(d)))
        .any(|r| r != first));
}
