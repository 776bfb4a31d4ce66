"""The peer comparison's --repeat: how a system's interleaved runs become one table row."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

RUN_PY = Path(__file__).resolve().parents[2] / "benches" / "peers" / "run.py"


@pytest.fixture(scope="module")
def peers():
    spec = importlib.util.spec_from_file_location("peers_run", RUN_PY)
    assert spec and spec.loader
    mod = importlib.util.module_from_spec(spec)
    sys.modules["peers_run"] = mod
    spec.loader.exec_module(mod)
    return mod


def run(build_s, rss, p50s, ndcg=0.7455, qps=10_000.0):
    """A driver result with one build and the given p50 per variant."""
    return {
        "system": "yelpsearch_cli",
        "build_s": build_s,
        "reviews_per_s": 640_000 / build_s,
        "peak_rss_kb": rss,
        "variants": {
            name: {
                "p50_ms": p50,
                "p95_ms": p50 * 2,
                "p99_ms": p50 * 5,
                "qps": qps,
                "scores": {"NDCG@10": ndcg},
                "run": f"/tmp/{name}.tsv",
            }
            for name, p50 in p50s.items()
        },
    }


def test_one_run_is_its_own_row(peers):
    r = run(10.0, 400_000, {"model": 0.06})
    assert peers.combine([r]) is r


def test_the_median_build_gives_the_build_figures_and_each_latency_is_a_median(peers):
    runs = [
        run(14.9, 411_000, {"model": 0.102, "bm25": 0.087}, qps=6_000.0),
        run(10.1, 402_000, {"model": 0.058, "bm25": 0.053}, qps=11_000.0),
        run(9.6, 399_000, {"model": 0.061, "bm25": 0.051}, qps=12_000.0),
    ]
    row = peers.combine(runs)
    # The build figures all come from the middle build (10.1 s), not mixed across runs.
    assert row["build_s"] == 10.1
    assert row["reviews_per_s"] == 640_000 / 10.1
    assert row["peak_rss_kb"] == 402_000
    # Each latency figure is the median of its own values.
    assert row["variants"]["model"]["p50_ms"] == 0.061
    assert row["variants"]["bm25"]["p50_ms"] == 0.053
    assert row["variants"]["model"]["p99_ms"] == pytest.approx(0.061 * 5)
    assert row["variants"]["model"]["qps"] == 11_000.0
    assert [r["build_s"] for r in row["repeats"]] == [14.9, 10.1, 9.6]
    assert row["repeats"][0]["model_p50_ms"] == 0.102
    assert "notes" not in row
    # The runs themselves are left as they were.
    assert runs[1]["variants"]["model"]["p50_ms"] == 0.058


def test_an_even_count_takes_the_lower_middle_build(peers):
    row = peers.combine([run(12.0, 1, {"m": 0.1}), run(10.0, 2, {"m": 0.2})])
    assert row["build_s"] == 10.0
    assert row["peak_rss_kb"] == 2
    assert row["variants"]["m"]["p50_ms"] == pytest.approx(0.15)


def test_runs_that_score_differently_are_noted(peers):
    row = peers.combine([run(10.0, 1, {"m": 0.1}, ndcg=0.7), run(11.0, 1, {"m": 0.1}, ndcg=0.71)])
    assert any("NDCG@10 differ" in n for n in row["notes"])


def test_a_failed_run_fails_the_row(peers):
    failed = {"system": "yelpsearch_cli", "error": "exit 1"}
    assert peers.combine([run(10.0, 1, {"m": 0.1}), failed]) == failed


def test_the_runs_section_lists_every_run(peers):
    row = peers.combine([run(b, 1, {"model": p}) for b, p in [(14.9, 0.102), (10.1, 0.058)]])
    lines = peers.repeats_section([row])
    text = "\n".join(lines)
    assert "## The 2 runs of each system" in text
    assert "- yelpsearch_cli: 14.9 s (model 0.10 ms); 10.1 s (model 0.058 ms)" in text
    assert peers.repeats_section([run(10.0, 1, {"m": 0.1})]) == []
