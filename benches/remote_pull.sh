#!/usr/bin/env bash
# Index versions through object storage, measured on loopback: a real S3 server
# (service/examples/s3_server.rs, s3s-fs over a directory) on 127.0.0.1, the corpus's
# index published, pulled into an empty directory, a day of reviews added and the
# new version published and pulled again, and an empty `serve --pull` replica timed
# until /ready. Prints each step's report and time. The empty replica's time to
# ready is measured here only: service/tests/remote checks that such a replica serves
# the published version, not how fast.
#
#   benches/remote_pull.sh [CORPUS_DIR] [DAY_REVIEWS]
#
# CORPUS_DIR holds business.jsonl.gz and review.jsonl.gz (default
# ../shared/data/yelp); DAY_REVIEWS (default 2000) reviews of it, under new ids,
# make the update. Work files go to a temporary directory, removed at the end; every
# process started is stopped by pid.
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
corpus="${1:-${CORPUS_DIR:-$repo/../shared/data/yelp}}"
day="${2:-2000}"
Y="$repo/target/release/yelpsearch"
S="$repo/target/release/examples/s3_server"
(cd "$repo" && cargo build --release -q --bin yelpsearch && cargo build --release -q -p yelpsearch-service --example s3_server)

work="$(mktemp -d "${TMPDIR:-/tmp}/yelpsearch-remote-bench.XXXXXX")"
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2> /dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT
cd "$work"

"$S" "$work/s3" bench 0 > s3.log 2>&1 &
pids+=($!)
until grep -q '^listening on ' s3.log 2> /dev/null; do sleep 0.05; done
export AWS_ENDPOINT_URL="$(sed -n 's/^listening on //p' s3.log)" AWS_ALLOW_HTTP=true AWS_REGION=us-east-1
export AWS_ACCESS_KEY_ID=yelpsearch-test "AWS_SECRET""_ACCESS_KEY=yelpsearch-test-secret"
url=s3://bench/index
timed() { /usr/bin/time -f "  (%e s wall, %M KB peak RSS)" "$@" 2>&1 | grep -v '^warning:'; }

echo "== build the index of $corpus"
timed "$Y" index build --business "$corpus/business.jsonl.gz" --reviews "$corpus/review.jsonl.gz" \
  --index job --no-train --quiet | grep -E 'indexed|s wall'
echo "== publish"
timed "$Y" index publish --index job --to "$url"
echo "== pull into an empty directory"
timed "$Y" index pull --index replica --from "$url"
python3 -c '
import gzip, json, sys
with gzip.open(sys.argv[1], "rt") as f:
    for i, line in enumerate(f):
        if i == int(sys.argv[2]):
            break
        r = json.loads(line)
        r["review_id"] = f"dayreview{i:013d}"
        print(json.dumps(r))' "$corpus/review.jsonl.gz" "$day" > day.jsonl
echo "== update with $day reviews"
"$Y" index update --index job --reviews day.jsonl --quiet | head -1
echo "== publish the update"
timed "$Y" index publish --index job --to "$url"
echo "== pull the update"
timed "$Y" index pull --index replica --from "$url"
echo "== an empty replica: serve --pull until /ready"
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
t0=$(date +%s.%N)
"$Y" serve --index empty --addr "127.0.0.1:$port" --pull "$url" > serve.log 2>&1 &
pids+=($!)
until curl -fs "http://127.0.0.1:$port/ready" > /dev/null 2>&1; do sleep 0.05; done
t1=$(date +%s.%N)
echo "  ready after $(python3 -c "print(round($t1 - $t0, 2))") s: $(curl -s "http://127.0.0.1:$port/ready")"
echo "== disk: the store and a replica hold two versions sharing their files"
du -sh s3 replica | sed 's/^/  /'
