#!/usr/bin/env bash
# `make test` started from a background shell (`make test &`, `nohup`, `setsid`, some CI
# runners) runs with SIGINT ignored, and every child inherits that. This step re-runs
# the tests that send SIGINT (Ctrl-C during a build) in such a shell, so that CI fails
# if a test ever relies again on SIGINT's default handling (the `sigint-test` step of
# `make test`; run it after `bash tests/run-python.sh`, whose virtualenv it uses).
# YELPSEARCH_VENV overrides the virtualenv's place. Exits non-zero on failure.
set -euo pipefail
cd "$(dirname "$0")/.."
VENV="${YELPSEARCH_VENV:-$PWD/.venv}"
if [ ! -x "$VENV/bin/python" ]; then
  echo "no virtualenv at $VENV: run bash tests/run-python.sh first" >&2
  exit 1
fi
trap '' INT
# The children see SIGINT ignored, as under `nohup make test &`.
"$VENV/bin/python" -c '
import signal, sys
if signal.getsignal(signal.SIGINT) is not signal.SIG_IGN:
    sys.exit("SIGINT is not ignored in this shell: the check would prove nothing")
'
export YELPSEARCH_CLI="$PWD/target/release/yelpsearch" YELPSEARCH_REQUIRE_CLI=1
"$VENV/bin/python" -m pytest tests/python/test_jobs.py -k ctrl_c -p no:cacheprovider
