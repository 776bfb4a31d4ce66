//! Long work: build, update, train, generate.
//!
//! Each job runs on a worker thread while the calling thread waits with the GIL
//! released, waking every 100 ms to let Python handle signals: Ctrl-C sets the
//! library's cancel flag, the job stops at its next check, and the `KeyboardInterrupt`
//! is raised once the worker has cleaned up. The progress callback is called from the
//! job's threads with the GIL re-acquired; an exception it raises cancels the job the same
//! way and is raised to the caller.

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, RecvTimeoutError};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyDict, PyInt};
use serde::Serialize;
use yelpsearch::Day;
use yelpsearch::{BuildOptions, Progress};

use crate::errors::{self, to_py};
use crate::to_py_json;

/// How often the waiting thread looks at Python's signals.
const SIGNAL_POLL: Duration = Duration::from_millis(100);

/// The cancel flag and the first Python exception raised while a job runs.
#[derive(Clone, Default)]
struct Interrupt {
    cancel: Arc<AtomicBool>,
    error: Arc<Mutex<Option<PyErr>>>,
}

impl Interrupt {
    fn raise(&self, e: PyErr) {
        let mut slot = self.error.lock().unwrap_or_else(|p| p.into_inner());
        if slot.is_none() {
            *slot = Some(e);
        }
        self.cancel.store(true, Ordering::Relaxed);
    }

    fn take(&self) -> Option<PyErr> {
        self.error.lock().unwrap_or_else(|p| p.into_inner()).take()
    }
}

