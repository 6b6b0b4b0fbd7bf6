//! The HTTP face of the server: the router with its layers, and what it is made of — the
//! error type and its JSON shape, the extractors, the same-site guard, the built front end and
//! its headers, the reading pages for browsers without JavaScript, and the API's routes, one
//! module per resource. Routes parse, call the domain, and shape the answer.

pub mod auth;
pub mod error;
pub mod extract;
mod first_text;
mod guard;
mod read;
mod routes;
pub mod web;

use crate::live;
use crate::ops::metrics;
use crate::refusal::Refusal;
use crate::state::AppState;
use axum::Router;
use axum::extract::{DefaultBodyLimit, Request};
use axum::http::{HeaderValue, StatusCode};
use axum::response::IntoResponse;
use axum::routing::get;
use error::AppError;
use shared::ErrorCode;
use std::sync::Arc;
use tower::ServiceExt;
use tower_http::compression::CompressionLayer;
use tower_http::compression::predicate::{NotForContentType, Predicate, SizeAbove};
use tower_http::trace::TraceLayer;

/// Largest request body accepted, in bytes.
pub const BODY_LIMIT: usize = 64 * 1024;

/// The OpenAPI document of the API, as served at `/api/v1/openapi.json`.
pub fn openapi() -> utoipa::openapi::OpenApi {
    routes::documented(routes::api(|routes| routes).split_for_parts().1)
}

/// The whole application: API, OpenAPI document, and (when configured) the front end.
pub fn app(state: AppState) -> Router {
    if let Ok(runtime) = tokio::runtime::Handle::try_current() {
        runtime.spawn(live::listen(state.store.clone(), state.hub.clone()));
        runtime.spawn(state.store.clone().keep_seen());
        if state.settings.mailer.is_some() {
            state.store.use_mail();
            runtime.spawn(crate::domain::reminders::work(state.clone()));
        }
    }
    metrics::install();
    let forget = axum::middleware::from_fn_with_state(state.clone(), forget_after_writes);
    let (api, doc) = routes::api(|routes| routes.route_layer(forget)).split_for_parts();
    let doc = Arc::new(routes::documented(doc));
    let assets = state.settings.assets.clone();
    let embedded = assets.is_none() && state.settings.embedded;
    let index = match &assets {
        Some(dir) => std::fs::read_to_string(dir.join("index.html")).ok(),
        None if embedded => web::embedded_index(),
        None => None,
    }
    .unwrap_or_default();
    let csp = HeaderValue::from_str(&web::content_security_policy(&index))
        .unwrap_or_else(|_| HeaderValue::from_static("default-src 'self'"));
    let files = assets.as_deref().map(web::assets);
    // The API as the pages that start with their text ask it (see first_text).
    let first_api = api.clone().with_state(state.clone());
    let index: Arc<str> = index.into();
    let https = state.settings.https;

    api.route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .route("/read", get(read::index))
        .route("/read/{slug}/{round}", get(read::round))
        .route(
            "/api/v1/openapi.json",
            get(move || {
                let doc = Arc::clone(&doc);
                async move { axum::Json(doc) }
            }),
        )
        .method_not_allowed_fallback(|| async {
            AppError::Rejected {
                status: StatusCode::METHOD_NOT_ALLOWED,
                code: ErrorCode::MethodNotAllowed,
                message: "This route does not accept that method.".into(),
            }
        })
        .fallback(move |request: Request| {
            let (files, first_api, index) = (files.clone(), first_api.clone(), index.clone());
            async move {
                let path = request.uri().path();
                let api = path == "/api" || path.starts_with("/api/");
                let served = files.is_some() || embedded;
                let reads = matches!(
                    *request.method(),
                    axum::http::Method::GET | axum::http::Method::HEAD
                );
                if served && !api && reads {
                    let (uri, headers) = (request.uri(), request.headers());
                    if let Some(page) = first_text::page(&first_api, &index, uri, headers).await {
                        return page;
                    }
                }
                match files {
                    Some(files) if !api => match files.oneshot(request).await {
                        Ok(response) => response.into_response(),
                        Err(never) => match never {},
                    },
                    None if embedded && !api => web::embedded(request).await,
                    _ => AppError::from(Refusal::NotFound("route")).into_response(),
                }
            }
        })
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        .layer(axum::middleware::from_fn(move |req, next| {
            guard::same_site_writes(https, req, next)
        }))
        .layer(axum::middleware::from_fn(move |req, next| {
            web::headers(csp.clone(), https, req, next)
        }))
        .layer(compression())
        .layer(TraceLayer::new_for_http())
        .route_layer(axum::middleware::from_fn(metrics::track))
        .with_state(state)
}

/// Answers of more than a kilobyte (a clause, a page of comments, a reading page) travel
/// compressed when the browser accepts it: brotli at level 4, as web servers use on the fly.
/// Not the live streams, nor archives already compressed, nor the front end's files, which are
/// served precompressed.
fn compression() -> CompressionLayer<impl Predicate> {
    let predicate = SizeAbove::new(1024)
        .and(NotForContentType::SSE)
        .and(NotForContentType::IMAGES)
        .and(NotForContentType::const_new("application/zip"));
    CompressionLayer::new().compress_when(predicate)
}

/// Liveness: the process is up and answering.
async fn healthz() -> axum::Json<serde_json::Value> {
    axum::Json(serde_json::json!({"status": "ok"}))
}

/// Readiness: the database answers and its migrations are current; 503 otherwise.
async fn readyz(
    axum::extract::State(state): axum::extract::State<AppState>,
) -> Result<axum::Json<serde_json::Value>, AppError> {
    match state.store.ready().await {
        Ok(true) => Ok(axum::Json(serde_json::json!({"status": "ready"}))),
        Ok(false) => Err(AppError::NotReady(
            "The database's migrations are not the ones this binary carries.",
        )),
        Err(e) => {
            tracing::warn!(error = %e, "not ready");
            Err(AppError::NotReady("The database does not answer."))
        }
    }
}

/// After every request to a route that may have written, forgets what the store remembers.
async fn forget_after_writes(
    axum::extract::State(state): axum::extract::State<AppState>,
    request: Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    let read = guard::is_read(request.method());
    let response = next.run(request).await;
    if !read {
        state.store.forget().await;
    }
    response
}
