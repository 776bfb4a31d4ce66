"""The CloudFormation templates (service/deploy/aws): what check.sh's cfn-lint and
checkov step cannot say. The suppression rules bite; no account ids or secrets; the
IRSA roles are least privilege; the deploy script, the pipeline and render-eks.sh
agree on the settings."""

from __future__ import annotations

import re

import cfn_checks
import manifests
import pytest

AWS = manifests.DEPLOY / "aws"
TEMPLATES = sorted(AWS.glob("*.yaml"))


def _t(name):
    return cfn_checks.load(AWS / name)


def test_templates_are_there():
    assert {t.name for t in TEMPLATES} == {
        "eks-cluster.yaml",
        "shared.yaml",
        "efs.yaml",
        "pipeline.yaml",
        "static-site.yaml",
    }


@pytest.mark.parametrize("path", TEMPLATES, ids=lambda p: p.name)
def test_template_shape(path):
    t = cfn_checks.load(path)
    assert t["AWSTemplateFormatVersion"] == "2010-09-09"
    assert t.get("Description") and t.get("Parameters") and t.get("Outputs") and t.get("Resources")


@pytest.mark.parametrize("path", TEMPLATES + [AWS / "deploy.sh"], ids=lambda p: p.name)
def test_no_account_ids(path):
    # 12-digit numbers only inside patterns ([0-9]{12}); the partition/account come
    # from pseudo parameters.
    for n, line in enumerate(path.read_text().splitlines(), 1):
        assert not re.search(r"(?<![\d.])\d{12}(?![\d.])", line), f"{path.name}:{n}: {line.strip()}"


def _statements(role):
    for p in role["Properties"].get("Policies") or []:
        yield from p["PolicyDocument"]["Statement"]


def test_server_role_only_reads_the_index_prefix():
    role = _t("shared.yaml")["Resources"]["ServerRole"]
    actions = {
        a
        for s in _statements(role)
        for a in ([s["Action"]] if isinstance(s["Action"], str) else s["Action"])
    }
    assert actions == {"s3:ListBucket", "s3:GetObject", "kms:Decrypt"}
    get = next(s for s in _statements(role) if s["Action"] == "s3:GetObject")
    assert get["Resource"].endswith("/${IndexPrefix}/*")
    lst = next(s for s in _statements(role) if s["Action"] == "s3:ListBucket")
    assert "s3:prefix" in lst["Condition"]["StringLike"]
    assert (
        'system:serviceaccount:${Namespace}:yelpsearch"'
        in role["Properties"]["AssumeRolePolicyDocument"]
    )


def test_jobs_role_writes_only_the_index_prefix():
    role = _t("shared.yaml")["Resources"]["JobsRole"]
    for s in _statements(role):
        acts = [s["Action"]] if isinstance(s["Action"], str) else s["Action"]
        if any(a in ("s3:PutObject", "s3:DeleteObject") for a in acts):
            assert s["Resource"].endswith("/${IndexPrefix}/*"), s
    assert (
        'system:serviceaccount:${Namespace}:yelpsearch-jobs"'
        in role["Properties"]["AssumeRolePolicyDocument"]
    )


def test_site_bucket_is_private_and_read_by_the_distribution_only():
    r = _t("static-site.yaml")["Resources"]
    pab = r["SiteBucket"]["Properties"]["PublicAccessBlockConfiguration"]
    assert all(pab.values())
    allow = [
        s
        for s in r["SiteBucketPolicy"]["Properties"]["PolicyDocument"]["Statement"]
        if s["Effect"] == "Allow"
    ]
    assert len(allow) == 1 and allow[0]["Principal"] == {"Service": "cloudfront.amazonaws.com"}
    assert "AWS:SourceArn" in allow[0]["Condition"]["StringEquals"]
    origin = r["Distribution"]["Properties"]["DistributionConfig"]["Origins"][0]
    assert "OriginAccessControlId" in origin
    assert (
        r["Distribution"]["Properties"]["DistributionConfig"]["DefaultCacheBehavior"][
            "ViewerProtocolPolicy"
        ]
        == "redirect-to-https"
    )


