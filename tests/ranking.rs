//! Ranking quality against the generator's hidden truth: the learned ranker (with the
//! aspect sentiment of the sentences that name the dish) must beat BM25-only.

mod common;

use common::*;
use yelpsearch::ndcg_at;
use yelpsearch::{Index, RankMode, SearchRequest, Sentiment};

/// Mean NDCG@10 over every (zip, dish) with at least 5 businesses serving the dish,
/// graded by the planted quality (0-3).
fn ndcg_against_truth(index: &Index, f: &Fixture, mode: RankMode) -> (f64, usize) {
    let mut zips: Vec<&str> = f
        .truth
        .businesses
        .iter()
        .map(|b| b.postal_code.as_str())
        .filter(|z| !z.is_empty())
        .collect();
    zips.sort();
    zips.dedup();
    let (mut total, mut n) = (0.0, 0usize);
    for dish in &f.truth.dishes {
        for &zip in &zips {
            let graded: Vec<(&str, u8)> = f
                .truth
                .businesses
                .iter()
                .filter(|b| b.postal_code == zip)
                .filter_map(|b| {
                    b.quality
                        .get(dish)
                        .map(|q| (b.business_id.as_str(), (q * 3.99).floor() as u8))
                })
                .collect();
            if graded.len() < 5 || dish.contains(' ') {
                continue;
            }
            let mut req = SearchRequest::new(dish.clone()).zip(zip).limit(100);
            req.snippets = 0;
            req.mode = mode;
            let Ok(res) = index.search(&req) else {
                continue;
            };
            if res.results.len() < 2 {
                continue;
            }
            let scores: Vec<f32> = (0..res.results.len()).map(|i| -(i as f32)).collect();
            let labels: Vec<u8> = res
                .results
                .iter()
                .map(|h| {
                    graded
                        .iter()
                        .find(|g| g.0 == h.business.business_id)
                        .map_or(0, |g| g.1)
                })
                .collect();
            let missing: Vec<u8> = graded
                .iter()
                .filter(|g| !res.results.iter().any(|h| h.business.business_id == g.0))
                .map(|g| g.1)
                .collect();
            total += ndcg_at(&scores, &labels, &missing, 10);
            n += 1;
        }
    }
    (total / n.max(1) as f64, n)
}

#[test]
fn learned_ranker_beats_bm25_on_planted_quality() {
    let f = fixture();
    let index = Index::open(&f.index).unwrap();
    assert_learned_beats_bm25(&index, f, "the build's grades");
}

/// The index serves a learned ranker, and it beats BM25 by 0.02 NDCG@10 against the
/// planted truth over at least 30 queries.
fn assert_learned_beats_bm25(index: &Index, f: &Fixture, what: &str) {
    let info = index.model_info();
    assert_eq!(
        info.kind, "lambdamart",
        "the fixture is big enough to learn a ranker: {:?}",
        info.fallback_reason
    );
    let (learned, n) = ndcg_against_truth(index, f, RankMode::Model);
    let (bm25, _) = ndcg_against_truth(index, f, RankMode::Bm25);
    eprintln!(
        "{what}: NDCG@10 against the planted truth over {n} queries: learned {learned:.4}, BM25 {bm25:.4}"
    );
    assert!(n >= 30, "too few truth queries: {n}");
    assert!(
        learned > bm25 + 0.02,
        "learned {learned:.4} does not beat BM25 {bm25:.4} by 0.02"
    );
}

#[test]
fn verdict_grades_train_a_ranker_that_beats_bm25_on_planted_quality() {
    // `model train --grades verdict`: the quality grades of the places whose later
    // reviews judge the dish, a mention in passing counting for nothing.
    use yelpsearch::{Grades, TrainOptions};
    let f = fixture();
    let dir = tempfile::tempdir().unwrap();
    let idx = dir.path().join("index");
    copy_dir(&f.index, &idx);
    let opts = TrainOptions {
        grades: Grades::Verdict,
        ..TrainOptions::default()
    };
    yelpsearch::retrain_with(&idx, &opts, true).unwrap();
    let index = Index::open(&idx).unwrap();
    let grades = index.snapshot().model.grades.clone().unwrap_or_default();
    assert!(grades.starts_with("verdict:"), "{grades}");
    assert_learned_beats_bm25(&index, f, "the verdict grades");
}

