//! `serve --pull`: a pull round every interval, and what the rounds did for `/ready`
//! and `/metrics`.
//!
//! A failed round changes nothing local: the service keeps serving the version it
//! has, `/ready` says why the round failed (`pull.status` = `failing`) and the
//! failure is counted by kind in `yelpsearch_pull_failures_total`.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use yelpsearch::api::{PullDetails, PullError, PullState};
use yelpsearch::IndexHolder;

use super::pull::{pull, PullReport};
use super::store::Remote;
use crate::error::{CliError, RemoteFailure};

/// The kinds a pull round of a serving process can fail with (a bad URL stops `serve`
/// before any round): the labels of `yelpsearch_pull_failures_total` and of `/ready`'s
/// `pull.last_error.kind`, which the OpenAPI document lists.
const ROUND_FAILURES: [RemoteFailure; 8] = [
    RemoteFailure::Unreachable,
    RemoteFailure::Denied,
    RemoteFailure::NothingPublished,
    RemoteFailure::MissingVersion,
    RemoteFailure::Corrupt,
    RemoteFailure::Conflict,
    RemoteFailure::Busy,
    RemoteFailure::Local,
];

/// What the pull rounds of a serving process did.
#[derive(Debug)]
pub struct PullStatus {
    url: String,
    state: Mutex<State>,
}

#[derive(Debug, Default)]
struct State {
    rounds: u64,
    failures: BTreeMap<&'static str, u64>,
    consecutive_failures: u64,
    last_error: Option<(&'static str, String)>,
    last_attempt: Option<f64>,
    last_success: Option<f64>,
    remote_version: Option<String>,
    installed: u64,
    downloaded_files: u64,
    downloaded_bytes: u64,
    reused_files: u64,
}

fn now() -> f64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0.0, |d| d.as_secs_f64())
}

impl PullStatus {
    /// Status of pulls from `url`, before the first round.
    pub fn new(url: &str) -> PullStatus {
        PullStatus {
            url: url.to_string(),
            state: Mutex::default(),
        }
    }

    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Records a round's outcome.
    pub fn record(&self, outcome: &Result<PullReport, CliError>) {
        let mut s = self.state();
        s.rounds += 1;
        s.last_attempt = Some(now());
        match outcome {
            Ok(r) => {
                s.consecutive_failures = 0;
                s.last_error = None;
                s.last_success = s.last_attempt;
                s.remote_version = Some(r.remote_version.clone());
                if r.outcome == "installed" {
                    s.installed += 1;
                }
                s.downloaded_files += r.downloaded_files as u64;
                s.downloaded_bytes += r.downloaded_bytes;
                s.reused_files += r.reused_files as u64;
            }
            Err(e) => {
                let kind = match e {
                    CliError::Remote { kind, .. } => *kind,
                    _ => RemoteFailure::Local,
                };
                *s.failures.entry(kind.as_str()).or_default() += 1;
                s.consecutive_failures += 1;
                s.last_error = Some((kind.as_str(), e.to_string()));
            }
        }
    }

    /// The `pull` object of `/ready`.
    pub fn details(&self) -> PullDetails {
        let s = self.state();
        PullDetails {
            source: self.url.clone(),
            status: match (&s.last_error, s.rounds) {
                (_, 0) => PullState::Pending,
                (Some(_), _) => PullState::Failing,
                (None, _) => PullState::Ok,
            },
            remote_version: s.remote_version.clone(),
            last_success_unix: s.last_success,
            consecutive_failures: s.consecutive_failures,
            last_error: s.last_error.as_ref().map(|(kind, message)| PullError {
                kind,
                message: message.clone(),
            }),
        }
    }

    /// Why the service has no index yet, when pulling is the reason: the first round
    /// still runs, or the last one failed.
    pub fn not_ready_reason(&self) -> Option<String> {
        let s = self.state();
        match &s.last_error {
            Some((k, m)) => Some(format!("pulling the index failed ({k}): {m}")),
            None if s.rounds == 0 => Some(format!(
                "pulling the index from {}: the first round is running",
                self.url
            )),
            None => None,
        }
    }

    /// Prometheus text for the pull families.
    pub fn render_metrics(&self, o: &mut String) {
        let s = self.state();
        let family = |o: &mut String, name: &str, kind: &str, help: &str| {
            let _ = writeln!(o, "# HELP {name} {help}\n# TYPE {name} {kind}");
        };
        let one = |o: &mut String, name: &str, kind: &str, help: &str, v: f64| {
            family(o, name, kind, help);
            let _ = writeln!(o, "{name} {v}");
        };
        one(
            o,
            "yelpsearch_pull_rounds_total",
            "counter",
            "Pull rounds attempted.",
            s.rounds as f64,
        );
        family(
            o,
            "yelpsearch_pull_failures_total",
            "counter",
            "Failed pull rounds by kind (unreachable, denied, nothing_published, missing_version, corrupt, conflict, busy, local).",
        );
        for kind in ROUND_FAILURES {
            let k = kind.as_str();
            let _ = writeln!(
                o,
                "yelpsearch_pull_failures_total{{kind=\"{k}\"}} {}",
                s.failures.get(k).copied().unwrap_or(0)
            );
        }
        one(
            o,
            "yelpsearch_pull_failing",
            "gauge",
            "1 while the last pull round failed (the service keeps serving the version it has).",
            f64::from(u8::from(s.last_error.is_some())),
        );
        one(
            o,
            "yelpsearch_pull_last_success_timestamp_seconds",
            "gauge",
            "When a pull round last succeeded, Unix seconds (0: never).",
            s.last_success.unwrap_or(0.0),
        );
        one(
            o,
            "yelpsearch_pull_versions_installed_total",
            "counter",
            "Versions downloaded and installed.",
            s.installed as f64,
        );
        one(
            o,
            "yelpsearch_pull_downloaded_files_total",
            "counter",
            "Files downloaded.",
            s.downloaded_files as f64,
        );
        one(
            o,
            "yelpsearch_pull_downloaded_bytes_total",
            "counter",
            "Bytes downloaded.",
            s.downloaded_bytes as f64,
        );
        one(
            o,
            "yelpsearch_pull_reused_files_total",
            "counter",
            "Files of new versions taken from local versions instead of downloaded.",
            s.reused_files as f64,
        );
    }
}

