#!/usr/bin/env python3
"""The quality lens's judgments: the generator's hidden truth as graded relevance.

From a generated corpus's truth.json (each business's hidden quality of each dish on its
menu, 0..1), writes queries.tsv (qid, postal_code, dish) for every (zipcode, one-word dish)
with at least MIN_SERVERS businesses of the zipcode serving it, and qrels.tsv (qid,
business_id, grade) with grade = floor(quality x 3.99) for each of them. truth.json is for
measuring only: it is never a training signal nor a feature.

Usage: qrels.py TRUTH_JSON OUT_DIR [--min-servers 5]
"""
import argparse
import collections
import json
import re
from pathlib import Path


def norm_zip(z):
    z = (z or "").strip().upper()
    if re.fullmatch(r"\d{5}(-\d{4})?", z):
        return z[:5]
    m = re.fullmatch(r"([A-Z]\d[A-Z]) ?(\d[A-Z]\d)", z)
    return f"{m.group(1)} {m.group(2)}" if m else z


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("truth")
    ap.add_argument("out")
    ap.add_argument("--min-servers", type=int, default=5)
    a = ap.parse_args()
    truth = json.loads(Path(a.truth).read_text())
    servers = collections.defaultdict(list)
    for b in truth["businesses"]:
        z = norm_zip(b.get("postal_code"))
        if not z:
            continue
        for dish, q in b["quality"].items():
            if re.fullmatch(r"[a-z]+", dish):
                servers[(z, dish)].append((b["business_id"], q))
    out = Path(a.out)
    out.mkdir(parents=True, exist_ok=True)
    n = 0
    with open(out / "queries.tsv", "w") as qf, open(out / "qrels.tsv", "w") as rf:
        for (z, dish), bs in sorted(servers.items()):
            if len(bs) < a.min_servers:
                continue
            n += 1
            qid = f"t{n:05d}"
            qf.write(f"{qid}\t{z}\t{dish}\n")
            for bid, q in bs:
                rf.write(f"{qid}\t{bid}\t{int(q * 3.99)}\n")
    print(f"{n} queries -> {out}")


if __name__ == "__main__":
    main()
