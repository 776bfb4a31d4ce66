//! The core's API errors ([`yelpsearch::api::ApiError`]: status, code, message, JSON
//! body) as axum responses. The codes, their statuses and the body are the core's.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use yelpsearch::api::ApiError;

/// An API error answered by the service.
#[derive(Debug)]
pub struct HttpError(pub ApiError);

impl<E: Into<ApiError>> From<E> for HttpError {
    fn from(e: E) -> Self {
        HttpError(e.into())
    }
}

impl IntoResponse for HttpError {
    fn into_response(self) -> Response {
        let status =
            StatusCode::from_u16(self.0.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let mut r = (
            status,
            [(
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/json"),
            )],
            self.0.to_json(),
        )
            .into_response();
        if status == StatusCode::SERVICE_UNAVAILABLE {
            r.headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
        }
        if status == StatusCode::METHOD_NOT_ALLOWED {
            r.headers_mut()
                .insert(header::ALLOW, HeaderValue::from_static("GET, HEAD"));
        }
        r
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use yelpsearch::ParsedQuery;

    fn code(q: &str, zip: Option<&str>) -> &'static str {
        match ParsedQuery::parse(q, zip) {
            Err(e @ yelpsearch::Error::Query(_)) => HttpError::from(e).0.code.as_str(),
            other => panic!("{q}: expected a query error, got {other:?}"),
        }
    }

    #[test]
    fn core_errors_map_to_codes() {
        assert_eq!(code("pasta", None), "missing_zip");
        assert_eq!(code("61820", None), "no_terms");
        assert_eq!(code("the in 61820", None), "no_terms");
        assert_eq!(code("pasta", Some("6182")), "invalid_zip");
        assert_eq!(code("\"pasta 61820", None), "invalid_query");
        assert_eq!(code("pasta\u{1} 61820", None), "invalid_query");
    }

    #[test]
    fn responses_carry_the_status_and_headers() {
        let r = HttpError(ApiError::overloaded()).into_response();
        assert_eq!(r.status(), StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(r.headers()[header::RETRY_AFTER], "1");
        let r = HttpError(ApiError::method_not_allowed()).into_response();
        assert_eq!(r.status(), StatusCode::METHOD_NOT_ALLOWED);
        assert_eq!(r.headers()[header::ALLOW], "GET, HEAD");
    }
}
