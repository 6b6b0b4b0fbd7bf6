//! Accounts and sessions: sign up, sign in, who am I, sign out.

use crate::auth::{self, ClientAddress, SignedIn};
use crate::error::AppError;
use crate::extract::ApiJson;
use crate::state::AppState;
use crate::store::now_ms;
use axum::extract::State;
use axum::http::StatusCode;
use axum_extra::extract::CookieJar;
use shared::rules::{self, Handle};
use shared::{ApiError, Credentials, Me};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(sign_up))
        .routes(routes!(get_session, sign_in, sign_out))
}

/// Starts a session for `account_id` and returns the cookie jar that carries it.
async fn start_session(
    state: &AppState,
    jar: CookieJar,
    account_id: i64,
) -> Result<CookieJar, AppError> {
    let (token, digest) = auth::new_session_token();
    state.store.create_session(&digest, account_id).await?;
    Ok(jar.add(auth::session_cookie(token, state.settings.https)))
}

/// Creates an account with a handle and a password, and signs it in.
#[utoipa::path(post, path = "/api/v1/accounts", tag = "session", request_body = Credentials,
    responses(
        (status = 201, body = Me, description = "Created and signed in; sets the session cookie"),
        (status = 409, body = ApiError, description = "The handle is taken"),
        (status = 422, body = ApiError, description = "Handle or password breaks a rule"),
    ))]
async fn sign_up(
    State(state): State<AppState>,
    jar: CookieJar,
    ApiJson(credentials): ApiJson<Credentials>,
) -> Result<(StatusCode, CookieJar, ApiJson<Me>), AppError> {
    let handle = rules::check_sign_up(&credentials).map_err(AppError::Validation)?;
    auth::check_not_guessable(&credentials.password, handle.as_str())
        .map_err(|e| AppError::Validation(vec![e]))?;
    let hash = auth::hash_password(credentials.password).await?;
    let id = state.store.create_account(handle.as_str(), &hash).await?;
    let jar = start_session(&state, jar, id).await?;
    tracing::info!(event = "account_created", account = id, "account created");
    Ok((
        StatusCode::CREATED,
        jar,
        ApiJson(Me {
            handle: handle.as_str().to_owned(),
        }),
    ))
}

/// Tells who is signed in; 401 when nobody is.
#[utoipa::path(get, path = "/api/v1/session", tag = "session",
    responses((status = 200, body = Me), (status = 401, body = ApiError)))]
async fn get_session(SignedIn(account): SignedIn) -> ApiJson<Me> {
    ApiJson(Me {
        handle: account.handle,
    })
}

/// Signs in with a handle and a password; sets a new session cookie.
#[utoipa::path(post, path = "/api/v1/session", tag = "session", request_body = Credentials,
    responses(
        (status = 200, body = Me),
        (status = 401, body = ApiError, description = "Handle and password do not match"),
        (status = 429, body = ApiError, description = "Too many failed sign-ins; see Retry-After"),
    ))]
async fn sign_in(
    State(state): State<AppState>,
    ClientAddress(address): ClientAddress,
    jar: CookieJar,
    ApiJson(credentials): ApiJson<Credentials>,
) -> Result<(CookieJar, ApiJson<Me>), AppError> {
    let key = auth::handle_key(&credentials.handle);
    let now = now_ms();
    let window = i64::try_from(auth::THROTTLE_WINDOW.as_millis()).unwrap_or(i64::MAX);
    let failures = state
        .store
        .sign_in_failures(&key, &address, now - window)
        .await?;
    if auth::throttled(&failures) {
        tracing::warn!(
            event = "sign_in_throttled",
            ?failures,
            "sign-in refused: too many failures"
        );
        return Err(AppError::TooManyAttempts {
            retry_after_secs: auth::THROTTLE_WINDOW.as_secs(),
        });
    }
    // A handle that cannot exist still costs a hash check, so timing does not tell it apart.
    let handle = Handle::parse(&credentials.handle).ok();
    let stored = match &handle {
        Some(handle) => state.store.credentials(handle.as_str()).await?,
        None => None,
    };
    let (id, hash) = match stored {
        Some(s) => (Some(s.id), Some(s.password_hash)),
        None => (None, None),
    };
    let valid = auth::verify_password(credentials.password, hash).await?;
    let (Some(id), Some(handle), true) = (id, handle, valid) else {
        state
            .store
            .record_sign_in_failure(&key, &address, now - window)
            .await?;
        tracing::info!(event = "sign_in_failed", account = ?id, "sign-in failed");
        return Err(AppError::InvalidCredentials);
    };
    state.store.clear_sign_in_failures(&key, &address).await?;
    let jar = start_session(&state, jar, id).await?;
    tracing::info!(event = "signed_in", account = id, "signed in");
    Ok((
        jar,
        ApiJson(Me {
            handle: handle.as_str().to_owned(),
        }),
    ))
}

/// Signs out: ends the session on the server and clears the cookie.
#[utoipa::path(delete, path = "/api/v1/session", tag = "session",
    responses((status = 204, description = "Signed out (also when no session was open)")))]
async fn sign_out(
    State(state): State<AppState>,
    jar: CookieJar,
) -> Result<(StatusCode, CookieJar), AppError> {
    let https = state.settings.https;
    if let Some(cookie) = jar.get(auth::session_cookie_name(https)) {
        state
            .store
            .delete_session(&auth::token_digest(cookie.value()))
            .await?;
    }
    Ok((
        StatusCode::NO_CONTENT,
        jar.remove(auth::cleared_cookie(https)),
    ))
}
