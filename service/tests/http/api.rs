//! The API contract: search results, errors, escaping, the ops endpoints, CORS, and the
//! time and concurrency limits.

use std::collections::BTreeSet;

use serde_json::Value;

use crate::common::{
    burst, client, enc, fixture, heavy_query, planted, read, well_evidenced, Server,
};

#[test]
fn planted_best_is_among_the_top_results() {
    let s = Server::ready(&[]);
    // Pairs whose champion has at least 10 reviews naming the dish: with fewer, 15,000
    // reviews leave too little text to tell the champion by.
    let pairs: Vec<_> = well_evidenced(10)
        .into_iter()
        .filter(|(_, d, _)| !d.contains(' '))
        .collect();
    assert!(pairs.len() >= 5, "too few planted pairs: {pairs:?}");
    let mut top3 = 0;
    let mut misses = Vec::new();
    for (zip, dish, best) in &pairs {
        let (st, v) = s.get_json(&format!(
            "/search?q={}&limit=10",
            enc(&format!("{zip} {dish}"))
        ));
        assert_eq!(st, 200, "{zip} {dish}: {v}");
        let ids: Vec<&str> = v["results"]
            .as_array()
            .unwrap()
            .iter()
            .map(|h| h["business_id"].as_str().unwrap())
            .collect();
        match ids.iter().position(|id| id == best) {
            Some(p) if p < 3 => top3 += 1,
            p => misses.push(format!("{zip} {dish}: planted best at {p:?}")),
        }
    }
    // A planted champion is 0.2 above every other server, but small data and review
    // noise blur that: require it in the top three for at least 70% of the pairs.
    let share = top3 as f64 / pairs.len() as f64;
    assert!(
        share >= 0.7,
        "planted best in the top 3 for only {top3}/{} pairs: {misses:#?}",
        pairs.len()
    );

    // The zipcode may come separately, or after the need with "in"/"near".
    let (zip, dish, best) = &pairs[0];
    let mut forms = vec![
        format!("q={}&zip={}", enc(dish), enc(zip)),
        format!("q={}", enc(&format!("{dish} near {zip}"))),
        format!("q={}", enc(&format!("{dish} in {zip}"))),
    ];
    if zip.len() == 5 {
        // A ZIP+4 is searched as its five digits.
        forms.push(format!("q={}&zip={zip}-1234", enc(dish)));
    }
    for q in forms {
        let (st, v) = s.get_json(&format!("/search?{q}"));
        assert_eq!(st, 200, "{q}: {v}");
        assert_eq!(v["zip"], zip.as_str(), "{q}");
        assert_eq!(v["query"], dish.as_str(), "{q}");
        assert!(
            v["results"]
                .as_array()
                .unwrap()
                .iter()
                .any(|h| h["business_id"] == best.as_str()),
            "{q}"
        );
    }
}

