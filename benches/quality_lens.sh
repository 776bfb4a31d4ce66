#!/usr/bin/env bash
# The quality lens: does the ranker put first the places whose dish is *good*, by the
# generator's hidden truth, rather than the places most reviewed for it?
#
# Generates a corpus with a seed used nowhere else (no training, tuning or test uses it),
# builds its index as `yelpsearch index build` does (the ranker learns from the index's own
# reviews, never from truth.json), asks every (zipcode, one-word dish) with at least 5
# servers, and scores the learned ranker and BM25 with ../shared/eval/score.py against
# grades floor(quality x 3.99) from truth.json.
#
#   bash benches/quality_lens.sh [OUT_DIR]
#
# Env: SEED (default 777), BUSINESSES (6000), REVIEWS (400000), YELP_EVAL (../shared/eval),
# EVAL_ARGS (extra `eval run` arguments).
set -euo pipefail
cd "$(dirname "$0")/.."
EVAL=${YELP_EVAL:-../shared/eval}
OUT=${1:-bench-out/quality}
SEED=${SEED:-777}
BUSINESSES=${BUSINESSES:-6000}
REVIEWS=${REVIEWS:-400000}
read -r -a EXTRA <<< "${EVAL_ARGS:-}"
cargo build --release --bin yelpsearch >&2
BIN=target/release/yelpsearch
mkdir -p "$OUT"
if [ ! -f "$OUT/data/truth.json" ]; then
  "$BIN" generate --out "$OUT/data" --businesses "$BUSINESSES" --reviews "$REVIEWS" --seed "$SEED" >&2
fi
python3 benches/quality/qrels.py "$OUT/data/truth.json" "$OUT/lens" >&2
if [ "${REBUILD:-1}" = 1 ] || [ ! -f "$OUT/index/CURRENT" ]; then
  rm -rf "$OUT/index"
  "$BIN" index build --quiet --business "$OUT/data/business.jsonl.gz" \
    --reviews "$OUT/data/review.jsonl.gz" --index "$OUT/index" >&2
fi
for mode in model bm25; do
  flags=(--limit 100)
  [ "$mode" = bm25 ] && flags+=(--bm25)
  "$BIN" eval run --index "$OUT/index" --queries "$OUT/lens/queries.tsv" \
    --out "$OUT/run-$mode.tsv" "${flags[@]}" "${EXTRA[@]}" >&2
  echo "== $mode"
  python3 "$EVAL/score.py" "$OUT/lens/qrels.tsv" "$OUT/run-$mode.tsv"
done | tee "$OUT/quality.txt"
awk '/^== /{m=$2} /^NDCG/{n[m]=$2} END{printf "learned / BM25: %.3fx\n", n["model"]/n["bm25"]}' "$OUT/quality.txt" | tee -a "$OUT/quality.txt"
