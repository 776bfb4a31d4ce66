//! The command line end to end: generate → index build → search (text and --json) →
//! eval run → model info, on real files, as another tool would call it.

use std::path::Path;
use std::process::{Command, Output};

fn yelpsearch(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_yelpsearch"))
        .args(args)
        .output()
        .expect("run yelpsearch")
}

fn ok(args: &[&str]) -> String {
    let out = yelpsearch(args);
    assert!(
        out.status.success(),
        "{args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("utf-8 output")
}

#[test]
fn generate_build_search_eval() {
    let dir = tempfile::tempdir().unwrap();
    let d = |p: &str| dir.path().join(p).to_string_lossy().into_owned();
    let gen = ok(&[
        "generate",
        "--out",
        &d("data"),
        "--businesses",
        "200",
        "--reviews",
        "8000",
        "--seed",
        "5",
    ]);
    assert!(gen.contains("8000 reviews"), "{gen}");
    let build = ok(&[
        "index",
        "build",
        "--quiet",
        "--business",
        &d("data/business.jsonl.gz"),
        "--reviews",
        &d("data/review.jsonl.gz"),
        "--index",
        &d("idx"),
    ]);
    assert!(build.contains("built version v000001"), "{build}");
    assert!(build.contains("reviews/s"), "{build}");

    let truth: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("data/truth.json")).unwrap())
            .unwrap();
    let zip = truth["businesses"][0]["postal_code"]
        .as_str()
        .unwrap()
        .to_string();
    let json = ok(&[
        "search",
        "--index",
        &d("idx"),
        "--json",
        "--limit",
        "5",
        "pizza",
        "in",
        &zip,
    ]);
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(v["zip"], zip.as_str());
    assert_eq!(v["query"], "pizza");
    let results = v["results"].as_array().unwrap();
    assert!(!results.is_empty() && results.len() <= 5);
    for r in results {
        for k in [
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
            "snippets",
        ] {
            assert!(r.get(k).is_some(), "missing {k} in {r}");
        }
        assert_eq!(r["postal_code"], zip.as_str());
        assert!(r["snippets"][0]["text"]
            .as_str()
            .unwrap()
            .contains("<mark>"));
    }
    let text = ok(&["search", "--index", &d("idx"), "--zip", &zip, "pizza"]);
    assert!(text.contains("matching reviews"), "{text}");

    // eval run writes a run file score.py reads: qid, business_id, rank.
    let q = dir.path().join("queries.tsv");
    std::fs::write(
        &q,
        format!("q1\t{zip}\tpizza\nq2\t00000\tpizza\nq3\t{zip}\tcoffee\n"),
    )
    .unwrap();
    ok(&[
        "eval",
        "run",
        "--index",
        &d("idx"),
        "--queries",
        &q.to_string_lossy(),
        "--out",
        &d("run.tsv"),
    ]);
    let run = std::fs::read_to_string(dir.path().join("run.tsv")).unwrap();
    let rows: Vec<Vec<&str>> = run.lines().map(|l| l.split('\t').collect()).collect();
    assert!(rows.iter().all(|r| r.len() == 3 && r[0] != "q2"));
    let q1: Vec<&Vec<&str>> = rows.iter().filter(|r| r[0] == "q1").collect();
    // Same query, same ranking: the first results of the run are the --json results.
    assert!(q1.len() >= results.len());
    for (r, hit) in q1.iter().zip(results) {
        assert_eq!(r[1], hit["business_id"].as_str().unwrap());
    }
    assert!(q1
        .iter()
        .enumerate()
        .all(|(i, r)| r[2] == (i + 1).to_string()));
    // Untimed passes first change the timing only: the same run file, and the summary
    // says how the latency was measured.
    let warmed = yelpsearch(&[
        "eval",
        "run",
        "--warmup",
        "2",
        "--index",
        &d("idx"),
        "--queries",
        &q.to_string_lossy(),
        "--out",
        &d("run-warm.tsv"),
    ]);
    assert!(warmed.status.success());
    let summary = String::from_utf8_lossy(&warmed.stderr);
    assert!(
        summary.contains("3 queries (1 without results)")
            && summary.contains("after 2 untimed pass(es)"),
        "{summary}"
    );
    assert_eq!(
        std::fs::read_to_string(dir.path().join("run-warm.tsv")).unwrap(),
        run
    );

    let info = ok(&["model", "info", "--index", &d("idx")]);
    assert!(info.contains("content hash"), "{info}");

    // Retraining draws its queries by `--seed`: the same seed the same held-out queries
    // (their number and BM25's figure on them, whatever the model), another seed others.
    let held_out = |seed: &str| {
        let out = ok(&[
            "model",
            "train",
            "--index",
            &d("idx"),
            "--force",
            "--seed",
            seed,
        ]);
        let line = out.lines().next().unwrap_or_default().to_string();
        assert!(line.starts_with("held-out NDCG@10 on "), "{out}");
        let queries = line
            .split(" queries")
            .next()
            .unwrap_or_default()
            .to_string();
        let bm25 = line.rsplit("(BM25 ").next().unwrap_or_default().to_string();
        (queries, bm25)
    };
    let one = held_out("1");
    assert_eq!(held_out("1"), one);
    assert_ne!(held_out("2"), one);
}

