#!/usr/bin/env bash
# Loopback cluster test: three `yelpsearch serve` replicas behind nginx, real
# processes, bounded load on 127.0.0.1 only. Two runs: replicas sharing one index
# directory (cluster_test.py, as on EFS), then replicas that share no directory and
# pull from a real S3 server on loopback (s3_cluster_test.py, as the s3 overlay).
#
#   bash service/deploy/loopback/run.sh [options for both drivers]
#   RUNS=shared|s3 bash service/deploy/loopback/run.sh   (one of them)
#
# Builds the release binary, installs nginx (Debian package) if it is absent,
# runs nginx as a foreground child with its own prefix in a temp dir (the system
# nginx service is never touched), writes artifacts/cluster-test.md and exits
# non-zero if any check fails. Every process started is stopped by pid on exit.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../../.." && pwd)"
cd "$repo"

if ! command -v nginx >/dev/null 2>&1 && [ ! -x /usr/sbin/nginx ]; then
    echo "installing nginx (Debian package)"
    if [ "$(id -u)" -ne 0 ]; then
        echo "nginx is missing and this is not root: install it with 'apt-get install -y nginx'" >&2
        exit 2
    fi
    export DEBIAN_FRONTEND=noninteractive
    # The package's postinst may try to start the system service: forbid it.
    policy=/usr/sbin/policy-rc.d
    made_policy=0
    if [ ! -e "$policy" ]; then
        printf '#!/bin/sh\nexit 101\n' > "$policy" && chmod +x "$policy" && made_policy=1
    fi
    apt-get install -y nginx >/dev/null || { apt-get update >/dev/null && apt-get install -y nginx >/dev/null; }
    [ "$made_policy" = 1 ] && rm -f "$policy"
fi
nginx_bin="$(command -v nginx || echo /usr/sbin/nginx)"

# The binary, and the S3 server of the s3 run (s3s-fs; a dev-dependency, so an example),
# as `cargo test --workspace --release` builds them (make test's rust-test step): cargo
# compiles a crate once per feature set, and building them apart resolves other features,
# which cost CI a second build of most crates (3 minutes).
cargo test --workspace --release --no-run

workdir="$(mktemp -d "${TMPDIR:-/tmp}/yelpsearch-cluster.XXXXXX")"
driver_pid=""
cleanup() {
    local rc=$?
    if [ -n "$driver_pid" ] && kill -0 "$driver_pid" 2>/dev/null; then
        kill -TERM "$driver_pid" 2>/dev/null || true
        sleep 2
    fi
    # Anything the driver started and did not stop (it records every pid).
    for pids in "$workdir"/*/pids; do
        [ -f "$pids" ] || continue
        while read -r pid; do
            # Only if the pid still runs one of ours (pids get reused).
            if tr '\0' ' ' 2>/dev/null < "/proc/$pid/cmdline" | grep -q -e yelpsearch -e nginx -e s3_server; then
                kill -KILL "$pid" 2>/dev/null || true
            fi
        done < "$pids"
    done
    rm -rf "$workdir"
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

status=0
for run in ${RUNS:-shared s3}; do
    mkdir -p "$workdir/$run"
    case "$run" in
        shared)
            python3 "$here/cluster_test.py" \
                --bin "$repo/target/release/yelpsearch" \
                --nginx "$nginx_bin" \
                --workdir "$workdir/$run" \
                --out "$repo/artifacts/cluster-test.md" \
                "$@" &
            ;;
        s3)
            python3 "$here/s3_cluster_test.py" \
                --bin "$repo/target/release/yelpsearch" \
                --s3-server "$repo/target/release/examples/s3_server" \
                --nginx "$nginx_bin" \
                --workdir "$workdir/$run" \
                --out "$repo/artifacts/cluster-test-s3.md" \
                "$@" &
            ;;
        *) echo "unknown run '$run' (RUNS: shared s3)" >&2; exit 2 ;;
    esac
    driver_pid=$!
    wait "$driver_pid" || status=1
    driver_pid=""
done
exit "$status"
