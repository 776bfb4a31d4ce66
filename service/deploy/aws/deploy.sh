#!/usr/bin/env bash
# One command from an empty AWS account to a running yelpsearch (see
# service/deploy/README.md, "From an empty AWS account"). Idempotent: run it again
# after a change and CloudFormation applies only the difference.
#
#   AWS_REGION=eu-west-1 bash service/deploy/aws/deploy.sh [all|cluster|shared|efs|controller|pipeline|site]
#
# `all` stands up everything up to the pipeline; `site` (the page on CloudFront)
# follows once the service has a load balancer address.
#
# Env (none of them secret; credentials come from your AWS CLI profile):
#   AWS_REGION        required
#   NAME              resource name prefix (default yelpsearch)
#   OVERLAY           s3 (default: each server pulls the index from S3) or eks (EFS)
#   CONNECTION_ARN    CodeConnections connection to the repository (pipeline step;
#                     created once in the console, handshake completed)
#   REPOSITORY_ID     owner/repo of the source (pipeline step)
#   BRANCH            branch the pipeline builds (default main)
#   API_URL           the API's public base URL, for the site step (default: the
#                     NLB's address, http)
#   ENDPOINT_CIDRS    who may reach the Kubernetes API (default 0.0.0.0/0)
#
# Needs: aws (v2), kubectl, helm (the controller step), and for the site step the
# yelpsearch binary (cargo build --release) to export the page.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
deploy="$(cd "$here/.." && pwd)"
repo="$(cd "$deploy/../.." && pwd)"
: "${AWS_REGION:?set AWS_REGION}"
export AWS_REGION AWS_DEFAULT_REGION="$AWS_REGION"
NAME="${NAME:-yelpsearch}"
OVERLAY="${OVERLAY:-s3}"
case "$OVERLAY" in s3 | eks) ;; *) echo "OVERLAY must be s3 or eks" >&2; exit 2 ;; esac
# The Load Balancer Controller's chart; pin what you tested.
LBC_CHART_VERSION="${LBC_CHART_VERSION:-1.13.0}"

say() { printf '\n==> %s\n' "$*"; }
stack() {  # stack NAME TEMPLATE [Key=Value...]
  local name="$1" template="$2"; shift 2
  aws cloudformation deploy --stack-name "$name" --template-file "$here/$template" \
    --capabilities CAPABILITY_NAMED_IAM --no-fail-on-empty-changeset \
    ${1:+--parameter-overrides "$@"}
}
out() {  # out STACK KEY
  aws cloudformation describe-stacks --stack-name "$1" \
    --query "Stacks[0].Outputs[?OutputKey=='$2'].OutputValue" --output text
}

cluster() {
  say "cluster stack $NAME-cluster (VPC, EKS, nodes, add-ons): 15-25 min the first time"
  stack "$NAME-cluster" eks-cluster.yaml "ClusterName=$NAME" \
    "WithEfsCsiDriver=$([ "$OVERLAY" = eks ] && echo true || echo false)" \
    "EndpointPublicAccessCidrs=${ENDPOINT_CIDRS:-0.0.0.0/0}"
  aws eks update-kubeconfig --name "$NAME"
}

shared() {
  say "shared stack $NAME-shared (ECR, data bucket, IRSA roles)"
  stack "$NAME-shared" shared.yaml "Name=$NAME" \
    "OidcProviderArn=$(out "$NAME-cluster" OidcProviderArn)" \
    "OidcIssuer=$(out "$NAME-cluster" OidcIssuer)"
}

efs() {
  [ "$OVERLAY" = eks ] || return 0
  say "EFS stack $NAME-efs (index file system for the eks overlay)"
  stack "$NAME-efs" efs.yaml "Name=$NAME" \
    "VpcId=$(out "$NAME-cluster" VpcId)" \
    "PrivateSubnetIds=$(out "$NAME-cluster" PrivateSubnetIds)" \
    "NodeSecurityGroupId=$(out "$NAME-cluster" NodeSecurityGroupId)" \
    "DataKeyArn=$(out "$NAME-shared" DataKeyArn)"
  local fs tmp
  fs="$(out "$NAME-efs" FileSystemId)"
  tmp="$(mktemp -d "$deploy/cluster/.efs-XXXXXX")"
  trap 'rm -rf "$tmp"' RETURN
  printf 'resources:\n  - ../eks\npatches:\n  - target: {kind: StorageClass, name: efs-sc}\n    patch: |-\n      - op: replace\n        path: /parameters/fileSystemId\n        value: %s\n' "$fs" > "$tmp/kustomization.yaml"
  kubectl apply -k "$tmp"
}

