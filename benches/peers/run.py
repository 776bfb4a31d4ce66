"""Peer comparison: yelpsearch against the engines a Flask developer would otherwise pick.

Run through benches/peers/run.sh (it makes the virtualenv and builds yelpsearch first):

    bash benches/peers/run.sh [--subset N] [--systems a,b,c] [--repeat N] [--data DIR] [--out DIR]

1. make_qrels.py (default cutoff, dev terms) writes OUT/dev/ unless OUT/dev/queries.tsv exists.
2. With --subset N: OUT/subset-N/ holds the index set, queries and judgments of N postal
   codes (the first N by sha1 of the code among those with queries), made once.
3. Each system runs in its own process (driver.py), so peak RSS is per system: build,
   warm-up pass, timed pass; its run files are scored by ../shared/eval/score.py.
4. With --repeat N, every system runs N times, round-robin (all systems once, then again),
   so that a slow moment of the machine falls on every system alike; each system's row is
   the median of its runs (see combine()).
5. OUT/LABEL/results.{md,json} (LABEL = full or subset-N), copied to OUT/results.{md,json}.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gzip
import hashlib
import json
import os
import platform
import shutil
import sqlite3
import statistics
import subprocess
import sys
import time
from importlib import metadata
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]

# In table order. yelpsearch_* last: they compete with the peers.
ALL_SYSTEMS = [
    "read",
    "gzip_dc",
    "tantivy_reviews",
    "sqlite_fts5",
    "bm25s_zip",
    "bm25s_global",
    "whoosh_reviews",
    "rank_bm25_zip",
    "yelpsearch_cli",
    "yelpsearch_py",
]
FLOORS = {"read", "gzip_dc"}
OURS = {"yelpsearch_cli", "yelpsearch_py"}
PACKAGES = ["tantivy", "bm25s", "PyStemmer", "numpy", "Whoosh-Reloaded", "rank-bm25", "yelpsearch"]


def log(msg: str) -> None:
    """A progress line on stderr."""
    print(f"[peers {time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


def default_data() -> Path:
    """The corpus: $YELP_DATA, else ../shared/data/yelp beside the repository."""
    return Path(os.environ.get("YELP_DATA", ROOT.parent / "shared" / "data" / "yelp"))


def default_eval() -> Path:
    """make_qrels.py and score.py: $YELP_EVAL, else ../shared/eval."""
    return Path(os.environ.get("YELP_EVAL", ROOT.parent / "shared" / "eval"))


def make_dev(data: Path, eval_dir: Path, dev: Path) -> None:
    """Run make_qrels.py (default cutoff, dev terms) into dev unless it is there."""
    if (dev / "queries.tsv").is_file() and (dev / "index" / "review.jsonl.gz").is_file():
        log(f"reusing {dev} (delete it to redo make_qrels.py)")
        return
    log(f"make_qrels.py {data} -> {dev}")
    subprocess.run(
        [sys.executable, str(eval_dir / "make_qrels.py"), str(data), str(dev)], check=True
    )


def count_lines(path: Path) -> int:
    """Non-blank lines of a gzipped file."""
    with gzip.open(path, "rb") as f:
        return sum(1 for line in f if line.strip())


def make_subset(dev: Path, dst: Path, n: int) -> None:
    """The index set, queries and judgments of n postal codes of dev's queries."""
    if (dst / "queries.tsv").is_file() and (dst / "reviews.count").is_file():
        log(f"reusing {dst}")
        return
    queries = [line.split("\t") for line in (dev / "queries.tsv").read_text().splitlines() if line]
    codes = sorted({q[1] for q in queries}, key=lambda z: hashlib.sha1(z.encode()).hexdigest())[:n]
    keep = set(codes)
    log(f"subset of {len(codes)} postal codes -> {dst}")
    (dst / "index").mkdir(parents=True, exist_ok=True)
    biz = set()
    with (
        gzip.open(dev / "index" / "business.jsonl.gz", "rb") as fi,
        gzip.open(dst / "index" / "business.jsonl.gz", "wb", compresslevel=6) as fo,
    ):
        for raw in fi:
            if raw.strip():
                b = json.loads(raw)
                if b.get("postal_code") in keep:
                    biz.add(b["business_id"])
                    fo.write(raw)
    n_rev = 0
    with (
        gzip.open(dev / "index" / "review.jsonl.gz", "rb") as fi,
        gzip.open(dst / "index" / "review.jsonl.gz", "wb", compresslevel=6) as fo,
    ):
        for raw in fi:
            if raw.strip() and json.loads(raw)["business_id"] in biz:
                fo.write(raw)
                n_rev += 1
    qids = {q[0] for q in queries if q[1] in keep}
    (dst / "queries.tsv").write_text("".join("\t".join(q) + "\n" for q in queries if q[0] in qids))
    qrels = (dev / "qrels.tsv").read_text().splitlines()
    (dst / "qrels.tsv").write_text("".join(x + "\n" for x in qrels if x.split("\t")[0] in qids))
    (dst / "reviews.count").write_text(f"{n_rev}\n")
    (dst / "postal_codes.txt").write_text("".join(z + "\n" for z in codes))


