//! Request metrics and their Prometheus text exposition (format 0.0.4).
//!
//! Written by hand: the service needs one counter family, one histogram family and a
//! few gauges, which is less code than wiring a metrics crate and its registry.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Mutex;
use std::time::{SystemTime, UNIX_EPOCH};

use yelpsearch::IndexStats;

/// Upper bounds of the latency histogram's buckets, seconds.
pub const BUCKETS: [f64; 14] = [
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];

#[derive(Debug, Default, Clone)]
struct Series {
    count: u64,
    sum: f64,
    /// Non-cumulative counts per bucket; the last slot is +Inf.
    buckets: [u64; BUCKETS.len() + 1],
}

/// Request counts and latencies by route and status.
#[derive(Debug)]
pub struct Metrics {
    series: Mutex<BTreeMap<(String, u16), Series>>,
    in_flight: AtomicI64,
    started: f64,
}

impl Default for Metrics {
    fn default() -> Self {
        Metrics {
            series: Mutex::default(),
            in_flight: AtomicI64::new(0),
            started: SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .map_or(0.0, |d| d.as_secs_f64()),
        }
    }
}

/// Marks a request in flight until dropped.
pub struct InFlight<'a>(&'a Metrics);

impl Drop for InFlight<'_> {
    fn drop(&mut self) {
        self.0.in_flight.fetch_sub(1, Ordering::Relaxed);
    }
}

/// What the exposition reports about the index, when one is open.
pub struct IndexGauges {
    /// The open version's figures.
    pub stats: IndexStats,
}

impl Metrics {
    /// Counts a request as in flight.
    pub fn start(&self) -> InFlight<'_> {
        self.in_flight.fetch_add(1, Ordering::Relaxed);
        InFlight(self)
    }

    /// Records a finished request.
    pub fn observe(&self, route: &str, status: u16, seconds: f64) {
        let mut map = self.series.lock().unwrap_or_else(|p| p.into_inner());
        let s = map.entry((route.to_string(), status)).or_default();
        s.count += 1;
        s.sum += seconds;
        let slot = BUCKETS
            .iter()
            .position(|&b| seconds <= b)
            .unwrap_or(BUCKETS.len());
        s.buckets[slot] += 1;
    }

    /// The Prometheus text exposition.
    pub fn render(&self, index: Option<&IndexGauges>, shutting_down: bool) -> String {
        let series = self
            .series
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone();
        let mut out = String::with_capacity(4096 + series.len() * 1200);
        let o = &mut out;
        family(
            o,
            "yelpsearch_requests_total",
            "counter",
            "Requests served, by route and status.",
        );
        for ((route, status), s) in &series {
            let _ = writeln!(
                o,
                "yelpsearch_requests_total{{{}}} {}",
                labels(route, *status),
                s.count
            );
        }
        family(
            o,
            "yelpsearch_request_duration_seconds",
            "histogram",
            "Request latency in seconds, by route and status.",
        );
        for ((route, status), s) in &series {
            let l = labels(route, *status);
            let mut cum = 0;
            for (i, b) in BUCKETS.iter().enumerate() {
                cum += s.buckets[i];
                let _ = writeln!(
                    o,
                    "yelpsearch_request_duration_seconds_bucket{{{l},le=\"{b}\"}} {cum}"
                );
            }
            let _ = writeln!(
                o,
                "yelpsearch_request_duration_seconds_bucket{{{l},le=\"+Inf\"}} {}",
                s.count
            );
            let _ = writeln!(
                o,
                "yelpsearch_request_duration_seconds_sum{{{l}}} {}",
                s.sum
            );
            let _ = writeln!(
                o,
                "yelpsearch_request_duration_seconds_count{{{l}}} {}",
                s.count
            );
        }
        gauge(
            o,
            "yelpsearch_requests_in_flight",
            "Requests being served.",
            self.in_flight.load(Ordering::Relaxed) as f64,
        );
        gauge(
            o,
            "yelpsearch_start_time_seconds",
            "When the process started, Unix seconds.",
            self.started,
        );
        gauge(
            o,
            "yelpsearch_shutting_down",
            "1 once SIGTERM was received.",
            f64::from(u8::from(shutting_down)),
        );
        gauge(
            o,
            "yelpsearch_index_ready",
            "1 when an index is open.",
            f64::from(u8::from(index.is_some())),
        );
        if let Some(IndexGauges { stats }) = index {
            family(
                o,
                "yelpsearch_index_info",
                "gauge",
                "The open index version and its model (value 1).",
            );
            let _ = writeln!(
                o,
                "yelpsearch_index_info{{version=\"{}\",model=\"{}\"}} 1",
                escape(&stats.version),
                escape(&stats.model_version)
            );
            gauge(
                o,
                "yelpsearch_index_documents",
                "Review documents in the open index version.",
                stats.reviews as f64,
            );
            gauge(
                o,
                "yelpsearch_index_businesses",
                "Businesses in the open index version.",
                stats.businesses as f64,
            );
            gauge(
                o,
                "yelpsearch_index_zipcodes",
                "Zipcodes in the open index version.",
                stats.zipcodes as f64,
            );
            gauge(
                o,
                "yelpsearch_model_fallback",
                "1 when the ranker is the BM25 fallback.",
                f64::from(u8::from(stats.model_fallback)),
            );
        }
        family(
            o,
            "yelpsearch_build_info",
            "gauge",
            "The service's version (value 1).",
        );
        let _ = writeln!(
            o,
            "yelpsearch_build_info{{version=\"{}\"}} 1",
            env!("CARGO_PKG_VERSION")
        );
        out
    }
}

fn family(o: &mut String, name: &str, kind: &str, help: &str) {
    let _ = writeln!(o, "# HELP {name} {help}\n# TYPE {name} {kind}");
}

fn gauge(o: &mut String, name: &str, help: &str, v: f64) {
    family(o, name, "gauge", help);
    let _ = writeln!(o, "{name} {v}");
}

fn labels(route: &str, status: u16) -> String {
    format!("route=\"{}\",status=\"{status}\"", escape(route))
}

/// Escapes a label value: backslash, double quote and newline.
fn escape(v: &str) -> String {
    v.replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn histogram_is_cumulative() {
        let m = Metrics::default();
        m.observe("/search", 200, 0.0007);
        m.observe("/search", 200, 0.003);
        m.observe("/search", 200, 42.0);
        m.observe("/health", 200, 0.0001);
        let t = m.render(None, false);
        assert!(
            t.contains("yelpsearch_requests_total{route=\"/search\",status=\"200\"} 3\n"),
            "{t}"
        );
        assert!(t.contains("yelpsearch_request_duration_seconds_bucket{route=\"/search\",status=\"200\",le=\"0.0005\"} 0\n"));
        assert!(t.contains("yelpsearch_request_duration_seconds_bucket{route=\"/search\",status=\"200\",le=\"0.001\"} 1\n"));
        assert!(t.contains("yelpsearch_request_duration_seconds_bucket{route=\"/search\",status=\"200\",le=\"10\"} 2\n"));
        assert!(t.contains("yelpsearch_request_duration_seconds_bucket{route=\"/search\",status=\"200\",le=\"+Inf\"} 3\n"));
        assert!(t.contains("yelpsearch_index_ready 0\n"));
    }

    #[test]
    fn label_escaping() {
        assert_eq!(escape("a\"b\\c\nd"), "a\\\"b\\\\c\\nd");
    }
}
