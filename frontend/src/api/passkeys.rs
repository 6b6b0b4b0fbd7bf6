//! Passkeys: each ceremony is a request for the options, the browser's WebAuthn, and a request
//! with its answer. The options and the answer pass through as the browser's own JavaScript
//! values (see [`crate::webauthn`]); only the final answers are read into Rust.

use super::{
    BASE, consultation_url, decode, decode_js, get, no_content, send, unreachable, with_js,
    with_json,
};
use crate::webauthn;
use gloo_net::http::{Request, RequestBuilder};
use js_sys::{Object, Reflect};
use serde::de::DeserializeOwned;
use shared::{
    ApiError, Consultation, Me, PasskeyAdded, PasskeyInfo, PasskeyRule, PasswordConfirmation,
    SecurityEvent,
};
use wasm_bindgen::JsValue;

/// A ceremony begun: its token and the options for the browser.
struct Begun {
    ceremony: JsValue,
    options: JsValue,
}

async fn begin(request: Result<Request, ApiError>) -> Result<Begun, ApiError> {
    let answer = decode_js(request?.send().await.map_err(unreachable)?).await?;
    let field = |name: &str| Reflect::get(&answer, &JsValue::from_str(name)).unwrap_or_default();
    Ok(Begun {
        ceremony: field("ceremony"),
        options: field("options"),
    })
}

/// Sends the browser's `credential` for ceremony `begun` (with the other `fields`) to `builder`.
async fn finish<T: DeserializeOwned>(
    builder: RequestBuilder,
    begun: &Begun,
    credential: &JsValue,
    fields: &[(&str, &str)],
) -> Result<T, ApiError> {
    let body = Object::new();
    let set = |key: &str, value: &JsValue| Reflect::set(&body, &JsValue::from_str(key), value);
    let written = set("ceremony", &begun.ceremony)
        .and_then(|_| set("credential", credential))
        .and_then(|_| {
            fields
                .iter()
                .try_for_each(|(k, v)| set(k, &JsValue::from_str(v)).map(drop))
                .map(|()| true)
        });
    if written.is_err() {
        return Err(super::unwritable());
    }
    decode(with_js(builder, &body)?.send().await.map_err(unreachable)?).await
}

/// Adds a passkey named `name`, the password given again: the server's options, the browser
/// making the passkey, the server keeping it. The name is checked first, so that no passkey is
/// made on the device that the server would then refuse. Errors of the name are the
/// `passkey_name` field's (the form's other fields have names of their own).
pub async fn add_passkey(password: String, name: String) -> Result<PasskeyAdded, ApiError> {
    adding(password, name).await.map_err(|mut e| {
        for field in &mut e.fields {
            if field.field == "name" {
                field.field = "passkey_name".to_owned();
            }
        }
        e
    })
}

async fn adding(password: String, name: String) -> Result<PasskeyAdded, ApiError> {
    shared::rules::check_passkey_name(&name).map_err(|e| ApiError::validation(vec![e]))?;
    webauthn::require_support()?;
    let url = format!("{BASE}/account/passkeys/registration");
    let confirmation = PasswordConfirmation { password };
    let begun = begin(with_json(Request::post(&url), &confirmation)).await?;
    let credential = webauthn::create(&begun.options).await?;
    let builder = Request::post(&format!("{BASE}/account/passkeys"));
    finish(builder, &begun, &credential, &[("name", &name)]).await
}

/// Signs in with a passkey and no password.
pub async fn sign_in_with_passkey() -> Result<Me, ApiError> {
    webauthn::require_support()?;
    let url = format!("{BASE}/session/passkey");
    let begun = begin(Ok(Request::post(&url).build().map_err(unreachable)?)).await?;
    let credential = webauthn::get(&begun.options).await?;
    finish(Request::put(&url), &begun, &credential, &[]).await
}

/// Finishes a sign-in whose password was right with a passkey as its second factor.
pub async fn second_factor_with_passkey() -> Result<Me, ApiError> {
    webauthn::require_support()?;
    let url = format!("{BASE}/session/second-factor/passkey");
    let begun = begin(Ok(Request::post(&url).build().map_err(unreachable)?)).await?;
    let credential = webauthn::get(&begun.options).await?;
    finish(Request::put(&url), &begun, &credential, &[]).await
}

/// `GET /account/passkeys`
pub async fn list_passkeys() -> Result<Vec<PasskeyInfo>, ApiError> {
    get(&format!("{BASE}/account/passkeys")).await
}

/// `DELETE /account/passkeys/{id}`
pub async fn remove_passkey(id: i64, confirmation: &PasswordConfirmation) -> Result<(), ApiError> {
    let url = format!("{BASE}/account/passkeys/{id}");
    let request = with_json(Request::delete(&url), confirmation)?;
    no_content(request.send().await.map_err(unreachable)?).await
}

/// `GET /account/security-events`
pub async fn security_events() -> Result<Vec<SecurityEvent>, ApiError> {
    get(&format!("{BASE}/account/security-events")).await
}

/// `PUT /consultations/{slug}/convener-passkeys`
pub async fn set_passkey_rule(slug: &str, required: bool) -> Result<Consultation, ApiError> {
    let url = consultation_url(slug, "convener-passkeys");
    send(Request::put(&url), &PasskeyRule { required }).await
}
