"""The page exported for a static host (`yelpsearch export-page`), in headless
Chromium: served from one loopback origin, it calls the API at another origin
(`yelpsearch serve` with YELPSEARCH_CORS_ORIGINS set to the page's origin) and shows
the results; its Content-Security-Policy lets it call that API's origin and no other.

Environment (set by run.sh): YS_BIN, the yelpsearch binary; YS_INDEX, the index the
suite's service serves."""

import functools
import http.server
import os
import re
import socket
import subprocess
import threading
from urllib.parse import quote_plus

import pytest
from playwright.sync_api import expect
from test_page import best_case, browser, page  # noqa: F401 - fixtures


def _env(name):
    value = os.environ.get(name)
    if not value:
        pytest.fail(f"{name} is not set: run tests/e2e/run.sh")
    return value


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def site(tmp_path):
    """The exported page on its own origin, calling its own API server (CORS set)."""
    binary, index = _env("YS_BIN"), _env("YS_INDEX")
    site_port = _free_port()
    origin = f"http://127.0.0.1:{site_port}"
    env = {k: v for k, v in os.environ.items() if not k.startswith("YELPSEARCH_")}
    env["YELPSEARCH_CORS_ORIGINS"] = origin
    api = subprocess.Popen(
        [binary, "serve", "--index", index, "--addr", "127.0.0.1:0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        env=env,
        text=True,
    )
    try:
        line = api.stdout.readline()
        m = re.match(r"yelpsearch listening on (http://\S+)", line)
        assert m, f"unexpected first line {line!r}"
        api_base = m.group(1)
        out = tmp_path / "site"
        subprocess.run(
            [binary, "export-page", "--api", api_base, "--out", str(out)],
            check=True,
            capture_output=True,
        )
        handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(out))
        httpd = http.server.ThreadingHTTPServer(("127.0.0.1", site_port), handler)
        t = threading.Thread(target=httpd.serve_forever, daemon=True)
        t.start()
        import requests

        for _ in range(300):  # the API opens its index in the background
            if requests.get(f"{api_base}/ready", timeout=2).status_code == 200:
                break
            threading.Event().wait(0.1)
        yield {"origin": origin, "api": api_base, "dir": out}
        httpd.shutdown()
        httpd.server_close()
    finally:
        api.kill()
        api.wait()


def test_exported_page_calls_the_api_at_another_origin(page, site, base_url, planted, artifacts):  # noqa: F811
    html = (site["dir"] / "index.html").read_text()
    assert f'<meta name="yelpsearch-api" content="{site["api"]}">' in html
    query, best_name = best_case(base_url, planted)
    page.goto(f"{site['origin']}/index.html?q={quote_plus(query)}")
    expect(page.locator("body")).to_have_attribute("data-state", "results")
    names = page.locator("#results li.result .name").all_inner_texts()
    assert best_name in names[:3], names[:5]
    page.screenshot(path=str(artifacts / "e2e-export-page.png"), full_page=True)
    assert not page.problems, page.problems  # no CSP violation, no CORS error


def test_exported_page_calls_no_other_origin(page, site, base_url, planted):  # noqa: F811
    # ?api= pointing elsewhere (the suite's own service): the policy blocks it.
    query, _ = best_case(base_url, planted)
    page.goto(f"{site['origin']}/index.html?q={quote_plus(query)}&api={quote_plus(base_url)}")
    expect(page.locator("body")).to_have_attribute("data-state", "error")
    assert any("Content Security Policy" in p for p in page.problems), page.problems
