"""The Flask blueprint: the HTTP contract, through the test client and a real server."""

from __future__ import annotations

import json
import re
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
import requests
from flask import Flask
from openapi_core import OpenAPI
from openapi_core.contrib.requests import RequestsOpenAPIRequest, RequestsOpenAPIResponse
from openapi_core.contrib.werkzeug import WerkzeugOpenAPIRequest, WerkzeugOpenAPIResponse
from openapi_spec_validator import validate as validate_spec
from werkzeug.serving import make_server
from werkzeug.test import TestResponse

import yelpsearch
import yelpsearch.flask as yf
from yelpsearch._native import error_response


@pytest.fixture(scope="module")
def api(spec: dict[str, Any]) -> OpenAPI:
    validate_spec(spec)
    return OpenAPI.from_dict(spec)


@pytest.fixture(scope="module")
def app(index: yelpsearch.Index) -> Flask:
    app = Flask("test")
    app.register_blueprint(yf.create_blueprint(index))
    return app


def check(api: OpenAPI, resp: TestResponse) -> Any:
    """Validate a test-client response against the OpenAPI document; return its JSON."""
    assert resp.request is not None
    api.validate_response(WerkzeugOpenAPIRequest(resp.request), WerkzeugOpenAPIResponse(resp))
    assert resp.mimetype == "application/json"
    return resp.get_json()


def test_blueprint_constants_follow_the_spec(spec: dict[str, Any]) -> None:
    params = {p["name"]: p["schema"] for p in spec["paths"]["/search"]["get"]["parameters"]}
    assert params["q"]["maxLength"] == yf.MAX_QUERY_CHARS == yelpsearch.MAX_QUERY_CHARS
    assert params["limit"]["maximum"] == yf.MAX_LIMIT
    assert params["limit"]["default"] == yf.DEFAULT_LIMIT
    assert params["zip"]["pattern"] == yf.ZIP_PATTERN


def test_search(app: Flask, api: OpenAPI, index: yelpsearch.Index, queries: list[str]) -> None:
    client = app.test_client()
    for q in queries:
        body = check(api, client.get("/search", query_string={"q": q}))
        expected = index.search_response(q).to_dict()
        assert {**body, "took_ms": 0} == {**expected, "took_ms": 0}
    z, need = queries[0].split(" ", 1)
    body = check(api, client.get("/search", query_string={"q": need, "zip": z, "limit": "2"}))
    assert body["zip"] == z and body["query"] == need and len(body["results"]) <= 2
    plus4 = check(api, client.get("/search", query_string={"q": need, "zip": f"{z}-1234"}))
    assert plus4["zip"] == z, "a ZIP+4 is searched as its 5 digits"


BAD = [
    ({}, 400, "missing_query"),
    ({"q": ""}, 400, "invalid_query"),
    ({"q": "   ", "zip": "{zip}"}, 400, "invalid_query"),
    ({"q": "x" * 257}, 400, "invalid_query"),
    ({"q": '"pasta {zip}'}, 400, "invalid_query"),
    ({"q": "pasta"}, 400, "missing_zip"),
    ({"q": "{zip}"}, 400, "no_terms"),
    ({"q": "pasta", "zip": ""}, 400, "invalid_zip"),
    ({"q": "pasta", "zip": "abcde"}, 400, "invalid_zip"),
    ({"q": "pasta", "zip": "{zip}\n"}, 400, "invalid_zip"),
    ({"q": "pasta", "zip": " {zip}"}, 400, "invalid_zip"),
    ({"q": "pasta", "zip": "{zip}-12"}, 400, "invalid_zip"),
    ({"q": "{zip} pasta", "limit": "abc"}, 400, "invalid_limit"),
    ({"q": "{zip} pasta", "limit": "0"}, 400, "invalid_limit"),
    ({"q": "{zip} pasta", "limit": "101"}, 400, "invalid_limit"),
    ({"q": "{zip} pasta", "limit": "-1"}, 400, "invalid_limit"),
    ({"q": "{zip} pasta", "limit": "1e3"}, 400, "invalid_limit"),
    ({"q": "{zip} pasta", "limit": "1000000000000"}, 400, "invalid_limit"),
    ({"q": "{zip} pasta", "limit": ""}, 400, "invalid_limit"),
    ({"q": "99999 pasta"}, 404, "unknown_zip"),
    ({"q": "pasta", "zip": "T2P 1J9"}, 404, "unknown_zip"),
]


