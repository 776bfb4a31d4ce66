#!/usr/bin/env bash
# What each part of the quality work adds: the ranker retrained on the same index with
# the stars grades or the quality grades, with or without the quality-estimate features,
# each scored on both lenses:
# - the quality lens (the generator's truth on the held-out seed's corpus: run
#   benches/quality_lens.sh first; its index is reused), and
# - the future-review protocol on the evaluation corpus's dev queries (run
#   benches/full_eval.sh first; its index is reused).
#
#   bash benches/quality_ablation.sh [QUALITY_DIR] [FULL_DIR]
#
# YELPSEARCH_BIN runs a given binary instead of building this tree's.
# Each variant is `yelpsearch model train --force` on a copy of the index (the text
# model, the index and the features' data stay the same; only the ranker changes).
set -euo pipefail
cd "$(dirname "$0")/.."
EVAL=${YELP_EVAL:-../shared/eval}
QDIR=${1:-bench-out/quality}
FDIR=${2:-bench-out/full}
BIN=${YELPSEARCH_BIN:-target/release/yelpsearch}
[ -n "${YELPSEARCH_BIN:-}" ] || cargo build --release --bin yelpsearch >&2
for need in "$QDIR/index/CURRENT" "$QDIR/lens/qrels.tsv" "$FDIR/index/CURRENT" "$FDIR/dev/qrels.tsv"; do
  [ -f "$need" ] || { echo "missing $need: run benches/quality_lens.sh and benches/full_eval.sh first" >&2; exit 2; }
done
score() { python3 "$EVAL/score.py" "$1" "$2" | awk '/^NDCG/{print $2}'; }
printf '%-44s %-14s %-14s\n' "ranker" "quality lens" "future reviews"
while IFS='|' read -r name flags; do
  row=()
  for side in q f; do
    if [ "$side" = q ]; then src=$QDIR/index; qs=$QDIR/lens/queries.tsv; qr=$QDIR/lens/qrels.tsv; lim=(--limit 100)
    else src=$FDIR/index; qs=$FDIR/dev/queries.tsv; qr=$FDIR/dev/qrels.tsv; lim=(); fi
    work=$(mktemp -d)
    cp -a "$src" "$work/index"
    rm -f "$work/index/write.lock"
    if [ "$flags" = bm25 ]; then
      "$BIN" eval run --index "$work/index" --queries "$qs" --out "$work/run.tsv" --bm25 "${lim[@]}" >&2
    else
      # shellcheck disable=SC2086
      "$BIN" model train --index "$work/index" --force $flags >&2
      "$BIN" eval run --index "$work/index" --queries "$qs" --out "$work/run.tsv" "${lim[@]}" >&2
    fi
    row+=("$(score "$qr" "$work/run.tsv")")
    rm -rf "$work"
  done
  printf '%-44s %-14s %-14s\n' "$name" "${row[0]}" "${row[1]}"
done <<'ROWS'
BM25|bm25
stars grades, without quality features|--grades stars --without-quality
stars grades + quality features|--grades stars
quality grades, without quality features|--grades quality --without-quality
quality grades + quality features (default)|--grades quality
ROWS
