//! The HTTP service: the search API, health and readiness, model and Prometheus
//! metrics, the OpenAPI document and the web page.
//!
//! - [`settings`]: flags and environment variables.
//! - [`routes`]: the router and its middleware.
//! - [`handlers`]: one function per endpoint, translating between HTTP and the library.
//! - [`params`]: `/search`'s query string.
//! - [`errors`]: the JSON error body and the status of each error code.
//! - [`metrics`]: request counters, latency histograms and the exposition.
//! - [`state`]: what handlers share, and opening the index.
//! - [`shutdown`]: SIGTERM handling.
//! - [`page`]: the embedded page, its CSP, and the embedded OpenAPI document.

pub mod errors;
pub mod handlers;
pub mod metrics;
pub mod page;
pub mod params;
pub mod routes;
pub mod settings;
pub mod shutdown;
pub mod state;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use tokio::net::TcpListener;

pub use settings::{ServeArgs, Settings};

use crate::error::{CliError, CliResult};
use state::AppState;

/// Runs the service until SIGTERM or Ctrl-C.
pub fn run_serve(args: ServeArgs) -> CliResult<()> {
    serve(Settings::from_args(args)?, |addr| {
        println!("yelpsearch listening on http://{addr}");
    })
}

/// Binds `settings.addr`, calls `on_listen` with the bound address, opens the index in
/// the background (`/health` answers at once, `/ready` once the index is open) and
/// serves until SIGTERM or Ctrl-C; then finishes requests in flight within
/// `settings.shutdown_grace`.
pub fn serve(settings: Settings, on_listen: impl FnOnce(SocketAddr)) -> CliResult<()> {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .thread_name("yelpsearch-http")
        // Searches run on blocking threads, at most `search_threads` at once; the rest
        // for opening and watching the index.
        .max_blocking_threads(settings.search_threads + 8)
        .build()
        .map_err(|e| CliError::io("starting the async runtime", e))?;
    let result = rt.block_on(run(settings, on_listen));
    // An index still opening (slow disk) must not hold the exit.
    rt.shutdown_timeout(Duration::from_secs(1));
    result
}

async fn run(settings: Settings, on_listen: impl FnOnce(SocketAddr)) -> CliResult<()> {
    let listener = TcpListener::bind(&settings.addr)
        .await
        .map_err(|e| CliError::io(format!("listening on {}", settings.addr), e))?;
    let addr = listener
        .local_addr()
        .map_err(|e| CliError::io("reading the bound address", e))?;
    let signals =
        shutdown::Signals::install().map_err(|e| CliError::io("listening for SIGTERM", e))?;
    tracing::info!(%addr, index = %settings.index.display(), "listening");
    on_listen(addr);

    let puller = match &settings.pull {
        Some((url, keep)) => Some(crate::remote::Puller::new(
            crate::remote::Remote::open(url)?,
            settings.index.clone(),
            *keep,
        )),
        None => None,
    };
    let state = Arc::new(
        AppState::new(settings.max_concurrency, settings.search_threads)
            .with_pull(puller.as_ref().map(|p| p.status())),
    );
    let retry = settings
        .reload_interval
        .unwrap_or(Duration::from_secs(5))
        .max(Duration::from_secs(1));
    // With --pull, a round runs at once and then every interval. An empty replica
    // opens its index after that first round (the version it just downloaded); one
    // with a version on disk opens it at once and swaps when a newer one arrives.
    let (first_round, first_round_done) = tokio::sync::oneshot::channel();
    let wait_for_pull = puller.is_some()
        && yelpsearch::index::IndexDir::new(&settings.index)
            .current()
            .is_err();
    let loader = tokio::spawn({
        let state = state.clone();
        let (index, reload) = (settings.index.clone(), settings.reload_interval);
        async move {
            if wait_for_pull {
                let _ = first_round_done.await;
            }
            state.load_index(index, retry, reload).await
        }
    });
    let pulls = puller.map(|p| {
        let s = state.clone();
        tokio::spawn(p.run(retry, state.stop.clone(), first_round, move || {
            if let Some(index) = s.try_index() {
                if let Err(e) = index.reload() {
                    tracing::warn!(error = %e, "opening the pulled version failed; still serving the previous one");
                }
            }
        }))
    });

    let app = routes::router(state.clone(), &settings);
    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    let server = axum::serve(listener, app).with_graceful_shutdown(shutdown::on_signal(
        signals,
        state.clone(),
        stop_tx,
    ));
    let outcome = tokio::select! {
        r = server => r.map_err(|e| CliError::io("serving HTTP", e)),
        _ = shutdown::grace_expired(stop_rx, settings.shutdown_grace) => Err(CliError::Serve(format!(
            "requests still in flight after the {}s shutdown grace period were dropped",
            settings.shutdown_grace.as_secs()
        ))),
    };
    state.stop.store(true, std::sync::atomic::Ordering::Relaxed);
    if let Some(p) = pulls {
        p.abort();
    }
    if loader.is_finished() {
        if let Ok(Some(watcher)) = loader.await {
            // It sees the stop flag within 100 ms.
            let _ = tokio::task::spawn_blocking(move || watcher.join()).await;
        }
    } else {
        loader.abort();
    }
    if outcome.is_ok() {
        tracing::info!("stopped");
    }
    outcome
}
