//! Organisations and their stakeholder groups: listed publicly, created by administrators.

use crate::auth::Admin;
use crate::error::AppError;
use crate::extract::ApiJson;
use crate::state::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use shared::{ApiError, NewOrganisation, Organisation};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(list_organisations, create_organisation))
}

/// Lists every organisation with its stakeholder group, region and whether it is verified.
#[utoipa::path(get, path = "/api/v1/organisations", tag = "organisations",
    responses((status = 200, body = Vec<Organisation>)))]
async fn list_organisations(
    State(state): State<AppState>,
) -> Result<ApiJson<Vec<Organisation>>, AppError> {
    Ok(ApiJson(state.store.organisations().await?))
}

/// Creates a verified organisation (administrators with two-factor sign-in only).
#[utoipa::path(post, path = "/api/v1/organisations", tag = "organisations",
    request_body = NewOrganisation,
    responses(
        (status = 201, body = Organisation),
        (status = 401, body = ApiError),
        (status = 403, body = ApiError, description = "Not an administrator, or without two-factor sign-in"),
        (status = 409, body = ApiError, description = "An organisation with this name exists"),
        (status = 422, body = ApiError, description = "Name or region missing or too long"),
    ))]
async fn create_organisation(
    State(state): State<AppState>,
    Admin(admin): Admin,
    ApiJson(new): ApiJson<NewOrganisation>,
) -> Result<(StatusCode, ApiJson<Organisation>), AppError> {
    let (name, region, slug) = new.check().map_err(AppError::Validation)?;
    let organisation = Organisation {
        slug,
        name,
        stakeholder_group: new.stakeholder_group,
        region,
        verified: true,
    };
    state.store.create_organisation(&organisation).await?;
    tracing::info!(event = "organisation_created", by = admin.id, slug = %organisation.slug, "organisation created");
    Ok((StatusCode::CREATED, ApiJson(organisation)))
}
