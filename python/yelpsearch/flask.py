"""A Flask blueprint serving the yelpsearch HTTP API (the Rust service's contract).

Three lines turn a Flask app into a yelpsearch server::

    from yelpsearch.flask import create_blueprint

    app.register_blueprint(create_blueprint("demo-data/index"))

Routes: ``GET /search?q=&zip=&limit=&related=&nearby=&literal=``, ``/health``, ``/ready``,
``/model/info``, ``/model/metrics`` and ``/openapi.json``, with exactly the JSON bodies
and error codes of the OpenAPI document (``yelpsearch.OPENAPI_JSON``); any other path
under its prefix (``/metrics`` included: Prometheus metrics are the Rust service's) is
answered with the API's JSON ``not_found``, and a method other than GET or HEAD on one
of its routes with ``method_not_allowed``. The blueprint only
translates between Flask and the Rust library: the parameters are checked, the errors
coded and the bodies written by the same code as the Rust service's, and the index is
opened and reloaded by the same holder. CORS is left to the app (for example flask-cors).
"""

from __future__ import annotations

import logging
import os
from typing import Any, Optional, Union

from flask import Blueprint, Response, current_app, jsonify, request
from werkzeug.exceptions import HTTPException

from . import OPENAPI_JSON, Index, QueryError
from ._native import (
    HTTP_DEFAULT_LIMIT,
    HTTP_MAX_LIMIT,
    MAX_QUERY_CHARS,
    ZIP_PATTERN,
    IndexHolder,
    error_response,
    parse_search_params,
)

__all__ = ["DEFAULT_LIMIT", "MAX_LIMIT", "MAX_QUERY_CHARS", "ZIP_PATTERN", "create_blueprint"]

log = logging.getLogger(__name__)

#: Largest ``limit`` accepted over HTTP (``paths./search.limit.maximum``).
MAX_LIMIT = HTTP_MAX_LIMIT
#: ``limit`` when the parameter is absent.
DEFAULT_LIMIT = HTTP_DEFAULT_LIMIT

IndexOrPath = Union[Index, str, "os.PathLike[str]"]


def _error(code: str, message: Optional[str] = None) -> Response:
    """The API's JSON error response for ``code`` (its status from the code table)."""
    status, body = error_response(code, message)
    return current_app.response_class(body, status=status, mimetype="application/json")


def create_blueprint(
    index_or_path: IndexOrPath,
    url_prefix: str = "",
    *,
    name: str = "yelpsearch",
    reload_interval: Optional[float] = 30.0,
) -> Blueprint:
    """Return a blueprint serving the yelpsearch HTTP API over an index.

    ``index_or_path`` is an open :class:`yelpsearch.Index` or the index directory (when
    the directory holds no index yet, ``/ready`` answers 503 and the blueprint keeps
    trying to open it, at most once a second). ``url_prefix`` mounts the routes under a
    prefix. Every ``reload_interval`` seconds (None: never) a request checks for a newer
    index version and swaps it in without blocking other requests.
    """
    if isinstance(index_or_path, Index):
        holder = IndexHolder.of_index(index_or_path, reload_interval=reload_interval)
    else:
        holder = IndexHolder(os.fspath(index_or_path), reload_interval=reload_interval)
    bp = Blueprint(name, __name__, url_prefix=url_prefix or None)

    @bp.get("/search")
    def search() -> Response:
        try:
            params = parse_search_params(request.query_string.decode("latin-1"))
        except QueryError as e:
            return _error(e.code, str(e))
        index = holder.get()
        if index is None:
            return _error("not_ready")
        try:
            res = index.search_params(params)
        except QueryError as e:  # an UnknownZipError too
            return _error(e.code, str(e))
        return current_app.response_class(res.to_json(), mimetype="application/json")

    @bp.get("/health")
    def health() -> Response:
        return jsonify({"status": "ok"})

    @bp.get("/ready")
    def ready() -> Response:
        holder.get()
        status, body = holder.ready_body()
        resp = jsonify(body)
        resp.status_code = status
        return resp

    @bp.get("/model/info")
    def model_info() -> Response:
        index = holder.get()
        if index is None:
            return _error("not_ready")
        return jsonify(index.model_info())

    @bp.get("/model/metrics")
    def model_metrics() -> Response:
        index = holder.get()
        if index is None:
            return _error("not_ready")
        return jsonify(index.model_metrics())

    @bp.get("/openapi.json")
    def openapi() -> Response:
        return current_app.response_class(OPENAPI_JSON, mimetype="application/json")

    routes = {"search", "health", "ready", "model/info", "model/metrics", "openapi.json"}

    # Flask answers a path no route matches with its own HTML page: under the
    # blueprint's prefix, the API's JSON errors instead (the routes above win, being
    # more specific; with no prefix this covers every path the app does not route).
    def unrouted(rest: str = "") -> Response:
        if rest in routes:
            return _error("method_not_allowed")
        return _error("not_found")

    methods = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]
    bp.add_url_rule("/<path:rest>", "unrouted", unrouted, methods=methods)
    if url_prefix:
        bp.add_url_rule("/", "unrouted_root", unrouted, methods=methods)

    @bp.errorhandler(Exception)
    def internal(e: Exception) -> Any:
        if isinstance(e, HTTPException):
            return e
        log.exception("yelpsearch request failed")
        return _error("internal")

    return bp
