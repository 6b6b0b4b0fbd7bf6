//! Invitation links as their holders see them. The token travels in the request body, never in
//! an address, so that no log or `Referer` header carries it.

use crate::auth::{self, SignedIn};
use crate::http::error::AppError;
use crate::http::extract::ApiJson;
use crate::refusal::Refusal;
use crate::state::AppState;
use axum::extract::State;
use shared::{ApiError, InvitationPreview, InvitationToken, Participation};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
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
    state
        .store
        .invitation_preview(&auth::token_digest(&token.token))
        .await?
        .map(ApiJson)
        .ok_or(Refusal::NotFound("invitation").into())
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
    let participation = state
        .store
        .accept_invitation(&auth::token_digest(&token.token), account.id)
        .await?;
    tracing::info!(event = "invitation_accepted", account = account.id,
        slug = %participation.consultation_slug, "invitation accepted");
    Ok(ApiJson(participation))
}
