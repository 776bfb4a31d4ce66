//! The service's JSON errors: `{"error": {"code", "message"}}` with the status the
//! OpenAPI document gives each code.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

/// An error answered to the client. Messages are safe to show to the person
/// searching; server-side details go to the log, never into the body.
#[derive(Debug, Clone, PartialEq)]
pub struct ApiError {
    /// HTTP status.
    pub status: StatusCode,
    /// Machine-readable code (`missing_query`, `unknown_zip`, ...).
    pub code: &'static str,
    /// Human-readable message.
    pub message: String,
}

#[derive(Serialize)]
struct Body<'a> {
    error: Inner<'a>,
}

#[derive(Serialize)]
struct Inner<'a> {
    code: &'a str,
    message: &'a str,
}

impl ApiError {
    /// A 400 with `code`.
    pub fn bad_request(code: &'static str, message: impl Into<String>) -> Self {
        ApiError {
            status: StatusCode::BAD_REQUEST,
            code,
            message: message.into(),
        }
    }

    /// 503 `not_ready`: no index is loaded yet.
    pub fn not_ready() -> Self {
        ApiError {
            status: StatusCode::SERVICE_UNAVAILABLE,
            code: "not_ready",
            message: "the search index is still loading, try again shortly".into(),
        }
    }

    /// 503 `overloaded`: too many searches at once.
    pub fn overloaded() -> Self {
        ApiError {
            status: StatusCode::SERVICE_UNAVAILABLE,
            code: "overloaded",
            message: "the server is busy, try again shortly".into(),
        }
    }

    /// 408 `timeout`.
    pub fn timeout() -> Self {
        ApiError {
            status: StatusCode::REQUEST_TIMEOUT,
            code: "timeout",
            message: "the request took too long, try again".into(),
        }
    }

    /// 404 `not_found` for a path the service does not have.
    pub fn not_found() -> Self {
        ApiError {
            status: StatusCode::NOT_FOUND,
            code: "not_found",
            message: "no such page: see /openapi.json for the API".into(),
        }
    }

    /// 405 `method_not_allowed`.
    pub fn method_not_allowed() -> Self {
        ApiError {
            status: StatusCode::METHOD_NOT_ALLOWED,
            code: "method_not_allowed",
            message: "only GET (and HEAD) are supported".into(),
        }
    }

    /// 500 `internal`; `detail` is logged, not sent.
    pub fn internal(detail: &dyn std::fmt::Display) -> Self {
        tracing::error!(error = %detail, "internal error");
        ApiError {
            status: StatusCode::INTERNAL_SERVER_ERROR,
            code: "internal",
            message: "internal error".into(),
        }
    }
}

/// The JSON body of an error, for places that build responses by hand.
pub fn error_json(code: &str, message: &str) -> String {
    serde_json::to_string(&Body {
        error: Inner { code, message },
    })
    .unwrap_or_else(|_| r#"{"error":{"code":"internal","message":"internal error"}}"#.into())
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut r = (
            self.status,
            [(
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/json"),
            )],
            error_json(self.code, &self.message),
        )
            .into_response();
        if self.status == StatusCode::SERVICE_UNAVAILABLE {
            r.headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
        }
        if self.status == StatusCode::METHOD_NOT_ALLOWED {
            r.headers_mut()
                .insert(header::ALLOW, HeaderValue::from_static("GET, HEAD"));
        }
        r
    }
}

impl From<yelpsearch::Error> for ApiError {
    /// Query errors are the client's (400, 404 for an unknown zipcode); anything else is
    /// the server's (500).
    fn from(e: yelpsearch::Error) -> Self {
        match e {
            yelpsearch::Error::Query(msg) => ApiError::bad_request(query_error_code(&msg), msg),
            yelpsearch::Error::UnknownZip(zip) => ApiError {
                status: StatusCode::NOT_FOUND,
                code: "unknown_zip",
                message: format!(
                    "we have no places in zipcode {zip}: check it, or try a nearby one"
                ),
            },
            other => ApiError::internal(&other),
        }
    }
}

/// The OpenAPI code of a core query error.
///
/// The core reports every query problem as `Error::Query(message)`; until it carries
/// a kind, the code is read from the message's wording (pinned by this module's tests
/// and by the integration tests), with `invalid_query` for anything unrecognised.
fn query_error_code(msg: &str) -> &'static str {
    if msg.starts_with("no zipcode") {
        "missing_zip"
    } else if msg.starts_with("no words to search for") {
        "no_terms"
    } else if msg.contains("is not a zipcode") {
        "invalid_zip"
    } else if msg.starts_with("limit must be") {
        "invalid_limit"
    } else {
        "invalid_query"
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use yelpsearch::ParsedQuery;

    fn code(q: &str, zip: Option<&str>) -> &'static str {
        match ParsedQuery::parse(q, zip) {
            Err(yelpsearch::Error::Query(m)) => query_error_code(&m),
            other => panic!("{q}: expected a query error, got {other:?}"),
        }
    }

    #[test]
    fn core_messages_map_to_codes() {
        assert_eq!(code("pasta", None), "missing_zip");
        assert_eq!(code("61820", None), "no_terms");
        assert_eq!(code("the in 61820", None), "no_terms");
        assert_eq!(code("pasta", Some("6182")), "invalid_zip");
        assert_eq!(code("\"pasta 61820", None), "invalid_query");
        assert_eq!(code("pasta\u{1} 61820", None), "invalid_query");
    }

    #[test]
    fn body_shape() {
        let v: serde_json::Value = serde_json::from_str(&error_json("timeout", "a \"b\"")).unwrap();
        assert_eq!(v["error"]["code"], "timeout");
        assert_eq!(v["error"]["message"], "a \"b\"");
    }
}
