//! `Index`, `IndexHolder` and the objects a search returns.

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::PyType;
use yelpsearch::api::{ModelMetrics, ReadyBody};
use yelpsearch::{RankMode, SearchRequest};

use crate::api::SearchParams;
use crate::errors::to_py;
use crate::{f32_value, to_py_json};

/// An open yelpsearch index: `Index(path)` or `Index.open(path)`.
///
/// Searches never block each other and run with the GIL released, so one `Index` is
/// meant to be shared by every thread of a process. `reload()` swaps in a newer version
/// built into the same directory; searches in flight finish on the old one.
#[pyclass(module = "yelpsearch", frozen)]
pub struct Index {
    pub(crate) inner: Arc<yelpsearch::Index>,
}

/// The keyword arguments of `search()` and `search_response()` after the query.
struct Options<'a> {
    snippets: usize,
    mode: &'a str,
    explain: bool,
    related: bool,
    nearby: bool,
    literal: bool,
}

fn request(
    query: String,
    zip: Option<String>,
    limit: i64,
    o: Options<'_>,
) -> PyResult<SearchRequest> {
    let mode: RankMode = o
        .mode
        .parse()
        .map_err(|e: yelpsearch::QueryError| to_py(e.into()))?;
    // Out-of-range limits (negative ones included) are refused by the library itself.
    Ok(SearchRequest::new(query)
        .zip_opt(zip)
        .limit(usize::try_from(limit).unwrap_or(0))
        .snippets(o.snippets)
        .mode(mode)
        .explain(o.explain)
        .related(o.related)
        .nearby(o.nearby)
        .literal(o.literal))
}

impl Index {
    fn run(&self, py: Python<'_>, req: SearchRequest) -> PyResult<yelpsearch::SearchResponse> {
        let inner = Arc::clone(&self.inner);
        py.allow_threads(move || inner.search(&req)).map_err(to_py)
    }
}

#[pymethods]
impl Index {
    /// Opens the current version of the index at `path`.
    #[new]
    fn new(py: Python<'_>, path: PathBuf) -> PyResult<Self> {
        let inner = py
            .allow_threads(|| yelpsearch::Index::open(&path))
            .map_err(to_py)?;
        Ok(Index {
            inner: Arc::new(inner),
        })
    }

