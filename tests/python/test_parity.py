"""The Rust service and the Flask blueprint answer alike: one table of good and bad
``/search`` parameters sent over real loopback HTTP to both (``yelpsearch serve`` from the
CLI, and a Flask app under werkzeug's server), the same status, code, message and body
shape for each; the same ops bodies; and the same answers before the index exists."""

from __future__ import annotations

import http.client
import json
import os
import signal
import subprocess
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from flask import Flask
from werkzeug.serving import make_server

import yelpsearch
import yelpsearch.flask as yf

Answer = tuple[int, str, Any]


def get(base: str, path: str) -> Answer:
    """GET ``path`` (sent exactly as given) from ``base``: status, content type, JSON."""
    host, port = base.removeprefix("http://").split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=30)
    try:
        conn.request("GET", path)
        resp = conn.getresponse()
        body = resp.read()
        return resp.status, resp.getheader("Content-Type", ""), json.loads(body)
    finally:
        conn.close()


@pytest.fixture(scope="module")
def service(cli: Path, index_dir: Path) -> Iterator[str]:
    """``yelpsearch serve`` on the session's index, on a free loopback port."""
    with serve(cli, index_dir) as base:
        deadline = time.monotonic() + 60
        while get(base, "/ready")[0] != 200:
            assert time.monotonic() < deadline, "the service never became ready"
            time.sleep(0.1)
        yield base


