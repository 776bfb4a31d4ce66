//! The HTTP contract of the core (`yelpsearch::api`) for the Flask blueprint: the
//! OpenAPI document, the API's limits, `/search`'s parameter parsing and the JSON error
//! responses. The blueprint only translates between Flask and these.

use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use yelpsearch::api::{self, ApiError};
use yelpsearch::ErrorCode;

use crate::errors::to_py;

/// The checked parameters of a `/search` request (`parse_search_params()`), ready for
/// `Index.search_params()`.
#[pyclass(module = "yelpsearch", frozen, eq)]
#[derive(PartialEq)]
pub struct SearchParams {
    pub(crate) inner: api::SearchParams,
}

#[pymethods]
impl SearchParams {
    /// What to look for, maybe with the zipcode.
    #[getter]
    fn q(&self) -> &str {
        &self.inner.q
    }

    /// The explicit zipcode, or None.
    #[getter]
    fn zip(&self) -> Option<&str> {
        self.inner.zip.as_deref()
    }

    /// Most results.
    #[getter]
    fn limit(&self) -> usize {
        self.inner.limit
    }

    /// Whether related places follow the matches.
    #[getter]
    fn related(&self) -> bool {
        self.inner.related
    }

    /// Whether places of nearby zipcodes follow when the zipcode has too few.
    #[getter]
    fn nearby(&self) -> bool {
        self.inner.nearby
    }

    /// Whether the words are searched as typed.
    #[getter]
    fn literal(&self) -> bool {
        self.inner.literal
    }

    fn __repr__(&self) -> String {
        format!(
            "SearchParams(q={:?}, zip={}, limit={}, related={}, nearby={}, literal={})",
            self.inner.q,
            self.inner
                .zip
                .as_ref()
                .map_or("None".into(), |z| format!("{z:?}")),
            self.inner.limit,
            py_bool(self.inner.related),
            py_bool(self.inner.nearby),
            py_bool(self.inner.literal)
        )
    }
}

/// A bool as Python writes it.
fn py_bool(b: bool) -> &'static str {
    if b {
        "True"
    } else {
        "False"
    }
}

/// Checks the raw (still percent-encoded) query string of a `/search` request, as the
/// Rust service does; raises `QueryError` (with the API's `code` and `status`) for a
/// bad parameter.
#[pyfunction]
fn parse_search_params(query_string: &str) -> PyResult<SearchParams> {
    api::SearchParams::parse(Some(query_string))
        .map(|inner| SearchParams { inner })
        .map_err(|e| to_py(e.into()))
}

/// The HTTP status and JSON body of an API error of `code` (the code table's status),
/// with `message` or, when None, the API's own message for the code.
#[pyfunction]
#[pyo3(signature = (code, message=None))]
fn error_response(code: &str, message: Option<String>) -> PyResult<(u16, String)> {
    let code = ErrorCode::ALL
        .into_iter()
        .find(|c| c.as_str() == code)
        .ok_or_else(|| PyValueError::new_err(format!("no error code {code:?}")))?;
    let e = match message {
        Some(m) => ApiError::new(code, m),
        None => ApiError::of_code(code),
    };
    Ok((e.status, e.to_json()))
}

/// Adds the contract's constants, class and functions to the module.
pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("OPENAPI_JSON", api::OPENAPI_JSON)?;
    m.add("HTTP_MAX_LIMIT", api::MAX_LIMIT)?;
    m.add("HTTP_DEFAULT_LIMIT", api::DEFAULT_LIMIT)?;
    m.add("ZIP_PATTERN", api::ZIP_PATTERN)?;
    m.add_class::<SearchParams>()?;
    m.add_function(wrap_pyfunction!(parse_search_params, m)?)?;
    m.add_function(wrap_pyfunction!(error_response, m)?)?;
    Ok(())
}
