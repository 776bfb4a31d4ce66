//! Service settings: every one a flag and an environment variable (12-factor).
//!
//! The Kubernetes manifests (`service/deploy/base/config/service.env`) use these exact
//! variable names.

use std::path::PathBuf;
use std::time::Duration;

use axum::http::HeaderValue;

use super::conn::Limits;
use crate::error::{CliError, CliResult};

/// Settings of `yelpsearch serve`.
#[derive(Debug, Clone, clap::Args)]
pub struct ServeArgs {
    /// Index directory (built with `yelpsearch index build`).
    #[arg(long, env = "YELPSEARCH_INDEX")]
    pub index: PathBuf,
    /// Address to listen on (`127.0.0.1:0` picks a free port and prints it).
    #[arg(long, env = "YELPSEARCH_ADDR", default_value = "0.0.0.0:8080")]
    pub addr: String,
    /// Origins allowed to call the API from a browser, comma-separated
    /// (`https://search.example.com`); `*` allows any; empty allows none.
    #[arg(long, env = "YELPSEARCH_CORS_ORIGINS", default_value = "")]
    pub cors_origins: String,
    /// How often to look for a new index version, seconds (0: never).
    #[arg(long, env = "YELPSEARCH_RELOAD_INTERVAL_SECS", default_value_t = 30)]
    pub reload_interval_secs: u64,
    /// Most searches taken in at once, running or waiting their turn; more are refused
    /// with 503 `overloaded`.
    #[arg(long, env = "YELPSEARCH_MAX_CONCURRENCY", default_value_t = 256)]
    pub max_concurrency: usize,
    /// Searches running at once (0: two per core); the others admitted wait their turn
    /// in arrival order. A search is CPU work: many more of them than cores only share
    /// the cores and all finish late, while two per core keep the cores busy when one
    /// waits for the disk or the HTTP side needs the core.
    #[arg(long, env = "YELPSEARCH_SEARCH_THREADS", default_value_t = 0)]
    pub search_threads: usize,
    /// Longest a request may take before it is answered with 408 `timeout`, ms.
    #[arg(long, env = "YELPSEARCH_REQUEST_TIMEOUT_MS", default_value_t = 2000)]
    pub request_timeout_ms: u64,
    /// After SIGTERM, how long in-flight requests get to finish, seconds (connections
    /// with no request being answered are closed at once).
    #[arg(long, env = "YELPSEARCH_SHUTDOWN_GRACE_SECS", default_value_t = 20)]
    pub shutdown_grace_secs: u64,
    /// Most connections open at once; one more is answered 503 `overloaded` and
    /// closed. Keep it below the process's open-file limit (`ulimit -n`).
    #[arg(long, env = "YELPSEARCH_MAX_CONNECTIONS", default_value_t = 4096)]
    pub max_connections: usize,
    /// Longest wait for a request's headers, seconds, from when the server starts
    /// reading them: slower clients (a byte a second) are closed.
    #[arg(
        long,
        env = "YELPSEARCH_HEADER_READ_TIMEOUT_SECS",
        default_value_t = 10
    )]
    pub header_read_timeout_secs: u64,
    /// A connection on which nothing is read or written for this long is closed,
    /// seconds.
    #[arg(long, env = "YELPSEARCH_IDLE_TIMEOUT_SECS", default_value_t = 60)]
    pub idle_timeout_secs: u64,
    /// Keep --index a copy of the versions published at this URL (s3://BUCKET/PREFIX
    /// or file:///DIR): every reload interval (5 s without one), download a newer
    /// version beside the current one, verify it and have the index holder open it
    /// (see `yelpsearch index pull`).
    #[arg(long, env = "YELPSEARCH_PULL")]
    pub pull: Option<String>,
    /// Versions a pulling server keeps on its disk (the current one, and the previous
    /// one for a rollback without a download).
    #[arg(long, env = "YELPSEARCH_PULL_KEEP", default_value_t = 2)]
    pub pull_keep: usize,
}

/// Validated settings.
#[derive(Debug, Clone)]
pub struct Settings {
    /// Index directory.
    pub index: PathBuf,
    /// Address to listen on.
    pub addr: String,
    /// Allowed CORS origins (empty: no CORS headers at all).
    pub cors: Cors,
    /// Poll interval for new index versions (`None`: never).
    pub reload_interval: Option<Duration>,
    /// Most searches taken in at once (running or waiting).
    pub max_concurrency: usize,
    /// Searches running at once.
    pub search_threads: usize,
    /// Per-request time limit.
    pub request_timeout: Duration,
    /// Bound on finishing in-flight requests after SIGTERM.
    pub shutdown_grace: Duration,
    /// Connection cap and timeouts.
    pub limits: Limits,
    /// The store to pull versions from, and how many to keep (`None`: the index
    /// directory is written by others).
    pub pull: Option<(String, usize)>,
}