#[test]
fn errors_exit_non_zero_with_a_message() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("nope");
    let out = yelpsearch(&[
        "search",
        "--index",
        &missing.to_string_lossy(),
        "61820",
        "pasta",
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no yelpsearch index"));
    let out = yelpsearch(&[
        "index",
        "build",
        "--business",
        "/nonexistent/b.json",
        "--reviews",
        "/nonexistent/r.json",
        "--index",
        &dir.path().join("i").to_string_lossy(),
    ]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("/nonexistent/b.json"));
    assert!(!Path::new(&dir.path().join("i/CURRENT")).exists());
    // A training of 5 queries could not learn a ranker: refused before any work, saying
    // what the range is.
    let out = yelpsearch(&[
        "model",
        "train",
        "--index",
        &missing.to_string_lossy(),
        "--max-queries",
        "5",
    ]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("--max-queries must be between 30 and 100000"),
        "{err}"
    );
}

/// `index build --parse-only` reads both files as a build's first pass does, counts what
/// a build would index, and writes no index, even when `--index` is given.
#[test]
fn parse_only_counts_reviews_and_writes_no_index() {
    use std::io::{Read, Write};
    let dir = tempfile::tempdir().unwrap();
    let d = |p: &str| dir.path().join(p).to_string_lossy().into_owned();
    ok(&[
        "generate",
        "--out",
        &d("data"),
        "--businesses",
        "150",
        "--reviews",
        "3000",
        "--seed",
        "9",
    ]);
    // What a build indexes: every review whose business has a postal code. The generator
    // writes each business's exact review count.
    let truth: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("data/truth.json")).unwrap())
            .unwrap();
    let zipless: std::collections::HashSet<&str> = truth["businesses"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|b| b["postal_code"] == "")
        .map(|b| b["business_id"].as_str().unwrap())
        .collect();
    let mut biz = String::new();
    flate2::read::MultiGzDecoder::new(
        std::fs::File::open(dir.path().join("data/business.jsonl.gz")).unwrap(),
    )
    .read_to_string(&mut biz)
    .unwrap();
    let (mut indexed, mut left_out) = (0u64, 0u64);
    for l in biz.lines() {
        let b: serde_json::Value = serde_json::from_str(l).unwrap();
        let n = b["review_count"].as_u64().unwrap();
        if zipless.contains(b["business_id"].as_str().unwrap()) {
            left_out += n;
        } else {
            indexed += n;
        }
    }
    assert_eq!(indexed + left_out, 3000);

    // A plain copy of the reviews with one bad line appended.
    let mut reviews = String::new();
    flate2::read::MultiGzDecoder::new(
        std::fs::File::open(dir.path().join("data/review.jsonl.gz")).unwrap(),
    )
    .read_to_string(&mut reviews)
    .unwrap();
    let mut f = std::fs::File::create(dir.path().join("review.json")).unwrap();
    f.write_all(reviews.as_bytes()).unwrap();
    f.write_all(b"{\"review_id\": oops\n").unwrap();
    drop(f);

    let json = ok(&[
        "index",
        "build",
        "--parse-only",
        "--quiet",
        "--json",
        "--business",
        &d("data/business.jsonl.gz"),
        "--reviews",
        &d("review.json"),
        "--index",
        &d("idx"),
    ]);
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(v["businesses"]["accepted"], 150);
    let passes = v["passes"].as_array().unwrap();
    let depths: Vec<&str> = passes
        .iter()
        .map(|p| p["depth"].as_str().unwrap())
        .collect();
    assert_eq!(depths, ["decompress", "parse", "validate"]);
    for p in passes {
        assert_eq!(p["reviews"]["read"], 3001, "{p}");
        assert!(p["seconds"].as_f64().unwrap() > 0.0, "{p}");
        assert!(p["reviews_per_sec"].as_f64().unwrap() > 0.0, "{p}");
    }
    let validate = &passes[2]["reviews"];
    assert_eq!(validate["accepted"], indexed, "{validate}");
    assert_eq!(validate["skipped"]["not JSON"], 1, "{validate}");
    if left_out > 0 {
        assert_eq!(
            validate["excluded"]["business has no postal code"],
            left_out
        );
    }
    assert!(
        !dir.path().join("idx").exists(),
        "--parse-only wrote an index"
    );

    // The text report, and no --index needed.
    let text = ok(&[
        "index",
        "build",
        "--parse-only",
        "--quiet",
        "--business",
        &d("data/business.jsonl.gz"),
        "--reviews",
        &d("data/review.jsonl.gz"),
    ]);
    assert!(text.contains("no index written"), "{text}");
    assert!(
        text.contains(&format!("read 3000, accepted {indexed}, skipped 0")),
        "{text}"
    );
    for label in [
        "decompress ",
        "decompress+parse ",
        "decompress+parse+validate ",
    ] {
        assert!(text.contains(label) && text.contains("reviews/s"), "{text}");
    }
    assert!(!dir.path().join("idx").exists());

    // Without --parse-only, --index stays required.
    let out = yelpsearch(&[
        "index",
        "build",
        "--business",
        &d("data/business.jsonl.gz"),
        "--reviews",
        &d("data/review.jsonl.gz"),
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--index"));
}

/// Generates a corpus and builds its index in `dir`; returns the truth file's JSON.
fn corpus_and_index(dir: &Path, businesses: &str, reviews: &str) -> serde_json::Value {
    let d = |p: &str| dir.join(p).to_string_lossy().into_owned();
    ok(&[
        "generate",
        "--out",
        &d("data"),
        "--businesses",
        businesses,
        "--reviews",
        reviews,
        "--seed",
        "7",
    ]);
    ok(&[
        "index",
        "build",
        "--quiet",
        "--business",
        &d("data/business.jsonl.gz"),
        "--reviews",
        &d("data/review.jsonl.gz"),
        "--index",
        &d("idx"),
    ]);
    serde_json::from_slice(&std::fs::read(dir.join("data/truth.json")).unwrap()).unwrap()
}

/// `search` says how the query was understood: `--json` carries the contract's
/// `interpretation` and each result's `matched`, the text starts with "Showing results
/// for"; a typo is corrected unless `--literal`.
#[test]
fn search_says_how_the_query_was_understood() {
    let dir = tempfile::tempdir().unwrap();
    corpus_and_index(dir.path(), "300", "15000");
    let idx = dir.path().join("idx").to_string_lossy().into_owned();
    let json = |args: &[&str]| -> serde_json::Value {
        let mut all = vec!["search", "--index", &idx, "--json"];
        all.extend_from_slice(args);
        serde_json::from_str(&ok(&all)).unwrap()
    };

    let fixed = json(&["61820", "piza"]);
    let it = &fixed["interpretation"];
    assert_eq!(
        it["corrections"],
        serde_json::json!([{"from": "piza", "to": "pizza"}])
    );
    assert_eq!(it["need"], serde_json::json!(["pizza"]));
    assert_eq!(it["literal"], false);
    assert_eq!(fixed["query"], "piza");
    let results = fixed["results"].as_array().unwrap();
    assert!(!results.is_empty());
    assert!(results
        .iter()
        .all(|r| r["matched"].is_array() && r.get("distance_km").is_none()));
    // The corrected word's own results.
    let clean = json(&["61820", "pizza"]);
    let ids = |v: &serde_json::Value| -> Vec<String> {
        v["results"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["business_id"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(ids(&fixed), ids(&clean));

    // --literal: no correction, and no review holds "piza".
    let literal = json(&["--literal", "61820", "piza"]);
    let it = &literal["interpretation"];
    assert_eq!(it["literal"], true);
    assert_eq!(it["corrections"], serde_json::json!([]));
    assert_eq!(it["need"], serde_json::json!(["piza"]));
    assert!(literal["results"]
        .as_array()
        .unwrap()
        .iter()
        .all(|r| !r["matched"].as_array().unwrap().contains(&"reviews".into())));

    // Text: how it was understood first, then what of each result matched.
    let text = ok(&["search", "--index", &idx, "61820", "cheap", "piza"]);
    let first = text.lines().next().unwrap();
    assert!(
        first.starts_with("Showing results for pizza (you typed \"piza\")")
            && first.contains(" · $"),
        "{text}"
    );
    assert!(text.contains("matching reviews"), "{text}");
    let text = ok(&["search", "--index", &idx, "--literal", "61820", "piza"]);
    assert!(
        text.starts_with("Showing results for piza (the words as typed)"),
        "{text}"
    );
}

/// On a corpus with neighbouring zipcodes, places of a nearby zipcode follow the
/// zipcode's own matches, with their distance; `--no-nearby` leaves them out.
#[test]
fn search_shows_nearby_places_unless_no_nearby() {
    let dir = tempfile::tempdir().unwrap();
    let truth = corpus_and_index(dir.path(), "2000", "30000");
    let idx = dir.path().join("idx").to_string_lossy().into_owned();
    let search = |args: &[&str]| -> serde_json::Value {
        let mut all = vec![
            "search",
            "--index",
            &idx,
            "--json",
            "--matches-only",
            "--limit",
            "30",
        ];
        all.extend_from_slice(args);
        serde_json::from_str(&ok(&all)).unwrap()
    };
    // 61801 (Urbana) is a few kilometres from 61820 (Champaign).
    let mut dishes: Vec<&str> = truth["businesses"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|b| b["postal_code"] == "61801")
        .flat_map(|b| b["quality"].as_object().unwrap().keys())
        .map(String::as_str)
        .collect();
    dishes.sort_unstable();
    dishes.dedup();
    let (dish, near) = dishes
        .iter()
        .find_map(|d| {
            let v = search(&["61801", d]);
            let has = v["results"]
                .as_array()
                .unwrap()
                .iter()
                .any(|r| r.get("distance_km").is_some());
            has.then_some((*d, v))
        })
        .expect("a dish of 61801 with places of a nearby zipcode");
    let results = near["results"].as_array().unwrap();
    let first_near = results
        .iter()
        .position(|r| r.get("distance_km").is_some())
        .unwrap();
    assert!(first_near > 0, "the zipcode's own places come first");
    for (i, r) in results.iter().enumerate() {
        assert_eq!(r["postal_code"] == "61801", i < first_near, "{r}");
    }
    let nearby = near["interpretation"]["nearby"].as_array().unwrap();
    assert!(nearby.iter().any(|n| n["zip"] == "61820"), "{nearby:?}");

    let own = search(&["--no-nearby", "61801", dish]);
    assert_eq!(own["interpretation"]["nearby"], serde_json::json!([]));
    assert_eq!(
        own["results"].as_array().unwrap()[..],
        results[..first_near]
    );

    let text = ok(&[
        "search",
        "--index",
        &idx,
        "--matches-only",
        "--limit",
        "30",
        "61801",
        dish,
    ]);
    assert!(
        text.lines().next().unwrap().contains(" · near 61820 ("),
        "{text}"
    );
    assert!(text.contains("Places near 61801: in 61820"), "{text}");
    assert!(text.contains(" km away)"), "{text}");
}

/// A small corpus and its index, shared by the tests below (built once).
fn shared_index() -> &'static (tempfile::TempDir, String) {
    static S: std::sync::OnceLock<(tempfile::TempDir, String)> = std::sync::OnceLock::new();
    S.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        corpus_and_index(dir.path(), "150", "4000");
        let idx = dir.path().join("idx").to_string_lossy().into_owned();
        (dir, idx)
    })
}

/// `yelpsearch search … | head -1`: the reader goes away, and the command ends quietly
/// (it panicked: exit 101, "failed printing to stdout: Broken pipe").
#[test]
fn a_closed_stdout_ends_a_command_quietly() {
    let (_, idx) = shared_index();
    for args in [
        vec!["search", "--index", idx, "61820", "pizza"],
        vec!["search", "--index", idx, "--json", "61820", "pizza"],
        vec!["index", "versions", "--index", idx],
    ] {
        let mut child = Command::new(env!("CARGO_BIN_EXE_yelpsearch"))
            .args(&args)
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        // Closed before the command writes anything: every write meets a broken pipe.
        drop(child.stdout.take());
        let out = child.wait_with_output().unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(0), "{args:?}: {err}");
        assert!(!err.contains("panicked"), "{args:?}: {err}");
    }
}

