#!/usr/bin/env bash
# Runs a command and samples it every INTERVAL seconds (default 2) from /proc/<pid>:
# anonymous (RssAnon) and file-backed (RssFile, e.g. memory-mapped index files) resident
# memory in MB, and the cores it kept busy since the last sample (user + system CPU time
# over the interval: 2.0 is both cores of this machine), with the seconds since start.
# Ends with the peaks.
#
#   bash benches/rss_sample.sh target/release/yelpsearch index build --quiet \
#     --business B --reviews R --index X
#   INTERVAL=0.25 bash benches/rss_sample.sh …   # a CPU timeline of the build's stages
set -euo pipefail
INTERVAL=${INTERVAL:-2}
TICKS=$(getconf CLK_TCK)
"$@" &
pid=$!
t0=$(date +%s.%N)
max_anon=0
max_file=0
prev_ticks=0
prev_t=$t0
echo "seconds  anon_MB  file_MB  cores"
while kill -0 "$pid" 2>/dev/null; do
  read -r anon file < <(awk '/^RssAnon/ {a=$2} /^RssFile/ {f=$2} END {print int(a/1024), int(f/1024)}' \
    "/proc/$pid/status" 2>/dev/null || echo "0 0")
  # utime + stime, fields 14 and 15 of /proc/<pid>/stat (the command name, field 2,
  # has no spaces here).
  ticks=$(awk '{print $14 + $15}' "/proc/$pid/stat" 2>/dev/null || echo "$prev_ticks")
  now=$(date +%s.%N)
  awk -v n="$now" -v t="$t0" -v p="$prev_t" -v a="$anon" -v f="$file" -v d="$((ticks - prev_ticks))" \
    -v hz="$TICKS" 'BEGIN {printf "%7.2f  %7d  %7d  %5.2f\n", n - t, a, f, (n > p ? d / hz / (n - p) : 0)}'
  prev_ticks=$ticks
  prev_t=$now
  (( anon > max_anon )) && max_anon=$anon
  (( file > max_file )) && max_file=$file
  sleep "$INTERVAL"
done
wait "$pid"
echo "peak anon ${max_anon} MB, peak file-backed ${max_file} MB"
