//! The signed-in account's own settings: its sessions and its password.

use crate::domain::accounts;
use crate::http::auth::{self, ClientAddress, CurrentSession, SignedIn};
use crate::http::error::AppError;
use crate::http::extract::{ApiJson, ApiPath};
use crate::refusal::Refusal;
use crate::state::AppState;
use crate::store::session_id;
use crate::two_factor;
use axum::extract::State;
use axum::http::StatusCode;
use axum::http::header;
use axum_extra::extract::CookieJar;
use shared::{
    AccountExport, ApiError, FieldError, Membership, OneTimeCode, PasswordChange,
    PasswordConfirmation, ProfileChange, RecoveryCodes, SessionInfo, TotpSetup,
};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_sessions))
        .routes(routes!(end_session))
        .routes(routes!(change_password))
        .routes(routes!(export_account))
        .routes(routes!(delete_account))
        .routes(routes!(
            begin_two_factor,
            confirm_two_factor,
            disable_two_factor
        ))
        .routes(routes!(list_memberships))
        .routes(routes!(get_profile, change_profile))
}

/// The account's sessions as its owner sees them, marking the one making the request.
async fn session_infos(
    state: &AppState,
    account_id: i64,
    current: Option<&str>,
) -> Result<Vec<SessionInfo>, AppError> {
    let sessions = state.store.sessions_of(account_id).await?;
    Ok(sessions
        .into_iter()
        .map(|s| SessionInfo {
            current: current == Some(s.token_hash.as_str()),
            id: session_id(&s.token_hash),
            created_at_ms: s.created_at_ms,
            last_seen_at_ms: s.last_seen_at_ms,
        })
        .collect())
}

/// Lists the account's signed-in sessions, most recently used first.
#[utoipa::path(get, path = "/api/v1/account/sessions", tag = "session",
    responses((status = 200, body = Vec<SessionInfo>), (status = 401, body = ApiError)))]
async fn list_sessions(
    State(state): State<AppState>,
    SignedIn(account): SignedIn,
    CurrentSession(current): CurrentSession,
) -> Result<ApiJson<Vec<SessionInfo>>, AppError> {
    Ok(ApiJson(
        session_infos(&state, account.id, current.as_deref()).await?,
    ))
}

/// Ends one of the account's sessions (signing that device out).
#[utoipa::path(delete, path = "/api/v1/account/sessions/{id}", tag = "session",
    params(("id" = String, Path, description = "The session's id from the list")),
    responses(
        (status = 204, description = "Ended"),
        (status = 401, body = ApiError),
        (status = 404, body = ApiError, description = "No such session of this account"),
    ))]
async fn end_session(
    State(state): State<AppState>,
    SignedIn(account): SignedIn,
    ApiPath(id): ApiPath<String>,
) -> Result<StatusCode, AppError> {
    if !state.store.end_session_of(account.id, &id).await? {
        return Err(Refusal::NotFound("session").into());
    }
    tracing::info!(
        event = "session_ended",
        account = account.id,
        "session ended by its owner"
    );
    Ok(StatusCode::NO_CONTENT)
}

/// Changes the password; needs the current one, and can end every other session.
#[utoipa::path(put, path = "/api/v1/account/password", tag = "session", request_body = PasswordChange,
    responses(
        (status = 204, description = "Changed"),
        (status = 401, body = ApiError),
        (status = 422, body = ApiError, description = "Wrong current password, or a weak new one"),
        (status = 429, body = ApiError, description = "Too many wrong passwords; see Retry-After"),
    ))]
async fn change_password(
    State(state): State<AppState>,
    SignedIn(account): SignedIn,
    ClientAddress(address): ClientAddress,
    CurrentSession(current): CurrentSession,
    ApiJson(change): ApiJson<PasswordChange>,
) -> Result<StatusCode, AppError> {
    change.check().map_err(Refusal::Validation)?;
    accounts::require_password(
        &state,
        &account,
        &address,
        change.current_password,
        "current_password",
    )
    .await?;
    accounts::check_not_guessable(&change.new_password, &account.handle).map_err(|mut e| {
        e.field = "new_password".to_owned();
        Refusal::Validation(vec![e])
    })?;
    let hash = auth::hash_password(change.new_password).await?;
    let keep_only = current.as_deref().filter(|_| change.end_other_sessions);
    state
        .store
        .change_password(account.id, &hash, keep_only)
        .await?;
    tracing::info!(
        event = "password_changed",
        account = account.id,
        ended_other_sessions = change.end_other_sessions,
        "password changed"
    );
    Ok(StatusCode::NO_CONTENT)
}