/// `--help` says what each option is (not its name again), shows examples and the exit
/// codes, points at nothing outside the repository, and lists the global options once,
/// under their own heading.
#[test]
fn help_has_examples_exit_codes_and_no_empty_descriptions() {
    let top = ok(&["--help"]);
    for want in ["Examples:", "Exit codes:", " 2 ", " 3 ", " 75 "] {
        assert!(top.contains(want), "{want:?} missing from:\n{top}");
    }
    let commands = [
        vec!["generate"],
        vec!["index", "build"],
        vec!["index", "update"],
        vec!["index", "versions"],
        vec!["search"],
        vec!["eval", "run"],
        vec!["model", "train"],
        vec!["model", "info"],
        vec!["serve"],
        vec!["demo"],
        vec!["export-page"],
    ];
    for c in commands {
        let help = ok(&[c.as_slice(), &["--help"]].concat());
        assert!(!help.contains("../shared"), "{c:?}:\n{help}");
        assert_eq!(
            help.matches("--log-format").count(),
            1,
            "{c:?}: global options once:\n{help}"
        );
        assert!(help.contains("Global options:"), "{c:?}:\n{help}");
        // `--seed <SEED>` described as "Seed": a description that only repeats the name.
        let lines: Vec<&str> = help.lines().collect();
        for (i, l) in lines.iter().enumerate() {
            let l = l.trim();
            let Some(flag) = l.strip_prefix("--") else {
                continue;
            };
            let name = flag.split([' ', '<']).next().unwrap().replace('-', " ");
            let desc = match l.split_once("  ") {
                Some((_, d)) => d.trim(),
                None => lines.get(i + 1).map_or("", |n| n.trim()),
            };
            let bare = desc.trim_end_matches('.').to_lowercase();
            assert!(bare != name, "{c:?}: --{name} is described as {desc:?}");
        }
    }
    assert!(ok(&["generate", "--help"]).contains("Example:"));
    assert!(ok(&["search", "--help"]).contains("Examples:"));
}

