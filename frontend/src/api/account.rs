//! Signing up and in, two-factor sign-in, and the signed-in account's own settings.

use super::{BASE, get, no_content, seg, send, unreachable, with_json};
use gloo_net::http::Request;
use shared::{
    ApiError, Credentials, ErrorCode, Me, Membership, OneTimeCode, PasswordChange,
    PasswordConfirmation, ProfileChange, RecoveryCodes, SessionInfo, SignInOutcome, TotpSetup,
};

/// `POST /accounts`: sign up and sign in.
pub async fn sign_up(credentials: &Credentials) -> Result<Me, ApiError> {
    send(Request::post(&format!("{BASE}/accounts")), credentials).await
}

/// `POST /session`: sign in, or learn that a second factor is due.
pub async fn sign_in(credentials: &Credentials) -> Result<SignInOutcome, ApiError> {
    send(Request::post(&format!("{BASE}/session")), credentials).await
}

/// `POST /session/second-factor`: finish signing in with a code.
pub async fn complete_sign_in(code: &OneTimeCode) -> Result<Me, ApiError> {
    send(
        Request::post(&format!("{BASE}/session/second-factor")),
        code,
    )
    .await
}

/// `POST /account/two-factor`: start turning on two-factor sign-in.
pub async fn begin_two_factor(confirmation: &PasswordConfirmation) -> Result<TotpSetup, ApiError> {
    send(
        Request::post(&format!("{BASE}/account/two-factor")),
        confirmation,
    )
    .await
}

/// `PUT /account/two-factor`: turn it on with a first code; answers the recovery codes.
pub async fn confirm_two_factor(code: &OneTimeCode) -> Result<RecoveryCodes, ApiError> {
    send(Request::put(&format!("{BASE}/account/two-factor")), code).await
}

/// `DELETE /account/two-factor`: turn it off.
pub async fn disable_two_factor(confirmation: &PasswordConfirmation) -> Result<(), ApiError> {
    let request = with_json(
        Request::delete(&format!("{BASE}/account/two-factor")),
        confirmation,
    )?;
    no_content(request.send().await.map_err(unreachable)?).await
}

/// Who is signed in, if the server sent the page with it: `Some(None)` when it found nobody.
pub fn session_sent_with_page() -> Option<Option<Me>> {
    let url = format!("{BASE}/session");
    match super::take_preloaded(&url).and_then(|v| super::from_js(v).ok()) {
        Some(me) => Some(Some(me)),
        None if super::sent_with_page() => Some(None),
        None => None,
    }
}

/// `GET /session`: who is signed in (`None` when nobody is).
pub async fn get_session() -> Result<Option<Me>, ApiError> {
    match get::<Me>(&format!("{BASE}/session")).await {
        Ok(me) => Ok(Some(me)),
        Err(e) if e.code == ErrorCode::NotSignedIn => Ok(None),
        Err(e) => Err(e),
    }
}

/// `GET /account/sessions`
pub async fn list_sessions() -> Result<Vec<SessionInfo>, ApiError> {
    get(&format!("{BASE}/account/sessions")).await
}

/// `DELETE /account/sessions/{id}`
pub async fn end_session(id: &str) -> Result<(), ApiError> {
    let url = format!("{BASE}/account/sessions/{}", seg(id));
    no_content(Request::delete(&url).send().await.map_err(unreachable)?).await
}

/// `PUT /account/password`
pub async fn change_password(change: &PasswordChange) -> Result<(), ApiError> {
    let request = with_json(Request::put(&format!("{BASE}/account/password")), change)?;
    no_content(request.send().await.map_err(unreachable)?).await
}

/// `DELETE /account`
pub async fn delete_account(deletion: &PasswordConfirmation) -> Result<(), ApiError> {
    let request = with_json(Request::delete(&format!("{BASE}/account")), deletion)?;
    no_content(request.send().await.map_err(unreachable)?).await
}

/// Where the browser downloads the account's data (a plain link; the cookie authenticates it).
pub const EXPORT_URL: &str = "/api/v1/account/export";

/// `GET /account/memberships`
pub async fn list_memberships() -> Result<Vec<Membership>, ApiError> {
    get(&format!("{BASE}/account/memberships")).await
}

/// `GET /account/profile`
pub async fn get_profile() -> Result<ProfileChange, ApiError> {
    get(&format!("{BASE}/account/profile")).await
}

/// `PUT /account/profile`
pub async fn change_profile(change: &ProfileChange) -> Result<ProfileChange, ApiError> {
    send(Request::put(&format!("{BASE}/account/profile")), change).await
}

/// `DELETE /session`: sign out.
pub async fn sign_out() -> Result<(), ApiError> {
    no_content(
        Request::delete(&format!("{BASE}/session"))
            .send()
            .await
            .map_err(unreachable)?,
    )
    .await
}
