#!/usr/bin/env bash
# HTTP load comparison on loopback: the same wrk run (service/bench/run.sh: GET /search
# at 1, 16 and 64 connections, rotating through the dev queries) against
#   1. yelpsearch serve                      (the Rust service),
#   2. examples/flask_app.py under gunicorn  (Flask + the yelpsearch binding),
#   3. examples/flask_tantivy_app.py under gunicorn (Flask + tantivy's Python binding),
# with equal settings: WORKERS (default 2, one per core) tokio worker threads for the
# service (TOKIO_WORKER_THREADS; its searches run on blocking threads, at most
# --max-concurrency 1024 at once) and WORKERS gunicorn worker processes with GTHREADS
# (default 8) threads each (gthread worker) for both Flask apps.
#
#   benches/http_compare.sh YELPSEARCH_INDEX TANTIVY_INDEX QUERIES [YELP_DATA]
#
#   e.g., after benches/full_eval.sh:
#   benches/http_compare.sh bench-out/full/index bench-out/tantivy-index \
#       bench-out/full/dev/queries.tsv bench-out/full/dev/index
#
# Arguments may instead come from the environment: YELPSEARCH_INDEX (the yelpsearch
# index directory), TANTIVY_INDEX (the tantivy app's index directory; built there by
# the app from YELP_DATA's business.jsonl.gz and review.jsonl.gz, or from absolute
# YELP_BUSINESS and YELP_REVIEWS, when absent; the app reads the business file at every
# start), QUERIES (qid<TAB>zip<TAB>term, as make_qrels.py writes).
# Other settings: YELPSEARCH_BIN (default target/release/yelpsearch), PYTHON (a Python
# with yelpsearch, flask, gunicorn and tantivy; default .venv/bin/python), DURATION
# (per connection count, default 15s), CONNECTIONS (default "1 16 64"), WORKERS,
# GTHREADS, SYSTEMS (default "serve flask tantivy": which servers to run), OUT (default
# bench-out/http_compare: wrk outputs and server logs).
#
# Prints, for each server, the settings, `uptime` before and after the run, and
# run.sh's RESULT lines (requests/s, p50/p90/p99/max latency, non-200 answers, socket
# errors); then one table of requests/s and p50/p99 per server and connection count,
# with the non-200 and socket-error totals. Exits non-zero if a server fails to start.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
YS_INDEX="${1:-${YELPSEARCH_INDEX:-}}"
TV_INDEX="${2:-${TANTIVY_INDEX:-}}"
QUERIES_FILE="${3:-${QUERIES:-}}"
DATA="${4:-${YELP_DATA:-}}"
usage="usage: benches/http_compare.sh YELPSEARCH_INDEX TANTIVY_INDEX QUERIES [YELP_DATA]"
if [ -z "$YS_INDEX" ] || [ -z "$TV_INDEX" ] || [ -z "$QUERIES_FILE" ]; then
  echo "$usage" >&2
  exit 2
fi
YS_INDEX="$(cd "$YS_INDEX" && pwd)"
QUERIES_FILE="$(cd "$(dirname "$QUERIES_FILE")" && pwd)/$(basename "$QUERIES_FILE")"
mkdir -p "$TV_INDEX"
TV_INDEX="$(cd "$TV_INDEX" && pwd)"
if [ -n "$DATA" ]; then export YELP_DATA; YELP_DATA="$(cd "$DATA" && pwd)"; fi

BIN="${YELPSEARCH_BIN:-$ROOT/target/release/yelpsearch}"
PY="${PYTHON:-$ROOT/.venv/bin/python}"
WORKERS="${WORKERS:-2}"
GTHREADS="${GTHREADS:-8}"
export DURATION="${DURATION:-15s}"
export CONNECTIONS="${CONNECTIONS:-1 16 64}"
SYSTEMS="${SYSTEMS:-serve flask tantivy}"
OUT="${OUT:-bench-out/http_compare}"
mkdir -p "$OUT"
OUT="$(cd "$OUT" && pwd)"

[ -x "$BIN" ] || { echo "no yelpsearch binary at $BIN (set YELPSEARCH_BIN)" >&2; exit 2; }
[ -f "$QUERIES_FILE" ] || { echo "no queries file $QUERIES_FILE" >&2; exit 2; }
"$PY" -c 'import yelpsearch, flask, gunicorn, tantivy' \
  || { echo "$PY lacks one of yelpsearch, flask, gunicorn, tantivy (set PYTHON)" >&2; exit 2; }
if [[ " $SYSTEMS " == *" tantivy "* ]] && [ -z "${YELP_DATA:-}${YELP_BUSINESS:-}" ]; then
  echo "the tantivy app needs the data: give YELP_DATA (4th argument) or YELP_BUSINESS" >&2
  exit 2
fi

# gunicorn >= 24 opens a control socket at one fixed path per user: keep it off, so that
# the run neither collides with another gunicorn on the machine nor leaves it behind.
GUNICORN_OPTS=(-w "$WORKERS" -k gthread --threads "$GTHREADS" --chdir "$ROOT/examples")
if "$PY" -m gunicorn --help | grep -q -- --no-control-socket; then
  GUNICORN_OPTS+=(--no-control-socket)
