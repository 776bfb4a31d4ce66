"""Many threads search one Index while another thread swaps in a new version."""

from __future__ import annotations

import sys
import threading
import time
from pathlib import Path
from typing import Any

import yelpsearch


def answers(index: yelpsearch.Index, queries: list[str]) -> dict[str, list[tuple[str, float]]]:
    return {q: [(h.business_id, h.score) for h in index.search(q)] for q in queries}


def test_searches_during_reload(
    index_copy: Path, corpus: dict[str, Any], queries: list[str]
) -> None:
    idx = yelpsearch.Index(index_copy)
    old_version = idx.version
    old = answers(idx, queries)
    # A second, different version in the same directory: reviews before a cutoff only.
    newest = idx.stats()["newest_review"]
    cutoff = f"{int(newest[:4]) - 2}{newest[4:]}"
    yelpsearch.build_index(corpus["business_path"], corpus["review_path"], index_copy, until=cutoff)
    assert idx.version == old_version, "an open index moves only on reload()"
    assert answers(idx, queries) == old

    stop = threading.Event()
    errors: list[BaseException] = []
    seen: list[tuple[str, list[tuple[str, float]]]] = []
    lock = threading.Lock()

    def searcher(offset: int) -> None:
        i = offset
        local: list[tuple[str, list[tuple[str, float]]]] = []
        try:
            while not stop.is_set():
                q = queries[i % len(queries)]
                local.append((q, [(h.business_id, h.score) for h in idx.search(q)]))
                i += 1
        except BaseException as e:  # noqa: BLE001 - reported by the test
            errors.append(e)
        with lock:
            seen.extend(local)

    threads = [threading.Thread(target=searcher, args=(k,)) for k in range(8)]
    for t in threads:
        t.start()
    time.sleep(0.3)
    assert idx.reload() is True
    new_version = idx.version
    time.sleep(0.3)
    stop.set()
    for t in threads:
        t.join(30)
    assert not errors, errors
    assert new_version != old_version
    new = answers(idx, queries)
    assert new != old, "the cutoff should change some answers"
    assert len(seen) > 8 * len(queries)
    for q, got in seen:
        assert got in (old[q], new[q]), q
    assert idx.reload() is False


def test_gil_is_released_during_searches(index: yelpsearch.Index, queries: list[str]) -> None:
    """Python code runs in another thread while a search is inside Rust.

    A busy Python thread records timestamps; with a long switch interval it gives the
    GIL up only when forced to (every 0.1 s) or when the searching thread releases it.
    If searches held the GIL, a timestamp could fall inside a search call only when a
    forced switch lands in the microseconds between reading the clock and entering
    Rust; released, the busy thread runs during most calls. Searches go on until ten
    calls have seen the busy thread run (or a minute has passed), so a loaded machine
    that schedules the busy thread late only makes the test longer, never red.
    (Throughput: tests/python/bench_gil.py.)
    """
    q = max(queries, key=lambda q: len(index.search(q, limit=1000)))
    stamps: list[float] = []
    done = threading.Event()

    def busy() -> None:
        while not done.is_set():
            stamps.append(time.perf_counter())

    old = sys.getswitchinterval()
    sys.setswitchinterval(0.1)
    t = threading.Thread(target=busy)
    t.start()
    calls, overlapped, deadline = 0, 0, time.monotonic() + 60
    try:
        while overlapped < 10 and time.monotonic() < deadline:
            seen = len(stamps)
            t0 = time.perf_counter()
            index.search(q, limit=1000)
            t1 = time.perf_counter()
            calls += 1
            overlapped += any(t0 < s < t1 for s in stamps[seen:])
    finally:
        done.set()
        t.join()
        sys.setswitchinterval(old)
    assert overlapped >= 10, f"Python ran during only {overlapped} of {calls} searches"
