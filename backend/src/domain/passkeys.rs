//! Passkeys: adding one (the password again, then the browser's answer; the first second
//! factor also answers recovery codes), listing and removing them (the password again; an
//! administrator keeps one factor), and signing in with one — without a password, the passkey
//! naming its account, or as the second factor after a password. Adding or removing ends the
//! account's other sessions and enters the audit log, which the account sees as its security
//! events.

use super::accounts::{self, require_password};
use super::session::{self, SignedInWith, Started};
use crate::passkeys::{CEREMONY_LIFETIME, RelyingParty, credential_key};
use crate::refusal::{PasskeyProblem, Refusal};
use crate::state::AppState;
use crate::store::passkeys::{Ceremony, NewPasskey, Purpose, StoredPasskey};
use crate::store::{Account, StoreError, ms, now_ms};
use crate::two_factor;
use shared::{PasskeyAdded, PasskeyAnswer, PasskeyChallenge, PasskeyInfo, SecurityEvent};
use webauthn_rs::prelude::{AuthenticationResult, Passkey, Uuid};

/// Security events shown to the account.
const EVENTS_SHOWN: i64 = 50;

/// This server as a relying party, or a refusal when it offers no passkeys.
fn relying_party(state: &AppState) -> Result<&RelyingParty, StoreError> {
    state
        .settings
        .passkeys
        .as_deref()
        .ok_or(Refusal::PasskeysUnavailable.into())
}

/// Starts adding a passkey to `account`, its password given again from `address`.
pub async fn begin_registration(
    state: &AppState,
    account: &Account,
    address: &str,
    password: String,
) -> Result<PasskeyChallenge, StoreError> {
    let rp = relying_party(state)?;
    require_password(state, account, address, password, "password").await?;
    let user = state.store.passkey_user_id(account.id).await?;
    let user = Uuid::parse_str(&user).map_err(|e| corrupt(account.id, &e))?;
    let existing = state
        .store
        .passkeys_of(account.id)
        .await?
        .iter()
        .map(|p| passkey(p).map(|k| k.cred_id().clone()))
        .collect::<Result<_, _>>()?;
    let begun = rp.begin_registration(user, &account.handle, existing)?;
    open(state, account.id, Purpose::Register, begun).await
}

/// Adds the passkey of the browser's answer to `account`, keeping session `current`.
pub async fn finish_registration(
    state: &AppState,
    account: &Account,
    current: Option<&str>,
    new: shared::NewPasskey,
) -> Result<PasskeyAdded, StoreError> {
    let rp = relying_party(state)?;
    let name =
        shared::rules::check_passkey_name(&new.name).map_err(|e| Refusal::Validation(vec![e]))?;
    let ceremony = take(state, &new.ceremony, Purpose::Register, account.id).await?;
    let passkey = rp.finish_registration(new.credential, &ceremony.state)?;
    let first = !state.store.two_factor_enabled(account.id).await?;
    let (codes, digests) = if first {
        two_factor::new_recovery_codes()
    } else {
        (Vec::new(), Vec::new())
    };
    let credential = serde_json::to_string(&passkey).map_err(|e| corrupt(account.id, &e))?;
    let id = state
        .store
        .add_passkey(
            account.id,
            NewPasskey {
                credential_id: &credential_key(passkey.cred_id()),
                name: &name,
                credential: &credential,
            },
            first.then_some(&digests[..]),
            current.unwrap_or_default(),
        )
        .await?;
    tracing::info!(
        event = "passkey_added",
        account = account.id,
        passkey = id,
        "passkey added"
    );
    Ok(PasskeyAdded {
        passkey: PasskeyInfo {
            id,
            name,
            created_at_ms: now_ms(),
            last_used_at_ms: None,
        },
        recovery_codes: codes,
    })
}

/// The account's passkeys, oldest first.
pub async fn list(state: &AppState, account: &Account) -> Result<Vec<PasskeyInfo>, StoreError> {
    Ok(state
        .store
        .passkeys_of(account.id)
        .await?
        .into_iter()
        .map(StoredPasskey::info)
        .collect())
}

