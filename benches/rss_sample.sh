#!/usr/bin/env bash
# Runs a command and samples its memory every INTERVAL seconds (default 2) from
# /proc/<pid>/status: anonymous (RssAnon) and file-backed (RssFile, e.g. memory-mapped
# index files) resident memory, in MB, with the seconds since start. Ends with the peaks.
#
#   bash benches/rss_sample.sh target/release/yelpsearch index build --quiet \
#     --business B --reviews R --index X
set -euo pipefail
INTERVAL=${INTERVAL:-2}
"$@" &
pid=$!
t0=$(date +%s.%N)
max_anon=0
max_file=0
echo "seconds  anon_MB  file_MB"
while kill -0 "$pid" 2>/dev/null; do
  read -r anon file < <(awk '/^RssAnon/ {a=$2} /^RssFile/ {f=$2} END {print int(a/1024), int(f/1024)}' \
    "/proc/$pid/status" 2>/dev/null || echo "0 0")
  now=$(date +%s.%N)
  awk -v n="$now" -v t="$t0" -v a="$anon" -v f="$file" 'BEGIN {printf "%7.1f  %7d  %7d\n", n - t, a, f}'
  (( anon > max_anon )) && max_anon=$anon
  (( file > max_file )) && max_file=$file
  sleep "$INTERVAL"
done
wait "$pid"
echo "peak anon ${max_anon} MB, peak file-backed ${max_file} MB"
