"""tantivy, the official Python binding: one document per review.

en_stem text, the raw postal_code term as a filter (a constant-score-0 MUST clause, so it
does not change the text score), the top 1,000 review hits aggregated to businesses in
Python: the best review's score (max) or the sum of the three best (top3).
"""

from __future__ import annotations

from pathlib import Path

import tantivy

from common import REVIEW_HITS, aggregate, business_zips, reviews

VARIANTS = ("max", "top3")
_state: dict = {}


def build(data_dir: Path, out_dir: Path) -> dict:
    """Read the index set under data_dir and build this system (timed by driver.py)."""
    zips = business_zips(data_dir)
    sb = tantivy.SchemaBuilder()
    sb.add_text_field("text", stored=False, tokenizer_name="en_stem")
    sb.add_text_field("postal_code", stored=False, tokenizer_name="raw", index_option="basic")
    sb.add_text_field("business_id", stored=True, tokenizer_name="raw", index_option="basic")
    schema = sb.build()
    path = Path(out_dir) / "tantivy"
    path.mkdir(parents=True, exist_ok=True)
    index = tantivy.Index(schema, path=str(path))
    writer = index.writer()  # 128 MB heap, one thread per core (the binding's defaults)
    n = 0
    for r in reviews(data_dir):
        bid = r["business_id"]
        writer.add_document(
            tantivy.Document(text=r["text"], postal_code=zips.get(bid, ""), business_id=bid)
        )
        n += 1
    writer.commit()
    writer.wait_merging_threads()
    index.reload()
    _state.update(index=index, schema=schema, searcher=index.searcher())
    return {"reviews": n, "index_path": path}


def search(zip_code: str, term: str, k: int, variant: str | None = "max") -> list[str]:
    """At most k business_ids of zip_code for term, best first."""
    index, schema, searcher = _state["index"], _state["schema"], _state["searcher"]
    text_q = index.parse_query(term, ["text"])
    zip_q = tantivy.Query.const_score_query(
        tantivy.Query.term_query(schema, "postal_code", zip_code), 0.0
    )
    q = tantivy.Query.boolean_query([(tantivy.Occur.Must, text_q), (tantivy.Occur.Must, zip_q)])
    hits = searcher.search(q, limit=REVIEW_HITS).hits
    return aggregate(
        ((searcher.doc(addr)["business_id"][0], score) for score, addr in hits), variant, k
    )
