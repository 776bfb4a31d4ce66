#!/usr/bin/env bash
# The Python package's checks and tests (the `python-test` step of `make test`):
#   1. a virtualenv at .venv (python3 -m venv) with the pinned tools of
#      tests/python/requirements.txt,
#   2. the Rust CLI (the tests compare the package's answers with its --json output),
#      the README's Rust quickstart (examples/readme.rs, which tests/python/test_readme.py
#      runs), and the extension, built into the virtualenv by `maturin develop --release`,
#   3. formatting, lint and type checks (ruff, mypy, cargo fmt/clippy of the binding),
#   4. pytest on tests/python.
# Works on a fresh machine with only python3, pip and cargo. Exits non-zero on failure.
# YELPSEARCH_VENV overrides the virtualenv's place; PYTEST_ARGS adds pytest arguments.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT="$PWD"
VENV="${YELPSEARCH_VENV:-$ROOT/.venv}"

step() { printf '\n== %s\n' "$*"; }

step "virtualenv $VENV"
if [ ! -x "$VENV/bin/python" ]; then
  if ! python3 -m venv "$VENV"; then
    # Debian and Ubuntu ship venv's pip separately.
    if command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
      rm -rf "$VENV"
      apt-get update -qq
      py="$(python3 -c 'import sys; print(f"{sys.version_info[0]}.{sys.version_info[1]}")')"
      apt-get install -y -qq "python$py-venv" || apt-get install -y -qq python3-venv
      python3 -m venv "$VENV"
    else
      echo "python3 -m venv failed: install the venv module (python3-venv)" >&2
      exit 1
    fi
  fi
fi
# shellcheck disable=SC1091
source "$VENV/bin/activate"
python -m pip install -q --disable-pip-version-check -r tests/python/requirements.txt

step "feature unification: the extension's dependencies as the workspace builds them"
# maturin builds the binding crate alone; any shared crate whose features differ from
# `cargo test --workspace`'s is compiled again, with everything above it (python/Cargo.toml
# lists them to keep them equal).
features() { cargo tree "$@" -e normal,build -f '{p}|{f}' --prefix none | sed 's/ (\*)$//' | LC_ALL=C sort -t '|' -k1,1 -k2,2 -u; }
here="$(features -p yelpsearch-python)"
workspace="$(features --workspace -e dev)"
drift="$(LC_ALL=C join -t '|' <(echo "$here") <(echo "$workspace") \
  | awk -F'|' '$2 != $3 { printf "  %s: [%s] here, [%s] in the workspace\n", $1, $2, $3 }')"
if [ -n "$drift" ]; then
  printf 'these crates would be compiled twice; give them the workspace features in the\n' >&2
  printf 'feature-unification list of python/Cargo.toml:\n%s\n' "$drift" >&2
  exit 1
fi

step "build: the CLI and the extension (release)"
cargo build --release --bin yelpsearch --example readme
maturin develop --release
python -c "import yelpsearch, sys; print('yelpsearch', yelpsearch.__version__, 'on', sys.version.split()[0])"

step "lint"
cargo fmt -p yelpsearch-python -- --check
cargo clippy -p yelpsearch-python --all-targets --release --no-deps -- -D warnings
ruff format --check python examples tests/python
ruff check python examples tests/python
mypy python/yelpsearch examples tests/python/bench_gil.py

step "pytest"
export YELPSEARCH_CLI="$ROOT/target/release/yelpsearch" YELPSEARCH_REQUIRE_CLI=1
# shellcheck disable=SC2086
python -m pytest tests/python ${PYTEST_ARGS:-}
