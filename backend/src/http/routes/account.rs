//! The signed-in account's own settings: its sessions and its password.

use crate::domain::accounts;
use crate::domain::two_factor;
use crate::http::auth::{self, ClientAddress, CurrentSession, SignedIn};
use crate::http::error::AppError;
use crate::http::extract::{ApiJson, ApiPath};
use crate::state::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::http::header;
use axum_extra::extract::CookieJar;
use shared::{
    AccountExport, ApiError, Membership, OneTimeCode, PasswordChange, PasswordConfirmation,
    ProfileChange, RecoveryCodes, SessionInfo, TotpSetup,
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

/// Lists the account's signed-in sessions, most recently used first.
#[utoipa::path(get, path = "/api/v1/account/sessions", tag = "session",
    responses((status = 200, body = Vec<SessionInfo>), (status = 401, body = ApiError)))]
async fn list_sessions(
    State(state): State<AppState>,
    SignedIn(account): SignedIn,
    CurrentSession(current): CurrentSession,
) -> Result<ApiJson<Vec<SessionInfo>>, AppError> {
    let sessions = accounts::sessions(&state, account.id, current.as_deref()).await?;
    Ok(ApiJson(sessions))
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
    accounts::end_session(&state, &account, &id).await?;
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
    accounts::change_password(&state, &account, &address, current.as_deref(), change).await?;
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
    let export = accounts::export(&state, &account, current.as_deref()).await?;
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
    accounts::delete(&state, &account, &address, deletion.password).await?;
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
    let setup = two_factor::begin(&state, &account, &address, confirmation.password).await?;
    Ok(ApiJson(setup))
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
    let codes = two_factor::confirm(&state, &account, current.as_deref(), &code.code).await?;
    Ok(ApiJson(codes))
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
    two_factor::disable(
        &state,
        &account,
        &address,
        current.as_deref(),
        confirmation.password,
    )
    .await?;
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
    accounts::show_organisation(&state, &account, change.shown_organisation.as_deref()).await?;
    Ok(ApiJson(change))
}