/// Which origins may call the API from a browser.
#[derive(Debug, Clone, PartialEq)]
pub enum Cors {
    /// No CORS headers: same-origin only.
    Off,
    /// Any origin (`*`).
    Any,
    /// These origins exactly.
    List(Vec<HeaderValue>),
}

impl Settings {
    /// Settings with the defaults of `serve` for `index` on `addr`.
    pub fn new(index: PathBuf, addr: String) -> Settings {
        Settings {
            index,
            addr,
            cors: Cors::Off,
            reload_interval: Some(Duration::from_secs(30)),
            max_concurrency: 256,
            search_threads: search_threads(0),
            request_timeout: Duration::from_millis(2000),
            shutdown_grace: Duration::from_secs(20),
            limits: Limits {
                max_connections: 4096,
                header_read_timeout: Duration::from_secs(10),
                idle_timeout: Duration::from_secs(60),
            },
            pull: None,
        }
    }

    /// Checks the flags and turns them into settings.
    pub fn from_args(a: ServeArgs) -> CliResult<Settings> {
        if a.max_concurrency == 0 {
            return Err(CliError::Usage(
                "--max-concurrency must be at least 1".into(),
            ));
        }
        for (name, v) in [
            ("--max-connections", a.max_connections as u64),
            ("--header-read-timeout-secs", a.header_read_timeout_secs),
            ("--idle-timeout-secs", a.idle_timeout_secs),
        ] {
            if v == 0 {
                return Err(CliError::Usage(format!("{name} must be at least 1")));
            }
        }
        if a.request_timeout_ms == 0 {
            return Err(CliError::Usage(
                "--request-timeout-ms must be at least 1".into(),
            ));
        }
        Ok(Settings {
            cors: parse_cors(&a.cors_origins)?,
            reload_interval: (a.reload_interval_secs > 0)
                .then(|| Duration::from_secs(a.reload_interval_secs)),
            max_concurrency: a.max_concurrency,
            search_threads: search_threads(a.search_threads),
            request_timeout: Duration::from_millis(a.request_timeout_ms),
            shutdown_grace: Duration::from_secs(a.shutdown_grace_secs),
            limits: Limits {
                max_connections: a.max_connections,
                header_read_timeout: Duration::from_secs(a.header_read_timeout_secs),
                idle_timeout: Duration::from_secs(a.idle_timeout_secs),
            },
            pull: a
                .pull
                .filter(|u| !u.trim().is_empty())
                .map(|u| (u, a.pull_keep.max(1))),
            index: a.index,
            addr: a.addr,
        })
    }
}

/// The searches to run at once for `--search-threads asked`: as asked, or for 0 two per
/// core this process may use (available_parallelism reads a container's CPU limit).
fn search_threads(asked: usize) -> usize {
    match asked {
        0 => 2 * std::thread::available_parallelism().map_or(1, |n| n.get()),
        n => n,
    }
}

/// Parses `YELPSEARCH_CORS_ORIGINS`: a comma list of `scheme://host[:port]`, or `*`.
pub fn parse_cors(list: &str) -> CliResult<Cors> {
    let items: Vec<&str> = list
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .collect();
    if items.is_empty() {
        return Ok(Cors::Off);
    }
    if items.contains(&"*") {
        return Ok(Cors::Any);
    }
    let mut out = Vec::with_capacity(items.len());
    for o in items {
        let o = o.trim_end_matches('/');
        let rest = o
            .strip_prefix("https://")
            .or_else(|| o.strip_prefix("http://"));
        let ok = rest.is_some_and(|h| !h.is_empty() && !h.contains(['/', '?', '#', ' ']));
        if !ok {
            return Err(CliError::Usage(format!(
                "CORS origin {o:?} is not an origin: write scheme://host[:port], e.g. https://search.example.com"
            )));
        }
        let v = HeaderValue::from_str(o).map_err(|_| {
            CliError::Usage(format!(
                "CORS origin {o:?} has characters a header cannot hold"
            ))
        })?;
        out.push(v);
    }
    Ok(Cors::List(out))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cors_lists() {
        assert_eq!(parse_cors("").unwrap(), Cors::Off);
        assert_eq!(parse_cors(" , ").unwrap(), Cors::Off);
        assert_eq!(parse_cors("*").unwrap(), Cors::Any);
        let Cors::List(v) = parse_cors("https://a.example, http://localhost:3000/").unwrap() else {
            panic!("expected a list")
        };
        assert_eq!(v, ["https://a.example", "http://localhost:3000"]);
        assert!(parse_cors("a.example").is_err());
        assert!(parse_cors("https://a.example/path").is_err());
    }
}