def review_count(split: Path) -> int:
    """Index-set reviews of a split (cached in split/reviews.count)."""
    f = split / "reviews.count"
    if not f.is_file():
        f.write_text(f"{count_lines(split / 'index' / 'review.jsonl.gz')}\n")
    return int(f.read_text())


def score(eval_dir: Path, qrels: Path, run: Path) -> dict:
    """NDCG@10, MRR and P@5 of a run file, as score.py prints them."""
    p = subprocess.run(
        [sys.executable, str(eval_dir / "score.py"), str(qrels), str(run)],
        capture_output=True,
        text=True,
        check=True,
    )
    out = {}
    for line in p.stdout.splitlines():
        key, _, val = line.partition("\t")
        if key in ("NDCG@10", "MRR", "P@5"):
            out[key] = float(val)
    return out


def run_system(name: str, split: Path, work: Path, eval_dir: Path, n_reviews: int) -> dict:
    """Measure one system in its own process (driver.py); its scored result."""
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    cmd = [
        sys.executable,
        str(HERE / "driver.py"),
        name,
        str(split / "index"),
        str(split / "queries.tsv"),
        str(work),
    ]
    log(f"{name}: start")
    t0 = time.perf_counter()
    with open(work / "driver.log", "wb") as logf:
        p = subprocess.run(cmd, stdout=logf, stderr=subprocess.STDOUT)
    wall = time.perf_counter() - t0
    if p.returncode != 0:
        tail = (work / "driver.log").read_text(errors="replace").strip().splitlines()[-5:]
        log(f"{name}: FAILED (exit {p.returncode}): " + " | ".join(tail))
        return {"system": name, "error": "\n".join(tail)}
    res = json.loads((work / "result.json").read_text())
    if res.get("reviews") not in (None, n_reviews):
        res.setdefault("notes", []).append(f"the system counted {res['reviews']} reviews")
    res["reviews"] = n_reviews
    res["reviews_per_s"] = n_reviews / res["build_s"] if res.get("build_s") else None
    for v in res["variants"].values():
        v["scores"] = score(eval_dir, split / "qrels.tsv", Path(v["run"]))
    res["process_s"] = wall
    brief = ", ".join(
        f"{v}: NDCG {r['scores'].get('NDCG@10', 0):.4f} p50 {r['p50_ms']:.3f} ms"
        for v, r in res["variants"].items()
    )
    log(f"{name}: build {res['build_s']:.1f} s; {brief or 'no search'} ({wall:.0f} s in all)")
    return res


LATENCY_KEYS = ("p50_ms", "p95_ms", "p99_ms", "qps")