#[test]
fn search_json_contract() {
    let f = fixture();
    let s = Server::ready(&[]);
    let (zip, dish, _) = planted(&f.truth)
        .into_iter()
        .next()
        .expect("a planted pair");
    let (st, v) = s.get_json(&format!(
        "/search?q={}&limit=2",
        enc(&format!("{zip} {dish}"))
    ));
    assert_eq!(st, 200, "{v}");
    let keys = |v: &Value| {
        v.as_object()
            .unwrap()
            .keys()
            .cloned()
            .collect::<BTreeSet<_>>()
    };
    let set = |ks: &[&str]| ks.iter().map(|k| k.to_string()).collect::<BTreeSet<_>>();
    assert_eq!(
        keys(&v),
        set(&["zip", "query", "took_ms", "results", "interpretation"])
    );
    assert_eq!(v["zip"], zip.as_str());
    assert_eq!(v["query"], dish.as_str());
    assert!(v["took_ms"].as_f64().unwrap() >= 0.0);
    let results = v["results"].as_array().unwrap();
    assert!(
        !results.is_empty() && results.len() <= 2,
        "limit=2 gave {}",
        results.len()
    );
    let hit_keys = set(&[
        "business_id",
        "name",
        "address",
        "city",
        "state",
        "postal_code",
        "stars",
        "review_count",
        "score",
        "matches",
        "matched",
        "sentiment",
        "snippets",
    ]);
    let mut last_score = f64::INFINITY;
    for h in results {
        assert_eq!(keys(h), hit_keys, "{h}");
        assert!(!h["business_id"].as_str().unwrap().is_empty());
        assert!(!h["name"].as_str().unwrap().is_empty());
        let stars = h["stars"].as_f64().unwrap();
        assert!((0.0..=5.0).contains(&stars));
        assert!(h["review_count"].as_u64().is_some());
        assert!(h["matches"].as_u64().unwrap() >= 1);
        let score = h["score"].as_f64().expect("a finite score");
        assert!(score <= last_score, "results are best first");
        last_score = score;
        if let Some(sent) = h["sentiment"].as_object() {
            assert_eq!(
                keys(&h["sentiment"]),
                set(&["positive", "negative", "mean"])
            );
            let m = sent["mean"].as_f64().unwrap();
            assert!((-1.0..=1.0).contains(&m));
        } else {
            assert!(h["sentiment"].is_null());
        }
        let snippets = h["snippets"].as_array().unwrap();
        assert!((1..=3).contains(&snippets.len()));
        for sn in snippets {
            assert_eq!(keys(sn), set(&["review_id", "stars", "date", "text"]));
            let date = sn["date"].as_str().unwrap();
            assert!(
                date.len() == 10 && date.as_bytes()[4] == b'-' && date.as_bytes()[7] == b'-',
                "{date}"
            );
            assert!(sn["text"].as_str().unwrap().contains("<mark>"), "{sn}");
        }
    }
    // Default limit is 10; Canadian codes come back normalised.
    let (st, v) = s.get_json(&format!("/search?q={}", enc(&format!("{zip} {dish}"))));
    assert_eq!(st, 200);
    assert!(v["results"].as_array().unwrap().len() <= 10);
    if let Some(ca) = f
        .truth
        .businesses
        .iter()
        .map(|b| &b.postal_code)
        .find(|z| z.len() == 7)
    {
        let squashed = ca.replace(' ', "").to_lowercase();
        let (st, v) = s.get_json(&format!("/search?q={}&zip={squashed}", enc(&dish)));
        assert_eq!(st, 200, "{v}");
        assert_eq!(v["zip"], ca.as_str());
    }
}

#[test]
fn related_places_follow_the_matches_unless_turned_off() {
    let f = fixture();
    let s = Server::ready(&[]);
    let matches = |v: &Value| -> Vec<u64> {
        v["results"]
            .as_array()
            .unwrap()
            .iter()
            .map(|h| h["matches"].as_u64().unwrap())
            .collect()
    };
    let mut saw_related = false;
    for (zip, dish, _) in planted(&f.truth).into_iter().take(10) {
        let q = enc(&format!("{zip} {dish}"));
        let (st, all) = s.get_json(&format!("/search?q={q}&limit=100"));
        assert_eq!(st, 200, "{all}");
        let (st, only) = s.get_json(&format!("/search?q={q}&limit=100&related=false"));
        assert_eq!(st, 200, "{only}");
        let (m_all, m_only) = (matches(&all), matches(&only));
        // Every place with related=false meets the query: by its reviews (matches ≥ 1),
        // its category or its name.
        let matched_by = |v: &Value| -> Vec<usize> {
            v["results"]
                .as_array()
                .unwrap()
                .iter()
                .map(|h| h["matched"].as_array().unwrap().len())
                .collect()
        };
        assert!(
            matched_by(&only).iter().all(|&m| m >= 1),
            "related=false: {only}"
        );
        // The same matches in the same order, then (by default) related places only.
        let n = m_only.len();
        assert_eq!(
            all["results"].as_array().unwrap()[..n],
            only["results"].as_array().unwrap()[..]
        );
        assert!(m_all[n..].iter().all(|&m| m == 0), "{m_all:?}");
        saw_related |= m_all.len() > n;
    }
    assert!(saw_related, "no query offered a related place");
}

