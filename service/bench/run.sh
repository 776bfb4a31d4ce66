#!/usr/bin/env bash
# Load figures for GET /search with wrk: requests/s and p50/p99 at 1, 16 and 64
# connections against a running service (yelpsearch serve, or the Flask example app
# under gunicorn: the same script, another URL).
#
#   service/bench/run.sh http://127.0.0.1:8080 [queries.tsv]
#
# Environment: DURATION (default 30s), CONNECTIONS (default "1 16 64"), THREADS
# (wrk threads, default 2: the machine has 2 cores, shared with the server), LIMIT
# (results per search, default 10). Prints one RESULT line per connection count and
# keeps wrk's full output in bench-out/wrk-<c>.txt. See service/bench/README.md.
set -euo pipefail
URL="${1:?usage: run.sh URL [queries.tsv]}"
QUERIES_FILE="${2:-${QUERIES:-}}"
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
OUT="${BENCH_OUT:-bench-out}"
mkdir -p "$OUT"
command -v wrk >/dev/null || { echo "wrk is missing: apt-get install -y wrk" >&2; exit 1; }
curl -fsS "$URL/ready" >/dev/null 2>&1 || curl -fsS "$URL/health" >/dev/null \
  || { echo "nothing answers at $URL" >&2; exit 1; }

# Warm up (page cache, allocator) before measuring.
QUERIES="$QUERIES_FILE" wrk -t1 -c4 -d5s -s "$HERE/search.lua" "$URL" >/dev/null

for c in ${CONNECTIONS:-1 16 64}; do
  t="${THREADS:-2}"; [ "$t" -le "$c" ] || t="$c"
  QUERIES="$QUERIES_FILE" wrk -t"$t" -c"$c" -d"${DURATION:-30s}" --timeout 10s --latency \
    -s "$HERE/search.lua" "$URL" | tee "$OUT/wrk-$c.txt" | sed -n "s/^RESULT /connections=$c /p"
done
