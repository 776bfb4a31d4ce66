//! Handlers: each translates between HTTP and the library, nothing more.

use std::sync::Arc;

use axum::extract::State;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::json;
use yelpsearch::api::{ApiError, ModelMetrics, ReadyBody};

use super::errors::HttpError;
use super::metrics::IndexGauges;
use super::page;
use super::params::Search;
use super::state::AppState;

type Shared = State<Arc<AppState>>;

/// `GET /search?q=&zip=&limit=&related=`: the library's search, run in a search slot
/// (none to be had: 503 `overloaded`).
pub async fn search(State(state): Shared, Search(params): Search) -> Result<Response, HttpError> {
    let index = state.index()?;
    let req = params.to_request();
    let res = state.searches.run(move || index.search(&req)).await??;
    Ok(no_store(Json(res).into_response()))
}

/// `GET /health`: the process answers.
pub async fn health() -> Response {
    no_store(Json(json!({"status": "ok"})).into_response())
}

/// `GET /ready`: 200 once the index and its model are open, 503 before that and after
/// SIGTERM (the core's body).
pub async fn ready(State(state): Shared) -> Response {
    let body = if state.shutting_down() {
        ReadyBody::not_ready("shutting down")
    } else {
        ReadyBody::of_holder(&state.holder)
    };
    let status = StatusCode::from_u16(body.status()).unwrap_or(StatusCode::SERVICE_UNAVAILABLE);
    no_store((status, Json(body)).into_response())
}

/// `GET /model/info`: the model card (the model file without its weights).
pub async fn model_info(State(state): Shared) -> Result<Response, HttpError> {
    let index = state.index()?;
    Ok(no_store(Json(index.model_info()).into_response()))
}

/// `GET /model/metrics`: the model's offline metrics (the core's body).
pub async fn model_metrics(State(state): Shared) -> Result<Response, HttpError> {
    let index = state.index()?;
    Ok(no_store(Json(ModelMetrics::of(&index)).into_response()))
}

/// `GET /metrics`: Prometheus text.
pub async fn metrics(State(state): Shared) -> Response {
    let gauges = state
        .holder
        .index()
        .map(|i| IndexGauges { stats: i.stats() });
    let text = state.metrics.render(gauges.as_ref(), state.shutting_down());
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
pub async fn not_found() -> HttpError {
    HttpError(ApiError::not_found())
}

/// A known path with a method other than GET or HEAD.
pub async fn method_not_allowed() -> HttpError {
    HttpError(ApiError::method_not_allowed())
}

fn no_store(mut r: Response) -> Response {
    r.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    r
}
