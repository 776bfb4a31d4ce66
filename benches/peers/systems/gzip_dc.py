"""Decompression only: `gzip -dc FILE > /dev/null`, a lower bound under every build.

Both files, one after the other, timed with /usr/bin/time (no parsing, no analysis, no index).
"""

from __future__ import annotations

from pathlib import Path

from common import business_file, review_file, timed_run


def bench(data_dir: Path, out_dir: Path, queries: list) -> dict:
    """Decompress both files to /dev/null (timed); the result dictionary for driver.py."""
    runs = [
        timed_run(["gzip", "-dc", f(data_dir)], "/dev/null") for f in (business_file, review_file)
    ]
    return {
        "build_s": sum(r["wall_s"] for r in runs),
        "peak_rss_kb": max(r["maxrss_kb"] or 0 for r in runs),
        "index_bytes": None,
        "variants": {},
    }
