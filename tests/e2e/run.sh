#!/usr/bin/env bash
# End-to-end tests of the HTTP service and the web page:
#   schemathesis against /openapi.json, and the page in headless Chromium (Playwright).
#
# Installs what it needs if absent (Debian's chromium as root; Python packages into
# .venv-e2e), builds the release binary, generates a small corpus and its index in a
# temporary directory, serves it on a free loopback port, waits for /ready, runs pytest
# on tests/e2e, stops the server by its pid and checks it exits 0 on SIGTERM.
# Exits non-zero on any failure. Screenshots and reports land in artifacts/.
#
# Environment: E2E_BUSINESSES, E2E_REVIEWS (corpus size; default 2000 / 30000: from about
# 1,900 businesses on the corpus has neighbouring zipcodes, which nearby results need),
# PYTEST_ARGS (extra pytest arguments), CARGO_TARGET_DIR (honoured).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"
VENV="$ROOT/.venv-e2e"
REQS="$ROOT/tests/e2e/requirements.txt"
BUSINESSES="${E2E_BUSINESSES:-2000}"
REVIEWS="${E2E_REVIEWS:-30000}"

say() { printf '== %s\n' "$*" >&2; }

# 1. Chromium (Debian's package; Playwright's own browser download is never used).
if [ ! -x /usr/bin/chromium ]; then
  if [ "$(id -u)" -eq 0 ]; then
    say "installing chromium"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  else
    echo "error: /usr/bin/chromium is missing; install it with: sudo apt-get install -y chromium" >&2
    exit 1
  fi
fi

# 2. Python packages, into a venv of our own; reinstalled only when requirements change.
if [ ! -x "$VENV/bin/python" ]; then
  say "creating $VENV"
  python3 -m venv "$VENV"
fi
STAMP="$VENV/.requirements.sha256"
WANT="$(sha256sum "$REQS" | cut -d' ' -f1)"
if [ "$(cat "$STAMP" 2>/dev/null || true)" != "$WANT" ]; then
  say "installing $REQS"
  "$VENV/bin/pip" install -q --disable-pip-version-check -r "$REQS"
  echo "$WANT" > "$STAMP"
fi

# 3. The release binary.
say "building the release binary"
# As `cargo test --workspace --release` builds it (make test's rust-test step): cargo
# compiles a crate once per feature set, and `-p yelpsearch-service` alone resolves other
# features than the whole workspace with its dev-dependencies, which cost CI a second
# build of most crates.
cargo test --workspace --release --locked -q --no-run
BIN="${CARGO_TARGET_DIR:-$ROOT/target}/release/yelpsearch"

# 4. Corpus, index and server, all in a temporary directory.
WORK="$(mktemp -d "${TMPDIR:-/tmp}/yelpsearch-e2e.XXXXXX")"
SERVER_PID=""
cleanup() {
  if [ -n "$SERVER_PID" ] && kill -0 "$SERVER_PID" 2>/dev/null; then
    kill -KILL "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
  fi
  rm -rf "$WORK"
}
trap cleanup EXIT

say "generating $BUSINESSES businesses / $REVIEWS reviews and building the index in $WORK"
"$BIN" generate --out "$WORK/corpus" --businesses "$BUSINESSES" --reviews "$REVIEWS" --seed 7 >/dev/null
"$BIN" index build --business "$WORK/corpus/business.jsonl.gz" --reviews "$WORK/corpus/review.jsonl.gz" \
  --index "$WORK/index" >/dev/null 2>"$WORK/build.log" || { cat "$WORK/build.log" >&2; exit 1; }

say "starting the service"
YELPSEARCH_LOG_FORMAT=json RUST_LOG="${RUST_LOG:-info}" \
  "$BIN" serve --index "$WORK/index" --addr 127.0.0.1:0 >"$WORK/server.out" 2>"$WORK/server.log" &
SERVER_PID=$!
BASE=""
for _ in $(seq 1 600); do
  BASE="$(sed -n 's/^yelpsearch listening on //p' "$WORK/server.out" 2>/dev/null || true)"
  if [ -n "$BASE" ] && curl -fsS "$BASE/ready" >/dev/null 2>&1; then break; fi
  if ! kill -0 "$SERVER_PID" 2>/dev/null; then
    echo "error: the service exited:" >&2; cat "$WORK/server.log" >&2; exit 1
  fi
  sleep 0.1
done
curl -fsS "$BASE/ready" >/dev/null || { echo "error: not ready after 60 s" >&2; tail -20 "$WORK/server.log" >&2; exit 1; }
say "service ready at $BASE"

# 5. The tests.
mkdir -p "$ROOT/artifacts"
set +e
YS_BASE_URL="$BASE" YS_TRUTH="$WORK/corpus/truth.json" YS_BIN="$BIN" YS_INDEX="$WORK/index" \
  "$VENV/bin/python" -m pytest "$ROOT/tests/e2e" -q -p no:cacheprovider ${PYTEST_ARGS:-}
RC=$?
set -e

# 6. Stop the server by its pid: SIGTERM must end it cleanly.
kill -TERM "$SERVER_PID"
STOP_RC=0
wait "$SERVER_PID" || STOP_RC=$?
SERVER_PID=""
cp "$WORK/server.log" "$ROOT/artifacts/e2e-server.log" 2>/dev/null || true
if [ "$STOP_RC" -ne 0 ]; then
  echo "error: the service exited with $STOP_RC on SIGTERM" >&2
  [ "$RC" -ne 0 ] || RC=1
fi
exit "$RC"