    /// Opens the current version of the index at `path` (same as `Index(path)`).
    #[classmethod]
    fn open<'py>(cls: &Bound<'py, PyType>, path: PathBuf) -> PyResult<Bound<'py, PyAny>> {
        cls.call1((path,))
    }

    /// Searches: the businesses of the zipcode that meet `query`, best first.
    ///
    /// `query` is what a person types: it may hold the zipcode ("61820 pasta", "pasta
    /// near 61820"; an explicit `zip` wins over it), filler ("best", "near me"), a price
    /// ("cheap"), amenities ("with outdoor seating", "open now"), a category ("thai") or
    /// a place's name, and typos ("piza" is searched as pizza). `search_response()`
    /// says how it was understood (`interpretation`). Each hit's `matched` says what of
    /// it met the query: its "reviews", its "category", its "name".
    ///
    /// `snippets` (0 to 3) supporting sentences per hit; `mode` is "model" (the
    /// index's ranker) or "bm25"; `explain` adds each hit's features. While `limit`
    /// allows, related businesses follow the matches (`matched == []`, no snippets:
    /// places of a kind that reviewers in the zipcode mention the need at);
    /// `related=False` leaves them out. When the zipcode has too few places, places of
    /// the nearest zipcodes follow, each with its `distance_km`; `nearby=False` leaves
    /// them out. `literal=True` takes the words as typed: no corrections, no filler,
    /// price or amenity words.
    #[pyo3(signature = (query, zip=None, limit=10, *, snippets=3, mode="model", explain=false, related=true, nearby=true, literal=false))]
    #[allow(clippy::too_many_arguments)]
    fn search(
        &self,
        py: Python<'_>,
        query: String,
        zip: Option<String>,
        limit: i64,
        snippets: usize,
        mode: &str,
        explain: bool,
        related: bool,
        nearby: bool,
        literal: bool,
    ) -> PyResult<Vec<Hit>> {
        let o = Options {
            snippets,
            mode,
            explain,
            related,
            nearby,
            literal,
        };
        let req = request(query, zip, limit, o)?;
        let res = self.run(py, req)?;
        Ok(res.results.into_iter().map(|inner| Hit { inner }).collect())
    }

    /// Like `search()` (the same arguments), but returns the whole response: the
    /// normalised zipcode and query, the time taken, the hits and the
    /// `interpretation` (how the query was understood: the need searched, the words
    /// corrected, the price and amenities asked for, the nearby zipcodes used);
    /// `to_json()` gives the HTTP API's body.
    #[pyo3(signature = (query, zip=None, limit=10, *, snippets=3, mode="model", explain=false, related=true, nearby=true, literal=false))]
    #[allow(clippy::too_many_arguments)]
    fn search_response(
        &self,
        py: Python<'_>,
        query: String,
        zip: Option<String>,
        limit: i64,
        snippets: usize,
        mode: &str,
        explain: bool,
        related: bool,
        nearby: bool,
        literal: bool,
    ) -> PyResult<SearchResponse> {
        let o = Options {
            snippets,
            mode,
            explain,
            related,
            nearby,
            literal,
        };
        let req = request(query, zip, limit, o)?;
        Ok(SearchResponse {
            inner: self.run(py, req)?,
        })
    }

    /// Searches with the checked parameters of an HTTP request (`parse_search_params()`):
    /// the response the HTTP API sends for them.
    fn search_params(&self, py: Python<'_>, params: &SearchParams) -> PyResult<SearchResponse> {
        Ok(SearchResponse {
            inner: self.run(py, params.inner.to_request())?,
        })
    }

    /// Swaps to the current version on disk if it changed; returns whether it did.
    fn reload(&self, py: Python<'_>) -> PyResult<bool> {
        let inner = Arc::clone(&self.inner);
        py.allow_threads(move || inner.reload()).map_err(to_py)
    }

    /// Up to four queries ("61820 pasta") that find places whose reviews match on the
    /// open version, biggest zipcodes first: suggestions (`/ready`'s `examples`).
    fn example_queries(&self, py: Python<'_>) -> Vec<String> {
        let inner = Arc::clone(&self.inner);
        py.allow_threads(move || inner.example_queries())
    }

    /// Figures about the open version (path, version, reviews, businesses, zipcodes,
    /// newest_review, created, model_version, model_fallback) as a dict.
    fn stats(&self, py: Python<'_>) -> PyResult<PyObject> {
        to_py_json(py, &self.inner.stats())
    }

    /// The model in use, without its weights, as a dict (the `/model/info` body).
    fn model_info(&self, py: Python<'_>) -> PyResult<PyObject> {
        to_py_json(py, &self.inner.model_info())
    }

    /// The model's version, whether it is the BM25 fallback, and its offline metrics,
    /// as a dict (the `/model/metrics` body).
    fn model_metrics(&self, py: Python<'_>) -> PyResult<PyObject> {
        to_py_json(py, &ModelMetrics::of(&self.inner))
    }

    /// Why the open version's model file was refused (the index then ranks with the
    /// BM25 fallback), or None.
    fn model_error(&self) -> Option<String> {
        self.inner.model_error()
    }

    /// Starts a background thread that calls `reload()` every `interval` seconds until
    /// the returned `Watcher` is stopped (or the index is dropped).
    fn watch(&self, interval: f64) -> PyResult<Watcher> {
        let interval = Duration::try_from_secs_f64(interval)
            .ok()
            .filter(|d| !d.is_zero())
            .ok_or_else(|| {
                PyValueError::new_err("interval must be a positive number of seconds")
            })?;
        let stop = Arc::new(AtomicBool::new(false));
        let handle = self.inner.watch(interval, Arc::clone(&stop));
        Ok(Watcher {
            stop,
            handle: Mutex::new(Some(handle)),
        })
    }

    /// The index directory.
    #[getter]
    fn path(&self) -> PathBuf {
        self.inner.path().to_path_buf()
    }

    /// The name of the open version.
    #[getter]
    fn version(&self) -> String {
        self.inner.snapshot().version.clone()
    }

    fn __repr__(&self) -> String {
        format!(
            "Index({:?}, version={:?})",
            self.inner.path().display().to_string(),
            self.inner.snapshot().version
        )
    }
}