def combine(runs: list[dict]) -> dict:
    """One system's result from its repeated runs (one run: that run).

    The build figures (time, reviews/s, peak RSS, index size, stages) are those of the run
    whose build time is the median (the lower middle one for an even count), so they come
    from one build; each variant's p50, p95, p99 and q/s are each the median over the runs.
    The scores are the chosen run's: the systems are deterministic, so every run's run file
    scores the same, and a run that does not is noted. Every run's build time and p50s are
    kept under "repeats". A failed run fails the row.
    """
    failed = [r for r in runs if "error" in r]
    if failed:
        return failed[0]
    if len(runs) == 1:
        return runs[0]
    builds = [r["build_s"] for r in runs]
    base = dict(runs[builds.index(statistics.median_low(builds))])
    base["variants"] = {k: dict(v) for k, v in base["variants"].items()}
    for name, v in base["variants"].items():
        for key in LATENCY_KEYS:
            vals = [r["variants"][name][key] for r in runs if r["variants"][name].get(key)]
            if vals:
                v[key] = statistics.median(vals)
        differ = {round(r["variants"][name].get("scores", {}).get("NDCG@10", -1), 6) for r in runs}
        if len(differ) > 1:
            base.setdefault("notes", []).append(
                f"{name}: the runs' NDCG@10 differ ({', '.join(map(str, sorted(differ)))})"
            )
    base["repeats"] = [
        {
            "build_s": r["build_s"],
            **{f"{n}_p50_ms": v.get("p50_ms") for n, v in r["variants"].items()},
        }
        for r in runs
    ]
    return base


def machine() -> dict:
    """Date, machine, commit and package versions for the table's header."""
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    ram = None
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                ram = round(int(line.split()[1]) / 1024**2, 1)
    except OSError:
        pass

    def git(*args: str) -> str:
        p = subprocess.run(["git", "-C", str(ROOT), *args], capture_output=True, text=True)
        return p.stdout.strip()

    dirty = bool(git("status", "--porcelain", "--untracked-files=no"))
    versions = {}
    for pkg in PACKAGES:
        try:
            versions[pkg] = metadata.version(pkg)
        except metadata.PackageNotFoundError:
            versions[pkg] = None
    return {
        "date": dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "nproc": os.cpu_count(),
        "cpu": cpu,
        "ram_gib": ram,
        "commit": git("rev-parse", "--short", "HEAD") + (" (work tree modified)" if dirty else ""),
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
        "packages": versions,
        "load_avg_at_end": os.getloadavg(),
    }


def _mb(kb_or_bytes, unit: int) -> str:
    return "—" if kb_or_bytes is None else f"{kb_or_bytes / unit:,.0f}"


def _ms(v) -> str:
    if v is None:
        return "—"
    return f"{v:.3f}" if v < 0.1 else f"{v:.2f}"


def rows_of(results: list[dict]) -> list[dict]:
    """One table row per (system, variant)."""
    rows = []
    for r in results:
        if "error" in r:
            rows.append({"name": r["system"], "error": r["error"]})
            continue
        rss = _mb(r.get("peak_rss_kb"), 1024)
        if r.get("peak_rss_children_kb"):
            rss += f" (+{_mb(r['peak_rss_children_kb'], 1024)} largest worker)"
        common = {
            "build": f"{r['build_s']:.1f}",
            "rps": f"{r['reviews_per_s']:,.0f}" if r.get("reviews_per_s") else "—",
            "index": _mb(r.get("index_bytes"), 1024**2),
            "rss": rss,
        }
        variants = r["variants"] or {None: None}
        for v, m in variants.items():
            name = r["system"] if v is None or len(variants) == 1 else f"{r['system']} ({v})"
            if r.get("split"):
                name += f" [{r['split']}]"
            if r["system"] == "gzip_dc":
                name = "gzip -dc (floor)"
            row = {"name": name, "system": r["system"], "variant": v, **common}
            if m:
                s = m.get("scores", {})
                row.update(
                    ndcg=f"{s['NDCG@10']:.4f}" if "NDCG@10" in s else "—",
                    mrr=f"{s['MRR']:.4f}" if "MRR" in s else "—",
                    p5=f"{s['P@5']:.4f}" if "P@5" in s else "—",
                    p50=_ms(m.get("p50_ms")),
                    p95=_ms(m.get("p95_ms")),
                    p99=_ms(m.get("p99_ms")),
                    qps=f"{m['qps']:,.0f}" if m.get("qps") else "—",
                )
            rows.append(row)
    return rows


