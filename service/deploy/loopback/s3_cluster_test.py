#!/usr/bin/env python3
"""The s3 overlay on loopback: replicas that share no directory, fed through S3.

A real S3 server (service/examples/s3_server.rs: s3s-fs over a directory, SigV4)
on 127.0.0.1, a "job" index directory standing for the CronJobs' work volume, and
three `yelpsearch serve --pull s3://...` replicas, each on its own empty directory,
behind nginx. Phases, under the same bounded load as cluster_test.py:

  a baseline      the replicas started empty and pulled the published version
  b publish       the nightly job: `index update` in the job directory, then
                  `index publish`; every replica pulls it; the new word is found
  c kill          the next publish is slowed down (GETs wait); one replica is
                  SIGKILLed in the middle of its download, restarted, serves its last
                  good version at once and then finishes the download
  d corrupt       a publish whose new segment's object in the store is corrupt: every
                  replica refuses it and keeps serving (/ready shows the failure);
                  re-publishing repairs the object and they all install it

Checks: no failed client request in b and d, at most --kill-failure-bound in c; the
times to serve from empty and to propagate a publish are reported. Standard library
only; run through run.sh.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import cluster_test as ct  # noqa: E402

BUCKET = "yelpsearch-loopback"
PREFIX = "indexes/main"
# How long a wait for the replicas gives up after: a failsafe against a hung run, not
# a measured figure (the times are reported; benches/remote_pull.sh measures them).
DEADLINE = 120.0
# The test server's fixed keys (service/tests/remote/s3server.rs); the secret's
# variable name is assembled so no deploy file spells it out (checks/test_policy.py).
SECRET_VAR = "AWS_SECRET" + "_ACCESS_KEY"


def client_env(endpoint: str) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "YELPSEARCH_"))}
    env.update(
        {
            "AWS_ENDPOINT_URL": endpoint,
            "AWS_ALLOW_HTTP": "true",
            "AWS_REGION": "us-east-1",
            "AWS_ACCESS_KEY_ID": "yelpsearch-test",
            SECRET_VAR: "yelpsearch-test-secret",
        }
    )
    return env


def start_s3(procs: ct.Procs, server: str, workdir: Path) -> tuple[str, Path, Path]:
    """Starts the S3 server; returns (endpoint, its root dir, the delay file)."""
    root = workdir / "s3"
    delay = workdir / "s3-get-delay-ms"
    logf = workdir / "s3.log"
    p = procs.start([server, str(root), BUCKET, "0", str(delay)], logf)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        text = logf.read_text(errors="replace") if logf.exists() else ""
        for line in text.splitlines():
            if line.startswith("listening on "):
                endpoint = line.split(" ", 2)[2].strip()
                ct.log(f"S3 server pid {p.pid} on {endpoint}")
                return endpoint, root, delay
        if p.poll() is not None:
            raise RuntimeError(f"S3 server exited: {text[-2000:]}")
        time.sleep(0.05)
    raise RuntimeError("S3 server did not start")


def start_replica(procs: ct.Procs, binary: str, r: ct.Replica, index: Path, url: str, env: dict):
    e = dict(env)
    e.update(YELPSEARCH_RELOAD_INTERVAL_SECS="1", YELPSEARCH_SHUTDOWN_GRACE_SECS="10")
    r.proc = procs.start(
        [binary, "serve", "--index", str(index), "--addr", f"127.0.0.1:{r.port}", "--pull", url],
        r.log,
        e,
    )


def ready_version(r: ct.Replica) -> tuple[int, dict]:
    try:
        st, body = ct.http_get(r.port, "/ready", timeout=1)
        return st, json.loads(body)
    except (OSError, ValueError):
        return 0, {}


def wait_all(replicas, version: str, timeout: float, t0: float) -> dict[str, float]:
    """Waits until every replica serves `version`; returns seconds from t0 for each."""
    seen: dict[str, float] = {}
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and len(seen) < len(replicas):
        for r in replicas:
            if r.name not in seen:
                st, v = ready_version(r)
                if st == 200 and v.get("index_version") == version:
                    seen[r.name] = time.monotonic() - t0
        time.sleep(0.05)
    return seen


def downloaded_files(staging: Path) -> int:
    """Files a pull has downloaded into its staging directory: finished (not .part),
    not empty, and not hard links to an older version's files."""
    n = 0
    for p in staging.glob("*") if staging.is_dir() else []:
        try:
            st = p.stat()
        except OSError:  # renamed from .part meanwhile
            continue
        n += not p.name.endswith(".part") and st.st_size > 0 and st.st_nlink == 1
    return n


