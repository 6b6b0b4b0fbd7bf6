//! Invitation links: what conveners issue (for a stakeholder group, perhaps an organisation,
//! valid for some days) and revoke, and what their holders see and accept. A link carries a
//! random token; the store keeps only its digest.

use super::accounts;
use crate::refusal::Refusal;
use crate::state::AppState;
use crate::store::{Account, ConsultationRef, InvitationDraft, StoreError, ms, now_ms};
use shared::{
    FieldError, Invitation, InvitationPreview, InvitationStatus, IssuedInvitation, NewInvitation,
    Participation,
};
use std::time::Duration;

/// What the holder of `token` is invited to.
pub async fn preview(state: &AppState, token: &str) -> Result<InvitationPreview, StoreError> {
    state
        .store
        .invitation_preview(&accounts::token_digest(token))
        .await?
        .ok_or(Refusal::NotFound("invitation").into())
}

/// Accepts the invitation of `token` as `account`; answers how it now takes part.
pub async fn accept(
    state: &AppState,
    account: &Account,
    token: &str,
) -> Result<Participation, StoreError> {
    let participation = state
        .store
        .accept_invitation(&accounts::token_digest(token), account.id)
        .await?;
    tracing::info!(event = "invitation_accepted", account = account.id,
        slug = %participation.consultation_slug, "invitation accepted");
    Ok(participation)
}

/// Issues an invitation to `consultation`, by convener `account`; answers it with its token,
/// shown this once.
pub async fn issue(
    state: &AppState,
    account: &Account,
    consultation: &ConsultationRef,
    new: &NewInvitation,
) -> Result<IssuedInvitation, StoreError> {
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
    let (token, token_hash) = accounts::new_token();
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
    Ok(IssuedInvitation { invitation, token })
}

/// Revokes invitation `id` of `consultation`, by convener `account`, unless it was accepted.
pub async fn revoke(
    state: &AppState,
    account: &Account,
    consultation: &ConsultationRef,
    id: &str,
) -> Result<Invitation, StoreError> {
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
    Ok(invitation)
}
