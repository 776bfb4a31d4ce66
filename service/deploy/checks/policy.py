"""Policy rules for the rendered Kubernetes manifests.

Every rule takes the list of rendered objects (dicts) and returns a list of
human-readable violations; an empty list means the rule passes. The rules
are deliberately plain Python (no OPA/conftest binary is available offline).
"""

from __future__ import annotations

import re
from typing import Any, Callable, Iterable, Iterator

Doc = dict[str, Any]

WORKLOAD_KINDS = {"Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job", "CronJob", "Pod"}
LONG_RUNNING_KINDS = {"Deployment", "StatefulSet", "DaemonSet", "ReplicaSet"}

AWS_ACCESS_KEY_RE = re.compile(r"\b(?:AKIA|ASIA)[0-9A-Z]{16}\b")
# (split so that this file does not match its own rule)
AWS_SECRET_KEY_NAME_RE = re.compile("aws_secret" "_access_key", re.IGNORECASE)
SECRET_NAME_RE = re.compile(r"SECRET|PASSWORD|PASSWD|TOKEN|API_?KEY|PRIVATE_?KEY|ACCESS_?KEY", re.IGNORECASE)
# A *_FILE / *_PATH variable holds where a secret is, not the secret.
SECRET_NAME_EXEMPT_RE = re.compile(r"_(FILE|PATH|DIR)$", re.IGNORECASE)
PLACEHOLDER = "REPLACE_IN_OVERLAY"
IRSA_ANNOTATION = "eks.amazonaws.com/role-arn"
IRSA_ARN_RE = re.compile(r"^arn:aws(-[a-z]+)*:iam::[0-9]{12}:role/[A-Za-z0-9+=,.@_/-]+$")


def ident(doc: Doc) -> str:
    return f"{doc.get('kind')}/{doc.get('metadata', {}).get('name')}"


def pod_spec(doc: Doc) -> Doc | None:
    """The pod spec of a workload object, or None."""
    kind = doc.get("kind")
    spec = doc.get("spec") or {}
    if kind == "Pod":
        return spec
    if kind == "CronJob":
        return (((spec.get("jobTemplate") or {}).get("spec") or {}).get("template") or {}).get("spec")
    if kind in WORKLOAD_KINDS:
        return (spec.get("template") or {}).get("spec")
    return None


def containers(spec: Doc, *, init: bool = True) -> Iterator[tuple[str, Doc]]:
    for key in ("initContainers", "containers") if init else ("containers",):
        for c in spec.get(key) or []:
            yield key, c


def workloads(docs: Iterable[Doc]) -> Iterator[tuple[Doc, Doc]]:
    for doc in docs:
        spec = pod_spec(doc)
        if spec is not None:
            yield doc, spec


def parse_quantity(q: Any) -> float:
    """Kubernetes resource quantity -> float (bytes or cores)."""
    s = str(q).strip()
    suffixes = {
        "Ki": 2**10, "Mi": 2**20, "Gi": 2**30, "Ti": 2**40, "Pi": 2**50,
        "k": 1e3, "M": 1e6, "G": 1e9, "T": 1e12, "P": 1e15, "m": 1e-3,
    }
    for suf in sorted(suffixes, key=len, reverse=True):
        if s.endswith(suf):
            return float(s[: -len(suf)]) * suffixes[suf]
    return float(s)


def image_pin_problem(image: str | None) -> str | None:
    """Why an image reference is not pinned, or None if it is."""
    if not image:
        return "has no image"
    if "@sha256:" in image:
        return None
    last = image.rsplit("/", 1)[-1]
    if ":" not in last:
        return f"image {image!r} has no tag (implicitly :latest)"
    tag = last.rsplit(":", 1)[1]
    if tag == "latest" or not tag:
        return f"image {image!r} uses the mutable tag {tag or '(empty)'!r}"
    return None


# --------------------------------------------------------------------------
# Generic rules (any manifest)
# --------------------------------------------------------------------------

def check_probes(docs: list[Doc]) -> list[str]:
    """Long-running workloads: every container has liveness and readiness probes."""
    out = []
    for doc, spec in workloads(docs):
        if doc["kind"] not in LONG_RUNNING_KINDS:
            continue
        for _, c in containers(spec, init=False):
            for probe in ("livenessProbe", "readinessProbe"):
                if not c.get(probe):
                    out.append(f"{ident(doc)}: container {c.get('name')} has no {probe}")
    return out


