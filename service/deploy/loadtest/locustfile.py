"""Locust load test for yelpsearch.

Point it at the load balancer and watch the HPA react:
    pip install locust==2.47.0
    locust -f service/deploy/loadtest/locustfile.py --host http://<nlb-dns-name> \
        --headless --users 200 --spawn-rate 20 --run-time 10m
    kubectl -n yelpsearch get hpa yelpsearch -w        # in another terminal

Queries come from $YELPSEARCH_QUERIES (CSV with a `zip,q` header), default
queries.csv beside this file, else a built-in zip x term grid.
$YELPSEARCH_WAIT_MIN / $YELPSEARCH_WAIT_MAX: think time per user in seconds.
"""

from __future__ import annotations

import csv
import itertools
import os
import random
from pathlib import Path

from locust import HttpUser, between, task

DEFAULT_ZIPS = ["19103", "19107", "33602", "46204", "37203", "85701", "70130", "89501", "63101", "93101", "83702", "61820"]
DEFAULT_TERMS = ["pasta", "pizza", "tacos", "sushi", "coffee", "brunch", "burgers", "ramen", "vegan", "bbq", "pho", "thai"]


def load_queries() -> list[tuple[str, str]]:
    path = Path(os.environ.get("YELPSEARCH_QUERIES", Path(__file__).with_name("queries.csv")))
    if path.is_file():
        with path.open(newline="") as f:
            rows = [(r["zip"].strip(), r["q"].strip()) for r in csv.DictReader(f) if r.get("zip") and r.get("q")]
        if rows:
            return rows
    return list(itertools.product(DEFAULT_ZIPS, DEFAULT_TERMS))


QUERIES = load_queries()


class SearchUser(HttpUser):
    wait_time = between(float(os.environ.get("YELPSEARCH_WAIT_MIN", "0.1")),
                        float(os.environ.get("YELPSEARCH_WAIT_MAX", "0.5")))

    @task(40)
    def search(self) -> None:
        zipcode, q = random.choice(QUERIES)
        params = {"zip": zipcode, "q": q, "limit": random.choice([5, 10, 20])}
        with self.client.get("/search", params=params, name="/search", catch_response=True) as r:
            if r.status_code != 200:
                r.failure(f"HTTP {r.status_code}")
                return
            try:
                r.json()
            except ValueError:
                r.failure("response is not JSON")

    @task(1)
    def health(self) -> None:
        self.client.get("/health", name="/health")

    @task(1)
    def model_info(self) -> None:
        self.client.get("/model/info", name="/model/info")
