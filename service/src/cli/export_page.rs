//! `yelpsearch export-page`: the search page as a static site (an S3 bucket behind
//! CloudFront) that calls the API at another origin.
//!
//! The page is the one `serve` embeds, with two changes in its `<head>`: the
//! `yelpsearch-api` meta tag names the API, and a Content-Security-Policy meta tag
//! allows requests to that origin only. The API must allow the site's origin:
//! `YELPSEARCH_CORS_ORIGINS=https://<the site's domain>` (service/deploy/aws/README.md).

use std::path::PathBuf;

use crate::error::{CliError, CliResult};
use crate::http::page;

/// Flags of `export-page`.
#[derive(Debug, clap::Args)]
pub struct ExportPageArgs {
    /// Base URL of the API the page calls (https://api.example.com, optionally with a
    /// path prefix).
    #[arg(long)]
    pub api: String,
    /// Directory to write `index.html` into (created if missing).
    #[arg(long)]
    pub out: PathBuf,
}

/// The API meta tag as the page ships it.
const API_TAG: &str = r#"<meta name="yelpsearch-api" content="">"#;
/// Where the policy goes: right after the charset.
const CHARSET: &str = r#"<meta charset="utf-8">"#;

/// Writes the page configured for `api`.
pub fn run(a: ExportPageArgs) -> CliResult<()> {
    let (api, origin) = parse_api(&a.api)?;
    let html = page_for(&api, &origin)?;
    std::fs::create_dir_all(&a.out)
        .map_err(|e| CliError::io(format!("creating {}", a.out.display()), e))?;
    let path = a.out.join("index.html");
    std::fs::write(&path, html)
        .map_err(|e| CliError::io(format!("writing {}", path.display()), e))?;
    println!(
        "wrote {} (calls {api}); the API must allow the site's origin: YELPSEARCH_CORS_ORIGINS=https://<site domain>",
        path.display()
    );
    Ok(())
}

/// The page with the API filled in and its policy allowing that origin.
pub fn page_for(api: &str, origin: &str) -> CliResult<String> {
    if page::PAGE.matches(API_TAG).count() != 1 || page::PAGE.matches(CHARSET).count() != 1 {
        return Err(CliError::Serve(
            "the embedded page no longer has exactly one empty yelpsearch-api meta tag and one charset tag: update export_page.rs".into(),
        ));
    }
    let csp = page::csp_for(origin);
    Ok(page::PAGE
        .replacen(
            API_TAG,
            &format!(r#"<meta name="yelpsearch-api" content="{api}">"#),
            1,
        )
        .replacen(
            CHARSET,
            &format!(
                r#"{CHARSET}
<meta http-equiv="Content-Security-Policy" content="{csp}">"#
            ),
            1,
        ))
}

/// Checks an API base URL: http(s), a host, no query or fragment, nothing that would
/// need escaping in an attribute. Returns (base without a trailing slash, origin).
pub fn parse_api(s: &str) -> CliResult<(String, String)> {
    let bad = |why: &str| {
        CliError::Usage(format!(
            "--api {s:?}: {why} (write the API's base URL, e.g. https://api.example.com)"
        ))
    };
    let base = s.trim().trim_end_matches('/');
    let rest = base
        .strip_prefix("https://")
        .or_else(|| base.strip_prefix("http://"))
        .ok_or_else(|| bad("not an http(s) URL"))?;
    if base
        .chars()
        .any(|c| c.is_whitespace() || c.is_control() || "\"'<>`\\?#".contains(c))
    {
        return Err(bad("holds characters a base URL cannot"));
    }
    let host = rest.split('/').next().unwrap_or("");
    if host.is_empty() || host.contains('@') {
        return Err(bad("no host"));
    }
    let scheme = if base.starts_with("https://") {
        "https"
    } else {
        "http"
    };
    Ok((base.to_string(), format!("{scheme}://{host}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_api_and_its_origin() {
        assert_eq!(
            parse_api("https://api.example.com/").unwrap(),
            (
                "https://api.example.com".into(),
                "https://api.example.com".into()
            )
        );
        assert_eq!(
            parse_api("http://127.0.0.1:8080/v1").unwrap().1,
            "http://127.0.0.1:8080"
        );
        for bad in [
            "api.example.com",
            "ftp://x",
            "https://",
            "https://a\" onload=\"x",
            "https://a?q=1",
            "https://u@h",
        ] {
            assert!(parse_api(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn the_page_names_the_api_and_allows_only_its_origin() {
        let html = page_for("https://api.example.com", "https://api.example.com").unwrap();
        assert!(html.contains(r#"<meta name="yelpsearch-api" content="https://api.example.com">"#));
        assert!(!html.contains(API_TAG));
        assert!(html.contains("connect-src https://api.example.com;"));
        assert!(html.contains("script-src 'sha256-"));
        // Only the head changed: the inline script and style (and their hashes) did not.
        assert_eq!(
            html.len() - page::PAGE.len(),
            html.find("</head>").unwrap() - page::PAGE.find("</head>").unwrap()
        );
    }
}
