#!/usr/bin/env bash
# Nightly-update figures on the evaluation corpus (never committed, not a test).
#
# Builds the index of make_qrels' index set --until (cutoff - 30 days), then applies the
# index set's last 30 days of reviews as one `yelpsearch index update`, and compares:
#   - the update's time and reviews/s against a full rebuild of the whole index set
#     (with and without training the ranker; an update never retrains);
#   - searches/s and p50/p99 latency of a search load (examples/search_load.rs, which
#     reloads the index every 200 ms like a server) before and during the update.
#
#   YELP_DATA=../shared/data/yelp benches/update_bench.sh [OUT_DIR]
#
# Env: YELP_DATA (default ../shared/data/yelp), YELP_EVAL (default ../shared/eval),
# CUTOFF (default: make_qrels' index_cutoff.txt), DAYS (default 30), LOAD_THREADS (1),
# LOAD_SECONDS (20, the "before" window), UPDATE_REPEATS (5), SKIP_REBUILD=1 to skip the
# full rebuilds, REUSE_BASE=1 to reuse OUT/base-index from an earlier run.
set -euo pipefail
cd "$(dirname "$0")/.."
DATA=${YELP_DATA:-../shared/data/yelp}
EVAL=${YELP_EVAL:-../shared/eval}
OUT=${1:-bench-out/update}
DAYS=${DAYS:-30}
THREADS=${LOAD_THREADS:-1}
SECONDS_BEFORE=${LOAD_SECONDS:-20}
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)

cargo build --release --bin yelpsearch --example search_load >&2
BIN=target/release/yelpsearch
LOAD=target/release/examples/search_load

if [ ! -f "$OUT/dev/queries.tsv" ]; then
  python3 "$EVAL/make_qrels.py" "$DATA" "$OUT/dev" >&2
fi
CUTOFF=${CUTOFF:-$(cat "$OUT/dev/index_cutoff.txt")}
SPLIT=$(date -u -d "$CUTOFF - $DAYS days" +%F)
echo "index set: reviews before $CUTOFF; base index: before $SPLIT; update: [$SPLIT, $CUTOFF)"

# The update file: the index set's reviews dated on or after SPLIT, lines unchanged.
python3 - "$OUT/dev/index/review.jsonl.gz" "$OUT/update.jsonl" "$SPLIT" <<'EOF'
import gzip, json, sys
src, dst, split = sys.argv[1:4]
n = kept = 0
with gzip.open(src, "rt", encoding="utf-8") as f, open(dst, "w", encoding="utf-8") as out:
    for line in f:
        n += 1
        try:
            day = json.loads(line)["date"][:10]
        except (ValueError, KeyError, TypeError):
            continue  # the build and the update report bad lines themselves
        if day >= split:
            out.write(line)
            kept += 1
print(f"update file: {kept} of {n} index-set reviews ({100 * kept / max(n, 1):.2f}%)", file=sys.stderr)
EOF

timed() { # timed NAME CMD... : runs CMD, keeps its stdout in $OUT/NAME.txt, prints wall seconds
  local t0 t1
  t0=$(date +%s.%N)
  "${@:2}" > "$OUT/$1.txt" 2> "$OUT/$1.err"
  t1=$(date +%s.%N)
  python3 -c "print(f'{$t1 - $t0:.1f}')"
}

if [ "${REUSE_BASE:-0}" = 1 ] && [ -f "$OUT/base-index/CURRENT" ]; then
  echo "reusing the base index in $OUT/base-index"
  BASE_S=-
else
  rm -rf "$OUT/base-index"
  echo "building the base index (--until $SPLIT) ..."
  BASE_S=$(timed base "$BIN" index build --quiet --business "$OUT/dev/index/business.jsonl.gz" \
    --reviews "$OUT/dev/index/review.jsonl.gz" --index "$OUT/base-index" --until "$SPLIT")
  grep -E "indexed|model:" "$OUT/base.txt"
fi
rm -rf "$OUT/index"
cp -a "$OUT/base-index" "$OUT/index"
# Published versions are durable; so must the copy be, or the update's fsync of the
# files it shares with its parent would pay for writing the copy back.
sync

