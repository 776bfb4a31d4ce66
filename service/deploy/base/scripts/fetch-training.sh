#!/usr/bin/env bash
# Weekly: sync optional training inputs (e.g. editorial relevance judgments)
#   s3://$INPUT_BUCKET/$INPUT_PREFIX/training/  ->  $INPUT_DIR/training/
# An empty or missing prefix is fine: `model train` learns from the reviews
# already in the index; this step also proves the IRSA identity works before
# the (long) training starts.
. "$(dirname "$0")/lib.sh"

src="${S3_ROOT}training/"
mkdir -p "${INPUT_DIR}/training"
log "syncing ${src}"
aws s3 sync --no-progress --only-show-errors "$src" "${INPUT_DIR}/training/"
shopt -s globstar nullglob
files=("${INPUT_DIR}/training"/**/*)
log "training inputs: ${#files[@]} path(s)"
