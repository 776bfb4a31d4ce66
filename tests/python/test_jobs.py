"""Build, update, train and generate: reports, progress and cancellation."""

from __future__ import annotations

import datetime
import gzip
import json
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

import yelpsearch


def test_build_report_and_progress(build_calls: dict[str, Any]) -> None:
    report = build_calls["report"]
    assert report["version"] and report["indexed"] > 0
    assert report["reviews"]["accepted"] == report["indexed"]
    calls = build_calls["progress"]
    stages = list(dict.fromkeys(c[0] for c in calls))
    assert stages == ["read", "train text model", "index", "train ranker"], calls
    for stage, done, total in calls:
        assert isinstance(stage, str) and isinstance(done, int)
        assert total is None or (isinstance(total, int) and done <= total)
    # Each stage is reported from its start to its end (reading had no end).
    for stage in ("read", "train text model", "index"):
        ends = [(d, t) for s, d, t in calls if s == stage]
        assert ends[-1][1] == ends[-1][0], (stage, ends)
    assert calls[0] == ("read", 0, None)


PROGRESS_CHILD = """
import sys, yelpsearch
yelpsearch.build_index(sys.argv[1], sys.argv[2], sys.argv[3], train_ranker=False)
print("built", flush=True)
"""


@pytest.mark.parametrize("terminal", [True, False])
def test_progress_is_on_by_default_on_a_terminal(
    corpus: dict[str, Any], tmp_path: Path, terminal: bool
) -> None:
    """A person at a terminal sees the build advance; logs and pipes get nothing unasked
    (builds were silent in Python by default)."""
    import os
    import pty

    args = [str(corpus["business_path"]), str(corpus["review_path"]), str(tmp_path / "i")]
    if terminal:
        import threading

        leader, follower = pty.openpty()
        err: list[bytes] = []

        def drain() -> None:  # read while the child writes: a pty's buffer is small
            while True:
                try:
                    chunk = os.read(leader, 65536)
                except OSError:
                    return
                if not chunk:
                    return
                err.append(chunk)

        reader = threading.Thread(target=drain)
        reader.start()
        child = subprocess.run(
            [sys.executable, "-c", PROGRESS_CHILD, *args],
            stdout=subprocess.PIPE,
            stderr=follower,
            timeout=300,
        )
        os.close(follower)
        reader.join(60)
        os.close(leader)
        text = b"".join(err).decode("utf-8", "replace")
    else:
        child = subprocess.run(
            [sys.executable, "-c", PROGRESS_CHILD, *args], capture_output=True, timeout=300
        )
        text = child.stderr.decode()
    assert child.returncode == 0 and b"built" in child.stdout, text
    if terminal:
        for stage in ("read", "train text model", "index"):
            assert f"{stage}:" in text, text
    else:
        assert text == "", text


def _version_dirs(index_dir: Path) -> set[str]:
    return {p.name for p in (index_dir / "versions").iterdir()}


@pytest.mark.parametrize("exc", [KeyboardInterrupt, RuntimeError])
def test_exception_in_progress_cancels_the_build(
    index_copy: Path, corpus: dict[str, Any], exc: type[BaseException]
) -> None:
    """Ctrl-C's path: the callback raises, the build stops, nothing new is published."""
    current = (index_copy / "CURRENT").read_text()
    before = _version_dirs(index_copy)
    calls: list[str] = []

    def interrupt(stage: str, done: int, total: int | None) -> None:
        calls.append(stage)
        raise exc("stop")

    with pytest.raises(exc, match="stop"):
        yelpsearch.build_index(
            corpus["business_path"], corpus["review_path"], index_copy, progress=interrupt
        )
    assert calls == ["read"], "the callback is not called again once it raised"
    assert (index_copy / "CURRENT").read_text() == current
    assert _version_dirs(index_copy) == before, "the half-built version was left behind"
    assert yelpsearch.Index(index_copy).version == current.strip()


def test_progress_must_be_callable(index_copy: Path, corpus: dict[str, Any]) -> None:
    with pytest.raises(TypeError, match="progress"):
        yelpsearch.build_index(
            corpus["business_path"],
            corpus["review_path"],
            index_copy,
            progress=42,  # type: ignore[arg-type]
        )


def test_until_accepts_dates_and_rejects_garbage(corpus: dict[str, Any], tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="YYYY-MM-DD"):
        yelpsearch.build_index(
            corpus["business_path"], corpus["review_path"], tmp_path / "a", until="soon"
        )
    report = yelpsearch.build_index(
        corpus["business_path"],
        corpus["review_path"],
        tmp_path / "b",
        until=datetime.date(2015, 1, 1),
        train_ranker=False,
    )
    assert report["reviews"]["excluded"], "reviews after the cutoff are left out"
    newest = yelpsearch.Index(tmp_path / "b").stats()["newest_review"]
    assert newest is None or newest < "2015-01-01"


def test_update_adds_new_reviews(index_copy: Path, corpus: dict[str, Any], tmp_path: Path) -> None:
    with gzip.open(corpus["review_path"], "rt") as f:
        lines = [json.loads(line) for _, line in zip(range(50), f)]
    new = tmp_path / "new.jsonl"
    with new.open("w") as f:
        for i, r in enumerate(lines):
            r["review_id"] = f"py-update-{i:04d}-xxxxxxxx"
            f.write(json.dumps(r) + "\n")
    idx = yelpsearch.Index(index_copy)
    before = idx.stats()["reviews"]
    calls: list[str] = []
    report = yelpsearch.update_index(index_copy, new, progress=lambda s, d, t: calls.append(s))
    assert report["added"] == 50 and report["parent"] == idx.version
    assert idx.reload() is True
    assert idx.stats()["reviews"] == before + 50
    assert calls


