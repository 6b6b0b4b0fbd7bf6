//! Accounts and sessions: sign up, sign in (with its second-factor step), who am I, sign out.

use crate::domain::accounts;
use crate::http::auth::{self, ClientAddress, CookieKind, SignedIn};
use crate::http::error::AppError;
use crate::http::extract::ApiJson;
use crate::refusal::Refusal;
use crate::state::AppState;
use crate::store::{Account, ms, now_ms};
use crate::two_factor;
use axum::extract::State;
use axum::http::StatusCode;
use axum_extra::extract::CookieJar;
use shared::rules::{self, Handle};
use shared::{ApiError, Credentials, Me, OneTimeCode, SignInOutcome};
use std::time::Duration;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// How long a sign-in may wait for its second factor.
const PENDING_LIFETIME: Duration = Duration::from_secs(5 * 60);
/// Codes one pending sign-in may try before the password has to be given again.
const PENDING_ATTEMPTS: i64 = 5;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(sign_up))
        .routes(routes!(get_session, sign_in, sign_out))
        .routes(routes!(complete_sign_in))
}

/// Starts a session for `account_id` and returns the cookie jar that carries it.
async fn start_session(
    state: &AppState,
    jar: CookieJar,
    account_id: i64,
) -> Result<CookieJar, AppError> {
    let (token, digest) = accounts::new_token();
    state.store.create_session(&digest, account_id).await?;
    Ok(jar.add(auth::session_cookie(token, state.settings.https)))
}

/// What the signed-in participant sees of their account.
pub(super) async fn me(state: &AppState, account: &Account) -> Result<Me, AppError> {
    Ok(Me {
        handle: account.handle.clone(),
        two_factor: state.store.two_factor_enabled(account.id).await?,
        admin: account.is_admin(),
        convenes: state.store.convenes(account.id).await?,
    })
}

/// Creates an account with a handle and a password, and signs it in.
#[utoipa::path(post, path = "/api/v1/accounts", tag = "session", request_body = Credentials,
    responses(
        (status = 201, body = Me, description = "Created and signed in; sets the session cookie"),
        (status = 409, body = ApiError, description = "The handle is taken"),
        (status = 422, body = ApiError, description = "Handle or password breaks a rule"),
        (status = 429, body = ApiError, description = "Too many sign-ups from this address in the last minute; see Retry-After"),
    ))]
async fn sign_up(
    State(state): State<AppState>,
    ClientAddress(address): ClientAddress,
    jar: CookieJar,
    ApiJson(credentials): ApiJson<Credentials>,
) -> Result<(StatusCode, CookieJar, ApiJson<Me>), AppError> {
    // A few a minute from one address, counted before any hashing.
    let limit = state.settings.sign_ups_per_minute;
    if limit > 0 && !state.store.count_sign_up(&address, limit).await? {
        tracing::warn!(
            event = "sign_up_throttled",
            "sign-up refused: too many from one address"
        );
        return Err(AppError::TooManyAttempts {
            retry_after_secs: 60,
            what: crate::http::error::Attempts::SignUps,
        });
    }
    let handle = rules::check_sign_up(&credentials).map_err(Refusal::Validation)?;
    accounts::check_not_guessable(&credentials.password, handle.as_str())
        .map_err(|e| Refusal::Validation(vec![e]))?;
    let hash = auth::hash_password(credentials.password).await?;
    let id = state.store.create_account(handle.as_str(), &hash).await?;
    let jar = start_session(&state, jar, id).await?;
    tracing::info!(event = "account_created", account = id, "account created");
    let me = Me {
        handle: handle.as_str().to_owned(),
        two_factor: false,
        admin: false,
        convenes: Vec::new(),
    };
    Ok((StatusCode::CREATED, jar, ApiJson(me)))
}

/// Tells who is signed in; 401 when nobody is.
#[utoipa::path(get, path = "/api/v1/session", tag = "session",
    responses((status = 200, body = Me), (status = 401, body = ApiError)))]
async fn get_session(
    State(state): State<AppState>,
    SignedIn(account): SignedIn,
) -> Result<ApiJson<Me>, AppError> {
    Ok(ApiJson(me(&state, &account).await?))
}

/// Signs in with a handle and a password. Without two-factor sign-in this sets the session
/// cookie; with it, it sets a short-lived cookie for `POST /session/second-factor`.
#[utoipa::path(post, path = "/api/v1/session", tag = "session", request_body = Credentials,
    responses(
        (status = 200, body = SignInOutcome),
        (status = 401, body = ApiError, description = "Handle and password do not match"),
        (status = 429, body = ApiError, description = "Too many failed sign-ins; see Retry-After"),
    ))]
