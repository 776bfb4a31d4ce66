"""Measure one system in this process (run.py starts one process per system).

    python driver.py SYSTEM DATA_DIR QUERIES_TSV WORK_DIR [--k 100]

Builds (timed), then for each ranking variant answers every query once as a warm-up and
once timed, one at a time on this thread, writing WORK_DIR/run-VARIANT.tsv. Writes
WORK_DIR/result.json: build seconds, reviews, index bytes, peak RSS (this process, and its
largest child for systems that fork workers), and per variant p50/p95/p99 ms and q/s.
"""

from __future__ import annotations

import argparse
import gc
import importlib
import json
import resource
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from common import dir_bytes, percentile  # noqa: E402


def read_queries(path: Path) -> list[tuple[str, str, str]]:
    """(qid, postal_code, term) of a make_qrels.py queries.tsv."""
    rows = []
    for line in Path(path).read_text(encoding="utf-8").splitlines():
        if line.strip():
            qid, z, term = line.split("\t")
            rows.append((qid, z, term))
    return rows


def maxrss_kb(who: int) -> int:
    """Peak RSS in KiB (ru_maxrss) of RUSAGE_SELF or RUSAGE_CHILDREN."""
    return resource.getrusage(who).ru_maxrss  # KiB on Linux


def measure(mod, data_dir: Path, queries: list, work: Path, k: int) -> dict:
    """Build mod (timed), then a warm-up and a timed pass per variant; the result."""
    gc.collect()
    t0 = time.perf_counter()
    info = mod.build(data_dir, work)
    build_s = time.perf_counter() - t0
    out = {
        "build_s": build_s,
        "reviews": info["reviews"],
        "index_bytes": dir_bytes(info["index_path"]) if info.get("index_path") else None,
        "rss_after_build_kb": maxrss_kb(resource.RUSAGE_SELF),
        "variants": {},
    }
    if "report" in info:
        out["report"] = info["report"]
    for v in mod.VARIANTS:
        for _, z, t in queries:  # warm-up pass
            mod.search(z, t, k, v)
        lat, rows, empty = [], [], 0
        for qid, z, t in queries:
            t0 = time.perf_counter_ns()
            ranked = mod.search(z, t, k, v)
            lat.append((time.perf_counter_ns() - t0) / 1e6)
            empty += not ranked
            rows.extend(f"{qid}\t{bid}\t{r}\n" for r, bid in enumerate(ranked[:k], 1))
        run = work / f"run-{v}.tsv"
        run.write_text("".join(rows), encoding="utf-8")
        s = sorted(lat)
        out["variants"][v] = {
            "p50_ms": percentile(s, 0.50),
            "p95_ms": percentile(s, 0.95),
            "p99_ms": percentile(s, 0.99),
            "mean_ms": sum(s) / len(s),
            "qps": len(s) / (sum(s) / 1e3),
            "queries": len(s),
            "empty": empty,
            "run": str(run),
        }
    out["peak_rss_kb"] = maxrss_kb(resource.RUSAGE_SELF)
    children = maxrss_kb(resource.RUSAGE_CHILDREN)
    if children:
        out["peak_rss_children_kb"] = children
    return out


def main(argv=None) -> int:
    """Measure one system and write WORK_DIR/result.json."""
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("system")
    ap.add_argument("data_dir", type=Path)
    ap.add_argument("queries", type=Path)
    ap.add_argument("work", type=Path)
    ap.add_argument("--k", type=int, default=100)
    a = ap.parse_args(argv)
    a.work.mkdir(parents=True, exist_ok=True)
    mod = importlib.import_module(f"systems.{a.system}")
    queries = read_queries(a.queries)
    if hasattr(mod, "bench"):
        res = mod.bench(a.data_dir, a.work, queries)
    else:
        res = measure(mod, a.data_dir, queries, a.work, a.k)
    res["system"] = a.system
    (a.work / "result.json").write_text(json.dumps(res, indent=2, default=str), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