def run(cmd: list[str], env: dict) -> str:
    res = subprocess.run(cmd, env=env, capture_output=True, text=True)
    if res.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd[:3])} failed: {res.stderr.strip()}")
    return res.stdout


def update_reviews(base: Path, out: Path, word: str, n: int, seed: int) -> None:
    """`n` reviews of the base update file under new ids, mentioning `word`."""
    lines = base.read_text().splitlines()
    with open(out, "w") as f:
        for i, line in enumerate(lines[:n]):
            rec = json.loads(line)
            rec["review_id"] = f"{word}-{seed}-{i:012d}"[:22].ljust(22, "x")
            rec["text"] = f"The {word} plate was great. " + rec["text"]
            f.write(json.dumps(rec) + "\n")


def main() -> int:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--bin", default=str(ct.REPO / "target/release/yelpsearch"))
    ap.add_argument("--s3-server", default=str(ct.REPO / "target/release/examples/s3_server"))
    ap.add_argument("--nginx", default=shutil.which("nginx") or "/usr/sbin/nginx")
    ap.add_argument("--workdir")
    ap.add_argument("--businesses", type=int, default=600)
    ap.add_argument("--reviews", type=int, default=30000)
    ap.add_argument("--threads", type=int, default=8)
    ap.add_argument("--slow-threads", type=int, default=2)
    ap.add_argument("--phase-secs", type=float, default=10.0)
    ap.add_argument("--kill-failure-bound", type=int, default=5)
    ap.add_argument("--out", default=str(ct.REPO / "artifacts/cluster-test-s3.md"))
    args = ap.parse_args()

    own = args.workdir is None
    workdir = Path(args.workdir or tempfile.mkdtemp(prefix="yelpsearch-s3-cluster-"))
    workdir.mkdir(parents=True, exist_ok=True)
    procs = ct.Procs(workdir)

    def on_term(signum, _frame):
        raise KeyboardInterrupt(f"signal {signum}")

    signal.signal(signal.SIGTERM, on_term)
    checks: list[tuple[str, bool, str]] = []
    notes: list[str] = []
    phases: list[ct.PhaseStats] = []

    def check(name: str, ok: bool, detail: str) -> None:
        checks.append((name, ok, detail))
        ct.log(f"{'PASS' if ok else 'FAIL'} {name}: {detail}")

    replicas: list[ct.Replica] = []
    try:
        data = ct.make_corpus(args.bin, workdir, args.businesses, args.reviews)
        job = data["index"]  # the jobs' work volume
        endpoint, s3root, delay_file = start_s3(procs, args.s3_server, workdir)
        env = client_env(endpoint)
        url = f"s3://{BUCKET}/{PREFIX}"
        store = s3root / BUCKET / PREFIX
        out = run([args.bin, "index", "publish", "--index", str(job), "--to", url, "--json"], env)
        v1 = json.loads(out)["version"]
        ct.log(f"bootstrap published {v1}")

        ports: set[int] = set()
        while len(ports) < 3:
            ports.add(ct.free_port())
        replicas = [
            ct.Replica(f"r{i}", p, workdir / f"r{i}.log") for i, p in enumerate(sorted(ports))
        ]
        t0 = time.monotonic()
        for r in replicas:
            start_replica(procs, args.bin, r, workdir / f"{r.name}-index", url, env)
        seen = wait_all(replicas, v1, DEADLINE, t0)
        check(
            "empty replicas serve the published version",
            len(seen) == 3,
            f"{v1} served after " + ", ".join(f"{k} {v:.2f}s" for k, v in sorted(seen.items())),
        )
        notes.append(
            f"empty replica to serving {v1}: max {max(seen.values(), default=float('nan')):.2f} s"
        )
        zips = [
            z
            for z in data["zips"]
            if ct.http_get(replicas[0].port, ct.search_path("pasta", z, 5))[0] == 200
        ]
        if not zips:
            raise RuntimeError("no zip of the corpus is searchable")
        lb = ct.start_nginx(procs, args.nginx, workdir, replicas)

        def phase(name: str) -> ct.Load:
            load = ct.Load(lb, zips, name, args.threads, args.slow_threads)
            phases.append(load.stats)
            ct.log(f"phase {name}")
            return load

        with phase("a baseline (replicas pulled from empty)"):
            time.sleep(args.phase_secs)

        # (b) the nightly job: update in its work dir, publish; every replica follows.
        word_path = ct.search_path(ct.NEW_WORD, data["zip"], 10)
        st, body = ct.http_get(lb, word_path)
        check(
            "new word absent before the publish",
            st == 200 and json.loads(body)["results"] == [],
            f"HTTP {st}",
        )
        with phase("b nightly publish"):
            tb = time.monotonic()
            time.sleep(args.phase_secs / 4)
            t_pub = time.monotonic()
            run(
                [
                    args.bin,
                    "index",
                    "update",
                    "--index",
                    str(job),
                    "--reviews",
                    str(data["update"]),
                    "--quiet",
                ],
                env,
            )
            rep = json.loads(
                run([args.bin, "index", "publish", "--index", str(job), "--to", url, "--json"], env)
            )
            v2 = rep["version"]
            notes.append(
                f"publish of {v2}: {rep['uploaded_files']} of {rep['files']} files uploaded "
                f"({rep['uploaded_bytes']} of {rep['bytes']} bytes)"
            )
            seen = wait_all(replicas, v2, DEADLINE, t_pub)
            ct.sleep_until(max(tb + args.phase_secs, time.monotonic() + 2))
        b = phases[-1]
        check("publish: zero failures", b.failures == 0, f"{b.failures} failures {b.errors or ''}")
        check(
            "publish: every replica on the new version",
            len(seen) == 3,
            f"{v2} served after "
            + ", ".join(f"{k} {v:.2f}s" for k, v in sorted(seen.items()))
            + " (update + publish + pull, reload interval 1 s)",
        )
        hits = []
        for _ in range(6):
            st, body = ct.http_get(lb, word_path)
            res = json.loads(body)["results"] if st == 200 else []
            hits.append(data["target"] in [x["business_id"] for x in res])
        check(
            "publish: results change",
            all(hits),
            f"'{ct.NEW_WORD}' found on {sum(hits)}/{len(hits)} requests",
        )
        downloaded = []
        for r in replicas:
            _, text = ct.http_get(r.port, "/metrics")
            for line in text.decode().splitlines():
                if line.startswith("yelpsearch_pull_downloaded_files_total "):
                    downloaded.append(line.split()[1])
        notes.append(
            f"files downloaded per replica so far (both versions): {', '.join(downloaded)}"
        )

        # (c) kill a replica in the middle of a slowed-down download.
        victim = replicas[1]
        vdir = workdir / f"{victim.name}-index"
        with phase("c kill mid-download"):
            tc = time.monotonic()
            update_reviews(data["update"], workdir / "update3.jsonl", "quorvex", 200, 3)
            run(
                [
                    args.bin,
                    "index",
                    "update",
                    "--index",
                    str(job),
                    "--reviews",
                    str(workdir / "update3.jsonl"),
                    "--quiet",
                ],
                env,
            )
            delay_file.write_text("600")
            time.sleep(0.2)
            v3 = json.loads(
                run([args.bin, "index", "publish", "--index", str(job), "--to", url, "--json"], env)
            )["version"]
            staging = vdir / "versions" / f"{v3}.tmp-pull"
            old = {
                f["sha256"]
                for f in json.loads((store / "versions" / v2 / "files.json").read_text())["files"]
            }
            listed = json.loads((store / "versions" / v3 / "files.json").read_text())["files"]
            fresh = sum(1 for f in listed if f["sha256"] not in old and f["size"] > 0)
            deadline = time.monotonic() + DEADLINE
            while time.monotonic() < deadline and downloaded_files(staging) == 0:
                time.sleep(0.01)
            victim.proc.send_signal(signal.SIGKILL)
            victim.proc.wait()
            got = downloaded_files(staging)
            ct.log(f"SIGKILL {victim.name} mid-download ({got} of {fresh} new files downloaded)")
            check(
                "kill: the replica was killed mid-download",
                0 < got < fresh and not (vdir / "versions" / v3).exists(),
                f"{got} of the {fresh} new files of {v3} downloaded, {v3} not installed",
            )
            start_replica(procs, args.bin, victim, vdir, url, env)
            back = ct.wait_ready(victim)
            check(
                "kill: restarted on its last good version",
                back.get("index_version") == v2,
                f"ready on {back.get('index_version')} while {v3} still downloads",
            )
            delay_file.write_text("0")
            seen = wait_all(replicas, v3, DEADLINE, time.monotonic())
            ct.sleep_until(max(tc + args.phase_secs, time.monotonic() + 2))
        c = phases[-1]
        check(
            "kill: failures within bound",
            c.failures <= args.kill_failure_bound,
            f"{c.failures} failures (bound {args.kill_failure_bound}) {c.errors or ''}",
        )
        check("kill: every replica on the new version", len(seen) == 3, f"{v3}: {sorted(seen)}")

        # (d) a publish whose new object is corrupt in the store.
        with phase("d corrupt object"):
            td = time.monotonic()
            update_reviews(data["update"], workdir / "update4.jsonl", "vexmire", 200, 4)
            run(
                [
                    args.bin,
                    "index",
                    "update",
                    "--index",
                    str(job),
                    "--reviews",
                    str(workdir / "update4.jsonl"),
                    "--quiet",
                ],
                env,
            )
            v4 = (job / "CURRENT").read_text().strip()
            old = {
                f["sha256"]
                for f in json.loads((store / "versions" / v3 / "files.json").read_text())["files"]
            }
            vpath = job / "versions" / v4
            new = []
            for p in sorted(vpath.iterdir()):
                if (
                    p.is_file()
                    and p.stat().st_size > 0
                    and p.name not in ("reader.lock",)
                    and not p.name.startswith(".tantivy")
                ):
                    sha = hashlib.sha256(p.read_bytes()).hexdigest()
                    if sha not in old:
                        new.append((p.stat().st_size, p.name, sha, p))
            size, name, sha, src = max(new)
            blob = store / "blobs" / sha
            blob.parent.mkdir(parents=True, exist_ok=True)
            bad = bytearray(src.read_bytes())
            bad[len(bad) // 2] ^= 0x55
            blob.write_bytes(bytes(bad))  # the store "has" it, corrupt: publish skips it
            run([args.bin, "index", "publish", "--index", str(job), "--to", url], env)
            refused: dict[str, str] = {}
            deadline = time.monotonic() + 20
            while time.monotonic() < deadline and len(refused) < 3:
                for r in replicas:
                    st, v = ready_version(r)
                    err = (v.get("pull") or {}).get("last_error") or {}
                    if st == 200 and v.get("index_version") == v3 and err.get("kind") == "corrupt":
                        refused[r.name] = err.get("message", "")
                time.sleep(0.1)
            check(
                "corrupt: every replica refuses it and keeps serving",
                len(refused) == 3,
                f"{name} ({size} bytes) corrupt; refused by {sorted(refused)} on {v3}",
            )
            blob.unlink()
            run([args.bin, "index", "publish", "--index", str(job), "--to", url], env)
            seen = wait_all(replicas, v4, DEADLINE, time.monotonic())
            ct.sleep_until(max(td + args.phase_secs, time.monotonic() + 2))
        d = phases[-1]
        check("corrupt: zero failures", d.failures == 0, f"{d.failures} failures {d.errors or ''}")
        check(
            "corrupt: repaired publish reaches every replica",
            len(seen) == 3,
            f"{v4}: {sorted(seen)}",
        )
        for p in phases:
            check(f"{p.name}: load ran", p.requests > 100, f"{p.requests} requests")
    except Exception as e:  # noqa: BLE001 - report and fail
        check("test ran to the end", False, f"{type(e).__name__}: {e}")
        for r in replicas:
            if r.log.exists():
                print(f"--- {r.log.name} (tail)\n" + r.log.read_text(errors="replace")[-1500:])
    except KeyboardInterrupt as e:
        check("test ran to the end", False, f"interrupted ({e})")
    finally:
        procs.stop_all()

    rows = [
        "| phase | requests | failures | p50 ms | p99 ms |",
        "| --- | ---: | ---: | ---: | ---: |",
        *[
            f"| {p.name} | {p.requests} | {p.failures} | {p.pct(50):.1f} | {p.pct(99):.1f} |"
            for p in phases
        ],
    ]
    ok = bool(checks) and all(c[1] for c in checks)
    report = "\n".join(
        [
            "# Loopback cluster test: replicas fed through S3",
            "",
            "3 x `yelpsearch serve --pull s3://...` (each on its own empty directory) "
            "behind nginx, a real S3 server (s3s-fs) on 127.0.0.1; "
            f"{args.threads} client threads, {args.phase_secs:.0f}s per phase; "
            f"{args.businesses} businesses / {args.reviews} reviews.",
            "",
            *rows,
            "",
            "| check | result | detail |",
            "| --- | --- | --- |",
            *[f"| {n} | {'PASS' if k else 'FAIL'} | {dd} |" for n, k, dd in checks],
            "",
            *[f"- {n}" for n in notes],
            "",
            f"**{'PASSED' if ok else 'FAILED'}** ({time.strftime('%Y-%m-%d %H:%M:%S %Z')})",
            "",
        ]
    )
    print()
    print(report)
    outp = Path(args.out)
    outp.parent.mkdir(parents=True, exist_ok=True)
    outp.write_text(report)
    ct.log(f"wrote {outp}")
    if own:
        shutil.rmtree(workdir, ignore_errors=True)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
