"""yelpsearch through its command line (the Rust API), timed with /usr/bin/time -v.

Build: `yelpsearch -v --log-format json index build --quiet --json` with its defaults (one
indexing thread per core, the ranker trained on the index set); -v only adds the build's
stage timings to stderr (read and validate, text model, index, merge, ranker), which go
into the result as the Rust side of the floor.
Search, for the learned ranker ("model") and for BM25 only ("bm25"): `yelpsearch eval run`
once over the queries (warm-up of the page cache; its run file is the one scored), then once
over R = ceil(5000 / queries) passes of them in one process. p50/p99 are the library's own
per-query timings over those R passes as eval run prints them (it prints no p95); q/s is the
R passes' queries over that process's wall time less an eval run's with no query (opening
the index), so it includes the CLI's reading of queries.tsv and writing of the run file.
"""

from __future__ import annotations

import json
import math
import os
import re
import shutil
from pathlib import Path

from common import business_file, dir_bytes, review_file, timed_run

ROOT = Path(__file__).resolve().parents[3]
LAT_RE = re.compile(r"latency p50 ([\d.]+) ms, p99 ([\d.]+) ms")
TIMED_QUERIES = 5000


def binary() -> Path:
    """The CLI: $YELPSEARCH_BIN, else target/release/yelpsearch."""
    return Path(os.environ.get("YELPSEARCH_BIN", ROOT / "target" / "release" / "yelpsearch"))


def stages(log: str) -> dict[str, float]:
    """{stage message: seconds} of build_index's own stages, from the build's JSON log."""
    out = {}
    for line in log.splitlines():
        if '"seconds"' not in line:
            continue
        try:
            rec = json.loads(line)
        except ValueError:
            continue
        f = rec.get("fields", {})
        if rec.get("target") == "yelpsearch::write::build" and "seconds" in f and "message" in f:
            out[f["message"]] = float(f["seconds"])
    return out


def bench(data_dir: Path, out_dir: Path, queries: list) -> dict:
    """Build and query through the command line; the result dictionary for driver.py."""
    bin_ = binary()
    out_dir = Path(out_dir)
    idx = out_dir / "index"
    shutil.rmtree(idx, ignore_errors=True)
    b = timed_run(
        [
            bin_,
            "-v",
            "--log-format",
            "json",
            "index",
            "build",
            "--quiet",
            "--json",
            "--business",
            business_file(data_dir),
            "--reviews",
            review_file(data_dir),
            "--index",
            idx,
        ]
    )
    (out_dir / "build.log").write_text(b["stderr"], encoding="utf-8")
    report = json.loads(b["stdout"])
    reps = max(1, math.ceil(TIMED_QUERIES / max(len(queries), 1)))
    qfile, rfile, empty = (
        out_dir / "queries.tsv",
        out_dir / "queries-x.tsv",
        out_dir / "no-queries.tsv",
    )
    qfile.write_text("".join(f"{q}\t{z}\t{t}\n" for q, z, t in queries), encoding="utf-8")
    rfile.write_text(
        "".join(f"{q}~{r}\t{z}\t{t}\n" for r in range(reps) for q, z, t in queries),
        encoding="utf-8",
    )
    empty.write_text("", encoding="utf-8")
    peak = b["maxrss_kb"] or 0
    variants = {}
    for mode in ("model", "bm25"):
        flags = ["--bm25"] if mode == "bm25" else []
        ev = [bin_, "eval", "run", "--index", idx, "--limit", "100", *flags]
        run = out_dir / f"run-{mode}.tsv"
        timed_run([*ev, "--queries", qfile, "--out", run])
        t_open = min(
            timed_run([*ev, "--queries", empty, "--out", os.devnull])["wall_s"] for _ in range(3)
        )
        m = timed_run([*ev, "--queries", rfile, "--out", os.devnull])
        peak = max(peak, m["maxrss_kb"] or 0)
        lat = LAT_RE.search(m["stderr"])
        n = reps * len(queries)
        variants[mode] = {
            "p50_ms": float(lat.group(1)) if lat else None,
            "p95_ms": None,
            "p99_ms": float(lat.group(2)) if lat else None,
            "qps": n / (m["wall_s"] - t_open) if m["wall_s"] > t_open else None,
            "queries": len(queries),
            "timed_queries": n,
            "run": str(run),
            "eval_stderr": m["stderr"].strip(),
            "open_s": t_open,
            "timed_wall_s": m["wall_s"],
        }
    return {
        "build_s": b["wall_s"],
        "reviews": int(report.get("indexed", 0)),
        "peak_rss_kb": peak,
        "index_bytes": dir_bytes(idx),
        "variants": variants,
        "stages_s": stages(b["stderr"]),
        "report": {k: v for k, v in report.items() if k not in ("businesses", "reviews")},
        "skipped": report.get("reviews", {}).get("skipped"),
    }
