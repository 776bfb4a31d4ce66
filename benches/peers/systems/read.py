"""The floor: read both files with json.loads in Python; no analysis, no index."""

from __future__ import annotations

from pathlib import Path

from common import business_file, json_lines, reviews

VARIANTS: tuple[str, ...] = ()


def build(data_dir: Path, out_dir: Path) -> dict:
    """Read the index set under data_dir and build this system (timed by driver.py)."""
    n_biz = sum(1 for _ in json_lines(business_file(data_dir)))
    n = sum(1 for _ in reviews(data_dir))
    return {"reviews": n, "businesses": n_biz, "index_path": None}


def search(zip_code: str, term: str, k: int, variant: str | None = None) -> list[str]:
    """At most k business_ids of zip_code for term, best first."""
    raise NotImplementedError("read does not search")
