"""yelpsearch: review-powered local search over Yelp data.

Ask for a need in a zipcode and get the businesses whose reviewers praise it, best
first, with the review sentences that prove it::

    import yelpsearch

    index = yelpsearch.Index("demo-data/index")
    for hit in index.search("61820 vegan"):
        # A related place (a kind of place reviewers mention it at) has no snippets.
        quote = hit.snippets[0].text if hit.snippets else "(related)"
        print(hit.name, hit.matches, quote)

Queries are read as people type them: ``"cheap piza near 61820"`` searches pizza
(corrected) at places in the ``$`` range first. ``index.search_response(...)`` says how
the query was understood (``.interpretation``, typed as :class:`Interpretation`); each
hit says what of it matched (``hit.matched``: reviews, category, name) and, for a place
of a nearby zipcode, how far it is (``hit.distance_km``). ``literal=True`` searches the
words as typed; ``nearby=False`` keeps to the zipcode's own places.

The work is done by the Rust library (``yelpsearch._native``) with the GIL released,
so one :class:`Index` serves many threads at once. :mod:`yelpsearch.flask` turns an
index into a Flask blueprint serving the same HTTP API as the Rust service, kept open
and current by an :class:`IndexHolder` as the service's is.
"""

from __future__ import annotations

import json
import sys
from typing import Any, Optional

from ._native import (
    MAX_LIMIT,
    MAX_QUERY_CHARS,
    OPENAPI_JSON,
    Cancelled,
    DataError,
    Error,
    Hit,
    Index,
    IndexCorrupt,
    IndexHolder,
    IndexNotFound,
    LockedError,
    ModelError,
    QueryError,
    SearchResponse,
    Sentiment,
    Snippet,
    UnknownZipError,
    Watcher,
    __version__,
    build_index,
    generate_corpus,
    train_model,
    update_index,
)
from .types import Correction, Interpretation, NearbyZip

__all__ = [
    "MAX_LIMIT",
    "MAX_QUERY_CHARS",
    "OPENAPI_JSON",
    "Cancelled",
    "Correction",
    "DataError",
    "Error",
    "Hit",
    "Index",
    "IndexCorrupt",
    "IndexHolder",
    "IndexNotFound",
    "Interpretation",
    "LockedError",
    "ModelError",
    "NearbyZip",
    "QueryError",
    "SearchResponse",
    "Sentiment",
    "Snippet",
    "UnknownZipError",
    "Watcher",
    "__version__",
    "build_index",
    "generate_corpus",
    "openapi",
    "print_progress",
    "train_model",
    "update_index",
]


def openapi() -> dict[str, Any]:
    """Return the OpenAPI document of the HTTP API (shared with the Rust service)."""
    doc: dict[str, Any] = json.loads(OPENAPI_JSON)
    return doc


def print_progress(stage: str, done: int, total: Optional[int]) -> None:
    """Progress callback for :func:`build_index` and :func:`update_index`.

    Writes one updating line per stage to standard error on a terminal (the default
    there), and plain lines elsewhere; the library calls it at most twice a second per
    stage, besides each stage's start and end. E.g.
    ``build_index(..., progress=yelpsearch.print_progress)``.
    """
    if total:
        line = f"{stage}: {done:,}/{total:,} ({100.0 * done / total:.0f}%)"
    else:
        line = f"{stage}: {done:,}" if done else f"{stage}..."
    if sys.stderr.isatty():
        end = "\n" if total is not None and done >= total else ""
        sys.stderr.write(f"\r\x1b[K{line}{end}")
    else:
        sys.stderr.write(f"{line}\n")
    sys.stderr.flush()