/// Downloads everything Concord holds about the account, as JSON.
#[utoipa::path(get, path = "/api/v1/account/export", tag = "session",
    responses((status = 200, body = AccountExport), (status = 401, body = ApiError)))]
async fn export_account(
    State(state): State<AppState>,
    SignedIn(account): SignedIn,
    CurrentSession(current): CurrentSession,
) -> Result<([(header::HeaderName, String); 1], ApiJson<AccountExport>), AppError> {
    let mut export = state.store.export(&account).await?;
    export.sessions = session_infos(&state, account.id, current.as_deref()).await?;
    tracing::info!(
        event = "account_exported",
        account = account.id,
        "personal data exported"
    );
    let disposition = format!("attachment; filename=\"concord-{}.json\"", account.handle);
    Ok((
        [(header::CONTENT_DISPOSITION, disposition)],
        ApiJson(export),
    ))
}

/// Deletes the account after checking its password: comments stay as a former participant's,
/// positions stay only in closed tallies and are no longer linked to anyone.
#[utoipa::path(delete, path = "/api/v1/account", tag = "session", request_body = PasswordConfirmation,
    responses(
        (status = 204, description = "Deleted and signed out everywhere"),
        (status = 401, body = ApiError),
        (status = 422, body = ApiError, description = "Wrong password"),
        (status = 429, body = ApiError, description = "Too many wrong passwords; see Retry-After"),
    ))]
async fn delete_account(
    State(state): State<AppState>,
    SignedIn(account): SignedIn,
    ClientAddress(address): ClientAddress,
    jar: CookieJar,
    ApiJson(deletion): ApiJson<PasswordConfirmation>,
) -> Result<(StatusCode, CookieJar), AppError> {
    accounts::require_password(&state, &account, &address, deletion.password, "password").await?;
    state.store.delete_account(account.id).await?;
    tracing::info!(
        event = "account_deleted",
        account = account.id,
        "account deleted"
    );
    let https = state.settings.https;
    Ok((
        StatusCode::NO_CONTENT,
        jar.remove(auth::cleared_cookie(https)),
    ))
}

/// Starts turning on two-factor sign-in: a new secret, its `otpauth://` address and QR code.
/// Needs the password; refused while two-factor sign-in is already on.
#[utoipa::path(post, path = "/api/v1/account/two-factor", tag = "session",
    request_body = PasswordConfirmation,
    responses(
        (status = 200, body = TotpSetup),
        (status = 401, body = ApiError),
        (status = 409, body = ApiError, description = "Two-factor sign-in is on already"),
        (status = 422, body = ApiError, description = "Wrong password"),
        (status = 429, body = ApiError, description = "Too many wrong passwords; see Retry-After"),
    ))]
async fn begin_two_factor(
    State(state): State<AppState>,
    SignedIn(account): SignedIn,
    ClientAddress(address): ClientAddress,
    ApiJson(confirmation): ApiJson<PasswordConfirmation>,
) -> Result<ApiJson<TotpSetup>, AppError> {
    accounts::require_password(
        &state,
        &account,
        &address,
        confirmation.password,
        "password",
    )
    .await?;
    if state.store.two_factor_enabled(account.id).await? {
        return Err(Refusal::TwoFactorAlreadyOn.into());
    }
    let secret = two_factor::new_secret();
    let totp = two_factor::totp(&secret, &account.handle)?;
    let (otpauth_uri, qr_svg) = two_factor::enrolment(&totp)?;
    state.store.begin_totp(account.id, &secret).await?;
    Ok(ApiJson(TotpSetup {
        secret_base32: secret,
        otpauth_uri,
        qr_svg,
    }))
}

/// Turns two-factor sign-in on with a first code from the app; answers the recovery codes,
/// which are shown this once.
#[utoipa::path(put, path = "/api/v1/account/two-factor", tag = "session", request_body = OneTimeCode,
    responses(
        (status = 200, body = RecoveryCodes),
        (status = 401, body = ApiError),
        (status = 409, body = ApiError, description = "No enrolment started, or it is on already"),
        (status = 422, body = ApiError, description = "The code is wrong"),
    ))]
