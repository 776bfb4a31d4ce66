//! The HTTP service: the search API, health and readiness, model and Prometheus
//! metrics, the OpenAPI document and the web page.
//!
//! - [`settings`]: flags and environment variables.
//! - [`conn`]: the accept loop: the connection cap, header and idle timeouts, JSON bodies
//!   for hyper's own rejections, closing idle connections on shutdown.
//! - [`routes`]: the router and its middleware.
//! - [`handlers`]: one function per endpoint, translating between HTTP and the library.
//! - [`params`]: `/search`'s parameters as an extractor (the core's parsing).
//! - [`errors`]: the core's API errors as responses.
//! - [`metrics`]: request counters, latency histograms and the exposition.
//! - [`state`]: what handlers share, and the index holder.
//! - [`shutdown`]: SIGTERM handling.
//! - [`page`]: the embedded page, its CSP, and the embedded OpenAPI document.

pub mod conn;
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
    let listener = TcpListener::bind(&settings.addr).await.map_err(|e| {
        let what = if e.kind() == std::io::ErrorKind::AddrInUse {
            format!(
                "listening on {} (another process listens there: stop it, or pick another \
                 address with --addr or YELPSEARCH_ADDR, e.g. --addr 127.0.0.1:0 for any free port)",
                settings.addr
            )
        } else {
            format!("listening on {}", settings.addr)
        };
        CliError::io(what, e)
    })?;
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
    let retry = settings
        .reload_interval
        .unwrap_or(Duration::from_secs(5))
        .max(Duration::from_secs(1));
    let state = Arc::new(
        AppState::new(
            settings.index.clone(),
            retry,
            settings.reload_interval,
            settings.max_concurrency,
            settings.search_threads,
        )
        .with_pull(puller.as_ref().map(|p| p.status())),
    );
    let watcher = state.watch_index();
    // With --pull, a round runs at once and then every retry interval; a round that
    // moves CURRENT has the holder open or reload the index at once (the holder stays
    // the one reload mechanism: an empty replica's holder keeps retrying until then).
    let pulls =
        puller.map(|p| tokio::spawn(p.run(retry, state.stop.clone(), state.holder.clone())));

    let app = routes::router(state.clone(), &settings);
    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    let signalled = tokio::spawn(shutdown::on_signal(signals, state.clone(), stop_tx));
    let outcome = conn::serve(
        listener,
        app,
        settings.limits,
        stop_rx,
        settings.shutdown_grace,
    )
    .await;
    signalled.abort();
    state.stop.store(true, std::sync::atomic::Ordering::Relaxed);
    if let Some(p) = pulls {
        p.abort();
    }
    // The watcher sees the stop flag within 100 ms; an index still opening (slow disk)
    // must not hold the exit.
    let joined = tokio::task::spawn_blocking(move || watcher.join());
    let _ = tokio::time::timeout(Duration::from_secs(1), joined).await;
    if outcome.is_ok() {
        tracing::info!("stopped");
    }
    outcome
}
