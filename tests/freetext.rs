//! Queries as people type them, on the generator's corpus: filler words, typos,
//! price and amenities, categories, names, nearby zipcodes, words that must stand
//! together, and the words taken as typed.

mod common;

use std::collections::{BTreeMap, BTreeSet};

use common::{business_line_in, fixture, review_line, write_lines};
use yelpsearch::{
    build_index, read_businesses, Amenity, BuildOptions, Business, Index, LocalTime, SearchRequest,
    SearchResponse,
};

fn index() -> &'static Index {
    static I: std::sync::OnceLock<Index> = std::sync::OnceLock::new();
    I.get_or_init(|| Index::open(&fixture().index).expect("open"))
}

fn businesses() -> &'static BTreeMap<String, Business> {
    static B: std::sync::OnceLock<BTreeMap<String, Business>> = std::sync::OnceLock::new();
    B.get_or_init(|| {
        read_businesses(&fixture().business, false)
            .expect("read")
            .0
            .into_iter()
            .map(|b| (b.business_id.clone(), b))
            .collect()
    })
}

/// Every place of the zipcode that meets the query (no limit, no nearby places).
fn search(q: &str, zip: &str) -> SearchResponse {
    index()
        .search(&SearchRequest::new(q).zip(zip).limit(1000).nearby(false))
        .unwrap_or_else(|e| panic!("{zip} {q}: {e}"))
}

fn ids(r: &SearchResponse) -> Vec<String> {
    r.results
        .iter()
        .map(|h| h.business.business_id.clone())
        .collect()
}

/// (zipcode, dish) pairs where at least `min` businesses of the zipcode serve the dish,
/// one-word dishes of five letters or more, in a fixed order.
fn dishes(min: usize) -> Vec<(String, String)> {
    let mut count: BTreeMap<(String, String), usize> = BTreeMap::new();
    for b in &fixture().truth.businesses {
        if b.postal_code.is_empty() {
            continue;
        }
        for dish in b.quality.keys() {
            if dish.len() >= 5 && dish.chars().all(|c| c.is_ascii_lowercase()) {
                *count
                    .entry((b.postal_code.clone(), dish.clone()))
                    .or_default() += 1;
            }
        }
    }
    count
        .into_iter()
        .filter(|(_, n)| *n >= min)
        .map(|(k, _)| k)
        .collect()
}

#[test]
fn filler_words_never_filter() {
    let pairs = dishes(3);
    assert!(pairs.len() >= 20, "{} pairs", pairs.len());
    for (zip, dish) in pairs.iter().take(20) {
        let clean = search(dish, zip);
        assert!(!clean.results.is_empty(), "{zip} {dish}");
        // The zipcode's town, as its businesses name it, says where as the zipcode does.
        let town = businesses()
            .values()
            .find(|b| &b.postal_code == zip && !b.city.is_empty())
            .map(|b| format!("{}, {}", b.city, b.state))
            .expect("the generator names every place's town");
        for q in [
            format!("best {dish}"),
            format!("{dish} near me"),
            format!("i want {dish}"),
            format!("good {dish}"),
            format!("really good {dish}"),
            format!("best rated {dish}"),
            format!("5 star {dish}"),
            format!("where can i get {dish} around here"),
            format!("{dish} in {town}"),
            format!("{dish} within 2 miles"),
            // Quoted, a meal after it, a number, and wanting or liking as people say it.
            format!("\"{dish}\""),
            format!("{dish} dinner"),
            format!("top 10 {dish}"),
            format!("#1 {dish} 2024"),
            format!("best {dish} ever"),
            format!("order {dish}"),
            format!("i'd love some {dish}"),
            format!("hungry for {dish}"),
            format!("nearest {dish}"),
            // A kind-of-place word before the dish asks for the dish, not a kind.
            format!("places that serve {dish}"),
            format!("a good spot for {dish}"),
        ] {
            let r = search(&q, zip);
            assert_eq!(ids(&r), ids(&clean), "{zip} {q}");
            assert_eq!(r.interpretation.need, std::slice::from_ref(dish), "{q}");
            let quoted = q.starts_with('"');
            assert!(
                quoted || !r.interpretation.optional.is_empty(),
                "{q}: filler listed"
            );
        }
        // "burger places" asks for a kind of place: the same places, maybe in another
        // order.
        let r = search(&format!("good {dish} places"), zip);
        let (a, b): (BTreeSet<String>, BTreeSet<String>) = (
            ids(&r).into_iter().collect(),
            ids(&clean).into_iter().collect(),
        );
        assert_eq!(a, b, "{zip} good {dish} places");
    }
}

