//! Invitation links: issued, listed and revoked by conveners, and seen and accepted by their
//! holders. The token travels in the request body, never in an address, so that no log or
//! `Referer` header carries it.

use super::params::ConsultationParams;
use crate::domain;
use crate::http::auth::Convening;
use crate::http::auth::SignedIn;
use crate::http::error::AppError;
use crate::http::extract::ApiJson;
use crate::http::extract::ApiPath;
use crate::state::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use shared::{ApiError, InvitationPreview, InvitationToken, Participation};
use shared::{Invitation, IssuedInvitation, NewInvitation};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_invitations, create_invitation))
        .routes(routes!(revoke_invitation))
        .routes(routes!(preview_invitation))
        .routes(routes!(accept_invitation))
}

/// Shows what an invitation offers and whether it can still be accepted (no account needed).
#[utoipa::path(post, path = "/api/v1/invitations/preview", tag = "invitations",
    request_body = InvitationToken,
    responses(
        (status = 200, body = InvitationPreview),
        (status = 404, body = ApiError, description = "No invitation has this token"),
    ))]
async fn preview_invitation(
    State(state): State<AppState>,
    ApiJson(token): ApiJson<InvitationToken>,
) -> Result<ApiJson<InvitationPreview>, AppError> {
    let preview = domain::invitations::preview(&state, &token.token).await?;
    Ok(ApiJson(preview))
}

/// Accepts an invitation: the account takes part in the consultation in the invitation's
/// stakeholder group (and joins its organisation, if it names one). Single use; accepting again
/// with the same account changes nothing.
#[utoipa::path(post, path = "/api/v1/invitations/accept", tag = "invitations",
    request_body = InvitationToken,
    responses(
        (status = 200, body = Participation),
        (status = 401, body = ApiError),
        (status = 404, body = ApiError, description = "No invitation has this token"),
        (status = 409, body = ApiError, description = "Used by somebody else, expired or revoked"),
    ))]
async fn accept_invitation(
    State(state): State<AppState>,
    SignedIn(account): SignedIn,
    ApiJson(token): ApiJson<InvitationToken>,
) -> Result<ApiJson<Participation>, AppError> {
    let participation = domain::invitations::accept(&state, &account, &token.token).await?;
    Ok(ApiJson(participation))
}

/// Lists the consultation's invitations, newest first, each with its status (conveners only).
#[utoipa::path(get, path = "/api/v1/consultations/{slug}/invitations", tag = "convening",
    params(ConsultationParams),
    responses(
        (status = 200, body = Vec<Invitation>),
        (status = 401, body = ApiError),
        (status = 403, body = ApiError),
        (status = 404, body = ApiError),
    ))]
async fn list_invitations(
    State(state): State<AppState>,
    Convening { consultation, .. }: Convening,
) -> Result<ApiJson<Vec<Invitation>>, AppError> {
    Ok(ApiJson(state.store.invitations(consultation.id).await?))
}

/// Issues a single-use invitation link for a person or on behalf of an organisation, with the
/// stakeholder group its holder will take part in (conveners only). The token is in the answer
/// this once; only its digest is kept.
#[utoipa::path(post, path = "/api/v1/consultations/{slug}/invitations", tag = "convening",
    params(ConsultationParams),
    request_body = NewInvitation,
    responses(
        (status = 201, body = IssuedInvitation),
        (status = 401, body = ApiError),
        (status = 403, body = ApiError),
        (status = 404, body = ApiError),
        (status = 422, body = ApiError, description = "Unknown organisation, a group not taking part, validity out of range, note too long"),
    ))]
async fn create_invitation(
    State(state): State<AppState>,
    Convening {
        account,
        consultation,
    }: Convening,
    ApiJson(new): ApiJson<NewInvitation>,
) -> Result<(StatusCode, ApiJson<IssuedInvitation>), AppError> {
    let issued = domain::invitations::issue(&state, &account, &consultation, &new).await?;
    Ok((StatusCode::CREATED, ApiJson(issued)))
}

/// Revokes an invitation that has not been used (conveners only); revoking twice is harmless.
#[utoipa::path(delete, path = "/api/v1/consultations/{slug}/invitations/{id}", tag = "convening",
    params(
        ("slug" = String, Path, description = "The consultation's slug"),
        ("id" = i64, Path, description = "The invitation's id"),
    ),
    responses(
        (status = 200, body = Invitation, description = "The invitation, now revoked"),
        (status = 401, body = ApiError),
        (status = 403, body = ApiError),
        (status = 404, body = ApiError),
        (status = 409, body = ApiError, description = "Accepted already"),
    ))]
async fn revoke_invitation(
    State(state): State<AppState>,
    Convening {
        account,
        consultation,
    }: Convening,
    ApiPath((_slug, id)): ApiPath<(String, String)>,
) -> Result<ApiJson<Invitation>, AppError> {
    let invitation = domain::invitations::revoke(&state, &account, &consultation, &id).await?;
    Ok(ApiJson(invitation))
}
