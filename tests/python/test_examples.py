"""The example apps: the three-line Flask app and the tantivy baseline."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from openapi_core import OpenAPI
from openapi_core.contrib.werkzeug import WerkzeugOpenAPIRequest, WerkzeugOpenAPIResponse

import yelpsearch
from conftest import REPO


def load(name: str) -> ModuleType:
    path = REPO / "examples" / f"{name}.py"
    spec = importlib.util.spec_from_file_location(f"example_{name}", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def test_flask_app(
    monkeypatch: pytest.MonkeyPatch, index_dir: Path, spec: dict[str, Any], queries: list[str]
) -> None:
    monkeypatch.setenv("YELPSEARCH_INDEX", str(index_dir))
    client = load("flask_app").app.test_client()
    api = OpenAPI.from_dict(spec)
    resp = client.get("/search", query_string={"q": queries[0]})
    assert resp.status_code == 200
    api.validate_response(WerkzeugOpenAPIRequest(resp.request), WerkzeugOpenAPIResponse(resp))
    assert resp.get_json()["results"]
    assert client.get("/ready").status_code == 200
    assert client.get("/").status_code == 200


def test_flask_tantivy_app(
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    corpus: dict[str, Any],
    spec: dict[str, Any],
    index: yelpsearch.Index,
    queries: list[str],
) -> None:
    pytest.importorskip("tantivy")
    monkeypatch.setenv("YELP_BUSINESS", str(corpus["business_path"]))
    monkeypatch.setenv("YELP_REVIEWS", str(corpus["review_path"]))
    monkeypatch.setenv("TANTIVY_INDEX", str(tmp_path / "tantivy"))
    client = load("flask_tantivy_app").app.test_client()
    api = OpenAPI.from_dict(spec)
    for q in queries[:4]:
        resp = client.get("/search", query_string={"q": q})
        assert resp.status_code == 200, resp.get_data(as_text=True)
        api.validate_response(WerkzeugOpenAPIRequest(resp.request), WerkzeugOpenAPIResponse(resp))
        got = {r["business_id"] for r in resp.get_json()["results"]}
        want = {h.business_id for h in index.search(q, mode="bm25")}
        assert got & want, q
    for params, status in [({"q": "pasta"}, 400), ({"q": "99999 pasta"}, 404), ({}, 400)]:
        resp = client.get("/search", query_string=params)
        assert resp.status_code == status
        api.validate_response(WerkzeugOpenAPIRequest(resp.request), WerkzeugOpenAPIResponse(resp))
    assert client.get("/ready").status_code == 200
