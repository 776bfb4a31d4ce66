#!/usr/bin/env bash
# Render the s3 overlay (index pulled from S3, the default) or the eks overlay
# (index on EFS, OVERLAY=eks) with deploy-time settings taken from the environment
# and print the manifests on stdout. Used by buildspec.yml; check.sh runs it with sample values
# and validates the result.
#
# Required env:
#   IMAGE_REPOSITORY  e.g. 123456789012.dkr.ecr.eu-west-1.amazonaws.com/yelpsearch
#   IMAGE_TAG         immutable tag, e.g. the 12-char commit SHA (never "latest")
#   AWS_REGION        region of the input bucket
#   INPUT_BUCKET      S3 bucket the CronJobs read
#   IRSA_ROLE_ARN     IAM role the CronJobs' ServiceAccount assumes (IRSA)
# With OVERLAY=s3 (the default), also:
#   INDEX_URL         s3://bucket/prefix the jobs publish to and the servers pull from
#   SERVER_ROLE_ARN   IAM role of the servers' ServiceAccount (read-only on INDEX_URL)
# Optional env:
#   OVERLAY                   s3 (default, as buildspec.yml and aws/deploy.sh) or eks
#   INPUT_PREFIX              key prefix inside the bucket (default: yelp)
#   AWS_CLI_IMAGE_REPOSITORY  mirror of amazon/aws-cli, e.g. an ECR pull-through
#                             cache (.../docker-hub/amazon/aws-cli); same tag
#   KUBECTL                   kubectl binary (default: kubectl)
#
# The generated kustomization sits in a temporary directory next to this
# script (kustomize refuses absolute resource paths) and is removed on exit.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
kubectl_bin="${KUBECTL:-kubectl}"

die() { echo "render-eks.sh: $*" >&2; exit 2; }
need() {  # need NAME REGEX: $NAME is set and matches REGEX
  local name="$1" re="$2" value="${!1:-}"
  [ -n "$value" ] || die "$name is not set"
  [[ "$value" =~ $re ]] || die "$name='$value' does not match $re"
}

OVERLAY="${OVERLAY:-s3}"
case "$OVERLAY" in eks | s3) ;; *) die "OVERLAY='$OVERLAY' must be eks or s3" ;; esac
need IMAGE_REPOSITORY '^[a-z0-9]([a-z0-9.-]*[a-z0-9])?(:[0-9]+)?(/[a-z0-9._-]+)+$'
need IMAGE_TAG '^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$'
[ "$IMAGE_TAG" != latest ] || die "IMAGE_TAG must be an immutable tag, not 'latest'"
need AWS_REGION '^[a-z]{2}(-gov|-iso[a-z]*)?-[a-z]+-[0-9]+$'
need INPUT_BUCKET '^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$'
need IRSA_ROLE_ARN '^arn:aws(-[a-z]+)*:iam::[0-9]{12}:role/[A-Za-z0-9+=,.@_/-]+$'
INPUT_PREFIX="${INPUT_PREFIX-yelp}"
[[ "$INPUT_PREFIX" =~ ^[A-Za-z0-9_.=/-]*$ ]] || die "INPUT_PREFIX='$INPUT_PREFIX' has unsupported characters"
if [ "$OVERLAY" = s3 ]; then
  need INDEX_URL '^s3://[a-z0-9][a-z0-9.-]{1,61}[a-z0-9](/[A-Za-z0-9_.=-]+)*$'
  need SERVER_ROLE_ARN '^arn:aws(-[a-z]+)*:iam::[0-9]{12}:role/[A-Za-z0-9+=,.@_/-]+$'
fi
if [ -n "${AWS_CLI_IMAGE_REPOSITORY:-}" ]; then
  need AWS_CLI_IMAGE_REPOSITORY '^[a-z0-9]([a-z0-9.-]*[a-z0-9])?(:[0-9]+)?(/[a-z0-9._-]+)+$'
fi

command -v "$kubectl_bin" > /dev/null || die "kubectl not found (set KUBECTL)"

# The eks overlay already renamed the image to its placeholder ECR name, so
# the override below must match that name (kustomize matches by image name).
eks_image="$(awk '/- name: yelpsearch$/ {f = 1; next} f && /newName:/ {gsub(/["\047]/, "", $2); print $2; exit}' \
  "${here}/overlays/eks/kustomization.yaml")"
[ -n "$eks_image" ] || die "cannot find the yelpsearch newName in overlays/eks/kustomization.yaml"

tmp="$(mktemp -d "${here}/.render-XXXXXX")"
trap 'rm -rf "$tmp"' EXIT

{
  cat <<EOF
apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
resources:
  - ../overlays/${OVERLAY}
images:
  - name: "${eks_image}"
    newName: "${IMAGE_REPOSITORY}"
    newTag: "${IMAGE_TAG}"
EOF
  if [ -n "${AWS_CLI_IMAGE_REPOSITORY:-}" ]; then
    cat <<EOF
  - name: amazon/aws-cli
    newName: "${AWS_CLI_IMAGE_REPOSITORY}"
EOF
  fi
  cat <<EOF
configMapGenerator:
  - name: yelpsearch-aws
    behavior: replace
    literals:
      - "AWS_REGION=${AWS_REGION}"
      - "INPUT_BUCKET=${INPUT_BUCKET}"
      - "INPUT_PREFIX=${INPUT_PREFIX}"
      - "IRSA_ROLE_ARN=${IRSA_ROLE_ARN}"
EOF
  if [ "$OVERLAY" = s3 ]; then
    cat <<EOF
      - "SERVER_ROLE_ARN=${SERVER_ROLE_ARN}"
  - name: yelpsearch-config
    behavior: merge
    literals:
      - "YELPSEARCH_PULL=${INDEX_URL}"
      - "YELPSEARCH_PUBLISH=${INDEX_URL}"
      - "AWS_REGION=${AWS_REGION}"
EOF
  fi
  cat <<EOF
replacements:
  - source:
      kind: ConfigMap
      name: yelpsearch-aws
      fieldPath: data.IRSA_ROLE_ARN
    targets:
      - select:
          kind: ServiceAccount
          name: yelpsearch-jobs
        fieldPaths:
          - metadata.annotations.[eks.amazonaws.com/role-arn]
EOF
  if [ "$OVERLAY" = s3 ]; then
    cat <<EOF
  - source:
      kind: ConfigMap
      name: yelpsearch-aws
      fieldPath: data.SERVER_ROLE_ARN
    targets:
      - select:
          kind: ServiceAccount
          name: yelpsearch
        fieldPaths:
          - metadata.annotations.[eks.amazonaws.com/role-arn]
EOF
  fi
} > "$tmp/kustomization.yaml"

"$kubectl_bin" kustomize "$tmp"