def check_resources(docs: list[Doc]) -> list[str]:
    """Every (init) container requests and limits cpu and memory."""
    out = []
    for doc, spec in workloads(docs):
        for key, c in containers(spec):
            res = c.get("resources") or {}
            for section in ("requests", "limits"):
                for r in ("cpu", "memory"):
                    if r not in (res.get(section) or {}):
                        out.append(f"{ident(doc)}: {key[:-1]} {c.get('name')} has no {section}.{r}")
            for r in ("cpu", "memory", "ephemeral-storage"):
                req = (res.get("requests") or {}).get(r)
                lim = (res.get("limits") or {}).get(r)
                if req is not None and lim is not None and parse_quantity(req) > parse_quantity(lim):
                    out.append(f"{ident(doc)}: {c.get('name')} requests more {r} ({req}) than its limit ({lim})")
    return out


def check_security_context(docs: list[Doc]) -> list[str]:
    """runAsNonRoot, readOnlyRootFilesystem, no privilege escalation, drop ALL,
    RuntimeDefault seccomp, no host namespaces or hostPath volumes."""
    out = []
    for doc, spec in workloads(docs):
        psc = spec.get("securityContext") or {}
        for host in ("hostNetwork", "hostPID", "hostIPC"):
            if spec.get(host):
                out.append(f"{ident(doc)}: {host} is enabled")
        for v in spec.get("volumes") or []:
            if "hostPath" in v:
                out.append(f"{ident(doc)}: volume {v.get('name')} is a hostPath")
        for key, c in containers(spec):
            csc = c.get("securityContext") or {}
            name = f"{ident(doc)}: {key[:-1]} {c.get('name')}"
            if not (csc.get("runAsNonRoot", psc.get("runAsNonRoot")) is True):
                out.append(f"{name} does not set runAsNonRoot: true")
            if csc.get("runAsUser", psc.get("runAsUser")) == 0:
                out.append(f"{name} runs as uid 0")
            if csc.get("readOnlyRootFilesystem") is not True:
                out.append(f"{name} does not set readOnlyRootFilesystem: true")
            if csc.get("allowPrivilegeEscalation") is not False:
                out.append(f"{name} does not set allowPrivilegeEscalation: false")
            if csc.get("privileged"):
                out.append(f"{name} is privileged")
            if "ALL" not in ((csc.get("capabilities") or {}).get("drop") or []):
                out.append(f"{name} does not drop ALL capabilities")
            if (csc.get("capabilities") or {}).get("add"):
                out.append(f"{name} adds capabilities {csc['capabilities']['add']}")
            seccomp = (csc.get("seccompProfile") or psc.get("seccompProfile") or {}).get("type")
            if seccomp not in ("RuntimeDefault", "Localhost"):
                out.append(f"{name} has no RuntimeDefault seccompProfile")
    return out


def check_images_pinned(docs: list[Doc]) -> list[str]:
    """Every image has an explicit, non-latest tag or a digest."""
    out = []
    for doc, spec in workloads(docs):
        for key, c in containers(spec):
            problem = image_pin_problem(c.get("image"))
            if problem:
                out.append(f"{ident(doc)}: {key[:-1]} {c.get('name')}: {problem}")
    return out


def _literal_secret_strings(obj: Any, path: str = "") -> Iterator[tuple[str, str]]:
    if isinstance(obj, dict):
        for k, v in obj.items():
            yield from _literal_secret_strings(v, f"{path}.{k}")
            if isinstance(k, str):
                yield path, k
    elif isinstance(obj, list):
        for i, v in enumerate(obj):
            yield from _literal_secret_strings(v, f"{path}[{i}]")
    elif isinstance(obj, str):
        yield path, obj


def scan_text_for_secrets(text: str) -> list[str]:
    """Secret-looking content in free text (a rendered manifest, a script)."""
    out = []
    for m in AWS_ACCESS_KEY_RE.finditer(text):
        out.append(f"AWS access key id {m.group(0)[:4]}... in plain text")
    for m in AWS_SECRET_KEY_NAME_RE.finditer(text):
        out.append(f"'{m.group(0)}' appears in plain text")
    return out