COLS = [
    ("system", "name"),
    ("NDCG@10", "ndcg"),
    ("MRR", "mrr"),
    ("P@5", "p5"),
    ("build s", "build"),
    ("reviews/s", "rps"),
    ("index MB", "index"),
    ("peak RSS MB", "rss"),
    ("p50 ms", "p50"),
    ("p95 ms", "p95"),
    ("p99 ms", "p99"),
    ("q/s", "qps"),
]


def targets(results: list[dict]) -> list[str]:
    """The issue's targets, as ratios from this run (where the rows are there)."""
    by = {r["system"]: r for r in results if "error" not in r}
    lines = []
    cli, py, tan = by.get("yelpsearch_cli"), by.get("yelpsearch_py"), by.get("tantivy_reviews")
    if cli and tan:
        x = cli["reviews_per_s"] / tan["reviews_per_s"]
        lines.append(
            f"- build throughput, yelpsearch CLI / tantivy binding: {cli['reviews_per_s']:,.0f} / "
            f"{tan['reviews_per_s']:,.0f} reviews/s = **{x:.2f}×** (target ≥ 2×)"
        )
    if cli:
        st = cli.get("stages_s", {})
        floors = [
            ("read", "Python json.loads floor (`read`)", by.get("read", {}).get("build_s")),
            (
                "rust",
                "yelpsearch's own read-and-validate pass (decompress, parse, validate, spill)",
                st.get("read and validated reviews"),
            ),
            ("gzip", "`gzip -dc` (decompression only)", by.get("gzip_dc", {}).get("build_s")),
        ]
        for key, what, f in floors:
            if f:
                b = cli["build_s"]
                lines.append(
                    f"- full build / {what}: {b:.1f} s / {f:.1f} s = **{b / f:.2f}×**"
                    + (" (target ≤ 4× of the decompress-and-parse floor)" if key == "read" else "")
                )
        if st:
            parts = ", ".join(f"{k} {v:.1f} s" for k, v in st.items())
            rest = cli["build_s"] - sum(st.values())
            lines.append(
                f"- yelpsearch build stages (its -v log): {parts}; the rest (business file, "
                f"process start, writing the version) {rest:.1f} s"
            )
    peers = [
        (m["p50_ms"], f"{s} ({v})")
        for s, r in by.items()
        if s not in FLOORS | OURS
        for v, m in r["variants"].items()
        if m.get("p50_ms") is not None
    ]
    if peers:
        best_p50, best_name = min(peers)
        for ours in (py, cli):
            if not ours:
                continue
            for v, m in ours["variants"].items():
                if m.get("p50_ms"):
                    lines.append(
                        f"- search p50, best peer {best_name} {best_p50:.3f} ms / "
                        f"{ours['system']} ({v}) {m['p50_ms']:.3f} ms = "
                        f"**{best_p50 / m['p50_ms']:.1f}×** (target ≥ 10×); "
                        f"p99 {m['p99_ms']:.3f} ms (target < 10 ms)"
                    )
    scored = [
        (m["scores"]["NDCG@10"], f"{s} ({v})")
        for s, r in by.items()
        if s not in FLOORS | OURS
        for v, m in r["variants"].items()
        if "NDCG@10" in m.get("scores", {})
    ]
    if scored:
        best, name = max(scored)
        ours = cli or py
        for v, m in (ours or {}).get("variants", {}).items():
            n = m.get("scores", {}).get("NDCG@10")
            if n is not None:
                lines.append(
                    f"- NDCG@10, {ours['system']} ({v}) {n:.4f} vs best peer {name} "
                    f"{best:.4f}: **{n / best:.2f}×** (target: above every peer)"
                )
    return lines


