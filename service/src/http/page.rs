//! The embedded web page and its Content-Security-Policy, and the OpenAPI document
//! (the core's: `yelpsearch::api::OPENAPI_JSON`).

use std::sync::OnceLock;

use base64::Engine as _;
use sha2::{Digest, Sha256};

/// The search page (`service/static/index.html`).
pub const PAGE: &str = include_str!("../../static/index.html");
/// The OpenAPI document (`src/openapi.json`, compiled into the core library).
pub const OPENAPI: &str = yelpsearch::api::OPENAPI_JSON;

/// The page's Content-Security-Policy: nothing but its own inline script and style
/// (allowed by hash, so an injected `<script>` could not run), and requests to this
/// origin.
pub fn csp() -> &'static str {
    static CSP: OnceLock<String> = OnceLock::new();
    CSP.get_or_init(|| {
        let sources = |tag: &str| -> String {
            inline_blocks(PAGE, tag)
                .iter()
                .map(|b| format!(" 'sha256-{}'", base64::engine::general_purpose::STANDARD.encode(Sha256::digest(b))))
                .collect()
        };
        format!(
            "default-src 'none'; script-src{}; style-src{}; connect-src 'self'; img-src 'self' data:; \
             base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
            or_none(sources("script")),
            or_none(sources("style")),
        )
    })
}

fn or_none(s: String) -> String {
    if s.is_empty() {
        " 'none'".into()
    } else {
        s
    }
}

/// The contents of every inline `<tag ...>...</tag>` block (without a `src`), as the
/// browser hashes them: the exact bytes between the tags.
fn inline_blocks<'a>(html: &'a str, tag: &str) -> Vec<&'a str> {
    let open = format!("<{tag}");
    let close = format!("</{tag}>");
    let mut out = Vec::new();
    let mut rest = html;
    while let Some(i) = rest.find(&open) {
        let after = &rest[i + open.len()..];
        // `<scripts>` or `<style-x>` are other tags.
        if !after.starts_with(['>', ' ', '\t', '\n']) {
            rest = after;
            continue;
        }
        let Some(gt) = after.find('>') else { break };
        let attrs = &after[..gt];
        let body = &after[gt + 1..];
        let Some(end) = body.find(&close) else { break };
        if !attrs.contains("src=") {
            out.push(&body[..end]);
        }
        rest = &body[end + close.len()..];
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_every_inline_block() {
        let html = "<style>a{}</style><script>x()</script><script src=\"y.js\"></script><scripts>";
        assert_eq!(inline_blocks(html, "script"), ["x()"]);
        assert_eq!(inline_blocks(html, "style"), ["a{}"]);
        let c = csp();
        assert!(
            c.starts_with("default-src 'none'; script-src 'sha256-"),
            "{c}"
        );
        assert!(c.contains("style-src 'sha256-"), "{c}");
        assert!(!c.contains("unsafe-inline"));
    }

    #[test]
    fn openapi_is_json() {
        let v: serde_json::Value = serde_json::from_str(OPENAPI).unwrap();
        assert!(v["paths"]["/search"].is_object());
    }
}