/// A server's index: opened as soon as the directory holds one (retried every
/// `retry_interval` seconds until then), then reloaded every `reload_interval` seconds
/// (None: never), the previous version serving when a reload fails. Attempts happen in
/// `get()` when one is due, and never make a caller wait for another's. The Rust
/// service's holder, for the Flask blueprint.
#[pyclass(module = "yelpsearch", frozen)]
pub struct IndexHolder {
    inner: Arc<yelpsearch::IndexHolder>,
}

fn seconds(name: &str, value: f64) -> PyResult<Duration> {
    Duration::try_from_secs_f64(value)
        .map_err(|_| PyValueError::new_err(format!("{name} must be a number of seconds >= 0")))
}

#[pymethods]
impl IndexHolder {
    /// Holds the index at `path`, trying to open it at once.
    #[new]
    #[pyo3(
        signature = (path, *, reload_interval=Some(30.0), retry_interval=1.0),
        text_signature = "(path, *, reload_interval=30.0, retry_interval=1.0)"
    )]
    fn new(
        py: Python<'_>,
        path: PathBuf,
        reload_interval: Option<f64>,
        retry_interval: f64,
    ) -> PyResult<Self> {
        let reload = reload_interval
            .map(|s| seconds("reload_interval", s))
            .transpose()?;
        let inner = Arc::new(yelpsearch::IndexHolder::new(
            path,
            seconds("retry_interval", retry_interval)?,
            reload,
        ));
        let first = Arc::clone(&inner);
        py.allow_threads(move || first.refresh());
        Ok(IndexHolder { inner })
    }

    /// Holds an open index, reloaded every `reload_interval` seconds (None: never).
    #[staticmethod]
    #[pyo3(
        signature = (index, *, reload_interval=Some(30.0)),
        text_signature = "(index, *, reload_interval=30.0)"
    )]
    fn of_index(index: &Index, reload_interval: Option<f64>) -> PyResult<IndexHolder> {
        let reload = reload_interval
            .map(|s| seconds("reload_interval", s))
            .transpose()?;
        Ok(IndexHolder {
            inner: Arc::new(yelpsearch::IndexHolder::with_index(
                Arc::clone(&index.inner),
                reload,
            )),
        })
    }

    /// The open index (after an attempt to open or reload it, when one is due), or
    /// None while it cannot be opened.
    fn get(&self, py: Python<'_>) -> Option<Index> {
        let inner = Arc::clone(&self.inner);
        py.allow_threads(move || inner.get())
            .map(|inner| Index { inner })
    }

    /// Opens or reloads now; returns whether an index is open.
    fn refresh(&self, py: Python<'_>) -> bool {
        let inner = Arc::clone(&self.inner);
        py.allow_threads(move || inner.refresh())
    }

    /// Why no index is open, or None when one is.
    #[getter]
    fn not_ready_reason(&self) -> Option<String> {
        match self.inner.readiness() {
            yelpsearch::Readiness::Ready(_) => None,
            yelpsearch::Readiness::NotReady(reason) => Some(reason),
        }
    }

    /// The HTTP status and the body (a dict) of `/ready`.
    fn ready_body(&self, py: Python<'_>) -> PyResult<(u16, PyObject)> {
        let body = ReadyBody::of_holder(&self.inner);
        Ok((body.status(), to_py_json(py, &body)?))
    }

    /// The index directory.
    #[getter]
    fn path(&self) -> PathBuf {
        self.inner.path().to_path_buf()
    }

    fn __repr__(&self) -> String {
        format!("IndexHolder({:?})", self.inner.path().display().to_string())
    }
}

/// A background reloader started by `Index.watch()`; `stop()` ends it. Also a
/// context manager that stops it on exit.
#[pyclass(module = "yelpsearch", frozen)]
pub struct Watcher {
    stop: Arc<AtomicBool>,
    handle: Mutex<Option<JoinHandle<()>>>,
}

#[pymethods]
impl Watcher {
    /// Stops the reloader and waits for its thread to end (at most about 0.1 s).
    fn stop(&self, py: Python<'_>) {
        self.stop.store(true, Ordering::Relaxed);
        let handle = self.handle.lock().unwrap_or_else(|p| p.into_inner()).take();
        if let Some(h) = handle {
            py.allow_threads(move || {
                let _ = h.join();
            });
        }
    }