def repeats_section(results: list[dict]) -> list[str]:
    """With --repeat: each system's runs (build time, p50 per variant), in run order."""
    lines = []
    for r in results:
        reps = r.get("repeats")
        if not reps:
            continue
        runs = []
        for rep in reps:
            p50s = ", ".join(
                f"{k.removesuffix('_p50_ms')} {_ms(v)}"
                for k, v in rep.items()
                if k.endswith("_p50_ms") and v
            )
            runs.append(f"{rep['build_s']:.1f} s" + (f" ({p50s} ms)" if p50s else ""))
        lines.append(f"- {r['system']}: " + "; ".join(runs))
    if not lines:
        return []
    n = max(len(r.get("repeats") or []) for r in results)
    return [
        "",
        f"## The {n} runs of each system (round-robin)",
        "",
        "Each row above: the build of the run whose build time is the median, and the median "
        "of each latency figure. Build time per run, with each variant's p50:",
        "",
    ] + lines


def write_results(
    out: Path,
    label_dir: Path,
    label: str,
    info: dict,
    split: Path,
    n_reviews: int,
    results: list[dict],
    command: str,
) -> None:
    """LABEL_DIR/results.{md,json}, copied to OUT/results.{md,json}."""
    n_queries = sum(1 for line in (split / "queries.tsv").read_text().splitlines() if line)
    m = info
    head = [
        f"# Peer comparison ({label})",
        "",
        f"- date: {m['date']}; commit {m['commit']}",
        f"- machine: {m['nproc']} cores, {m['cpu']}, {m['ram_gib']} GiB RAM; "
        f"Python {m['python']}, SQLite {m['sqlite']}; load average at the end "
        + ", ".join(f"{x:.2f}" for x in m["load_avg_at_end"]),
        "- packages: " + ", ".join(f"{k} {v}" for k, v in m["packages"].items() if v),
        f"- data: {split / 'index'} ({n_reviews:,} index-set reviews), {n_queries} queries "
        f"({split / 'queries.tsv'}), scored by score.py against {split / 'qrels.tsv'}",
        f"- command: `{command}`",
        "- one process per system; build = read both files and build the index "
        "(or in-memory model); "
        "latency = one query at a time on one thread, after a warm-up pass, from Python "
        "(yelpsearch_cli: the library's own timing inside `yelpsearch eval run`), aggregation to "
        "businesses included; q/s = queries / the timed pass's time. MB = 2^20 bytes.",
        "",
    ]
    table = ["| " + " | ".join(c for c, _ in COLS) + " |", "|" + "---|" * len(COLS)]
    for row in rows_of(results):
        if "error" in row:
            table.append(
                f"| {row['name']} | failed: {row['error'].splitlines()[-1][:120]} |"
                + " |" * (len(COLS) - 2)
            )
            continue
        table.append("| " + " | ".join(row.get(k, "—") for _, k in COLS) + " |")
    for r in results:
        if r.get("split"):
            sub = split.parent / r["split"]
            nq = sum(1 for line in (sub / "queries.tsv").read_text().splitlines() if line)
            head.insert(
                -1,
                f"- {r['system']} [{r['split']}] ran on the subset {sub} ({review_count(sub):,} "
                f"reviews, {nq} queries), its full build being too slow for this run "
                "(--whoosh-subset 0 runs it on the full data): its scores and build figures are "
                "those of that subset, not comparable with the other rows.",
            )
    tg = targets([r for r in results if not r.get("split")])
    body = (
        head
        + table
        + repeats_section(results)
        + ([""] + ["## Against the targets (issue 8), this run", ""] + tg if tg else [])
        + [""]
    )
    md = "\n".join(body)
    doc = {
        "label": label,
        "machine": info,
        "reviews": n_reviews,
        "queries": n_queries,
        "command": command,
        "results": results,
    }
    for d in (label_dir, out):
        (d / "results.md").write_text(md, encoding="utf-8")
        (d / "results.json").write_text(json.dumps(doc, indent=2, default=str), encoding="utf-8")
    print(md)