fi

SERVER_PID=""
cleanup() {
  if [ -n "$SERVER_PID" ] && kill -0 "$SERVER_PID" 2>/dev/null; then
    kill -TERM "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
  fi
  SERVER_PID=""
}
trap cleanup EXIT
trap 'exit 130' INT TERM

free_port() {
  "$PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# wait_ready URL SECONDS: until GET URL/ready answers 200 (the server must stay alive).
wait_ready() {
  local url="$1" deadline=$((SECONDS + $2))
  until curl -fsS -o /dev/null "$url/ready" 2>/dev/null; do
    kill -0 "$SERVER_PID" 2>/dev/null || { echo "server exited before it was ready" >&2; return 1; }
    [ "$SECONDS" -lt "$deadline" ] || { echo "not ready after $2 s: $url" >&2; return 1; }
    sleep 0.5
  done
}

# The tantivy app builds its index on import when absent; build it once here so that
# gunicorn's workers do not both build it.
if [[ " $SYSTEMS " == *" tantivy "* ]]; then
  if ! "$PY" -c 'import sys, tantivy; sys.exit(0 if tantivy.Index.exists(sys.argv[1]) else 1)' "$TV_INDEX"; then
    echo "building the tantivy index at $TV_INDEX" >&2
    (cd "$ROOT/examples" && TANTIVY_INDEX="$TV_INDEX" "$PY" -c 'import flask_tantivy_app')
  fi
fi

declare -A RESULTS=()
for sys in $SYSTEMS; do
  port="$(free_port)"
  url="http://127.0.0.1:$port"
  log="$OUT/$sys.server.log"
  case "$sys" in
    serve)
      settings="yelpsearch serve, TOKIO_WORKER_THREADS=$WORKERS, --max-concurrency 1024"
      TOKIO_WORKER_THREADS="$WORKERS" RUST_LOG=warn "$BIN" serve --index "$YS_INDEX" \
        --addr "127.0.0.1:$port" --max-concurrency 1024 --reload-interval-secs 0 \
        >"$log" 2>&1 &
      ;;
    flask)
      settings="gunicorn -w $WORKERS -k gthread --threads $GTHREADS flask_app:app"
      YELPSEARCH_INDEX="$YS_INDEX" "$PY" -m gunicorn "${GUNICORN_OPTS[@]}" \
        -b "127.0.0.1:$port" flask_app:app >"$log" 2>&1 &
      ;;
    tantivy)
      settings="gunicorn -w $WORKERS -k gthread --threads $GTHREADS flask_tantivy_app:app"
      TANTIVY_INDEX="$TV_INDEX" "$PY" -m gunicorn "${GUNICORN_OPTS[@]}" \
        -b "127.0.0.1:$port" flask_tantivy_app:app >"$log" 2>&1 &
      ;;
    *) echo "unknown system $sys (serve, flask, tantivy)" >&2; exit 2 ;;
  esac
  SERVER_PID=$!
  wait_ready "$url" 180 || { cat "$log" >&2; exit 1; }
  echo "== $sys: $settings at $url, DURATION=$DURATION"
  echo "   load before: $(uptime)"
  BENCH_OUT="$OUT/$sys" "$ROOT/service/bench/run.sh" "$url" "$QUERIES_FILE" \
    | tee "$OUT/$sys.results" | sed 's/^/   /'
  echo "   load after:  $(uptime)"
  cleanup
  while read -r line; do
    c="$(sed -n 's/^connections=\([0-9]*\) .*/\1/p' <<<"$line")"
    RESULTS["$sys,$c"]="$line"
  done <"$OUT/$sys.results"
done

field() { sed -n "s/.* $1=\([^ ]*\).*/\1/p" <<<"$2"; }
echo
echo "requests/s, p50 / p99 ms (wrk on loopback, DURATION=$DURATION per column, WORKERS=$WORKERS, GTHREADS=$GTHREADS)"
header="| server |"; rule="|---|"
for c in $CONNECTIONS; do header+=" $c conn: req/s, p50/p99 ms |"; rule+="---|"; done
echo "$header non-200 | socket errors |"
echo "$rule---|---|"
for sys in $SYSTEMS; do
  case "$sys" in
    serve) row="| yelpsearch serve |" ;;
    flask) row="| Flask + yelpsearch, gunicorn |" ;;
    tantivy) row="| Flask + tantivy, gunicorn |" ;;
  esac
  bad=0; errs=0
  for c in $CONNECTIONS; do
    r="${RESULTS["$sys,$c"]:-}"
    if [ -z "$r" ]; then row+=" - |"; continue; fi
    row+=" $(field rps "$r"), $(field p50_ms "$r")/$(field p99_ms "$r") |"
    bad=$((bad + $(field non200 "$r"))); errs=$((errs + $(field socket_errors "$r")))
  done
  echo "$row $bad | $errs |"
done
