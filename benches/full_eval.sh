#!/usr/bin/env bash
# Figures on the evaluation corpus (never committed): build time, reviews/s, index size,
# peak memory, search latency, and NDCG@10 / MRR / P@5 of the learned ranker and of
# BM25-only, scored by ../shared/eval/score.py on the dev queries at the default cutoff.
#
#   YELP_DATA=../shared/data/yelp benches/full_eval.sh [OUT_DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
DATA=${YELP_DATA:-../shared/data/yelp}
EVAL=${YELP_EVAL:-../shared/eval}
OUT=${1:-bench-out/full}
mkdir -p "$OUT"
cargo build --release --bin yelpsearch >&2
BIN=target/release/yelpsearch
if [ ! -f "$OUT/dev/queries.tsv" ]; then
  python3 "$EVAL/make_qrels.py" "$DATA" "$OUT/dev" >&2
fi
rm -rf "$OUT/index"
RUST_LOG=yelpsearch=info /usr/bin/time -v "$BIN" index build --quiet \
  --business "$OUT/dev/index/business.jsonl.gz" --reviews "$OUT/dev/index/review.jsonl.gz" \
  --index "$OUT/index" 2> "$OUT/build.time" | tee "$OUT/build.txt"
grep -E "Maximum resident|Elapsed|seconds=" "$OUT/build.time"   # peak RSS, wall time, stage timings
du -sh "$OUT/index/versions"/* | tail -1
echo "raw input: $(du -b "$OUT/dev/index/review.jsonl.gz" | cut -f1) bytes gz, $(gzip -dc "$OUT/dev/index/review.jsonl.gz" | wc -c) bytes JSON"
for mode in model bm25 model-matches-only bm25-matches-only; do
  flags=()
  case "$mode" in bm25*) flags+=(--bm25) ;; esac
  case "$mode" in *matches-only) flags+=(--matches-only) ;; esac
  "$BIN" eval run --index "$OUT/index" --queries "$OUT/dev/queries.tsv" --out "$OUT/run-$mode.tsv" "${flags[@]}"
  echo "== $mode"
  python3 "$EVAL/score.py" "$OUT/dev/qrels.tsv" "$OUT/run-$mode.tsv"
done
"$BIN" model info --index "$OUT/index"
