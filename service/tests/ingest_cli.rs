//! `index build` and `index update` on files that go wrong, as a person at a terminal or
//! a script reading `--json` sees them: the reason of a fatal error without `-v`, a JSON
//! error object with `--json`, the rejects file named in the summary, an update summary
//! that accounts for every line; and the recovery commands on a damaged index.

use std::path::Path;
use std::process::{Command, Output};

fn yelpsearch(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_yelpsearch"))
        .args(args)
        .env_remove("RUST_LOG")
        .output()
        .expect("run yelpsearch")
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

fn write(path: &Path, lines: &[serde_json::Value]) {
    let body: Vec<String> = lines.iter().map(|l| l.to_string()).collect();
    std::fs::write(path, body.join("\n") + "\n").unwrap();
}

fn business(id: &str, zip: Option<&str>) -> serde_json::Value {
    let mut b = serde_json::json!({"business_id": id, "name": "Luigi's", "city": "Urbana",
        "state": "IL", "stars": 4.0, "review_count": 3, "categories": "Restaurants, Italian"});
    if let Some(z) = zip {
        b["postal_code"] = z.into();
    }
    b
}

fn review(id: &str, biz: &str, date: serde_json::Value) -> serde_json::Value {
    serde_json::json!({"review_id": id, "business_id": biz, "stars": 5, "text": "great pasta",
        "date": date})
}

#[test]
fn a_failed_build_says_why_in_text_and_in_json_and_leaves_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let b = dir.path().join("business.json");
    write(&b, &[business("b1", None)]);
    let r = dir.path().join("review.json");
    let reviews: Vec<_> = (0..5)
        .map(|i| review(&format!("r{i}"), "b1", serde_json::json!(1531001351000u64)))
        .collect();
    write(&r, &reviews);
    let idx = dir.path().join("idx");
    let rejects = dir.path().join("rejects.jsonl");
    let args = |json: bool| {
        let mut a = vec![
            "index".to_string(),
            "build".into(),
            "--quiet".into(),
            "--no-train".into(),
            "--business".into(),
            b.display().to_string(),
            "--reviews".into(),
            r.display().to_string(),
            "--index".into(),
            idx.display().to_string(),
            "--rejects".into(),
            rejects.display().to_string(),
        ];
        if json {
            a.push("--json".into());
        }
        a
    };
    let plain = args(false);
    let out = yelpsearch(&plain.iter().map(String::as_str).collect::<Vec<_>>());
    assert_eq!(out.status.code(), Some(1));
    let err = text(&out.stderr);
    assert!(
        err.contains("business has no postal code: 5") && err.contains("nothing was published"),
        "{err}"
    );
    assert!(err.contains(&rejects.display().to_string()), "{err}");
    assert!(!idx.exists(), "no half folder");
    assert_eq!(
        std::fs::read_to_string(&rejects).unwrap().lines().count(),
        5
    );

    let json = args(true);
    let out = yelpsearch(&json.iter().map(String::as_str).collect::<Vec<_>>());
    assert_eq!(out.status.code(), Some(1));
    let body: serde_json::Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("a JSON error object on stdout ({e}): {}", text(&out.stdout)));
    assert_eq!(body["error"]["code"], "bad_input");
    assert!(body["error"]["message"]
        .as_str()
        .unwrap()
        .contains("no postal code"));

    // With postal codes it builds, and the summary names the rejects file.
    write(&b, &[business("b1", Some("61820"))]);
    let mut more = reviews.clone();
    more.push(review("bad", "b1", serde_json::json!("someday")));
    write(&r, &more);
    let out = yelpsearch(&plain.iter().map(String::as_str).collect::<Vec<_>>());
    assert!(out.status.success(), "{}", text(&out.stderr));
    let summary = text(&out.stdout);
    assert!(
        summary.contains(&format!("listed in {}", rejects.display())),
        "{summary}"
    );

    // An update's summary accounts for every line read.
    let up = dir.path().join("update.json");
    write(
        &up,
        &[
            review("r0", "b1", serde_json::json!(1531001351000u64)), // unchanged
            review("n1", "b1", serde_json::json!("2019-01-01T10:00:00Z")), // added
            review("n2", "nobody", serde_json::json!("2019-01-01")), // skipped
        ],
    );
    let out = yelpsearch(&[
        "index",
        "update",
        "--quiet",
        "--index",
        &idx.display().to_string(),
        "--reviews",
        &up.display().to_string(),
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let summary = text(&out.stdout);
    assert!(
        summary.contains("3 lines read: 1 added, 0 replaced, 1 unchanged (already indexed), 1 skipped, 0 left out"),
        "{summary}"
    );
}

#[test]
fn recovery_commands_work_on_a_damaged_current() {
    let dir = tempfile::tempdir().unwrap();
    let b = dir.path().join("business.json");
    write(&b, &[business("b1", Some("61820"))]);
    let r = dir.path().join("review.json");
    write(&r, &[review("r1", "b1", serde_json::json!("2018-01-01"))]);
    let idx = dir.path().join("idx");
    let i = idx.display().to_string();
    let build = |reviews: &Path| {
        let out = yelpsearch(&[
            "index",
            "build",
            "--quiet",
            "--no-train",
            "--business",
            &b.display().to_string(),
            "--reviews",
            &reviews.display().to_string(),
            "--index",
            &i,
        ]);
        assert!(out.status.success(), "{}", text(&out.stderr));
    };
    build(&r);
    build(&r);
    // A version without manifest (damaged) and a pointer to nowhere.
    std::fs::create_dir(idx.join("versions/v000003")).unwrap();
    std::fs::write(idx.join("versions/v000003/meta.json"), b"{}").unwrap();
    std::fs::write(idx.join("CURRENT"), b"v999999").unwrap();

    let out = yelpsearch(&["index", "versions", "--index", &i, "--json"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let names: Vec<&str> = v
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["v000001", "v000002", "v000003"]);
    assert!(v[2]["damaged"].as_str().unwrap().contains("manifest"));
    assert!(
        text(&out.stderr).contains("rollback"),
        "says how to recover"
    );

    let out = yelpsearch(&["index", "gc", "--index", &i, "--keep", "1"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(
        !idx.join("versions/v000003").exists(),
        "gc removes a damaged version"
    );
    assert!(
        idx.join("versions/v000001").exists(),
        "on a damaged CURRENT gc keeps every complete version"
    );

    let out = yelpsearch(&["index", "rollback", "--index", &i]);
    assert!(!out.status.success());
    assert!(text(&out.stderr).contains("--to"), "{}", text(&out.stderr));
    let out = yelpsearch(&["index", "rollback", "--index", &i, "--to", "v000002"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(
        std::fs::read_to_string(idx.join("CURRENT")).unwrap().trim(),
        "v000002"
    );
    let out = yelpsearch(&["search", "--index", &i, "61820", "pasta"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
}
