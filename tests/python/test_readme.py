"""The README's first-use sections, run as written in a fresh directory.

Its fenced blocks are taken from the README itself: the command line's ``sh`` block, the
Rust quickstart (the same program as ``examples/readme.rs``, which is run), and the
Python and Flask blocks, pasted one after the other into one interpreter; then the
example of ``help(yelpsearch)``. The install lines (``cargo install``, ``pip install``)
are not re-run: the test checks that what they provide is there (the CLI this checkout
built first on the PATH, the package and Flask importable).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import yelpsearch

ROOT = Path(__file__).resolve().parents[2]
README = ROOT / "README.md"

#: What each install line provides, checked instead of running it.
INSTALLS = ("cargo install ", "pip install ")


def blocks(section: str) -> list[tuple[str, str]]:
    """The fenced blocks (language, text) of a ``## section`` of the README."""
    text = README.read_text(encoding="utf-8")
    start = text.index(f"\n## {section}\n")
    end = text.find("\n## ", start + 1)
    body = text[start : end if end > 0 else len(text)]
    return re.findall(r"^```(\w*)\n(.*?)^```$", body, re.S | re.M)


def run_sh(script: str, cwd: Path, env: dict[str, str]) -> str:
    lines = []
    for line in script.splitlines():
        if line.startswith(INSTALLS):
            continue
        lines.append(line)
    done = subprocess.run(
        ["bash", "-euo", "pipefail", "-c", "\n".join(lines)],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert done.returncode == 0, (script, done.stdout, done.stderr)
    return done.stdout


@pytest.fixture(scope="module")
def fresh(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str]]:
    """A fresh directory, and an environment whose PATH starts with this checkout's CLI
    (what ``cargo install --path service`` gives)."""
    cli = os.environ.get("YELPSEARCH_CLI") or str(ROOT / "target/release/yelpsearch")
    if not Path(cli).is_file():
        if os.environ.get("YELPSEARCH_REQUIRE_CLI"):
            pytest.fail(f"no CLI at {cli}")
        pytest.skip("the CLI is not built")
    bin_dir = tmp_path_factory.mktemp("bin")
    (bin_dir / "yelpsearch").symlink_to(cli)
    env = {**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}"}
    assert shutil.which("yelpsearch", path=env["PATH"]) == str(bin_dir / "yelpsearch")
    return tmp_path_factory.mktemp("readme"), env


def test_the_command_line_first_use(fresh: tuple[Path, dict[str, str]]) -> None:
    cwd, env = fresh
    [(lang, script)] = blocks("First use: the command line")
    assert lang == "sh"
    assert "cargo install --locked --path service" in script
    out = run_sh(script, cwd, env)
    assert (cwd / "idx" / "CURRENT").is_file()
    assert "61820" in out and "matching review" in out, out


def test_the_rust_quickstart(fresh: tuple[Path, dict[str, str]]) -> None:
    cwd, env = fresh
    if not (cwd / "data").is_dir():
        pytest.skip("needs the command line's data (test_the_command_line_first_use)")
    [(lang, code)] = blocks("Rust quickstart")
    assert lang == "rust"
    assert "# Ok::<" not in code, "a rustdoc hidden line does not paste"
    example = (ROOT / "examples" / "readme.rs").read_text(encoding="utf-8")
    body = re.sub(r"\A(//!.*\n)+\n", "", example)
    assert code == body, "README's Rust quickstart and examples/readme.rs differ"
    binary = ROOT / "target" / "release" / "examples" / "readme"
    if not binary.is_file():
        if os.environ.get("YELPSEARCH_REQUIRE_CLI"):
            pytest.fail(f"not built: {binary} (cargo build --release --example readme)")
        pytest.skip("examples/readme.rs is not built")
    done = subprocess.run([binary], cwd=cwd, env=env, capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stderr
    assert "matching reviews" in done.stdout


def test_the_python_and_flask_quickstarts(fresh: tuple[Path, dict[str, str]]) -> None:
    cwd, env = fresh
    found = blocks("Python and Flask")
    langs = [lang for lang, _ in found]
    assert langs == ["sh", "python", "python"], langs
    install = found[0][1]
    assert "pip install '.[flask]'" in install, "the blueprint needs the flask extra"
    extras = re.search(r"\[project\.optional-dependencies\]\n(.*?)\n\n", _pyproject(), re.S)
    assert extras and re.search(r"^flask = ", extras.group(1), re.M)
    run_sh(install, cwd, env)  # every line installs: nothing runs, what they give is below
    py = "\n\n".join(code for _, code in found[1:])
    # After the paste, the blueprint answers as the API does.
    py += textwrap.dedent(
        """
        resp = app.test_client().get("/api/search", query_string={"q": "61820 sushi"})
        assert resp.status_code == 200, resp.get_data(as_text=True)
        print("blueprint", len(resp.get_json()["results"]))
        """
    )
    done = subprocess.run(
        [sys.executable, "-"],
        input=py,
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    # The loop met related places (no snippets) and did not crash on them.
    assert any(line.endswith("(related)") for line in lines), done.stdout
    assert any(not line.endswith("(related)") for line in lines[:-1]), done.stdout
    assert lines[-1].startswith("blueprint ")


def test_the_example_of_help_yelpsearch(fresh: tuple[Path, dict[str, str]]) -> None:
    cwd, env = fresh
    if not (cwd / "idx" / "CURRENT").is_file():
        pytest.skip("needs the command line's index (test_the_command_line_first_use)")
    doc = yelpsearch.__doc__ or ""
    lines = []
    for line in doc.split("::\n", 1)[1].splitlines():
        if line and not line.startswith("    "):
            break
        lines.append(line)
    example = textwrap.dedent("\n".join(lines))
    assert 'Index("demo-data/index")' in example
    (cwd / "demo-data").mkdir(exist_ok=True)
    link = cwd / "demo-data" / "index"
    if not link.exists():
        link.symlink_to(cwd / "idx")
    done = subprocess.run(
        [sys.executable, "-c", example],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, (example, done.stderr)
    lines = done.stdout.splitlines()
    assert any(line.endswith("(related)") for line in lines), done.stdout


def _pyproject() -> str:
    return (ROOT / "pyproject.toml").read_text(encoding="utf-8")
