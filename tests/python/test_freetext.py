"""Free-text queries from Python and the Flask blueprint: typos searched as the word they
are near, what the query was understood as (``interpretation``), what of each hit
matched, ``literal=True`` and ``nearby=False``, on the generator's corpora."""

from __future__ import annotations

import typing
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from openapi_core import OpenAPI
from openapi_core.contrib.werkzeug import WerkzeugOpenAPIRequest, WerkzeugOpenAPIResponse
from werkzeug.test import TestResponse

import yelpsearch
import yelpsearch.flask as yf
from yelpsearch._native import parse_search_params


def typo_cases(
    index: yelpsearch.Index, corpus: dict[str, Any], zips: list[str]
) -> list[tuple[str, str, str]]:
    """(zip, dish, typo) for the most served one-word dishes of 5+ letters of the three
    biggest zipcodes, the typo dropping the dish's third letter ("pizza" → "piza"), when
    no review of the zipcode holds the typo ("latte" → "late" is a word, not a typo)."""
    out = []
    for z in zips[:3]:
        served = Counter(
            dish
            for b in corpus["truth"]["businesses"]
            if b["postal_code"] == z
            for dish in b["quality"]
            if " " not in dish and len(dish) >= 5
        )
        for d, _ in served.most_common(8):
            typo = d[:2] + d[3:]
            as_typed = index.search(f"{z} {typo}", literal=True, related=False, nearby=False)
            if not any("reviews" in h.matched for h in as_typed):
                out.append((z, d, typo))
    assert len(out) >= 12, out
    return out


def test_a_typo_is_searched_as_the_word_it_is_near(
    index: yelpsearch.Index, corpus: dict[str, Any], zips: list[str]
) -> None:
    compared = 0
    for z, dish, typo in typo_cases(index, corpus, zips):
        res = index.search_response(f"{z} {typo}")
        it = res.interpretation
        assert it["corrections"] == [{"from": typo, "to": dish}], (typo, it)
        assert it["need"] == [dish] and it["literal"] is False, (typo, it)
        assert res.query == typo and res.results, typo
        assert any(
            "reviews" in h.matched and "<mark>" in s.text for h in res.results for s in h.snippets
        ), typo
        # The typo's results are the word's own, unless the word alone means more than
        # a dish ("patio" asks for outdoor seating too).
        clean = index.search_response(f"{z} {dish}")
        if clean.interpretation["need"] == [dish] and not clean.interpretation["amenities"]:
            assert [h.business_id for h in res.results] == [h.business_id for h in clean.results], (
                typo
            )
            compared += 1
    assert compared >= 6


def test_literal_takes_the_words_as_typed(
    index: yelpsearch.Index, corpus: dict[str, Any], zips: list[str]
) -> None:
    z, dish, typo = typo_cases(index, corpus, zips)[0]
    lit = index.search_response(f"{z} {typo}", literal=True)
    it = lit.interpretation
    assert it["literal"] is True and it["corrections"] == [] and it["need"] == [typo], it
    interpreted = index.search_response(f"{z} {typo}")
    assert [h.business_id for h in lit.results] != [h.business_id for h in interpreted.results]
    assert not any("reviews" in h.matched for h in lit.results), "no review holds the typo"
    assert index.search(f"{z} {typo}", literal=True) == lit.results

    # Price words are words like any other when literal.
    cheap = index.search_response(f"{z} cheap {dish}")
    assert cheap.interpretation["price"] == "$" and cheap.interpretation["need"] == [dish]
    as_typed = index.search_response(f"{z} cheap {dish}", literal=True).interpretation
    assert as_typed["price"] is None and as_typed["literal"] is True
    assert "cheap" in as_typed["need"] + as_typed["optional"], as_typed


def test_hits_say_what_matched(index: yelpsearch.Index, queries: list[str]) -> None:
    for q in queries:
        for h in index.search(q, limit=100):
            assert set(h.matched) <= {"reviews", "category", "name"}, h
            assert h.matched == h.to_dict()["matched"]
            assert ("reviews" in h.matched) == (h.matches > 0), h
            if not h.matched:  # a related place: no evidence of its own
                assert h.snippets == [] and h.sentiment is None
            assert h.distance_km is None and "distance_km" not in h.to_dict()


