//! The built front end: hashed assets cached for a year, `index.html` never cached, precompressed
//! `.br`/`.gz` files preferred, and security headers on every response. The Content Security
//! Policy allows only this origin, plus the one inline start-up script Trunk writes into
//! `index.html`, named by its SHA-256 digest.

use crate::refusal::Refusal;
use axum::body::Body;
use axum::extract::Request;
use axum::http::{HeaderValue, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use sha2::{Digest, Sha256};
use std::path::Path;
use tower_http::services::{ServeDir, ServeFile};

/// The front end built into the binary: `cargo build --release` after `scripts/build-frontend`
/// embeds `frontend/dist`, so the one file is a whole deployment. Empty when the front end was
/// not built first; debug builds read the folder from disk instead.
#[derive(rust_embed::RustEmbed)]
#[folder = "../frontend/dist"]
#[allow_missing = true]
struct Embedded;

/// `index.html` of the embedded front end, if there is one.
pub fn embedded_index() -> Option<String> {
    Embedded::get("index.html").map(|f| String::from_utf8_lossy(&f.data).into_owned())
}

/// Serves the embedded front end as [`assets`] serves a folder: the precompressed `.br` or
/// `.gz` twin when the browser takes it, `index.html` for paths of the browser-side router.
pub async fn embedded(request: Request<Body>) -> Response {
    let path = request.uri().path().trim_start_matches('/');
    let (name, file) = match Embedded::get(path).filter(|_| !path.is_empty()) {
        Some(file) => (path.to_owned(), file),
        None => match Embedded::get("index.html") {
            Some(file) => ("index.html".to_owned(), file),
            None => {
                return crate::http::error::AppError::from(Refusal::NotFound("route"))
                    .into_response();
            }
        },
    };
    let accepted = request
        .headers()
        .get(header::ACCEPT_ENCODING)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned();
    let mime = file.metadata.mimetype().to_owned();
    let twin = [("br", ".br"), ("gzip", ".gz")]
        .into_iter()
        .filter(|(encoding, _)| accepted.split(',').any(|a| a.trim().starts_with(encoding)))
        .find_map(|(encoding, suffix)| {
            Some((encoding, Embedded::get(&format!("{name}{suffix}"))?))
        });
    let mut response = match twin {
        Some((encoding, twin)) => {
            let mut response = Response::new(Body::from(twin.data.into_owned()));
            response
                .headers_mut()
                .insert(header::CONTENT_ENCODING, HeaderValue::from_static(encoding));
            response
        }
        None => Response::new(Body::from(file.data.into_owned())),
    };
    let headers = response.headers_mut();
    if let Ok(mime) = HeaderValue::from_str(&mime) {
        headers.insert(header::CONTENT_TYPE, mime);
    }
    headers.insert(header::VARY, HeaderValue::from_static("accept-encoding"));
    response
}

/// The front end's files under `dir`, with unknown paths answered by `index.html` so that the
/// browser-side router can handle them.
pub fn assets(dir: &Path) -> ServeDir<ServeFile> {
    let index = ServeFile::new(dir.join("index.html"))
        .precompressed_br()
        .precompressed_gzip();
    ServeDir::new(dir)
        .precompressed_br()
        .precompressed_gzip()
        .fallback(index)
}

/// Whether `path` lies in a build's content-addressed directory (`/app-<16 hex>/…`, see
/// `scripts/build-frontend`) or names a file carrying a content hash (`name-<hex>.ext`,
/// `name-<hex>_bg.wasm`, as Trunk writes them, without leading zeros: 8 to 16 digits).
fn is_hashed(path: &str) -> bool {
    let mut segments = path.trim_start_matches('/').split('/');
    let first = segments.next().unwrap_or("");
    let in_build = first
        .strip_prefix("app-")
        .is_some_and(|d| d.len() == 16 && d.bytes().all(|b| b.is_ascii_hexdigit()))
        && segments.next().is_some_and(|s| !s.is_empty());
    let file = path.rsplit('/').next().unwrap_or("");
    in_build
        || file.match_indices('-').any(|(i, _)| {
            let rest = &file[i + 1..];
            let digits = rest.bytes().take_while(u8::is_ascii_hexdigit).count();
            (8..=16).contains(&digits) && matches!(rest.as_bytes().get(digits), Some(b'.' | b'_'))
        })
}

/// The Content Security Policy for pages built from `index_html`.
pub fn content_security_policy(index_html: &str) -> String {
    let mut script_src = String::from("'self' 'wasm-unsafe-eval'");
    let mut rest = index_html;
    while let Some(start) = rest.find("<script") {
        let after = &rest[start..];
        let Some(open_end) = after.find('>') else {
            break;
        };
        let tag = &after[..open_end];
        let body_and_rest = &after[open_end + 1..];
        let Some(close) = body_and_rest.find("</script>") else {
            break;
        };
        if !tag.contains("src=") {
            let digest = STANDARD.encode(Sha256::digest(&body_and_rest.as_bytes()[..close]));
            script_src.push_str(&format!(" 'sha256-{digest}'"));
        }
        rest = &body_and_rest[close..];
    }
    format!(
        "default-src 'self'; script-src {script_src}; style-src 'self'; img-src 'self' data:; \
         connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; \
         form-action 'self'; frame-ancestors 'none'"
    )
}

/// Adds cache and security headers according to what was asked for; HSTS when served over HTTPS.
pub async fn headers(
    csp: HeaderValue,
    https: bool,
    request: Request<Body>,
    next: Next,
) -> Response {
    let path = request.uri().path().to_owned();
    let mut response = next.run(request).await;
    let h = response.headers_mut();
    let cache = if path.starts_with("/api/") {
        "no-store"
    } else if is_hashed(&path) {
        "public, max-age=31536000, immutable"
    } else {
        "no-cache"
    };
    // A page made for its reader (one starting with its text) says itself that it is not kept.
    if !h.contains_key(header::CACHE_CONTROL) {
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
    }
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    // Anything but a document: a typed answer that is not HTML. (A 304 has no type, and the
    // browser lays its headers over the page it keeps, so it must carry the page's policy.)
    let document = h
        .get(header::CONTENT_TYPE)
        .and_then(|t| t.to_str().ok())
        .is_none_or(|t| t.starts_with("text/html"));
    if document {
        h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
        // A page that states its own policy (the reading pages) keeps it.
        if !h.contains_key(header::CONTENT_SECURITY_POLICY) {
            h.insert(header::CONTENT_SECURITY_POLICY, csp);
        }
    } else {
        // A policy governs a document, not the scripts, styles and data it loads; anything else
        // opened on its own (an SVG, an answer of the API) may run nothing and sit in no frame.
        // (The app's long policy on every answer would cost a slow connection ~300 bytes each.)
        h.insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static("default-src 'none'; frame-ancestors 'none'"),
        );
    }
    if https {
        h.insert(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=63072000"),
        );
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_content_addressed_paths_count_as_hashed() {
        assert!(is_hashed("/frontend-3f9a1c0b2d4e5f67_bg.wasm"));
        assert!(is_hashed("/style-0123456789abcdef.css"));
        assert!(
            is_hashed("/frontend-f9a1c0b2d4e5f67_bg.wasm"),
            "a hash with a leading zero is written one digit shorter"
        );
        assert!(!is_hashed("/read/paris-call/2019"));
        assert!(is_hashed("/app-3494b05c56c4329c/main.js"));
        assert!(is_hashed("/app-3494b05c56c4329c/chunk_10.wasm"));
        assert!(
            !is_hashed("/app-3494b05c56c4329c"),
            "a folder's name alone is a route"
        );
        assert!(!is_hashed("/c/paris-call-deadbeef0/2019"));
        assert!(!is_hashed("/a-b.css"));
        assert!(!is_hashed("/index.html"));
        assert!(!is_hashed("/c/paris-call/2019"));
        assert!(!is_hashed("/favicon.svg"));
    }

    #[test]
    fn the_policy_names_inline_scripts_by_digest_and_ignores_external_ones() {
        let html =
            r#"<head><script type="module">boot()</script><script src="/x.js"></script></head>"#;
        let csp = content_security_policy(html);
        let digest = STANDARD.encode(Sha256::digest(b"boot()"));
        assert!(csp.contains(&format!("'sha256-{digest}'")), "{csp}");
        assert_eq!(csp.matches("sha256-").count(), 1, "{csp}");
    }
}
