import copy
import os
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

import manifests  # noqa: E402

# Kubernetes releases the manifests must validate against: the oldest we
# support (1.30: kubelet-native preStop sleep on by default) and newer ones.
KUBE_VERSIONS = os.environ.get("KUBE_VERSIONS", "1.30 1.33 1.37").split()

_cache: dict[str, list] = {}


def docs_of(name: str) -> list[dict]:
    """Rendered objects of a kustomization; a fresh deep copy per call so a
    test may mutate them."""
    if name not in _cache:
        _cache[name] = manifests.load_docs(manifests.rendered(name))
    return copy.deepcopy(_cache[name])


@pytest.fixture
def eks_docs():
    return docs_of("eks")