@pytest.mark.parametrize(("params", "status", "code"), BAD)
def test_bad_requests(
    app: Flask, api: OpenAPI, zips: list[str], params: dict[str, str], status: int, code: str
) -> None:
    qs = {k: v.format(zip=zips[0]) for k, v in params.items()}
    resp = app.test_client().get("/search", query_string=qs)
    assert resp.status_code == status
    body = check(api, resp)
    assert body["error"]["code"] == code and body["error"]["message"]


def test_query_at_the_length_limit_is_accepted(app: Flask, api: OpenAPI, zips: list[str]) -> None:
    q = f"{zips[0]} " + "é" * (256 - 6)
    assert len(q) == 256
    resp = app.test_client().get("/search", query_string={"q": q})
    assert resp.status_code == 200
    check(api, resp)


def test_invalid_utf8_is_not_a_500(app: Flask, zips: list[str]) -> None:
    resp = app.test_client().get(f"/search?q={zips[0]}+%ff%fe")
    assert resp.status_code < 500


def test_ops_routes(app: Flask, api: OpenAPI, index: yelpsearch.Index) -> None:
    client = app.test_client()
    assert check(api, client.get("/health")) == {"status": "ok"}
    stats = index.stats()
    assert check(api, client.get("/ready")) == {
        "status": "ready",
        "index_version": stats["version"],
        "documents": stats["reviews"],
        "model": stats["model_version"],
        "examples": index.example_queries(),
    }
    # Suggestions from the index itself: each finds places by their reviews.
    examples = index.example_queries()
    assert examples and len(examples) <= 4
    for q in examples:
        hits = index.search(q, related=False, nearby=False)
        assert any("reviews" in h.matched for h in hits), q
    info = check(api, client.get("/model/info"))
    assert info == index.model_info()
    metrics = check(api, client.get("/model/metrics"))
    assert metrics == {
        "model": info["version"],
        "fallback": info["fallback"],
        "metrics": info["metrics"],
    }
    doc = check(api, client.get("/openapi.json"))
    assert doc == yelpsearch.openapi()


def test_url_prefix_and_path(index_dir: Path, api: OpenAPI, queries: list[str]) -> None:
    app = Flask("prefixed")
    app.register_blueprint(yf.create_blueprint(str(index_dir), url_prefix="/api"))
    client = app.test_client()
    assert client.get("/api/health").get_json() == {"status": "ok"}
    assert client.get("/api/search", query_string={"q": queries[0]}).status_code == 200
    assert client.get("/search").status_code == 404


def test_unknown_paths_and_methods_get_the_json_error_body(index_dir: Path) -> None:
    """Not Flask's HTML pages: the API's JSON errors, as the Rust service answers."""
    app = Flask("prefixed-errors")
    app.register_blueprint(yf.create_blueprint(str(index_dir), url_prefix="/api"))
    client = app.test_client()
    not_found = json.loads(error_response("not_found")[1])
    for path in ("/api/metrics", "/api/nope", "/api/", "/api/model/nope"):
        resp = client.get(path)
        assert resp.status_code == 404, path
        assert resp.mimetype == "application/json" and resp.get_json() == not_found, path
    resp = client.post("/api/search", data="q=61820+pasta")
    assert resp.status_code == 405
    assert resp.get_json()["error"]["code"] == "method_not_allowed"
    assert client.get("/api/health").get_json() == {"status": "ok"}
    assert client.get("/elsewhere").status_code == 404, "outside the prefix: the app's"