#[test]
fn training_is_deterministic_and_model_files_round_trip() {
    let f = fixture();
    let index = Index::open(&f.index).unwrap();
    let snap = index.snapshot();
    let path = snap.dir.join("model.json");
    let m = yelpsearch::ModelFile::load(&path).unwrap();
    let again = yelpsearch::train_on_snapshot(&snap, m.clone(), &Default::default())
        .unwrap()
        .model;
    assert_eq!(again.ranker, m.ranker, "same data and seed, same trees");
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("model.json");
    m.save(&p).unwrap();
    let back = yelpsearch::ModelFile::load(&p).unwrap();
    assert_eq!(back.content_hash, m.content_hash);
    // A corrupt file and a mismatched one are refused with a clear error.
    let text = std::fs::read_to_string(&p).unwrap();
    std::fs::write(&p, text.replacen("\"bm25_max\"", "\"bm25_mean\"", 1)).unwrap();
    let e = yelpsearch::ModelFile::load(&p).unwrap_err().to_string();
    assert!(e.contains("hash") || e.contains("features"), "{e}");
    std::fs::write(&p, "{ not json").unwrap();
    assert!(yelpsearch::ModelFile::load(&p)
        .unwrap_err()
        .to_string()
        .contains("not a model file"));
}

#[test]
fn a_corrupt_model_falls_back_and_still_serves() {
    let f = make_fixture(200, 8_000, 3);
    let index = Index::open(&f.index).unwrap();
    let model = index.snapshot().dir.join("model.json");
    std::fs::write(&model, b"garbage").unwrap();
    let index = Index::open(&f.index).unwrap();
    assert!(index.model_info().fallback);
    assert!(index.model_error().unwrap().contains("not a model file"));
    let zip = index.snapshot().table.zips()[0].clone();
    assert!(!index
        .search(&SearchRequest::new("pizza").zip(zip))
        .unwrap()
        .results
        .is_empty());
}

#[test]
fn a_model_for_other_features_keeps_its_text_model_through_retraining() {
    use yelpsearch::ModelFile;
    let f = make_fixture(200, 8_000, 5);
    let path = Index::open(&f.index)
        .unwrap()
        .snapshot()
        .dir
        .join("model.json");
    let good = ModelFile::load(&path).unwrap();
    let weights = |m: &ModelFile| m.text_model.as_ref().map(|t| (t.bias, t.weights.clone()));
    assert!(good.text_model.is_some());
    // As a newer yelpsearch would have written it: a feature this one does not
    // compute, sound otherwise.
    let mut other = good.clone();
    other.features.push("from_a_newer_yelpsearch".into());
    other.seal();
    other.save(&path).unwrap();
    let e = ModelFile::load(&path).unwrap_err().to_string();
    assert!(e.contains("expects features"), "{e}");
    let index = Index::open(&f.index).unwrap();
    assert!(index.model_info().fallback, "the ranker is refused");
    assert_eq!(
        weights(&index.snapshot().model),
        weights(&good),
        "the text model is kept"
    );
    // Weekly retraining starts from it and keeps it.
    yelpsearch::retrain_with(&f.index, &Default::default(), true).unwrap();
    let index = Index::open(&f.index).unwrap();
    assert_eq!(weights(&index.snapshot().model), weights(&good));
    assert!(index.model_error().is_none());
}

