"""The service against its OpenAPI document: schemathesis generates requests from
/openapi.json (no 5xx, every response matches the schema), and real searches for the
planted queries are validated against the same schema."""

import pathlib
import subprocess
import sys

import pytest
import requests
import schemathesis

HERE = pathlib.Path(__file__).resolve().parent
CPYTHON_AST_BUG = "AST constructor recursion depth mismatch"


def test_schemathesis_run(base_url, planted, tmp_path, artifacts):
    # Real queries as a dictionary, so fuzzing also reaches the 200 path: as written,
    # misspelled, and with filler, price and amenity words (free-text interpretations,
    # corrections and nearby places in the responses).
    lines = [f"{z} {d}" for z, d, _ in planted[:50]]
    lines += [f"{z} {d[:2] + d[3:]}" for z, d, _ in planted[:20] if len(d) >= 5]
    lines += [f"best cheap {d} with outdoor seating near me {z}" for z, d, _ in planted[:20]]
    queries = tmp_path / "queries.dict"
    queries.write_text("".join(f'"{q}"\n' for q in lines), encoding="utf-8")
    config = tmp_path / "schemathesis.toml"
    config.write_text(
        (HERE / "schemathesis.toml").read_text(encoding="utf-8")
        + f'\n[dictionaries.queries]\nfrom-file = "{queries}"\n\n'
        + '[parameters]\n"query.q" = { dictionary = "queries", probability = 0.5 }\n',
        encoding="utf-8",
    )
    exe = pathlib.Path(sys.executable).with_name("schemathesis")
    cmd = [
        str(exe), "--config-file", str(config), "run",
        f"{base_url}/openapi.json",
        "--report", "junit", "--report-dir", str(artifacts / "schemathesis"),
    ]
    for attempt in range(3):
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
        print(p.stdout[-20000:])
        print(p.stderr[-5000:], file=sys.stderr)
        # CPython < 3.11.8 / 3.12.2 can raise this inside hypothesis (gh-106905): a bug of
        # the interpreter, not a finding about the service; run again with a new seed.
        if p.returncode == 0 or CPYTHON_AST_BUG not in p.stdout:
            break
        print(f"schemathesis hit CPython gh-106905 (attempt {attempt + 1}); retrying", file=sys.stderr)
    assert p.returncode == 0, "schemathesis found problems (see the output above)"


@pytest.fixture(scope="module")
def schema(base_url):
    return schemathesis.openapi.from_url(f"{base_url}/openapi.json")


def test_planted_searches_match_the_schema(schema, base_url, planted):
    op = schema["/search"]["GET"]
    n200 = 0
    for zipcode, dish, _ in planted[:20]:
        for query in ({"q": f"{zipcode} {dish}"}, {"q": dish, "zip": zipcode, "limit": 3}):
            case = op.Case(query=query)
            response = case.call(base_url=base_url)
            case.validate_response(response)
            n200 += response.status_code == 200
    assert n200 > 0


def test_free_text_searches_match_the_schema(schema, base_url, typo_case, nearby_case):
    """A corrected typo, the same words as typed, price and amenity words, and places of
    a nearby zipcode: the response's interpretation, matched and distance_km fields are
    the document's."""
    op = schema["/search"]["GET"]
    zipcode, dish, typo = typo_case
    nz, ndish, _ = nearby_case
    seen = {"corrections": 0, "literal": 0, "price": 0, "distance_km": 0}
    for query in (
        {"q": f"{zipcode} {typo}"},
        {"q": f"{zipcode} {typo}", "literal": "true"},
        {"q": f"cheap {dish} with outdoor seating near me {zipcode}", "nearby": "false"},
        {"q": f"{nz} {ndish}", "related": "false", "nearby": "true"},
    ):
        case = op.Case(query=query)
        response = case.call(base_url=base_url)
        assert response.status_code == 200, (query, response.text)
        case.validate_response(response)
        body = response.json()
        it = body["interpretation"]
        seen["corrections"] += bool(it["corrections"])
        seen["literal"] += it["literal"]
        seen["price"] += it["price"] == "$"
        seen["distance_km"] += any("distance_km" in h for h in body["results"])
    assert all(seen.values()), seen


@pytest.mark.parametrize(
    "query,status,code",
    [
        ({}, 400, "missing_query"),
        ({"q": ""}, 400, "invalid_query"),
        ({"q": "x" * 257, "zip": "61820"}, 400, "invalid_query"),
        ({"q": "pasta"}, 400, "missing_zip"),
        ({"q": "pasta", "zip": ""}, 400, "invalid_zip"),
        ({"q": "pasta 61820", "limit": "-1"}, 400, "invalid_limit"),
        ({"q": "pasta 61820", "limit": "1000000000"}, 400, "invalid_limit"),
        ({"q": "pasta 61820", "limit": "abc"}, 400, "invalid_limit"),
        ({"q": "pasta 61820", "nearby": "maybe"}, 400, "invalid_flag"),
        ({"q": "pasta 61820", "literal": "1"}, 400, "invalid_flag"),
        ({"q": "pasta 00000"}, 404, "unknown_zip"),
    ],
)
def test_bad_input_is_a_json_error(schema, base_url, query, status, code):
    case = schema["/search"]["GET"].Case(query=query)
    response = case.call(base_url=base_url)
    assert response.status_code == status, response.text
    assert response.json()["error"]["code"] == code
    case.validate_response(response)


def test_invalid_utf8_is_a_json_400(base_url):
    r = requests.get(f"{base_url}/search?q=%FF%FE+61820", timeout=10)
    assert r.status_code == 400
    assert r.json()["error"]["code"] == "invalid_query"
