"""Static checks of service/Dockerfile and the root .dockerignore, and proof
that the checks flag bad Dockerfiles."""

from __future__ import annotations

import glob
import os
import re
import tomllib
from pathlib import Path

import pytest

import dockerfile_lint as dl
from manifests import REPO

DOCKERFILE = REPO / "service" / "Dockerfile"
DOCKERIGNORE = REPO / ".dockerignore"


@pytest.fixture(scope="module")
def text() -> str:
    return DOCKERFILE.read_text()


def test_dockerfile_passes_lint(text):
    assert dl.lint(text) == []


def test_builder_and_runtime_images(text):
    st = dl.stages(dl.parse(text))
    assert re.fullmatch(r"rust:\d+\.\d+\.\d+-slim-bookworm", st[0].resolved), st[0].resolved
    # distroless cc on Debian 12 = the builder's glibc (bookworm).
    assert st[-1].resolved.startswith("gcr.io/distroless/cc-debian12:nonroot")


def test_builds_the_service_binary_locked(text):
    builds = [i.args for i in dl.parse(text) if i.cmd == "RUN" and "cargo build" in i.args]
    assert len(builds) == 2, "expected a dependency build and a real build"
    for b in builds:
        assert "--release" in b and "--locked" in b and "-p yelpsearch-service" in b and "--bin yelpsearch" in b


def _workspace_manifests() -> dict[str, dict]:
    root = tomllib.loads((REPO / "Cargo.toml").read_text())
    out = {"": root}
    for member in root["workspace"]["members"]:
        if member != ".":
            out[member] = tomllib.loads((REPO / member / "Cargo.toml").read_text())
    return out


def _declared_target_files(prefix: str, manifest: dict) -> set[str]:
    """Source files cargo requires to exist to load this manifest."""
    join = (lambda p: f"{prefix}/{p}") if prefix else (lambda p: p)
    files = set()
    if "package" not in manifest:
        return files
    lib = manifest.get("lib", {})
    if "path" in lib:
        files.add(join(lib["path"]))
    for kind, default_dir in (("bin", "src/bin"), ("bench", "benches"), ("test", "tests"), ("example", "examples")):
        for t in manifest.get(kind, []):
            files.add(join(t.get("path", f"{default_dir}/{t['name']}.rs")))
    build = manifest["package"].get("build")
    if isinstance(build, str):
        files.add(join(build))
    return files


def test_dependency_stage_covers_every_manifest_and_target(text):
    """The stub stage must copy every workspace manifest and stub every target
    a manifest declares, or the dependency build fails (or stops caching)."""
    ins = dl.parse(text)
    first_build = next(n for n, i in enumerate(ins) if i.cmd == "RUN" and "cargo build" in i.args)
    before = " ".join(i.args for i in ins[: first_build + 1])
    for member, manifest in _workspace_manifests().items():
        cargo_toml = f"{member}/Cargo.toml" if member else "Cargo.toml"
        assert cargo_toml in before, f"{cargo_toml} is not copied before the dependency build"
        for f in _declared_target_files(member, manifest):
            assert f in before, f"{f} (declared in {cargo_toml}) has no stub before the dependency build"
    assert "Cargo.lock" in before


def test_real_sources_replace_stubs_and_are_rebuilt(text):
    ins = dl.parse(text)
    builds = [n for n, i in enumerate(ins) if i.cmd == "RUN" and "cargo build" in i.args]
    between = ins[builds[0] + 1: builds[1] + 1]
    copies = " ".join(i.args for i in between if i.cmd == "COPY")
    assert "src/" in copies and "service/src/" in copies
    final_run = ins[builds[1]].args
    # The stub artifacts must not survive (COPY keeps old mtimes).
    assert "touch" in final_run and ".fingerprint/yelpsearch-" in final_run
    # ... and the binary is smoke-tested: a stub main() prints nothing.
    assert "--help" in final_run


def _version(v: str) -> tuple[int, ...]:
    return tuple(int(x) for x in v.split(".")[:2])


def test_rust_version_meets_workspace_msrv(text):
    st = dl.stages(dl.parse(text))
    builder = re.match(r"rust:(\d+\.\d+)", st[0].resolved).group(1)
    msrv = tomllib.loads((REPO / "Cargo.toml").read_text())["workspace"]["package"]["rust-version"]
    assert _version(builder) >= _version(msrv)