#[test]
fn bad_parameters_get_json_4xx() {
    let f = fixture();
    let s = Server::ready(&[]);
    let (zip, dish, _) = planted(&f.truth)
        .into_iter()
        .next()
        .expect("a planted pair");
    let good = enc(&format!("{zip} {dish}"));
    let long = "a".repeat(257);
    let cases: Vec<(String, u16, &str)> = vec![
        ("/search".into(), 400, "missing_query"),
        (format!("/search?zip={zip}"), 400, "missing_query"),
        ("/search?q=".into(), 400, "invalid_query"),
        // Spaces only are empty too, with or without a zipcode (the library's check).
        ("/search?q=+++".into(), 400, "invalid_query"),
        (format!("/search?q=+&zip={zip}"), 400, "invalid_query"),
        (format!("/search?q={long}&zip={zip}"), 400, "invalid_query"),
        ("/search?q=%FF".into(), 400, "invalid_query"),
        ("/search?q=%C3%28+pasta".into(), 400, "invalid_query"),
        (format!("/search?q={good}&limit=-1"), 400, "invalid_limit"),
        (format!("/search?q={good}&limit=0"), 400, "invalid_limit"),
        (format!("/search?q={good}&limit=101"), 400, "invalid_limit"),
        (
            format!("/search?q={good}&limit=1000000000"),
            400,
            "invalid_limit",
        ),
        (
            format!("/search?q={good}&limit=99999999999999999999999999"),
            400,
            "invalid_limit",
        ),
        (format!("/search?q={good}&limit=abc"), 400, "invalid_limit"),
        (format!("/search?q={good}&limit="), 400, "invalid_limit"),
        (format!("/search?q={good}&limit=%FF"), 400, "invalid_limit"),
        (format!("/search?q={good}&related=no"), 400, "invalid_flag"),
        (format!("/search?q={good}&related="), 400, "invalid_flag"),
        ("/search?q=pasta&zip=".into(), 400, "invalid_zip"),
        ("/search?q=pasta&zip=%FF".into(), 400, "invalid_zip"),
        ("/search?q=pasta&zip=6182".into(), 400, "invalid_zip"),
        ("/search?q=pasta&zip=61820-12".into(), 400, "invalid_zip"),
        (
            "/search?q=pasta&zip=%3Cscript%3E".into(),
            400,
            "invalid_zip",
        ),
        ("/search?q=pasta".into(), 400, "missing_zip"),
        (format!("/search?q={zip}"), 400, "no_terms"),
        (
            format!("/search?q={}", enc(&format!("the in {zip}"))),
            400,
            "no_terms",
        ),
        (
            format!("/search?q={}", enc(&format!("\"{dish} {zip}"))),
            400,
            "invalid_query",
        ),
        (
            format!("/search?q={}", enc(&format!("{dish}\u{7} {zip}"))),
            400,
            "invalid_query",
        ),
        ("/search?q=pasta+99999".into(), 404, "unknown_zip"),
        ("/search?q=pasta&zip=A1A1A1".into(), 404, "unknown_zip"),
        ("/nowhere".into(), 404, "not_found"),
    ];
    for (path, status, code) in &cases {
        let (st, v) = s.get_json(path);
        assert_eq!(
            (st, v["error"]["code"].as_str()),
            (*status, Some(*code)),
            "{path}: {v}"
        );
        let msg = v["error"]["message"].as_str().unwrap_or_default();
        assert!(!msg.is_empty(), "{path}: no message");
        assert!(
            !msg.contains("/tmp") && !msg.contains(".rs:"),
            "{path}: the message leaks internals: {msg}"
        );
        assert_eq!(v.as_object().unwrap().len(), 1, "{path}: {v}");
    }
    // Unsupported methods are 405 with a JSON body and an Allow header.
    for m in [
        reqwest::Method::POST,
        reqwest::Method::PUT,
        reqwest::Method::DELETE,
    ] {
        let r = client()
            .request(m.clone(), s.url("/search?q=pasta"))
            .send()
            .unwrap();
        assert_eq!(r.status(), 405, "{m}");
        assert_eq!(r.headers()["allow"], "GET, HEAD");
        let v: Value = r.json().unwrap();
        assert_eq!(v["error"]["code"], "method_not_allowed");
    }
    // Nothing above was a server error.
    let m = client()
        .get(s.url("/metrics"))
        .send()
        .unwrap()
        .text()
        .unwrap();
    assert!(
        !m.lines()
            .any(|l| l.starts_with("yelpsearch_requests_total") && l.contains("status=\"500\"")),
        "{m}"
    );
}