controller() {
  say "AWS Load Balancer Controller (Helm chart $LBC_CHART_VERSION)"
  helm repo add eks https://aws.github.io/eks-charts > /dev/null
  helm repo update eks > /dev/null
  helm upgrade --install aws-load-balancer-controller eks/aws-load-balancer-controller \
    --namespace kube-system --version "$LBC_CHART_VERSION" \
    --set clusterName="$NAME" \
    --set region="$AWS_REGION" \
    --set vpcId="$(out "$NAME-cluster" VpcId)" \
    --set serviceAccount.name=aws-load-balancer-controller \
    --set "serviceAccount.annotations.eks\.amazonaws\.com/role-arn=$(out "$NAME-cluster" LoadBalancerControllerRoleArn)" \
    --wait
}

pipeline() {
  : "${CONNECTION_ARN:?set CONNECTION_ARN (CodeConnections connection, see the guide)}"
  : "${REPOSITORY_ID:?set REPOSITORY_ID (owner/repo)}"
  say "pipeline stack $NAME-pipeline (CodePipeline -> CodeBuild buildspec.yml)"
  # The namespace exists before the first deploy (the pipeline's role may not create namespaces).
  kubectl apply -f "$deploy/base/namespace.yaml"
  stack "$NAME-pipeline" pipeline.yaml "Name=$NAME" "ClusterName=$NAME" "Overlay=$OVERLAY" \
    "ConnectionArn=$CONNECTION_ARN" "FullRepositoryId=$REPOSITORY_ID" "BranchName=${BRANCH:-main}" \
    "RepositoryName=$(out "$NAME-shared" RepositoryName)" \
    "DataBucket=$(out "$NAME-shared" DataBucket)" \
    "DataKeyArn=$(out "$NAME-shared" DataKeyArn)" \
    "IndexUrl=$(out "$NAME-shared" IndexUrl)" \
    "JobsRoleArn=$(out "$NAME-shared" JobsRoleArn)" \
    "ServerRoleArn=$(out "$NAME-shared" ServerRoleArn)"
  say "pipeline started: aws codepipeline get-pipeline-state --name $NAME"
}

site() {
  say "site stack $NAME-site (S3 + CloudFront)"
  stack "$NAME-site" static-site.yaml "Name=$NAME"
  local api="${API_URL:-}"
  if [ -z "$api" ]; then
    local lb
    lb="$(kubectl -n yelpsearch get svc yelpsearch -o jsonpath='{.status.loadBalancer.ingress[0].hostname}' 2> /dev/null || true)"
    [ -n "$lb" ] || { echo "set API_URL (the service has no load balancer address yet)" >&2; exit 2; }
    api="http://$lb"
  fi
  local bin="${YELPSEARCH_BIN:-$repo/target/release/yelpsearch}" site
  site="$(mktemp -d)"
  "$bin" export-page --api "$api" --out "$site"
  aws s3 sync "$site" "s3://$(out "$NAME-site" BucketName)/" --delete \
    --cache-control "public, max-age=300"
  aws cloudfront create-invalidation --distribution-id "$(out "$NAME-site" DistributionId)" --paths "/*" > /dev/null
  rm -rf "$site"
  echo "page: $(out "$NAME-site" SiteUrl)  (calls $api)"
  echo "allow it on the API: YELPSEARCH_CORS_ORIGINS=https://$(out "$NAME-site" DistributionDomainName)"
  echo "  (service/deploy/base/config/service.env, then let the pipeline deploy)"
}

case "${1:-all}" in
  all)
    cluster; shared; efs; controller; pipeline
    say "next, once the pipeline has deployed (aws codepipeline get-pipeline-state --name $NAME):"
    echo "  upload the inputs, run the bootstrap job, then: bash $0 site   (service/deploy/README.md)"
    ;;
  cluster | shared | efs | controller | pipeline | site) "$1" ;;
  *) echo "usage: deploy.sh [all|cluster|shared|efs|controller|pipeline|site]" >&2; exit 2 ;;
esac
