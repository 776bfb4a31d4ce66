//! Handlers: each translates between HTTP and the library, nothing more.

use std::sync::Arc;

use axum::extract::{RawQuery, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Serialize;
use serde_json::json;

use super::errors::ApiError;
use super::metrics::IndexGauges;
use super::page;
use super::params::SearchParams;
use super::state::AppState;

type Shared = State<Arc<AppState>>;

/// `GET /search?q=&zip=&limit=`: the library's search, run in a search slot (none to
/// be had: 503 `overloaded`).
pub async fn search(State(state): Shared, RawQuery(raw): RawQuery) -> Result<Response, ApiError> {
    let params = SearchParams::parse(raw.as_deref())?;
    let index = state.index()?;
    let req = params.to_request();
    let res = state.searches.run(move || index.search(&req)).await??;
    Ok(no_store(Json(res).into_response()))
}

/// `GET /health`: the process answers.
pub async fn health() -> Response {
    no_store(Json(json!({"status": "ok"})).into_response())
}

#[derive(Serialize)]
struct Ready {
    status: &'static str,
    index_version: String,
    documents: u64,
    model: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pull: Option<serde_json::Value>,
}

/// `GET /ready`: 200 once the index and its model are open, 503 before that and after
/// SIGTERM.
pub async fn ready(State(state): Shared) -> Response {
    let not_ready = |reason: String| {
        let body = Json(json!({"status": "not_ready", "reason": reason}));
        no_store((StatusCode::SERVICE_UNAVAILABLE, body).into_response())
    };
    if state.shutting_down() {
        return not_ready("shutting down".into());
    }
    match state.try_index() {
        Some(index) => {
            let s = index.stats();
            let body = Ready {
                status: "ready",
                index_version: s.version,
                documents: s.reviews,
                model: s.model_version,
                pull: state.pull.as_ref().map(|p| p.details()),
            };
            no_store(Json(body).into_response())
        }
        None => not_ready(
            match (
                state.pull.as_ref().and_then(|p| p.not_ready_reason()),
                state.load_error(),
            ) {
                (Some(p), _) => p,
                (None, Some(e)) => format!("index not available: {e}"),
                (None, None) => "index is loading".into(),
            },
        ),
    }
}

/// `GET /model/info`: the model card (the model file without its weights).
pub async fn model_info(State(state): Shared) -> Result<Response, ApiError> {
    let index = state.index()?;
    Ok(no_store(Json(index.model_info()).into_response()))
}

/// `GET /model/metrics`: the model's offline metrics (finite values only: JSON has no
/// NaN).
pub async fn model_metrics(State(state): Shared) -> Result<Response, ApiError> {
    let index = state.index()?;
    let m = index.model_info();
    let metrics: serde_json::Map<String, serde_json::Value> = m
        .metrics
        .into_iter()
        .filter(|(_, v)| v.is_finite())
        .map(|(k, v)| (k, json!(v)))
        .collect();
    let body = json!({"model": m.version, "fallback": m.fallback, "metrics": metrics});
    Ok(no_store(Json(body).into_response()))
}

/// `GET /metrics`: Prometheus text.
pub async fn metrics(State(state): Shared) -> Response {
    let gauges = state.try_index().map(|i| IndexGauges { stats: i.stats() });
    let mut text = state.metrics.render(gauges.as_ref(), state.shutting_down());
    if let Some(p) = &state.pull {
        p.render_metrics(&mut text);
    }
    no_store(
        (
            [(
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/plain; version=0.0.4; charset=utf-8"),
            )],
            text,
        )
            .into_response(),
    )
}

/// `GET /openapi.json`.
pub async fn openapi() -> Response {
    (
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/json"),
            ),
            (header::CACHE_CONTROL, HeaderValue::from_static("no-cache")),
        ],
        page::OPENAPI,
    )
        .into_response()
}

/// `GET /`: the search page, with a strict Content-Security-Policy.
pub async fn index_page() -> Response {
    let mut r = (
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/html; charset=utf-8"),
            ),
            (header::CACHE_CONTROL, HeaderValue::from_static("no-cache")),
            (header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY")),
        ],
        page::PAGE,
    )
        .into_response();
    if let Ok(v) = HeaderValue::from_str(page::csp()) {
        r.headers_mut().insert(header::CONTENT_SECURITY_POLICY, v);
    }
    r
}

/// `GET /favicon.ico`: nothing (204), so browsers showing the page log no 404.
pub async fn favicon() -> Response {
    (
        StatusCode::NO_CONTENT,
        [(
            header::CACHE_CONTROL,
            HeaderValue::from_static("public, max-age=86400"),
        )],
    )
        .into_response()
}

/// Any path the service does not have.
pub async fn not_found() -> ApiError {
    ApiError::not_found()
}

/// A known path with a method other than GET or HEAD.
pub async fn method_not_allowed() -> ApiError {
    ApiError::method_not_allowed()
}

fn no_store(mut r: Response) -> Response {
    r.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    r
}