/// Pulls from a store into a serving process's index.
#[derive(Debug, Clone)]
pub struct Puller {
    remote: Remote,
    root: PathBuf,
    keep: usize,
    status: Arc<PullStatus>,
}

impl Puller {
    /// A puller of `remote` into the index at `root`, keeping `keep` versions.
    pub fn new(remote: Remote, root: PathBuf, keep: usize) -> Puller {
        let status = Arc::new(PullStatus::new(remote.url()));
        Puller {
            remote,
            root,
            keep,
            status,
        }
    }

    /// What its rounds did.
    pub fn status(&self) -> Arc<PullStatus> {
        self.status.clone()
    }

    /// One round, logged and recorded; returns whether CURRENT moved.
    pub async fn round(&self) -> bool {
        let r = pull(&self.remote, &self.root, self.keep).await;
        match &r {
            Ok(rep) if rep.outcome != "up_to_date" => tracing::info!(
                from = ?rep.previous, to = %rep.remote_version, outcome = rep.outcome,
                downloaded_files = rep.downloaded_files, downloaded_bytes = rep.downloaded_bytes,
                reused_files = rep.reused_files, resumed_files = rep.resumed_files,
                seconds = rep.seconds, "pulled a new index version"
            ),
            Ok(_) => tracing::debug!("index is up to date with the store"),
            Err(e) => tracing::warn!(error = %e, "pull failed; still serving the version it has"),
        }
        self.status.record(&r);
        matches!(r, Ok(rep) if rep.outcome != "up_to_date")
    }

    /// Runs a round at once and then every `every` until `stop` is set. After a round
    /// that moved CURRENT, `holder` (the service's one reload mechanism) makes an
    /// attempt at once: it opens the index on a replica that had none, else reloads
    /// it, instead of waiting for its next retry or reload.
    pub async fn run(self, every: Duration, stop: Arc<AtomicBool>, holder: Arc<IndexHolder>) {
        loop {
            if self.round().await {
                let h = holder.clone();
                let _ = tokio::task::spawn_blocking(move || h.refresh()).await;
            }
            let mut waited = Duration::ZERO;
            while waited < every {
                if stop.load(Ordering::Relaxed) {
                    return;
                }
                let step = Duration::from_millis(100).min(every - waited);
                tokio::time::sleep(step).await;
                waited += step;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_openapi_document_lists_the_failure_kinds_and_none_is_an_http_error_code() {
        let doc: serde_json::Value =
            serde_json::from_str(yelpsearch::api::OPENAPI_JSON).expect("the OpenAPI document");
        let listed: Vec<&str> = doc["components"]["schemas"]["PullStatus"]["properties"]
            ["last_error"]["properties"]["kind"]["enum"]
            .as_array()
            .expect("PullStatus lists its failure kinds")
            .iter()
            .filter_map(|v| v.as_str())
            .collect();
        let kinds: Vec<&str> = ROUND_FAILURES.iter().map(|k| k.as_str()).collect();
        assert_eq!(listed, kinds);
        // Pull failures are not answers to a request: the API's error codes stay the
        // code table's.
        for k in &kinds {
            assert!(
                !yelpsearch::ErrorCode::ALL.iter().any(|c| c.as_str() == *k),
                "{k} is an HTTP error code too"
            );
        }
    }

    #[test]
    fn a_failed_round_is_reported_until_one_succeeds() {
        let status = PullStatus::new("s3://bucket/prefix");
        assert_eq!(status.details().status, PullState::Pending);
        assert!(status
            .not_ready_reason()
            .is_some_and(|r| r.contains("first round")));
        status.record(&Err(CliError::Remote {
            kind: RemoteFailure::Unreachable,
            url: "s3://bucket/prefix".into(),
            detail: "connection refused".into(),
        }));
        let d = status.details();
        assert_eq!((d.status, d.consecutive_failures), (PullState::Failing, 1));
        assert_eq!(d.last_error.map(|e| e.kind), Some("unreachable"));
        assert!(status
            .not_ready_reason()
            .is_some_and(|r| r.contains("(unreachable)")));
        let mut text = String::new();
        status.render_metrics(&mut text);
        assert!(text.contains("yelpsearch_pull_failures_total{kind=\"unreachable\"} 1\n"));
        assert!(text.contains("yelpsearch_pull_failing 1\n"));
        status.record(&Ok(PullReport {
            remote_version: "v000002".into(),
            outcome: "installed",
            ..PullReport::default()
        }));
        let d = status.details();
        assert_eq!(d.status, PullState::Ok);
        assert_eq!(d.remote_version.as_deref(), Some("v000002"));
        assert!(d.last_error.is_none() && status.not_ready_reason().is_none());
    }
}
