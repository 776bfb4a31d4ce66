#!/usr/bin/env bash
# Nightly: fetch one UTC day of reviews (default: yesterday) into
# $INPUT_DIR/reviews.json for `yelpsearch index update`.
#   s3://$INPUT_BUCKET/$INPUT_PREFIX/reviews/dt=YYYY-MM-DD/*.json[l][.gz]
# REVIEWS_DATE=YYYY-MM-DD overrides the day (backfills).
. "$(dirname "$0")/lib.sh"

day="${REVIEWS_DATE:-$(date -u -d yesterday +%F)}"
[[ "$day" =~ ^[0-9]{4}-[0-9]{2}-[0-9]{2}$ ]] || die "REVIEWS_DATE must be YYYY-MM-DD, got '${day}'"
src="${S3_ROOT}reviews/dt=${day}/"
mkdir -p "${INPUT_DIR}/parts"
log "syncing ${src}"
aws s3 sync --no-progress --only-show-errors "$src" "${INPUT_DIR}/parts/"
concat_json "${INPUT_DIR}/reviews.json" "${INPUT_DIR}/parts"
rm -rf "${INPUT_DIR}/parts"
