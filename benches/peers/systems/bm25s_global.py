"""bm25s, one model over all index-set reviews; scores restricted to the postal code.

bm25s.tokenize with English stopwords and PyStemmer; BM25 with bm25s's defaults. A query
scores every review (get_scores), keeps the reviews of the postal code's businesses, takes
their top 1,000 positive scores and aggregates them to businesses (max or top3, as
tantivy_reviews).
"""

from __future__ import annotations

from pathlib import Path

import bm25s
import numpy as np
import Stemmer

from common import REVIEW_HITS, aggregate, business_zips, reviews

VARIANTS = ("max", "top3")
_state: dict = {}


def build(data_dir: Path, out_dir: Path) -> dict:
    """Read the index set under data_dir and build this system (timed by driver.py)."""
    zips = business_zips(data_dir)
    corpus, owner = [], []
    for r in reviews(data_dir):
        corpus.append(r["text"])
        owner.append(r["business_id"])
    stemmer = Stemmer.Stemmer("english")
    tokens = bm25s.tokenize(corpus, stopwords="en", stemmer=stemmer, show_progress=False)
    del corpus
    model = bm25s.BM25()
    model.index(tokens, show_progress=False)
    del tokens
    by_zip: dict[str, list[int]] = {}
    for i, bid in enumerate(owner):
        z = zips.get(bid, "")
        if z:
            by_zip.setdefault(z, []).append(i)
    docs_of_zip = {z: np.asarray(ix, dtype=np.int64) for z, ix in by_zip.items()}
    _state.update(model=model, stemmer=stemmer, owner=owner, docs_of_zip=docs_of_zip)
    return {"reviews": len(owner), "index_path": None}


def search(zip_code: str, term: str, k: int, variant: str | None = "max") -> list[str]:
    """At most k business_ids of zip_code for term, best first."""
    docs = _state["docs_of_zip"].get(zip_code)
    if docs is None:
        return []
    tokens = bm25s.tokenize(
        term, stopwords="en", stemmer=_state["stemmer"], return_ids=False, show_progress=False
    )[0]
    ids = _state["model"].get_tokens_ids(tokens)
    if not ids:
        return []
    scores = _state["model"].get_scores_from_ids(ids)[docs]
    hit = np.flatnonzero(scores > 0)
    if len(hit) > REVIEW_HITS:
        hit = hit[np.argpartition(-scores[hit], REVIEW_HITS - 1)[:REVIEW_HITS]]
    owner = _state["owner"]
    return aggregate(((owner[docs[i]], float(scores[i])) for i in hit), variant, k)