def _secret_named(name: str) -> bool:
    return bool(SECRET_NAME_RE.search(name)) and not SECRET_NAME_EXEMPT_RE.search(name)


def check_no_plaintext_secrets(docs: list[Doc]) -> list[str]:
    """No AWS keys, no Secret objects with inline data, no secret-named env
    vars or ConfigMap keys with literal values (use IRSA / valueFrom)."""
    out = []
    for doc in docs:
        for path, s in _literal_secret_strings(doc):
            for problem in scan_text_for_secrets(s):
                out.append(f"{ident(doc)}{path}: {problem}")
        if doc.get("kind") == "Secret" and (doc.get("data") or doc.get("stringData")):
            out.append(f"{ident(doc)}: Secret with inline data in the manifests (use IRSA or an external secret store)")
        if doc.get("kind") == "ConfigMap":
            for k, v in (doc.get("data") or {}).items():
                if _secret_named(k) and str(v).strip():
                    out.append(f"{ident(doc)}: ConfigMap key {k} looks like a secret and has a literal value")
    for doc, spec in workloads(docs):
        for key, c in containers(spec):
            for e in c.get("env") or []:
                if _secret_named(e.get("name", "")) and str(e.get("value") or "").strip():
                    out.append(f"{ident(doc)}: {key[:-1]} {c.get('name')}: env {e['name']} has a literal value")
    return out


# --------------------------------------------------------------------------
# yelpsearch-specific rules (consistency between the objects)
# --------------------------------------------------------------------------

def _by_kind(docs: list[Doc], kind: str) -> list[Doc]:
    return [d for d in docs if d.get("kind") == kind]


def _configmap_env(docs: list[Doc], c: Doc) -> dict[str, str]:
    env: dict[str, str] = {}
    cms = {d["metadata"]["name"]: d.get("data") or {} for d in _by_kind(docs, "ConfigMap")}
    for ref in c.get("envFrom") or []:
        name = (ref.get("configMapRef") or {}).get("name")
        env.update(cms.get(name, {}))
    for e in c.get("env") or []:
        if "value" in e:
            env[e["name"]] = e["value"]
    return env


def _selects(selector: Doc, labels: Doc) -> bool:
    ml = (selector or {}).get("matchLabels") or {}
    return bool(ml) and all(labels.get(k) == v for k, v in ml.items())


