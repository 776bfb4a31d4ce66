//! `/search`'s parameters as an axum extractor whose rejection is the core's API
//! error, so every bad parameter (including invalid UTF-8 in a percent-encoding) gets
//! the API's JSON 400 rather than a framework's plain-text rejection. The parsing is
//! the core's ([`yelpsearch::api::SearchParams::parse`]), shared with the Flask
//! blueprint.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use yelpsearch::api::SearchParams;

use super::errors::HttpError;

/// The checked parameters of `/search`, from the raw query string.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Search(pub SearchParams);

impl<S: Send + Sync> FromRequestParts<S> for Search {
    type Rejection = HttpError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        Ok(Search(SearchParams::parse(parts.uri.query())?))
    }
}
