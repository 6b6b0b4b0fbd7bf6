//! Two-factor sign-in: turning it on (the password again, then a code from the authenticator
//! app, which answers the recovery codes) and off (the password again). Either ends the
//! account's other sessions. Passkeys, the other second factor, are `domain::passkeys`.

use super::accounts::require_password;
use crate::refusal::Refusal;
use crate::state::AppState;
use crate::store::{Account, StoreError};
use crate::two_factor;
use shared::{FieldError, RecoveryCodes, TotpSetup};

/// Starts turning on two-factor sign-in for `account`, its password given again from
/// `address`: the secret for the authenticator app.
pub async fn begin(
    state: &AppState,
    account: &Account,
    address: &str,
    password: String,
) -> Result<TotpSetup, StoreError> {
    require_password(state, account, address, password, "password").await?;
    if state.store.totp_enabled(account.id).await? {
        return Err(Refusal::TwoFactorAlreadyOn.into());
    }
    let secret = two_factor::new_secret();
    let totp = two_factor::totp(&secret, &account.handle)?;
    let (otpauth_uri, qr_svg) = two_factor::enrolment(&totp)?;
    state.store.begin_totp(account.id, &secret).await?;
    Ok(TotpSetup {
        secret_base32: secret,
        otpauth_uri,
        qr_svg,
    })
}

/// Turns two-factor sign-in on with a first `code` from the app, keeping session `current`;
/// answers the recovery codes, shown this once.
pub async fn confirm(
    state: &AppState,
    account: &Account,
    current: Option<&str>,
    code: &str,
) -> Result<RecoveryCodes, StoreError> {
    let Some(stored) = state.store.totp_secret(account.id).await? else {
        return Err(Refusal::TwoFactorNotStarted.into());
    };
    if stored.confirmed_at_ms.is_some() {
        return Err(Refusal::TwoFactorAlreadyOn.into());
    }
    let totp = two_factor::totp(&stored.secret_base32, &account.handle)?;
    let Some(step) = two_factor::matching_step_now(&totp, code) else {
        return Err(Refusal::Validation(vec![FieldError::new(
            "code",
            "wrong",
            "This code is wrong. Check the time on your device and type the code the app shows now.",
        )]).into());
    };
    let (codes, digests) = two_factor::new_recovery_codes();
    state
        .store
        .confirm_totp(account.id, step, &digests, current.unwrap_or_default())
        .await?;
    tracing::info!(
        event = "two_factor_enabled",
        account = account.id,
        "two-factor sign-in on"
    );
    Ok(RecoveryCodes { codes })
}

/// Turns the authenticator app off, the password given again from `address`, keeping session
/// `current`. With no passkey left, two-factor sign-in is off; an administrator keeps a factor.
pub async fn disable(
    state: &AppState,
    account: &Account,
    address: &str,
    current: Option<&str>,
    password: String,
) -> Result<(), StoreError> {
    require_password(state, account, address, password, "password").await?;
    state
        .store
        .disable_totp(account.id, account.is_admin(), current.unwrap_or_default())
        .await?;
    tracing::info!(
        event = "two_factor_disabled",
        account = account.id,
        "two-factor sign-in off"
    );
    Ok(())
}
