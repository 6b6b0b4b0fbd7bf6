//! A consultation's conveners: who they are (administrators name them), whether they open it to
//! anyone or keep it to those invited, and their inclusion dashboard.

use super::params::ConsultationParams;
use crate::domain;
use crate::http::auth::{Admin, Convening};
use crate::http::error::AppError;
use crate::http::extract::{ApiJson, ApiPath};
use crate::state::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use shared::{AccessChange, ApiError, Consultation, Convener, Dashboard};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(set_access))
        .routes(routes!(list_conveners))
        .routes(routes!(add_convener, remove_convener))
        .routes(routes!(dashboard))
}

/// The inclusion dashboard (conveners only): participants and organisations by stakeholder
/// group and region, each group's way from invitation to positions, and participation per phase
/// of the newest round — so that a group missing early can be reached while there is time.
#[utoipa::path(get, path = "/api/v1/consultations/{slug}/dashboard", tag = "convening",
    params(ConsultationParams),
    responses(
        (status = 200, body = Dashboard),
        (status = 401, body = ApiError),
        (status = 403, body = ApiError),
        (status = 404, body = ApiError),
    ))]
async fn dashboard(
    State(state): State<AppState>,
    Convening { consultation, .. }: Convening,
) -> Result<ApiJson<Dashboard>, AppError> {
    Ok(ApiJson(state.store.dashboard(consultation.id).await?))
}

/// Opens the consultation to anyone signed in, or keeps it to those invited (conveners only).
#[utoipa::path(put, path = "/api/v1/consultations/{slug}/access", tag = "convening",
    params(ConsultationParams),
    request_body = AccessChange,
    responses(
        (status = 200, body = Consultation),
        (status = 401, body = ApiError),
        (status = 403, body = ApiError, description = "Not a convener, or without two-factor sign-in"),
        (status = 404, body = ApiError),
        (status = 422, body = ApiError, description = "Unknown access"),
    ))]
async fn set_access(
    State(state): State<AppState>,
    Convening {
        account,
        consultation,
    }: Convening,
    ApiJson(change): ApiJson<AccessChange>,
) -> Result<ApiJson<Consultation>, AppError> {
    domain::conveners::set_access(&state, &account, &consultation, change.access).await?;
    super::consultations::answer(&state, &consultation.slug).await
}

/// Lists the consultation's conveners (conveners only).
#[utoipa::path(get, path = "/api/v1/consultations/{slug}/conveners", tag = "convening",
    params(ConsultationParams),
    responses(
        (status = 200, body = Vec<Convener>),
        (status = 401, body = ApiError),
        (status = 403, body = ApiError),
        (status = 404, body = ApiError),
    ))]
async fn list_conveners(
    State(state): State<AppState>,
    Convening { consultation, .. }: Convening,
) -> Result<ApiJson<Vec<Convener>>, AppError> {
    Ok(ApiJson(state.store.conveners(consultation.id).await?))
}

/// Makes an account a convener of the consultation (administrators only). They must turn on
/// two-factor sign-in before they can act as convener.
#[utoipa::path(put, path = "/api/v1/consultations/{slug}/conveners/{handle}", tag = "convening",
    params(
        ("slug" = String, Path, description = "The consultation's slug"),
        ("handle" = String, Path, description = "The account's handle"),
    ),
    responses(
        (status = 204, description = "Is a convener"),
        (status = 401, body = ApiError),
        (status = 403, body = ApiError),
        (status = 404, body = ApiError, description = "No such consultation or account"),
    ))]
async fn add_convener(
    State(state): State<AppState>,
    Admin(admin): Admin,
    ApiPath((slug, handle)): ApiPath<(String, String)>,
) -> Result<StatusCode, AppError> {
    domain::conveners::set(&state, &admin, (&slug, &handle), true).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Stops an account convening the consultation (administrators only).
#[utoipa::path(delete, path = "/api/v1/consultations/{slug}/conveners/{handle}", tag = "convening",
    params(
        ("slug" = String, Path, description = "The consultation's slug"),
        ("handle" = String, Path, description = "The convener's handle"),
    ),
    responses(
        (status = 204, description = "No longer a convener"),
        (status = 401, body = ApiError),
        (status = 403, body = ApiError),
        (status = 404, body = ApiError, description = "No such consultation or convener"),
    ))]
async fn remove_convener(
    State(state): State<AppState>,
    Admin(admin): Admin,
    ApiPath((slug, handle)): ApiPath<(String, String)>,
) -> Result<StatusCode, AppError> {
    domain::conveners::set(&state, &admin, (&slug, &handle), false).await?;
    Ok(StatusCode::NO_CONTENT)
}
