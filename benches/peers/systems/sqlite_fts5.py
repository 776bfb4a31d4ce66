"""SQLite FTS5 (Python's sqlite3): a reviews table indexed on postal_code and an FTS5 table.

fts5(text, tokenize='porter unicode61') sharing the reviews' rowids, ranked by bm25();
a JOIN on rowid with WHERE postal_code = ?, the top 1,000 review hits aggregated to
businesses in Python (max or top3, as tantivy_reviews). The query's words are quoted so that
punctuation ("gluten-free") is not FTS5 syntax; FTS5 ANDs them.
"""

from __future__ import annotations

import sqlite3
from itertools import islice
from pathlib import Path

from common import REVIEW_HITS, aggregate, business_zips, reviews

VARIANTS = ("max", "top3")
_state: dict = {}

SQL = (
    "SELECT r.business_id, bm25(reviews_fts) AS s FROM reviews_fts"
    " JOIN reviews r ON r.id = reviews_fts.rowid"
    " WHERE reviews_fts MATCH ? AND r.postal_code = ? ORDER BY s LIMIT ?"
)


def build(data_dir: Path, out_dir: Path) -> dict:
    """Read the index set under data_dir and build this system (timed by driver.py)."""
    if not _has_fts5():
        raise RuntimeError("this Python's SQLite has no FTS5")
    zips = business_zips(data_dir)
    path = Path(out_dir) / "reviews.sqlite"
    path.unlink(missing_ok=True)
    con = sqlite3.connect(path)
    con.execute("CREATE TABLE reviews(id INTEGER PRIMARY KEY, business_id TEXT, postal_code TEXT)")
    con.execute("CREATE VIRTUAL TABLE reviews_fts USING fts5(text, tokenize='porter unicode61')")
    n = 0
    it = iter(reviews(data_dir))
    with con:  # one transaction
        while batch := list(islice(it, 10_000)):
            rows = [
                (n + i, r["business_id"], zips.get(r["business_id"], ""))
                for i, r in enumerate(batch)
            ]
            con.executemany("INSERT INTO reviews VALUES (?, ?, ?)", rows)
            con.executemany(
                "INSERT INTO reviews_fts(rowid, text) VALUES (?, ?)",
                ((n + i, r["text"]) for i, r in enumerate(batch)),
            )
            n += len(batch)
        con.execute("CREATE INDEX reviews_postal_code ON reviews(postal_code)")
    _state["con"] = con
    return {"reviews": n, "index_path": path}


def _has_fts5() -> bool:
    try:
        sqlite3.connect(":memory:").execute("CREATE VIRTUAL TABLE t USING fts5(x)")
        return True
    except sqlite3.OperationalError:
        return False


def fts_query(term: str) -> str:
    """Each word of the term as a quoted FTS5 string (ANDed)."""
    return " ".join('"' + w.replace('"', '""') + '"' for w in term.split())


def search(zip_code: str, term: str, k: int, variant: str | None = "max") -> list[str]:
    """At most k business_ids of zip_code for term, best first."""
    rows = _state["con"].execute(SQL, (fts_query(term), zip_code, REVIEW_HITS)).fetchall()
    return aggregate(((bid, -s) for bid, s in rows), variant, k)  # bm25() is lower-is-better
