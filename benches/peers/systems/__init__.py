"""One adapter per peer system.

An in-process adapter defines:
  VARIANTS: the names of its rankings (e.g. ("max", "top3")); () when it does not search.
  build(data_dir, out_dir) -> {"reviews": int, "index_path": Path | None}: read the index set
      (data_dir/business.jsonl.gz, data_dir/review.jsonl.gz) and build the index under out_dir
      (index_path None for an in-memory model).
  search(zip, term, k, variant) -> [business_id]: at most k businesses of that postal code,
      best first, aggregation to businesses included.
An external adapter (a command line, measured with /usr/bin/time) defines instead
  bench(data_dir, out_dir, queries) -> the result dictionary that driver.py writes.
"""
