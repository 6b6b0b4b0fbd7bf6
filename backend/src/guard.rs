//! Refuses state-changing requests that a browser says come from another site (ASVS 3.5.3), on
//! top of the `SameSite=Strict` session cookie and the JSON content type every write requires.

use crate::error::AppError;
use axum::extract::Request;
use axum::http::{HeaderMap, Method, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

/// Lets reads through; refuses a write whose `Sec-Fetch-Site` or `Origin` names another site.
pub async fn same_site_writes(request: Request, next: Next) -> Response {
    if !is_read(request.method()) && is_cross_site(request.headers()) {
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
fn is_cross_site(headers: &HeaderMap) -> bool {
    if let Some(site) = headers.get("sec-fetch-site") {
        return !matches!(site.as_bytes(), b"same-origin" | b"none");
    }
    match (headers.get(header::ORIGIN), headers.get(header::HOST)) {
        (Some(origin), Some(host)) => {
            let origin = origin.to_str().unwrap_or("");
            let authority = origin.split_once("://").map_or("", |(_, a)| a);
            authority.as_bytes() != host.as_bytes()
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
        assert!(!is_cross_site(&headers(&[(
            "sec-fetch-site",
            "same-origin"
        )])));
        assert!(!is_cross_site(&headers(&[("sec-fetch-site", "none")])));
        assert!(is_cross_site(&headers(&[("sec-fetch-site", "cross-site")])));
        assert!(is_cross_site(&headers(&[("sec-fetch-site", "same-site")])));
    }

    #[test]
    fn otherwise_the_origin_must_match_the_host() {
        let same = [
            ("origin", "http://127.0.0.1:8080"),
            ("host", "127.0.0.1:8080"),
        ];
        assert!(!is_cross_site(&headers(&same)));
        let other = [
            ("origin", "https://evil.example"),
            ("host", "127.0.0.1:8080"),
        ];
        assert!(is_cross_site(&headers(&other)));
        let opaque = [("origin", "null"), ("host", "127.0.0.1:8080")];
        assert!(is_cross_site(&headers(&opaque)));
        assert!(!is_cross_site(&headers(&[("host", "127.0.0.1:8080")])));
    }
}