def test_nearby_places_follow_and_nearby_false_leaves_them_out(
    wide_index: yelpsearch.Index, nearby_query: str
) -> None:
    res = wide_index.search_response(nearby_query, limit=30, related=False)
    own = [h for h in res.results if h.distance_km is None]
    near = [h for h in res.results if h.distance_km is not None]
    assert own and near and res.results == own + near, "the zipcode's own places come first"
    assert all(h.postal_code == res.zip for h in own)
    nearby = res.interpretation["nearby"]
    assert nearby and {n["zip"] for n in nearby} == {h.postal_code for h in near}
    assert res.zip not in {n["zip"] for n in nearby}
    assert all(0 < n["distance_km"] <= 30 for n in nearby), nearby
    for h in near:
        assert h.distance_km is not None and 0 < h.distance_km < 40, h
        assert h.to_dict()["distance_km"] == h.distance_km
        assert h.matched, "a nearby place is a match, not a related place"

    off = wide_index.search_response(nearby_query, limit=30, related=False, nearby=False)
    assert off.interpretation["nearby"] == []
    assert off.results == own
    assert wide_index.search(nearby_query, limit=30, related=False, nearby=False) == own


def test_interpretation_is_typed_as_the_contract(spec: dict[str, Any]) -> None:
    schemas = spec["components"]["schemas"]
    for typed, name in [
        (yelpsearch.Interpretation, "Interpretation"),
        (yelpsearch.Correction, "Correction"),
        (yelpsearch.NearbyZip, "NearbyZip"),
    ]:
        hints = typing.get_type_hints(typed)
        assert set(hints) == set(schemas[name]["properties"]) == set(schemas[name]["required"])
    hit = schemas["Hit"]["properties"]
    assert set(hit["matched"]["items"]["enum"]) == {"reviews", "category", "name"}


def test_search_params_carry_nearby_and_literal() -> None:
    p = parse_search_params("q=61820+piza")
    assert (p.related, p.nearby, p.literal) == (True, True, False)
    p = parse_search_params("q=61820+piza&nearby=false&literal=true")
    assert (p.related, p.nearby, p.literal) == (True, False, True)
    assert "related=True, nearby=False, literal=True" in repr(p)
    for bad in ("nearby=maybe", "literal=1", "nearby=FALSE", "literal="):
        with pytest.raises(yelpsearch.QueryError) as info:
            parse_search_params(f"q=61820+piza&{bad}")
        assert (info.value.code, info.value.status) == ("invalid_flag", 400), bad


def get(api: OpenAPI, resp: TestResponse) -> Any:
    assert resp.request is not None
    api.validate_response(WerkzeugOpenAPIRequest(resp.request), WerkzeugOpenAPIResponse(resp))
    return resp.get_json()


def test_the_blueprint_takes_nearby_and_literal_through_the_core(
    wide_index: yelpsearch.Index,
    wide_index_dir: Path,
    nearby_query: str,
    spec: dict[str, Any],
) -> None:
    api = OpenAPI.from_dict(spec)
    app = Flask("freetext")
    app.register_blueprint(yf.create_blueprint(wide_index_dir))
    client = app.test_client()

    def same(params: dict[str, str], **kw: Any) -> dict[str, Any]:
        body: dict[str, Any] = get(api, client.get("/search", query_string=params))
        want = wide_index.search_response(params["q"], limit=int(params["limit"]), **kw)
        assert {**body, "took_ms": 0} == {**want.to_dict(), "took_ms": 0}, params
        return body

    base = {"q": nearby_query, "limit": "30", "related": "false"}
    body = same(base, related=False)
    assert any("distance_km" in h for h in body["results"]) and body["interpretation"]["nearby"]
    body = same({**base, "nearby": "false"}, related=False, nearby=False)
    assert not any("distance_km" in h for h in body["results"])
    assert body["interpretation"]["nearby"] == []

    z, dish = nearby_query.split(" ", 1)
    typo = f"{z} {dish[:2] + dish[3:]}"
    body = same({"q": typo, "limit": "10", "literal": "true"}, literal=True)
    assert body["interpretation"]["literal"] is True
    assert body["interpretation"]["corrections"] == []
    body = same({"q": typo, "limit": "10", "literal": "false"})
    assert body["interpretation"]["literal"] is False

    for bad in ({"nearby": "maybe"}, {"literal": "yes"}):
        resp = client.get("/search", query_string={"q": nearby_query, **bad})
        assert resp.status_code == 400
        assert get(api, resp)["error"]["code"] == "invalid_flag", bad
