"""Plots of benches/scale/run.sh's results.csv.

    python plot.py bench-out/scale/results.csv benches/scale/plots

Writes build_time.png (build wall time and the parse-only floor against reviews, log-log,
with a linear reference), search_latency.png (p50/p99 on the fixed-size zipcode against
corpus size) and size_rss.png (index size and peak RSS against reviews). Small on purpose:
these files are committed.
"""

import csv
import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

DPI = 80
SIZE = (5.6, 3.6)


def load(path):
    """The rows of results.csv, smallest corpus first."""
    with open(path, newline="") as f:
        rows = list(csv.DictReader(f))
    rows.sort(key=lambda r: int(r["reviews"]))
    return rows


def col(rows, name, kind=float):
    """One column, converted by `kind`."""
    return [kind(r[name]) for r in rows]


def finish(fig, ax, out):
    """Grid, legend, and the PNG at `out`."""
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(out, dpi=DPI)
    plt.close(fig)


def main(csv_path, out_dir):
    """Writes the three plots of `csv_path` into `out_dir`."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    rows = load(csv_path)
    n = col(rows, "indexed")
    corpus = col(rows, "reviews")

    fig, ax = plt.subplots(figsize=SIZE)
    wall = col(rows, "build_wall_s")
    ax.loglog(n, wall, "o-", label="full build (wall)")
    ax.loglog(n, col(rows, "build_cpu_s"), "^-", label="full build (CPU, user+sys)")
    ax.loglog(n, col(rows, "floor_validate_s"), "s--", label="floor: decompress+parse+validate")
    ref = [wall[-1] * x / n[-1] for x in n]
    ax.loglog(n, ref, ":", color="gray", label="linear reference (through largest)")
    ax.set_xlabel("reviews indexed")
    ax.set_ylabel("seconds")
    ax.set_title("Build time vs corpus size", fontsize=10)
    finish(fig, ax, out / "build_time.png")

    fig, ax = plt.subplots(figsize=SIZE)
    ax.semilogx(corpus, col(rows, "search_p50_ms"), "o-", label="p50")
    ax.semilogx(corpus, col(rows, "search_p99_ms"), "s-", label="p99")
    ax.semilogx(
        corpus, col(rows, "bm25_p50_ms"), "o--", color="C0", alpha=0.5, label="p50, BM25 only"
    )
    ax.semilogx(
        corpus, col(rows, "bm25_p99_ms"), "s--", color="C1", alpha=0.5, label="p99, BM25 only"
    )
    top = max(col(rows, "search_p99_ms")) * 1.35
    for x, z, zn in zip(corpus, col(rows, "zip", str), col(rows, "zip_reviews", int)):
        ax.annotate(f"{z}\n{zn:,} rev.", (x, top * 0.03), fontsize=7, ha="center", color="gray")
    ax.set_xlim(min(corpus) / 2.5, max(corpus) * 2.5)
    ax.set_ylim(bottom=0, top=top)
    ax.set_xlabel("corpus size (reviews); the zipcode queried and its size below")
    ax.set_ylabel("ms per query")
    ax.set_title("Search latency on a zipcode of ~fixed size", fontsize=10)
    finish(fig, ax, out / "search_latency.png")

    fig, ax = plt.subplots(figsize=SIZE)
    ax.loglog(n, col(rows, "index_mb"), "o-", label="index on disk (MB)")
    ax.loglog(n, col(rows, "peak_rss_mb"), "s-", label="build peak RSS (MB)")
    ax.set_xlabel("reviews indexed")
    ax.set_ylabel("MB")
    ax.set_title("Index size and build memory vs corpus size", fontsize=10)
    finish(fig, ax, out / "size_rss.png")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
