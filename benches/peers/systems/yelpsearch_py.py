"""yelpsearch through its Python API (the package built from this repository).

build_index() with its defaults (one indexing thread per core, the ranker trained on the
index set), then Index.search(term, zip=..., limit=k, snippets=0): the learned ranker
("model", the default) or BM25 only ("bm25"). snippets=0 because the peers return business
ids only (as `yelpsearch eval run` does).
"""

from __future__ import annotations

from pathlib import Path

import yelpsearch
from common import business_file, review_file

VARIANTS = ("model", "bm25")
_state: dict = {}


def build(data_dir: Path, out_dir: Path) -> dict:
    """Read the index set under data_dir and build this system (timed by driver.py)."""
    path = Path(out_dir) / "index"
    report = yelpsearch.build_index(business_file(data_dir), review_file(data_dir), path)
    _state["index"] = yelpsearch.Index(path)
    brief = {k: v for k, v in report.items() if k not in ("businesses", "reviews")}
    return {"reviews": int(report["indexed"]), "index_path": path, "report": brief}


def search(zip_code: str, term: str, k: int, variant: str | None = "model") -> list[str]:
    """At most k business_ids of zip_code for term, best first."""
    try:
        hits = _state["index"].search(term, zip=zip_code, limit=k, snippets=0, mode=variant)
    except yelpsearch.QueryError:  # UnknownZipError included: no business there
        return []
    return [h.business_id for h in hits]
