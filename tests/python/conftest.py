"""Shared fixtures: a generated corpus, an index built from it, the CLI and the spec."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

import yelpsearch

REPO = Path(__file__).resolve().parents[2]
BUSINESSES = 300
REVIEWS = 15_000
SEED = 7


@pytest.fixture(scope="session")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """A small synthetic corpus (business, review and truth files)."""
    out = tmp_path_factory.mktemp("corpus")
    report = yelpsearch.generate_corpus(out, businesses=BUSINESSES, reviews=REVIEWS, seed=SEED)
    assert report["businesses"] == BUSINESSES and report["reviews"] == REVIEWS
    report["truth"] = json.loads(Path(report["truth_path"]).read_text())
    return report


@pytest.fixture(scope="session")
def build_calls(corpus: dict[str, Any], tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The session's index, built once, with the progress calls it made."""
    index_dir = tmp_path_factory.mktemp("index")
    calls: list[tuple[str, int, int | None]] = []
    report = yelpsearch.build_index(
        corpus["business_path"],
        corpus["review_path"],
        index_dir,
        progress=lambda stage, done, total: calls.append((stage, done, total)),
    )
    return {"dir": index_dir, "report": report, "progress": calls}


@pytest.fixture(scope="session")
def index_dir(build_calls: dict[str, Any]) -> Path:
    """The session's index directory (read-only: copy it before changing it)."""
    path: Path = build_calls["dir"]
    return path


@pytest.fixture(scope="session")
def index(index_dir: Path) -> yelpsearch.Index:
    """The session's index, open."""
    return yelpsearch.Index(index_dir)


@pytest.fixture()
def index_copy(index_dir: Path, tmp_path: Path) -> Path:
    """A private copy of the session's index, free to change."""
    dst = tmp_path / "index"
    shutil.copytree(index_dir, dst)
    return dst


@pytest.fixture(scope="session")
def zips(corpus: dict[str, Any]) -> list[str]:
    """The corpus's zipcodes, most businesses first."""
    counts = Counter(b["postal_code"] for b in corpus["truth"]["businesses"] if b["postal_code"])
    return [z for z, _ in counts.most_common()]


@pytest.fixture(scope="session")
def queries(corpus: dict[str, Any], zips: list[str]) -> list[str]:
    """Queries with results: each zipcode with the dishes most served there."""
    out: list[str] = []
    for z in zips[:3]:
        served = Counter(
            dish
            for b in corpus["truth"]["businesses"]
            if b["postal_code"] == z
            for dish in b["quality"]
        )
        dishes = [d for d, _ in served.most_common(4)]
        out += [f"{z} {d}" for d in dishes]
        out.append(f"{dishes[0]} near {z}")
    out.append(f'"{out[0].split(" ", 1)[1]}" {zips[0]}')
    return out


@pytest.fixture(scope="session")
def cli() -> Path:
    """The Rust command line (built by tests/run-python.sh)."""
    path = Path(os.environ.get("YELPSEARCH_CLI", REPO / "target" / "release" / "yelpsearch"))
    if not path.is_file():
        if os.environ.get("YELPSEARCH_REQUIRE_CLI"):
            pytest.fail(f"{path} is missing: cargo build --release --bin yelpsearch")
        pytest.skip(f"{path} is missing: cargo build --release --bin yelpsearch")
    return path


def run_cli(cli: Path, *args: str | os.PathLike[str]) -> subprocess.CompletedProcess[str]:
    """Run the CLI and capture its output."""
    return subprocess.run(
        [str(cli), *map(str, args)], capture_output=True, text=True, timeout=120, check=False
    )


@pytest.fixture(scope="session")
def spec() -> dict[str, Any]:
    """The OpenAPI document shipped in the package."""
    doc = yelpsearch.openapi()
    on_disk = json.loads((REPO / "src" / "openapi.json").read_text())
    assert doc == on_disk, "the package's OPENAPI_JSON is not src/openapi.json"
    return doc
