//! Prometheus metrics: requests by route and status, their latency, positions and comments
//! written, live subscribers. Served by [`router`] on a listener of its own
//! (`concord serve --metrics-bind`), never on the public one.

use crate::live::Hub;
use axum::Router;
use axum::extract::{MatchedPath, Request};
use axum::middleware::Next;
use axum::response::Response;
use axum::routing::get;
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};
use std::sync::OnceLock;
use std::time::Instant;

pub const REQUESTS: &str = "concord_http_requests_total";
pub const LATENCY: &str = "concord_http_request_duration_seconds";
pub const POSITIONS: &str = "concord_positions_written_total";
pub const COMMENTS: &str = "concord_comments_written_total";
pub const SUBSCRIBERS: &str = "concord_live_subscribers";

/// The process's recorder, installed on first use (`None` if another was installed first).
fn handle() -> Option<&'static PrometheusHandle> {
    static HANDLE: OnceLock<Option<PrometheusHandle>> = OnceLock::new();
    HANDLE
        .get_or_init(|| {
            let buckets = [
                0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 10.0,
            ];
            PrometheusBuilder::new()
                .set_buckets_for_metric(Matcher::Full(LATENCY.into()), &buckets)
                .ok()?
                .install_recorder()
                .ok()
        })
        .as_ref()
}

/// Installs the recorder, so that what happens before the first scrape is counted.
pub fn install() {
    let _ = handle();
}

/// Counts a request by method, route (its pattern, never the raw path) and status, and times it.
pub async fn track(request: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = request.method().as_str().to_owned();
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "unmatched".to_owned(), |p| p.as_str().to_owned());
    let response = next.run(request).await;
    let status = response.status().as_u16().to_string();
    metrics::counter!(REQUESTS, "method" => method.clone(), "route" => route.clone(), "status" => status)
        .increment(1);
    metrics::histogram!(LATENCY, "method" => method, "route" => route)
        .record(started.elapsed().as_secs_f64());
    response
}

/// `GET /metrics` in Prometheus's text format, for the listener given by `--metrics-bind`.
pub fn router(hub: Hub) -> Router {
    install();
    Router::new().route(
        "/metrics",
        get(move || {
            let hub = hub.clone();
            async move {
                #[allow(clippy::cast_precision_loss)]
                metrics::gauge!(SUBSCRIBERS).set(hub.subscribers() as f64);
                let text = handle().map(PrometheusHandle::render).unwrap_or_default();
                ([("content-type", "text/plain; version=0.0.4")], text)
            }
        }),
    )
}
