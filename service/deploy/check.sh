#!/usr/bin/env bash
# Static checks of the container build and the Kubernetes deployment; CI runs
# this (no Docker engine or cluster needed). Exits non-zero on any failure.
#
#   1. kubectl (for its built-in kustomize) is present, else a pinned download
#   2. a virtualenv with the pinned tools of checks/requirements.txt
#   3. render every kustomization (+ the CI render of render-eks.sh)
#   4. validate every object against the Kubernetes JSON schemas (strict)
#   5. pytest: policy rules (+ deliberately bad manifests), Dockerfile and
#      .dockerignore checks, the S3 fetch scripts, render-eks.sh
#   6. syntax of the shell scripts and the load-test files
#   7. CloudFormation templates (aws/*.yaml): cfn-lint, checkov, and every checkov
#      suppression explained and in use (a second virtualenv, checkov is large)
#
# Env: DEPLOY_CHECK_VENV  virtualenv path (default: <repo>/.venv-deploy; the IaC
#                         tools go to the same path + "-iac")
#      KUBE_VERSIONS      Kubernetes versions to validate against (default below)
#      KUBECTL            kubectl to use (default: kubectl on PATH)
set -euo pipefail

DEPLOY="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$DEPLOY/../.." && pwd)"
VENV="${DEPLOY_CHECK_VENV:-$REPO/.venv-deploy}"
export KUBE_VERSIONS="${KUBE_VERSIONS:-1.30 1.33 1.37}"
# Fallback download only when kubectl is absent (verified against the
# published SHA-256). kubectl >= 1.27 embeds kustomize v5.
KUBECTL_FALLBACK_VERSION=v1.32.4
export PYTHONDONTWRITEBYTECODE=1

OUT="$(mktemp -d)"
trap 'rm -rf "$OUT"' EXIT

step() { printf '\n==> %s\n' "$*"; }
die() { printf 'check.sh: FAILED: %s\n' "$*" >&2; exit 1; }

# ---------------------------------------------------------------- 1. kubectl
step "kubectl"
if [ -n "${KUBECTL:-}" ]; then
  command -v "$KUBECTL" > /dev/null || die "KUBECTL=$KUBECTL not found"
elif command -v kubectl > /dev/null; then
  KUBECTL="$(command -v kubectl)"
else
  KUBECTL="$VENV/bin/kubectl"
  if [ ! -x "$KUBECTL" ]; then
    case "$(uname -m)" in x86_64) arch=amd64 ;; aarch64 | arm64) arch=arm64 ;; *) die "unsupported arch $(uname -m)" ;; esac
    url="https://dl.k8s.io/release/${KUBECTL_FALLBACK_VERSION}/bin/linux/${arch}/kubectl"
    command -v curl > /dev/null && curl -fsSI --max-time 10 "$url" > /dev/null 2>&1 \
      || die "kubectl is not installed and ${url} is unreachable. Install kubectl >= 1.27 (e.g. the 'kubectl' package) or set KUBECTL."
    mkdir -p "$VENV/bin"
    curl -fsSL --max-time 120 -o "$KUBECTL.partial" "$url"
    want="$(curl -fsSL --max-time 10 "${url}.sha256")"
    echo "${want}  $KUBECTL.partial" | sha256sum -c --quiet - || die "kubectl checksum mismatch"
    chmod 0755 "$KUBECTL.partial" && mv "$KUBECTL.partial" "$KUBECTL"
  fi
fi
export KUBECTL
kustomize_version="$("$KUBECTL" version --client -o json 2>/dev/null | sed -n 's/.*"kustomizeVersion": *"\(v[0-9.]*\)".*/\1/p')"
echo "kubectl: $KUBECTL ($("$KUBECTL" version --client -o json 2>/dev/null | sed -n 's/.*"gitVersion": *"\([^"]*\)".*/\1/p'), kustomize ${kustomize_version:-unknown})"
case "$kustomize_version" in v[5-9]* | v[1-9][0-9]*) ;; *) die "kubectl's kustomize must be v5+ (kubectl >= 1.27), got '${kustomize_version}'" ;; esac

# ------------------------------------------------------------ 2. virtualenv
step "virtualenv $VENV"
python3 -c 'import sys; sys.exit(sys.version_info < (3, 11))' \
  || die "python3 >= 3.11 is required (tomllib), found $(python3 --version 2>&1)"
req="$DEPLOY/checks/requirements.txt"
stamp="$VENV/.requirements.sha256"
if [ ! -x "$VENV/bin/python" ] || ! "$VENV/bin/python" -c '' 2> /dev/null; then
  rm -rf "$VENV"
  python3 -m venv "$VENV"
fi
if [ "$(cat "$stamp" 2> /dev/null)" != "$(sha256sum "$req" | cut -d' ' -f1)" ]; then
  "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check --no-input -r "$req"
  sha256sum "$req" | cut -d' ' -f1 > "$stamp"