/// Removes passkey `id` of `account`, its password given again from `address`, keeping session
/// `current`. An administrator's last second factor stays.
pub async fn remove(
    state: &AppState,
    account: &Account,
    (address, current): (&str, Option<&str>),
    id: i64,
    password: String,
) -> Result<(), StoreError> {
    require_password(state, account, address, password, "password").await?;
    let removed = state
        .store
        .remove_passkey(
            account.id,
            id,
            account.is_admin(),
            current.unwrap_or_default(),
        )
        .await?;
    if !removed {
        return Err(Refusal::NotFound("passkey").into());
    }
    tracing::info!(
        event = "passkey_removed",
        account = account.id,
        passkey = id,
        "passkey removed"
    );
    Ok(())
}

/// Starts a sign-in without a password: the browser offers the passkeys it holds for this site.
/// Anyone may ask, so nothing is kept: the ceremony travels sealed in its token.
pub async fn begin_sign_in(state: &AppState) -> Result<PasskeyChallenge, StoreError> {
    let begun = relying_party(state)?.begin_discoverable()?;
    Ok(PasskeyChallenge {
        ceremony: state.store.seal_sign_in(&begun.state, now_ms())?,
        options: begun.options,
    })
}

/// Signs in with the passkey of the browser's answer, whichever account it names. The token
/// must be this server's, at most five minutes old, and answered once.
pub async fn finish_sign_in(
    state: &AppState,
    answer: PasskeyAnswer,
) -> Result<Started, StoreError> {
    let rp = relying_party(state)?;
    let fresh = now_ms() - ms(CEREMONY_LIFETIME);
    let Some((_, ceremony)) = state
        .store
        .open_sign_in(&answer.ceremony)?
        .filter(|(at, _)| *at >= fresh)
    else {
        return Err(Refusal::CeremonyExpired.into());
    };
    // A token answered already is over, whatever its answer says now (a replay is not a copy).
    let token = accounts::token_digest(&answer.ceremony);
    if state.store.sign_in_answered(&token).await? {
        return Err(Refusal::CeremonyExpired.into());
    }
    let (credential, user) = RelyingParty::claimed(&answer.credential)?;
    let found = state
        .store
        .passkey_by_credential(&credential_key(credential.get_credential_id()))
        .await?;
    let Some((stored, account, account_user)) = found else {
        return Err(not_registered());
    };
    // The passkey must name the account it was registered to (WebAuthn 7.2 step 6).
    let named = user.map(|u| u.to_string());
    if named.is_none() || named != account_user {
        tracing::warn!(
            event = "passkey_user_mismatch",
            account = account.id,
            "refused"
        );
        return Err(not_registered());
    }
    let key = passkey(&stored)?;
    let result = rp.finish_authentication(&credential, &ceremony, Some(&key))?;
    if !state
        .store
        .answer_sign_in_once(&token, ms(CEREMONY_LIFETIME))
        .await?
    {
        tracing::warn!(
            event = "passkey_answer_replayed",
            account = account.id,
            "refused"
        );
        return Err(Refusal::CeremonyExpired.into());
    }
    used(state, &stored, key, &result).await?;
    session::started(state, &account, SignedInWith::Passkey).await
}

/// Starts the second factor of the sign-in waiting under `pending` with one of its account's
/// passkeys.
pub async fn begin_second_factor(
    state: &AppState,
    pending: Option<&str>,
) -> Result<PasskeyChallenge, StoreError> {
    let rp = relying_party(state)?;
    let (_, account) = session::waiting(state, pending).await?;
    let keys = state
        .store
        .passkeys_of(account.id)
        .await?
        .iter()
        .map(passkey)
        .collect::<Result<Vec<_>, _>>()?;
    if keys.is_empty() {
        return Err(Refusal::PasskeyRefused(PasskeyProblem::NoPasskey).into());
    }
    let begun = rp.begin_authentication(&keys)?;
    open(state, account.id, Purpose::SecondFactor, begun).await
}

