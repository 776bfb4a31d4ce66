#!/usr/bin/env bash
# Scale curves on generated corpora: for each size, build time (wall, /usr/bin/time -v),
# peak RSS, index size on disk, reviews/s, the parse-only floor, and search p50/p99 on a
# zipcode of (nearly) FIXED size, so that search cost can be seen to follow the zipcode's
# size rather than the corpus's.
#
#   bash benches/scale/run.sh                                            # 10k, 100k, 1M reviews
#   SCALE_SIZES="10000 100000 1000000 10000000" bash benches/scale/run.sh  # + 10M (manual: long)
#
# The corpus keeps SCALE_REVIEWS_PER_BUSINESS (50) reviews per business, and the generator
# keeps about 125 businesses per zipcode, so more reviews means more zipcodes of the same
# sizes. At each size the harness picks the US zipcode whose indexed review count is
# closest to SCALE_ZIP_REVIEWS (5,000) and reports its actual count. Latency is that of
# `yelpsearch eval run` (one query at a time, up to 100 businesses, no snippets) over 300
# queries (20 common dishes x 15) on that zipcode: one warm-up run of the same file, then
# the median p50 and p99 of three runs, each timing its second pass over the queries
# (`eval run --warmup 1`: a new process's first touch of the index pages, which a running
# service pays once, is not in the figures; at 10M reviews it had made the p99 of a lone
# pass 2-6x that of the next), with the learned ranker and then with BM25 only
# (`--bm25`: no model, so the ranker's size, which differs per corpus, is out). The build
# runs SCALE_REPEAT times (2) and the row keeps the fastest (wall time); build_cpu_s
# (user + system) is less sensitive to other load on the machine, which
# load_before/load_after (1-minute load average) record.
#
# Output: bench-out/scale/results.csv (one row per size; a fresh file unless
# SCALE_APPEND=1, which adds rows to the existing one, e.g. for the 10M run:
# SCALE_SIZES=10000000 SCALE_REPEAT=1 SCALE_APPEND=1 bash benches/scale/run.sh), the
# raw logs under bench-out/scale/<size>/, and the plots in benches/scale/plots/ (made by
# plot.py in the venv .venv-scale, created on first use). Generated corpora are kept
# under bench-out/scale/<size>/data and reused; indexes are deleted after measuring unless
# SCALE_KEEP_INDEX=1. SCALE_BIN=path measures that binary instead of building
# target/release/yelpsearch (SCALE_COMMIT then labels it in the CSV).
set -euo pipefail
cd "$(dirname "$0")/../.."
SIZES=${SCALE_SIZES:-"10000 100000 1000000"}
OUT=${SCALE_OUT:-bench-out/scale}
PER_BIZ=${SCALE_REVIEWS_PER_BUSINESS:-50}
TARGET=${SCALE_ZIP_REVIEWS:-5000}
SEED=${SCALE_SEED:-42}
TERMS="pizza pasta tacos burger coffee sushi salad ramen wings steak curry sandwich burrito noodles pancakes cocktails beer brunch dumplings bbq"
REPEAT=15
REPEAT_BUILD=${SCALE_REPEAT:-2}

mkdir -p "$OUT"
# A private copy of the binary: a rebuild of target/ during the run must not swap it.
if [ -n "${SCALE_BIN:-}" ]; then
  cp "$SCALE_BIN" "$OUT/yelpsearch"
else
  cargo build --release --bin yelpsearch >&2
  cp target/release/yelpsearch "$OUT/yelpsearch"
fi
BIN=$OUT/yelpsearch
CSV="$OUT/results.csv"
if [ "${SCALE_APPEND:-0}" != 1 ] || [ ! -f "$CSV" ]; then
  echo "reviews,businesses,zipcodes,indexed,build_wall_s,build_cpu_s,build_reviews_per_s,peak_rss_mb,index_mb,floor_decompress_s,floor_parse_s,floor_validate_s,stage_read_s,stage_text_model_s,stage_index_s,stage_ranker_s,zip,zip_reviews,queries,search_p50_ms,search_p99_ms,bm25_p50_ms,bm25_p99_ms,load_before,load_after,date,commit,build_runs" > "$CSV"
fi
load1() { cut -d' ' -f1 /proc/loadavg; }
commit=${SCALE_COMMIT:-$(git describe --always --dirty)}

