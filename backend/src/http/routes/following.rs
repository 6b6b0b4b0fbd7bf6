//! Following a consultation with no account: its Atom feed, a round's feed, and its calendar.
//! Each answer carries an `ETag` (a digest of its bytes), and a reader that sends it back in
//! `If-None-Match` is answered `304 Not Modified` with no body.

use super::params::{ConsultationParams, RoundParams};
use crate::domain::following;
use crate::http::error::AppError;
use crate::http::extract::{ApiPath, ApiQuery};
use crate::refusal::Refusal;
use crate::state::AppState;
use crate::words::{Words, negotiate};
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use serde::Deserialize;
use sha2::{Digest, Sha256};
use shared::{ApiError, FieldError, Language};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(consultation_feed))
        .routes(routes!(round_feed))
        .routes(routes!(consultation_calendar))
}

/// `?lang=`: the language of titles and descriptions.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct LanguageQuery {
    /// `en`, `fr`, `es` or `ar`; without it, the first of `Accept-Language` that Concord speaks,
    /// else English.
    lang: Option<String>,
}

impl LanguageQuery {
    fn words(&self, headers: &HeaderMap) -> Result<Words, AppError> {
        if let Some(asked) = &self.lang
            && Language::parse(asked).is_none()
        {
            return Err(Refusal::Validation(vec![FieldError::new(
                "lang",
                "unknown",
                "Ask for en, fr, es or ar, or leave lang out to follow Accept-Language.",
            )])
            .into());
        }
        Ok(Words(negotiate(self.lang.as_deref(), headers)))
    }
}

/// The consultation's Atom feed: rounds opened, phases changed, schedules set, results and
/// records published, the conveners' responses to comments. No account needed.
#[utoipa::path(get, path = "/api/v1/consultations/{slug}/feed.atom", tag = "consultations",
    params(ConsultationParams, LanguageQuery,
        ("If-None-Match" = Option<String>, Header, description = "The ETag of the feed last read")),
    responses(
        (status = 200, content_type = "application/atom+xml", body = String,
            headers(("ETag" = String, description = "Names these bytes"))),
        (status = 304, description = "Unchanged since the ETag sent"),
        (status = 404, body = ApiError),
        (status = 422, body = ApiError, description = "A language Concord does not speak"),
    ))]
async fn consultation_feed(
    State(state): State<AppState>,
    ApiPath(slug): ApiPath<String>,
    ApiQuery(query): ApiQuery<LanguageQuery>,
    headers: HeaderMap,
) -> Result<Response, AppError> {
    let w = query.words(&headers)?;
    let consultation = state.store.existing_consultation(&slug).await?;
    let feed = following::feed(&state, &consultation, None, w).await?;
    Ok(conditional(&headers, feed, ATOM))
}

/// A round's Atom feed: what the consultation's says of this round, and each past day's count
/// of new comments per clause (never their text). No account needed.
#[utoipa::path(get, path = "/api/v1/consultations/{slug}/rounds/{round}/feed.atom",
    tag = "consultations",
    params(RoundParams, LanguageQuery,
        ("If-None-Match" = Option<String>, Header, description = "The ETag of the feed last read")),
    responses(
        (status = 200, content_type = "application/atom+xml", body = String,
            headers(("ETag" = String, description = "Names these bytes"))),
        (status = 304, description = "Unchanged since the ETag sent"),
        (status = 404, body = ApiError),
        (status = 422, body = ApiError, description = "A language Concord does not speak"),
    ))]
async fn round_feed(
    State(state): State<AppState>,
    ApiPath((slug, round)): ApiPath<(String, String)>,
    ApiQuery(query): ApiQuery<LanguageQuery>,
    headers: HeaderMap,
) -> Result<Response, AppError> {
    let w = query.words(&headers)?;
    let consultation = state
        .store
        .consultation_ref(&slug)
        .await?
        .ok_or(Refusal::NotFound("round"))?;
    let feed = following::feed(&state, &consultation, Some(&round), w).await?;
    Ok(conditional(&headers, feed, ATOM))
}

/// The consultation's calendar (iCalendar): each round's phase changes, those scheduled with a
/// reminder the day before. Subscribe to it and it follows the schedule. No account needed.
#[utoipa::path(get, path = "/api/v1/consultations/{slug}/calendar.ics", tag = "consultations",
    params(ConsultationParams, LanguageQuery,
        ("If-None-Match" = Option<String>, Header, description = "The ETag of the calendar last read")),
    responses(
        (status = 200, content_type = "text/calendar", body = String,
            headers(("ETag" = String, description = "Names these bytes"))),
        (status = 304, description = "Unchanged since the ETag sent"),
        (status = 404, body = ApiError),
        (status = 422, body = ApiError, description = "A language Concord does not speak"),
    ))]
async fn consultation_calendar(
    State(state): State<AppState>,
    ApiPath(slug): ApiPath<String>,
    ApiQuery(query): ApiQuery<LanguageQuery>,
    headers: HeaderMap,
) -> Result<Response, AppError> {
    let w = query.words(&headers)?;
    let consultation = state.store.existing_consultation(&slug).await?;
    let calendar = following::calendar(&state, &consultation, w).await?;
    Ok(conditional(&headers, calendar, CALENDAR))
}

const ATOM: &str = "application/atom+xml; charset=utf-8";
const CALENDAR: &str = "text/calendar; charset=utf-8";

/// `body` as `content_type` with its `ETag`, or `304 Not Modified` when the reader holds it.
fn conditional(headers: &HeaderMap, body: String, content_type: &'static str) -> Response {
    let digest = Sha256::digest(body.as_bytes());
    // Weak: the same bytes travel compressed or not, which a strong tag would tell apart.
    let tag = format!(
        "W/\"{}\"",
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(&digest[..18])
    );
    let held = headers
        .get_all(header::IF_NONE_MATCH)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(|t| t.trim().trim_start_matches("W/"))
        .any(|t| t == tag.trim_start_matches("W/") || t == "*");
    let mut response = if held {
        StatusCode::NOT_MODIFIED.into_response()
    } else {
        ([(header::CONTENT_TYPE, content_type)], body).into_response()
    };
    let h = response.headers_mut();
    if let Ok(tag) = HeaderValue::from_str(&tag) {
        h.insert(header::ETAG, tag);
    }
    // Anyone may keep it (it says only what anyone may read), asking again before using it.
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    h.insert(header::VARY, HeaderValue::from_static("accept-language"));
    response
}
