"""A complete Flask app serving yelpsearch's HTTP API.

Build an index first (for example ``yelpsearch demo`` or ``yelpsearch index build``),
then::

    YELPSEARCH_INDEX=demo-data/index flask --app examples/flask_app run
    curl 'http://127.0.0.1:5000/search?q=61820+pasta'

or, in production, ``gunicorn --workers 2 --threads 8 --chdir examples flask_app:app``.
The integration is the three lines marked below; the rest is an ordinary app.
"""

from __future__ import annotations

import os

from flask import Flask

from yelpsearch.flask import create_blueprint  # 1

app = Flask(__name__)
index_dir = os.environ.get("YELPSEARCH_INDEX", "demo-data/index")  # 2
app.register_blueprint(create_blueprint(index_dir))  # 3


@app.get("/")
def home() -> dict[str, object]:
    """Say where the API is."""
    return {"service": "yelpsearch", "try": "/search?q=61820+pasta", "api": "/openapi.json"}