/// The session's index with new places in its first zipcode: `places` are (id, name)
/// of Italian restaurants, `reviews` (review id, business id, stars, text) dated the
/// index's last day; applied as an update without retraining. Returns the index, its
/// zipcode and the directory holding it.
fn with_new_places(
    places: &[(&str, &str)],
    reviews: &[(String, &str, f64, &str)],
) -> (tempfile::TempDir, Index, String) {
    use yelpsearch::{update_index, BuildOptions};
    let f = fixture();
    let dir = tempfile::tempdir().unwrap();
    let idx = dir.path().join("index");
    copy_dir(&f.index, &idx);
    let snap = Index::open(&idx).unwrap().snapshot();
    let zip = snap.table.zips()[0].clone();
    let day = format!("{} 12:00:00", yelpsearch::Day(snap.now));
    drop(snap);
    let biz = dir.path().join("business.json");
    let lines: Vec<Vec<u8>> = places
        .iter()
        .map(|(id, name)| business_line_in(id, name, &zip, "Restaurants, Italian"))
        .collect();
    write_lines(&biz, &lines);
    let file = dir.path().join("review.json");
    let lines: Vec<Vec<u8>> = reviews
        .iter()
        .map(|(id, b, stars, text)| review_line(id, b, *stars, &day, text))
        .collect();
    write_lines(&file, &lines);
    let opts = BuildOptions {
        memory_mb: 64,
        train_ranker: false,
        ..BuildOptions::default()
    };
    update_index(&idx, &file, Some(&biz), &opts).unwrap();
    (dir, Index::open(&idx).unwrap(), zip)
}

/// Reviews (4 stars each, dated as [`with_new_places`] dates them) of two places: the
/// i-th text of each in turn.
fn paired_reviews<'a>(
    (a, a_texts): (&'a str, &[&'a str]),
    (b, b_texts): (&'a str, &[&'a str]),
) -> Vec<(String, &'a str, f64, &'a str)> {
    let mut reviews = Vec::new();
    for (i, (ta, tb)) in a_texts.iter().zip(b_texts).enumerate() {
        reviews.push((format!("{a}{i}"), a, 4.0, *ta));
        reviews.push((format!("{b}{i}"), b, 4.0, *tb));
    }
    reviews
}

/// The rank and sentiment of each of `ids` among every place of `zip` whose reviews
/// match "gnocchi" (the zipcode has more than a page of them: the tests are about these
/// places' order, not about the first page).
fn gnocchi_ranks(index: &Index, zip: &str, ids: [&str; 2]) -> [(usize, Sentiment); 2] {
    let res = index
        .search(
            &SearchRequest::new("gnocchi")
                .zip(zip)
                .related(false)
                .limit(1000),
        )
        .unwrap();
    ids.map(|id| {
        let i = res
            .results
            .iter()
            .position(|h| h.business.business_id == id)
            .unwrap_or_else(|| panic!("{id} matches: {:?}", res.results));
        let s = res.results[i].sentiment.clone();
        (i, s.unwrap_or_else(|| panic!("{id}'s sentences are read")))
    })
}

#[test]
fn praise_outranks_a_mention_in_passing() {
    // Two new places of one zipcode, alike in all but what their reviews say about
    // the gnocchi: praise at one, a mention in passing (no verdict) at the other.
    let praise = [
        "The gnocchi was incredible, perfectly cooked. Parking was easy.",
        "Best gnocchi I have had in years. We sat by the window.",
        "I still dream about the gnocchi. The room was loud.",
    ];
    let passing = [
        "My friend swears by the gnocchi at another place. Parking was easy.",
        "I wish they had gnocchi. We sat by the window.",
        "Someone at the next table ordered gnocchi. The room was loud.",
    ];
    let reviews = paired_reviews(("praised", &praise), ("passing", &passing));
    let (_dir, index, zip) =
        with_new_places(&[("praised", "Praised"), ("passing", "Passing")], &reviews);
    assert!(!index.model_info().fallback, "the learned ranker is in use");
    let [(pi, ps), (mi, ms)] = gnocchi_ranks(&index, &zip, ["praised", "passing"]);
    assert!(pi < mi, "praise at {pi}, the mention in passing at {mi}");
    assert!(ps.positive >= 2 && ms.positive == 0, "{ps:?} {ms:?}");
}

