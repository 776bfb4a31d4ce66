//! The architecture, checked: the top-level modules of `src/` stand on floors, and a
//! module uses only floors below its own, so dependencies run one way and there is no
//! cycle between modules.
//!
//! Edges are read from the source text, as `python3 ../shared/hooks/modgraph.py src`
//! reads them: every `crate::NAME` (paths, `use crate::{a, b::c}` groups, and doc links
//! alike) outside `#[cfg(test)]` modules and `tests.rs` files. A mention of something
//! the crate root re-exports (`crate::Error`) is refused: it would hide the module the
//! item comes from.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// The floors, lowest first. A module may use the modules of lower floors only.
const FLOORS: &[&[&str]] = &[
    // Text analysis, days, and the error type with the code table.
    &["analysis", "date", "error"],
    // Reading Yelp files; the synthetic corpus.
    &["ingest", "generate"],
    // The on-disk index: versions, schema, business table, rows, terms.
    &["store"],
    // What queries evaluate: the model file, text model, clauses, features, forest.
    &["model"],
    // Opened versions, their statistics, the current version and its reloading.
    &["reader"],
    // Query parsing, collecting, ranking, snippets, request and response.
    &["search"],
    // Training the text model and the ranker, retraining.
    &["train"],
    // Builds, updates, scans.
    &["write"],
    // The index handle and its holder.
    &["handle"],
    // The HTTP contract both servers use.
    &["api"],
];

fn floor_of(module: &str) -> Option<usize> {
    FLOORS.iter().position(|f| f.contains(&module))
}

/// Removes every `#[cfg(test)]` module (`mod NAME { ... }`, braces balanced).
fn without_test_modules(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find("#[cfg(test)]") {
        out.push_str(&rest[..at]);
        let after = &rest[at + "#[cfg(test)]".len()..];
        let trimmed = after.trim_start();
        let is_mod = trimmed.starts_with("mod ") || trimmed.starts_with("pub mod ");
        match (is_mod, trimmed.find(['{', ';'])) {
            (true, Some(i)) if trimmed.as_bytes()[i] == b'{' => {
                let body = &trimmed[i..];
                let mut depth = 0usize;
                let mut end = body.len();
                for (j, c) in body.char_indices() {
                    match c {
                        '{' => depth += 1,
                        '}' => {
                            depth -= 1;
                            if depth == 0 {
                                end = j + 1;
                                break;
                            }
                        }
                        _ => {}
                    }
                }
                rest = &body[end..];
            }
            // `#[cfg(test)] mod tests;` (its file is skipped) or a test-only item.
            _ => rest = after,
        }
    }
    out.push_str(rest);
    out
}

fn ident_at(s: &str) -> &str {
    let end = s
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .unwrap_or(s.len());
    &s[..end]
}

/// The names that follow `crate::` in `text`: the first segment of each path, and of
/// each item of a `crate::{...}` group.
fn crate_mentions(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(at) = rest.find("crate::") {
        let preceded_by_ident = rest[..at]
            .chars()
            .next_back()
            .is_some_and(|c| c.is_ascii_alphanumeric() || c == '_' || c == '$');
        rest = &rest[at + "crate::".len()..];
        if preceded_by_ident {
            continue; // `$crate::` in a macro, or an identifier ending in "crate"
        }
        if let Some(group) = rest.strip_prefix('{') {
            let mut depth = 1usize;
            let mut item_start = true;
            for (i, c) in group.char_indices() {
                match c {
                    '{' => depth += 1,
                    '}' => {
                        depth -= 1;
                        if depth == 0 {
                            break;
                        }
                    }
                    ',' if depth == 1 => item_start = true,
                    c if item_start && (c.is_ascii_alphabetic() || c == '_') && depth == 1 => {
                        out.push(ident_at(&group[i..]).to_string());
                        item_start = false;
                    }
                    _ => {}
                }
            }
        } else {
            let name = ident_at(rest);
            if !name.is_empty() {
                out.push(name.to_string());
            }
        }
    }
    out
}

/// The top-level modules of `src` and, for each, the names it mentions after `crate::`
/// (with the file of each mention).
fn read_graph(
    src: &Path,
) -> (
    BTreeSet<String>,
    BTreeMap<String, BTreeMap<String, PathBuf>>,
) {
    let mut modules = BTreeSet::new();
    for entry in std::fs::read_dir(src).expect("src") {
        let p = entry.expect("entry").path();
        let name = p.file_stem().unwrap().to_string_lossy().into_owned();
        if p.is_dir()
            || (p.extension().is_some_and(|e| e == "rs") && name != "lib" && name != "main")
        {
            modules.insert(name);
        }
    }
    let mut mentions: BTreeMap<String, BTreeMap<String, PathBuf>> = BTreeMap::new();
    let mut stack = vec![src.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).expect("dir") {
            let p = entry.expect("entry").path();
            if p.is_dir() {
                stack.push(p);
                continue;
            }
            if p.extension().is_none_or(|e| e != "rs") || p.file_name().unwrap() == "tests.rs" {
                continue;
            }
            let rel = p.strip_prefix(src).unwrap();
            let first = rel
                .components()
                .next()
                .unwrap()
                .as_os_str()
                .to_string_lossy();
            let module = first.trim_end_matches(".rs").to_string();
            if module == "lib" || module == "main" {
                continue;
            }
            let text = std::fs::read_to_string(&p).expect("read");
            for name in crate_mentions(&without_test_modules(&text)) {
                if name != module {
                    mentions
                        .entry(module.clone())
                        .or_default()
                        .entry(name)
                        .or_insert_with(|| rel.to_path_buf());
                }
            }
        }
    }
    (modules, mentions)
}