echo "search load before the update (${SECONDS_BEFORE}s, $THREADS threads) ..."
"$LOAD" --index "$OUT/index" --queries "$OUT/dev/queries.tsv" --threads "$THREADS" \
  --seconds "$SECONDS_BEFORE" > "$OUT/load-before.txt" 2>&1
BEFORE=$(tail -1 "$OUT/load-before.txt")

# The load runs only while updates run: the same update REPEATS times, each from the
# base version (rolled back in between), so that the window is long enough to measure.
REPEATS=${UPDATE_REPEATS:-5}
echo "the update under search load ($REPEATS runs, rolled back to the base in between) ..."
rm -f "$OUT/stop"
"$LOAD" --index "$OUT/index" --queries "$OUT/dev/queries.tsv" --threads "$THREADS" \
  --seconds 3600 --stop-file "$OUT/stop" > "$OUT/load-during.txt" 2>&1 &
LOAD_PID=$!
sleep 0.3
TIMES=""
for k in $(seq 1 "$REPEATS"); do
  if [ "$k" -gt 1 ]; then
    "$BIN" index rollback --index "$OUT/index" --to v000001 > /dev/null
  fi
  TIMES="$TIMES $(timed "update-$k" "$BIN" index update --quiet --json --index "$OUT/index" --reviews "$OUT/update.jsonl")"
done
sleep 0.3 # the load's next reload swaps to the last version
touch "$OUT/stop"
wait "$LOAD_PID"
DURING=$(tail -1 "$OUT/load-during.txt")
echo "swaps seen by the load: $(grep -c swapped "$OUT/load-during.txt" || true)"
UPDATE_S=$(python3 -c "import statistics, sys; print(f'{statistics.median(map(float, sys.argv[1:])):.1f}')" $TIMES)
echo "update wall times (s):$TIMES"
python3 - "$OUT/update-1.txt" <<'EOF2'
import json, sys
r = json.load(open(sys.argv[1]))
print(f"update {r['parent']} -> {r['version']}: {r['added']} added, {r['replaced']} replaced, "
      f"{r['unchanged']} unchanged, {r['reviews']['read'] - r['reviews']['accepted']} not accepted; "
      f"{r['total_reviews']} reviews; {r['seconds']:.1f}s ({r['reviews_per_sec']:.0f} reviews/s)")
EOF2
echo "re-applying the same file (no-op) ..."
NOOP_S=$(timed noop "$BIN" index update --quiet --json --index "$OUT/index" --reviews "$OUT/update.jsonl")
echo "no-op re-apply: ${NOOP_S}s, published: $(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['published'])" "$OUT/noop.txt")"

REBUILD_S=- ; REBUILD_NT_S=-
if [ "${SKIP_REBUILD:-0}" != 1 ]; then
  echo "full rebuild of the index set (with ranker training, as a nightly rebuild would) ..."
  rm -rf "$OUT/rebuild"
  REBUILD_S=$(timed rebuild "$BIN" index build --quiet --business "$OUT/dev/index/business.jsonl.gz" \
    --reviews "$OUT/dev/index/review.jsonl.gz" --index "$OUT/rebuild")
  echo "full rebuild without training the ranker ..."
  rm -rf "$OUT/rebuild"
  REBUILD_NT_S=$(timed rebuild-notrain "$BIN" index build --quiet --no-train \
    --business "$OUT/dev/index/business.jsonl.gz" --reviews "$OUT/dev/index/review.jsonl.gz" --index "$OUT/rebuild")
  rm -rf "$OUT/rebuild"
fi

echo
echo "== figures ($(nproc) cores)"
echo "base build (--until $SPLIT):      ${BASE_S}s"
echo "update (wall, median of $REPEATS):   ${UPDATE_S}s"
echo "no-op re-apply of the same file:  ${NOOP_S}s"
echo "full rebuild (with training):     ${REBUILD_S}s"
echo "full rebuild (--no-train):        ${REBUILD_NT_S}s"
if [ "$REBUILD_S" != - ]; then
  python3 -c "print(f'update / rebuild: {100 * $UPDATE_S / $REBUILD_S:.1f}% (with training), {100 * $UPDATE_S / $REBUILD_NT_S:.1f}% (--no-train)')"
fi
echo "search load before: $BEFORE"
echo "search load during the updates: $DURING"
