r"""The Flask example's API built directly on the ``tantivy`` PyPI binding.

This is the baseline of the benchmark comparison: what a Python developer would write
without yelpsearch. One tantivy document per review (zipcode as a raw term, text
stemmed), a search for the need within the zipcode, and the per-business aggregation
in Python: a business's score is the sum of its three best review scores (BM25), as in
yelpsearch's ``bm25`` mode, with up to three highlighted snippets. No sentiment, no
learned ranking.

It builds its own tantivy index from the Yelp files when the index is absent::

    pip install tantivy flask
    YELP_DATA=demo-data TANTIVY_INDEX=demo-data/tantivy-index \\
        flask --app examples/flask_tantivy_app run

``YELP_DATA`` holds ``business.jsonl.gz`` and ``review.jsonl.gz`` (or set
``YELP_BUSINESS`` and ``YELP_REVIEWS`` to the files). It answers ``/search``,
``/health`` and ``/ready`` with the same JSON bodies as the yelpsearch blueprint.
"""

from __future__ import annotations

import gzip
import html
import io
import json
import os
import re
import sys
import time
from collections.abc import Iterator
from typing import Any, Optional

import tantivy
from flask import Flask, Response, jsonify, request

DATA = os.environ.get("YELP_DATA", "demo-data")
BUSINESS = os.environ.get("YELP_BUSINESS", os.path.join(DATA, "business.jsonl.gz"))
REVIEWS = os.environ.get("YELP_REVIEWS", os.path.join(DATA, "review.jsonl.gz"))
INDEX_DIR = os.environ.get("TANTIVY_INDEX", os.path.join(DATA, "tantivy-index"))

MAX_QUERY_CHARS = 256
MAX_LIMIT = 100
#: Most matching reviews fetched per search before aggregating by business.
MAX_REVIEWS = 1000

ZIP_RE = re.compile(r"(?:[0-9]{5}|[A-Za-z][0-9][A-Za-z] ?[0-9][A-Za-z][0-9])", re.ASCII)
CA_HALF = re.compile(r"[A-Za-z][0-9][A-Za-z]|[0-9][A-Za-z][0-9]", re.ASCII)
WORD_RE = re.compile(r"\w+", re.UNICODE)


def open_lines(path: str) -> Iterator[str]:
    """Yield the lines of a JSON-lines file, gzipped or not."""
    raw = open(path, "rb")
    head = raw.read(2)
    raw.seek(0)
    stream = gzip.GzipFile(fileobj=raw) if head == b"\x1f\x8b" else raw
    with io.TextIOWrapper(stream, encoding="utf-8") as f:
        yield from f


def normalize_zip(z: str) -> str:
    """Normalise a zipcode: 5 digits, or a Canadian code in upper case with its space."""
    z = z.replace(" ", "").upper()
    return z if len(z) == 5 else f"{z[:3]} {z[3:]}"


def load_businesses(path: str) -> dict[str, dict[str, Any]]:
    """Read the business file into a dict by business_id."""
    out: dict[str, dict[str, Any]] = {}
    for line in open_lines(path):
        try:
            b = json.loads(line)
            pc = str(b.get("postal_code") or "")
            out[b["business_id"]] = {
                "business_id": b["business_id"],
                "name": b.get("name") or "",
                "address": b.get("address") or "",
                "city": b.get("city") or "",
                "state": b.get("state") or "",
                "postal_code": normalize_zip(pc) if ZIP_RE.fullmatch(pc) else pc,
                "stars": float(b.get("stars") or 0.0),
                "review_count": int(b.get("review_count") or 0),
            }
        except (ValueError, KeyError, TypeError):
            continue
    return out


def schema() -> tantivy.Schema:
    """The tantivy schema: one document per review."""
    sb = tantivy.SchemaBuilder()
    sb.add_text_field("review_id", stored=True, tokenizer_name="raw", index_option="basic")
    sb.add_text_field("business_id", stored=True, tokenizer_name="raw", index_option="basic")
    sb.add_text_field("zip", stored=False, tokenizer_name="raw", index_option="basic")
    sb.add_text_field("text", stored=True, tokenizer_name="en_stem")
    sb.add_float_field("stars", stored=True)
    sb.add_text_field("date", stored=True, tokenizer_name="raw", index_option="basic")
    return sb.build()


def build(businesses: dict[str, dict[str, Any]]) -> tantivy.Index:
    """Build the tantivy index from the review file."""
    os.makedirs(INDEX_DIR, exist_ok=True)
    index = tantivy.Index(schema(), path=INDEX_DIR)
    writer = index.writer(heap_size=512_000_000)
    t0, n = time.monotonic(), 0
    for line in open_lines(REVIEWS):
        try:
            r = json.loads(line)
            biz = businesses.get(r["business_id"])
            if biz is None or not r.get("text"):
                continue
            writer.add_document(
                tantivy.Document(
                    review_id=r["review_id"],
                    business_id=r["business_id"],
                    zip=biz["postal_code"],
                    text=r["text"],
                    stars=float(r.get("stars") or 0.0),
                    date=str(r.get("date") or "")[:10],
                )
            )
            n += 1
        except (ValueError, KeyError, TypeError):
            continue
    writer.commit()
    writer.wait_merging_threads()
    print(f"tantivy index: {n} reviews in {time.monotonic() - t0:.1f}s", file=sys.stderr)
    index.reload()
    return index


def open_or_build() -> tuple[tantivy.Index, dict[str, dict[str, Any]]]:
    """Open the tantivy index, building it first when absent."""
    businesses = load_businesses(BUSINESS)
    if os.path.isdir(INDEX_DIR) and tantivy.Index.exists(INDEX_DIR):
        return tantivy.Index.open(INDEX_DIR), businesses
    return build(businesses), businesses


