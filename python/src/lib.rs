//! `yelpsearch._native`: the Python binding of the `yelpsearch` crate.
//!
//! Thin by design: each function translates Python arguments into a library call and
//! its result back into Python objects. Long work and searches run with the GIL
//! released. The pure-Python package (`python/yelpsearch/`) re-exports everything.

use pyo3::prelude::*;
use pyo3::sync::GILOnceCell;
use serde::Serialize;

mod api;
mod errors;
mod index;
mod jobs;

/// mimalloc for the Rust side of the extension, as the `yelpsearch` command line has:
/// a build's many small allocations cost less than with the C library's malloc. Python
/// objects keep Python's own allocator; only memory that Rust allocates (and frees) goes
/// through it.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Serialises `value` with serde_json and parses it with Python's `json.loads`, so the
/// result is exactly what a client gets from the service's or the CLI's JSON (same keys,
/// same order, `f32` numbers printed shortest and read back as Python floats).
pub(crate) fn to_py_json<T: Serialize>(py: Python<'_>, value: &T) -> PyResult<PyObject> {
    static LOADS: GILOnceCell<PyObject> = GILOnceCell::new();
    let text = serde_json::to_string(value)
        .map_err(|e| errors::Error::new_err(format!("serialising a result: {e}")))?;
    let loads = LOADS.get_or_try_init(py, || -> PyResult<PyObject> {
        Ok(py.import("json")?.getattr("loads")?.unbind())
    })?;
    loads.call1(py, (text,))
}

/// An `f32` as the `f64` its shortest decimal form denotes (what JSON clients see).
pub(crate) fn f32_value(x: f32) -> f64 {
    if x.is_finite() {
        x.to_string().parse().unwrap_or(f64::from(x))
    } else {
        f64::from(x)
    }
}

#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    m.add("MAX_QUERY_CHARS", yelpsearch::MAX_QUERY_CHARS)?;
    m.add("MAX_LIMIT", yelpsearch::MAX_LIMIT)?;
    api::register(m)?;
    errors::register(m)?;
    index::register(m)?;
    jobs::register(m)?;
    Ok(())
}
