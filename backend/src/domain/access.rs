//! Who may see and do what in a consultation: take part in it, see the counts of a round whose
//! results are hidden, change anything at all once it is archived.

use crate::record::Visibility;
use crate::refusal::Refusal;
use crate::state::AppState;
use crate::store::{Account, ClauseRow, ConsultationRef, RoundRow, StoreError};
use shared::{ConsultationAccess, Phase};

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

/// Refuses an administrator or convener who has not turned on two-factor sign-in.
pub async fn require_two_factor(state: &AppState, account: &Account) -> Result<(), StoreError> {
    if state.store.two_factor_enabled(account.id).await? {
        Ok(())
    } else {
        Err(Refusal::TwoFactorRequired.into())
    }
}

/// Whether `account` may look after organisations (with two factors on).
pub fn is_steward(account: &Account) -> bool {
    account.is_admin()
}

/// Whether `account` acts as a steward now: an administrator with two factors.
pub async fn acts_as_steward(state: &AppState, account: &Account) -> Result<bool, StoreError> {
    Ok(is_steward(account) && state.store.two_factor_enabled(account.id).await?)
}

/// Refuses unless `account` convenes this consultation (administrators convene them all) and has
/// two-factor sign-in on; and, when the consultation asks it, unless its session (the digest
/// `session`) was signed in with a passkey.
pub async fn require_convener(
    state: &AppState,
    (account, session): (&Account, Option<&str>),
    consultation: &ConsultationRef,
) -> Result<(), StoreError> {
    if !account.is_admin() && !state.store.is_convener(account.id, consultation.id).await? {
        return Err(Refusal::Forbidden("Only this consultation's conveners may do this.").into());
    }
    require_two_factor(state, account).await?;
    if consultation.conveners_need_passkey {
        require_passkey_session(state, session).await?;
    }
    Ok(())
}

/// Refuses unless the session with token digest `session` was signed in with a passkey.
pub async fn require_passkey_session(
    state: &AppState,
    session: Option<&str>,
) -> Result<(), StoreError> {
    let with = match session {
        Some(session) => state.store.signed_in_with(session).await?,
        None => None,
    };
    if with.as_deref() == Some(crate::domain::session::SignedInWith::Passkey.as_str()) {
        Ok(())
    } else {
        Err(Refusal::PasskeyRequired.into())
    }
}

/// Whether the session with token digest `session` still belongs to `account_id` and it still
/// convenes `consultation` (or administers, with two factors): what a stream opened for
/// conveners checks before each event, so it ends with the session or the role.
pub async fn still_convening(
    state: &AppState,
    session: &str,
    account_id: i64,
    consultation: &ConsultationRef,
) -> bool {
    match state.store.session_account(session).await {
        Ok(Some(account)) if account.id == account_id => {
            require_convener(state, (&account, Some(session)), consultation)
                .await
                .is_ok()
        }
        _ => false,
    }
}

/// Refuses to give the record of round `row` but to those who may read it: its public part
/// once the round is published, the whole record to its conveners (and that is logged).
pub async fn require_record(
    state: &AppState,
    (account, session): (Option<&Account>, Option<&str>),
    consultation: &ConsultationRef,
    row: &RoundRow,
    (visibility, file): (Visibility, &str),
) -> Result<(), StoreError> {
    match visibility {
        Visibility::Public if row.state.phase()? != Phase::Published => {
            return Err(Refusal::NotPublished.into());
        }
        Visibility::Public => {}
        Visibility::Convener => {
            let account = account.ok_or(Refusal::NotSignedIn)?;
            require_convener(state, (account, session), consultation).await?;
            tracing::info!(event = "convener_record_downloaded", by = account.id,
                slug = %consultation.slug, round = %row.slug, %file, "a convener downloaded the complete record");
        }
    }
    Ok(())
}
