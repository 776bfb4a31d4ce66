//! The exception hierarchy and the mapping of `yelpsearch::Error` onto it.
//!
//! The classes are defined here (so the extension owns them) with `yelpsearch` as their
//! module, and re-exported by the `yelpsearch` package: `yelpsearch.Error` is the base.

use pyo3::create_exception;
use pyo3::exceptions::PyException;
use pyo3::prelude::*;
use yelpsearch::{Error as Core, ErrorCode};

create_exception!(
    yelpsearch,
    Error,
    PyException,
    "Base class of every yelpsearch error; the message is the Rust library's."
);
create_exception!(
    yelpsearch,
    QueryError,
    Error,
    "The query (or a search parameter) could not be understood. `code` names the problem \
     as the HTTP API does (missing_query, invalid_query, missing_zip, no_terms, invalid_zip, \
     invalid_limit, invalid_flag; and invalid_mode, for a `mode` other than \"model\" or \
     \"bm25\", which only Python and Rust callers can make) and `status` is the HTTP status \
     it is answered with."
);
create_exception!(
    yelpsearch,
    UnknownZipError,
    QueryError,
    "A well-formed zipcode with no business in this index (`code` is \"unknown_zip\", \
     `status` 404)."
);
create_exception!(
    yelpsearch,
    IndexNotFound,
    Error,
    "There is no usable yelpsearch index at the given directory."
);
create_exception!(
    yelpsearch,
    IndexCorrupt,
    IndexNotFound,
    "The directory holds an index that cannot be used (damaged or of another format)."
);
create_exception!(
    yelpsearch,
    DataError,
    Error,
    "Input data or a file could not be read or used (I/O errors, bad lines in strict mode, \
     unusable input files)."
);
create_exception!(
    yelpsearch,
    ModelError,
    Error,
    "A model file is missing, corrupt or does not fit the index."
);
create_exception!(
    yelpsearch,
    LockedError,
    Error,
    "Another build or update holds the index's write lock."
);
create_exception!(
    yelpsearch,
    Cancelled,
    Error,
    "Long work (a build or an update) was cancelled before it finished."
);

/// Converts a core error into the matching Python exception. Query errors carry the
/// core's code and HTTP status (`code`, `status`): the code table is the core's.
pub fn to_py(err: Core) -> PyErr {
    let code = err.code();
    let message = err.to_string();
    match err {
        Core::Query(_) => with_code(QueryError::new_err(message), code),
        Core::UnknownZip(_) => with_code(UnknownZipError::new_err(message), code),
        Core::IndexNotFound { .. } => IndexNotFound::new_err(message),
        Core::IndexCorrupt { .. } => IndexCorrupt::new_err(message),
        Core::Io { .. }
        | Core::BadLine { .. }
        | Core::Data(_)
        | Core::Truncated { .. }
        | Core::TooFewAccepted { .. } => DataError::new_err(message),
        Core::Model(_) => ModelError::new_err(message),
        Core::Locked { .. } => LockedError::new_err(message),
        Core::Cancelled => Cancelled::new_err(message),
        Core::Tantivy(_) => Error::new_err(message),
    }
}

fn with_code(err: PyErr, code: ErrorCode) -> PyErr {
    Python::with_gil(|py| {
        // Setting an attribute on a fresh exception instance cannot fail in practice;
        // if it did, the exception without its code is still the right one to raise.
        let value = err.value(py);
        let _ = value.setattr("code", code.as_str());
        let _ = value.setattr("status", code.http_status());
    });
    err
}

/// Adds the exception classes to the module.
pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    let py = m.py();
    m.add("Error", py.get_type::<Error>())?;
    m.add("QueryError", py.get_type::<QueryError>())?;
    m.add("UnknownZipError", py.get_type::<UnknownZipError>())?;
    m.add("IndexNotFound", py.get_type::<IndexNotFound>())?;
    m.add("IndexCorrupt", py.get_type::<IndexCorrupt>())?;
    m.add("DataError", py.get_type::<DataError>())?;
    m.add("ModelError", py.get_type::<ModelError>())?;
    m.add("LockedError", py.get_type::<LockedError>())?;
    m.add("Cancelled", py.get_type::<Cancelled>())?;
    // Class-level defaults, so `code` exists on instances made in Python too.
    for (class, code) in [
        (py.get_type::<QueryError>(), ErrorCode::InvalidQuery),
        (py.get_type::<UnknownZipError>(), ErrorCode::UnknownZip),
    ] {
        class.setattr("code", code.as_str())?;
        class.setattr("status", code.http_status())?;
    }
    Ok(())
}
