"""Python searches give exactly the Rust command line's `--json` results."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

import yelpsearch
from conftest import run_cli


def cli_json(cli: Path, index_dir: Path, *args: str) -> dict[str, Any]:
    proc = run_cli(cli, "search", "--index", index_dir, "--json", *args)
    assert proc.returncode == 0, proc.stderr
    out: dict[str, Any] = json.loads(proc.stdout)
    return out


def without_time(d: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in d.items() if k != "took_ms"}


@pytest.mark.parametrize("limit", [10, 3, 50])
def test_search_equals_cli_json(
    cli: Path, index: yelpsearch.Index, index_dir: Path, queries: list[str], limit: int
) -> None:
    for q in queries:
        expected = cli_json(cli, index_dir, "--limit", str(limit), "--", *q.split(" "))
        got = index.search_response(q, limit=limit).to_dict()
        assert without_time(got) == without_time(expected), q
        assert [h.to_dict() for h in index.search(q, limit=limit)] == expected["results"]


def test_zip_bm25_and_explain_equal_cli_json(
    cli: Path, index: yelpsearch.Index, index_dir: Path, queries: list[str]
) -> None:
    z, need = queries[1].split(" ", 1)
    expected = cli_json(cli, index_dir, "--zip", z, need)
    assert without_time(index.search_response(need, zip=z).to_dict()) == without_time(expected)
    expected = cli_json(cli, index_dir, "--bm25", queries[1])
    assert without_time(index.search_response(queries[1], mode="bm25").to_dict()) == without_time(
        expected
    )
    expected = cli_json(cli, index_dir, "--explain", queries[2])
    got = index.search_response(queries[2], explain=True).to_dict()
    assert without_time(got) == without_time(expected)


def test_literal_and_no_nearby_equal_cli_json(
    cli: Path,
    index: yelpsearch.Index,
    index_dir: Path,
    wide_index: yelpsearch.Index,
    wide_index_dir: Path,
    queries: list[str],
    nearby_query: str,
) -> None:
    z, need = queries[0].split(" ", 1)
    typo = f"{z} {need[:2] + need[3:]}"
    for args, kw in [([], {}), (["--literal"], {"literal": True})]:
        expected = cli_json(cli, index_dir, *args, typo)
        got = index.search_response(typo, **kw).to_dict()
        assert without_time(got) == without_time(expected), args
        assert expected["interpretation"]["literal"] is bool(kw)
    for args, kw in [
        (["--matches-only"], {"related": False}),
        (["--matches-only", "--no-nearby"], {"related": False, "nearby": False}),
    ]:
        expected = cli_json(cli, wide_index_dir, "--limit", "30", *args, nearby_query)
        got = wide_index.search_response(nearby_query, limit=30, **kw).to_dict()
        assert without_time(got) == without_time(expected), args
        has_nearby = any("distance_km" in h for h in expected["results"])
        assert has_nearby is ("--no-nearby" not in args), args


def test_errors_match_cli(cli: Path, index: yelpsearch.Index, index_dir: Path) -> None:
    for args, exc in [
        (["pasta"], yelpsearch.QueryError),
        (["99999", "pasta"], yelpsearch.UnknownZipError),
    ]:
        proc = run_cli(cli, "search", "--index", index_dir, "--json", *args)
        assert proc.returncode != 0
        with pytest.raises(exc) as info:
            index.search(" ".join(args))
        assert str(info.value) in proc.stderr
