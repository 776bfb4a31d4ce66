"""Validate rendered manifests against the Kubernetes OpenAPI JSON schemas
shipped inside the kubernetes-validate package (works offline).

usage: python validate_schemas.py --kube-version 1.30 [--kube-version 1.37] FILE...
Strict mode: unknown fields (typos such as `livenessProb`) are errors, and so
is an object whose kind has no schema (we use no CRDs).
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter

import kubernetes_validate
import yaml
from kubernetes_validate import utils as kv


def validate_docs(docs: list[dict], version: str) -> list[str]:
    errors = []
    for d in docs:
        name = f"{d.get('kind')}/{(d.get('metadata') or {}).get('name')}"
        try:
            kv.validate(d, version, strict=True)
        except kv.ValidationError as e:
            path = ".".join(str(p) for p in e.path)
            errors.append(f"{name}: {path}: {e.message}")
        except kv.SchemaNotFoundError as e:
            errors.append(f"{name}: no schema: {e.message}")
        except kv.VersionNotSupportedError:
            errors.append(f"kubernetes-validate {kubernetes_validate.__version__} has no schemas for {version}")
            break
    return errors


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--kube-version", action="append", required=True)
    ap.add_argument("files", nargs="+")
    args = ap.parse_args(argv)
    failed = 0
    for path in args.files:
        with open(path) as f:
            docs = [d for d in yaml.safe_load_all(f) if d]
        kinds = Counter(d.get("kind") for d in docs)
        for version in args.kube_version:
            errors = validate_docs(docs, version)
            status = "FAIL" if errors else "ok"
            print(f"  {status:4} {path} @ {version}: {len(docs)} objects "
                  f"({', '.join(f'{n} {k}' for k, n in sorted(kinds.items()))})")
            for e in errors:
                print(f"       {e}")
            failed += bool(errors)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
