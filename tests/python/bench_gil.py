r"""Searches per second from 1 and 2 Python threads on one index, and the binding's cost.

Proves the GIL is released during searches (2 threads should give >= 1.6x one on a
machine with 2 free cores) and measures Python ``search()`` latency against the time
the Rust search itself reports (``took_ms``)::

    python tests/python/bench_gil.py --index demo-data/index \\
        --business demo-data/business.jsonl.gz --seconds 10

Queries come from ``--query`` (repeatable), ``--queries FILE`` (one per line) or, with
``--business``, the most common zipcodes of the business file crossed with a few
common needs. Not a pytest test: run it by hand.
"""

from __future__ import annotations

import argparse
import gzip
import json
import statistics
import sys
import threading
import time
from collections import Counter

import yelpsearch

NEEDS = ["pizza", "pasta", "tacos", "sushi", "burger", "coffee", "salad", "steak", "noodles"]


def auto_queries(business: str, zips: int) -> list[str]:
    """Top zipcodes of a business file crossed with common needs."""
    opener = gzip.open if business.endswith(".gz") else open
    counts: Counter[str] = Counter()
    with opener(business, "rt", encoding="utf-8") as f:
        for line in f:
            pc = str(json.loads(line).get("postal_code") or "")
            if len(pc) == 5 and pc.isdigit():
                counts[pc] += 1
    return [f"{z} {n}" for z, _ in counts.most_common(zips) for n in NEEDS]


def usable(index: yelpsearch.Index, queries: list[str], limit: int) -> list[str]:
    """The queries that answer without an error."""
    out = []
    for q in queries:
        try:
            index.search(q, limit=limit)
            out.append(q)
        except yelpsearch.QueryError:
            pass
    return out


def rate(
    index: yelpsearch.Index, queries: list[str], threads: int, seconds: float, limit: int
) -> float:
    """Searches per second from `threads` threads searching for `seconds`."""
    stop = threading.Event()
    counts = [0] * threads

    def work(k: int) -> None:
        i = k
        while not stop.is_set():
            index.search(queries[i % len(queries)], limit=limit)
            i += 1
            counts[k] += 1

    pool = [threading.Thread(target=work, args=(k,)) for k in range(threads)]
    t0 = time.perf_counter()
    for t in pool:
        t.start()
    time.sleep(seconds)
    stop.set()
    for t in pool:
        t.join()
    return sum(counts) / (time.perf_counter() - t0)


def latency(index: yelpsearch.Index, queries: list[str], rounds: int, limit: int) -> None:
    """Print p50/p99 of Python search_response() against the Rust search's own time."""
    wall, rust = [], []
    for _ in range(rounds):
        for q in queries:
            t0 = time.perf_counter()
            res = index.search_response(q, limit=limit)
            hits = res.results  # the Hit objects search() builds
            wall.append((time.perf_counter() - t0) * 1e3)
            rust.append(res.took_ms)
            del hits
    for name, xs in (("python search", wall), ("rust took_ms", rust)):
        pct = statistics.quantiles(xs, n=100)
        print(f"{name:>14}: p50 {pct[49]:.3f} ms  p99 {pct[98]:.3f} ms  (n={len(xs)})")
    p50w, p50r = statistics.median(wall), statistics.median(rust)
    print(f"binding overhead at p50: {100 * (p50w - p50r) / p50r:.1f}%")


def main() -> int:
    """Run the benchmark."""
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--index", required=True)
    ap.add_argument("--query", action="append", default=[])
    ap.add_argument("--queries")
    ap.add_argument("--business")
    ap.add_argument("--zips", type=int, default=20)
    ap.add_argument("--seconds", type=float, default=5.0)
    ap.add_argument("--limit", type=int, default=10)
    ap.add_argument("--rounds", type=int, default=5)
    a = ap.parse_args()
    queries = list(a.query)
    if a.queries:
        with open(a.queries, encoding="utf-8") as f:
            queries += [line.strip() for line in f if line.strip()]
    if a.business:
        queries += auto_queries(a.business, a.zips)
    index = yelpsearch.Index(a.index)
    queries = usable(index, queries, a.limit)
    if not queries:
        print("no usable queries: give --query, --queries or --business", file=sys.stderr)
        return 2
    print(f"index {index.version}: {len(queries)} queries, limit {a.limit}")
    latency(index, queries, a.rounds, a.limit)
    one = rate(index, queries, 1, a.seconds, a.limit)
    two = rate(index, queries, 2, a.seconds, a.limit)
    print(f"1 thread: {one:.0f} searches/s")
    print(f"2 threads: {two:.0f} searches/s")
    print(f"ratio: {two / one:.2f}x (target >= 1.6x on 2 free cores)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