async fn confirm_two_factor(
    State(state): State<AppState>,
    SignedIn(account): SignedIn,
    CurrentSession(current): CurrentSession,
    ApiJson(code): ApiJson<OneTimeCode>,
) -> Result<ApiJson<RecoveryCodes>, AppError> {
    let Some(stored) = state.store.totp_secret(account.id).await? else {
        return Err(Refusal::TwoFactorNotStarted.into());
    };
    if stored.confirmed_at_ms.is_some() {
        return Err(Refusal::TwoFactorAlreadyOn.into());
    }
    let totp = two_factor::totp(&stored.secret_base32, &account.handle)?;
    let Some(step) = two_factor::matching_step_now(&totp, &code.code) else {
        return Err(Refusal::Validation(vec![FieldError::new(
            "code",
            "wrong",
            "This code is wrong. Check the time on your device and type the code the app shows now.",
        )]).into());
    };
    let (codes, digests) = two_factor::new_recovery_codes();
    state
        .store
        .confirm_totp(
            account.id,
            step,
            &digests,
            current.as_deref().unwrap_or_default(),
        )
        .await?;
    tracing::info!(
        event = "two_factor_enabled",
        account = account.id,
        "two-factor sign-in on"
    );
    Ok(ApiJson(RecoveryCodes { codes }))
}

/// Turns two-factor sign-in off; needs the password.
#[utoipa::path(delete, path = "/api/v1/account/two-factor", tag = "session",
    request_body = PasswordConfirmation,
    responses(
        (status = 204, description = "Off"),
        (status = 401, body = ApiError),
        (status = 422, body = ApiError, description = "Wrong password"),
        (status = 429, body = ApiError, description = "Too many wrong passwords; see Retry-After"),
    ))]
async fn disable_two_factor(
    State(state): State<AppState>,
    SignedIn(account): SignedIn,
    ClientAddress(address): ClientAddress,
    CurrentSession(current): CurrentSession,
    ApiJson(confirmation): ApiJson<PasswordConfirmation>,
) -> Result<StatusCode, AppError> {
    accounts::require_password(
        &state,
        &account,
        &address,
        confirmation.password,
        "password",
    )
    .await?;
    state
        .store
        .disable_two_factor(account.id, current.as_deref().unwrap_or_default())
        .await?;
    tracing::info!(
        event = "two_factor_disabled",
        account = account.id,
        "two-factor sign-in off"
    );
    Ok(StatusCode::NO_CONTENT)
}

/// Lists the organisations the account belongs to or asked to join.
#[utoipa::path(get, path = "/api/v1/account/memberships", tag = "session",
    responses((status = 200, body = Vec<Membership>), (status = 401, body = ApiError)))]
async fn list_memberships(
    State(state): State<AppState>,
    SignedIn(account): SignedIn,
) -> Result<ApiJson<Vec<Membership>>, AppError> {
    Ok(ApiJson(state.store.memberships_of(account.id).await?))
}

/// What the account shows next to its handle on public pages.
#[utoipa::path(get, path = "/api/v1/account/profile", tag = "session",
    responses((status = 200, body = ProfileChange), (status = 401, body = ApiError)))]
async fn get_profile(
    State(state): State<AppState>,
    SignedIn(account): SignedIn,
) -> Result<ApiJson<ProfileChange>, AppError> {
    Ok(ApiJson(ProfileChange {
        shown_organisation: state.store.shown_organisation(account.id).await?,
    }))
}

/// Chooses an organisation the account belongs to to show next to its handle, or none.
#[utoipa::path(put, path = "/api/v1/account/profile", tag = "session", request_body = ProfileChange,
    responses(
        (status = 200, body = ProfileChange),
        (status = 401, body = ApiError),
        (status = 422, body = ApiError, description = "Not a member of that organisation"),
    ))]
async fn change_profile(
    State(state): State<AppState>,
    SignedIn(account): SignedIn,
    ApiJson(change): ApiJson<ProfileChange>,
) -> Result<ApiJson<ProfileChange>, AppError> {
    if !state
        .store
        .set_shown_organisation(account.id, change.shown_organisation.as_deref())
        .await?
    {
        return Err(Refusal::Validation(vec![FieldError::new(
            "shown_organisation",
            "not_member",
            "You can show only an organisation you are a member of.",
        )])
        .into());
    }
    Ok(ApiJson(change))
}
