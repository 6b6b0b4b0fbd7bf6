//! Passkeys: an account's own (add, list, remove; its security events), signing in with one
//! (without a password, or as the second factor after one), and the consultation rule that
//! its conveners use one. A ceremony is two requests: the first answers the options for the
//! browser and a ceremony token, the second carries the token and the browser's answer.

use crate::domain::{self, passkeys};
use crate::http::auth::{self, ClientAddress, Convening, CookieKind, CurrentSession, SignedIn};
use crate::http::error::AppError;
use crate::http::extract::{ApiJson, ApiPath};
use crate::state::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum_extra::extract::CookieJar;
use shared::{
    ApiError, Consultation, Me, NewPasskey, PasskeyAdded, PasskeyAnswer, PasskeyChallenge,
    PasskeyInfo, PasskeyRule, PasswordConfirmation, SecurityEvent,
};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(begin_registration))
        .routes(routes!(list_passkeys, add_passkey))
        .routes(routes!(remove_passkey))
        .routes(routes!(security_events))
        .routes(routes!(begin_sign_in, finish_sign_in))
        .routes(routes!(begin_second_factor, finish_second_factor))
        .routes(routes!(set_passkey_rule))
}

/// Starts adding a passkey: the options for `navigator.credentials.create()`. Needs the
/// password again.
#[utoipa::path(post, path = "/api/v1/account/passkeys/registration", tag = "session",
    request_body = PasswordConfirmation,
    responses(
        (status = 200, body = PasskeyChallenge),
        (status = 401, body = ApiError),
        (status = 409, body = ApiError, description = "This server offers no passkeys"),
        (status = 422, body = ApiError, description = "Wrong password"),
        (status = 429, body = ApiError, description = "Too many wrong passwords; see Retry-After"),
    ))]
async fn begin_registration(
    State(state): State<AppState>,
    SignedIn(account): SignedIn,
    ClientAddress(address): ClientAddress,
    ApiJson(confirmation): ApiJson<PasswordConfirmation>,
) -> Result<ApiJson<PasskeyChallenge>, AppError> {
    let begun =
        passkeys::begin_registration(&state, &account, &address, confirmation.password).await?;
    Ok(ApiJson(begun))
}

/// Adds the passkey the browser made. The account's other sessions end; its first second
/// factor answers recovery codes, shown this once.
#[utoipa::path(post, path = "/api/v1/account/passkeys", tag = "session", request_body = NewPasskey,
    responses(
        (status = 201, body = PasskeyAdded),
        (status = 401, body = ApiError),
        (status = 409, body = ApiError, description = "Registered already, or no passkeys here"),
        (status = 422, body = ApiError, description = "No name, a ceremony that is over, or an answer refused"),
    ))]
async fn add_passkey(
    State(state): State<AppState>,
    SignedIn(account): SignedIn,
    CurrentSession(current): CurrentSession,
    ApiJson(new): ApiJson<NewPasskey>,
) -> Result<(StatusCode, ApiJson<PasskeyAdded>), AppError> {
    let added = passkeys::finish_registration(&state, &account, current.as_deref(), new).await?;
    Ok((StatusCode::CREATED, ApiJson(added)))
}

/// Lists the account's passkeys, oldest first, with their last use.
#[utoipa::path(get, path = "/api/v1/account/passkeys", tag = "session",
    responses((status = 200, body = Vec<PasskeyInfo>), (status = 401, body = ApiError)))]
async fn list_passkeys(
    State(state): State<AppState>,
    SignedIn(account): SignedIn,
) -> Result<ApiJson<Vec<PasskeyInfo>>, AppError> {
    Ok(ApiJson(passkeys::list(&state, &account).await?))
}

/// Removes a passkey; needs the password. The account's other sessions end. Without another
/// passkey or authenticator app, two-factor sign-in is off, but an administrator keeps one.
#[utoipa::path(delete, path = "/api/v1/account/passkeys/{id}", tag = "session",
    params(("id" = i64, Path, description = "The passkey's id from the list")),
    request_body = PasswordConfirmation,
    responses(
        (status = 204, description = "Removed"),
        (status = 401, body = ApiError),
        (status = 404, body = ApiError, description = "No such passkey of this account"),
        (status = 409, body = ApiError, description = "An administrator's last second factor"),
        (status = 422, body = ApiError, description = "Wrong password"),
        (status = 429, body = ApiError, description = "Too many wrong passwords; see Retry-After"),
    ))]
async fn remove_passkey(
    State(state): State<AppState>,
    SignedIn(account): SignedIn,
    ClientAddress(address): ClientAddress,
    CurrentSession(current): CurrentSession,
    ApiPath(id): ApiPath<i64>,
    ApiJson(confirmation): ApiJson<PasswordConfirmation>,
) -> Result<StatusCode, AppError> {
    let by = (address.as_str(), current.as_deref());
    passkeys::remove(&state, &account, by, id, confirmation.password).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The account's security events, newest first: second factors added and removed.
#[utoipa::path(get, path = "/api/v1/account/security-events", tag = "session",
    responses((status = 200, body = Vec<SecurityEvent>), (status = 401, body = ApiError)))]
