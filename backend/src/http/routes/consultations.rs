//! Consultations: listed, created, changed and archived; how a participant joins one; and the
//! preview of a draft text read from a document.

use super::params::ConsultationParams;
use crate::document::{self, DOCUMENT_MAX};
use crate::domain;
use crate::http::auth::{Admin, Convening, SignedIn};
use crate::http::error::AppError;
use crate::http::extract::{ApiDocument, ApiJson, ApiPath};
use crate::refusal::Refusal;
use crate::state::AppState;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::StatusCode;
use shared::{
    ApiError, Consultation, ConsultationSummary, DraftText, JoinConsultation, NewConsultation,
    Participation, SettingsChange,
};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    // A document may be larger than other bodies.
    let documents = OpenApiRouter::new()
        .routes(routes!(preview_text))
        .layer(DefaultBodyLimit::max(DOCUMENT_MAX));
    OpenApiRouter::new()
        .routes(routes!(list_consultations, create_consultation))
        .routes(routes!(get_consultation, change_consultation))
        .routes(routes!(archive_consultation))
        .merge(documents)
        .routes(routes!(join_consultation))
}

/// States how the caller takes part in an open consultation: their stakeholder group, the
/// organisation they speak for (one they belong to) and their region. Positions count in that
/// group and region. In a consultation by invitation the invitation sets the group, and only its
/// conveners state their own.
#[utoipa::path(put, path = "/api/v1/consultations/{slug}/participation", tag = "consultations",
    params(ConsultationParams),
    request_body = JoinConsultation,
    responses(
        (status = 200, body = Participation),
        (status = 401, body = ApiError),
        (status = 403, body = ApiError, description = "By invitation, and the invitation set the group or there was none"),
        (status = 404, body = ApiError),
        (status = 422, body = ApiError, description = "Not a member of the organisation, the organisation of another group, or region too long"),
    ))]
async fn join_consultation(
    State(state): State<AppState>,
    SignedIn(account): SignedIn,
    ApiPath(slug): ApiPath<String>,
    ApiJson(join): ApiJson<JoinConsultation>,
) -> Result<ApiJson<Participation>, AppError> {
    let participation = domain::consultations::join(&state, &account, &slug, &join).await?;
    Ok(ApiJson(participation))
}

/// Creates a consultation (administrators with two-factor sign-in): its address, titles,
/// description, access, conveners, stakeholder groups and regions. Its first round is opened
/// next, with a text imported from a document (see `text-preview`) or written clause by clause.
#[utoipa::path(post, path = "/api/v1/consultations", tag = "consultations",
    request_body = NewConsultation,
    responses(
        (status = 201, body = Consultation),
        (status = 401, body = ApiError),
        (status = 403, body = ApiError, description = "Not an administrator, or without two-factor sign-in"),
        (status = 409, body = ApiError, description = "A consultation has this address"),
        (status = 422, body = ApiError, description = "A malformed address, no title, an unknown convener, duplicate regions"),
    ))]
async fn create_consultation(
    State(state): State<AppState>,
    Admin(admin): Admin,
    ApiJson(new): ApiJson<NewConsultation>,
) -> Result<(StatusCode, ApiJson<Consultation>), AppError> {
    let slug = domain::consultations::create(&state, &admin, &new).await?;
    Ok((StatusCode::CREATED, answer(&state, &slug).await?))
}

/// Changes a consultation's titles, description, stakeholder groups and regions
/// (administrators). A field left out keeps its value; one given replaces it whole.
/// Participants keep the region they gave, even one taken off the list.
#[utoipa::path(put, path = "/api/v1/consultations/{slug}", tag = "consultations",
    params(ConsultationParams),
    request_body = SettingsChange,
    responses(
        (status = 200, body = Consultation),
        (status = 401, body = ApiError),
        (status = 403, body = ApiError),
        (status = 404, body = ApiError),
        (status = 409, body = ApiError, description = "Archived"),
        (status = 422, body = ApiError, description = "No title, no group, duplicate regions"),
    ))]
