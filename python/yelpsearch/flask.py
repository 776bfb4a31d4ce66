"""A Flask blueprint serving the yelpsearch HTTP API (the Rust service's contract).

Three lines turn a Flask app into a yelpsearch server::

    from yelpsearch.flask import create_blueprint

    app.register_blueprint(create_blueprint("demo-data/index"))

Routes: ``GET /search?q=&zip=&limit=``, ``/health``, ``/ready``, ``/model/info``,
``/model/metrics`` and ``/openapi.json``, with exactly the JSON bodies and error
codes of ``service/openapi.json`` (``yelpsearch.OPENAPI_JSON``). CORS is left to the
app (for example flask-cors).
"""

from __future__ import annotations

import logging
import os
import re
import threading
import time
from typing import Any, Optional, Union

from flask import Blueprint, Response, current_app, jsonify, request
from werkzeug.exceptions import HTTPException

from . import OPENAPI_JSON, Index, IndexNotFound, QueryError, UnknownZipError

__all__ = ["DEFAULT_LIMIT", "MAX_LIMIT", "MAX_QUERY_CHARS", "ZIP_PATTERN", "create_blueprint"]

log = logging.getLogger(__name__)

#: Longest ``q`` accepted, in characters (``paths./search.q.maxLength``).
MAX_QUERY_CHARS = 256
#: Largest ``limit`` accepted over HTTP (``paths./search.limit.maximum``).
MAX_LIMIT = 100
#: ``limit`` when the parameter is absent.
DEFAULT_LIMIT = 10
#: The ``zip`` parameter's pattern, applied to the raw value.
ZIP_PATTERN = "^([0-9]{5}(-[0-9]{4})?|[A-Za-z][0-9][A-Za-z] ?[0-9][A-Za-z][0-9])$"

_ZIP_RE = re.compile(
    r"(?:[0-9]{5}(?:-[0-9]{4})?|[A-Za-z][0-9][A-Za-z] ?[0-9][A-Za-z][0-9])", re.ASCII
)
_LIMIT_RE = re.compile(r"[0-9]{1,9}", re.ASCII)

IndexOrPath = Union[Index, str, "os.PathLike[str]"]


def _error(status: int, code: str, message: str) -> Response:
    resp = jsonify({"error": {"code": code, "message": message}})
    resp.status_code = status
    return resp


class _Holder:
    """The index behind a blueprint: opened lazily from a path, reloaded now and then.

    Opening is retried (at most once a second) until it succeeds, so an app can start
    before its index exists and report ``not_ready`` meanwhile. Once open, the first
    request after ``reload_interval`` seconds checks for a newer version on disk.
    """

    def __init__(self, index_or_path: IndexOrPath, reload_interval: Optional[float]) -> None:
        self._lock = threading.Lock()
        self._reload_interval = reload_interval
        self._checked = time.monotonic()
        self._error = "index is loading"
        self._index: Optional[Index] = None
        self._path: Optional[str] = None
        if isinstance(index_or_path, Index):
            self._index = index_or_path
        else:
            self._path = os.fspath(index_or_path)
            self._open()

    def _open(self) -> None:
        assert self._path is not None
        try:
            self._index = Index(self._path)
        except IndexNotFound as e:
            self._error = str(e)
            log.warning("yelpsearch index not ready: %s", e)
        self._checked = time.monotonic()

    def get(self) -> Optional[Index]:
        """Return the open index (None while it cannot be opened)."""
        index = self._index
        now = time.monotonic()
        if index is None:
            if now - self._checked >= 1.0 and self._lock.acquire(blocking=False):
                try:
                    if self._index is None:
                        self._open()
                finally:
                    self._lock.release()
            return self._index
        interval = self._reload_interval
        if interval is not None and now - self._checked >= interval:
            if self._lock.acquire(blocking=False):
                try:
                    self._checked = now
                    if index.reload():
                        log.info("yelpsearch index version %s swapped in", index.version)
                except Exception:
                    log.exception("yelpsearch index reload failed; serving the previous version")
                finally:
                    self._lock.release()
        return index

    @property
    def not_ready_reason(self) -> str:
        """Why the index is not open."""
        return self._error


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
    trying to open it). ``url_prefix`` mounts the routes under a prefix. Every
    ``reload_interval`` seconds (None: never) a request checks for a newer index
    version and swaps it in without blocking other requests.
    """
    holder = _Holder(index_or_path, reload_interval)
    bp = Blueprint(name, __name__, url_prefix=url_prefix or None)

    def not_ready() -> Response:
        return _error(503, "not_ready", f"the index is not loaded yet: {holder.not_ready_reason}")

    @bp.get("/search")
    def search() -> Response:
        args = request.args
        q = args.get("q")
        if q is None:
            return _error(400, "missing_query", "add what to look for, e.g. q=61820+pasta")
        if not q:
            return _error(400, "invalid_query", "q is empty: write what to look for")
        if len(q) > MAX_QUERY_CHARS:
            return _error(400, "invalid_query", f"q is longer than {MAX_QUERY_CHARS} characters")
        zip_code = args.get("zip")
        if zip_code is not None and not _ZIP_RE.fullmatch(zip_code):
            return _error(
                400,
                "invalid_zip",
                f"{zip_code!r} is not a zipcode (5 digits like 61820, "
                "or a Canadian code like T2P 1J9)",
            )
        raw_limit = args.get("limit")
        limit = DEFAULT_LIMIT
        if raw_limit is not None:
            if not _LIMIT_RE.fullmatch(raw_limit) or not 1 <= int(raw_limit) <= MAX_LIMIT:
                return _error(
                    400, "invalid_limit", f"limit must be an integer from 1 to {MAX_LIMIT}"
                )
            limit = int(raw_limit)
        index = holder.get()
        if index is None:
            return not_ready()
        try:
            res = index.search_response(q, zip_code, limit)
        except UnknownZipError as e:
            return _error(404, "unknown_zip", str(e))
        except QueryError as e:
            return _error(400, e.code, str(e))
        return current_app.response_class(res.to_json(), mimetype="application/json")

    @bp.get("/health")
    def health() -> Response:
        return jsonify({"status": "ok"})

    @bp.get("/ready")
    def ready() -> Response:
        index = holder.get()
        if index is None:
            resp = jsonify({"status": "not_ready", "reason": holder.not_ready_reason})
            resp.status_code = 503
            return resp
        stats = index.stats()
        return jsonify(
            {
                "status": "ready",
                "index_version": stats["version"],
                "documents": stats["reviews"],
                "model": stats["model_version"],
            }
        )

    @bp.get("/model/info")
    def model_info() -> Response:
        index = holder.get()
        if index is None:
            return not_ready()
        return jsonify(index.model_info())

    @bp.get("/model/metrics")
    def model_metrics() -> Response:
        index = holder.get()
        if index is None:
            return not_ready()
        info = index.model_info()
        return jsonify({"model": info["version"], "metrics": info["metrics"]})

    @bp.get("/openapi.json")
    def openapi() -> Response:
        return current_app.response_class(OPENAPI_JSON, mimetype="application/json")

    @bp.errorhandler(Exception)
    def internal(e: Exception) -> Any:
        if isinstance(e, HTTPException):
            return e
        log.exception("yelpsearch request failed")
        return _error(500, "internal", "internal error")

    return bp
