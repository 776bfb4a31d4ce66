"""The Python API: Index, Hit, SearchResponse, stats and model info."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

import yelpsearch

HIT_KEYS = {
    "business_id",
    "name",
    "address",
    "city",
    "state",
    "postal_code",
    "stars",
    "review_count",
    "score",
    "matches",
    "matched",
    "sentiment",
    "snippets",
}


def test_search_returns_hits_with_contract_fields(
    index: yelpsearch.Index, queries: list[str]
) -> None:
    seen = 0
    for q in queries:
        hits = index.search(q)
        assert len(hits) <= 10
        for h in hits:
            d = h.to_dict()
            assert set(d) == HIT_KEYS
            for key in HIT_KEYS - {"snippets", "sentiment"}:
                assert getattr(h, key) == d[key], key
            assert [s.to_dict() for s in h.snippets] == d["snippets"]
            for s in h.snippets:
                assert (s.review_id, s.stars, s.date, s.text) == tuple(
                    s.to_dict()[k] for k in ("review_id", "stars", "date", "text")
                )
                assert "<mark>" in s.text
            if h.sentiment is None:
                assert d["sentiment"] is None
            else:
                assert h.sentiment.to_dict() == d["sentiment"]
                assert -1.0 <= h.sentiment.mean <= 1.0
            assert h.explain is None
            if h.matches == 0:  # a related place, or one whose category or name matched
                assert h.snippets == [] and h.sentiment is None
            else:
                assert 1 <= len(h.snippets) <= 3
            seen += 1
        scores = [h.score for h in hits]
        assert scores == sorted(scores, reverse=True)
        # The zipcode's places with nothing matched (of a matching kind, or related)
        # come after its matches; places of nearby zipcodes (with a distance) after its
        # matches too.
        own = [bool(h.matched) for h in hits if h.distance_km is None]
        assert False not in own or not any(own[own.index(False) :])
        last_own = max(
            (i for i, h in enumerate(hits) if h.distance_km is None and h.matched),
            default=-1,
        )
        assert all(i > last_own for i, h in enumerate(hits) if h.distance_km is not None)
        only = index.search(q, related=False)
        assert all(h.matched for h in only)
        # The same matches; without related places, more may follow (nearby ones too).
        kept = [h for h in hits if h.matched]
        assert only[: len(kept)] == kept
    assert seen > 0, "no query had results"


def test_zip_argument_and_limit(index: yelpsearch.Index, queries: list[str]) -> None:
    z, need = queries[0].split(" ", 1)
    assert index.search(need, zip=z) == index.search(queries[0])
    assert index.search(need, z, 2) == index.search(queries[0])[:2]
    assert len(index.search(queries[0], limit=1)) == 1


def test_search_response(index: yelpsearch.Index, queries: list[str]) -> None:
    res = index.search_response(queries[0], limit=5)
    z, need = queries[0].split(" ", 1)
    assert res.zip == z and res.query == need
    assert res.took_ms >= 0
    assert len(res) == len(res.results) <= 5
    assert res.results == index.search(queries[0], limit=5)
    d = res.to_dict()
    assert list(d) == ["zip", "query", "took_ms", "results", "interpretation"]
    assert d["results"] == [h.to_dict() for h in res.results]
    assert res.interpretation == d["interpretation"]
    assert " ".join(res.interpretation["need"]) == need and res.interpretation["literal"] is False
    assert json.loads(res.to_json()) == d
    assert "SearchResponse(" in repr(res) and "Hit(" in repr(res.results[0])


def test_snippets_mode_and_explain(index: yelpsearch.Index, queries: list[str]) -> None:
    q = queries[0]
    assert all(h.snippets == [] for h in index.search(q, snippets=0))
    assert all(len(h.snippets) <= 1 for h in index.search(q, snippets=1))
    bm25 = index.search(q, mode="bm25")
    assert bm25 and {h.business_id for h in bm25} <= {
        h.business_id for h in index.search(q, limit=1000)
    }
    explained = index.search(q, explain=True)
    assert explained[0].explain and {"name", "value", "contribution"} <= set(
        explained[0].explain[0]
    )
    assert "explain" in explained[0].to_dict()
    # A QueryError with its code, as every other bad search parameter (was ValueError).
    with pytest.raises(yelpsearch.QueryError, match="mode") as info:
        index.search(q, mode="magic")  # type: ignore[arg-type]
    assert info.value.code == "invalid_mode"


def test_stats_model_info_reload(index: yelpsearch.Index, index_dir: Path) -> None:
    stats = index.stats()
    assert stats["version"] == index.version
    assert Path(stats["path"]) == index_dir == index.path
    assert stats["reviews"] > 0 and stats["businesses"] > 0 and stats["zipcodes"] >= 3
    info = index.model_info()
    assert info["version"] == stats["model_version"]
    assert info["fallback"] == stats["model_fallback"]
    assert info.get("ranker") is None and info.get("text_model") is None
    assert isinstance(info["metrics"], dict)
    assert index.reload() is False
    assert repr(index).startswith("Index(")


def test_open_is_the_constructor(index_dir: Path) -> None:
    a = yelpsearch.Index.open(index_dir)
    b = yelpsearch.Index(str(index_dir))
    assert isinstance(a, yelpsearch.Index) and a.version == b.version


def test_watch_reloads_in_the_background(index_copy: Path, corpus: dict[str, object]) -> None:
    idx = yelpsearch.Index(index_copy)
    before = idx.version
    with idx.watch(0.05) as w:
        assert w.running
        yelpsearch.build_index(
            corpus["business_path"],  # type: ignore[arg-type]
            corpus["review_path"],  # type: ignore[arg-type]
            index_copy,
            train_ranker=False,
        )
        deadline = time.monotonic() + 30
        while idx.version == before and time.monotonic() < deadline:
            time.sleep(0.05)
    assert not w.running
    assert idx.version != before
    with pytest.raises(ValueError):
        idx.watch(0)


def test_openapi_and_constants() -> None:
    doc = yelpsearch.openapi()
    assert doc["openapi"].startswith("3.")
    assert "/search" in doc["paths"]
    assert yelpsearch.MAX_QUERY_CHARS == 256
    assert isinstance(yelpsearch.__version__, str)


def test_print_progress(capsys: pytest.CaptureFixture[str]) -> None:
    yelpsearch.print_progress("index", 5, 10)
    yelpsearch.print_progress("merge", 0, None)
    err = capsys.readouterr().err
    assert "index: 5/10 (50%)" in err and "merge..." in err


def test_everything_public_has_a_docstring() -> None:
    for name in yelpsearch.__all__:
        obj = getattr(yelpsearch, name)
        if callable(obj):
            assert obj.__doc__ and obj.__doc__.strip(), name
        if isinstance(obj, type):
            for attr, member in vars(obj).items():
                if attr.startswith("_") or isinstance(member, str):
                    continue
                assert getattr(member, "__doc__", None), f"{name}.{attr}"
    import yelpsearch.flask as yf

    assert yf.create_blueprint.__doc__ and yf.__doc__
