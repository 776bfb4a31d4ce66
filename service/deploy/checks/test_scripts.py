"""The S3 fetch scripts the CronJobs' aws-cli init containers run, exercised
against a fake `aws` that serves a local directory as S3."""

from __future__ import annotations

import gzip
import os
import subprocess
from pathlib import Path

import pytest

from manifests import DEPLOY

SCRIPTS = DEPLOY / "base" / "scripts"

FAKE_AWS = r"""#!/usr/bin/env bash
# fake aws: `aws s3 sync|cp s3://BUCKET/KEY DEST [flags]` served from $FAKE_S3
set -euo pipefail
echo "$*" >> "$FAKE_AWS_LOG"
[ "$1" = s3 ] || { echo "fake aws: only s3" >&2; exit 2; }
op="$2"; shift 2
args=(); for a in "$@"; do case "$a" in --*) ;; *) args+=("$a") ;; esac; done
src="${args[0]#s3://}"; dst="${args[1]}"
case "$op" in
  sync) mkdir -p "$dst"; if [ -d "$FAKE_S3/$src" ]; then cp -r "$FAKE_S3/$src/." "$dst/"; fi ;;
  cp) [ -f "$FAKE_S3/$src" ] || { echo "fatal error: 404 $src" >&2; exit 1; }; cp "$FAKE_S3/$src" "$dst" ;;
  *) exit 2 ;;
esac
"""


@pytest.fixture
def s3(tmp_path: Path):
    bindir = tmp_path / "bin"
    bindir.mkdir()
    (bindir / "aws").write_text(FAKE_AWS)
    (bindir / "aws").chmod(0o755)
    root = tmp_path / "s3"
    root.mkdir()

    def run(script: str, **env: str) -> subprocess.CompletedProcess:
        e = {
            "PATH": f"{bindir}:{os.environ['PATH']}",
            "FAKE_S3": str(root),
            "FAKE_AWS_LOG": str(tmp_path / "aws.log"),
            "INPUT_DIR": str(tmp_path / "work" / "input"),
            "INPUT_BUCKET": "bkt",
            "INPUT_PREFIX": "yelp",
        }
        e.update(env)
        return subprocess.run(["bash", str(SCRIPTS / script)], capture_output=True, text=True, env=e)

    run.root = root
    run.input = tmp_path / "work" / "input"
    run.log = tmp_path / "aws.log"
    return run


@pytest.mark.parametrize("script", sorted(p.name for p in SCRIPTS.glob("*.sh")))
def test_bash_syntax(script):
    subprocess.run(["bash", "-n", str(SCRIPTS / script)], check=True)


def test_reviews_of_a_day_are_concatenated_in_order(s3):
    day = s3.root / "bkt" / "yelp" / "reviews" / "dt=2024-03-05"
    (day / "sub").mkdir(parents=True)
    (day / "part-000.json").write_text('{"review_id":"a"}\n')
    (day / "part-001.jsonl").write_text('{"review_id":"b"}\n')
    with gzip.open(day / "sub" / "part-002.json.gz", "wt") as f:
        f.write('{"review_id":"c"}\n')
    (day / "_SUCCESS").write_text("")
    res = s3("fetch-reviews.sh", REVIEWS_DATE="2024-03-05", INPUT_PREFIX="/yelp/")
    assert res.returncode == 0, res.stderr
    out = (s3.input / "reviews.json").read_text().splitlines()
    assert out == ['{"review_id":"a"}', '{"review_id":"b"}', '{"review_id":"c"}']
    assert "s3://bkt/yelp/reviews/dt=2024-03-05/" in s3.log.read_text()
    assert not (s3.input / "parts").exists()


def test_default_day_is_yesterday_utc(s3):
    yesterday = subprocess.run(["date", "-u", "-d", "yesterday", "+%F"], capture_output=True, text=True).stdout.strip()
    day = s3.root / "bkt" / "reviews" / f"dt={yesterday}"
    day.mkdir(parents=True)
    (day / "r.json").write_text("{}\n")
    res = s3("fetch-reviews.sh", INPUT_PREFIX="")
    assert res.returncode == 0, res.stderr
    assert f"s3://bkt/reviews/dt={yesterday}/" in s3.log.read_text()


def test_missing_day_fails_loudly(s3):
    res = s3("fetch-reviews.sh", REVIEWS_DATE="2024-03-06")
    assert res.returncode != 0
    assert "no *.json" in res.stderr
    assert not (s3.input / "reviews.json").exists()


@pytest.mark.parametrize("bad", ["yesterday", "2024-3-5", "2024-03-05; rm -rf /"])
def test_bad_date_is_rejected(s3, bad):
    res = s3("fetch-reviews.sh", REVIEWS_DATE=bad)
    assert res.returncode != 0 and "REVIEWS_DATE" in res.stderr
    assert not s3.log.exists()


def test_missing_bucket_is_rejected(s3):
    res = s3("fetch-reviews.sh", INPUT_BUCKET="")
    assert res.returncode != 0 and "INPUT_BUCKET" in res.stderr


def test_snapshot_fetches_business_and_reviews(s3):
    snap = s3.root / "bkt" / "yelp" / "snapshot"
    snap.mkdir(parents=True)
    (snap / "yelp_academic_dataset_business.json").write_text('{"business_id":"x"}\n')
    (snap / "yelp_academic_dataset_review.json").write_text('{"review_id":"y"}\n')
    res = s3("fetch-snapshot.sh")
    assert res.returncode == 0, res.stderr
    assert (s3.input / "business.json").read_text() == '{"business_id":"x"}\n'
    assert (s3.input / "reviews.json").read_text() == '{"review_id":"y"}\n'


def test_snapshot_with_a_missing_file_fails(s3):
    snap = s3.root / "bkt" / "yelp" / "snapshot"
    snap.mkdir(parents=True)
    (snap / "yelp_academic_dataset_business.json").write_text("{}\n")
    res = s3("fetch-snapshot.sh")
    assert res.returncode != 0
    assert not (s3.input / "reviews.json").exists()


def test_training_inputs_may_be_empty(s3):
    res = s3("fetch-training.sh")
    assert res.returncode == 0, res.stderr
    assert "training inputs: 0 path(s)" in res.stdout
    assert "s3://bkt/yelp/training/" in s3.log.read_text()