async fn security_events(
    State(state): State<AppState>,
    SignedIn(account): SignedIn,
) -> Result<ApiJson<Vec<SecurityEvent>>, AppError> {
    Ok(ApiJson(passkeys::security_events(&state, &account).await?))
}

/// Starts a sign-in with a passkey and no password: the options for
/// `navigator.credentials.get()`, which offers the passkeys the browser holds for this site.
#[utoipa::path(post, path = "/api/v1/session/passkey", tag = "session",
    responses(
        (status = 200, body = PasskeyChallenge),
        (status = 409, body = ApiError, description = "This server offers no passkeys"),
        (status = 503, body = ApiError, description = "Too many passkey sign-ins under way"),
    ))]
async fn begin_sign_in(
    State(state): State<AppState>,
) -> Result<ApiJson<PasskeyChallenge>, AppError> {
    Ok(ApiJson(passkeys::begin_sign_in(&state).await?))
}

/// Finishes a sign-in with a passkey; sets the session cookie.
#[utoipa::path(put, path = "/api/v1/session/passkey", tag = "session", request_body = PasskeyAnswer,
    responses(
        (status = 200, body = Me, description = "Signed in; sets the session cookie"),
        (status = 409, body = ApiError, description = "This server offers no passkeys"),
        (status = 422, body = ApiError, description = "A ceremony that is over, or an answer refused"),
    ))]
async fn finish_sign_in(
    State(state): State<AppState>,
    jar: CookieJar,
    ApiJson(answer): ApiJson<PasskeyAnswer>,
) -> Result<(CookieJar, ApiJson<Me>), AppError> {
    let started = passkeys::finish_sign_in(&state, answer).await?;
    let jar = jar.add(auth::session_cookie(started.token, state.settings.https));
    Ok((jar, ApiJson(started.me)))
}

/// Starts the second factor of a sign-in whose password was right with one of the account's
/// passkeys (the sign-in's cookie says which account).
#[utoipa::path(post, path = "/api/v1/session/second-factor/passkey", tag = "session",
    responses(
        (status = 200, body = PasskeyChallenge),
        (status = 401, body = ApiError, description = "No sign-in is waiting (or it expired)"),
        (status = 409, body = ApiError, description = "This server offers no passkeys"),
        (status = 422, body = ApiError, description = "The account has no passkey"),
    ))]
async fn begin_second_factor(
    State(state): State<AppState>,
    jar: CookieJar,
) -> Result<ApiJson<PasskeyChallenge>, AppError> {
    let pending = jar.get(auth::cookie_name(
        CookieKind::PendingSignIn,
        state.settings.https,
    ));
    Ok(ApiJson(
        passkeys::begin_second_factor(&state, pending.map(|c| c.value())).await?,
    ))
}

/// Finishes a sign-in with the passkey as its second factor; sets the session cookie.
#[utoipa::path(put, path = "/api/v1/session/second-factor/passkey", tag = "session",
    request_body = PasskeyAnswer,
    responses(
        (status = 200, body = Me, description = "Signed in; sets the session cookie"),
        (status = 401, body = ApiError, description = "No sign-in is waiting (or it expired)"),
        (status = 422, body = ApiError, description = "A ceremony that is over, or an answer refused"),
    ))]
async fn finish_second_factor(
    State(state): State<AppState>,
    jar: CookieJar,
    ApiJson(answer): ApiJson<PasskeyAnswer>,
) -> Result<(CookieJar, ApiJson<Me>), AppError> {
    let https = state.settings.https;
    let pending = jar.get(auth::cookie_name(CookieKind::PendingSignIn, https));
    let started =
        passkeys::finish_second_factor(&state, pending.map(|c| c.value()), answer).await?;
    let jar = jar
        .remove(auth::cleared(CookieKind::PendingSignIn, https))
        .add(auth::session_cookie(started.token, https));
    Ok((jar, ApiJson(started.me)))
}

/// Makes the consultation's conveners sign in with a passkey to act on it, or no longer
/// (conveners only). Turning it on needs a session signed in with a passkey, so that nobody
/// locks themselves out.
#[utoipa::path(put, path = "/api/v1/consultations/{slug}/convener-passkeys", tag = "convening",
    params(super::params::ConsultationParams),
    request_body = PasskeyRule,
    responses(
        (status = 200, body = Consultation),
        (status = 401, body = ApiError),
        (status = 403, body = ApiError, description = "Not a convener, without two-factor sign-in, or not signed in with a passkey"),
        (status = 404, body = ApiError),
        (status = 409, body = ApiError, description = "Archived"),
    ))]
async fn set_passkey_rule(
    State(state): State<AppState>,
    Convening {
        account,
        consultation,
    }: Convening,
    CurrentSession(current): CurrentSession,
    ApiJson(rule): ApiJson<PasskeyRule>,
) -> Result<ApiJson<Consultation>, AppError> {
    let by = (&account, current.as_deref());
    domain::conveners::set_passkey_rule(&state, by, &consultation, rule.required).await?;
    super::consultations::answer(&state, &consultation.slug).await
}
