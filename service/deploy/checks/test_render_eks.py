"""render-eks.sh (what buildspec.yml deploys): settings from the environment
reach the manifests, bad settings are refused, nothing is left behind."""

import pytest

import manifests
import policy
from manifests import CI_SAMPLE_ENV, DEPLOY, load_docs, render_eks_ci


def _find(docs, kind, name):
    return next(d for d in docs if d["kind"] == kind and d["metadata"]["name"] == name)


def test_settings_reach_the_manifests():
    res = render_eks_ci()
    assert res.returncode == 0, res.stderr
    docs = load_docs(res.stdout)
    image = f"{CI_SAMPLE_ENV['IMAGE_REPOSITORY']}:{CI_SAMPLE_ENV['IMAGE_TAG']}"
    for doc, spec in policy.workloads(docs):
        for key, c in policy.containers(spec):
            if key == "containers":
                assert c["image"] == image, policy.ident(doc)
    sa = _find(docs, "ServiceAccount", "yelpsearch-jobs")
    assert sa["metadata"]["annotations"][policy.IRSA_ANNOTATION] == CI_SAMPLE_ENV["IRSA_ROLE_ARN"]
    aws = next(d for d in docs if d["kind"] == "ConfigMap" and d["metadata"]["name"].startswith("yelpsearch-aws"))
    for k in ("AWS_REGION", "INPUT_BUCKET", "INPUT_PREFIX", "IRSA_ROLE_ARN"):
        assert aws["data"][k] == CI_SAMPLE_ENV[k]
    assert not list(DEPLOY.glob(".render-*")), "temporary kustomization left behind"


def test_s3_settings_reach_the_manifests():
    res = render_eks_ci(s3=True)
    assert res.returncode == 0, res.stderr
    docs = load_docs(res.stdout)
    server = _find(docs, "ServiceAccount", "yelpsearch")
    assert server["metadata"]["annotations"][policy.IRSA_ANNOTATION] == manifests.CI_SAMPLE_ENV_S3["SERVER_ROLE_ARN"]
    cfg = next(d for d in docs if d["kind"] == "ConfigMap" and d["metadata"]["name"].startswith("yelpsearch-config"))
    assert cfg["data"]["YELPSEARCH_PULL"] == cfg["data"]["YELPSEARCH_PUBLISH"] == manifests.CI_SAMPLE_ENV_S3["INDEX_URL"]
    assert not [d for d in docs if d["kind"] == "PersistentVolumeClaim"]
    image = f"{CI_SAMPLE_ENV['IMAGE_REPOSITORY']}:{CI_SAMPLE_ENV['IMAGE_TAG']}"
    for doc, spec in policy.workloads(docs):
        for key, c in policy.containers(spec):
            if c["name"] != "fetch-inputs":
                assert c["image"] == image, (policy.ident(doc), c["name"])
    assert "111122223333" not in res.stdout


@pytest.mark.parametrize("env,expect", [
    ({"INDEX_URL": "https://bucket/x"}, "INDEX_URL"),
    ({"INDEX_URL": ""}, "INDEX_URL is not set"),
    ({"SERVER_ROLE_ARN": "role/x"}, "SERVER_ROLE_ARN"),
    ({"OVERLAY": "efs"}, "OVERLAY"),
])
def test_bad_s3_settings_are_refused(env, expect):
    res = render_eks_ci(env, s3=True)
    assert res.returncode != 0
    assert expect in res.stderr


def test_aws_cli_mirror():
    mirror = "210987654321.dkr.ecr.eu-west-1.amazonaws.com/docker-hub/amazon/aws-cli"
    res = render_eks_ci({"AWS_CLI_IMAGE_REPOSITORY": mirror})
    assert res.returncode == 0, res.stderr
    inits = [c["image"] for d, s in policy.workloads(load_docs(res.stdout)) for c in s.get("initContainers") or []]
    assert inits and all(i.startswith(mirror + ":") for i in inits)


@pytest.mark.parametrize("env,expect", [
    ({"IMAGE_TAG": "latest"}, "not 'latest'"),
    ({"IMAGE_TAG": ""}, "IMAGE_TAG is not set"),
    ({"IRSA_ROLE_ARN": "arn:aws:iam::123:role/x"}, "IRSA_ROLE_ARN"),
    ({"INPUT_BUCKET": "bucket\n  evil: true"}, "INPUT_BUCKET"),
    ({"AWS_REGION": "Europe"}, "AWS_REGION"),
    ({"IMAGE_REPOSITORY": "UPPER/case"}, "IMAGE_REPOSITORY"),
    ({"INPUT_PREFIX": 'a" b'}, "INPUT_PREFIX"),
])
def test_bad_settings_are_refused(env, expect):
    res = render_eks_ci(env)
    assert res.returncode != 0
    assert expect in res.stderr
    assert not list(DEPLOY.glob(".render-*"))


def test_without_overlay_the_s3_overlay_is_rendered():
    """OVERLAY unset (empty) renders the s3 overlay, as the pipeline deploys it, and
    asks for its settings."""
    s3 = dict(manifests.CI_SAMPLE_ENV_S3, OVERLAY="")
    res = render_eks_ci(s3)
    assert res.returncode == 0, res.stderr
    docs = load_docs(res.stdout)
    cfg = next(d for d in docs if d["kind"] == "ConfigMap" and d["metadata"]["name"].startswith("yelpsearch-config"))
    assert cfg["data"]["YELPSEARCH_PULL"] == s3["INDEX_URL"]
    assert not [d for d in docs if d["kind"] == "PersistentVolumeClaim"]
    res = render_eks_ci({"OVERLAY": ""})
    assert res.returncode != 0 and "INDEX_URL is not set" in res.stderr


def test_committed_eks_overlay_is_the_placeholder_account():
    # The committed overlay carries the documentation account only; real
    # account values come from render-eks.sh (CI) or a local edit.
    text = manifests.rendered("eks")
    assert "111122223333" in text
    assert CI_SAMPLE_ENV["IMAGE_TAG"] not in text


def test_buildspec_is_consistent():
    """buildspec.yml builds with the Dockerfile's toolchain, deploys through
    render-eks.sh, and provides every setting render-eks.sh requires."""
    import re

    import yaml

    import dockerfile_lint as dl

    spec = yaml.safe_load((manifests.REPO / "buildspec.yml").read_text())
    text = (manifests.REPO / "buildspec.yml").read_text()
    rust_in_dockerfile = dl.stages(dl.parse((manifests.REPO / "service" / "Dockerfile").read_text()))[0].resolved
    assert spec["env"]["variables"]["RUST_IMAGE"] == rust_in_dockerfile
    post = "\n".join(spec["phases"]["post_build"]["commands"])
    assert "render-eks.sh" in post and "CODEBUILD_BUILD_SUCCEEDING" in post
    assert "rollout undo" in post
    build = "\n".join(spec["phases"]["build"]["commands"])
    assert "check.sh" in build and "cargo test" in build and "service/Dockerfile" in build
    for var in ("IMAGE_REPOSITORY", "IMAGE_TAG", "AWS_REGION", "INPUT_BUCKET", "IRSA_ROLE_ARN", "INPUT_PREFIX",
                "OVERLAY", "INDEX_URL", "SERVER_ROLE_ARN"):
        assert re.search(rf"\b{var}\b", text), f"buildspec never provides {var}"
    assert not re.search(r"AWS_(ACCESS_KEY_ID|SECRET)", text), "no static AWS credentials in the buildspec"