def check_server_deployment(docs: list[Doc]) -> list[str]:
    """The serving Deployment: HA, graceful shutdown budget, probes paths,
    read-only index, writable /tmp, zone spreading, HPA and PDB coverage."""
    out = []
    deps = [d for d in _by_kind(docs, "Deployment") if d["metadata"]["name"] == "yelpsearch"]
    if len(deps) != 1:
        return [f"expected one Deployment/yelpsearch, found {len(deps)}"]
    dep = deps[0]
    spec = pod_spec(dep) or {}
    labels = dep["spec"]["template"]["metadata"].get("labels") or {}
    hpas = [h for h in _by_kind(docs, "HorizontalPodAutoscaler")
            if (h["spec"].get("scaleTargetRef") or {}).get("name") == "yelpsearch"
            and (h["spec"].get("scaleTargetRef") or {}).get("kind") == "Deployment"]
    replicas = dep["spec"].get("replicas")
    hpa_min = max((h["spec"].get("minReplicas", 1) for h in hpas), default=0)
    if replicas is None and not hpas:
        out.append("Deployment/yelpsearch has neither replicas nor an HPA")
    if replicas is not None and replicas < 2:
        out.append(f"Deployment/yelpsearch replicas={replicas} < 2")
    if hpas and hpa_min < 2:
        out.append(f"HPA minReplicas={hpa_min} < 2")
    for h in hpas:
        metrics = h["spec"].get("metrics") or []
        if not any((m.get("resource") or {}).get("name") == "cpu" for m in metrics):
            out.append(f"{ident(h)} does not scale on cpu")
    if not any(_selects(p["spec"].get("selector"), labels) for p in _by_kind(docs, "PodDisruptionBudget")):
        out.append("no PodDisruptionBudget selects the yelpsearch pods")

    c = (spec.get("containers") or [{}])[0]
    env = _configmap_env(docs, c)
    for probe, path in (("livenessProbe", "/health"), ("readinessProbe", "/ready"), ("startupProbe", None)):
        p = c.get(probe)
        if not p:
            out.append(f"Deployment/yelpsearch has no {probe}")
        elif path and (p.get("httpGet") or {}).get("path") != path:
            out.append(f"Deployment/yelpsearch {probe} should GET {path}")
    startup = c.get("startupProbe") or {}
    budget = startup.get("periodSeconds", 10) * startup.get("failureThreshold", 3)
    if startup and budget < 300:
        out.append(f"startupProbe allows only {budget}s; large indexes need >= 300s")

    grace = int(env.get("YELPSEARCH_SHUTDOWN_GRACE_SECS", 20))
    pre = ((c.get("lifecycle") or {}).get("preStop") or {})
    sleep = (pre.get("sleep") or {}).get("seconds")
    if sleep is None:
        out.append("Deployment/yelpsearch has no preStop sleep (load balancer deregistration)")
        sleep = 0
    tgps = spec.get("terminationGracePeriodSeconds", 30)
    if tgps < sleep + grace + 5:
        out.append(f"terminationGracePeriodSeconds={tgps} < preStop {sleep}s + shutdown grace {grace}s + 5s margin")

    index = env.get("YELPSEARCH_INDEX", "")
    pull = env.get("YELPSEARCH_PULL", "")
    mounts = {m["mountPath"]: m for m in c.get("volumeMounts") or []}
    vols = {v["name"]: v for v in spec.get("volumes") or []}
    idx_mounts = [m for p, m in mounts.items() if index == p or index.startswith(p.rstrip("/") + "/")]
    if not index:
        out.append("YELPSEARCH_INDEX is not set for the server")
    elif not idx_mounts:
        out.append(f"YELPSEARCH_INDEX={index} is not on a mounted volume")
    elif pull:
        # s3 overlay: each server pulls its own copy onto a volume of its own.
        vol = vols.get(idx_mounts[0]["name"], {})
        if "emptyDir" not in vol:
            out.append("a pulling server's index volume is not an emptyDir (its own copy)")
        elif not (vol["emptyDir"] or {}).get("sizeLimit"):
            out.append("a pulling server's index emptyDir has no sizeLimit")
    else:
        m = idx_mounts[0]
        if m.get("readOnly") is not True:
            out.append("the index volume is not mounted readOnly in the server")
        if "persistentVolumeClaim" not in vols.get(m["name"], {}):
            out.append("the index volume of the server is not a PersistentVolumeClaim")
    tmp = mounts.get("/tmp")
    if not tmp or "emptyDir" not in vols.get(tmp["name"], {}):
        out.append("the server has no emptyDir at /tmp (readOnlyRootFilesystem)")
    tsc = spec.get("topologySpreadConstraints") or []
    if not any(t.get("topologyKey") == "topology.kubernetes.io/zone" for t in tsc):
        out.append("Deployment/yelpsearch does not spread across zones")
    return out


def check_cronjobs(docs: list[Doc]) -> list[str]:
    """CronJobs: Forbid, deadlines, history, backoffLimit; the scheduled ones
    fetch their input with a pinned aws-cli init container under IRSA."""
    out = []
    sas = {d["metadata"]["name"]: d for d in _by_kind(docs, "ServiceAccount")}
    cronjobs = _by_kind(docs, "CronJob")
    names = {cj["metadata"]["name"] for cj in cronjobs}
    for required in ("yelpsearch-nightly", "yelpsearch-weekly"):
        if required not in names:
            out.append(f"missing CronJob/{required}")
    for cj in cronjobs:
        s = cj["spec"]
        n = ident(cj)
        if s.get("concurrencyPolicy") != "Forbid":
            out.append(f"{n}: concurrencyPolicy is not Forbid")
        for f in ("startingDeadlineSeconds", "successfulJobsHistoryLimit", "failedJobsHistoryLimit"):
            if f not in s:
                out.append(f"{n}: {f} is not set")
        job = s["jobTemplate"]["spec"]
        for f in ("backoffLimit", "activeDeadlineSeconds"):
            if f not in job:
                out.append(f"{n}: jobTemplate {f} is not set")
        if cj["metadata"]["name"].startswith("yelpsearch-ops-") and s.get("suspend") is not True:
            out.append(f"{n}: manual-only ops CronJobs must be suspended")
        if cj["metadata"]["name"] in ("yelpsearch-nightly", "yelpsearch-weekly"):
            spec = pod_spec(cj) or {}
            inits = spec.get("initContainers") or []
            if not any((i.get("image") or "").split("/")[-1].startswith("aws-cli:") for i in inits):
                out.append(f"{n}: no aws-cli initContainer fetching input from S3")
            sa = sas.get(spec.get("serviceAccountName", "default"))
            if sa is None:
                out.append(f"{n}: serviceAccountName {spec.get('serviceAccountName')!r} is not defined here")
    return out