/// Runs `work` on a worker thread, handling Ctrl-C and exceptions from the progress
/// callback as described in the module documentation.
fn run_job<T, F>(py: Python<'_>, interrupt: &Interrupt, work: F) -> PyResult<T>
where
    T: Send + 'static,
    F: FnOnce() -> yelpsearch::Result<T> + Send + 'static,
{
    let (tx, mut rx) = mpsc::channel();
    std::thread::Builder::new()
        .name("yelpsearch-job".into())
        .spawn(move || {
            let _ = tx.send(work());
        })
        .map_err(|e| errors::Error::new_err(format!("starting a worker thread: {e}")))?;
    let result = loop {
        let (back, got) = py.allow_threads(move || {
            let got = rx.recv_timeout(SIGNAL_POLL);
            (rx, got)
        });
        rx = back;
        match got {
            Ok(r) => break r,
            Err(RecvTimeoutError::Timeout) => {
                if let Err(e) = py.check_signals() {
                    interrupt.raise(e);
                }
            }
            Err(RecvTimeoutError::Disconnected) => {
                return Err(errors::Error::new_err("the worker thread panicked"));
            }
        }
    };
    if let Some(e) = interrupt.take() {
        return Err(e);
    }
    result.map_err(to_py)
}

/// The library's build options, with the Python progress callback and the cancel flag.
fn build_options(
    py: Python<'_>,
    strict: bool,
    memory_mb: usize,
    threads: usize,
    progress: Option<PyObject>,
    interrupt: &Interrupt,
) -> PyResult<BuildOptions> {
    let mut opts = BuildOptions {
        strict,
        memory_mb,
        threads,
        cancel: Some(Arc::clone(&interrupt.cancel)),
        ..BuildOptions::default()
    };
    if let Some(cb) = progress_or_default(py, progress)? {
        if !cb.bind(py).is_callable() {
            return Err(PyTypeError::new_err(
                "progress must be a callable taking (stage, done, total)",
            ));
        }
        let interrupt = interrupt.clone();
        opts.progress = Some(Arc::new(move |p: &Progress| {
            if interrupt.cancel.load(Ordering::Relaxed) {
                return;
            }
            Python::with_gil(|py| {
                if let Err(e) = cb.call1(py, (p.stage, p.done, p.total)) {
                    interrupt.raise(e);
                }
            });
        }));
    }
    Ok(opts)
}

/// The progress callback to use: the one given; `yelpsearch.print_progress` for `True`,
/// or for `None` when standard error is a terminal (a person is watching); none for
/// `False`, or for `None` otherwise.
fn progress_or_default(py: Python<'_>, progress: Option<PyObject>) -> PyResult<Option<PyObject>> {
    let on = match &progress {
        Some(p) if p.bind(py).is_instance_of::<PyBool>() => p.extract::<bool>(py)?,
        Some(_) => return Ok(progress),
        None => py
            .import("sys")?
            .getattr("stderr")
            .and_then(|e| e.call_method0("isatty"))
            .and_then(|t| t.is_truthy())
            .unwrap_or(false),
    };
    if !on {
        return Ok(None);
    }
    Ok(Some(
        py.import("yelpsearch")?.getattr("print_progress")?.unbind(),
    ))
}

/// A day from `None`, a `datetime.date` or a `YYYY-MM-DD` string.
fn parse_day(value: Option<&Bound<'_, PyAny>>) -> PyResult<Option<Day>> {
    let Some(v) = value.filter(|v| !v.is_none()) else {
        return Ok(None);
    };
    let text: String = if v.hasattr("isoformat")? {
        v.call_method0("isoformat")?.extract()?
    } else {
        v.extract().map_err(|_| {
            PyTypeError::new_err("until must be a datetime.date or a YYYY-MM-DD string")
        })?
    };
    let day = text.get(..10).and_then(Day::parse);
    day.map(Some).ok_or_else(|| {
        PyValueError::new_err(format!(
            "until: {text:?} is not a date of the form YYYY-MM-DD"
        ))
    })
}

/// `min_accepted`: a share, 0 to 1. (Its default in the signatures is written as the
/// literal 0.5, the core's `MIN_ACCEPTED`, so that Python's `inspect.signature` shows
/// it: a constant's path shows as `...`.)
fn share(v: f64) -> PyResult<f64> {
    if (0.0..=1.0).contains(&v) {
        Ok(v)
    } else {
        Err(PyValueError::new_err(format!(
            "min_accepted must be a share between 0 and 1, not {v}"
        )))
    }
}

fn report<T: Serialize>(py: Python<'_>, r: &T) -> PyResult<PyObject> {
    to_py_json(py, r)
}

/// Builds a new index version from a Yelp business file and review file (JSON lines,
/// optionally gzipped) into `index_dir`, and makes it current. Returns the build report
/// as a dict.
///
/// `until` (a date) indexes only reviews dated before it; `strict` fails on the first
/// bad line instead of skipping it; `memory_mb` and `threads` bound the indexer;
/// `train_ranker=False` skips training the ranker. `progress(stage, done, total)` is
/// called as the work advances, at most twice a second per stage besides each stage's
/// start and end ("read", "train text model", "index", "train ranker"; `total` may be
/// None); an exception it raises cancels the build and is raised here. By default
/// (`progress=None`) `yelpsearch.print_progress` reports when standard error is a
/// terminal; `progress=True` always, `progress=False` never. Ctrl-C cancels the build the same way
/// (`KeyboardInterrupt`) and leaves the current version as it was, unless the build
/// had already passed its last cancel point (just before publishing).
///
/// A build that accepts no review, or less than `min_accepted` (default 0.5) of its
/// review lines, raises `DataError` and publishes nothing, naming the main reasons; lower
/// it for files whose reviews are mostly of businesses the business file does not hold
/// (samples cut from the official files). `rejects` (a path) receives every skipped or
/// left-out line as JSON lines (file, line, reason); without it the report lists the
/// first 100.
#[pyfunction]
#[pyo3(signature = (business, reviews, index_dir, until=None, *, strict=false, memory_mb=512, threads=0, train_ranker=true, progress=None, min_accepted=0.5, rejects=None))]
#[allow(clippy::too_many_arguments)]
fn build_index(
    py: Python<'_>,
    business: PathBuf,
    reviews: PathBuf,
    index_dir: PathBuf,
    until: Option<&Bound<'_, PyAny>>,
    strict: bool,
    memory_mb: usize,
    threads: usize,
    train_ranker: bool,
    progress: Option<PyObject>,
    min_accepted: f64,
    rejects: Option<PathBuf>,
) -> PyResult<PyObject> {
    let interrupt = Interrupt::default();
    let mut opts = build_options(py, strict, memory_mb, threads, progress, &interrupt)?;
    opts.until = parse_day(until)?;
    opts.train_ranker = train_ranker;
    opts.min_accepted = share(min_accepted)?;
    opts.rejects = rejects;
    let r = run_job(py, &interrupt, move || {
        yelpsearch::build_index(&business, &reviews, &index_dir, &opts)
    })?;
    report(py, &r)
}

/// Applies a review file (and optionally a business file) to the index at `index_dir`
/// as a new version that shares unchanged data with the current one, and makes it
/// current. Returns the update report as a dict. Options (`min_accepted` and `rejects`
/// included) as for `build_index()`.
#[pyfunction]
#[pyo3(signature = (index_dir, reviews, business=None, *, strict=false, memory_mb=512, threads=0, progress=None, min_accepted=0.5, rejects=None))]
#[allow(clippy::too_many_arguments)]
fn update_index(
    py: Python<'_>,
    index_dir: PathBuf,
    reviews: PathBuf,
    business: Option<PathBuf>,
    strict: bool,
    memory_mb: usize,
    threads: usize,
    progress: Option<PyObject>,
    min_accepted: f64,
    rejects: Option<PathBuf>,
) -> PyResult<PyObject> {
    let interrupt = Interrupt::default();
    let mut opts = build_options(py, strict, memory_mb, threads, progress, &interrupt)?;
    opts.min_accepted = share(min_accepted)?;
    opts.rejects = rejects;
    let r = run_job(py, &interrupt, move || {
        yelpsearch::update_index(&index_dir, &reviews, business.as_deref(), &opts)
    })?;
    report(py, &r)
}

/// Retrains the ranker on the index's current data and installs it as a new version
/// when it is not worse than the current model on the same held-out queries. Returns
/// the retraining report as a dict. `label_days`: days at the end of the index whose
/// reviews give the training grades (7 to 3650), or 0 (the default) for the newest
/// fifth of the reviews, as the evaluation protocol splits. `max_queries`: most query
/// terms to train on (the build uses 3000; more make a better ranker and a longer
/// training). `grades`: how the training grades are read from the later reviews,
/// `"quality"` (the build's: where six places or more are clearly judged, a mention in
/// passing counts for nothing), `"verdict"` (the quality grades of the places the later
/// reviews clearly judge the dish at, however few: a mention in passing counts for
/// nothing) or
/// `"stars"` (the evaluation protocol's rule). `seed`: the draw of the training
/// queries, their held-out fifth and the trees' samples (the build uses 0; a few seeds
/// show how much the figures move with the draw alone). Ctrl-C stops the training
/// (`KeyboardInterrupt`) and installs nothing.
#[pyfunction]
#[pyo3(signature = (index_dir, label_days=0, max_queries=3000, grades="quality", seed=None), text_signature = "(index_dir, label_days=0, max_queries=3000, grades='quality', seed=0)")]
fn train_model(
    py: Python<'_>,
    index_dir: PathBuf,
    label_days: i32,
    max_queries: usize,
    grades: &str,
    seed: Option<&Bound<'_, PyAny>>,
) -> PyResult<PyObject> {
    let seed = whole("train", "seed", seed, 0)?;
    yelpsearch::check_label_days(label_days).map_err(to_py)?;
    yelpsearch::check_max_queries(max_queries).map_err(to_py)?;
    let grades: yelpsearch::Grades = grades.parse().map_err(to_py)?;
    let interrupt = Interrupt::default();
    let opts = yelpsearch::TrainOptions {
        label_days,
        max_queries,
        grades,
        seed,
        cancel: Some(Arc::clone(&interrupt.cancel)),
        ..Default::default()
    };
    let r = run_job(py, &interrupt, move || {
        yelpsearch::retrain(&index_dir, &opts)
    })?;
    report(py, &r)
}

/// A whole number of 0 or more for `generate_corpus()` and `train_model()` (`job` names
/// which): a negative or huge one is the library's `DataError` (as 0 businesses is), not
/// an `OverflowError`.
fn whole(job: &str, name: &str, v: Option<&Bound<'_, PyAny>>, default: u64) -> PyResult<u64> {
    let Some(v) = v.filter(|v| !v.is_none()) else {
        return Ok(default);
    };
    if v.is_instance_of::<PyBool>() || !v.is_instance_of::<PyInt>() {
        return Err(PyTypeError::new_err(format!(
            "{name} must be an int, not {}",
            v.get_type().name()?
        )));
    }
    v.extract::<u64>().map_err(|_| {
        to_py(yelpsearch::Error::Data(format!(
            "{job}: {name} must be a whole number from 0 to {}, not {v}",
            u64::MAX
        )))
    })
}

/// Writes a synthetic Yelp-schema corpus with a planted truth into `out_dir`
/// (business file, review file and truth file). Returns a dict with the counts
/// (`businesses`, `reviews`, `zipcodes`) and the files written (`business_path`,
/// `review_path`, `truth_path`, as `pathlib.Path`). The same seed gives the same corpus.
#[pyfunction]
#[pyo3(signature = (out_dir, businesses=None, reviews=None, seed=None), text_signature = "(out_dir, businesses=2000, reviews=100000, seed=42)")]
fn generate_corpus(
    py: Python<'_>,
    out_dir: PathBuf,
    businesses: Option<&Bound<'_, PyAny>>,
    reviews: Option<&Bound<'_, PyAny>>,
    seed: Option<&Bound<'_, PyAny>>,
) -> PyResult<PyObject> {
    let opts = yelpsearch::generate::GenerateOptions {
        businesses: whole("generate", "businesses", businesses, 2000)? as usize,
        reviews: whole("generate", "reviews", reviews, 100_000)? as usize,
        seed: whole("generate", "seed", seed, 42)?,
    };
    let r = run_job(py, &Interrupt::default(), move || {
        yelpsearch::generate::generate(&out_dir, &opts)
    })?;
    let d = PyDict::new(py);
    d.set_item("businesses", r.businesses)?;
    d.set_item("reviews", r.reviews)?;
    d.set_item("zipcodes", r.zipcodes)?;
    d.set_item("business_path", r.business_path)?;
    d.set_item("review_path", r.review_path)?;
    d.set_item("truth_path", r.truth_path)?;
    Ok(d.into_any().unbind())
}

/// Adds the functions to the module.
pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(build_index, m)?)?;
    m.add_function(wrap_pyfunction!(update_index, m)?)?;
    m.add_function(wrap_pyfunction!(train_model, m)?)?;
    m.add_function(wrap_pyfunction!(generate_corpus, m)?)?;
    Ok(())
}