#[test]
fn praise_of_another_places_dish_is_no_praise_of_this_one() {
    // A sentence that names another business of the index judges that one's dish:
    // "the gnocchi at Trattoria Milano is incredible", in a review of Elsewhere Kitchen,
    // says nothing of Elsewhere Kitchen's gnocchi.
    let praise = [
        "The gnocchi was incredible. Parking was easy.",
        "Best gnocchi I have had in years. We sat by the window.",
        "I still dream about the gnocchi. The room was loud.",
    ];
    let elsewhere = [
        "The gnocchi at Trattoria Milano is incredible. Parking was easy.",
        "Best gnocchi I have had in years was at Trattoria Milano. We sat by the window.",
        "I still dream about the gnocchi at Trattoria Milano. The room was loud.",
    ];
    let reviews = paired_reviews(("praised", &praise), ("elsewhere", &elsewhere));
    let (_dir, index, zip) = with_new_places(
        &[
            ("praised", "Praised Place"),
            ("elsewhere", "Elsewhere Kitchen"),
            ("milano", "Trattoria Milano"),
        ],
        &reviews,
    );
    let [(pi, ps), (ei, es)] = gnocchi_ranks(&index, &zip, ["praised", "elsewhere"]);
    assert!(ps.positive >= 2, "{ps:?}");
    assert_eq!((es.positive, es.negative), (0, 0), "{es:?}");
    assert!(
        pi < ei,
        "praise at {pi}, praise of another place's dish at {ei}"
    );
}

/// "N matching reviews · M praise it" counts reviews: a review that praises the dish in
/// two sentences is one review that praises it (it counted clauses).
#[test]
fn praise_is_counted_in_reviews_not_sentences() {
    let text = "The gnocchi was incredible, perfectly cooked. Best gnocchi I have had in \
                years. I still dream about the gnocchi.";
    let (_dir, index, zip) =
        with_new_places(&[("twice", "Twice")], &[("t0".into(), "twice", 5.0, text)]);
    let res = index
        .search(&SearchRequest::new("gnocchi").zip(zip).related(false))
        .unwrap();
    let hit = res
        .results
        .iter()
        .find(|h| h.business.business_id == "twice")
        .expect("the place matches");
    assert_eq!(hit.matches, 1);
    let s = hit.sentiment.as_ref().expect("its sentences are read");
    assert_eq!((s.positive, s.negative), (1, 0), "{s:?}");
    assert!(s.mean > 0.3 && s.mean <= 1.0, "{s:?}");
}

/// Training draws its queries as the first eligible (zipcode, term) pairs in a seeded
/// hash order, and stops looking once it has enough: a small draw is the start of a
/// larger one, in the same order, with the same features and grades.
#[test]
fn a_small_query_draw_is_the_start_of_a_large_one() {
    use yelpsearch::Snapshot;
    use yelpsearch::{labelled_queries, TrainOptions};
    let f = fixture();
    let snap = Snapshot::open_current(&f.index).unwrap();
    let draw = |max_queries: usize| {
        let opts = TrainOptions {
            max_queries,
            ..TrainOptions::default()
        };
        labelled_queries(&snap, &opts).unwrap().0
    };
    let (small, large) = (draw(40), draw(100_000));
    // Term queries, and category queries on top (up to a fifth as many), each in its
    // own hash order.
    let of =
        |all: &[yelpsearch::LabelledQuery], category: bool| -> Vec<yelpsearch::LabelledQuery> {
            all.iter()
                .filter(|q| q.category == category)
                .cloned()
                .collect()
        };
    let (small_terms, large_terms) = (of(&small, false), of(&large, false));
    let (small_kinds, large_kinds) = (of(&small, true), of(&large, true));
    assert_eq!(small_terms.len(), 40);
    assert_eq!(small_kinds.len(), 8);
    assert!(large_kinds.len() > 8);
    // A hash order, not the first zipcodes' terms: a small draw spans the zipcodes.
    let zips: std::collections::HashSet<&str> =
        small_terms.iter().map(|q| q.zip.as_str()).collect();
    assert!(zips.len() >= 5, "40 queries from {} zipcodes", zips.len());
    assert!(
        large_terms.len() > 1000,
        "only {} queries",
        large_terms.len()
    );
    for (a, b) in small_terms
        .iter()
        .zip(&large_terms)
        .chain(small_kinds.iter().zip(&large_kinds))
    {
        assert_eq!(
            (&a.zip, &a.term, &a.group.labels),
            (&b.zip, &b.term, &b.group.labels)
        );
        assert_eq!(a.group.rows, b.group.rows);
    }
}
