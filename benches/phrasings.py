#!/usr/bin/env python3
"""Each phrasing of `benches/rephrase.py`'s every-* sets against its reference set.

An every-* set asks every phrasing of a list with every query it applies to (qid~k is
phrasing k of query qid, judged as qid). This prints, per set, the mean over all its
queries beside the reference set's mean on the same queries (NDCG@10; MRR for names),
their ratio, the queries without a result, and the phrasings that lose the most: a
phrasing the product misreads shows as its own loss.

Usage:
  python3 benches/phrasings.py SETS_DIR RUNS_DIR [EVAL_DIR]

SETS_DIR is what rephrase.py wrote, RUNS_DIR holds `yelpsearch eval run`'s run file of
each set (<set>.tsv), EVAL_DIR is ../shared/eval (for score.py).
"""

import collections
import sys
from pathlib import Path

REFERENCE = {
    "every-intent": "clean",
    "every-cheap": "cheap",
    "every-outdoor": "outdoor",
    "every-category": "category",
    "every-name": "name",
}


def load_run(path):
    """Each query's business ids, in rank order."""
    ranked = collections.defaultdict(list)
    for line in open(path):
        q, b, r = line.rstrip("\n").split("\t")
        ranked[q].append((int(r), b))
    return {q: [b for _, b in sorted(v)] for q, v in ranked.items()}


def main(sets, runs, eval_dir):
    """Prints each every-* set found in RUNS_DIR against its reference."""
    sys.path.insert(0, str(eval_dir))
    import score  # ../shared/eval/score.py

    for name, ref in REFERENCE.items():
        if not (runs / f"{name}.tsv").exists() or not (runs / f"{ref}.tsv").exists():
            continue
        measure = "mrr" if ref == "name" else "ndcg"
        qrels = score.load_qrels(sets / f"{name}.qrels.tsv")
        run, base = load_run(runs / f"{name}.tsv"), load_run(runs / f"{ref}.tsv")
        text = {}
        for line in open(sets / f"{name}.queries.tsv"):
            q, _, t = line.rstrip("\n").split("\t")
            text[q] = t
        # Per phrasing k: [score, reference's score, queries, without a result].
        by = collections.defaultdict(lambda: [0.0, 0.0, 0, 0])
        example = {}
        for q, t in text.items():
            orig, k = q.split("~")
            judged = {q: qrels.get(q, {})}
            b = by[int(k)]
            b[0] += score.evaluate(judged, {q: run.get(q, [])}, k=10)[measure]
            b[1] += score.evaluate(judged, {q: base.get(orig, [])}, k=10)[measure]
            b[2] += 1
            b[3] += q not in run
            example.setdefault(int(k), t)
        n = sum(v[2] for v in by.values())
        got = sum(v[0] for v in by.values()) / n
        want = sum(v[1] for v in by.values()) / n
        empty = sum(v[3] for v in by.values())
        label = "MRR" if measure == "mrr" else "NDCG@10"
        print(
            f"{name:15s}{label} {got:.4f} against {ref} {want:.4f} ({got / want:.3f}×), "
            f"{len(by)} phrasings, no results {empty}/{n}"
        )
        worst = sorted(by.items(), key=lambda kv: (kv[1][0] - kv[1][1]) / kv[1][2])
        for k, v in worst[:3]:
            print(f"  {v[0] / v[2]:.4f} against {v[1] / v[2]:.4f}  e.g. {example[k]!r}")


if __name__ == "__main__":
    if len(sys.argv) not in (3, 4):
        sys.exit(__doc__)
    eval_dir = Path(sys.argv[3]) if len(sys.argv) == 4 else Path("../shared/eval")
    main(Path(sys.argv[1]), Path(sys.argv[2]), eval_dir)