/// One deterministic slip in the middle of a word: a letter left out.
fn typo(word: &str) -> String {
    let mid = word.len() / 2;
    format!("{}{}", &word[..mid], &word[mid + 1..])
}

#[test]
fn typos_are_corrected_to_the_zipcodes_words() {
    let pairs: Vec<(String, String)> = dishes(3).into_iter().take(40).collect();
    let mut same = 0;
    for (zip, dish) in &pairs {
        let typed = typo(dish);
        let clean = search(dish, zip);
        let r = search(&typed, zip);
        assert!(!r.results.is_empty(), "{zip} {typed}: no result");
        if ids(&r) == ids(&clean) {
            same += 1;
            assert_eq!(r.interpretation.corrections.len(), 1, "{zip} {typed}");
            assert_eq!(r.interpretation.corrections[0].from, typed);
            assert_eq!(r.interpretation.need, clean.interpretation.need);
            // The snippets mark the corrected word, not the typo.
            if let Some(s) = r.results[0].snippets.first() {
                assert!(s.text.contains("<mark>"), "{}", s.text);
            }
        }
        // Taken as typed, nothing is corrected.
        let literal = index()
            .search(&SearchRequest::new(&typed).zip(zip).literal(true))
            .unwrap();
        assert!(literal.interpretation.corrections.is_empty());
        assert!(literal.interpretation.literal);
        assert_eq!(literal.interpretation.need, std::slice::from_ref(&typed));
    }
    assert!(
        same * 10 >= pairs.len() * 9,
        "{same} of {} typos found the clean query's results",
        pairs.len()
    );
}

/// "late" is written in the generator's reviews ("a late lunch") and says nothing about
/// a place; "latte" is one letter away and is judged from place to place. Alone, "late"
/// is a slip for the latte; beside "lunch", written with it, it stays.
#[test]
fn a_common_word_alone_is_read_as_the_dish_one_slip_away() {
    let zips: std::collections::BTreeSet<&str> = fixture()
        .truth
        .businesses
        .iter()
        .filter(|b| b.quality.contains_key("latte"))
        .map(|b| b.postal_code.as_str())
        .collect();
    assert!(!zips.is_empty(), "no zipcode serves lattes");
    for zip in zips {
        let literal = index()
            .search(
                &SearchRequest::new("late")
                    .zip(zip)
                    .nearby(false)
                    .literal(true),
            )
            .unwrap();
        assert!(
            !literal.results.is_empty(),
            "{zip}: no review writes \"late\", so it is not a known word there"
        );
        let r = search("late", zip);
        assert_eq!(r.interpretation.corrections.len(), 1, "{zip}");
        assert_eq!(r.interpretation.corrections[0].from, "late");
        assert_eq!(r.interpretation.corrections[0].to, "latte");
        assert_eq!(ids(&r), ids(&search("latte", zip)), "{zip}");
        let lunch = search("late lunch", zip);
        assert!(lunch.interpretation.corrections.is_empty(), "{zip}");
    }
}

/// Businesses of a zipcode's results that meet `wish`, in result order.
fn meets(r: &SearchResponse, wish: impl Fn(&Business) -> bool) -> Vec<bool> {
    r.results
        .iter()
        .map(|h| wish(&businesses()[&h.business.business_id]))
        .collect()
}

