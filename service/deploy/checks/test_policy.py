"""Policy tests: the rendered overlays pass, and deliberately bad manifests
(and mutated copies of the real ones) are flagged, so the rules are shown to
bite."""

from __future__ import annotations

from pathlib import Path

import pytest

import manifests
import policy
from conftest import docs_of

APP_OVERLAYS = ["eks", "local", "eks-ci", "s3", "s3-ci"]
EKS_RENDERS = ["eks", "eks-ci"]
S3_RENDERS = ["s3", "s3-ci"]
ALL_RENDERS = APP_OVERLAYS + ["cluster-eks"]

# Built at run time so that no AWS-key-shaped literal sits in this file.
FAKE_ACCESS_KEY = "AKIA" + "Z" * 16
SECRET_KEY_NAME = "aws_secret" + "_access_key"


def _find(docs, kind, name):
    return next(d for d in docs if d["kind"] == kind and d["metadata"]["name"] == name)


def _server(docs):
    return _find(docs, "Deployment", "yelpsearch")


def _server_container(docs):
    return _server(docs)["spec"]["template"]["spec"]["containers"][0]


def _deployment(container: dict, **pod) -> dict:
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": "bad"},
        "spec": {"template": {"metadata": {"labels": {"app": "bad"}},
                              "spec": {"containers": [container], **pod}}},
    }


GOOD_CONTAINER = {
    "name": "app",
    "image": "registry.example/app:1.2.3",
    "livenessProbe": {"httpGet": {"path": "/health", "port": 8080}},
    "readinessProbe": {"httpGet": {"path": "/ready", "port": 8080}},
    "resources": {"requests": {"cpu": "100m", "memory": "64Mi"},
                  "limits": {"cpu": "1", "memory": "128Mi"}},
    "securityContext": {"runAsNonRoot": True, "readOnlyRootFilesystem": True,
                        "allowPrivilegeEscalation": False, "capabilities": {"drop": ["ALL"]},
                        "seccompProfile": {"type": "RuntimeDefault"}},
}


def _with(**changes) -> dict:
    c = {**GOOD_CONTAINER, **changes}
    return {k: v for k, v in c.items() if v is not None}


# --------------------------------------------------------------------------
# The real overlays pass
# --------------------------------------------------------------------------

@pytest.mark.parametrize("name", ALL_RENDERS)
def test_generic_policies_pass(name):
    assert policy.run(policy.GENERIC_POLICIES, docs_of(name)) == []


@pytest.mark.parametrize("name", APP_OVERLAYS)
def test_app_policies_pass(name):
    assert policy.run(policy.APP_POLICIES, docs_of(name)) == []


@pytest.mark.parametrize("name", EKS_RENDERS)
def test_eks_policies_pass(name):
    assert policy.run(policy.EKS_POLICIES, docs_of(name)) == []


@pytest.mark.parametrize("name", S3_RENDERS)
def test_s3_policies_pass(name):
    assert policy.run(policy.S3_POLICIES, docs_of(name)) == []


def test_s3_policies_reject_the_eks_overlay():
    # EFS-shared index, no server role, no pull, jobs writing in place: the s3
    # rules must see every one of these.
    v = policy.run(policy.S3_POLICIES, docs_of("eks"))
    for expect in ("shares no volume", "read-only role", "not an s3:// URL",
                   "does not pull the published index first", "does not publish its result last"):
        assert any(expect in x for x in v), (expect, v)


def test_eks_policies_reject_the_s3_overlay():
    assert any("ReadWriteMany" in x for x in policy.run(policy.EKS_POLICIES, docs_of("s3")))


def test_s3_mutation_server_shares_the_jobs_role():
    docs = docs_of("s3")
    jobs = _find(docs, "ServiceAccount", "yelpsearch-jobs")["metadata"]["annotations"][policy.IRSA_ANNOTATION]
    _find(docs, "ServiceAccount", "yelpsearch")["metadata"]["annotations"][policy.IRSA_ANNOTATION] = jobs
    assert any("share one role" in x for x in policy.check_s3_index(docs))


def test_s3_mutation_nightly_without_publish():
    docs = docs_of("s3")
    spec = _find(docs, "CronJob", "yelpsearch-nightly")["spec"]["jobTemplate"]["spec"]["template"]["spec"]
    spec["containers"][0]["args"] = ["index", "versions", "--index", "/data/index"]
    assert any("does not publish" in x for x in policy.check_s3_index(docs))


