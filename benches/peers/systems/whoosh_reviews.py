"""whoosh-reloaded: one document per review, StemmingAnalyzer text, ID postal_code filter.

The writer runs 2 processes (ix.writer(procs=2), whoosh's default 128 MB each); queries go
through QueryParser on the text field (words ANDed, whoosh's default) with
filter=Term("postal_code", zip), BM25F (whoosh's default), the top 1,000 review hits
aggregated to businesses in Python (max or top3, as tantivy_reviews).
"""

from __future__ import annotations

from pathlib import Path

from whoosh import index
from whoosh.analysis import StemmingAnalyzer
from whoosh.fields import ID, TEXT, Schema
from whoosh.qparser import QueryParser
from whoosh.query import Term

from common import REVIEW_HITS, aggregate, business_zips, reviews

VARIANTS = ("max", "top3")
_state: dict = {}


def build(data_dir: Path, out_dir: Path) -> dict:
    """Read the index set under data_dir and build this system (timed by driver.py)."""
    zips = business_zips(data_dir)
    schema = Schema(
        text=TEXT(analyzer=StemmingAnalyzer()), postal_code=ID, business_id=ID(stored=True)
    )
    path = Path(out_dir) / "whoosh"
    path.mkdir(parents=True, exist_ok=True)
    ix = index.create_in(str(path), schema)
    writer = ix.writer(procs=2)
    n = 0
    for r in reviews(data_dir):
        bid = r["business_id"]
        writer.add_document(text=r["text"], postal_code=zips.get(bid, ""), business_id=bid)
        n += 1
    writer.commit()
    _state.update(searcher=ix.searcher(), parser=QueryParser("text", ix.schema))
    return {"reviews": n, "index_path": path}


def search(zip_code: str, term: str, k: int, variant: str | None = "max") -> list[str]:
    """At most k business_ids of zip_code for term, best first."""
    q = _state["parser"].parse(term)
    results = _state["searcher"].search(q, filter=Term("postal_code", zip_code), limit=REVIEW_HITS)
    return aggregate(((hit["business_id"], hit.score) for hit in results), variant, k)