def main(argv=None) -> int:
    """Parse the arguments, prepare the split, run every system, write the table."""
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument(
        "--data",
        type=Path,
        default=default_data(),
        help="Yelp data directory (default: $YELP_DATA or ../shared/data/yelp)",
    )
    ap.add_argument(
        "--eval-dir",
        type=Path,
        default=default_eval(),
        help="make_qrels.py and score.py (default: ../shared/eval)",
    )
    ap.add_argument("--out", type=Path, default=ROOT / "bench-out" / "peers")
    ap.add_argument(
        "--subset",
        type=int,
        default=0,
        metavar="N",
        help="only N postal codes (their reviews and queries)",
    )
    ap.add_argument(
        "--whoosh-subset",
        type=int,
        default=10,
        metavar="N",
        help="in a full run, whoosh_reviews runs on the N-postal-code subset (0: on the full data)",
    )
    ap.add_argument(
        "--systems",
        default=",".join(ALL_SYSTEMS),
        help="comma-separated, of: " + ",".join(ALL_SYSTEMS),
    )
    ap.add_argument(
        "--repeat",
        type=int,
        default=1,
        metavar="N",
        help="run every system N times, round-robin; each row is the median of its runs",
    )
    a = ap.parse_args(argv)
    if a.repeat < 1:
        ap.error("--repeat must be at least 1")
    systems = [s.strip() for s in a.systems.split(",") if s.strip()]
    unknown = [s for s in systems if s not in ALL_SYSTEMS]
    if unknown:
        ap.error(f"unknown systems: {', '.join(unknown)}")
    systems.sort(key=ALL_SYSTEMS.index)
    a.out.mkdir(parents=True, exist_ok=True)
    dev = a.out / "dev"
    make_dev(a.data, a.eval_dir, dev)
    if a.subset:
        label = f"subset-{a.subset}"
        split = a.out / label
        make_subset(dev, split, a.subset)
    else:
        label, split = "full", dev
    n_reviews = review_count(split)
    label_dir = a.out / f"results-{label}"
    label_dir.mkdir(parents=True, exist_ok=True)
    log(f"{label}: {n_reviews:,} reviews; systems {', '.join(systems)}")
    runs: dict[str, list[dict]] = {s: [] for s in systems}
    for rep in range(a.repeat):
        for s in systems:
            work = label_dir / s / (f"run-{rep + 1}" if a.repeat > 1 else "")
            if s == "whoosh_reviews" and not a.subset and a.whoosh_subset:
                sub = f"subset-{a.whoosh_subset}"
                make_subset(dev, a.out / sub, a.whoosh_subset)
                r = run_system(s, a.out / sub, work, a.eval_dir, review_count(a.out / sub))
                r["split"] = sub
            else:
                r = run_system(s, split, work, a.eval_dir, n_reviews)
            runs[s].append(r)
    results = [combine(runs[s]) for s in systems]
    command = "bash benches/peers/run.sh" + (f" --subset {a.subset}" if a.subset else "")
    if systems != ALL_SYSTEMS:
        command += f" --systems {','.join(systems)}"
    if not a.subset and "whoosh_reviews" in systems and a.whoosh_subset != 10:
        command += f" --whoosh-subset {a.whoosh_subset}"
    if a.repeat > 1:
        command += f" --repeat {a.repeat}"
    write_results(a.out, label_dir, label, machine(), split, n_reviews, results, command)
    return 0 if all("error" not in r for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
