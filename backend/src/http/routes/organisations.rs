//! Organisations and their stakeholder groups: listed publicly; declared by participants and
//! verified by administrators or conveners, who also name each one's representative.

use super::params::OrganisationParams;
use crate::domain;
use crate::http::auth::{OrganisationLead, SignedIn, Steward};
use crate::http::error::AppError;
use crate::http::extract::{ApiJson, ApiPath};
use crate::state::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use shared::{
    ApiError, Membership, MembershipRequest, NewOrganisation, Organisation, RepresentativeChange,
};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_organisations, create_organisation))
        .routes(routes!(request_membership))
        .routes(routes!(list_membership_requests))
        .routes(routes!(accept_membership))
        .routes(routes!(verify_organisation))
        .routes(routes!(set_representative))
}

/// Lists every organisation with its stakeholder group, region and whether it is verified.
#[utoipa::path(get, path = "/api/v1/organisations", tag = "organisations",
    responses((status = 200, body = Vec<Organisation>)))]
async fn list_organisations(
    State(state): State<AppState>,
) -> Result<ApiJson<Vec<Organisation>>, AppError> {
    Ok(ApiJson(state.store.organisations().await?))
}

/// Adds an organisation. Added by an administrator (with two-factor sign-in) it is verified;
/// declared by anyone else, conveners included, it is self-declared, with them as its first member, until one verifies it. A
/// name that looks like an existing organisation's on screen is accepted, with `looks_like`
/// naming that organisation, so that whoever verifies it checks which is which.
#[utoipa::path(post, path = "/api/v1/organisations", tag = "organisations",
    request_body = NewOrganisation,
    responses(
        (status = 201, body = Organisation),
        (status = 401, body = ApiError),
        (status = 409, body = ApiError, description = "An organisation with this name exists"),
        (status = 422, body = ApiError, description = "Name or region missing or too long"),
    ))]
async fn create_organisation(
    State(state): State<AppState>,
    SignedIn(account): SignedIn,
    ApiJson(new): ApiJson<NewOrganisation>,
) -> Result<(StatusCode, ApiJson<Organisation>), AppError> {
    let organisation = domain::organisations::create(&state, &account, &new).await?;
    Ok((StatusCode::CREATED, ApiJson(organisation)))
}

/// Asks to join an organisation; an administrator accepts. Asking again changes nothing.
#[utoipa::path(post, path = "/api/v1/organisations/{slug}/membership", tag = "organisations",
    params(OrganisationParams),
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
    let membership = domain::organisations::ask_to_join(&state, &account, &slug).await?;
    Ok(ApiJson(membership))
}

/// Lists the requests to join that the caller may accept: every one for administrators, those of
/// the organisations they represent for others. Conveners look after a consultation, not the
/// organisations every consultation shares.
#[utoipa::path(get, path = "/api/v1/membership-requests", tag = "organisations",
    responses(
        (status = 200, body = Vec<MembershipRequest>),
        (status = 401, body = ApiError),
    ))]
async fn list_membership_requests(
    State(state): State<AppState>,
    SignedIn(account): SignedIn,
) -> Result<ApiJson<Vec<MembershipRequest>>, AppError> {
    let requests = domain::organisations::requests_to_join(&state, &account).await?;
    Ok(ApiJson(requests))
}

/// Accepts a participant's request to join an organisation (its representative, or an
/// administrator).
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
    OrganisationLead(lead): OrganisationLead,
    ApiPath((slug, handle)): ApiPath<(String, String)>,
) -> Result<StatusCode, AppError> {
    domain::organisations::accept_member(&state, &lead, &slug, &handle).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Marks a self-declared organisation as checked (administrators).
#[utoipa::path(put, path = "/api/v1/organisations/{slug}/verification", tag = "organisations",
    params(OrganisationParams),
    responses(
        (status = 204, description = "Verified"),
        (status = 401, body = ApiError),
        (status = 403, body = ApiError),
        (status = 404, body = ApiError),
    ))]
async fn verify_organisation(
    State(state): State<AppState>,
    Steward(steward): Steward,
    ApiPath(slug): ApiPath<String>,
) -> Result<StatusCode, AppError> {
    domain::organisations::verify(&state, &steward, &slug).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Names the member who casts the organisation's position when a round counts one per
/// organisation (administrators).
#[utoipa::path(put, path = "/api/v1/organisations/{slug}/representative", tag = "organisations",
    params(OrganisationParams),
    request_body = RepresentativeChange,
    responses(
        (status = 204, description = "Named"),
        (status = 401, body = ApiError),
        (status = 403, body = ApiError),
        (status = 404, body = ApiError),
        (status = 422, body = ApiError, description = "Not a member of the organisation"),
    ))]
async fn set_representative(
    State(state): State<AppState>,
    Steward(steward): Steward,
    ApiPath(slug): ApiPath<String>,
    ApiJson(change): ApiJson<RepresentativeChange>,
) -> Result<StatusCode, AppError> {
    domain::organisations::name_representative(&state, &steward, &slug, &change.handle).await?;
    Ok(StatusCode::NO_CONTENT)
}