def test_not_ready_until_the_index_exists(
    tmp_path: Path, api: OpenAPI, corpus: dict[str, Any], queries: list[str]
) -> None:
    app = Flask("late")
    app.register_blueprint(yf.create_blueprint(tmp_path / "idx", reload_interval=None))
    client = app.test_client()
    assert check(api, client.get("/health")) == {"status": "ok"}
    resp = client.get("/ready")
    assert resp.status_code == 503
    assert check(api, resp)["status"] == "not_ready"
    resp = client.get("/search", query_string={"q": queries[0]})
    assert resp.status_code == 503
    assert check(api, resp)["error"]["code"] == "not_ready"
    yelpsearch.build_index(
        corpus["business_path"], corpus["review_path"], tmp_path / "idx", train_ranker=False
    )
    deadline = time.monotonic() + 30
    while client.get("/ready").status_code != 200:
        assert time.monotonic() < deadline, "the blueprint never opened the index"
        time.sleep(0.2)
    assert client.get("/search", query_string={"q": queries[0]}).status_code == 200


def test_reload_interval_picks_up_new_versions(index_copy: Path, corpus: dict[str, Any]) -> None:
    app = Flask("reloading")
    app.register_blueprint(yf.create_blueprint(index_copy, reload_interval=0))
    client = app.test_client()
    first = client.get("/ready").get_json()["index_version"]
    yelpsearch.build_index(
        corpus["business_path"], corpus["review_path"], index_copy, train_ranker=False
    )
    assert client.get("/ready").get_json()["index_version"] != first


def test_internal_errors_are_json(index: yelpsearch.Index, api: OpenAPI) -> None:
    app = Flask("broken")
    bp = yf.create_blueprint(index)

    @bp.get("/boom")
    def boom() -> str:
        raise RuntimeError("boom")

    app.register_blueprint(bp)
    resp = app.test_client().get("/boom")
    assert resp.status_code == 500
    assert resp.get_json() == {"error": {"code": "internal", "message": "internal error"}}


@pytest.fixture(scope="module")
def server(app: Flask) -> Iterator[str]:
    srv = make_server("127.0.0.1", 0, app, threaded=True)
    t = threading.Thread(target=srv.serve_forever, daemon=True)
    t.start()
    yield f"http://127.0.0.1:{srv.server_port}"
    srv.shutdown()
    t.join(10)


def test_real_server(
    server: str, api: OpenAPI, index: yelpsearch.Index, queries: list[str], zips: list[str]
) -> None:
    session = requests.Session()

    def get(path: str, **params: str) -> requests.Response:
        resp = session.get(server + path, params=params, timeout=30)
        api.validate_response(RequestsOpenAPIRequest(resp.request), RequestsOpenAPIResponse(resp))
        assert resp.headers["Content-Type"].startswith("application/json")
        return resp

    for q in queries:
        resp = get("/search", q=q)
        assert resp.status_code == 200
        expected = index.search_response(q).to_dict()
        assert {**resp.json(), "took_ms": 0} == {**expected, "took_ms": 0}
    assert get("/search", q="pasta").json()["error"]["code"] == "missing_zip"
    assert get("/search", q="99999 pasta").status_code == 404
    assert get("/search", q=queries[0], limit="x").status_code == 400
    for path in ("/health", "/ready", "/model/info", "/model/metrics", "/openapi.json"):
        assert get(path).status_code == 200

    def one(i: int) -> tuple[int, str]:
        r = requests.get(server + "/search", params={"q": queries[i % len(queries)]}, timeout=30)
        return r.status_code, re.sub(r'"took_ms":[^,]*', "", r.text)

    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(one, range(64)))
    assert all(status == 200 for status, _ in results)
    by_query: dict[int, set[str]] = {}
    for i, (_, text) in enumerate(results):
        by_query.setdefault(i % len(queries), set()).add(text)
    assert all(len(texts) == 1 for texts in by_query.values()), "answers differ between calls"
