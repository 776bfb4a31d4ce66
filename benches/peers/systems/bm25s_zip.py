"""bm25s, one model per postal code over business documents.

A business's document is its index-set reviews concatenated; bm25s.tokenize with English
stopwords and PyStemmer's English stemmer; BM25 with bm25s's defaults (Lucene variant,
k1 1.5, b 0.75). search() returns the businesses with a positive score, best first.
"""

from __future__ import annotations

from pathlib import Path

import bm25s
import Stemmer

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
        tokens = bm25s.tokenize(corpus, stopwords="en", stemmer=stemmer, show_progress=False)
        model = bm25s.BM25()
        model.index(tokens, show_progress=False)
        models[z] = (model, bids)
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
    )
    if not tokens[0]:
        return []
    docs, scores = model.retrieve(tokens, k=min(k, len(bids)), show_progress=False)
    return [bids[d] for d, s in zip(docs[0], scores[0]) if s > 0]
