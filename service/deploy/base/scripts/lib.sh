# Shared helpers for the S3 fetch scripts (sourced; runs in amazon/aws-cli).
# Credentials come only from the pod's IRSA identity (AWS_ROLE_ARN +
# AWS_WEB_IDENTITY_TOKEN_FILE injected by the EKS pod identity webhook).
set -euo pipefail

: "${INPUT_BUCKET:?INPUT_BUCKET is not set (ConfigMap yelpsearch-aws)}"
INPUT_DIR="${INPUT_DIR:-/work/input}"
# s3://bucket/prefix/ with an optional, slash-trimmed prefix.
prefix="${INPUT_PREFIX:-}"
prefix="${prefix#/}"
prefix="${prefix%/}"
S3_ROOT="s3://${INPUT_BUCKET}/${prefix:+${prefix}/}"

log() { printf '{"level":"INFO","target":"fetch","message":"%s"}\n' "$*"; }
die() { printf '{"level":"ERROR","target":"fetch","message":"%s"}\n' "$*" >&2; exit 1; }

# concat_json OUT DIR: concatenate every *.json / *.jsonl (optionally .gz)
# file under DIR, in byte order of their paths, into OUT (JSON lines). Fails
# if there is none. Uses bash globs only (no find) to need little of the image.
concat_json() {
  local out="$1" dir="$2" n=0 f
  local -a files
  shopt -s globstar nullglob
  files=("$dir"/**/*.json "$dir"/**/*.jsonl "$dir"/**/*.json.gz "$dir"/**/*.jsonl.gz)
  shopt -u globstar nullglob
  [ "${#files[@]}" -gt 0 ] || die "no *.json[l][.gz] file under ${dir}"
  mapfile -t files < <(printf '%s\n' "${files[@]}" | LC_ALL=C sort -u)
  : > "${out}.partial"
  for f in "${files[@]}"; do
    case "$f" in
      *.gz)
        command -v gzip > /dev/null || die "gzip is not in this image; cannot read ${f}"
        gzip -dc -- "$f" >> "${out}.partial" ;;
      *) cat -- "$f" >> "${out}.partial" ;;
    esac
    n=$((n + 1))
  done
  mv "${out}.partial" "$out"
  log "wrote ${out} from ${n} file(s), $(wc -l < "$out") line(s)"
}