/// Logs carry no colour codes when stderr is not a terminal (a file, a pipe, a log
/// collector).
#[test]
fn logs_have_no_colour_codes_off_a_terminal() {
    let (dir, _) = shared_index();
    let d = |p: &str| dir.path().join(p).to_string_lossy().into_owned();
    let out = yelpsearch(&[
        "-v",
        "index",
        "build",
        "--quiet",
        "--no-train",
        "--business",
        &d("data/business.jsonl.gz"),
        "--reviews",
        &d("data/review.jsonl.gz"),
        "--index",
        &d("idx-logged"),
    ]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{err}");
    assert!(err.contains("INFO"), "{err}");
    assert!(!err.contains('\u{1b}'), "{err:?}");
}

/// `took_ms` is written with at most 3 decimals (it was `0.9605819999999999`).
#[test]
fn took_ms_has_three_decimals_at_most() {
    let (_, idx) = shared_index();
    let json = ok(&["search", "--index", idx, "--json", "61820", "pizza"]);
    let raw = json
        .split("\"took_ms\":")
        .nth(1)
        .unwrap()
        .split([',', '\n', '}'])
        .next()
        .unwrap()
        .trim();
    let decimals = raw.split_once('.').map_or(0, |(_, d)| d.len());
    assert!(decimals <= 3, "took_ms {raw}");
}

/// A port already in use: the error names the address and says how to pick another.
#[test]
fn an_address_in_use_points_at_addr() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = taken.local_addr().unwrap().to_string();
    let (_, idx) = shared_index();
    let out = yelpsearch(&["serve", "--index", idx, "--addr", &addr]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains(&addr) && err.contains("--addr"), "{err}");
}

/// `serve` without an index yet says at once that it waits, and how often it tries.
#[test]
fn serve_without_an_index_says_it_waits_and_how_often() {
    use std::io::BufRead;
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("not-yet").to_string_lossy().into_owned();
    let mut child = Command::new(env!("CARGO_BIN_EXE_yelpsearch"))
        .args([
            "serve",
            "--index",
            &missing,
            "--addr",
            "127.0.0.1:0",
            "--reload-interval-secs",
            "7",
        ])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let stderr = std::io::BufReader::new(child.stderr.take().unwrap());
    let first = stderr
        .lines()
        .map_while(Result::ok)
        .find(|l| l.contains("cannot open the index yet"));
    child.kill().unwrap();
    child.wait().unwrap();
    let first = first.expect("a warning about the missing index");
    assert!(first.contains("every 7s"), "{first}");
}