def test_s3_mutation_publish_elsewhere():
    docs = docs_of("s3")
    cm = next(d for d in docs if d["kind"] == "ConfigMap" and "YELPSEARCH_PUBLISH" in (d.get("data") or {}))
    cm["data"]["YELPSEARCH_PUBLISH"] = "s3://another-bucket/index"
    assert any("publishes to" in x for x in policy.check_s3_index(docs))


def test_s3_mutation_local_rollback():
    docs = docs_of("s3")
    c = _find(docs, "CronJob", "yelpsearch-ops-rollback")["spec"]["jobTemplate"]["spec"]["template"]["spec"]["containers"][0]
    c["args"] = ["index", "rollback", "--index", "/data/index"]
    assert any("use --remote" in x for x in policy.check_s3_index(docs))


def test_s3_mutation_pulling_server_on_a_shared_claim():
    docs = docs_of("s3")
    spec = _server(docs)["spec"]["template"]["spec"]
    for v in spec["volumes"]:
        if v["name"] == "index":
            v.pop("emptyDir")
            v["persistentVolumeClaim"] = {"claimName": "yelpsearch-index"}
    assert any("not an emptyDir" in x for x in policy.check_server_deployment(docs))


def test_eks_policies_reject_the_local_overlay():
    # The local overlay has no IRSA role, a RWO volume and no NLB: the EKS
    # rules must notice, or they would be checking nothing.
    violations = policy.run(policy.EKS_POLICIES, docs_of("local"))
    assert any("role-arn" in v for v in violations)
    assert any("ReadWriteMany" in v for v in violations)
    assert any("aws-load-balancer-type" in v for v in violations)


def test_base_alone_still_has_placeholders():
    # The base is environment-neutral: rendering it without an overlay leaves
    # the placeholders, which the placeholder rule catches.
    docs = manifests.load_docs(manifests.render_kustomization(manifests.DEPLOY / "base"))
    assert policy.check_no_placeholders(docs)


# --------------------------------------------------------------------------
# Deliberately bad manifests are flagged
# --------------------------------------------------------------------------

def test_good_container_passes_generic_policies():
    assert policy.run(policy.GENERIC_POLICIES, [_deployment(GOOD_CONTAINER)]) == []


@pytest.mark.parametrize("probe", ["livenessProbe", "readinessProbe"])
def test_missing_probe_is_flagged(probe):
    v = policy.check_probes([_deployment(_with(**{probe: None}))])
    assert v == [f"Deployment/bad: container app has no {probe}"]


def test_container_without_any_probe_is_flagged():
    v = policy.check_probes([_deployment(_with(livenessProbe=None, readinessProbe=None))])
    assert len(v) == 2


@pytest.mark.parametrize("image", [
    "registry.example/app:latest",
    "registry.example/app",
    "app",
    "localhost:5000/app",  # a registry port is not a tag
])
def test_unpinned_image_is_flagged(image):
    v = policy.check_images_pinned([_deployment(_with(image=image))])
    assert len(v) == 1 and image in v[0]


@pytest.mark.parametrize("image", [
    "app:1.0", "localhost:5000/app:1.0", "amazon/aws-cli:2.27.50",
    "app@sha256:" + "a" * 64, "app:1.0@sha256:" + "b" * 64,
])
def test_pinned_image_passes(image):
    assert policy.check_images_pinned([_deployment(_with(image=image))]) == []


def test_latest_init_container_is_flagged():
    doc = _deployment(GOOD_CONTAINER, initContainers=[_with(name="init", image="amazon/aws-cli:latest")])
    assert policy.check_images_pinned([doc])


def test_literal_aws_key_in_env_is_flagged():
    env = [{"name": "AWS_ACCESS_KEY_ID", "value": FAKE_ACCESS_KEY}]
    v = policy.check_no_plaintext_secrets([_deployment(_with(env=env))])
    assert any("AWS access key id" in x for x in v)


def test_literal_aws_key_anywhere_is_flagged():
    cm = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"},
          "data": {"script.sh": f"export K={FAKE_ACCESS_KEY}\n"}}
    assert policy.check_no_plaintext_secrets([cm])


def test_aws_secret_key_name_text_is_flagged():
    cm = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"},
          "data": {"credentials": f"[default]\n{SECRET_KEY_NAME} = x\n"}}
    assert policy.check_no_plaintext_secrets([cm])