#[test]
fn price_and_amenities_put_the_places_that_meet_them_first() {
    /// What a query wishes for: a price level, or an amenity.
    enum Wish {
        Price(u8),
        Has(Amenity),
    }
    impl Wish {
        fn met(&self, b: &Business) -> bool {
            match *self {
                Wish::Price(level) => b.offer.price == Some(level),
                Wish::Has(amenity) => b.offer.amenities.has(amenity),
            }
        }
    }
    use Wish::{Has, Price};
    let cases: [(&str, Wish, &str); 9] = [
        ("cheap {}", Price(1), "$"),
        ("{} under $10", Price(1), "$"),
        ("$$ {}", Price(2), "$$"),
        ("cheapest {}", Price(1), "$"),
        ("{} not too expensive", Price(1), "$"),
        (
            "romantic {} for date night",
            Has(Amenity::Romantic),
            "romantic",
        ),
        ("casual {}", Has(Amenity::Casual), "casual"),
        (
            "{} with outdoor seating",
            Has(Amenity::OutdoorSeating),
            "outdoor seating",
        ),
        ("{} with free wifi", Has(Amenity::FreeWifi), "free wifi"),
    ];
    for (template, wish, label) in cases {
        let mut mixed = 0;
        for (zip, dish) in dishes(4).iter().take(30) {
            let clean = search(dish, zip);
            if clean.interpretation.price.is_some() || !clean.interpretation.amenities.is_empty() {
                continue; // "patio" and "happy hour" are wishes themselves
            }
            let q = template.replace("{}", dish);
            let r = search(&q, zip);
            let m = meets(&r, |b| wish.met(b));
            // Nothing is left out...
            let (a, b): (BTreeSet<String>, BTreeSet<String>) = (
                ids(&r).into_iter().collect(),
                ids(&clean).into_iter().collect(),
            );
            assert_eq!(a, b, "{zip} {q}");
            // ... the places that meet the wish come first.
            let first_miss = m.iter().position(|x| !x).unwrap_or(m.len());
            assert!(m[first_miss..].iter().all(|x| !x), "{zip} {q}: {m:?}");
            mixed += (first_miss > 0 && first_miss < m.len()) as usize;
            let i = &r.interpretation;
            assert!(
                i.price.as_deref() == Some(label) || i.amenities.iter().any(|a| a == label),
                "{q}: {i:?}"
            );
        }
        assert!(
            mixed >= 3,
            "{template}: only {mixed} queries mixed both kinds"
        );
    }
}

#[test]
fn open_now_puts_open_places_first() {
    let tuesday_noon = LocalTime {
        weekday: 1,
        minute: 12 * 60,
    };
    let tuesday_3am = LocalTime {
        weekday: 1,
        minute: 3 * 60,
    };
    for (zip, dish) in dishes(4).iter().take(10) {
        for at in [tuesday_noon, tuesday_3am] {
            let mut req = SearchRequest::new(format!("{dish} open now"))
                .zip(zip)
                .limit(50);
            req.local_time = Some(at);
            let r = index().search(&req).unwrap();
            assert!(r.interpretation.open_now);
            let m = meets(&r, |b| {
                b.offer
                    .hours
                    .is_some_and(|h| h.open_at(at.weekday as usize, at.minute))
            });
            let first_closed = m.iter().position(|x| !x).unwrap_or(m.len());
            assert!(m[first_closed..].iter().all(|x| !x), "{zip} {dish}: {m:?}");
        }
    }
}

#[test]
fn a_category_finds_its_places() {
    // Categories of one word that at least three places of a zipcode have, and that are
    // no dish of the corpus's menus (a word such as "pizza" asks for the dish, graded
    // by what the reviews say of it).
    let dishes: BTreeSet<String> = fixture()
        .truth
        .dishes
        .iter()
        .map(|d| d.to_lowercase())
        .collect();
    let mut by_zip: BTreeMap<(String, String), Vec<String>> = BTreeMap::new();
    for b in businesses().values() {
        for c in &b.categories {
            let word = c.to_lowercase();
            let dish = dishes
                .iter()
                .any(|d| word.starts_with(d.as_str()) || d.starts_with(&word));
            if c.chars().all(|ch| ch.is_ascii_alphabetic())
                && c != "Restaurants"
                && c != "Food"
                && !dish
            {
                by_zip
                    .entry((b.postal_code.clone(), c.clone()))
                    .or_default()
                    .push(b.business_id.clone());
            }
        }
    }
    let mut checked = 0;
    for ((zip, category), members) in by_zip.iter().filter(|(_, m)| m.len() >= 3).take(25) {
        let word = category.to_lowercase();
        let r = search(&word, zip);
        assert!(
            r.interpretation.categories.contains(category),
            "{zip} {word}: {:?}",
            r.interpretation
        );
        let members: BTreeSet<&String> = members.iter().collect();
        let top: Vec<bool> = ids(&r)
            .iter()
            .take(members.len().min(5))
            .map(|id| members.contains(id))
            .collect();
        // Most of the first places are of the kind asked for (the ranker orders them;
        // a place whose reviews rave about the word may come among them).
        let hits = top.iter().filter(|x| **x).count();
        assert!(hits * 5 >= top.len() * 3, "{zip} {word}: {top:?}");
        assert!(r
            .results
            .iter()
            .any(|h| h.matched.contains(&"category".to_string())));
        checked += 1;
    }
    assert!(checked >= 10, "only {checked} categories");
}