def check_emptydir_budget(docs: list[Doc]) -> list[str]:
    """emptyDir sizeLimits fit in the pod's ephemeral-storage limits (else the
    kubelet evicts the pod when the volume fills up)."""
    out = []
    for doc, spec in workloads(docs):
        vols = sum(parse_quantity((v["emptyDir"] or {}).get("sizeLimit", 0))
                   for v in spec.get("volumes") or [] if "emptyDir" in v)
        lim = sum(parse_quantity(((c.get("resources") or {}).get("limits") or {}).get("ephemeral-storage", 0))
                  for _, c in containers(spec, init=False))
        if vols and lim and vols > lim:
            out.append(f"{ident(doc)}: emptyDir sizeLimits ({vols / 2**30:.1f}Gi) exceed "
                       f"the ephemeral-storage limits ({lim / 2**30:.1f}Gi)")
    return out


def check_no_placeholders(docs: list[Doc]) -> list[str]:
    """No base placeholder survives rendering."""
    return [f"{ident(d)}{p}: placeholder {PLACEHOLDER} left"
            for d in docs for p, s in _literal_secret_strings(d) if PLACEHOLDER in s]


def check_irsa(docs: list[Doc]) -> list[str]:
    """EKS: the jobs' ServiceAccount carries a well-formed IRSA role ARN and
    no static AWS credentials are referenced."""
    out = []
    sa = [d for d in _by_kind(docs, "ServiceAccount") if d["metadata"]["name"] == "yelpsearch-jobs"]
    if not sa:
        return ["missing ServiceAccount/yelpsearch-jobs"]
    arn = (sa[0]["metadata"].get("annotations") or {}).get(IRSA_ANNOTATION, "")
    if not IRSA_ARN_RE.match(arn):
        out.append(f"ServiceAccount/yelpsearch-jobs {IRSA_ANNOTATION}={arn!r} is not an IAM role ARN")
    for doc, spec in workloads(docs):
        for key, c in containers(spec):
            for e in c.get("env") or []:
                if e.get("name") in ("AWS_ACCESS_KEY_ID", "AWS_SECRET" "_ACCESS_KEY", "AWS_SESSION_TOKEN"):
                    out.append(f"{ident(doc)}: {c.get('name')} sets {e['name']} (use IRSA)")
    return out


def check_eks_service(docs: list[Doc]) -> list[str]:
    """EKS: the Service is an internet-facing NLB with IP targets."""
    want = {
        "service.beta.kubernetes.io/aws-load-balancer-type": "external",
        "service.beta.kubernetes.io/aws-load-balancer-nlb-target-type": "ip",
        "service.beta.kubernetes.io/aws-load-balancer-scheme": "internet-facing",
    }
    out = []
    svc = [d for d in _by_kind(docs, "Service") if d["metadata"]["name"] == "yelpsearch"]
    if not svc:
        return ["missing Service/yelpsearch"]
    if svc[0]["spec"].get("type") != "LoadBalancer":
        out.append("Service/yelpsearch is not type LoadBalancer")
    ann = svc[0]["metadata"].get("annotations") or {}
    for k, v in want.items():
        if ann.get(k) != v:
            out.append(f"Service/yelpsearch annotation {k} should be {v!r}, is {ann.get(k)!r}")
    return out


def check_eks_efs(docs: list[Doc]) -> list[str]:
    """EKS with EFS: the index claim is ReadWriteMany."""
    pvc = [d for d in _by_kind(docs, "PersistentVolumeClaim") if d["metadata"]["name"] == "yelpsearch-index"]
    if not pvc or "ReadWriteMany" not in pvc[0]["spec"].get("accessModes", []):
        return ["PersistentVolumeClaim/yelpsearch-index is not ReadWriteMany on EKS"]
    return []


