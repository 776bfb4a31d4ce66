#!/usr/bin/env bash
# Bootstrap: fetch a full Yelp Open Dataset snapshot for `yelpsearch index build`:
#   s3://$INPUT_BUCKET/$INPUT_PREFIX/snapshot/yelp_academic_dataset_business.json
#   s3://$INPUT_BUCKET/$INPUT_PREFIX/snapshot/yelp_academic_dataset_review.json
# into $INPUT_DIR/business.json and $INPUT_DIR/reviews.json.
. "$(dirname "$0")/lib.sh"

mkdir -p "$INPUT_DIR"
for pair in business:business.json review:reviews.json; do
  key="${S3_ROOT}snapshot/yelp_academic_dataset_${pair%%:*}.json"
  out="${INPUT_DIR}/${pair#*:}"
  log "copying ${key}"
  aws s3 cp --no-progress --only-show-errors "$key" "${out}.partial"
  [ -s "${out}.partial" ] || die "${key} is empty"
  mv "${out}.partial" "$out"
done
log "snapshot ready: $(wc -c "${INPUT_DIR}/business.json" "${INPUT_DIR}/reviews.json" | tr -s ' \n' ' ')"