/// A category's word typed as two ("cheese steak", "steak house") asks for it as one:
/// the same places, and the category understood.
#[test]
fn a_category_word_typed_as_two_is_read_as_one() {
    let mut tried = 0;
    for (category, split, whole) in [
        ("Cheesesteaks", "cheese steak", "cheesesteak"),
        ("Steakhouses", "steak house", "steakhouse"),
    ] {
        let zips: BTreeSet<&str> = businesses()
            .values()
            .filter(|b| b.categories.iter().any(|c| c == category))
            .map(|b| b.postal_code.as_str())
            .filter(|z| !z.is_empty())
            .collect();
        for zip in zips {
            let r = search(split, zip);
            // A name of the zipcode that holds both words keeps them: Marco's Steak House.
            let named = businesses().values().any(|b| {
                b.postal_code == zip && {
                    let name = b.name.to_lowercase();
                    let words: Vec<&str> = name.split_whitespace().collect();
                    split.split(' ').all(|w| words.contains(&w))
                }
            });
            if named {
                let words: Vec<&str> = split.split(' ').collect();
                assert_eq!(r.interpretation.need, words, "{zip} {split}");
                continue;
            }
            tried += 1;
            assert_eq!(r.interpretation.need, [whole], "{zip} {split}");
            assert!(
                r.interpretation.categories.iter().any(|c| c == category),
                "{zip} {split}: {:?}",
                r.interpretation.categories
            );
            assert_eq!(r.interpretation.corrections[0].from, split);
            assert_eq!(ids(&r), ids(&search(whole, zip)), "{zip} {split}");
        }
    }
    assert!(tried >= 2, "only {tried} zipcodes have these kinds");
}

#[test]
fn a_word_of_names_asks_for_their_kind() {
    // Words that at least five names hold, nearly all of one kind ("Taqueria":
    // Mexican), asked in a zipcode where a place of that kind is called otherwise.
    let mut named: BTreeMap<String, Vec<&Business>> = BTreeMap::new();
    for b in businesses().values() {
        for w in b.name.split(|c: char| !c.is_ascii_alphabetic()) {
            if w.len() >= 5 && w.chars().next().is_some_and(|c| c.is_ascii_uppercase()) {
                named.entry(w.to_lowercase()).or_default().push(b);
            }
        }
    }
    let mut checked = 0;
    for (word, places) in named.iter().filter(|(_, p)| p.len() >= 5) {
        let Some(kind) = places[0]
            .categories
            .iter()
            .filter(|c| *c != "Restaurants" && *c != "Food")
            .find(|c| {
                places.iter().filter(|b| b.categories.contains(c)).count() * 10 >= places.len() * 9
            })
        else {
            continue;
        };
        let a_category_word = businesses()
            .values()
            .flat_map(|b| &b.categories)
            .any(|c| c.to_lowercase().contains(&word[..5]));
        if a_category_word {
            continue; // the word meets a category by itself ("Diner": Diners)
        }
        let zip = &places[0].postal_code;
        let others: BTreeSet<&String> = businesses()
            .values()
            .filter(|b| &b.postal_code == zip && b.categories.contains(kind))
            .filter(|b| !b.name.to_lowercase().contains(word.as_str()))
            .map(|b| &b.business_id)
            .collect();
        if others.is_empty() {
            continue;
        }
        let r = search(word, zip);
        assert!(
            r.interpretation.categories.contains(kind),
            "{zip} {word}: {kind} not understood: {:?}",
            r.interpretation
        );
        assert!(
            r.results
                .iter()
                .any(|h| others.contains(&h.business.business_id)
                    && h.matched.contains(&"category".to_string())),
            "{zip} {word}: no {kind} place called otherwise"
        );
        checked += 1;
    }
    assert!(checked >= 3, "only {checked} words");
}

