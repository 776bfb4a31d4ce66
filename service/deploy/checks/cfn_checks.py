"""CloudFormation checks for check.sh: checkov's JSON report of service/deploy/aws
must have no failed check, and every suppression in the templates must say why
and be in use.

  python cfn_checks.py CHECKOV_REPORT.json TEMPLATE...

Suppressions are `Metadata: checkov: skip: [{id, comment}]` and
`Metadata: cfn-lint: config: ignore_checks` on a resource. A checkov skip needs a
comment of at least 30 characters and must match a check checkov actually skipped
on that resource (a stale skip hides nothing today and would hide a new finding
tomorrow); cfn-lint ignores are not used at all.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import yaml


class CfnLoader(yaml.SafeLoader):
    """YAML with CloudFormation's short tags (!Ref, !Sub, ...) as plain values."""


def _tag(loader, suffix, node):
    if isinstance(node, yaml.ScalarNode):
        return loader.construct_scalar(node)
    if isinstance(node, yaml.SequenceNode):
        return loader.construct_sequence(node, deep=True)
    return loader.construct_mapping(node, deep=True)


CfnLoader.add_multi_constructor("!", _tag)


def load(path: Path) -> dict:
    return yaml.load(path.read_text(), Loader=CfnLoader)  # noqa: S506 - SafeLoader subclass


def suppressions(path: Path) -> tuple[list[tuple[str, str, str]], list[str]]:
    """(resource, check id, comment) of every checkov skip; cfn-lint ignores."""
    skips, ignores = [], []
    for name, res in (load(path).get("Resources") or {}).items():
        meta = res.get("Metadata") or {}
        for s in (meta.get("checkov") or {}).get("skip") or []:
            skips.append((name, str(s.get("id", "")), str(s.get("comment", "")).strip()))
        if ((meta.get("cfn-lint") or {}).get("config") or {}).get("ignore_checks"):
            ignores.append(f"{path.name}: {name}")
    return skips, ignores


def problems(report: list | dict, templates: list[Path]) -> list[str]:
    reports = report if isinstance(report, list) else [report]
    out = []
    applied = set()
    for r in reports:
        results = r.get("results") or {}
        for f in results.get("failed_checks") or []:
            out.append(
                f"checkov FAILED {f['check_id']} {f.get('check_name')} "
                f"on {f.get('resource')} ({f.get('file_path')})"
            )
        for s in results.get("skipped_checks") or []:
            applied.add(
                (
                    Path(s.get("file_path", "")).name,
                    s.get("resource", "").split(".")[-1],
                    s["check_id"],
                )
            )
    for t in templates:
        skips, ignores = suppressions(t)
        out += [f"cfn-lint checks ignored in {i}: fix the finding instead" for i in ignores]
        for res, cid, comment in skips:
            if len(comment) < 30:
                out.append(f"{t.name}: {res} skips {cid} without a reason (comment)")
            if (t.name, res, cid) not in applied:
                out.append(
                    f"{t.name}: {res} skips {cid}, which checkov does not report there: "
                    "remove the skip"
                )
    return out


def main() -> int:
    report = json.loads(Path(sys.argv[1]).read_text())
    templates = [Path(p) for p in sys.argv[2:]]
    found = problems(report, templates)
    for p in found:
        print(f"  {p}")
    reports = report if isinstance(report, list) else [report]
    summary = [r.get("summary", {}) for r in reports]
    passed = sum(s.get("passed", 0) for s in summary)
    skipped = sum(s.get("skipped", 0) for s in summary)
    n = sum(len(suppressions(t)[0]) for t in templates)
    print(
        f"  checkov: {passed} passed, {sum(s.get('failed', 0) for s in summary)} failed, "
        f"{skipped} skipped ({n} suppressions, each with its reason)"
    )
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