fi
"$VENV/bin/python" -m pip --disable-pip-version-check list 2> /dev/null \
  | grep -Ei '^(kubernetes-validate|pytest|pyyaml|jsonschema) ' | tr -s ' ' | sed 's/^/  /'
PY="$VENV/bin/python"

# ---------------------------------------------------------------- 3. render
step "render (kubectl kustomize)"
for dir in overlays/eks overlays/local overlays/s3 cluster/eks; do
  name="$(echo "$dir" | sed 's#^overlays/##; s#^cluster/eks#cluster-eks#')"
  "$KUBECTL" kustomize "$DEPLOY/$dir" > "$OUT/$name.yaml" || die "kubectl kustomize $dir"
  echo "  $dir: $(grep -c '^kind:' "$OUT/$name.yaml") objects"
done
(cd "$DEPLOY/checks" && "$PY" manifests.py eks-ci) > "$OUT/eks-ci.yaml" || die "render-eks.sh OVERLAY=eks with the CI sample settings"
echo "  render-eks.sh OVERLAY=eks (CI sample settings): $(grep -c '^kind:' "$OUT/eks-ci.yaml") objects"
(cd "$DEPLOY/checks" && "$PY" manifests.py s3-ci) > "$OUT/s3-ci.yaml" || die "render-eks.sh OVERLAY=s3 with the CI sample settings"
echo "  render-eks.sh OVERLAY=s3 (CI sample settings): $(grep -c '^kind:' "$OUT/s3-ci.yaml") objects"

# -------------------------------------------------------------- 4. schemas
step "schema validation (kubernetes-validate, strict) against: $KUBE_VERSIONS"
versions=()
for v in $KUBE_VERSIONS; do versions+=(--kube-version "$v"); done
(cd "$OUT" && "$PY" "$DEPLOY/checks/validate_schemas.py" "${versions[@]}" ./*.yaml) || die "schema validation"

# ---------------------------------------------------------------- 5. pytest
step "pytest (policy, Dockerfile, fetch scripts, render-eks.sh)"
(cd "$DEPLOY/checks" && RENDERED_DIR="$OUT" "$PY" -m pytest -q) || die "pytest"

# ---------------------------------------------------------------- 6. syntax
step "syntax: shell scripts, load-test files"
for f in "$DEPLOY/check.sh" "$DEPLOY/render-eks.sh" "$DEPLOY"/base/scripts/*.sh "$DEPLOY"/aws/*.sh "$DEPLOY"/loopback/*.sh; do
  bash -n "$f" || die "bash -n $f"
done
echo "  bash -n: ok"
"$PY" -c 'import ast, sys; [ast.parse(open(f).read(), f) for f in sys.argv[1:]]' "$DEPLOY/loadtest/locustfile.py" \
  || die "locustfile.py does not parse"
echo "  locustfile.py parses"
if command -v luac > /dev/null; then
  luac -p "$DEPLOY/loadtest/search.lua" || die "search.lua does not parse"
  echo "  search.lua: luac -p ok"
else
  echo "  search.lua: luac not installed, skipped"
fi

# ------------------------------------------------------- 7. CloudFormation
step "CloudFormation: cfn-lint, checkov (aws/*.yaml)"
IAC="${VENV}-iac"
iac_req="$DEPLOY/checks/requirements-iac.txt"
if [ ! -x "$IAC/bin/python" ] || ! "$IAC/bin/python" -c '' 2> /dev/null; then
  rm -rf "$IAC"
  python3 -m venv "$IAC"
fi
if [ "$(cat "$IAC/.requirements.sha256" 2> /dev/null)" != "$(sha256sum "$iac_req" | cut -d' ' -f1)" ]; then
  "$IAC/bin/python" -m pip install --quiet --disable-pip-version-check --no-input -r "$iac_req"
  sha256sum "$iac_req" | cut -d' ' -f1 > "$IAC/.requirements.sha256"
fi
templates=("$DEPLOY"/aws/*.yaml)
echo "  cfn-lint $("$IAC/bin/cfn-lint" --version | awk '{print $2}'), checkov $("$IAC/bin/checkov" --version): ${#templates[@]} templates"
"$IAC/bin/cfn-lint" "${templates[@]}" || die "cfn-lint"
echo "  cfn-lint: no findings"
# --skip-download: no calls to the vendor's API (offline, and nothing leaves the machine).
(cd "$DEPLOY" && "$IAC/bin/checkov" --framework cloudformation --skip-download --output json -d aws) \
  > "$OUT/checkov.json" 2> "$OUT/checkov.err" || true
[ -s "$OUT/checkov.json" ] || { cat "$OUT/checkov.err" >&2; die "checkov produced no report"; }
(cd "$DEPLOY/checks" && "$PY" cfn_checks.py "$OUT/checkov.json" "${templates[@]}") || die "checkov findings or unexplained suppressions"

printf '\ncheck.sh: all deployment checks passed\n'