INDEX, BUSINESSES = open_or_build()
ZIPS = {b["postal_code"] for b in BUSINESSES.values()}
SCHEMA = INDEX.schema


def parse(q: str, zip_param: Optional[str]) -> tuple[Optional[str], list[str]]:
    """Split a query into its zipcode and its words ("61820 pasta", "pasta near 61820")."""
    words = q.split()
    found: Optional[str] = None
    kept: list[str] = []
    i = 0
    while i < len(words):
        w = words[i]
        pair = w + words[i + 1] if i + 1 < len(words) else ""
        if found is None and len(w) == 3 and CA_HALF.fullmatch(w) and ZIP_RE.fullmatch(pair):
            found, i = normalize_zip(pair), i + 2
        elif found is None and ZIP_RE.fullmatch(w):
            found, i = normalize_zip(w), i + 1
        else:
            kept.append(w)
            i += 1
            continue
        if kept and kept[-1].lower() in ("in", "near", "around", "at"):
            kept.pop()
    if zip_param:
        found = normalize_zip(zip_param)
    return found, kept


def error(status: int, code: str, message: str) -> Response:
    """A JSON error body of the API."""
    resp = jsonify({"error": {"code": code, "message": message}})
    resp.status_code = status
    return resp


app = Flask(__name__)


@app.get("/search")
def search() -> Response:
    """Search the zipcode's reviews and aggregate the hits by business in Python."""
    t0 = time.perf_counter()
    q = request.args.get("q")
    if q is None:
        return error(400, "missing_query", "add what to look for, e.g. q=61820+pasta")
    if not q or len(q) > MAX_QUERY_CHARS:
        return error(400, "invalid_query", f"q must have 1 to {MAX_QUERY_CHARS} characters")
    zip_param = request.args.get("zip")
    if zip_param is not None and not ZIP_RE.fullmatch(zip_param):
        return error(400, "invalid_zip", f"{zip_param!r} is not a zipcode")
    raw_limit = request.args.get("limit", "10")
    if not raw_limit.isascii() or not raw_limit.isdigit() or not 1 <= int(raw_limit) <= MAX_LIMIT:
        return error(400, "invalid_limit", f"limit must be an integer from 1 to {MAX_LIMIT}")
    limit = int(raw_limit)
    zip_code, words = parse(q, zip_param)
    if zip_code is None:
        return error(400, "missing_zip", 'add a zipcode, e.g. "61820 pasta"')
    terms = [w for w in WORD_RE.findall(" ".join(words).lower())]
    if not terms:
        return error(400, "no_terms", f"what should the places in {zip_code} be good at?")
    if zip_code not in ZIPS:
        return error(404, "unknown_zip", f"we have no places in zipcode {zip_code}")
    need = INDEX.parse_query(" ".join(terms), ["text"], conjunction_by_default=True)
    query = tantivy.Query.boolean_query(
        [
            (tantivy.Occur.Must, tantivy.Query.term_query(SCHEMA, "zip", zip_code)),
            (tantivy.Occur.Must, need),
        ]
    )
    searcher = INDEX.searcher()
    found = searcher.search(query, limit=MAX_REVIEWS)
    per_biz: dict[str, list[tuple[float, Any]]] = {}
    for score, addr in found.hits:
        doc = searcher.doc(addr)
        per_biz.setdefault(str(doc.get_first("business_id")), []).append((score, doc))
    ranked = sorted(per_biz.items(), key=lambda kv: (-sum(s for s, _ in kv[1][:3]), kv[0]))[:limit]
    snippets = tantivy.SnippetGenerator.create(searcher, need, SCHEMA, "text")
    snippets.set_max_num_chars(200)
    results = []
    for biz_id, docs in ranked:
        biz = BUSINESSES.get(biz_id)
        if biz is None:
            continue
        shown = []
        for _, doc in docs[:3]:
            frag = snippets.snippet_from_doc(doc)
            text = frag.fragment()
            marked, last = [], 0
            for r in frag.highlighted():
                marked += [html.escape(text[last : r.start]), "<mark>"]
                marked += [html.escape(text[r.start : r.end]), "</mark>"]
                last = r.end
            marked.append(html.escape(text[last:]))
            shown.append(
                {
                    "review_id": doc.get_first("review_id"),
                    "stars": doc.get_first("stars"),
                    "date": doc.get_first("date"),
                    "text": "".join(marked) or html.escape(doc.get_first("text")[:200]),
                }
            )
        results.append(
            {
                **biz,
                "score": sum(s for s, _ in docs[:3]),
                "matches": len(docs),
                "matched": ["reviews"],
                "sentiment": None,
                "snippets": shown,
            }
        )
    body = {
        "zip": zip_code,
        "query": " ".join(words),
        "took_ms": (time.perf_counter() - t0) * 1e3,
        "results": results,
        # The words are searched as typed: no corrections, categories, names, price,
        # amenities or nearby zipcodes.
        "interpretation": {
            "need": terms,
            "corrections": [],
            "optional": [],
            "categories": [],
            "price": None,
            "amenities": [],
            "open_now": False,
            "name": None,
            "nearby": [],
            "literal": True,
        },
    }
    return jsonify(body)


@app.get("/health")
def health() -> Response:
    """Liveness."""
    return jsonify({"status": "ok"})


@app.get("/ready")
def ready() -> Response:
    """Readiness: the tantivy index is open."""
    return jsonify(
        {
            "status": "ready",
            "index_version": "tantivy",
            "documents": INDEX.searcher().num_docs,
            "model": "bm25",
        }
    )