S3_URL_RE = re.compile(r"^s3://[a-z0-9][a-z0-9.-]{1,61}[a-z0-9](/[A-Za-z0-9_.=-]+)*$")
YELPSEARCH_CMDS = {"index", "model", "serve"}


def _yelpsearch_containers(spec: Doc) -> list[tuple[str, Doc]]:
    return [(k, c) for k, c in containers(spec) if (c.get("args") or [""])[0] in YELPSEARCH_CMDS]


def check_s3_index(docs: list[Doc]) -> list[str]:
    """s3 overlay: no shared index volume; the servers pull from an s3:// URL with
    their own IRSA role; every job that changes the index pulls it first and
    publishes it last, to the URL the servers pull from."""
    out = []
    if any(d["metadata"]["name"] == "yelpsearch-index" for d in _by_kind(docs, "PersistentVolumeClaim")):
        out.append("PersistentVolumeClaim/yelpsearch-index exists: the s3 overlay shares no volume")
    sas = {d["metadata"]["name"]: d for d in _by_kind(docs, "ServiceAccount")}
    arn = ((sas.get("yelpsearch") or {}).get("metadata", {}).get("annotations") or {}).get(IRSA_ANNOTATION, "")
    if not IRSA_ARN_RE.match(arn):
        out.append(f"ServiceAccount/yelpsearch {IRSA_ANNOTATION}={arn!r}: the servers need a read-only role")
    jobs_arn = ((sas.get("yelpsearch-jobs") or {}).get("metadata", {}).get("annotations") or {}).get(IRSA_ANNOTATION)
    if arn and arn == jobs_arn:
        out.append("the servers and the jobs share one role: the servers' must only read")
    dep = next((d for d in _by_kind(docs, "Deployment") if d["metadata"]["name"] == "yelpsearch"), None)
    pull = ""
    if dep:
        pull = _configmap_env(docs, (pod_spec(dep) or {}).get("containers", [{}])[0]).get("YELPSEARCH_PULL", "")
        if not S3_URL_RE.match(pull):
            out.append(f"the server's YELPSEARCH_PULL={pull!r} is not an s3:// URL")
    for cj in _by_kind(docs, "CronJob"):
        spec = pod_spec(cj) or {}
        steps = _yelpsearch_containers(spec)
        if not steps:
            continue
        n = ident(cj)
        args = [c.get("args") or [] for _, c in steps]
        writes = any(a[:2] in (["index", "update"], ["index", "build"], ["model", "train"]) for a in args)
        if writes:
            if args[0][:2] != ["index", "pull"] or steps[0][0] != "initContainers":
                out.append(f"{n}: does not pull the published index first (an init container)")
            if args[-1][:2] != ["index", "publish"] or steps[-1][0] != "containers":
                out.append(f"{n}: does not publish its result last (the main container)")
        if any(a[:2] in (["index", "rollback"], ["index", "gc"]) and "--remote" not in a for a in args):
            out.append(f"{n}: rollback/gc of a local copy changes nothing: use --remote")
        if spec.get("serviceAccountName") != "yelpsearch-jobs":
            out.append(f"{n}: writes to the store without the jobs' role")
        for _, c in steps:
            env = _configmap_env(docs, c)
            if env.get("YELPSEARCH_PUBLISH") != pull:
                out.append(f"{n}: {c.get('name')} publishes to {env.get('YELPSEARCH_PUBLISH')!r}, the servers pull {pull!r}")
    return out


GENERIC_POLICIES: list[Callable[[list[Doc]], list[str]]] = [
    check_probes,
    check_resources,
    check_security_context,
    check_images_pinned,
    check_no_plaintext_secrets,
    check_emptydir_budget,
]
APP_POLICIES: list[Callable[[list[Doc]], list[str]]] = [
    check_server_deployment,
    check_cronjobs,
    check_no_placeholders,
]
EKS_POLICIES: list[Callable[[list[Doc]], list[str]]] = [check_irsa, check_eks_service, check_eks_efs]
S3_POLICIES: list[Callable[[list[Doc]], list[str]]] = [check_irsa, check_eks_service, check_s3_index]


def run(policies: Iterable[Callable[[list[Doc]], list[str]]], docs: list[Doc]) -> list[str]:
    return [v for p in policies for v in p(docs)]