@pytest.mark.parametrize("name", ["DB_PASSWORD", "API_TOKEN", "CLIENT_SECRET", "GITHUB_TOKEN"])
def test_secret_named_env_with_literal_is_flagged(name):
    v = policy.check_no_plaintext_secrets([_deployment(_with(env=[{"name": name, "value": "hunter2"}]))])
    assert v and name in v[0]


def test_secret_named_env_from_secret_ref_passes():
    env = [{"name": "DB_PASSWORD", "valueFrom": {"secretKeyRef": {"name": "db", "key": "password"}}},
           {"name": "AWS_WEB_IDENTITY_TOKEN_FILE", "value": "/var/run/secrets/token"}]
    assert policy.check_no_plaintext_secrets([_deployment(_with(env=env))]) == []


def test_secret_named_configmap_key_is_flagged():
    cm = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"}, "data": {"API_TOKEN": "abc"}}
    assert policy.check_no_plaintext_secrets([cm])


def test_inline_secret_object_is_flagged():
    s = {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "s"}, "stringData": {"x": "y"}}
    assert policy.check_no_plaintext_secrets([s])


@pytest.mark.parametrize("field,value,expect", [
    ("runAsNonRoot", None, "runAsNonRoot"),
    ("runAsNonRoot", False, "runAsNonRoot"),
    ("readOnlyRootFilesystem", None, "readOnlyRootFilesystem"),
    ("readOnlyRootFilesystem", False, "readOnlyRootFilesystem"),
    ("allowPrivilegeEscalation", True, "allowPrivilegeEscalation"),
    ("capabilities", {"drop": ["NET_RAW"]}, "drop ALL"),
    ("seccompProfile", {"type": "Unconfined"}, "seccompProfile"),
    ("privileged", True, "privileged"),
])
def test_weak_security_context_is_flagged(field, value, expect):
    sc = {**GOOD_CONTAINER["securityContext"], field: value}
    sc = {k: v for k, v in sc.items() if v is not None}
    v = policy.check_security_context([_deployment(_with(securityContext=sc))])
    assert any(expect in x for x in v), v


def test_pod_level_run_as_non_root_counts():
    sc = {k: v for k, v in GOOD_CONTAINER["securityContext"].items() if k != "runAsNonRoot"}
    doc = _deployment(_with(securityContext=sc), securityContext={"runAsNonRoot": True})
    assert policy.check_security_context([doc]) == []


def test_host_path_and_host_network_are_flagged():
    doc = _deployment(GOOD_CONTAINER, hostNetwork=True, volumes=[{"name": "h", "hostPath": {"path": "/"}}])
    v = policy.check_security_context([doc])
    assert any("hostNetwork" in x for x in v) and any("hostPath" in x for x in v)


@pytest.mark.parametrize("section,res", [("requests", "cpu"), ("requests", "memory"),
                                         ("limits", "cpu"), ("limits", "memory")])
def test_missing_resources_are_flagged(section, res):
    r = {s: dict(v) for s, v in GOOD_CONTAINER["resources"].items()}
    del r[section][res]
    v = policy.check_resources([_deployment(_with(resources=r))])
    assert v == [f"Deployment/bad: container app has no {section}.{res}"]


def test_request_above_limit_is_flagged():
    r = {"requests": {"cpu": "2", "memory": "64Mi"}, "limits": {"cpu": "1", "memory": "128Mi"}}
    assert policy.check_resources([_deployment(_with(resources=r))])


def test_cronjob_policies_flag_a_loose_cronjob():
    cj = {"apiVersion": "batch/v1", "kind": "CronJob", "metadata": {"name": "yelpsearch-nightly"},
          "spec": {"schedule": "* * * * *", "concurrencyPolicy": "Allow",
                   "jobTemplate": {"spec": {"template": {"spec": {"containers": [GOOD_CONTAINER]}}}}}}
    v = policy.check_cronjobs([cj])
    for expect in ("Forbid", "startingDeadlineSeconds", "successfulJobsHistoryLimit",
                   "failedJobsHistoryLimit", "backoffLimit", "aws-cli", "yelpsearch-weekly"):
        assert any(expect in x for x in v), (expect, v)


def test_secret_text_scan_flags_key():
    assert policy.scan_text_for_secrets(f"key: {FAKE_ACCESS_KEY}\n")
    assert policy.scan_text_for_secrets(SECRET_KEY_NAME.upper() + "=abc")
    assert policy.scan_text_for_secrets("nothing to see") == []


# --------------------------------------------------------------------------
# Mutations of the real eks render are flagged
# --------------------------------------------------------------------------

