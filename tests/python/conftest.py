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
def wide_corpus(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """A corpus of 16 zipcodes, some of them a few kilometres apart (61820 and 61801,
    19103 and 19107): what nearby results need. Few reviews a place, so that a
    zipcode's own matches leave room for its neighbours'."""
    out = tmp_path_factory.mktemp("wide-corpus")
    report = yelpsearch.generate_corpus(out, businesses=2_000, reviews=30_000, seed=SEED)
    assert report["zipcodes"] >= 16
    report["truth"] = json.loads(Path(report["truth_path"]).read_text())
    return report


@pytest.fixture(scope="session")
def wide_index_dir(wide_corpus: dict[str, Any], tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The wide corpus's index (read-only)."""
    index_dir = tmp_path_factory.mktemp("wide-index")
    yelpsearch.build_index(wide_corpus["business_path"], wide_corpus["review_path"], index_dir)
    return index_dir


@pytest.fixture(scope="session")
def wide_index(wide_index_dir: Path) -> yelpsearch.Index:
    """The wide corpus's index, open."""
    return yelpsearch.Index(wide_index_dir)


@pytest.fixture(scope="session")
def nearby_query(wide_index: yelpsearch.Index, wide_corpus: dict[str, Any]) -> str:
    """A "zipcode dish" query of the wide index whose matches (related places left out)
    include places of a nearby zipcode; the dish one word of 5+ letters (a typo of it is
    corrected)."""
    for z in ("61801", "19107", "61820", "19103"):
        served = Counter(
            dish
            for b in wide_corpus["truth"]["businesses"]
            if b["postal_code"] == z
            for dish in b["quality"]
            if " " not in dish and len(dish) >= 5
        )
        for dish, _ in served.most_common(30):
            q = f"{z} {dish}"
            hits = wide_index.search(q, limit=30, related=False)
            if any(h.distance_km is not None for h in hits):
                return q
    pytest.fail("no query of the wide corpus has nearby results")


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
