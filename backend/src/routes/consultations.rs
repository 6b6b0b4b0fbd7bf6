//! Consultations and their rounds.

use crate::error::AppError;
use crate::extract::{ApiJson, ApiPath};
use crate::state::AppState;
use axum::extract::State;
use shared::{ApiError, Consultation, ConsultationSummary, Round};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_consultations))
        .routes(routes!(get_consultation))
        .routes(routes!(get_round))
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
    params(("slug" = String, Path, description = "The consultation's slug")),
    responses((status = 200, body = Consultation), (status = 404, body = ApiError)))]
async fn get_consultation(
    State(state): State<AppState>,
    ApiPath(slug): ApiPath<String>,
) -> Result<ApiJson<Consultation>, AppError> {
    state
        .store
        .consultation(&slug)
        .await?
        .map(ApiJson)
        .ok_or(AppError::NotFound("consultation"))
}

/// Shows one round: its phase and its clauses with their tallies.
#[utoipa::path(get, path = "/api/v1/consultations/{slug}/rounds/{round}", tag = "consultations",
    params(
        ("slug" = String, Path, description = "The consultation's slug"),
        ("round" = String, Path, description = "The round's slug, e.g. 2019"),
    ),
    responses((status = 200, body = Round), (status = 404, body = ApiError)))]
async fn get_round(
    State(state): State<AppState>,
    ApiPath((slug, round)): ApiPath<(String, String)>,
) -> Result<ApiJson<Round>, AppError> {
    state
        .store
        .round(&slug, &round)
        .await?
        .map(ApiJson)
        .ok_or(AppError::NotFound("round"))
}
