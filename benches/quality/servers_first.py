#!/usr/bin/env python3
"""Where the two lenses part: what putting the places that serve the dish first costs the
future-review protocol, apart for zipcodes with many and with few places serving it.

On a generated corpus (its truth.json says which places serve which dish; it is used here
only to measure), for a run of `yelpsearch eval run` on a future-review split of that
corpus (`../shared/eval/make_qrels.py` on it), prints NDCG@10 (the protocol's: gain
2^g - 1, the ideal over the query's graded places) of the run as it is and of the same run
with the places that serve the query's dish moved ahead of the others (each group's order
kept), over the queries whose zipcode has at least MIN_SERVERS servers and over the rest.

Usage: servers_first.py TRUTH_JSON QUERIES_TSV QRELS_TSV RUN_TSV [--min-servers 5]
"""
import argparse
import collections
import json
import math
from pathlib import Path


def ndcg10(ranked: list[str], grades: dict[str, int]) -> float | None:
    ideal = sorted(grades.values(), reverse=True)[:10]
    best = sum((2**g - 1) / math.log2(i + 2) for i, g in enumerate(ideal))
    if best == 0:
        return None
    got = sum((2 ** grades.get(b, 0) - 1) / math.log2(i + 2) for i, b in enumerate(ranked[:10]))
    return got / best


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("truth")
    ap.add_argument("queries")
    ap.add_argument("qrels")
    ap.add_argument("run")
    ap.add_argument("--min-servers", type=int, default=5)
    a = ap.parse_args()
    truth = json.loads(Path(a.truth).read_text())
    serves: dict[str, set[str]] = collections.defaultdict(set)
    zip_of: dict[str, str] = {}
    for b in truth["businesses"]:
        zip_of[b["business_id"]] = b.get("postal_code") or ""
        for dish in b["quality"]:
            serves[dish].add(b["business_id"])
    queries = [line.rstrip("\n").split("\t") for line in open(a.queries)]
    grades: dict[str, dict[str, int]] = collections.defaultdict(dict)
    for line in open(a.qrels):
        qid, biz, g = line.split()
        grades[qid][biz] = int(g)
    runs: dict[str, list[tuple[int, str]]] = collections.defaultdict(list)
    for line in open(a.run):
        qid, biz, rank = line.split()[:3]
        runs[qid].append((int(rank), biz))
    sums: dict[str, list[float]] = collections.defaultdict(lambda: [0.0, 0.0, 0.0])
    for qid, zipcode, term in queries:
        servers = serves.get(term, set())
        n = sum(1 for b in servers if zip_of[b] == zipcode)
        ranked = [b for _, b in sorted(runs.get(qid, []))]
        first = [b for b in ranked if b in servers] + [b for b in ranked if b not in servers]
        as_is, moved = ndcg10(ranked, grades[qid]), ndcg10(first, grades[qid])
        if as_is is None or moved is None:
            continue
        key = f">= {a.min_servers} servers" if n >= a.min_servers else f"< {a.min_servers} servers"
        s = sums[key]
        s[0] += 1
        s[1] += as_is
        s[2] += moved
    for key, (n, as_is, moved) in sorted(sums.items()):
        print(f"{key}: {int(n)} queries, NDCG@10 {as_is / n:.4f} as ranked, {moved / n:.4f} servers first")


if __name__ == "__main__":
    main()