@contextmanager
def serve(cli: Path, index: Path) -> Iterator[str]:
    """A ``yelpsearch serve`` process for ``index``; yields its base URL."""
    proc = subprocess.Popen(
        [str(cli), "serve", "--index", str(index), "--addr", "127.0.0.1:0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env={**os.environ, "RUST_LOG": "warn"},
    )
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        assert line.startswith("yelpsearch listening on "), line
        yield line.split(" on ", 1)[1].strip()
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(30)


@contextmanager
def flask_server(index_or_path: Any) -> Iterator[str]:
    """The blueprint over ``index_or_path`` under werkzeug's threaded server."""
    app = Flask("parity")
    app.register_blueprint(yf.create_blueprint(index_or_path))
    srv = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=srv.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{srv.server_port}"
    finally:
        srv.shutdown()
        thread.join(10)


@pytest.fixture(scope="module")
def blueprint(index_dir: Path) -> Iterator[str]:
    """The Flask blueprint over the session's index directory."""
    with flask_server(index_dir) as base:
        yield base


def q(text: str) -> str:
    """A query-string value, percent-encoded (spaces as ``+``, as a form sends them)."""
    return quote(text, safe="").replace("%20", "+")


def cases(zips: list[str], queries: list[str]) -> list[tuple[str, int, str]]:
    """(query string, status, code) of every case; code "" for a 200."""
    z, need = queries[0].split(" ", 1)
    typo = f"{z} {need[:2] + need[3:]}"  # a letter missing: "pizza" -> "piza"
    unknown_zip = next(c for c in ("99999", "00001", "12345") if c not in zips)
    return [
        # Good.
        (f"q={q(queries[0])}", 200, ""),
        (f"q={q(need)}&zip={z}", 200, ""),
        (f"q={q(need)}&zip={z}-1234", 200, ""),
        (f"q={q(queries[0])}&limit=2", 200, ""),
        (f"q={q(queries[0])}&limit=100", 200, ""),
        (f"q={q(queries[0])}&related=true", 200, ""),
        (f"q={q(queries[0])}&related=false", 200, ""),
        (f"q={q(queries[0])}&nearby=true", 200, ""),
        (f"q={q(queries[0])}&nearby=false", 200, ""),
        (f"q={q(queries[0])}&literal=false", 200, ""),
        (f"q={q(queries[0])}&literal=true", 200, ""),
        (f"q={q(typo)}", 200, ""),
        (f"q={q(typo)}&literal=true", 200, ""),
        (f"q={q('cheap ' + need + ' with outdoor seating near me ' + z)}", 200, ""),
        (f"q={q('cheap ' + need + ' ' + z)}&literal=true&nearby=false&related=false", 200, ""),
        (f"q={q(queries[-1])}", 200, ""),  # a quoted phrase
        (f"q={q(need + ' in ' + z)}&unknown=1&limit=3&limit=abc", 200, ""),
        # Bad parameters.
        ("", 400, "missing_query"),
        (f"zip={z}", 400, "missing_query"),
        ("q=", 400, "invalid_query"),
        ("q", 400, "invalid_query"),
        (f"q={'x' * 257}", 400, "invalid_query"),
        (f"q={z}+%FF%FE", 400, "invalid_query"),
        (f"q={q(queries[0])}&limit=0", 400, "invalid_limit"),
        (f"q={q(queries[0])}&limit=101", 400, "invalid_limit"),
        (f"q={q(queries[0])}&limit=abc", 400, "invalid_limit"),
        (f"q={q(queries[0])}&limit=", 400, "invalid_limit"),
        (f"q={q(queries[0])}&limit=-1", 400, "invalid_limit"),
        (f"q={q(queries[0])}&related=maybe", 400, "invalid_flag"),
        (f"q={q(queries[0])}&related=False", 400, "invalid_flag"),
        (f"q={q(queries[0])}&nearby=maybe", 400, "invalid_flag"),
        (f"q={q(queries[0])}&nearby=", 400, "invalid_flag"),
        (f"q={q(queries[0])}&literal=1", 400, "invalid_flag"),
        (f"q={q(queries[0])}&literal=TRUE", 400, "invalid_flag"),
        (f"q={q(need)}&zip=", 400, "invalid_zip"),
        (f"q={q(need)}&zip=abcde", 400, "invalid_zip"),
        (f"q={q(need)}&zip=+{z}", 400, "invalid_zip"),
        (f"q={q(need)}&zip={z}-12", 400, "invalid_zip"),
        # Bad queries, found by the core's parser behind the parameters.
        (f"q={q(need)}", 400, "missing_zip"),
        (f"q={z}", 400, "no_terms"),
        (f"q={q('the in ' + z)}", 400, "no_terms"),
        (f"q={q(chr(34) + need + ' ' + z)}", 400, "invalid_query"),  # unbalanced quote
        (f"q={q(need + chr(1) + ' ' + z)}", 400, "invalid_query"),  # a control character
        # Well-formed zipcodes without businesses.
        (f"q={q(unknown_zip + ' ' + need)}", 404, "unknown_zip"),
        (f"q={q(need)}&zip=T2P+1J9", 404, "unknown_zip"),
    ]


def test_the_same_answers_to_the_same_search_parameters(
    service: str, blueprint: str, zips: list[str], queries: list[str]
) -> None:
    table = cases(zips, queries)
    for qs, status, code in table:
        path = f"/search?{qs}" if qs else "/search"
        rust, flask = get(service, path), get(blueprint, path)
        assert rust[0] == flask[0] == status, f"{path}: {rust[0]} vs {flask[0]}"
        assert rust[1].startswith("application/json") and flask[1].startswith("application/json")
        r, f = rust[2], flask[2]
        if status == 200:
            assert set(r) == set(f) == {"zip", "query", "took_ms", "results", "interpretation"}, (
                path
            )
            assert {**r, "took_ms": 0} == {**f, "took_ms": 0}, path
        else:
            assert set(r) == set(f) == {"error"}, path
            assert set(r["error"]) == set(f["error"]) == {"code", "message"}, path
            assert r["error"]["code"] == f["error"]["code"] == code, path
            assert r["error"]["message"] == f["error"]["message"] and r["error"]["message"], path
    assert {code for _, _, code in table} >= {
        "missing_query",
        "invalid_query",
        "missing_zip",
        "no_terms",
        "invalid_zip",
        "invalid_limit",
        "invalid_flag",
        "unknown_zip",
    }, "every 400/404 code of the API is in the table"


def test_related_false_leaves_related_places_out_on_both(
    service: str, blueprint: str, index: yelpsearch.Index, queries: list[str]
) -> None:
    # A query whose results hold related places (nothing of them matched), so that
    # leaving them out shows.
    query = next(
        (x for x in queries if any(not h.matched for h in index.search(x, limit=100))), None
    )
    assert query is not None, "no query of the fixture has related places"
    for base in (service, blueprint):
        with_related = get(base, f"/search?q={q(query)}&limit=100")[2]["results"]
        without = get(base, f"/search?q={q(query)}&limit=100&related=false")[2]["results"]
        assert any(not h["matched"] for h in with_related), base
        assert without and all(h["matched"] for h in without), base
        assert without == [h for h in with_related if h["matched"]], base


def test_nearby_and_literal_alike_on_both(
    cli: Path, wide_index_dir: Path, nearby_query: str
) -> None:
    """On a corpus with neighbouring zipcodes: places of a nearby zipcode follow (and
    nearby=false leaves them out), a typo is corrected (and literal=true keeps it), the
    same on both servers."""
    z, dish = nearby_query.split(" ", 1)
    typo = f"{z} {dish[:2] + dish[3:]}"
    with serve(cli, wide_index_dir) as rust_base, flask_server(wide_index_dir) as flask_base:
        deadline = time.monotonic() + 60
        while get(rust_base, "/ready")[0] != 200:
            assert time.monotonic() < deadline, "the service never became ready"
            time.sleep(0.1)

        def both(path: str) -> dict[str, Any]:
            rust, flask = get(rust_base, path), get(flask_base, path)
            assert rust[0] == flask[0] == 200, path
            assert {**rust[2], "took_ms": 0} == {**flask[2], "took_ms": 0}, path
            body: dict[str, Any] = rust[2]
            return body

        near = both(f"/search?q={q(nearby_query)}&limit=30&related=false")
        assert any("distance_km" in h for h in near["results"])
        assert near["interpretation"]["nearby"]
        own = both(f"/search?q={q(nearby_query)}&limit=30&related=false&nearby=false")
        assert own["interpretation"]["nearby"] == []
        assert own["results"] == [h for h in near["results"] if "distance_km" not in h]

        fixed = both(f"/search?q={q(typo)}")
        assert fixed["interpretation"]["corrections"] == [{"from": typo.split()[1], "to": dish}]
        as_typed = both(f"/search?q={q(typo)}&literal=true")
        assert as_typed["interpretation"]["literal"] is True
        assert as_typed["interpretation"]["corrections"] == []


def test_the_same_ops_bodies(service: str, blueprint: str) -> None:
    for path in ("/health", "/ready", "/model/info", "/model/metrics", "/openapi.json"):
        rust, flask = get(service, path), get(blueprint, path)
        assert rust[0] == flask[0] == 200, path
        assert rust[2] == flask[2], path
    metrics = get(service, "/model/metrics")[2]
    assert set(metrics) == {"model", "fallback", "metrics"}


def test_the_same_answers_before_the_index_exists(cli: Path, tmp_path: Path) -> None:
    missing = tmp_path / "no-index-yet"
    with serve(cli, missing) as rust_base, flask_server(missing) as flask_base:
        for path, status in (("/ready", 503), ("/search?q=61820+pasta", 503), ("/search", 400)):
            rust, flask = get(rust_base, path), get(flask_base, path)
            assert rust[0] == flask[0] == status, path
            if path == "/ready":
                # The first attempt may still run in the service ("index is loading").
                assert rust[2]["status"] == flask[2]["status"] == "not_ready"
            else:
                assert rust[2] == flask[2], path
        deadline = time.monotonic() + 30
        while "no-index-yet" not in get(rust_base, "/ready")[2]["reason"]:
            assert time.monotonic() < deadline, "the service never tried to open the index"
            time.sleep(0.1)
        assert get(rust_base, "/ready")[2] == get(flask_base, "/ready")[2]