/// Finishes the sign-in waiting under `pending` with the browser's answer.
pub async fn finish_second_factor(
    state: &AppState,
    pending: Option<&str>,
    answer: PasskeyAnswer,
) -> Result<Started, StoreError> {
    let rp = relying_party(state)?;
    let (digest, account) = session::waiting(state, pending).await?;
    let ceremony = take(state, &answer.ceremony, Purpose::SecondFactor, account.id).await?;
    let (credential, _) = RelyingParty::claimed(&answer.credential)?;
    let found = state
        .store
        .passkey_by_credential(&credential_key(credential.get_credential_id()))
        .await?;
    let Some((stored, _, _)) = found.filter(|(_, owner, _)| owner.id == account.id) else {
        return Err(not_registered());
    };
    let result = rp.finish_authentication(&credential, &ceremony.state, None)?;
    used(state, &stored, passkey(&stored)?, &result).await?;
    state.store.end_pending_sign_in(&digest).await?;
    session::started(state, &account, SignedInWith::Passkey).await
}

/// The account's latest security events, newest first.
pub async fn security_events(
    state: &AppState,
    account: &Account,
) -> Result<Vec<SecurityEvent>, StoreError> {
    Ok(state
        .store
        .security_events(account.id, EVENTS_SHOWN)
        .await?
        .into_iter()
        .map(|e| SecurityEvent {
            at_ms: e.at_ms,
            action: e.action,
        })
        .collect())
}

/// Keeps a ceremony begun, under a new token the browser sends back with its answer.
async fn open(
    state: &AppState,
    account: i64,
    purpose: Purpose,
    begun: crate::passkeys::Begun,
) -> Result<PasskeyChallenge, StoreError> {
    let (token, digest) = accounts::new_token();
    state
        .store
        .open_ceremony(
            &digest,
            account,
            purpose,
            &begun.state,
            ms(CEREMONY_LIFETIME),
        )
        .await?;
    Ok(PasskeyChallenge {
        ceremony: token,
        options: begun.options,
    })
}

/// Takes the ceremony of `token`: only once, for its own purpose and account, and within its
/// lifetime; anything else is answered as a ceremony that is over.
async fn take(
    state: &AppState,
    token: &str,
    purpose: Purpose,
    account: i64,
) -> Result<Ceremony, StoreError> {
    let ceremony = state
        .store
        .take_ceremony(&accounts::token_digest(token))
        .await?;
    let fresh = now_ms() - ms(CEREMONY_LIFETIME);
    match ceremony {
        Some(c) if c.is_for(purpose) && c.account_id == account && c.created_at_ms >= fresh => {
            Ok(c)
        }
        _ => Err(Refusal::CeremonyExpired.into()),
    }
}

/// Records a sign-in with `stored` (`key`, as the library reads it): its counter moves on, and
/// its credential is saved when the answer changed it.
async fn used(
    state: &AppState,
    stored: &StoredPasskey,
    mut key: Passkey,
    result: &AuthenticationResult,
) -> Result<(), StoreError> {
    let changed = key.update_credential(result) == Some(true);
    let credential = changed
        .then(|| serde_json::to_string(&key))
        .transpose()
        .map_err(|e| corrupt(stored.account_id, &e))?;
    state
        .store
        .passkey_used(
            stored.id,
            i64::from(result.counter()),
            credential.as_deref(),
        )
        .await
}

fn not_registered() -> StoreError {
    Refusal::PasskeyRefused(PasskeyProblem::NotRegistered).into()
}

/// A stored passkey as the library reads it.
fn passkey(stored: &StoredPasskey) -> Result<Passkey, StoreError> {
    serde_json::from_str(&stored.credential).map_err(|e| corrupt(stored.account_id, &e))
}

fn corrupt(account: i64, e: &dyn std::fmt::Display) -> StoreError {
    StoreError::Internal(anyhow::anyhow!("account {account}'s passkeys: {e}"))
}
