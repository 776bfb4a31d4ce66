"""Render kustomizations and load the resulting objects."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path
from typing import Any

import yaml

DEPLOY = Path(__file__).resolve().parent.parent
REPO = DEPLOY.parent.parent

# Every kustomization CI renders: name -> directory.
KUSTOMIZATIONS = {
    "eks": DEPLOY / "overlays" / "eks",
    "local": DEPLOY / "overlays" / "local",
    "s3": DEPLOY / "overlays" / "s3",
    "cluster-eks": DEPLOY / "cluster" / "eks",
}

# Sample deploy-time settings for render-eks.sh (what buildspec.yml passes) with
# OVERLAY=eks ...
CI_SAMPLE_ENV = {
    "OVERLAY": "eks",
    "IMAGE_REPOSITORY": "210987654321.dkr.ecr.eu-west-1.amazonaws.com/yelpsearch",
    "IMAGE_TAG": "0123456789ab",
    "AWS_REGION": "eu-west-1",
    "INPUT_BUCKET": "ci-sample-input-bucket",
    "INPUT_PREFIX": "yelp/v1",
    "IRSA_ROLE_ARN": "arn:aws:iam::210987654321:role/yelpsearch-jobs-ci",
}


# ... and for OVERLAY=s3 (the default).
CI_SAMPLE_ENV_S3 = {
    **CI_SAMPLE_ENV,
    "OVERLAY": "s3",
    "INDEX_URL": "s3://ci-sample-data-bucket/index/v1",
    "SERVER_ROLE_ARN": "arn:aws:iam::210987654321:role/yelpsearch-server-ci",
}


def kubectl() -> str:
    return os.environ.get("KUBECTL", "kubectl")


def render_kustomization(path: Path) -> str:
    res = subprocess.run([kubectl(), "kustomize", str(path)], capture_output=True, text=True)
    if res.returncode != 0:
        raise RuntimeError(f"kubectl kustomize {path} failed:\n{res.stderr}")
    return res.stdout


def render_eks_ci(extra_env: dict[str, str] | None = None, s3: bool = False) -> subprocess.CompletedProcess:
    sample = CI_SAMPLE_ENV_S3 if s3 else CI_SAMPLE_ENV
    env = {k: v for k, v in os.environ.items() if k not in CI_SAMPLE_ENV_S3}
    env.update(sample)
    env.update(extra_env or {})
    return subprocess.run(["bash", str(DEPLOY / "render-eks.sh")], capture_output=True, text=True, env=env)


def load_docs(text: str) -> list[dict[str, Any]]:
    return [d for d in yaml.safe_load_all(text) if d]


def rendered(name: str) -> str:
    """Rendered YAML of a kustomization (or 'eks-ci'), from $RENDERED_DIR when
    check.sh already rendered it, else rendered now."""
    cache = os.environ.get("RENDERED_DIR")
    if cache and (Path(cache) / f"{name}.yaml").exists():
        return (Path(cache) / f"{name}.yaml").read_text()
    if name in ("eks-ci", "s3-ci"):
        res = render_eks_ci(s3=name == "s3-ci")
        if res.returncode != 0:
            raise RuntimeError(f"render-eks.sh failed:\n{res.stderr}")
        return res.stdout
    return render_kustomization(KUSTOMIZATIONS[name])


if __name__ == "__main__":
    # `python manifests.py NAME`: print a render (check.sh uses it for eks-ci, s3-ci).
    import sys

    print(rendered(sys.argv[1]), end="")