async fn sign_in(
    State(state): State<AppState>,
    ClientAddress(address): ClientAddress,
    jar: CookieJar,
    ApiJson(credentials): ApiJson<Credentials>,
) -> Result<(CookieJar, ApiJson<SignInOutcome>), AppError> {
    let key = accounts::handle_key(&credentials.handle);
    auth::refuse_if_throttled(&state, &key, &address).await?;
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
    let valid = auth::verify_password(credentials.password, hash).await?;
    let (Some(id), Some(handle), true) = (id, handle, valid) else {
        auth::record_password_failure(&state, &key, &address).await?;
        tracing::info!(event = "sign_in_failed", account = ?id, "sign-in failed");
        return Err(AppError::InvalidCredentials);
    };
    state.store.clear_sign_in_failures(&key, &address).await?;
    let https = state.settings.https;
    if state.store.two_factor_enabled(id).await? {
        let (token, digest) = accounts::new_token();
        state.store.create_pending_sign_in(&digest, id).await?;
        tracing::info!(
            event = "second_factor_requested",
            account = id,
            "password accepted"
        );
        let jar = jar.add(auth::secret_cookie(CookieKind::PendingSignIn, token, https));
        return Ok((jar, ApiJson(SignInOutcome::SecondFactorRequired)));
    }
    let jar = start_session(&state, jar, id).await?;
    tracing::info!(event = "signed_in", account = id, "signed in");
    let account = Account {
        id,
        handle: handle.as_str().to_owned(),
        role,
    };
    Ok((
        jar,
        ApiJson(SignInOutcome::SignedIn(me(&state, &account).await?)),
    ))
}

/// Finishes a sign-in with a code from the authenticator app or a recovery code. A code works
/// once; a recovery code only ever replaces the second factor, never the password.
#[utoipa::path(post, path = "/api/v1/session/second-factor", tag = "session",
    request_body = OneTimeCode,
    responses(
        (status = 200, body = Me, description = "Signed in; sets the session cookie"),
        (status = 401, body = ApiError, description = "No sign-in is waiting (or it expired)"),
        (status = 422, body = ApiError, description = "The code is wrong or was used already"),
        (status = 429, body = ApiError, description = "Too many wrong codes for this account; see Retry-After"),
    ))]
async fn complete_sign_in(
    State(state): State<AppState>,
    jar: CookieJar,
    ApiJson(code): ApiJson<OneTimeCode>,
) -> Result<(CookieJar, ApiJson<Me>), AppError> {
    let https = state.settings.https;
    let pending = jar
        .get(auth::cookie_name(CookieKind::PendingSignIn, https))
        .map(|c| accounts::token_digest(c.value()));
    let max_age = ms(PENDING_LIFETIME);
    let account = match &pending {
        Some(digest) => {
            state
                .store
                .pending_sign_in(digest, max_age, PENDING_ATTEMPTS)
                .await?
        }
        None => None,
    };
    let (Some(digest), Some(account)) = (pending, account) else {
        return Err(AppError::NotSignedIn);
    };
    // Wrong codes count per account, whichever sign-in they came through.
    let (failures, last) = state.store.second_factor_failures(account.id).await?;
    if let Some(wait) = accounts::second_factor_wait(failures, last, now_ms()) {
        tracing::warn!(
            event = "second_factor_locked",
            account = account.id,
            failures,
            "second factor refused: too many wrong codes"
        );
        return Err(AppError::TooManyAttempts {
            retry_after_secs: wait.as_secs().max(1),
            what: crate::http::error::Attempts::Codes,
        });
    }
    if !second_factor_accepted(&state, &account, &code.code).await? {
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
    }
    state.store.clear_second_factor_failures(account.id).await?;
    state.store.end_pending_sign_in(&digest).await?;
    let jar = start_session(
        &state,
        jar.remove(auth::cleared(CookieKind::PendingSignIn, https)),
        account.id,
    )
    .await?;
    tracing::info!(
        event = "signed_in",
        account = account.id,
        second_factor = true,
        "signed in"
    );
    Ok((jar, ApiJson(me(&state, &account).await?)))
}

/// Whether `code` is a fresh TOTP code or an unused recovery code of `account`.
pub async fn second_factor_accepted(
    state: &AppState,
    account: &Account,
    code: &str,
) -> Result<bool, AppError> {
    if !two_factor::is_totp_code(code) {
        let digest = two_factor::recovery_digest(code);
        return Ok(state.store.use_recovery_code(account.id, &digest).await?);
    }
    let Some(stored) = state.store.totp_secret(account.id).await? else {
        return Ok(false);
    };
    let totp = two_factor::totp(&stored.secret_base32, &account.handle)?;
    match two_factor::matching_step_now(&totp, code) {
        Some(step) => Ok(state.store.accept_totp_step(account.id, step).await?),
        None => Ok(false),
    }
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
            .delete_session(&accounts::token_digest(cookie.value()))
            .await?;
        tracing::info!(event = "signed_out", "session ended by sign-out");
    }
    Ok((
        StatusCode::NO_CONTENT,
        jar.remove(auth::cleared_cookie(https)),
    ))
}
