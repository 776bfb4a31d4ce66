//! Integration tests of the HTTP service: the real `yelpsearch` binary on a loopback
//! port, serving a real index built from a generated corpus. No mocks.

mod api;
mod common;
mod hostile;
mod lifecycle;