    /// Whether the reloader still runs.
    #[getter]
    fn running(&self) -> bool {
        let handle = self.handle.lock().unwrap_or_else(|p| p.into_inner());
        handle.as_ref().is_some_and(|h| !h.is_finished())
    }

    fn __enter__(slf: Py<Self>) -> Py<Self> {
        slf
    }

    #[pyo3(signature = (*_args))]
    fn __exit__(&self, py: Python<'_>, _args: &Bound<'_, pyo3::types::PyTuple>) -> bool {
        self.stop(py);
        false
    }
}

/// The answer to `Index.search_response()`.
#[pyclass(module = "yelpsearch", frozen, eq)]
#[derive(PartialEq)]
pub struct SearchResponse {
    inner: yelpsearch::SearchResponse,
}

#[pymethods]
impl SearchResponse {
    /// The normalised zipcode searched.
    #[getter]
    fn zip(&self) -> &str {
        &self.inner.zip
    }

    /// The need searched: the query without its zipcode.
    #[getter]
    fn query(&self) -> &str {
        &self.inner.query
    }

    /// Time the search took in Rust, milliseconds.
    #[getter]
    fn took_ms(&self) -> f64 {
        self.inner.took_ms
    }

    /// The hits, best first.
    #[getter]
    fn results(&self) -> Vec<Hit> {
        self.inner
            .results
            .iter()
            .map(|h| Hit { inner: h.clone() })
            .collect()
    }

    /// How the query was understood, as a dict (`yelpsearch.Interpretation`): `need`
    /// (the words searched, corrected ones corrected), `corrections` (`from`, `to`),
    /// `optional` (words that did not filter), `categories`, `price` ("$" to "$$$$" or
    /// None), `amenities`, `open_now`, `name` (the place named, or None), `nearby`
    /// (`zip`, `distance_km` of the nearby zipcodes whose places follow) and `literal`.
    #[getter]
    fn interpretation(&self, py: Python<'_>) -> PyResult<PyObject> {
        to_py_json(py, &self.inner.interpretation)
    }

    /// The response as a dict: the JSON contract of the HTTP API.
    fn to_dict(&self, py: Python<'_>) -> PyResult<PyObject> {
        to_py_json(py, &self.inner)
    }

    /// The response as a JSON string: the body the HTTP API sends.
    fn to_json(&self) -> PyResult<String> {
        serde_json::to_string(&self.inner)
            .map_err(|e| crate::errors::Error::new_err(format!("serialising a result: {e}")))
    }

    fn __len__(&self) -> usize {
        self.inner.results.len()
    }

    fn __repr__(&self) -> String {
        format!(
            "SearchResponse(zip={:?}, query={:?}, results={})",
            self.inner.zip,
            self.inner.query,
            self.inner.results.len()
        )
    }
}

/// A business in the results, with the evidence that it matches.
#[pyclass(module = "yelpsearch", frozen, eq)]
#[derive(PartialEq)]
pub struct Hit {
    inner: yelpsearch::Hit,
}

#[pymethods]
impl Hit {
    /// Yelp business id.
    #[getter]
    fn business_id(&self) -> &str {
        &self.inner.business.business_id
    }

    /// Business name.
    #[getter]
    fn name(&self) -> &str {
        &self.inner.business.name
    }

    /// Street address (may be empty).
    #[getter]
    fn address(&self) -> &str {
        &self.inner.business.address
    }

    /// City.
    #[getter]
    fn city(&self) -> &str {
        &self.inner.business.city
    }

    /// State or province.
    #[getter]
    fn state(&self) -> &str {
        &self.inner.business.state
    }

    /// Normalised postal code.
    #[getter]
    fn postal_code(&self) -> &str {
        &self.inner.business.postal_code
    }

    /// Yelp stars of the business.
    #[getter]
    fn stars(&self) -> f64 {
        f32_value(self.inner.stars)
    }

    /// Yelp review count of the business.
    #[getter]
    fn review_count(&self) -> u32 {
        self.inner.review_count
    }

    /// Ranking score: higher is better, comparable within one search; it never rises
    /// down the results.
    #[getter]
    fn score(&self) -> f64 {
        f32_value(self.inner.score)
    }

    /// How many of the business's reviews match the query.
    #[getter]
    fn matches(&self) -> u32 {
        self.inner.matches
    }

