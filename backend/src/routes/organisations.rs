//! Organisations and their stakeholder groups: listed publicly, created by administrators.

use crate::auth::{Admin, SignedIn};
use crate::error::AppError;
use crate::extract::{ApiJson, ApiPath};
use crate::state::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use shared::{ApiError, Membership, MembershipRequest, NewOrganisation, Organisation};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_organisations, create_organisation))
        .routes(routes!(request_membership))
        .routes(routes!(list_membership_requests))
        .routes(routes!(accept_membership))
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

/// Asks to join an organisation; an administrator accepts. Asking again changes nothing.
#[utoipa::path(post, path = "/api/v1/organisations/{slug}/membership", tag = "organisations",
    params(("slug" = String, Path, description = "The organisation's slug")),
    responses(
        (status = 200, body = Membership),
        (status = 401, body = ApiError),
        (status = 404, body = ApiError),
    ))]
async fn request_membership(
    State(state): State<AppState>,
    SignedIn(account): SignedIn,
    ApiPath(slug): ApiPath<String>,
) -> Result<ApiJson<Membership>, AppError> {
    let membership = state
        .store
        .request_membership(account.id, &slug)
        .await?
        .ok_or(AppError::NotFound("organisation"))?;
    tracing::info!(event = "membership_requested", account = account.id, %slug, "asked to join");
    Ok(ApiJson(membership))
}

/// Lists the requests to join that wait for an administrator.
#[utoipa::path(get, path = "/api/v1/membership-requests", tag = "organisations",
    responses(
        (status = 200, body = Vec<MembershipRequest>),
        (status = 401, body = ApiError),
        (status = 403, body = ApiError),
    ))]
async fn list_membership_requests(
    State(state): State<AppState>,
    _admin: Admin,
) -> Result<ApiJson<Vec<MembershipRequest>>, AppError> {
    Ok(ApiJson(state.store.membership_requests().await?))
}

/// Accepts a participant's request to join an organisation.
#[utoipa::path(put, path = "/api/v1/organisations/{slug}/members/{handle}", tag = "organisations",
    params(
        ("slug" = String, Path, description = "The organisation's slug"),
        ("handle" = String, Path, description = "The participant's handle"),
    ),
    responses(
        (status = 204, description = "Accepted"),
        (status = 401, body = ApiError),
        (status = 403, body = ApiError),
        (status = 404, body = ApiError, description = "No such request"),
    ))]
async fn accept_membership(
    State(state): State<AppState>,
    Admin(admin): Admin,
    ApiPath((slug, handle)): ApiPath<(String, String)>,
) -> Result<StatusCode, AppError> {
    if !state.store.accept_membership(&slug, &handle).await? {
        return Err(AppError::NotFound("request to join"));
    }
    tracing::info!(event = "membership_accepted", by = admin.id, %slug, "request to join accepted");
    Ok(StatusCode::NO_CONTENT)
}
