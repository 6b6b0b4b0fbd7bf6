//! Refuses state-changing requests that a browser says come from another site (ASVS 3.5.3), on
//! top of the `SameSite=Strict` session cookie and the JSON content type every write requires.

use crate::http::error::AppError;
use axum::extract::Request;
use axum::http::{HeaderMap, Method, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

/// Lets reads through; refuses a write whose `Sec-Fetch-Site` or `Origin` names another site.
/// `https`: Concord is reached over HTTPS, so the origin's scheme must be `https`.
pub async fn same_site_writes(https: bool, request: Request, next: Next) -> Response {
    if !is_read(request.method()) && is_cross_site(request.headers(), https) {
        return AppError::CrossSite.into_response();
    }
    next.run(request).await
}

/// Whether a request with `method` only reads.
pub fn is_read(method: &Method) -> bool {
    matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS)
}

/// What the browser says about where the request comes from. Clients that are not browsers send
/// neither header and are judged by their credentials alone.
/// The origin must match in scheme, host and port: `Host` gives host and port, and the scheme
/// is the one Concord is reached by.
fn is_cross_site(headers: &HeaderMap, https: bool) -> bool {
    if let Some(site) = headers.get("sec-fetch-site") {
        return !matches!(site.as_bytes(), b"same-origin" | b"none");
    }
    match (headers.get(header::ORIGIN), headers.get(header::HOST)) {
        (Some(origin), Some(host)) => {
            let scheme = if https { "https" } else { "http" };
            let origin = origin.to_str().unwrap_or("");
            let host = host.to_str().unwrap_or("");
            !origin.eq_ignore_ascii_case(&format!("{scheme}://{host}"))
        }
        (Some(_), None) => true,
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (k, v) in pairs {
            map.insert(*k, HeaderValue::from_static(v));
        }
        map
    }

    #[test]
    fn fetch_metadata_decides_when_present() {
        assert!(!is_cross_site(
            &headers(&[("sec-fetch-site", "same-origin")]),
            false
        ));
        assert!(!is_cross_site(
            &headers(&[("sec-fetch-site", "none")]),
            false
        ));
        assert!(is_cross_site(
            &headers(&[("sec-fetch-site", "cross-site")]),
            false
        ));
        assert!(is_cross_site(
            &headers(&[("sec-fetch-site", "same-site")]),
            false
        ));
    }

    #[test]
    fn otherwise_the_origin_must_match_the_host() {
        let same = [
            ("origin", "http://127.0.0.1:8080"),
            ("host", "127.0.0.1:8080"),
        ];
        assert!(!is_cross_site(&headers(&same), false));
        // The same host and port by another scheme is another origin.
        assert!(is_cross_site(&headers(&same), true));
        let secure = [
            ("origin", "https://127.0.0.1:8080"),
            ("host", "127.0.0.1:8080"),
        ];
        assert!(is_cross_site(&headers(&secure), false));
        assert!(!is_cross_site(&headers(&secure), true));
        let other_port = [
            ("origin", "http://127.0.0.1:9090"),
            ("host", "127.0.0.1:8080"),
        ];
        assert!(is_cross_site(&headers(&other_port), false));
        let other = [
            ("origin", "https://evil.example"),
            ("host", "127.0.0.1:8080"),
        ];
        assert!(is_cross_site(&headers(&other), false));
        let opaque = [("origin", "null"), ("host", "127.0.0.1:8080")];
        assert!(is_cross_site(&headers(&opaque), false));
        assert!(!is_cross_site(
            &headers(&[("host", "127.0.0.1:8080")]),
            false
        ));
    }
}
