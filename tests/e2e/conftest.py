"""Fixtures of the end-to-end tests: a running `yelpsearch serve` (started by run.sh)
and the truth of the corpus its index was built from.

Environment (set by run.sh):
  YS_BASE_URL  the service, e.g. http://127.0.0.1:41234
  YS_TRUTH     truth.json of the generated corpus
"""

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
def artifacts():
    d = ROOT / "artifacts"
    d.mkdir(exist_ok=True)
    return d
