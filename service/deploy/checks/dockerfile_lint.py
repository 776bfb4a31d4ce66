"""A small static Dockerfile check (hadolint is not available offline).

lint(text) returns a list of problems; an empty list means the Dockerfile is
multi-stage, pins every base image by tag or digest, ends as a non-root
USER, and copies only the binary into the runtime (final) stage.
Also: a .dockerignore matcher close to Docker's (moby/patternmatcher).
"""

from __future__ import annotations

import json
import re
import shlex
from dataclasses import dataclass, field
from pathlib import PurePosixPath


@dataclass
class Instruction:
    cmd: str
    args: str
    line: int


@dataclass
class Stage:
    image: str  # as written
    resolved: str  # after ARG substitution
    name: str | None
    instructions: list[Instruction] = field(default_factory=list)


def parse(text: str) -> list[Instruction]:
    out: list[Instruction] = []
    buf, start = "", 0
    for n, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not buf and (not line or line.startswith("#")):
            continue
        if buf and line.startswith("#"):
            continue  # comment inside a continuation
        if not buf:
            start = n
        if line.endswith("\\"):
            buf += line[:-1] + " "
            continue
        buf += line
        cmd, _, args = buf.strip().partition(" ")
        out.append(Instruction(cmd.upper(), args.strip(), start))
        buf = ""
    if buf:
        cmd, _, args = buf.strip().partition(" ")
        out.append(Instruction(cmd.upper(), args.strip(), start))
    return out


def _substitute(value: str, env: dict[str, str]) -> str:
    def rep(m: re.Match) -> str:
        name = m.group(1) or m.group(2)
        return env.get(name, m.group(0))
    return re.sub(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}|\$([A-Za-z_][A-Za-z0-9_]*)", rep, value)


def stages(instructions: list[Instruction]) -> list[Stage]:
    args: dict[str, str] = {}
    result: list[Stage] = []
    for ins in instructions:
        if ins.cmd == "ARG" and not result:
            name, eq, default = ins.args.partition("=")
            if eq:  # an ARG without a default stays unresolved
                args[name.strip()] = default.strip().strip('"')
        elif ins.cmd == "FROM":
            words = [w for w in ins.args.split() if not w.startswith("--")]
            image = words[0] if words else ""
            name = words[2] if len(words) >= 3 and words[1].upper() == "AS" else None
            result.append(Stage(image, _substitute(image, args), name))
        elif result:
            result[-1].instructions.append(ins)
    return result


def image_problem(image: str) -> str | None:
    if "$" in image:
        return f"base image {image!r} has an ARG without a default"
    if "@sha256:" in image:
        return None
    last = image.rsplit("/", 1)[-1]
    if ":" not in last:
        return f"base image {image!r} is not pinned (no tag)"
    if last.rsplit(":", 1)[1] == "latest":
        return f"base image {image!r} uses :latest"
    return None


def _copy_parts(args: str) -> tuple[dict[str, str], list[str]]:
    """Flags and (sources + destination) of a COPY/ADD."""
    if args.startswith("["):
        return {}, json.loads(args)
    words = shlex.split(args)
    flags = {}
    while words and words[0].startswith("--"):
        k, _, v = words.pop(0)[2:].partition("=")
        flags[k] = v
    return flags, words


def lint(text: str, binary: str = "yelpsearch") -> list[str]:
    problems: list[str] = []
    st = stages(parse(text))
    if len(st) < 2:
        problems.append(f"not multi-stage ({len(st)} FROM)")
    names: set[str] = set()
    for s in st:
        if s.resolved not in names:
            p = image_problem(s.resolved)
            if p:
                problems.append(p)
        if s.name:
            names.add(s.name)
    if not st:
        return problems
    final = st[-1]
    users = [i for i in final.instructions if i.cmd == "USER"]
    if not users:
        problems.append("the final stage sets no USER (would run as the base image's user)")
    else:
        user = users[-1].args.split(":")[0].strip()
        if user in ("root", "0", ""):
            problems.append(f"the final stage ends as USER {users[-1].args!r}")
    for i in final.instructions:
        if i.cmd == "ADD":
            problems.append(f"line {i.line}: ADD in the runtime stage (COPY --from the builder only)")
        elif i.cmd == "RUN":
            problems.append(f"line {i.line}: RUN in the runtime stage (it should hold only the binary)")
        elif i.cmd == "COPY":
            flags, parts = _copy_parts(i.args)
            srcs = parts[:-1]
            if flags.get("from") not in names:
                problems.append(f"line {i.line}: COPY into the runtime stage not --from an earlier stage: {i.args}")
            for src in srcs:
                base = PurePosixPath(src).name
                if base != binary and not src.startswith("/etc/ssl/certs"):
                    problems.append(f"line {i.line}: runtime stage copies {src!r}, not just the binary")
    entry = [i for i in final.instructions if i.cmd == "ENTRYPOINT"]
    if not entry or not entry[-1].args.startswith("["):
        problems.append("the final stage has no exec-form ENTRYPOINT")
    return problems


# ---------------------------------------------------------------------------
# .dockerignore
# ---------------------------------------------------------------------------

def _pattern_re(pattern: str) -> re.Pattern:
    out = ""
    i = 0
    while i < len(pattern):
        ch = pattern[i]
        if pattern.startswith("**", i):
            out += ".*"
            i += 2
            if i < len(pattern) and pattern[i] == "/":
                out = out[:-2] + "(.*/)?"
                i += 1
            continue
        if ch == "*":
            out += "[^/]*"
        elif ch == "?":
            out += "[^/]"
        else:
            out += re.escape(ch)
        i += 1
    return re.compile(f"^{out}$")


def dockerignore_excludes(patterns_text: str, path: str) -> bool:
    """True if `path` (relative to the context) is left out of the context."""
    rules = []
    for line in patterns_text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        neg = line.startswith("!")
        pat = line[1:] if neg else line
        pat = str(PurePosixPath(pat.strip().lstrip("/"))) or "."
        rules.append((neg, _pattern_re(pat)))
    p = PurePosixPath(path)
    candidates = [str(p)] + [str(a) for a in p.parents if str(a) != "."]
    excluded = False
    for neg, rx in rules:
        if any(rx.match(c) for c in candidates):
            excluded = not neg
    return excluded
