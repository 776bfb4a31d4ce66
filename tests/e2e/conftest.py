"""Fixtures of the end-to-end tests: a running `yelpsearch serve` (started by run.sh)
and the truth of the corpus its index was built from.

Environment (set by run.sh):
  YS_BASE_URL  the service, e.g. http://127.0.0.1:41234
  YS_TRUTH     truth.json of the generated corpus
"""

import gzip
import json
import os
import pathlib
from collections import defaultdict

import pytest
import requests

ROOT = pathlib.Path(__file__).resolve().parents[2]


def _env(name):
    value = os.environ.get(name)
    if not value:
        pytest.exit(f"{name} is not set: run tests/e2e/run.sh", returncode=2)
    return value


@pytest.fixture(scope="session")
def base_url():
    url = _env("YS_BASE_URL").rstrip("/")
    r = requests.get(f"{url}/ready", timeout=10)
    assert r.status_code == 200, f"service not ready: {r.status_code} {r.text}"
    return url


@pytest.fixture(scope="session")
def truth():
    with open(_env("YS_TRUTH"), encoding="utf-8") as f:
        return json.load(f)


def planted_pairs(truth):
    """(zip, dish, business_id) of every pair with a planted local champion: three or
    more servers, the best at least 0.2 above the runner-up (the generator's rule)."""
    servers = defaultdict(list)
    for b in truth["businesses"]:
        if b["postal_code"]:
            for dish, q in b["quality"].items():
                servers[(b["postal_code"], dish)].append((q, b["business_id"]))
    out = []
    for (zipcode, dish), s in sorted(servers.items()):
        if len(s) >= 3:
            s.sort(reverse=True)
            if s[0][0] - s[1][0] >= 0.199:
                out.append((zipcode, dish, s[0][1]))
    return out


@pytest.fixture(scope="session")
def planted(truth):
    pairs = [p for p in planted_pairs(truth) if " " not in p[1]]
    assert pairs, "the corpus has no planted (zip, dish) pair"
    return pairs


@pytest.fixture(scope="session")
def categories(truth):
    """{zipcode: set of category names} of the corpus's business file (next to truth.json)."""
    zip_of = {b["business_id"]: b["postal_code"] for b in truth["businesses"]}
    out = defaultdict(set)
    path = pathlib.Path(_env("YS_TRUTH")).with_name("business.jsonl.gz")
    with gzip.open(path, "rt", encoding="utf-8") as f:
        for line in f:
            b = json.loads(line)
            zipcode = zip_of.get(b["business_id"])
            for c in (b.get("categories") or "").split(","):
                if zipcode and c.strip():
                    out[zipcode].add(c.strip())
    return out


def search(base_url, **params):
    """The service's JSON answer to /search with these parameters (must be a 200)."""
    r = requests.get(f"{base_url}/search", params=params, timeout=10)
    assert r.status_code == 200, (params, r.status_code, r.text)
    return r.json()


@pytest.fixture(scope="session")
def typo_case(base_url, planted):
    """(zipcode, dish, typo): a planted dish of one word of 5+ letters with a letter left
    out, which the service corrects back to the dish."""
    for zipcode, dish, _ in planted:
        if len(dish) < 5:
            continue
        typo = dish[:2] + dish[3:]
        it = search(base_url, q=f"{zipcode} {typo}")["interpretation"]
        if it["corrections"] == [{"from": typo, "to": dish}]:
            return zipcode, dish, typo
    pytest.fail("no planted dish whose typo the service corrects")


@pytest.fixture(scope="session")
def nearby_case(base_url, truth):
    """(zipcode, dish, answer): a search of the zipcode, related places left out, whose
    results end with places of a nearby zipcode (the corpus has neighbouring zipcodes
    from about 1,900 businesses on: 61820 and 61801, 19103 and 19107)."""
    served = defaultdict(set)
    for b in truth["businesses"]:
        for dish in b["quality"]:
            served[b["postal_code"]].add(dish)
    for zipcode in ("61801", "19107", "61820", "19103"):
        for dish in sorted(served.get(zipcode, ())):
            body = search(base_url, q=f"{zipcode} {dish}", related="false", limit=10)
            if any("distance_km" in h for h in body["results"]):
                return zipcode, dish, body
    pytest.fail("no search with places of a nearby zipcode: is E2E_BUSINESSES below 1,900?")


@pytest.fixture(scope="session")
def artifacts():
    d = ROOT / "artifacts"
    d.mkdir(exist_ok=True)
    return d