/// The strongly connected components of more than one module (Tarjan).
fn cycles(edges: &BTreeMap<String, BTreeSet<String>>) -> Vec<Vec<String>> {
    struct T<'a> {
        edges: &'a BTreeMap<String, BTreeSet<String>>,
        index: BTreeMap<&'a str, usize>,
        low: BTreeMap<&'a str, usize>,
        stack: Vec<&'a str>,
        out: Vec<Vec<String>>,
    }
    fn visit<'a>(t: &mut T<'a>, v: &'a str) {
        let n = t.index.len();
        t.index.insert(v, n);
        t.low.insert(v, n);
        t.stack.push(v);
        for w in t.edges.get(v).into_iter().flatten() {
            if !t.index.contains_key(w.as_str()) {
                visit(t, w);
                let lw = t.low[w.as_str()];
                let lv = t.low.get_mut(v).unwrap();
                *lv = (*lv).min(lw);
            } else if t.stack.contains(&w.as_str()) {
                let iw = t.index[w.as_str()];
                let lv = t.low.get_mut(v).unwrap();
                *lv = (*lv).min(iw);
            }
        }
        if t.low[v] == t.index[v] {
            let mut comp = Vec::new();
            while let Some(w) = t.stack.pop() {
                comp.push(w.to_string());
                if w == v {
                    break;
                }
            }
            if comp.len() > 1 {
                comp.sort();
                t.out.push(comp);
            }
        }
    }
    let mut t = T {
        edges,
        index: BTreeMap::new(),
        low: BTreeMap::new(),
        stack: Vec::new(),
        out: Vec::new(),
    };
    for v in edges.keys() {
        if !t.index.contains_key(v.as_str()) {
            visit(&mut t, v);
        }
    }
    t.out
}

#[test]
fn modules_use_only_lower_floors_and_form_no_cycle() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let (modules, mentions) = read_graph(&src);
    let mut problems = Vec::new();
    for m in &modules {
        if floor_of(m).is_none() {
            problems.push(format!(
                "src/{m}: not on any floor of tests/architecture.rs (place it deliberately)"
            ));
        }
    }
    let mut edges: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (from, names) in &mentions {
        for (to, file) in names {
            if !modules.contains(to) {
                problems.push(format!(
                    "src/{}: `crate::{to}` is not a module: name the module it comes from",
                    file.display()
                ));
                continue;
            }
            edges.entry(from.clone()).or_default().insert(to.clone());
            if let (Some(a), Some(b)) = (floor_of(from), floor_of(to)) {
                if b >= a {
                    problems.push(format!(
                        "src/{}: {from} (floor {a}) uses {to} (floor {b}): only lower floors",
                        file.display()
                    ));
                }
            }
        }
    }
    let found = cycles(&edges);
    for c in &found {
        problems.push(format!("cycle among: {}", c.join(", ")));
    }
    let n_edges: usize = edges.values().map(BTreeSet::len).sum();
    eprintln!(
        "{} top-level modules, {n_edges} edges, {} cycles",
        modules.len(),
        found.len()
    );
    for (from, to) in &edges {
        eprintln!(
            "  {from} -> {}",
            to.iter().cloned().collect::<Vec<_>>().join(", ")
        );
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    // The check reads what it should: the floors above the base use what lies below.
    assert!(edges["api"].contains("handle") && edges["write"].contains("train"));
    assert!(n_edges > 20, "only {n_edges} edges read");
}

#[test]
fn the_reader_finds_paths_groups_and_doc_links_outside_test_modules() {
    let text = r#"
//! See [`crate::store::layout`].
use crate::error::{Error, Result};
use crate::{model::file::ModelFile, reader::{Current, Snapshot}, search};
pub(crate) fn f() -> crate::date::Day { $crate::x::y(); my_crate::z() }
#[cfg(test)]
mod tests {
    use crate::write::build;
    fn g() { if true { crate::train::x(); } }
}
fn after() { crate::api::OPENAPI_JSON; }
#[cfg(test)]
fn test_only_helper() { crate::ingest::x(); }
"#;
    let mut got = crate_mentions(&without_test_modules(text));
    got.sort();
    got.dedup();
    assert_eq!(
        got,
        ["api", "date", "error", "ingest", "model", "reader", "search", "store"]
    );
    let mut edges = BTreeMap::new();
    for (a, b) in [("a", "b"), ("b", "c"), ("c", "a"), ("c", "d")] {
        edges
            .entry(a.to_string())
            .or_insert_with(BTreeSet::new)
            .insert(b.to_string());
    }
    assert_eq!(cycles(&edges), [["a", "b", "c"]]);
    edges.get_mut("c").unwrap().remove("a");
    assert!(cycles(&edges).is_empty());
}