def test_pipeline_gives_the_build_what_render_needs():
    build = _t("pipeline.yaml")["Resources"]["Build"]["Properties"]
    env = {e["Name"] for e in build["Environment"]["EnvironmentVariables"]}
    assert {
        "AWS_ACCOUNT_ID",
        "INPUT_BUCKET",
        "IRSA_ROLE_ARN",
        "OVERLAY",
        "INDEX_URL",
        "SERVER_ROLE_ARN",
    } <= env
    assert build["Source"]["BuildSpec"] == "buildspec.yml"
    assert build["Environment"]["PrivilegedMode"] is True


def test_every_entry_point_defaults_to_the_s3_overlay():
    """The pipeline stack, aws/deploy.sh, buildspec.yml and render-eks.sh deploy the
    same overlay when none is named: s3 (the guide, section 0, says so)."""
    import yaml

    assert _t("pipeline.yaml")["Parameters"]["Overlay"]["Default"] == "s3"
    default = re.compile(r'^OVERLAY="\$\{OVERLAY:-s3\}"$', re.M)
    assert default.search((AWS / "deploy.sh").read_text())
    assert default.search((manifests.DEPLOY / "render-eks.sh").read_text())
    spec = yaml.safe_load((manifests.REPO / "buildspec.yml").read_text())
    assert spec["env"]["variables"]["OVERLAY"] == "s3"


def test_deploy_script_uses_every_template_and_output():
    text = (AWS / "deploy.sh").read_text()
    for t in TEMPLATES:
        assert t.name in text, t.name
    for name, key in re.findall(r'out "\$NAME-([a-z]+)" ([A-Za-z]+)', text):
        template = {
            "cluster": "eks-cluster.yaml",
            "shared": "shared.yaml",
            "efs": "efs.yaml",
            "site": "static-site.yaml",
            "pipeline": "pipeline.yaml",
        }[name]
        assert key in _t(template)["Outputs"], (name, key)


# --------------------------------------------------------------------------
# The suppression rules bite
# --------------------------------------------------------------------------


def _template(tmp_path, skips, ignore=False):
    meta = {"checkov": {"skip": skips}}
    if ignore:
        meta["cfn-lint"] = {"config": {"ignore_checks": ["W3005"]}}
    import yaml

    p = tmp_path / "t.yaml"
    p.write_text(
        yaml.safe_dump({"Resources": {"B": {"Type": "AWS::S3::Bucket", "Metadata": meta}}})
    )
    return p


def _report(skipped=(), failed=()):
    return {
        "results": {
            "skipped_checks": [
                {"check_id": c, "resource": "AWS::S3::Bucket.B", "file_path": "/t.yaml"}
                for c in skipped
            ],
            "failed_checks": [
                {
                    "check_id": c,
                    "check_name": "x",
                    "resource": "AWS::S3::Bucket.B",
                    "file_path": "/t.yaml",
                }
                for c in failed
            ],
        }
    }


def test_an_explained_skip_in_use_passes(tmp_path):
    p = _template(
        tmp_path,
        [{"id": "CKV_AWS_18", "comment": "the access-log bucket itself, logging it would loop"}],
    )
    assert cfn_checks.problems(_report(skipped=["CKV_AWS_18"]), [p]) == []


def test_a_skip_without_a_reason_is_flagged(tmp_path):
    p = _template(tmp_path, [{"id": "CKV_AWS_18", "comment": "ok"}])
    assert any(
        "without a reason" in x for x in cfn_checks.problems(_report(skipped=["CKV_AWS_18"]), [p])
    )


def test_a_stale_skip_is_flagged(tmp_path):
    p = _template(
        tmp_path, [{"id": "CKV_AWS_18", "comment": "a long enough reason that no longer applies"}]
    )
    assert any("remove the skip" in x for x in cfn_checks.problems(_report(), [p]))


def test_a_failed_check_and_a_cfn_lint_ignore_are_flagged(tmp_path):
    p = _template(tmp_path, [], ignore=True)
    v = cfn_checks.problems(_report(failed=["CKV_AWS_19"]), [p])
    assert any("FAILED CKV_AWS_19" in x for x in v) and any(
        "cfn-lint checks ignored" in x for x in v
    )
