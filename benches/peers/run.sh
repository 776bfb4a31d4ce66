#!/usr/bin/env bash
# Peer comparison on the evaluation corpus (issue 8, parts 1 and 3): yelpsearch (CLI and
# Python API) against tantivy's Python binding, SQLite FTS5, bm25s, whoosh-reloaded and
# rank_bm25, plus the read-and-parse and decompression floors. See benches/peers/README.md.
#
#   bash benches/peers/run.sh [--subset N] [--systems a,b,c] [--data DIR] [--out DIR]
#
# 1. a virtualenv at .venv-peers (PEERS_VENV overrides) with requirements.txt pinned,
# 2. the yelpsearch CLI (cargo build --release) and the Python package (pip install of this
#    repository, built by maturin) unless PEERS_BUILD=0,
# 3. run.py: make_qrels.py into bench-out/peers/dev/ (once), each system in its own process,
#    scored by ../shared/eval/score.py; the table goes to bench-out/peers/results.md (.json).
# The corpus comes from --data, else $YELP_DATA, else ../shared/data/yelp.
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT="$PWD"
VENV="${PEERS_VENV:-$ROOT/.venv-peers}"

if [ ! -x "$VENV/bin/python" ]; then
  echo "== virtualenv $VENV" >&2
  python3 -m venv "$VENV"
fi
# As Python 3.13's venv does: git ignores the virtualenv's files wherever it is.
[ -f "$VENV/.gitignore" ] || echo '*' > "$VENV/.gitignore"
export PATH="$VENV/bin:$PATH" VIRTUAL_ENV="$VENV"
python -m pip install -q --disable-pip-version-check -r benches/peers/requirements.txt

if [ "${PEERS_BUILD:-1}" != 0 ]; then
  echo "== cargo build --release --bin yelpsearch" >&2
  cargo build --release --bin yelpsearch >&2
  echo "== the yelpsearch Python package (maturin, release) into $VENV" >&2
  if ! python -m pip install -q --disable-pip-version-check --no-build-isolation --no-deps \
      --force-reinstall "$ROOT" >&2; then
    if python -c "import yelpsearch" 2>/dev/null; then
      echo "warning: building the Python package failed; using the one installed before" >&2
    else
      echo "warning: no yelpsearch Python package: the yelpsearch_py row will fail" >&2
    fi
  fi
fi
python -c "import sqlite3; sqlite3.connect(':memory:').execute('CREATE VIRTUAL TABLE t USING fts5(x)')" \
  || { echo "error: this Python's SQLite has no FTS5" >&2; exit 1; }
exec python benches/peers/run.py "$@"
