//! Sessions: signing up (a few a minute from one address), signing in with a password and,
//! when the account has it on, a second factor, and signing out. A session or a sign-in waiting
//! for its second factor is a random token the caller keeps (the HTTP layer puts it in a
//! cookie); the store keeps only its digest.

use super::accounts::{self, refuse_if_throttled};
use crate::hashing::{hash_password, verify_password};
use crate::refusal::{Attempts, Refusal};
use crate::state::AppState;
use crate::store::{Account, StoreError, ms, now_ms};
use crate::two_factor;
use shared::rules::{self, Handle};
use shared::{Credentials, Me};
use std::time::Duration;

/// How long a sign-in may wait for its second factor.
const PENDING_LIFETIME: Duration = Duration::from_secs(5 * 60);
/// Codes one pending sign-in may try before the password has to be given again.
const PENDING_ATTEMPTS: i64 = 5;

/// A session just started: its token, for the caller to keep, and who it is.
pub struct Started {
    pub token: String,
    pub me: Me,
}

/// Where a sign-in stands once the password was right.
pub enum SignIn {
    Started(Started),
    /// The account asks for its second factor too: the token of the sign-in waiting for it.
    SecondFactorRequired {
        pending: String,
        /// Whether the account has a passkey to use for it.
        passkey: bool,
    },
}

/// How a session was signed in, as stored with it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignedInWith {
    Password,
    Totp,
    RecoveryCode,
    Passkey,
}

impl SignedInWith {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Password => "password",
            Self::Totp => "totp",
            Self::RecoveryCode => "recovery_code",
            Self::Passkey => "passkey",
        }
    }
}

/// Starts a session for `account_id`; answers its token.
async fn start(
    state: &AppState,
    account_id: i64,
    with: SignedInWith,
) -> Result<String, StoreError> {
    let (token, digest) = accounts::new_token();
    state
        .store
        .create_session(&digest, account_id, with.as_str())
        .await?;
    Ok(token)
}

/// Starts a session for `account`, signed in `with`, and says who it is.
pub async fn started(
    state: &AppState,
    account: &Account,
    with: SignedInWith,
) -> Result<Started, StoreError> {
    let token = start(state, account.id, with).await?;
    tracing::info!(
        event = "signed_in",
        account = account.id,
        with = with.as_str(),
        "signed in"
    );
    let me = me(state, account).await?;
    Ok(Started { token, me })
}

/// What the signed-in participant sees of their account.
pub async fn me(state: &AppState, account: &Account) -> Result<Me, StoreError> {
    let totp = state.store.totp_enabled(account.id).await?;
    let passkeys = state.store.passkey_count(account.id).await?;
    Ok(Me {
        handle: account.handle.clone(),
        two_factor: totp || passkeys > 0,
        admin: account.is_admin(),
        convenes: state.store.convenes(account.id).await?,
        totp,
        passkeys: u32::try_from(passkeys).unwrap_or(u32::MAX),
    })
}

/// The account of the sign-in waiting for its second factor under token `pending` (counting
/// an attempt), with the digest of that token; 401 when none waits (or it expired).
pub async fn waiting(
    state: &AppState,
    pending: Option<&str>,
) -> Result<(String, Account), StoreError> {
    let pending = pending.map(accounts::token_digest);
    let account = match &pending {
        Some(digest) => {
            state
                .store
                .pending_sign_in(digest, ms(PENDING_LIFETIME), PENDING_ATTEMPTS)
                .await?
        }
        None => None,
    };
    match (pending, account) {
        (Some(digest), Some(account)) => Ok((digest, account)),
        _ => Err(Refusal::NotSignedIn.into()),
    }
}

/// Creates an account from `address` and signs it in.
pub async fn sign_up(
    state: &AppState,
    address: &str,
    credentials: Credentials,
) -> Result<Started, StoreError> {
    // A few a minute from one address, counted before any hashing.
    let limit = state.settings.sign_ups_per_minute;
    if limit > 0 && !state.store.count_sign_up(address, limit).await? {
        tracing::warn!(
            event = "sign_up_throttled",
            "sign-up refused: too many from one address"
        );
        return Err(Refusal::TooManyAttempts {
            retry_after_secs: 60,
            what: Attempts::SignUps,
        }
        .into());
    }
    let handle = rules::check_sign_up(&credentials).map_err(Refusal::Validation)?;
    accounts::check_not_guessable(&credentials.password, handle.as_str())
        .map_err(|e| Refusal::Validation(vec![e]))?;
    let hash = hash_password(credentials.password).await?;
    let id = state.store.create_account(handle.as_str(), &hash).await?;
    let token = start(state, id, SignedInWith::Password).await?;
    tracing::info!(event = "account_created", account = id, "account created");
    let me = Me {
        handle: handle.as_str().to_owned(),
        two_factor: false,
        admin: false,
        convenes: Vec::new(),
        totp: false,
        passkeys: 0,
    };
    Ok(Started { token, me })
}