def test_rust_version_meets_locked_dependencies(text):
    """cargo refuses a dependency whose rust-version is newer than the
    toolchain. Checked against the crate sources in the local cargo registry
    (skipped where none has been fetched)."""
    st = dl.stages(dl.parse(text))
    builder = _version(re.match(r"rust:(\d+\.\d+)", st[0].resolved).group(1))
    cargo_home = Path(os.environ.get("CARGO_HOME", Path.home() / ".cargo"))
    registries = glob.glob(str(cargo_home / "registry" / "src" / "*"))
    if not registries:
        pytest.skip("no local cargo registry sources")
    lock = tomllib.loads((REPO / "Cargo.lock").read_text())
    pkgs = {(p["name"], p["version"]): p for p in lock["package"]}
    by_name: dict[str, list] = {}
    for p in lock["package"]:
        by_name.setdefault(p["name"], []).append(p)
    # Everything reachable from the service (a superset: dev and
    # target-specific dependencies included).
    seen, todo = set(), [("yelpsearch-service", by_name["yelpsearch-service"][0]["version"])]
    while todo:
        key = todo.pop()
        if key in seen:
            continue
        seen.add(key)
        for dep in pkgs[key].get("dependencies", []):
            name, *rest = dep.split()
            version = rest[0] if rest else by_name[name][0]["version"]
            todo.append((name, version))
    too_new, checked = [], 0
    for name, version in sorted(seen):
        for reg in registries:
            manifest = Path(reg) / f"{name}-{version}" / "Cargo.toml"
            if manifest.exists():
                checked += 1
                rv = tomllib.loads(manifest.read_text()).get("package", {}).get("rust-version")
                if isinstance(rv, str) and _version(rv) > builder:
                    too_new.append(f"{name} {version} needs rust {rv}")
                break
    if not checked:
        pytest.skip("none of the locked crates is in the local registry")
    assert too_new == [], f"builder rust {builder} is too old: {too_new}"


# --------------------------------------------------------------------------
# .dockerignore
# --------------------------------------------------------------------------

@pytest.mark.parametrize("path", [
    "target/release/yelpsearch", ".git/HEAD", ".venv/bin/python", ".venv-deploy/bin/python",
    "bench-out/report.json", "demo-data/reviews.json", "data/yelp_academic_dataset_review.json",
    "artifacts/x", "python/yelpsearch/__init__.py", "service/deploy/base/deployment.yaml",
    "service/Dockerfile", "README.md",
])
def test_dockerignore_excludes(path):
    assert dl.dockerignore_excludes(DOCKERIGNORE.read_text(), path)


def test_dockerignore_keeps_what_the_dockerfile_copies(text):
    ignore = DOCKERIGNORE.read_text()
    for i in dl.parse(text):
        if i.cmd != "COPY" or "--from" in i.args:
            continue
        _, parts = dl._copy_parts(i.args)
        for src in parts[:-1]:
            probe = src.rstrip("/") + "/lib.rs" if src.endswith("/") else src
            assert not dl.dockerignore_excludes(ignore, probe), f"{src} is excluded by .dockerignore"


# --------------------------------------------------------------------------
# The lint flags bad Dockerfiles
# --------------------------------------------------------------------------

GOOD = """\
ARG RUST=1.95.0
FROM rust:${RUST}-slim-bookworm AS builder
RUN cargo build --release --locked
FROM gcr.io/distroless/cc-debian12:nonroot
COPY --from=builder /src/target/release/yelpsearch /usr/local/bin/yelpsearch
USER 65532:65532
ENTRYPOINT ["/usr/local/bin/yelpsearch"]
"""


def test_minimal_good_dockerfile_passes():
    assert dl.lint(GOOD) == []


@pytest.mark.parametrize("bad,expect", [
    # single stage
    ("FROM rust:1.95.0\nUSER 1000\nENTRYPOINT [\"/x/yelpsearch\"]\n", "not multi-stage"),
    # :latest and untagged bases
    (GOOD.replace("cc-debian12:nonroot", "cc-debian12:latest"), ":latest"),
    (GOOD.replace("cc-debian12:nonroot", "cc-debian12"), "not pinned"),
    (GOOD.replace("ARG RUST=1.95.0", "ARG RUST"), "ARG without a default"),
    # root or no USER at the end
    (GOOD.replace("USER 65532:65532", "USER root"), "ends as USER"),
    (GOOD.replace("USER 65532:65532", "USER 0:0"), "ends as USER"),
    (GOOD.replace("USER 65532:65532\n", ""), "sets no USER"),
    (GOOD + "USER root\n", "ends as USER"),
    # more than the binary in the runtime stage
    (GOOD.replace("COPY --from=builder", "COPY . /app\nCOPY --from=builder"), "not --from"),
    (GOOD.replace("/src/target/release/yelpsearch", "/src/target/release/"), "not just the binary"),
    (GOOD.replace("USER 65532", "RUN apt-get install -y curl\nUSER 65532"), "RUN in the runtime stage"),
    (GOOD.replace("COPY --from=builder", "ADD https://example.invalid/x /x\nCOPY --from=builder"), "ADD"),
    (GOOD.replace('ENTRYPOINT ["/usr/local/bin/yelpsearch"]', "ENTRYPOINT /usr/local/bin/yelpsearch"), "ENTRYPOINT"),
])
def test_bad_dockerfile_is_flagged(bad, expect):
    problems = dl.lint(bad)
    assert any(expect in p for p in problems), problems


def test_parser_handles_continuations_and_comments():
    ins = dl.parse("FROM a:1 AS b\nRUN one \\\n  # comment\n  && two\n")
    assert [(i.cmd, i.args) for i in ins] == [("FROM", "a:1 AS b"), ("RUN", "one  && two")]
