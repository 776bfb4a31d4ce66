//! The router and its middleware: access log and metrics, security headers, CORS, the
//! request time limit and panic recovery.

use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::extract::{MatchedPath, Request, State};
use axum::http::{header, HeaderValue, Method};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::cors::{AllowOrigin, CorsLayer};

use yelpsearch::api::ApiError;

use super::errors::HttpError;
use super::handlers;
use super::settings::{Cors, Settings};
use super::state::AppState;

/// The service's routes with all middleware, outermost first: access log and metrics,
/// security headers, CORS, time limit, panic recovery.
pub fn router(state: Arc<AppState>, settings: &Settings) -> Router {
    let timeout = settings.request_timeout;
    let mut app = Router::new()
        .route("/", get(handlers::index_page))
        .route("/search", get(handlers::search))
        .route("/health", get(handlers::health))
        .route("/ready", get(handlers::ready))
        .route("/model/info", get(handlers::model_info))
        .route("/model/metrics", get(handlers::model_metrics))
        .route("/metrics", get(handlers::metrics))
        .route("/openapi.json", get(handlers::openapi))
        .route("/favicon.ico", get(handlers::favicon))
        .fallback(handlers::not_found)
        .method_not_allowed_fallback(handlers::method_not_allowed)
        .layer(CatchPanicLayer::custom(panic_response))
        .layer(middleware::from_fn(move |req: Request, next: Next| {
            time_limit(timeout, req, next)
        }));
    if let Some(cors) = cors_layer(&settings.cors) {
        app = app.layer(cors);
    }
    app.layer(middleware::from_fn(security_headers))
        .layer(middleware::from_fn_with_state(state.clone(), track))
        .with_state(state)
}

fn cors_layer(cors: &Cors) -> Option<CorsLayer> {
    let origins = match cors {
        Cors::Off => return None,
        Cors::Any => AllowOrigin::any(),
        Cors::List(list) => AllowOrigin::list(list.iter().cloned()),
    };
    Some(
        CorsLayer::new()
            .allow_origin(origins)
            .allow_methods([Method::GET, Method::HEAD])
            .allow_headers([header::ACCEPT, header::CONTENT_TYPE])
            .max_age(Duration::from_secs(600)),
    )
}

/// Records every request in the metrics and writes one access-log line.
async fn track(State(state): State<Arc<AppState>>, req: Request, next: Next) -> Response {
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "unmatched".to_string(), |p| p.as_str().to_string());
    let method = req.method().clone();
    let t0 = Instant::now();
    let resp = {
        let _in_flight = state.metrics.start();
        next.run(req).await
    };
    let secs = t0.elapsed().as_secs_f64();
    let status = resp.status().as_u16();
    state.metrics.observe(&route, status, secs);
    tracing::info!(
        target: "yelpsearch::access",
        method = %method, route = %route, status, latency_ms = secs * 1e3, "request"
    );
    resp
}

/// Answers 408 `timeout` when a request takes longer than `limit`.
async fn time_limit(limit: Duration, req: Request, next: Next) -> Response {
    match tokio::time::timeout(limit, next.run(req)).await {
        Ok(r) => r,
        Err(_) => HttpError(ApiError::timeout()).into_response(),
    }
}

/// Headers every response carries.
async fn security_headers(req: Request, next: Next) -> Response {
    let mut r = next.run(req).await;
    let h = r.headers_mut();
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    if !h.contains_key(header::CONTENT_SECURITY_POLICY) {
        h.insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static("default-src 'none'; frame-ancestors 'none'"),
        );
    }
    r
}

fn panic_response(_: Box<dyn std::any::Any + Send + 'static>) -> Response {
    HttpError(ApiError::internal(&"a handler panicked")).into_response()
}
