//! What a consultation's conveners do: open it to anyone or keep it to those invited, issue and
//! revoke invitation links; and what administrators do: name the conveners.

use super::params::ConsultationParams;
use crate::auth::{self, Admin, Convening};
use crate::http::error::AppError;
use crate::http::extract::{ApiJson, ApiPath};
use crate::refusal::Refusal;
use crate::state::AppState;
use crate::store::{InvitationDraft, ms, now_ms};
use axum::extract::State;
use axum::http::StatusCode;
use shared::{
    AccessChange, ApiError, Consultation, Convener, Dashboard, FieldError, Invitation,
    InvitationStatus, IssuedInvitation, NewInvitation,
};
use std::time::Duration;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(set_access))
        .routes(routes!(list_conveners))
        .routes(routes!(add_convener, remove_convener))
        .routes(routes!(list_invitations, create_invitation))
        .routes(routes!(revoke_invitation))
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
    state
        .store
        .set_access(consultation.id, change.access, account.id)
        .await?;
    tracing::info!(event = "access_changed", by = account.id, slug = %consultation.slug,
        access = change.access.as_str(), "consultation access changed");
    state
        .store
        .consultation(&consultation.slug)
        .await?
        .map(ApiJson)
        .ok_or(Refusal::NotFound("consultation").into())
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
    let consultation = state.store.existing_consultation(&slug).await?;
    crate::domain::access::require_changeable(&consultation)?;
    if !state
        .store
        .add_convener(consultation.id, &handle, admin.id)
        .await?
    {
        return Err(Refusal::NotFound("account").into());
    }
    tracing::info!(event = "role_changed", role = "convener", granted = true, by = admin.id,
        %slug, "convener named");
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
    let consultation = state.store.existing_consultation(&slug).await?;
    crate::domain::access::require_changeable(&consultation)?;
    if !state
        .store
        .remove_convener(consultation.id, &handle, admin.id)
        .await?
    {
        return Err(Refusal::NotFound("convener").into());
    }
    tracing::info!(event = "role_changed", role = "convener", granted = false, by = admin.id,
        %slug, "convener removed");
    Ok(StatusCode::NO_CONTENT)
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
    let mut broken = Vec::new();
    let note = new.check().unwrap_or_else(|fields| {
        broken.extend(fields);
        String::new()
    });
    let setup = state.store.setup_of(consultation.id).await?;
    broken.extend(
        shared::setup::check_taking_part(&setup.stakeholder_groups, new.stakeholder_group).err(),
    );
    let organisation_id = match &new.organisation {
        None => None,
        Some(slug) => {
            let id = state.store.organisation_id(slug).await?;
            if id.is_none() {
                broken.push(FieldError::new(
                    "organisation",
                    "unknown",
                    "There is no such organisation. Choose one from the list.",
                ));
            }
            id
        }
    };
    if !broken.is_empty() {
        return Err(Refusal::Validation(broken).into());
    }
    let (token, token_hash) = auth::new_token();
    let days = u64::try_from(new.valid_days).unwrap_or(1);
    let invitation = state
        .store
        .create_invitation(&InvitationDraft {
            consultation_id: consultation.id,
            token_hash: &token_hash,
            organisation_id,
            stakeholder_group: new.stakeholder_group,
            note: &note,
            created_by: account.id,
            expires_at_ms: now_ms() + ms(Duration::from_secs(days * 24 * 3600)),
        })
        .await?;
    tracing::info!(event = "invitation_issued", by = account.id, slug = %consultation.slug,
        invitation = invitation.id, "invitation issued");
    Ok((
        StatusCode::CREATED,
        ApiJson(IssuedInvitation { invitation, token }),
    ))
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
    let id: i64 = id.parse().map_err(|_| Refusal::NotFound("invitation"))?;
    let invitation = state
        .store
        .revoke_invitation(consultation.id, id, account.id)
        .await?
        .ok_or(Refusal::NotFound("invitation"))?;
    if invitation.status == InvitationStatus::Accepted {
        return Err(Refusal::InvitationUsed.into());
    }
    tracing::info!(event = "invitation_revoked", by = account.id, slug = %consultation.slug,
        invitation = id, "invitation revoked");
    Ok(ApiJson(invitation))
}
