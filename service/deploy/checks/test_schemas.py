"""Schema validation (kubernetes-validate, strict, offline) of every render,
plus proof that it rejects broken objects."""

import copy

import pytest

from conftest import KUBE_VERSIONS, docs_of
from validate_schemas import validate_docs

RENDERS = ["eks", "local", "eks-ci", "s3", "s3-ci", "cluster-eks"]


@pytest.mark.parametrize("version", KUBE_VERSIONS)
@pytest.mark.parametrize("name", RENDERS)
def test_render_is_schema_valid(name, version):
    docs = docs_of(name)
    assert docs, f"{name} rendered no objects"
    assert validate_docs(docs, version) == []


def _server(docs):
    return next(d for d in docs if d["kind"] == "Deployment" and d["metadata"]["name"] == "yelpsearch")


def test_typo_field_is_rejected():
    docs = docs_of("eks")
    c = _server(docs)["spec"]["template"]["spec"]["containers"][0]
    c["livenessProb"] = c.pop("livenessProbe")
    errors = validate_docs(docs, KUBE_VERSIONS[0])
    assert len(errors) == 1 and "livenessProb" in errors[0]


def test_wrong_type_is_rejected():
    docs = docs_of("eks")
    _server(docs)["spec"]["template"]["spec"]["containers"][0]["ports"][0]["containerPort"] = "8080"
    assert validate_docs(docs, KUBE_VERSIONS[0])


def test_unknown_kind_is_rejected():
    bogus = {"apiVersion": "example.com/v1", "kind": "Widget", "metadata": {"name": "w"}}
    assert "no schema" in validate_docs([bogus], KUBE_VERSIONS[0])[0]


def test_prestop_sleep_needs_kubernetes_1_29_schema():
    # The kubelet-native preStop sleep is unknown to 1.28: documents why 1.30
    # (where the feature is on by default) is the minimum.
    docs = [copy.deepcopy(_server(docs_of("eks")))]
    assert any("sleep" in e for e in validate_docs(docs, "1.28"))
