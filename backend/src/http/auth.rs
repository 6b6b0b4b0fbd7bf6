//! Session cookies and the extractors that tell a handler who is asking (the rules they apply
//! are `domain::access`; passwords and sign-in are `domain::accounts` and `domain::session`).
//!
//! A session token is 256 random bits, sent only in an `HttpOnly`, `SameSite=Strict` cookie and
//! stored as its SHA-256 digest, so a copy of the database does not hold usable tokens and any
//! number of server processes can share sessions.

use crate::domain::access;
use crate::domain::accounts::{address_pseudonym, token_digest};
use crate::http::error::AppError;
use crate::http::extract::path_param;
use crate::refusal::Refusal;
use crate::state::AppState;
use crate::store::{Account, ConsultationRef};
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum_extra::extract::cookie::{Cookie, CookieJar, SameSite};

/// The two cookies Concord sets: the session, and a sign-in waiting for its second factor.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CookieKind {
    Session,
    PendingSignIn,
}

/// A cookie's name for this deployment. Over HTTPS the `__Host-` prefix makes browsers refuse
/// the cookie unless it is `Secure`, has `Path=/` and no `Domain`, so no other host can plant or
/// overwrite it.
pub fn cookie_name(kind: CookieKind, https: bool) -> &'static str {
    match (kind, https) {
        (CookieKind::Session, false) => "concord_session",
        (CookieKind::Session, true) => "__Host-concord_session",
        (CookieKind::PendingSignIn, false) => "concord_pending",
        (CookieKind::PendingSignIn, true) => "__Host-concord_pending",
    }
}

/// The session cookie's name for this deployment.
pub fn session_cookie_name(https: bool) -> &'static str {
    cookie_name(CookieKind::Session, https)
}

/// The cookie that carries a new session token. It has no expiry date, so the browser forgets it
/// when it closes; the server ends the session sooner if idle (see [`crate::store`]).
pub fn session_cookie(token: String, https: bool) -> Cookie<'static> {
    secret_cookie(CookieKind::Session, token, https)
}

/// An `HttpOnly`, `SameSite=Strict` cookie of `kind` carrying `token`, gone when the browser closes.
pub fn secret_cookie(kind: CookieKind, token: String, https: bool) -> Cookie<'static> {
    Cookie::build((cookie_name(kind, https), token))
        .path("/")
        .http_only(true)
        .same_site(SameSite::Strict)
        .secure(https)
        .build()
}

/// A cookie that removes the session cookie from the browser.
pub fn cleared_cookie(https: bool) -> Cookie<'static> {
    cleared(CookieKind::Session, https)
}

/// A cookie that removes the cookie of `kind` from the browser.
pub fn cleared(kind: CookieKind, https: bool) -> Cookie<'static> {
    Cookie::build((cookie_name(kind, https), ""))
        .path("/")
        .secure(https)
        .build()
}

/// The session token the request carries, if any.
pub fn session_token(headers: &axum::http::HeaderMap, https: bool) -> Option<String> {
    CookieJar::from_headers(headers)
        .get(session_cookie_name(https))
        .map(|c| c.value().to_owned())
}

/// A pseudonym of the address a request came from (its TCP peer), for throttling: the keyed
/// digest of the address, so the database can tell addresses apart without holding them.
/// Without connection information every request shares the pseudonym of `unknown`.
pub struct ClientAddress(pub String);

impl FromRequestParts<AppState> for ClientAddress {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, AppError> {
        let peer = parts
            .extensions
            .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
            .map_or_else(|| "unknown".to_owned(), |c| c.0.ip().to_string());
        let key = state.store.address_key().await?;
        Ok(Self(address_pseudonym(&key, &peer)))
    }
}

/// The digest of the session token the request carries (for telling "this device" apart).
pub struct CurrentSession(pub Option<String>);

impl FromRequestParts<AppState> for CurrentSession {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        Ok(Self(
            session_token(&parts.headers, state.settings.https).map(|t| token_digest(&t)),
        ))
    }
}

/// A signed-in administrator who has turned on two-factor sign-in; 401 when nobody is signed
/// in, 403 `forbidden` for others, 403 `two_factor_required` for an administrator without it.
pub struct Admin(pub Account);

impl FromRequestParts<AppState> for Admin {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, AppError> {
        let SignedIn(account) = SignedIn::from_request_parts(parts, state).await?;
        if !account.is_admin() {
            return Err(Refusal::Forbidden("Only an administrator may do this.").into());
        }
        access::require_two_factor(state, &account).await?;
        Ok(Self(account))
    }
}

/// A signed-in administrator with two-factor sign-in: they look after organisations (verify
/// them, name their representatives), which every consultation shares. Conveners do not: a
/// convener of one consultation would otherwise change how an organisation counts in another.
pub struct Steward(pub Account);

impl FromRequestParts<AppState> for Steward {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, AppError> {
        let SignedIn(account) = SignedIn::from_request_parts(parts, state).await?;
        if !access::is_steward(&account) {
            return Err(Refusal::Forbidden("Only an administrator may do this.").into());
        }
        access::require_two_factor(state, &account).await?;
        Ok(Self(account))
    }
}

/// A convener of the consultation named by the route's `slug` (or an administrator), with
/// two-factor sign-in; 401, 404 for an unknown consultation, 403 otherwise; and for a change,
/// 409 `archived` when the consultation is archived.
pub struct Convening {
    pub account: Account,
    pub consultation: ConsultationRef,
}

impl FromRequestParts<AppState> for Convening {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, AppError> {
        let SignedIn(account) = SignedIn::from_request_parts(parts, state).await?;
        let slug = path_param(parts, state, "slug").await?;
        let consultation = state.store.existing_consultation(&slug).await?;
        let session = session_token(&parts.headers, state.settings.https).map(|t| token_digest(&t));
        access::require_convener(state, (&account, session.as_deref()), &consultation).await?;
        if !parts.method.is_safe() {
            access::require_changeable(&consultation)?;
        }
        Ok(Self {
            account,
            consultation,
        })
    }
}

/// Somebody who may manage the organisation named by the route's `slug`: its representative,
/// or a steward (see [`Steward`]).
pub struct OrganisationLead(pub Account);

impl FromRequestParts<AppState> for OrganisationLead {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, AppError> {
        let SignedIn(account) = SignedIn::from_request_parts(parts, state).await?;
        let slug = path_param(parts, state, "slug").await?;
        if state.store.is_representative(account.id, &slug).await? {
            return Ok(Self(account));
        }
        if !access::is_steward(&account) {
            return Err(Refusal::Forbidden(
                "Only the organisation's representative or an administrator may do this.",
            )
            .into());
        }
        access::require_two_factor(state, &account).await?;
        Ok(Self(account))
    }
}

/// The signed-in account, or `None`; never fails for lack of a session.
pub struct MaybeAccount(pub Option<Account>);

/// The signed-in account; answers 401 `not_signed_in` otherwise.
pub struct SignedIn(pub Account);

impl FromRequestParts<AppState> for MaybeAccount {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, AppError> {
        let Some(token) = session_token(&parts.headers, state.settings.https) else {
            return Ok(Self(None));
        };
        let writing = !super::guard::is_read(&parts.method);
        let account = state
            .store
            .session_account_for(&token_digest(&token), writing)
            .await?;
        Ok(Self(account))
    }
}

impl FromRequestParts<AppState> for SignedIn {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, AppError> {
        MaybeAccount::from_request_parts(parts, state)
            .await?
            .0
            .map(Self)
            .ok_or(AppError::from(Refusal::NotSignedIn))
    }
}