#[test]
fn places_of_a_kind_that_often_matches_are_ranked_with_the_matches() {
    // A place none of whose reviews names the dish, of a kind whose places in the
    // zipcode often do, is ranked by the model (its features explained), after the
    // places that match; `related=false` leaves it out.
    let mut found = 0;
    for (zip, dish) in dishes(5) {
        let req = SearchRequest::new(&dish)
            .zip(&zip)
            .limit(1000)
            .nearby(false);
        let r = index().search(&req.clone().explain(true)).expect("search");
        let ranked_kin: Vec<usize> = r
            .results
            .iter()
            .enumerate()
            .filter(|(_, h)| h.matches == 0 && h.matched.is_empty())
            .filter(|(_, h)| h.explain.as_ref().is_some_and(|e| e.len() > 1))
            .map(|(i, _)| i)
            .collect();
        let Some(&first) = ranked_kin.first() else {
            continue;
        };
        let scores: Vec<f32> = r.results.iter().map(|h| h.score).collect();
        assert!(
            scores.windows(2).all(|w| w[0] >= w[1]),
            "{zip} {dish}: scores rise down the page: {scores:?}"
        );
        assert!(
            r.results[..first].iter().any(|h| h.matches > 0),
            "{zip} {dish}: a place without a match came first"
        );
        // Quoted, the dish is the same need taken as typed, met only by reviews that
        // hold it: the places whose reviews match first, the same places as the word
        // searched literally ("patio" asks no amenity then).
        let quoted = search(&format!("\"{dish}\""), &zip);
        let literal = index().search(&req.clone().literal(true)).expect("search");
        let matching = |r: &SearchResponse| -> BTreeSet<String> {
            r.results
                .iter()
                .filter(|h| h.matches > 0)
                .map(|h| h.business.business_id.clone())
                .collect()
        };
        assert_eq!(matching(&quoted), matching(&literal), "{zip} \"{dish}\"");
        let matched: Vec<bool> = quoted.results.iter().map(|h| h.matches > 0).collect();
        let first_unmatched = matched.iter().position(|m| !m).unwrap_or(matched.len());
        assert!(
            !matched[first_unmatched..].contains(&true),
            "{zip} \"{dish}\": a match after a place without one: {matched:?}"
        );
        assert_eq!(
            quoted.interpretation.need,
            std::slice::from_ref(&dish),
            "{zip} \"{dish}\""
        );
        let kin_id = &r.results[first].business.business_id;
        let only = index().search(&req.related(false)).expect("search");
        assert!(
            !ids(&only).contains(kin_id),
            "{zip} {dish}: related=false still shows {kin_id}"
        );
        found += 1;
    }
    assert!(
        found >= 5,
        "only {found} queries rank a place of a matching kind"
    );
}

#[test]
fn a_name_finds_its_place_first() {
    let mut n = 0;
    for b in businesses()
        .values()
        .filter(|b| !b.postal_code.is_empty())
        .take(60)
    {
        let r = search(&b.name, &b.postal_code);
        let first = &r.results[0];
        assert!(
            first.business.name == b.name,
            "{} in {}: first is {}",
            b.name,
            b.postal_code,
            first.business.name
        );
        assert_eq!(r.interpretation.name.as_deref(), Some(b.name.as_str()));
        // What people ask of a place after its name.
        // Words the vocabulary does not know are set aside beside a name whose need is
        // two words or more (not the town's: "Edmonton Deli") when places are not
        // judged by them ("gift card").
        let two_words = r.interpretation.need.len() >= 2;
        for asked in [
            "menu",
            "phone number",
            "address",
            "reviews",
            "website",
            "near me",
            "gift card",
        ] {
            if asked == "gift card" && !two_words {
                continue;
            }
            let q = format!("{} {asked}", b.name);
            let r = search(&q, &b.postal_code);
            assert_eq!(
                r.results[0].business.name, b.name,
                "{q} in {}",
                b.postal_code
            );
        }
        n += 1;
    }
    assert_eq!(n, 60);
}