#[test]
fn review_html_is_escaped() {
    let f = fixture();
    let s = Server::ready(&[]);
    let (zip, dish, biz) = &f.hostile;
    let r = client()
        .get(s.url(&format!(
            "/search?q={}&limit=100",
            enc(&format!("{zip} {dish}"))
        )))
        .send()
        .unwrap();
    assert_eq!(r.status(), 200);
    let body = r.text().unwrap();
    assert!(!body.contains("<script"), "unescaped markup in {body}");
    let v: Value = serde_json::from_str(&body).unwrap();
    let hit = v["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|h| h["business_id"] == biz.as_str())
        .unwrap_or_else(|| panic!("{biz} not among the results for {zip} {dish}"));
    let texts: Vec<&str> = hit["snippets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["text"].as_str().unwrap())
        .collect();
    let hostile = texts
        .iter()
        .find(|t| t.contains("alert(1)"))
        .unwrap_or_else(|| panic!("the hostile review is not among the snippets: {texts:?}"));
    assert!(
        hostile.contains("&lt;script&gt;alert(1)&lt;/script&gt;"),
        "{hostile}"
    );
    assert!(
        hostile.contains("&amp;") && hostile.contains("&quot;more&quot;"),
        "{hostile}"
    );
    // The only markup left is <mark>.
    let stripped = hostile.replace("<mark>", "").replace("</mark>", "");
    assert!(
        !stripped.contains('<') && !stripped.contains('>'),
        "{hostile}"
    );
}

#[test]
fn ops_endpoints() {
    let f = fixture();
    let s = Server::ready(&[]);
    let (st, v) = s.get_json("/health");
    assert_eq!((st, v), (200, serde_json::json!({"status": "ok"})));

    let (st, ready) = s.get_json("/ready");
    assert_eq!(st, 200);
    assert_eq!(ready["status"], "ready");
    let version = ready["index_version"].as_str().unwrap().to_string();
    let documents = ready["documents"].as_u64().unwrap();
    assert!(documents > 10_000, "{ready}");
    assert!(!ready["model"].as_str().unwrap().is_empty());

    let (st, info) = s.get_json("/model/info");
    assert_eq!(st, 200);
    for k in [
        "name",
        "version",
        "kind",
        "fallback",
        "features",
        "trained_at",
        "training_window",
        "data",
        "content_hash",
    ] {
        assert!(info.get(k).is_some(), "model info lacks {k}: {info}");
    }
    assert!(
        info["text_model"].is_null() && info["ranker"].is_null(),
        "weights are not served"
    );
    assert_eq!(info["version"], ready["model"]);

    let (st, mm) = s.get_json("/model/metrics");
    assert_eq!(st, 200);
    assert_eq!(mm["model"], ready["model"]);
    assert!(
        mm["metrics"]
            .as_object()
            .unwrap()
            .values()
            .all(Value::is_number),
        "{mm}"
    );

    let (st, api) = s.get_json("/openapi.json");
    assert_eq!(st, 200);
    assert_eq!(api["openapi"], "3.0.3");
    assert!(api["paths"]["/search"].is_object());

    let page = client().get(s.url("/")).send().unwrap();
    assert_eq!(page.status(), 200);
    assert!(page.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/html"));
    let csp = page.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_string();
    assert!(
        csp.contains("default-src 'none'") && csp.contains("script-src 'sha256-"),
        "{csp}"
    );
    assert!(!csp.contains("unsafe-inline"), "{csp}");
    assert_eq!(page.headers()["x-content-type-options"], "nosniff");
    assert!(page.text().unwrap().contains("id=\"search-form\""));

    // A few searches, then the Prometheus text.
    let (zip, dish, _) = planted(&f.truth).into_iter().next().unwrap();
    for _ in 0..3 {
        assert_eq!(
            s.get_json(&format!("/search?q={}", enc(&format!("{zip} {dish}"))))
                .0,
            200
        );
    }
    assert_eq!(s.get_json("/search?q=pasta").0, 400);
    let r = client().get(s.url("/metrics")).send().unwrap();
    assert_eq!(r.status(), 200);
    assert!(r.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/plain"));
    let m = r.text().unwrap();
    let has = |needle: &str| assert!(m.contains(needle), "metrics lack {needle:?}:\n{m}");
    has("# TYPE yelpsearch_requests_total counter");
    has("yelpsearch_requests_total{route=\"/search\",status=\"200\"} 3\n");
    has("yelpsearch_requests_total{route=\"/search\",status=\"400\"} 1\n");
    has("# TYPE yelpsearch_request_duration_seconds histogram");
    has("yelpsearch_request_duration_seconds_bucket{route=\"/search\",status=\"200\",le=\"+Inf\"} 3\n");
    has("yelpsearch_request_duration_seconds_count{route=\"/search\",status=\"200\"} 3\n");
    has("yelpsearch_request_duration_seconds_sum{route=\"/search\",status=\"200\"} ");
    has(&format!("yelpsearch_index_info{{version=\"{version}\","));
    has(&format!("yelpsearch_index_documents {documents}\n"));
    has("yelpsearch_index_ready 1\n");

    // One JSON access-log line per request, with route, status and latency.
    let log = read(&s.log);
    let access: Vec<Value> = log
        .lines()
        .filter_map(|l| serde_json::from_str::<Value>(l).ok())
        .filter(|v| v["target"] == "yelpsearch::access")
        .collect();
    assert!(access.len() >= 10, "{log}");
    let bad = access
        .iter()
        .find(|v| v["fields"]["status"] == 400)
        .expect("a 400 in the log");
    assert_eq!(bad["fields"]["route"], "/search");
    assert!(bad["fields"]["latency_ms"].as_f64().is_some());
}

/// `/ready` suggests queries made from the index: each finds places by their reviews (a
/// fixed suggestion of the page, for 85705, found nothing on the demo data).
#[test]
fn ready_suggests_queries_that_find_places() {
    let s = Server::ready(&[]);
    let (st, ready) = s.get_json("/ready");
    assert_eq!(st, 200);
    // Suggestions from the index: each finds places by their reviews.
    let examples = ready["examples"].as_array().expect("examples");
    assert!(!examples.is_empty() && examples.len() <= 4, "{ready}");
    for q in examples {
        let q = q.as_str().unwrap();
        let (st, r) = s.get_json(&format!("/search?q={}&related=false&nearby=false", enc(q)));
        assert_eq!(st, 200, "{q}");
        assert!(
            r["results"].as_array().unwrap().iter().any(|h| h["matched"]
                .as_array()
                .unwrap()
                .iter()
                .any(|m| m == "reviews")),
            "{q}: {r}"
        );
    }
}

#[test]
fn cors_only_for_configured_origins() {
    let f = fixture();
    let allowed = "https://search.example.com";
    let with = Server::ready(&[(
        "YELPSEARCH_CORS_ORIGINS",
        "https://search.example.com, http://localhost:3000",
    )]);
    let without = Server::ready(&[]);
    let (zip, dish, _) = planted(&f.truth).into_iter().next().unwrap();
    let path = format!("/search?q={}", enc(&format!("{zip} {dish}")));
    let acao = |s: &Server, origin: &str| {
        let r = client()
            .get(s.url(&path))
            .header("origin", origin)
            .send()
            .unwrap();
        assert_eq!(r.status(), 200);
        r.headers()
            .get("access-control-allow-origin")
            .map(|v| v.to_str().unwrap().to_string())
    };
    assert_eq!(acao(&with, allowed).as_deref(), Some(allowed));
    assert_eq!(acao(&with, "https://evil.example"), None);
    assert_eq!(acao(&without, allowed), None);
    // The preflight of a browser on the allowed origin.
    let r = client()
        .request(reqwest::Method::OPTIONS, with.url(&path))
        .header("origin", allowed)
        .header("access-control-request-method", "GET")
        .send()
        .unwrap();
    assert!(r.status().is_success(), "{}", r.status());
    assert_eq!(r.headers()["access-control-allow-origin"], allowed);
}

#[test]
fn request_timeout_is_a_json_408() {
    let s = Server::ready(&[("YELPSEARCH_REQUEST_TIMEOUT_MS", "1")]);
    // 32 searches at once for the most served dish share two cores: most take longer
    // than 1 ms.
    let outcomes = burst(&s.url(&heavy_query()), 32);
    let mut timeouts = 0;
    for (st, v, _) in &outcomes {
        match st {
            200 => {}
            408 => {
                assert_eq!(v["error"]["code"], "timeout", "{v}");
                assert!(!v["error"]["message"].as_str().unwrap().is_empty());
                timeouts += 1;
            }
            other => panic!("unexpected {other}: {v}"),
        }
    }
    assert!(timeouts > 0, "no search took longer than 1 ms");
}

#[test]
fn searches_past_the_running_slots_wait_their_turn_instead_of_failing() {
    // One search runs at a time; the other 31 of a burst are admitted and wait.
    let s = Server::ready(&[("YELPSEARCH_SEARCH_THREADS", "1")]);
    let outcomes = burst(&s.url(&heavy_query()), 32);
    assert!(outcomes.iter().all(|o| o.0 == 200), "{outcomes:?}");
    let first = &outcomes[0].1["results"];
    assert!(first.as_array().is_some_and(|r| !r.is_empty()), "{first}");
    assert!(
        outcomes.iter().all(|o| o.1["results"] == *first),
        "the same results for all"
    );
}

#[test]
fn overload_is_a_json_503() {
    let s = Server::ready(&[("YELPSEARCH_MAX_CONCURRENCY", "1")]);
    let outcomes = burst(&s.url(&heavy_query()), 32);
    let shed: Vec<_> = outcomes.iter().filter(|o| o.0 == 503).collect();
    assert!(
        outcomes.iter().all(|o| o.0 == 200 || o.0 == 503),
        "{outcomes:?}"
    );
    assert!(outcomes.iter().any(|o| o.0 == 200), "{outcomes:?}");
    assert!(
        !shed.is_empty(),
        "32 simultaneous searches with one permit were all served"
    );
    for (_, v, retry) in shed {
        assert_eq!(v["error"]["code"], "overloaded");
        assert_eq!(retry.as_deref(), Some("1"));
    }
}
