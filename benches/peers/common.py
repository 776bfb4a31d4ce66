"""Helpers shared by the peer adapters: reading the Yelp files, aggregation, percentiles."""

from __future__ import annotations

import gzip
import heapq
import json
import os
from collections.abc import Iterable, Iterator
from pathlib import Path

# How many review hits the review-level engines fetch before aggregating to businesses.
REVIEW_HITS = 1000


def business_file(data_dir: Path) -> Path:
    """The business file of a make_qrels.py index directory."""
    return Path(data_dir) / "business.jsonl.gz"


def review_file(data_dir: Path) -> Path:
    """The review file (index set) of a make_qrels.py index directory."""
    return Path(data_dir) / "review.jsonl.gz"


def json_lines(path: Path) -> Iterator[dict]:
    """Each JSON object of a gzipped JSON-lines file, parsed with json.loads."""
    with gzip.open(path, "rb") as f:
        for raw in f:
            if raw.strip():
                yield json.loads(raw)


def business_zips(data_dir: Path) -> dict[str, str]:
    """business_id -> postal_code, for every business of the business file."""
    return {
        b["business_id"]: (b.get("postal_code") or "") for b in json_lines(business_file(data_dir))
    }


def reviews(data_dir: Path) -> Iterator[dict]:
    """The index-set reviews, as parsed JSON objects."""
    return json_lines(review_file(data_dir))


def aggregate(hits: Iterable[tuple[str, float]], how: str, k: int) -> list[str]:
    """Review hits (business_id, score) to at most k business_ids, best first.

    how="max": a business scores its best review; how="top3": the sum of its three best.
    Ties break by business_id, so runs are deterministic.
    """
    if how == "max":
        best: dict[str, float] = {}
        for bid, s in hits:
            if s > best.get(bid, float("-inf")):
                best[bid] = s
        agg = best
    elif how == "top3":
        per: dict[str, list[float]] = {}
        for bid, s in hits:
            per.setdefault(bid, []).append(s)
        agg = {bid: sum(heapq.nlargest(3, ss)) for bid, ss in per.items()}
    else:
        raise ValueError(f"unknown aggregation {how!r}")
    return [bid for bid, _ in sorted(agg.items(), key=lambda kv: (-kv[1], kv[0]))[:k]]


def dir_bytes(path: Path) -> int:
    """Total size of the regular files under path (or of path itself)."""
    path = Path(path)
    if path.is_file():
        return path.stat().st_size
    total = 0
    for root, _, files in os.walk(path):
        for name in files:
            p = os.path.join(root, name)
            if not os.path.islink(p):
                total += os.path.getsize(p)
    return total


def percentile(sorted_values: list[float], p: float) -> float:
    """The value at rank round((n - 1) * p) of an ascending list (as `yelpsearch eval run`)."""
    if not sorted_values:
        return float("nan")
    return sorted_values[round((len(sorted_values) - 1) * p)]


def timed_run(cmd: list[str], stdout_path: str | None = None) -> dict:
    """Run cmd under /usr/bin/time -v: wall seconds, peak RSS (KiB), stdout and stderr.

    stdout goes to stdout_path when given ("/dev/null" to drop it), else it is captured.
    Raises CalledProcessError (with the command's stderr) when cmd fails.
    """
    import re
    import subprocess
    import tempfile
    import time

    with tempfile.NamedTemporaryFile("r", suffix=".time") as tf:
        out = open(stdout_path, "wb") if stdout_path else subprocess.PIPE
        try:
            t0 = time.perf_counter()
            p = subprocess.run(
                ["/usr/bin/time", "-v", "-o", tf.name, *map(str, cmd)],
                stdout=out,
                stderr=subprocess.PIPE,
            )
            wall = time.perf_counter() - t0
        finally:
            if stdout_path:
                out.close()
        if p.returncode != 0:
            raise subprocess.CalledProcessError(p.returncode, cmd, p.stdout, p.stderr)
        tv = tf.read()
    rss = re.search(r"Maximum resident set size \(kbytes\): (\d+)", tv)
    return {
        "wall_s": wall,
        "maxrss_kb": int(rss.group(1)) if rss else None,
        "stdout": p.stdout.decode() if p.stdout else "",
        "stderr": p.stderr.decode(),
    }


def business_documents(data_dir: Path) -> tuple[int, dict[str, list[str]], dict[str, list[str]]]:
    """Per-zipcode business documents of the index set, for bm25s_zip and rank_bm25_zip.

    Returns (reviews read, {business_id: [review text]}, {postal_code: [business_id]}).
    """
    zips = business_zips(data_dir)
    texts: dict[str, list[str]] = {}
    n = 0
    for r in reviews(data_dir):
        texts.setdefault(r["business_id"], []).append(r["text"])
        n += 1
    by_zip: dict[str, list[str]] = {}
    for bid in texts:
        z = zips.get(bid, "")
        if z:
            by_zip.setdefault(z, []).append(bid)
    return n, texts, by_zip
