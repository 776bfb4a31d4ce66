"""Every error kind of the Rust library arrives as the right Python exception."""

from __future__ import annotations

import gzip
import json
import threading
import urllib.parse
from pathlib import Path
from typing import Any

import pytest

import yelpsearch


def test_hierarchy() -> None:
    for cls in (
        yelpsearch.QueryError,
        yelpsearch.IndexNotFound,
        yelpsearch.DataError,
        yelpsearch.ModelError,
        yelpsearch.LockedError,
        yelpsearch.Cancelled,
    ):
        assert issubclass(cls, yelpsearch.Error)
    assert issubclass(yelpsearch.Error, Exception)
    assert issubclass(yelpsearch.UnknownZipError, yelpsearch.QueryError)
    assert issubclass(yelpsearch.IndexCorrupt, yelpsearch.IndexNotFound)
    assert yelpsearch.Error.__module__ == "yelpsearch"
    assert yelpsearch.QueryError("x").code == "invalid_query"


def test_missing_index_dir(tmp_path: Path) -> None:
    with pytest.raises(yelpsearch.IndexNotFound, match="no yelpsearch index"):
        yelpsearch.Index(tmp_path / "nope")


def test_foreign_directory(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("not an index")
    (tmp_path / "versions").mkdir()
    with pytest.raises(yelpsearch.IndexNotFound):
        yelpsearch.Index(tmp_path)


def test_corrupt_current_pointer(index_copy: Path) -> None:
    (index_copy / "CURRENT").write_text("../../etc\n")
    with pytest.raises(yelpsearch.IndexNotFound):
        yelpsearch.Index(index_copy)


@pytest.mark.parametrize(
    ("query", "zip_code", "code"),
    [
        ("pasta", None, "missing_zip"),
        ("{zip}", None, "no_terms"),
        ("pasta", "abc", "invalid_zip"),
        ("x" * 300 + " {zip}", None, "invalid_query"),
        ('"pasta {zip}', None, "invalid_query"),
        ("pasta\x07 {zip}", None, "invalid_query"),
    ],
)
def test_query_errors(
    index: yelpsearch.Index, zips: list[str], query: str, zip_code: str | None, code: str
) -> None:
    with pytest.raises(yelpsearch.QueryError) as info:
        index.search(query.format(zip=zips[0]), zip=zip_code)
    assert type(info.value) is yelpsearch.QueryError
    assert info.value.code == code
    assert str(info.value)


@pytest.mark.parametrize("query", ["", "   "])
@pytest.mark.parametrize("with_zip", [False, True])
def test_an_empty_query_has_the_code_of_the_http_api(
    index: yelpsearch.Index, zips: list[str], query: str, with_zip: bool
) -> None:
    """The same mistake, the same code: it was missing_zip (or no_terms) here and
    invalid_query over HTTP."""
    zip_code = zips[0] if with_zip else None
    with pytest.raises(yelpsearch.QueryError) as here:
        index.search(query, zip=zip_code)
    qs = "q=" + urllib.parse.quote_plus(query) + (f"&zip={zip_code}" if zip_code else "")
    with pytest.raises(yelpsearch.QueryError) as http:
        yelpsearch._native.parse_search_params(qs)
    assert here.value.code == http.value.code == "invalid_query"
    assert here.value.status == 400


def test_an_unknown_mode_is_a_query_error(index: yelpsearch.Index, zips: list[str]) -> None:
    with pytest.raises(yelpsearch.QueryError, match="bm25") as info:
        index.search(f"{zips[0]} pasta", mode="foo")  # type: ignore[arg-type]
    assert type(info.value) is yelpsearch.QueryError
    assert (info.value.code, info.value.status) == ("invalid_mode", 400)


@pytest.mark.parametrize(
    "kwargs", [{"reviews": -1}, {"businesses": -5}, {"seed": -1}, {"reviews": 2**70}]
)
def test_generate_refuses_negative_counts_clearly(tmp_path: Path, kwargs: dict[str, int]) -> None:
    """Not an OverflowError: the library's DataError, as for 0 businesses."""
    name = next(iter(kwargs))
    with pytest.raises(yelpsearch.DataError, match=f"{name} must be a whole number"):
        yelpsearch.generate_corpus(tmp_path, **kwargs)
    with pytest.raises(yelpsearch.DataError, match="at least 1"):
        yelpsearch.generate_corpus(tmp_path, businesses=0)
    with pytest.raises(TypeError, match="reviews must be an int"):
        yelpsearch.generate_corpus(tmp_path, reviews="10")  # type: ignore[arg-type]


@pytest.mark.parametrize("limit", [0, -1, 10**6])
def test_bad_limit(index: yelpsearch.Index, zips: list[str], limit: int) -> None:
    with pytest.raises(yelpsearch.QueryError, match="limit") as info:
        index.search(f"{zips[0]} pasta", limit=limit)
    assert info.value.code == "invalid_limit"


def test_unknown_zip(index: yelpsearch.Index) -> None:
    with pytest.raises(yelpsearch.UnknownZipError, match="99999") as info:
        index.search("99999 pasta")
    assert info.value.code == "unknown_zip"
    assert isinstance(info.value, yelpsearch.QueryError)


def test_missing_business_file(corpus: dict[str, Any], tmp_path: Path) -> None:
    with pytest.raises(yelpsearch.DataError, match="nope.jsonl"):
        yelpsearch.build_index(tmp_path / "nope.jsonl", corpus["review_path"], tmp_path / "idx")


def test_empty_business_file(corpus: dict[str, Any], tmp_path: Path) -> None:
    empty = tmp_path / "business.jsonl"
    empty.write_text("")
    with pytest.raises(yelpsearch.DataError, match="no valid business"):
        yelpsearch.build_index(empty, corpus["review_path"], tmp_path / "idx")


def test_strict_bad_line(corpus: dict[str, Any], tmp_path: Path) -> None:
    reviews = tmp_path / "review.jsonl"
    reviews.write_text("{not json\n")
    with pytest.raises(yelpsearch.DataError, match=r"review\.jsonl:1"):
        yelpsearch.build_index(corpus["business_path"], reviews, tmp_path / "idx", strict=True)


def test_corrupt_model_file_falls_back(index_copy: Path, queries: list[str]) -> None:
    version = (index_copy / "CURRENT").read_text().strip()
    model = next(index_copy.glob(f"versions/{version}*/model.json"))
    model.write_text("garbage {")
    idx = yelpsearch.Index(index_copy)
    info = idx.model_info()
    assert info["fallback"] is True
    assert idx.stats()["model_fallback"] is True
    assert idx.model_error()
    assert idx.search(queries[0]), "the fallback ranker still answers"


def test_train_model_bad_label_days(index_copy: Path) -> None:
    with pytest.raises(yelpsearch.ModelError, match="label-days"):
        yelpsearch.train_model(index_copy, label_days=1)


def test_train_model_bad_max_queries(index_copy: Path) -> None:
    with pytest.raises(yelpsearch.ModelError, match="max-queries"):
        yelpsearch.train_model(index_copy, max_queries=5)


def test_train_model_bad_grades(index_copy: Path) -> None:
    with pytest.raises(yelpsearch.ModelError, match="quality, stars, verdict"):
        yelpsearch.train_model(index_copy, grades="popular")  # type: ignore[arg-type]


def test_train_model_bad_seed(index_copy: Path) -> None:
    with pytest.raises(yelpsearch.DataError, match="train: seed must be a whole number"):
        yelpsearch.train_model(index_copy, seed=-1)
    with pytest.raises(TypeError, match="seed must be an int"):
        yelpsearch.train_model(index_copy, seed="1")  # type: ignore[arg-type]


def test_train_model_missing_index(tmp_path: Path) -> None:
    with pytest.raises(yelpsearch.IndexNotFound):
        yelpsearch.train_model(tmp_path)


def test_locked_by_a_concurrent_update(index_copy: Path, corpus: dict[str, Any]) -> None:
    """Two updates of one index at once: the second is refused while the first runs."""
    started, release = threading.Event(), threading.Event()
    outcome: dict[str, Any] = {}

    def hold(stage: str, done: int, total: int | None) -> None:
        started.set()
        release.wait(30)

    def first() -> None:
        try:
            outcome["report"] = yelpsearch.update_index(
                index_copy, corpus["review_path"], progress=hold
            )
        except BaseException as e:  # noqa: BLE001 - reported below
            outcome["error"] = e
            started.set()

    t = threading.Thread(target=first)
    t.start()
    try:
        assert started.wait(60), "the first update reported no progress"
        assert "error" not in outcome, outcome.get("error")
        with pytest.raises(yelpsearch.LockedError, match="locked"):
            yelpsearch.update_index(index_copy, corpus["review_path"])
    finally:
        release.set()
        t.join(120)
    assert "error" not in outcome, outcome.get("error")
    assert outcome["report"]["unchanged"] > 0


def test_a_build_that_accepts_too_few_reviews_can_be_allowed(
    corpus: dict[str, Any], tmp_path: Path
) -> None:
    """Reviews mostly of businesses the business file lacks (as in samples cut from the
    official files): refused by default, naming the reason; accepted with a lower
    min_accepted, every left line in the rejects file."""
    reviews = tmp_path / "review.jsonl"
    with open(corpus["review_path"], "rb") as f:
        raw = gzip.decompress(f.read()) if str(corpus["review_path"]).endswith(".gz") else f.read()
    lines = raw.decode().splitlines()[:300]
    out = []
    for i, line in enumerate(lines):
        r = json.loads(line)
        if i % 3:
            r["business_id"] = f"not-in-the-file-{i}"
        out.append(json.dumps(r))
    reviews.write_text("\n".join(out) + "\n")
    with pytest.raises(yelpsearch.DataError, match="unknown business"):
        yelpsearch.build_index(
            corpus["business_path"], reviews, tmp_path / "refused", train_ranker=False
        )
    assert not (tmp_path / "refused").exists()
    with pytest.raises(ValueError, match="between 0 and 1"):
        yelpsearch.build_index(corpus["business_path"], reviews, tmp_path / "x", min_accepted=1.5)
    rejects = tmp_path / "rejects.jsonl"
    report = yelpsearch.build_index(
        corpus["business_path"],
        reviews,
        tmp_path / "idx",
        train_ranker=False,
        min_accepted=0.2,
        rejects=rejects,
    )
    listed = [json.loads(x) for x in rejects.read_text().splitlines()]
    unknown = {x["line"] for x in listed if "unknown business" in x["category"] + x["reason"]}
    assert unknown == {i + 1 for i in range(300) if i % 3}
    # The generator's few businesses without a postal code leave their reviews out too.
    assert report["indexed"] + len(listed) == 300
    assert report["indexed"] >= 90
