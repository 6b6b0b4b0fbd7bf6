//! Accounts and sessions: sign up, sign in (with its second-factor step), who am I, sign out.

use crate::domain::session::{self, SignIn};
use crate::http::auth::{self, ClientAddress, CookieKind, SignedIn};
use crate::http::error::AppError;
use crate::http::extract::ApiJson;
use crate::state::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum_extra::extract::CookieJar;
use shared::{ApiError, Credentials, Me, OneTimeCode, SignInOutcome};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(sign_up))
        .routes(routes!(get_session, sign_in, sign_out))
        .routes(routes!(complete_sign_in))
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
    let started = session::sign_up(&state, &address, credentials).await?;
    let jar = jar.add(auth::session_cookie(started.token, state.settings.https));
    Ok((StatusCode::CREATED, jar, ApiJson(started.me)))
}

/// Tells who is signed in; 401 when nobody is.
#[utoipa::path(get, path = "/api/v1/session", tag = "session",
    responses((status = 200, body = Me), (status = 401, body = ApiError)))]
async fn get_session(
    State(state): State<AppState>,
    SignedIn(account): SignedIn,
) -> Result<ApiJson<Me>, AppError> {
    Ok(ApiJson(session::me(&state, &account).await?))
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
    let https = state.settings.https;
    match session::sign_in(&state, &address, credentials).await? {
        SignIn::Started(started) => Ok((
            jar.add(auth::session_cookie(started.token, https)),
            ApiJson(SignInOutcome::SignedIn(started.me)),
        )),
        SignIn::SecondFactorRequired { pending, passkey } => Ok((
            jar.add(auth::secret_cookie(
                CookieKind::PendingSignIn,
                pending,
                https,
            )),
            ApiJson(SignInOutcome::SecondFactorRequired { passkey }),
        )),
    }
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
    let pending = jar.get(auth::cookie_name(CookieKind::PendingSignIn, https));
    let started = session::complete_sign_in(&state, pending.map(|c| c.value()), &code.code).await?;
    let jar = jar
        .remove(auth::cleared(CookieKind::PendingSignIn, https))
        .add(auth::session_cookie(started.token, https));
    Ok((jar, ApiJson(started.me)))
}

/// Signs out: ends the session on the server and clears the cookie.
#[utoipa::path(delete, path = "/api/v1/session", tag = "session",
    responses((status = 204, description = "Signed out (also when no session was open)")))]
async fn sign_out(
    State(state): State<AppState>,
    jar: CookieJar,
) -> Result<(StatusCode, CookieJar), AppError> {
    let https = state.settings.https;
    let token = jar.get(auth::session_cookie_name(https));
    session::sign_out(&state, token.map(|c| c.value())).await?;
    Ok((
        StatusCode::NO_CONTENT,
        jar.remove(auth::cleared_cookie(https)),
    ))
}
