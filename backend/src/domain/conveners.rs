//! Who convenes a consultation (named and removed by administrators), and the one setting its
//! conveners change themselves: whether it is open to all or by invitation only.

use super::access;
use crate::refusal::Refusal;
use crate::state::AppState;
use crate::store::{Account, ConsultationRef, StoreError};
use shared::ConsultationAccess;

/// Opens `consultation` to all, or makes it by invitation only, by convener `account`.
pub async fn set_access(
    state: &AppState,
    account: &Account,
    consultation: &ConsultationRef,
    access: ConsultationAccess,
) -> Result<(), StoreError> {
    state
        .store
        .set_access(consultation.id, access, account.id)
        .await?;
    tracing::info!(event = "access_changed", by = account.id, slug = %consultation.slug,
        access = access.as_str(), "consultation access changed");
    Ok(())
}

/// Makes the conveners of `consultation` sign in with a passkey to act on it (`required`), or
/// no longer, by convener `account` on session `session` (a token digest): turning it on needs
/// that session to be signed in with a passkey, or its convener would be locked out at once.
pub async fn set_passkey_rule(
    state: &AppState,
    (account, session): (&Account, Option<&str>),
    consultation: &ConsultationRef,
    required: bool,
) -> Result<(), StoreError> {
    if required {
        access::require_passkey_session(state, session).await?;
    }
    state
        .store
        .set_passkey_rule(consultation.id, required, account.id)
        .await?;
    tracing::info!(event = "convener_passkeys_set", by = account.id, slug = %consultation.slug,
        required, "conveners' passkey rule changed");
    Ok(())
}

/// Names account `handle` a convener of consultation `slug` (`convenes`), or removes it from
/// its conveners, by administrator `admin`.
pub async fn set(
    state: &AppState,
    admin: &Account,
    (slug, handle): (&str, &str),
    convenes: bool,
) -> Result<(), StoreError> {
    let consultation = state.store.existing_consultation(slug).await?;
    access::require_changeable(&consultation)?;
    let (changed, unknown, done) = match convenes {
        true => {
            let named = state.store.add_convener(consultation.id, handle, admin.id);
            (named.await?, "account", "convener named")
        }
        false => {
            let removed = state
                .store
                .remove_convener(consultation.id, handle, admin.id);
            (removed.await?, "convener", "convener removed")
        }
    };
    if !changed {
        return Err(Refusal::NotFound(unknown).into());
    }
    tracing::info!(event = "role_changed", role = "convener", granted = convenes, by = admin.id,
        %slug, "{done}");
    Ok(())
}