def test_mutation_server_without_probes(eks_docs):
    c = _server_container(eks_docs)
    del c["livenessProbe"], c["readinessProbe"]
    v = policy.run(policy.GENERIC_POLICIES + policy.APP_POLICIES, eks_docs)
    assert any("no livenessProbe" in x for x in v) and any("no readinessProbe" in x for x in v)


def test_mutation_server_latest_image(eks_docs):
    c = _server_container(eks_docs)
    c["image"] = c["image"].rsplit(":", 1)[0] + ":latest"
    assert policy.check_images_pinned(eks_docs)


def test_mutation_literal_aws_key(eks_docs):
    cj = _find(eks_docs, "CronJob", "yelpsearch-nightly")
    init = cj["spec"]["jobTemplate"]["spec"]["template"]["spec"]["initContainers"][0]
    init["env"].append({"name": "AWS_ACCESS_KEY_ID", "value": FAKE_ACCESS_KEY})
    assert policy.check_no_plaintext_secrets(eks_docs)
    assert policy.check_irsa(eks_docs)


def test_mutation_writable_root_fs(eks_docs):
    _server_container(eks_docs)["securityContext"]["readOnlyRootFilesystem"] = False
    assert policy.check_security_context(eks_docs)


def test_mutation_short_termination_grace(eks_docs):
    _server(eks_docs)["spec"]["template"]["spec"]["terminationGracePeriodSeconds"] = 30
    assert any("terminationGracePeriodSeconds" in x for x in policy.check_server_deployment(eks_docs))


def test_mutation_longer_shutdown_grace_needs_longer_termination(eks_docs):
    cm = next(d for d in eks_docs if d["kind"] == "ConfigMap" and "YELPSEARCH_SHUTDOWN_GRACE_SECS" in d["data"])
    cm["data"]["YELPSEARCH_SHUTDOWN_GRACE_SECS"] = "60"
    assert any("terminationGracePeriodSeconds" in x for x in policy.check_server_deployment(eks_docs))


def test_mutation_writable_index_mount(eks_docs):
    for m in _server_container(eks_docs)["volumeMounts"]:
        m.pop("readOnly", None)
    assert any("readOnly" in x for x in policy.check_server_deployment(eks_docs))


def test_mutation_single_replica_without_hpa(eks_docs):
    eks_docs[:] = [d for d in eks_docs if d["kind"] != "HorizontalPodAutoscaler"]
    _server(eks_docs)["spec"]["replicas"] = 1
    assert any("replicas=1" in x for x in policy.check_server_deployment(eks_docs))


def test_mutation_oversized_emptydir(eks_docs):
    cj = _find(eks_docs, "CronJob", "yelpsearch-nightly")
    for v in cj["spec"]["jobTemplate"]["spec"]["template"]["spec"]["volumes"]:
        if "emptyDir" in v:
            v["emptyDir"]["sizeLimit"] = "500Gi"
    assert policy.check_emptydir_budget(eks_docs)


def test_mutation_bad_irsa_arn(eks_docs):
    sa = _find(eks_docs, "ServiceAccount", "yelpsearch-jobs")
    sa["metadata"]["annotations"][policy.IRSA_ANNOTATION] = "arn:aws:iam::000000000000:role/REPLACE_IN_OVERLAY"
    assert policy.check_no_placeholders(eks_docs)


def test_mutation_unsuspended_ops_cronjob(eks_docs):
    _find(eks_docs, "CronJob", "yelpsearch-ops-rollback")["spec"]["suspend"] = False
    assert any("suspended" in x for x in policy.check_cronjobs(eks_docs))


# --------------------------------------------------------------------------
# No secret-looking text anywhere in the deploy tree, Dockerfile, buildspec
# --------------------------------------------------------------------------

def _scanned_files() -> list[Path]:
    files = [p for p in manifests.DEPLOY.rglob("*")
             if p.is_file() and "__pycache__" not in p.parts and not p.name.startswith(".")
             and p.suffix in {".yaml", ".yml", ".env", ".sh", ".py", ".md", ".txt", ".lua", ".csv", ".json"}]
    for extra in (manifests.REPO / "buildspec.yml", manifests.DEPLOY.parent / "Dockerfile"):
        if extra.exists():
            files.append(extra)
    return files


def test_no_secret_text_in_deploy_files():
    files = _scanned_files()
    assert len(files) > 10
    hits = {str(p.relative_to(manifests.REPO)): policy.scan_text_for_secrets(p.read_text())
            for p in files}
    assert {k: v for k, v in hits.items() if v} == {}