for N in $SIZES; do
  D="$OUT/$N"
  mkdir -p "$D"
  B=$(( N / PER_BIZ )); [ "$B" -lt 1 ] && B=1
  if [ ! -f "$D/data/.done" ]; then
    echo "== generate $N reviews, $B businesses" >&2
    "$BIN" generate --out "$D/data" --businesses "$B" --reviews "$N" --seed "$SEED" | tee "$D/generate.txt" >&2
    touch "$D/data/.done"
  fi

  # The zipcode closest to the target size, from the truth (normalised postal codes) and
  # the generator's exact per-business review counts.
  read -r ZIP ZIPN NZIPS < <(python3 - "$D/data" "$TARGET" <<'PY'
import gzip, json, re, sys
from collections import Counter
d, target = sys.argv[1], int(sys.argv[2])
zip_of = {b["business_id"]: b["postal_code"] for b in json.load(open(f"{d}/truth.json"))["businesses"]}
size = Counter()
with gzip.open(f"{d}/business.jsonl.gz", "rt") as f:
    for line in f:
        b = json.loads(line)
        z = zip_of[b["business_id"]]
        if z:
            size[z] += b["review_count"]
us = [z for z in size if re.fullmatch(r"\d{5}", z)]
best = min(us, key=lambda z: (abs(size[z] - target), z))
print(best, size[best], len(size))
PY
)
  echo "== $N reviews: zipcode $ZIP holds $ZIPN reviews ($NZIPS zipcodes)" >&2

  # The floor: the same files read as a build's first pass, nothing written.
  "$BIN" index build --parse-only --quiet --json --business "$D/data/business.jsonl.gz" \
    --reviews "$D/data/review.jsonl.gz" > "$D/floor.json"

  # The build, SCALE_REPEAT times (2); the row keeps the run with the shortest wall time.
  lb=$(load1)
  for r in $(seq "$REPEAT_BUILD"); do
    rm -rf "$D/index"
    RUST_LOG=yelpsearch=info NO_COLOR=1 /usr/bin/time -v "$BIN" index build --quiet --json \
      --business "$D/data/business.jsonl.gz" --reviews "$D/data/review.jsonl.gz" \
      --index "$D/index" > "$D/build.$r.json" 2> "$D/build.$r.time"
    grep -E "Maximum resident|Elapsed \(wall" "$D/build.$r.time" >&2
  done
  la=$(load1)
  index_bytes=$(du -sb "$D/index" | cut -f1)

  : > "$D/queries.tsv"
  q=0
  for r in $(seq "$REPEAT"); do
    for t in $TERMS; do
      q=$((q + 1))
      printf 'q%d\t%s\t%s\n' "$q" "$ZIP" "$t" >> "$D/queries.tsv"
    done
  done
  # One warm-up run (the page cache), then three measured runs, each after an untimed pass
  # in its own process; the row has the median p50 and p99.
  "$BIN" eval run --index "$D/index" --queries "$D/queries.tsv" --out "$D/run.tsv" 2> /dev/null
  : > "$D/search.txt"
  for r in 1 2 3; do
    "$BIN" eval run --warmup 1 --index "$D/index" --queries "$D/queries.tsv" --out "$D/run.tsv" 2>> "$D/search.txt"
  done
  : > "$D/search-bm25.txt"
  for r in 1 2 3; do
    "$BIN" eval run --warmup 1 --bm25 --index "$D/index" --queries "$D/queries.tsv" --out "$D/run-bm25.tsv" 2>> "$D/search-bm25.txt"
  done
  cat "$D/search.txt" "$D/search-bm25.txt" >&2
  "$BIN" model info --index "$D/index" > "$D/model.txt"

  python3 - "$D" "$N" "$B" "$NZIPS" "$index_bytes" "$ZIP" "$ZIPN" "$q" "$lb" "$la" "$commit" "$REPEAT_BUILD" >> "$CSV" <<'PY'
import datetime, json, re, statistics, sys
d, n, b, nz, ib, z, zn, q, lb, la, commit, reps = sys.argv[1:]

def wall_of(t):
    w = re.search(r"Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): (\S+)", t).group(1)
    secs = 0.0
    for part in w.split(":"):
        secs = secs * 60 + float(part)
    return secs

runs = []
for r in range(1, int(reps) + 1):
    t = re.sub(r"\x1b\[[0-9;]*m", "", open(f"{d}/build.{r}.time").read())
    runs.append((wall_of(t), r, t))
secs, best, t = min(runs)
build = json.load(open(f"{d}/build.{best}.json"))
rss_mb = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", t).group(1)) / 1024
cpu = sum(float(x) for x in re.findall(r"(?:User|System) time \(seconds\): ([\d.]+)", t))
stage = {}
for name, key in [("read and validated reviews", "read"), ("trained the text model", "text_model"),
                  ("indexed", "index"), ("trained the ranker", "ranker")]:
    m = re.search(re.escape(name) + r" seconds=([\d.]+(?:e-?\d+)?)", t)
    stage[key] = f"{float(m.group(1)):.1f}" if m else ""
floor = {p["depth"]: p["seconds"] for p in json.load(open(f"{d}/floor.json"))["passes"]}
def pct(name):
    lat = open(f"{d}/{name}").read()
    return [statistics.median(float(x) for x in re.findall(p + r" ([\d.]+) ms", lat)) for p in ("p50", "p99")]
p50, p99 = pct("search.txt")
b50, b99 = pct("search-bm25.txt")
row = [n, b, nz, build["indexed"], f"{secs:.2f}", f"{cpu:.1f}", f"{build['indexed'] / secs:.0f}",
       f"{rss_mb:.0f}", f"{int(ib) / 1e6:.1f}", f"{floor['decompress']:.2f}", f"{floor['parse']:.2f}",
       f"{floor['validate']:.2f}", stage["read"], stage["text_model"], stage["index"],
       stage["ranker"], z, zn, q, f"{p50:.3f}", f"{p99:.3f}", f"{b50:.3f}", f"{b99:.3f}", lb, la,
       datetime.date.today().isoformat(), commit, reps]
print(",".join(str(x) for x in row))
PY
  tail -1 "$CSV" >&2
  [ "${SCALE_KEEP_INDEX:-0}" = 1 ] || rm -rf "$D/index"
done

if [ ! -x .venv-scale/bin/python ]; then
  python3 -m venv .venv-scale
  .venv-scale/bin/pip install --quiet matplotlib
fi
.venv-scale/bin/python benches/scale/plot.py "$CSV" benches/scale/plots
column -s, -t < "$CSV"