#[test]
fn a_name_with_a_slip_finds_its_place_first() {
    let mut n = 0;
    for b in businesses()
        .values()
        .filter(|b| !b.postal_code.is_empty() && b.name.split(' ').count() >= 2)
        .take(60)
    {
        // A letter left out of the name's longest word, read back with the other words.
        let longest = b
            .name
            .split(' ')
            .max_by_key(|w| w.len())
            .unwrap_or_default();
        if longest.len() < 5 || !longest.chars().all(|c| c.is_ascii_alphabetic()) {
            continue;
        }
        let slipped = b.name.replacen(longest, &typo(longest), 1);
        // Alone, with a possessive, or followed by what is wanted of the place.
        for q in [
            slipped.clone(),
            format!("{slipped}'s"),
            format!("{slipped} menu near me"),
        ] {
            let r = search(&q, &b.postal_code);
            assert_eq!(
                r.results[0].business.name, b.name,
                "{q} in {}: {:?}",
                b.postal_code, r.interpretation
            );
        }
        n += 1;
    }
    assert!(n >= 40, "{n} names");
}

#[test]
fn nearby_zipcodes_follow_when_the_zipcode_has_too_few() {
    // Three zipcodes: 61820, 61801 about 3 km away, 60614 some 200 km away.
    let dir = tempfile::tempdir().unwrap();
    let (b, r) = (dir.path().join("b.json"), dir.path().join("r.json"));
    let place = |id: &str, zip: &str, at: (f64, f64), cats: &str| {
        let mut v: serde_json::Value =
            serde_json::from_slice(&business_line_in(id, id, zip, cats)).unwrap();
        v["latitude"] = at.0.into();
        v["longitude"] = at.1.into();
        v.to_string().into_bytes()
    };
    write_lines(
        &b,
        &[
            place("here", "61820", (40.110, -88.240), "Restaurants, Pizza"),
            place(
                "close",
                "61801",
                (40.110, -88.205),
                "Restaurants, Sushi Bars",
            ),
            place("far", "60614", (41.920, -87.650), "Restaurants, Sushi Bars"),
        ],
    );
    let lines: Vec<Vec<u8>> = [
        ("r1", "here", "The pizza was great."),
        ("r2", "close", "Wonderful sushi, fresh fish."),
        ("r3", "far", "The sushi here is the best."),
    ]
    .iter()
    .map(|(id, biz, text)| review_line(id, biz, 5.0, "2019-01-01 10:00:00", text))
    .collect();
    write_lines(&r, &lines);
    let idx = dir.path().join("idx");
    build_index(&b, &r, &idx, &BuildOptions::default()).unwrap();
    let index = Index::open(&idx).unwrap();
    let res = index
        .search(&SearchRequest::new("sushi").zip("61820").related(false))
        .unwrap();
    let got: Vec<(&str, bool)> = res
        .results
        .iter()
        .map(|h| (h.business.business_id.as_str(), h.distance_km.is_some()))
        .collect();
    assert_eq!(got, [("close", true)], "the far one is too far");
    let km = res.results[0].distance_km.unwrap();
    assert!((2.0..4.0).contains(&km), "{km}");
    assert_eq!(res.interpretation.nearby.len(), 1);
    assert_eq!(res.interpretation.nearby[0].zip, "61801");
    // The zipcode's own places come first.
    let res = index
        .search(
            &SearchRequest::new("pizza sushi")
                .zip("61820")
                .related(false),
        )
        .unwrap();
    let first: Vec<&str> = res
        .results
        .iter()
        .map(|h| h.business.business_id.as_str())
        .collect();
    assert_eq!(first.first(), Some(&"here"), "{first:?}");
    // Turned off, only the zipcode's own.
    let off = index
        .search(
            &SearchRequest::new("sushi")
                .zip("61820")
                .related(false)
                .nearby(false),
        )
        .unwrap();
    assert!(off.results.is_empty());
    assert!(off.interpretation.nearby.is_empty());
}

