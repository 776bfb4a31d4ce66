#!/usr/bin/env bash
# Queries as people type them, on the evaluation corpus (never committed): the query sets
# of ../shared/eval/freetext.py (clean, typo, intent, cheap, outdoor, category, name) made
# from the dev split, answered by `yelpsearch eval run` on the dev index, scored by
# freetext.py, with each set's search latency (median p50 over ROUNDS interleaved runs,
# each after one untimed pass).
#
#   YELP_DATA=../shared/data/yelp benches/freetext.sh [OUT_DIR]
#
# Env: YELP_DATA, YELP_EVAL (default ../shared/eval), ROUNDS (default 3), EVAL_ARGS (extra
# `eval run` arguments, e.g. --no-nearby), REBUILD=1 to rebuild the index even if OUT_DIR
# has one. Writes OUT_DIR/runs/<set>.tsv, OUT_DIR/freetext.txt (scores), OUT_DIR/rephrased.txt
# (the same kinds of query in other words: benches/rephrase.py), OUT_DIR/phrasings.txt (every
# phrasing of longer lists against its reference: benches/phrasings.py) and OUT_DIR/latency.txt.
set -euo pipefail
cd "$(dirname "$0")/.."
DATA=${YELP_DATA:-../shared/data/yelp}
EVAL=${YELP_EVAL:-../shared/eval}
OUT=${1:-bench-out/full}
ROUNDS=${ROUNDS:-3}
read -r -a EXTRA <<< "${EVAL_ARGS:-}"
mkdir -p "$OUT/runs"
cargo build --release --bin yelpsearch >&2
BIN=target/release/yelpsearch
if [ ! -f "$OUT/dev/queries.tsv" ]; then
  python3 "$EVAL/make_qrels.py" "$DATA" "$OUT/dev" >&2
fi
if [ "${REBUILD:-0}" = 1 ] || [ ! -f "$OUT/index/CURRENT" ]; then
  rm -rf "$OUT/index"
  "$BIN" index build --quiet --business "$OUT/dev/index/business.jsonl.gz" \
    --reviews "$OUT/dev/index/review.jsonl.gz" --index "$OUT/index" >&2
fi
if [ ! -f "$OUT/freetext/typo.queries.tsv" ]; then
  python3 "$EVAL/freetext.py" "$DATA" "$OUT/dev" "$OUT/freetext" >&2
fi
SETS=(clean typo typo-base intent cheap outdoor category name)
for s in "${SETS[@]}"; do
  "$BIN" eval run --index "$OUT/index" --queries "$OUT/freetext/$s.queries.tsv" \
    --out "$OUT/runs/$s.tsv" "${EXTRA[@]}" >&2
done
python3 "$EVAL/freetext.py" --score "$OUT/freetext" "$OUT/runs" | tee "$OUT/freetext.txt"
# The same kinds of query in other words (benches/rephrase.py): understanding, not lists.
if [ ! -f "$OUT/rephrased/every-name.queries.tsv" ]; then
  python3 benches/rephrase.py "$DATA" "$OUT/dev" "$OUT/rephrased" >&2
fi
mkdir -p "$OUT/runs-rephrased"
for s in clean typo typo-base slips slips-base intent describe cheap outdoor category name \
  every-intent every-cheap every-outdoor every-category every-name; do
  "$BIN" eval run --index "$OUT/index" --queries "$OUT/rephrased/$s.queries.tsv" \
    --out "$OUT/runs-rephrased/$s.tsv" "${EXTRA[@]}" >&2
done
echo "in other words (benches/rephrase.py):"
python3 "$EVAL/freetext.py" --score "$OUT/rephrased" "$OUT/runs-rephrased" | grep -v '^every-' \
  | tee "$OUT/rephrased.txt"
echo "every phrasing of a longer list, against its reference (benches/phrasings.py):"
python3 benches/phrasings.py "$OUT/rephrased" "$OUT/runs-rephrased" "$EVAL" | tee "$OUT/phrasings.txt"
# Latency: every set in turn, ROUNDS times, each run after one untimed pass.
declare -A P50
for _ in $(seq "$ROUNDS"); do
  for s in "${SETS[@]}"; do
    p=$("$BIN" eval run --index "$OUT/index" --queries "$OUT/freetext/$s.queries.tsv" \
      --out "$OUT/runs/.latency.tsv" --warmup 1 "${EXTRA[@]}" 2>&1 \
      | grep -o 'p50 [0-9.]*' | cut -d' ' -f2)
    P50[$s]="${P50[$s]:-} $p"
  done
done
{
  for s in "${SETS[@]}"; do
    med=$(echo "${P50[$s]}" | tr ' ' '\n' | grep . | sort -n | awk '{a[NR]=$1} END{print a[int((NR+1)/2)]}')
    echo "$s p50_ms $med (runs:${P50[$s]})"
  done
} | tee "$OUT/latency.txt"
clean=$(awk '$1=="clean"{print $3}' "$OUT/latency.txt")
awk -v c="$clean" '{printf "%s %.2fx clean\n", $1, $3 / c}' "$OUT/latency.txt"