def test_train_model(index_copy: Path) -> None:
    report = yelpsearch.train_model(index_copy, label_days=365)
    assert {"parent", "installed", "new_ndcg", "current_ndcg", "queries"} <= set(report)
    if report["installed"]:
        assert yelpsearch.Index(index_copy).version == report["installed"]
    # Fewer training queries: fewer held out (a fifth of them) to judge the new model by.
    few = yelpsearch.train_model(index_copy, label_days=365, max_queries=40)
    assert 0 < few["queries"] < report["queries"] and few["queries"] <= 40


def test_train_model_on_the_verdict_grades(index_copy: Path) -> None:
    report = yelpsearch.train_model(index_copy, grades="verdict")
    assert report["queries"] > 0
    assert report["grades"].startswith("verdict:"), report["grades"]
    if report["installed"]:
        info = yelpsearch.Index(index_copy).model_info()
        assert info["grades"] == report["grades"]


def test_generate_is_deterministic(tmp_path: Path) -> None:
    a = yelpsearch.generate_corpus(tmp_path / "a", businesses=20, reviews=200, seed=3)
    b = yelpsearch.generate_corpus(tmp_path / "b", businesses=20, reviews=200, seed=3)
    assert a["businesses"] == 20 and a["reviews"] == 200 and a["zipcodes"] >= 1
    for key in ("business_path", "review_path", "truth_path"):
        assert isinstance(a[key], Path) and a[key].parent == tmp_path / "a"
        assert a[key].read_bytes() == b[key].read_bytes()


# The children set up the signal the test sends: a process started from a background
# shell (`make test &`, nohup, some CI runners) inherits SIGINT ignored, and Python then
# installs no handler for it.
CTRL_C_CHILD = """
import signal, sys, yelpsearch
signal.signal(signal.SIGINT, signal.default_int_handler)
def progress(stage, done, total):
    if stage == "read":
        print("started", flush=True)
yelpsearch.build_index(sys.argv[1], sys.argv[2], sys.argv[3], progress=progress)
print("finished", flush=True)
"""

# Holds the build in its "train ranker" progress report until the SIGINT has been
# handled, so that the signal arrives while the ranker trains.
CTRL_C_TRAINING_CHILD = """
import signal, sys, threading, yelpsearch
handled = threading.Event()
def on_sigint(signum, frame):
    handled.set()
    raise KeyboardInterrupt
signal.signal(signal.SIGINT, on_sigint)
def progress(stage, done, total):
    if stage == "train ranker" and not handled.is_set():
        print("training", flush=True)
        handled.wait(60)
yelpsearch.build_index(sys.argv[1], sys.argv[2], sys.argv[3], progress=progress)
print("finished", flush=True)
"""


def _interrupt_child(
    script: str, ready: str, index_copy: Path, corpus: dict[str, Any]
) -> tuple[str, str]:
    """Starts a build in a child, sends it SIGINT once it prints `ready`, and returns
    its output once it has exited non-zero."""
    child = subprocess.Popen(
        [
            sys.executable,
            "-c",
            script,
            *map(str, (corpus["business_path"], corpus["review_path"], index_copy)),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert child.stdout is not None
    assert child.stdout.readline().strip() == ready
    child.send_signal(signal.SIGINT)
    out, err = child.communicate(timeout=120)
    assert child.returncode != 0 and "finished" not in out, (out, err)
    return out, err


def test_ctrl_c_stops_a_build(index_copy: Path, corpus: dict[str, Any]) -> None:
    """A real SIGINT during a build: KeyboardInterrupt, and the index is left as it was."""
    current = (index_copy / "CURRENT").read_text()
    before = _version_dirs(index_copy)
    _, err = _interrupt_child(CTRL_C_CHILD, "started", index_copy, corpus)
    assert "KeyboardInterrupt" in err, err
    assert (index_copy / "CURRENT").read_text() == current
    assert _version_dirs(index_copy) == before


def test_ctrl_c_stops_a_build_while_the_ranker_trains(
    index_copy: Path, corpus: dict[str, Any]
) -> None:
    """Ranker training honours Ctrl-C too: nothing is published (it used to finish the
    build, publish it, and raise KeyboardInterrupt afterwards)."""
    current = (index_copy / "CURRENT").read_text()
    before = _version_dirs(index_copy)
    _, err = _interrupt_child(CTRL_C_TRAINING_CHILD, "training", index_copy, corpus)
    assert "KeyboardInterrupt" in err, err
    assert (index_copy / "CURRENT").read_text() == current
    assert _version_dirs(index_copy) == before


def test_train_model_draws_its_queries_by_seed(index_copy: Path) -> None:
    """The same seed draws the same training queries and held-out fifth; another seed
    draws others (the BM25 figure is the held-out queries', whatever the model)."""
    a = yelpsearch.train_model(index_copy, label_days=365, seed=1)
    b = yelpsearch.train_model(index_copy, label_days=365, seed=1)
    c = yelpsearch.train_model(index_copy, label_days=365, seed=2)
    assert a["queries"] > 0
    assert (a["queries"], a["bm25_ndcg"]) == (b["queries"], b["bm25_ndcg"])
    assert (c["queries"], c["bm25_ndcg"]) != (a["queries"], a["bm25_ndcg"])
