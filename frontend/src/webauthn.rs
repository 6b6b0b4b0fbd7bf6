//! The browser's WebAuthn, through `PublicKeyCredential`'s JSON methods (WebAuthn Level 3:
//! `parseCreationOptionsFromJSON`, `parseRequestOptionsFromJSON`, `toJSON`), so that the
//! server's options and the authenticator's answer pass as they are: nothing about WebAuthn's
//! binary fields is decoded or re-encoded here. No third-party script is involved.

use js_sys::{Function, Object, Promise, Reflect};
use shared::{ApiError, ErrorCode};
use wasm_bindgen::{JsCast, JsValue};

fn property(of: &JsValue, name: &str) -> JsValue {
    Reflect::get(of, &JsValue::from_str(name)).unwrap_or(JsValue::UNDEFINED)
}

fn global(name: &str) -> JsValue {
    property(&js_sys::global(), name)
}

/// Whether this browser can make and use passkeys here.
pub fn supported() -> bool {
    let credential = global("PublicKeyCredential");
    !credential.is_undefined()
        && property(&credential, "parseCreationOptionsFromJSON").is_function()
        && !property(&global("navigator"), "credentials").is_undefined()
}

/// Refuses, in words a person can act on, when this browser has no passkeys.
pub fn require_support() -> Result<(), ApiError> {
    if supported() {
        Ok(())
    } else {
        Err(ApiError::new(
            ErrorCode::PasskeysUnavailable,
            "This browser cannot use passkeys here. Use an up-to-date browser, on Concord's \
             HTTPS address.",
        ))
    }
}

/// `navigator.credentials.create()` with `options` (`PublicKeyCredentialCreationOptionsJSON`);
/// the new credential's `toJSON()`.
pub async fn create(options: &JsValue) -> Result<JsValue, ApiError> {
    ceremony(options, "parseCreationOptionsFromJSON", "create").await
}

/// `navigator.credentials.get()` with `options` (`PublicKeyCredentialRequestOptionsJSON`); the
/// assertion's `toJSON()`.
pub async fn get(options: &JsValue) -> Result<JsValue, ApiError> {
    ceremony(options, "parseRequestOptionsFromJSON", "get").await
}

async fn ceremony(options: &JsValue, parse: &str, method: &str) -> Result<JsValue, ApiError> {
    let class = global("PublicKeyCredential");
    let unsupported = |_| {
        require_support()
            .err()
            .unwrap_or_else(|| refused("unsupported"))
    };
    let parse: Function = property(&class, parse).dyn_into().map_err(unsupported)?;
    let public_key = parse
        .call1(&class, options)
        .map_err(|_| refused("options"))?;
    let request = Object::new();
    Reflect::set(&request, &JsValue::from_str("publicKey"), &public_key)
        .map_err(|_| refused("options"))?;
    let container = property(&global("navigator"), "credentials");
    let call: Function = property(&container, method)
        .dyn_into()
        .map_err(unsupported)?;
    let promise: Promise = call
        .call1(&container, &request)
        .and_then(JsCast::dyn_into)
        .map_err(failed)?;
    let credential = wasm_bindgen_futures::JsFuture::from(promise)
        .await
        .map_err(failed)?;
    let to_json: Function = property(&credential, "toJSON")
        .dyn_into()
        .map_err(unsupported)?;
    to_json.call0(&credential).map_err(|_| refused("answer"))
}

/// What the browser's refusal means for the person: cancelled or timed out, a passkey this
/// device holds already, or a site the browser will not make passkeys for.
fn failed(error: JsValue) -> ApiError {
    let name = property(&error, "name").as_string().unwrap_or_default();
    match name.as_str() {
        "InvalidStateError" => ApiError::new(
            ErrorCode::PasskeyTaken,
            "This device holds a passkey for this account already.",
        ),
        "SecurityError" | "NotSupportedError" => require_support()
            .err()
            .unwrap_or_else(|| ApiError::new(ErrorCode::PasskeysUnavailable, name)),
        _ => refused(&name),
    }
}

fn refused(why: &str) -> ApiError {
    ApiError::new(
        ErrorCode::PasskeyRefused,
        format!("The passkey request was cancelled or did not finish ({why})."),
    )
}
