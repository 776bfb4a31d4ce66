"""rank_bm25, one BM25Okapi per postal code over business documents.

Business documents and tokens as bm25s_zip (reviews concatenated; bm25s.tokenize with English
stopwords and PyStemmer), BM25Okapi's defaults; search() scores every business of the postal
code and returns those with a positive score, best first.
"""

from __future__ import annotations

from pathlib import Path

import bm25s
import numpy as np
import Stemmer
from rank_bm25 import BM25Okapi

from common import business_documents

VARIANTS = ("bm25",)
_state: dict = {}


def build(data_dir: Path, out_dir: Path) -> dict:
    """Read the index set under data_dir and build this system (timed by driver.py)."""
    n, texts, by_zip = business_documents(data_dir)
    stemmer = Stemmer.Stemmer("english")
    models = {}
    for z, bids in by_zip.items():
        corpus = ["\n".join(texts[b]) for b in bids]
        tokens = bm25s.tokenize(
            corpus, stopwords="en", stemmer=stemmer, return_ids=False, show_progress=False
        )
        models[z] = (BM25Okapi(tokens), bids)
    _state.update(models=models, stemmer=stemmer)
    return {"reviews": n, "index_path": None}


def search(zip_code: str, term: str, k: int, variant: str | None = None) -> list[str]:
    """At most k business_ids of zip_code for term, best first."""
    entry = _state["models"].get(zip_code)
    if entry is None:
        return []
    model, bids = entry
    tokens = bm25s.tokenize(
        term, stopwords="en", stemmer=_state["stemmer"], return_ids=False, show_progress=False
    )[0]
    if not tokens:
        return []
    scores = model.get_scores(tokens)
    top = np.argsort(-scores, kind="stable")[:k]
    return [bids[i] for i in top if scores[i] > 0]