/// Reviews where "ice" and "cream" stand apart ("iced tea ... cream cheese") do not
/// outrank a place praised for its ice cream.
#[test]
fn words_that_stand_together_rank_above_scattered_ones() {
    let dir = tempfile::tempdir().unwrap();
    let (b, r) = (dir.path().join("b.json"), dir.path().join("r.json"));
    write_lines(
        &b,
        &[
            business_line_in("scattered", "Bagel Barn", "61820", "Bagels, Coffee & Tea"),
            business_line_in("together", "Sweet Spot", "61820", "Desserts"),
        ],
    );
    let mut reviews = Vec::new();
    for i in 0..6 {
        reviews.push(review_line(
            &format!("s{i}"),
            "scattered",
            5.0,
            &format!("2019-01-0{} 10:00:00", i + 1),
            "Great iced tea, and the bagel with cream cheese was excellent. Loved it.",
        ));
    }
    reviews.push(review_line(
        "t1",
        "together",
        5.0,
        "2019-01-02 10:00:00",
        "The best ice cream in town, creamy and rich.",
    ));
    write_lines(&r, &reviews);
    let idx = dir.path().join("idx");
    build_index(&b, &r, &idx, &BuildOptions::default()).unwrap();
    let index = Index::open(&idx).unwrap();
    let res = index
        .search(&SearchRequest::new("ice cream").zip("61820"))
        .unwrap();
    let order: Vec<&str> = res
        .results
        .iter()
        .map(|h| h.business.business_id.as_str())
        .collect();
    assert_eq!(order.first(), Some(&"together"), "{order:?}");
}

#[test]
fn a_describing_word_seldom_written_with_the_dish_does_not_filter() {
    let dir = tempfile::tempdir().unwrap();
    let (b, r) = (dir.path().join("b.json"), dir.path().join("r.json"));
    let mut businesses = vec![business_line_in(
        "scattered",
        "Corner Cafe",
        "61820",
        "Cafes",
    )];
    let mut reviews = vec![
        review_line(
            "s1",
            "scattered",
            4.0,
            "2019-01-01 10:00:00",
            "Authentic decor and a lovely staff.",
        ),
        review_line(
            "s2",
            "scattered",
            3.0,
            "2019-01-02 10:00:00",
            "The sushi was okay, nothing more.",
        ),
    ];
    let mut places = |id: &str, name: &str, categories: &str, (n, each): (usize, usize), text| {
        for p in 0..n {
            let id = format!("{id}{p}");
            businesses.push(business_line_in(
                &id,
                &format!("{name} {p}"),
                "61820",
                categories,
            ));
            for i in 0..each {
                reviews.push(review_line(
                    &format!("{id}-{i}"),
                    &id,
                    5.0,
                    &format!("2019-02-0{} 10:00:00", i + 1),
                    text,
                ));
            }
        }
    };
    places(
        "sushi",
        "Sushi House",
        "Sushi Bars, Japanese",
        (4, 3),
        "The sushi here is excellent, the best in town.",
    );
    // One place whose review names a dish of two words, eleven that have only one.
    places(
        "mac",
        "Blue Plate",
        "Diners",
        (1, 1),
        "Their mac and cheese is the best.",
    );
    places(
        "cheese",
        "Deli",
        "Delis",
        (11, 1),
        "The cheese plate was lovely.",
    );
    write_lines(&b, &businesses);
    write_lines(&r, &reviews);
    let idx = dir.path().join("idx");
    build_index(&b, &r, &idx, &BuildOptions::default()).unwrap();
    let index = Index::open(&idx).unwrap();
    let ask = |q: &str, literal: bool| {
        index
            .search(
                &SearchRequest::new(q)
                    .zip("61820")
                    .nearby(false)
                    .literal(literal),
            )
            .unwrap()
    };
    // Taken as typed, both words are required: the place whose reviews hold them apart
    // comes first.
    let literal = ask("authentic sushi", true);
    assert_eq!(ids(&literal).first().map(String::as_str), Some("scattered"));
    // Understood, "authentic" describes the sushi and no review writes them together:
    // it is optional, and the places are those of "sushi".
    let r = ask("authentic sushi", false);
    assert_eq!(r.interpretation.need, ["sushi"]);
    assert!(r.interpretation.optional.contains(&"authentic".to_string()));
    assert_eq!(ids(&r), ids(&ask("sushi", false)));
    assert_ne!(ids(&r).first().map(String::as_str), Some("scattered"));
    // A dish of two words one place's review names whole stays whole.
    let r = ask("mac and cheese", false);
    assert_eq!(r.interpretation.need, ["mac", "cheese"]);
    assert_eq!(ids(&r).first().map(String::as_str), Some("mac0"));
}
