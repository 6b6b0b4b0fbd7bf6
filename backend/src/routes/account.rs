//! The signed-in account's own settings: its sessions and its password.

use crate::auth::{self, CurrentSession, SignedIn};
use crate::error::AppError;
use crate::extract::{ApiJson, ApiPath};
use crate::state::AppState;
use crate::store::session_id;
use axum::extract::State;
use axum::http::StatusCode;
use axum::http::header;
use axum_extra::extract::CookieJar;
use shared::{AccountDeletion, AccountExport, ApiError, FieldError, PasswordChange, SessionInfo};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_sessions))
        .routes(routes!(end_session))
        .routes(routes!(change_password))
        .routes(routes!(export_account))
        .routes(routes!(delete_account))
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
        return Err(AppError::NotFound("session"));
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
    ))]
async fn change_password(
    State(state): State<AppState>,
    SignedIn(account): SignedIn,
    CurrentSession(current): CurrentSession,
    ApiJson(change): ApiJson<PasswordChange>,
) -> Result<StatusCode, AppError> {
    change.check().map_err(AppError::Validation)?;
    let stored = state.store.password_hash(account.id).await?;
    if !auth::verify_password(change.current_password, Some(stored)).await? {
        tracing::info!(
            event = "password_change_refused",
            account = account.id,
            "wrong current password"
        );
        return Err(AppError::Validation(vec![FieldError::new(
            "current_password",
            "wrong",
            "This is not your current password.",
        )]));
    }
    auth::check_not_guessable(&change.new_password, &account.handle).map_err(|mut e| {
        e.field = "new_password".to_owned();
        AppError::Validation(vec![e])
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
#[utoipa::path(delete, path = "/api/v1/account", tag = "session", request_body = AccountDeletion,
    responses(
        (status = 204, description = "Deleted and signed out everywhere"),
        (status = 401, body = ApiError),
        (status = 422, body = ApiError, description = "Wrong password"),
    ))]
async fn delete_account(
    State(state): State<AppState>,
    SignedIn(account): SignedIn,
    jar: CookieJar,
    ApiJson(deletion): ApiJson<AccountDeletion>,
) -> Result<(StatusCode, CookieJar), AppError> {
    let stored = state.store.password_hash(account.id).await?;
    if !auth::verify_password(deletion.password, Some(stored)).await? {
        return Err(AppError::Validation(vec![FieldError::new(
            "password",
            "wrong",
            "This is not your password.",
        )]));
    }
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
