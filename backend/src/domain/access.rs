//! Who may see and do what in a consultation: take part in it, see the counts of a round whose
//! results are hidden, change anything at all once it is archived.

use crate::refusal::Refusal;
use crate::state::AppState;
use crate::store::{Account, ClauseRow, ConsultationRef, StoreError};
use shared::ConsultationAccess;

/// Whether the caller sees the counts of a round: everybody, unless the round hides them until
/// it closes; then only its conveners and administrators acting with two factors, and each such
/// look is logged.
pub async fn sees_results(
    state: &AppState,
    account: Option<&Account>,
    consultation: &ConsultationRef,
    round: &str,
    hidden: bool,
) -> Result<bool, StoreError> {
    if !hidden {
        return Ok(true);
    }
    let Some(account) = account else {
        return Ok(false);
    };
    let convenes =
        account.is_admin() || state.store.is_convener(account.id, consultation.id).await?;
    if !convenes || !state.store.two_factor_enabled(account.id).await? {
        return Ok(false);
    }
    tracing::info!(event = "hidden_results_viewed", by = account.id, slug = %consultation.slug,
        %round, "a convener looked at results hidden from participants");
    Ok(true)
}

/// Refuses any change to an archived consultation: it stays readable, nothing in it changes.
pub fn require_changeable(consultation: &ConsultationRef) -> Result<(), StoreError> {
    if consultation.archived {
        Err(Refusal::Archived.into())
    } else {
        Ok(())
    }
}

/// Whether `account` may comment and take positions in the consultation: anyone signed in when
/// it is open; otherwise those who accepted an invitation, and its conveners and administrators
/// acting with two-factor sign-in.
pub async fn may_take_part(
    state: &AppState,
    account: &Account,
    consultation: &ConsultationRef,
) -> Result<bool, StoreError> {
    if consultation.access == ConsultationAccess::Open
        || state.store.takes_part(account.id, consultation.id).await?
    {
        return Ok(true);
    }
    // Roles act only with their second factor on; without it they are like anyone uninvited.
    let steward =
        account.is_admin() || state.store.is_convener(account.id, consultation.id).await?;
    Ok(steward && state.store.two_factor_enabled(account.id).await?)
}

/// Refuses a participant who may not take part in the clause's consultation, and everyone once
/// it is archived.
pub async fn require_taking_part(
    state: &AppState,
    account: &Account,
    row: &ClauseRow,
) -> Result<(), StoreError> {
    let consultation = row.consultation()?;
    require_changeable(&consultation)?;
    if may_take_part(state, account, &consultation).await? {
        Ok(())
    } else {
        Err(Refusal::NotInvited.into())
    }
}