async fn change_consultation(
    State(state): State<AppState>,
    Admin(admin): Admin,
    ApiPath(slug): ApiPath<String>,
    ApiJson(change): ApiJson<SettingsChange>,
) -> Result<ApiJson<Consultation>, AppError> {
    domain::consultations::change(&state, &admin, &slug, change).await?;
    answer(&state, &slug).await
}

/// Archives a consultation (administrators): it stays readable and its records downloadable,
/// and nothing in it changes any more. Refused while a round takes comments or positions or
/// awaits the publishing of its results; archiving again changes nothing.
#[utoipa::path(post, path = "/api/v1/consultations/{slug}/archive", tag = "consultations",
    params(ConsultationParams),
    responses(
        (status = 200, body = Consultation),
        (status = 401, body = ApiError),
        (status = 403, body = ApiError),
        (status = 404, body = ApiError),
        (status = 409, body = ApiError, description = "A round is still taking comments or positions, or is closed with its results unpublished"),
    ))]
async fn archive_consultation(
    State(state): State<AppState>,
    Admin(admin): Admin,
    ApiPath(slug): ApiPath<String>,
) -> Result<ApiJson<Consultation>, AppError> {
    domain::consultations::archive(&state, &admin, &slug).await?;
    answer(&state, &slug).await
}

/// Reads a draft text from a document — Markdown, plain text, DOCX or ODT, named by the
/// request's `Content-Type`, at most 10 MB — and answers how it would be cut into a preamble
/// and clauses (conveners only). Nothing is saved: the convener corrects the cut, then opens a
/// round with it.
#[utoipa::path(post, path = "/api/v1/consultations/{slug}/text-preview", tag = "convening",
    params(ConsultationParams),
    request_body(description = "The document itself", content(
        (String = "text/markdown"),
        (String = "text/plain"),
        (Vec<u8> = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
        (Vec<u8> = "application/vnd.oasis.opendocument.text"),
    )),
    responses(
        (status = 200, body = DraftText),
        (status = 401, body = ApiError),
        (status = 403, body = ApiError),
        (status = 404, body = ApiError),
        (status = 409, body = ApiError, description = "Archived"),
        (status = 413, body = ApiError, description = "Larger than 10 MB, or unpacks to more than 64 MB"),
        (status = 415, body = ApiError, description = "Not a kind of document Concord reads, or not the kind it says"),
        (status = 422, body = ApiError, description = "A damaged document, or one with no text"),
    ))]
async fn preview_text(
    Convening { .. }: Convening,
    ApiDocument(format, bytes): ApiDocument,
) -> Result<ApiJson<DraftText>, AppError> {
    // Reading a large document is work for a blocking thread, not for the server's own.
    let blocks = tokio::task::spawn_blocking(move || document::read(format, &bytes))
        .await
        .map_err(|e| AppError::Internal(e.into()))??;
    Ok(ApiJson(shared::draft::split(&blocks)))
}

/// The consultation `slug` as the API shows it.
pub(super) async fn answer(
    state: &AppState,
    slug: &str,
) -> Result<ApiJson<Consultation>, AppError> {
    state
        .store
        .consultation(slug)
        .await?
        .map(ApiJson)
        .ok_or(Refusal::NotFound("consultation").into())
}

/// Lists every consultation with its current round.
#[utoipa::path(get, path = "/api/v1/consultations", tag = "consultations",
    responses((status = 200, body = Vec<ConsultationSummary>)))]
async fn list_consultations(
    State(state): State<AppState>,
) -> Result<ApiJson<Vec<ConsultationSummary>>, AppError> {
    Ok(ApiJson(state.store.list_consultations().await?))
}

/// Shows one consultation with its rounds, newest first.
#[utoipa::path(get, path = "/api/v1/consultations/{slug}", tag = "consultations",
    params(ConsultationParams),
    responses((status = 200, body = Consultation), (status = 404, body = ApiError)))]
async fn get_consultation(
    State(state): State<AppState>,
    ApiPath(slug): ApiPath<String>,
) -> Result<ApiJson<Consultation>, AppError> {
    answer(&state, &slug).await
}