    /// What of the business met the query: "reviews", "category" ("thai" and a Thai
    /// place), "name"; empty for a related place.
    #[getter]
    fn matched(&self) -> Vec<String> {
        self.inner.matched.clone()
    }

    /// For a place of a nearby zipcode, how far it is (kilometres) from the centre of
    /// the zipcode searched; None for the zipcode's own places.
    #[getter]
    fn distance_km(&self) -> Option<f64> {
        self.inner.distance_km.map(f32_value)
    }

    /// How the matching sentences feel about the need, or None when unknown.
    #[getter]
    fn sentiment(&self) -> Option<Sentiment> {
        self.inner
            .sentiment
            .clone()
            .map(|inner| Sentiment { inner })
    }

    /// Up to three review sentences that prove the match.
    #[getter]
    fn snippets(&self) -> Vec<Snippet> {
        self.inner
            .snippets
            .iter()
            .map(|s| Snippet { inner: s.clone() })
            .collect()
    }

    /// Feature values and contributions (`explain=True` searches only), or None.
    #[getter]
    fn explain(&self, py: Python<'_>) -> PyResult<Option<PyObject>> {
        self.inner
            .explain
            .as_ref()
            .map(|e| to_py_json(py, e))
            .transpose()
    }

    /// The hit as a dict: one result object of the HTTP API and the CLI's `--json`.
    fn to_dict(&self, py: Python<'_>) -> PyResult<PyObject> {
        to_py_json(py, &self.inner)
    }

    fn __repr__(&self) -> String {
        format!(
            "Hit(business_id={:?}, name={:?}, postal_code={:?}, score={}, matches={}, matched={:?})",
            self.inner.business.business_id,
            self.inner.business.name,
            self.inner.business.postal_code,
            f32_value(self.inner.score),
            self.inner.matches,
            self.inner.matched
        )
    }
}

/// A review sentence that supports a hit.
#[pyclass(module = "yelpsearch", frozen, eq)]
#[derive(PartialEq)]
pub struct Snippet {
    inner: yelpsearch::Snippet,
}

#[pymethods]
impl Snippet {
    /// The review's id.
    #[getter]
    fn review_id(&self) -> &str {
        &self.inner.review_id
    }

    /// The review's stars.
    #[getter]
    fn stars(&self) -> f64 {
        f32_value(self.inner.stars)
    }

    /// The review's day, YYYY-MM-DD.
    #[getter]
    fn date(&self) -> &str {
        &self.inner.date
    }

    /// HTML: the escaped sentence with the query terms in `<mark>`.
    #[getter]
    fn text(&self) -> &str {
        &self.inner.text
    }

    /// The snippet as a dict.
    fn to_dict(&self, py: Python<'_>) -> PyResult<PyObject> {
        to_py_json(py, &self.inner)
    }

    fn __repr__(&self) -> String {
        format!(
            "Snippet(review_id={:?}, date={:?}, text={:?})",
            self.inner.review_id, self.inner.date, self.inner.text
        )
    }
}

/// How the matching review sentences feel about what was asked for.
#[pyclass(module = "yelpsearch", frozen, eq)]
#[derive(PartialEq)]
pub struct Sentiment {
    inner: yelpsearch::Sentiment,
}

#[pymethods]
impl Sentiment {
    /// Matching reviews that praise the need.
    #[getter]
    fn positive(&self) -> u32 {
        self.inner.positive
    }

    /// Matching reviews that complain about it.
    #[getter]
    fn negative(&self) -> u32 {
        self.inner.negative
    }

    /// Mean polarity of the matching sentences, from -1 to 1.
    #[getter]
    fn mean(&self) -> f64 {
        f32_value(self.inner.mean)
    }

    /// The sentiment as a dict.
    fn to_dict(&self, py: Python<'_>) -> PyResult<PyObject> {
        to_py_json(py, &self.inner)
    }

    fn __repr__(&self) -> String {
        format!(
            "Sentiment(positive={}, negative={}, mean={})",
            self.inner.positive,
            self.inner.negative,
            f32_value(self.inner.mean)
        )
    }
}

/// Adds the classes to the module.
pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<Index>()?;
    m.add_class::<IndexHolder>()?;
    m.add_class::<Watcher>()?;
    m.add_class::<SearchResponse>()?;
    m.add_class::<Hit>()?;
    m.add_class::<Snippet>()?;
    m.add_class::<Sentiment>()?;
    Ok(())
}