/// Checks a handle and password from `address`; starts a session, or a sign-in waiting for the
/// second factor.
pub async fn sign_in(
    state: &AppState,
    address: &str,
    credentials: Credentials,
) -> Result<SignIn, StoreError> {
    let key = accounts::handle_key(&credentials.handle);
    refuse_if_throttled(state, &key, address).await?;
    // A handle that cannot exist still costs a hash check, so timing does not tell it apart.
    let handle = Handle::parse(&credentials.handle).ok();
    let stored = match &handle {
        Some(handle) => state.store.credentials(handle.as_str()).await?,
        None => None,
    };
    let (id, hash, role) = match stored {
        Some(s) => (Some(s.id), Some(s.password_hash), s.role),
        None => (None, None, String::new()),
    };
    let valid = verify_password(credentials.password, hash).await?;
    let (Some(id), Some(handle), true) = (id, handle, valid) else {
        accounts::record_password_failure(state, &key, address).await?;
        tracing::info!(event = "sign_in_failed", account = ?id, "sign-in failed");
        return Err(Refusal::InvalidCredentials.into());
    };
    state.store.clear_sign_in_failures(&key, address).await?;
    if state.store.two_factor_enabled(id).await? {
        let (pending, digest) = accounts::new_token();
        state.store.create_pending_sign_in(&digest, id).await?;
        tracing::info!(
            event = "second_factor_requested",
            account = id,
            "password accepted"
        );
        let passkey = state.store.passkey_count(id).await? > 0;
        return Ok(SignIn::SecondFactorRequired { pending, passkey });
    }
    let account = Account {
        id,
        handle: handle.as_str().to_owned(),
        role,
    };
    Ok(SignIn::Started(
        started(state, &account, SignedInWith::Password).await?,
    ))
}

/// Completes the sign-in waiting under token `pending` with a code from the authenticator app
/// or a recovery code.
pub async fn complete_sign_in(
    state: &AppState,
    pending: Option<&str>,
    code: &str,
) -> Result<Started, StoreError> {
    let (digest, account) = waiting(state, pending).await?;
    // Wrong codes count per account, whichever sign-in they came through.
    let (failures, last) = state.store.second_factor_failures(account.id).await?;
    if let Some(wait) = accounts::second_factor_wait(failures, last, now_ms()) {
        tracing::warn!(
            event = "second_factor_locked",
            account = account.id,
            failures,
            "second factor refused: too many wrong codes"
        );
        return Err(Refusal::TooManyAttempts {
            retry_after_secs: wait.as_secs().max(1),
            what: Attempts::Codes,
        }
        .into());
    }
    let Some(with) = second_factor_accepted(state, &account, code).await? else {
        let failures = state
            .store
            .record_second_factor_failure(account.id, accounts::SECOND_FACTOR_FREE_FAILURES)
            .await?;
        tracing::info!(
            event = "second_factor_failed",
            account = account.id,
            failures,
            "wrong code"
        );
        return Err(Refusal::Validation(vec![shared::FieldError::new(
            "code",
            "wrong",
            "This code is wrong or was used already. Check the time on your device.",
        )])
        .into());
    };
    state.store.clear_second_factor_failures(account.id).await?;
    state.store.end_pending_sign_in(&digest).await?;
    started(state, &account, with).await
}

/// What `code` is, if it is a current authenticator code of the account, not used before, or
/// one of its unused recovery codes (which it uses up).
async fn second_factor_accepted(
    state: &AppState,
    account: &Account,
    code: &str,
) -> Result<Option<SignedInWith>, StoreError> {
    let accepted = |yes: bool, with| yes.then_some(with);
    if !two_factor::is_totp_code(code) {
        let digest = two_factor::recovery_digest(code);
        let used = state.store.use_recovery_code(account.id, &digest).await?;
        return Ok(accepted(used, SignedInWith::RecoveryCode));
    }
    let Some(stored) = state.store.totp_secret(account.id).await? else {
        return Ok(None);
    };
    let totp = two_factor::totp(&stored.secret_base32, &account.handle)?;
    let fresh = match two_factor::matching_step_now(&totp, code) {
        Some(step) => state.store.accept_totp_step(account.id, step).await?,
        None => false,
    };
    Ok(accepted(fresh, SignedInWith::Totp))
}

/// Ends the session of `token`, if there is one.
pub async fn sign_out(state: &AppState, token: Option<&str>) -> Result<(), StoreError> {
    if let Some(token) = token {
        state
            .store
            .delete_session(&accounts::token_digest(token))
            .await?;
        tracing::info!(event = "signed_out", "session ended by sign-out");
    }
    Ok(())
}
