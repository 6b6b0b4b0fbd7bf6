//! Every call the browser makes to the server, through gloo-net. A non-2xx answer is decoded into
//! the API's [`ApiError`]; a network failure becomes an `internal` error the page can explain.
//!
//! JSON is read and written by the browser itself (`Response.json()`, `JSON.stringify`) and
//! crosses into Rust through serde-wasm-bindgen, so the wasm carries no JSON parser or writer.

use gloo_net::http::{Request, RequestBuilder, Response};
use serde::Serialize;
use serde::de::DeserializeOwned;
use shared::{ApiError, ErrorCode};

mod account;
mod clauses;
mod comments;
mod consultations;
mod convening;
mod organisations;
mod passkeys;
mod reminders;
mod rounds;

pub use account::{
    EXPORT_URL, begin_two_factor, change_password, change_profile, complete_sign_in,
    confirm_two_factor, delete_account, disable_two_factor, end_session, get_profile, get_session,
    list_memberships, list_sessions, session_sent_with_page, sign_in, sign_out, sign_up,
};
pub use clauses::{
    add_clause, attach_minority_statement, cast_position, designate_consensus, edit_clause,
    get_clause, remove_clause, remove_translation, translate_clause,
};
pub use comments::{
    all_comments, comment_versions, edit_comment, flag_comment, follow_comments, list_comments,
    moderate_comment, moderation_log, moderation_queue, post_comment, propose, respond_to_comment,
    respond_to_proposal,
};
pub use consultations::{
    archive_consultation, change_consultation, create_consultation, get_consultation,
    import_record, join_consultation, list_consultations, preview_text, record_url,
};
pub use convening::{
    accept_invitation, add_convener, create_invitation, dashboard, follow_tallies, list_conveners,
    list_invitations, preview_invitation, remove_convener, revoke_invitation, set_access,
};
pub use organisations::{
    accept_membership, create_organisation, list_membership_requests, list_organisations,
    request_membership, set_representative, verify_organisation,
};
pub use passkeys::{
    add_passkey, list_passkeys, remove_passkey, second_factor_with_passkey, security_events,
    set_passkey_rule, sign_in_with_passkey,
};
pub use reminders::{
    delete_email_address, email_settings, set_email_address, set_reminders, unsubscribe,
    verify_email_address,
};
pub use rounds::{
    get_round, move_phase, open_round, reorder_clauses, round_redline, round_results, set_rules,
    set_schedule,
};

const BASE: &str = shared::first_text::API_BASE;

thread_local! {
    /// The answers the server sent with the page (see `shared::first_text`), by path: each is
    /// taken once, by the first page's first read of it. `None` until first looked at.
    static PRELOADED: std::cell::RefCell<Option<js_sys::Object>> =
        const { std::cell::RefCell::new(None) };
}

/// The answers sent with the page, read from the document once.
fn preloaded() -> js_sys::Object {
    PRELOADED.with_borrow_mut(|kept| {
        kept.get_or_insert_with(|| {
            leptos::prelude::document()
                .get_element_by_id(shared::first_text::PRELOADED_ID)
                .and_then(|e| e.text_content())
                .and_then(|text| js_sys::JSON::parse(&text).ok())
                .and_then(|value| wasm_bindgen::JsCast::dyn_into::<js_sys::Object>(value).ok())
                .unwrap_or_default()
        })
        .clone()
    })
}

/// Whether the server sent the page with the answers it reads first.
fn sent_with_page() -> bool {
    leptos::prelude::document()
        .get_element_by_id(shared::first_text::PRELOADED_ID)
        .is_some()
}

/// The answer to `url` sent with the page, taken: a later read asks the server.
fn take_preloaded(url: &str) -> Option<wasm_bindgen::JsValue> {
    let answers = preloaded();
    let key = wasm_bindgen::JsValue::from_str(url);
    let value = js_sys::Reflect::get(&answers, &key)
        .ok()
        .filter(|v| !v.is_undefined())?;
    let _ = js_sys::Reflect::delete_property(&answers, &key);
    Some(value)
}

/// Forgets the answers sent with the page that it did not read: another page reads afresh.
pub fn forget_preloaded() {
    PRELOADED.set(Some(js_sys::Object::new()));
}

fn unreachable(err: gloo_net::Error) -> ApiError {
    ApiError::new(
        ErrorCode::Internal,
        format!("Could not reach the server: {err}"),
    )
}

/// Percent-encodes one path segment.
fn seg(s: &str) -> String {
    String::from(js_sys::encode_uri_component(s))
}

fn clause_url(slug: &str, round: &str, key: &str) -> String {
    format!(
        "{BASE}/consultations/{}/rounds/{}/clauses/{}",
        seg(slug),
        seg(round),
        seg(key)
    )
}

fn unreadable() -> ApiError {
    ApiError::new(
        ErrorCode::Internal,
        "The server's answer could not be read.",
    )
}

/// A JavaScript value (parsed JSON) as `T`.
fn from_js<T: DeserializeOwned>(value: wasm_bindgen::JsValue) -> Result<T, ApiError> {
    serde_wasm_bindgen::from_value(value).map_err(|_| unreadable())
}

/// A JSON text (a live event's data) as `T`.
pub fn from_json<T: DeserializeOwned>(text: &str) -> Result<T, ApiError> {
    from_js(js_sys::JSON::parse(text).map_err(|_| unreadable())?)
}

async fn body<T: DeserializeOwned>(response: &web_sys::Response) -> Result<T, ApiError> {
    from_js(parsed(response).await?)
}

/// The answer's JSON as the browser parsed it.
async fn parsed(response: &web_sys::Response) -> Result<wasm_bindgen::JsValue, ApiError> {
    let parsing = response.json().map_err(|_| unreadable())?;
    wasm_bindgen_futures::JsFuture::from(parsing)
        .await
        .map_err(|_| unreadable())
}

fn unwritable() -> ApiError {
    ApiError::new(ErrorCode::Internal, "The request could not be written.")
}

/// `builder` with `body` as its JSON content.
fn with_json<B: Serialize>(builder: RequestBuilder, body: &B) -> Result<Request, ApiError> {
    let value = body
        .serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .map_err(|_| unwritable())?;
    with_js(builder, &value)
}

/// `builder` with the JavaScript value `body` as its JSON content.
fn with_js(builder: RequestBuilder, body: &wasm_bindgen::JsValue) -> Result<Request, ApiError> {
    let text = js_sys::JSON::stringify(body).map_err(|_| unwritable())?;
    builder
        .header("Content-Type", "application/json")
        .body(text)
        .map_err(unreachable)
}

async fn decode<T: DeserializeOwned>(response: Response) -> Result<T, ApiError> {
    from_js(decode_js(response).await?)
}

/// An answer's JSON as the browser parsed it, or its error.
async fn decode_js(response: Response) -> Result<wasm_bindgen::JsValue, ApiError> {
    let status = response.status();
    let response = web_sys::Response::from(response);
    if response.ok() {
        return parsed(&response).await;
    }
    let error = body::<ApiError>(&response).await.unwrap_or_else(|_| {
        ApiError::new(
            ErrorCode::Internal,
            format!("The server answered {status}."),
        )
    });
    if error.code == ErrorCode::NotSignedIn {
        crate::session_ended();
    }
    Err(error)
}

async fn get<T: DeserializeOwned>(url: &str) -> Result<T, ApiError> {
    if let Some(answer) = take_preloaded(url).and_then(|value| from_js(value).ok()) {
        return Ok(answer);
    }
    decode(Request::get(url).send().await.map_err(unreachable)?).await
}

async fn send<B: Serialize, T: DeserializeOwned>(
    builder: RequestBuilder,
    body: &B,
) -> Result<T, ApiError> {
    let request = with_json(builder, body)?;
    decode(request.send().await.map_err(unreachable)?).await
}

/// Follows server-sent events named `event` at `url` for as long as the calling view lives,
/// handing each to `on` once read. A stream the browser cannot open is left alone: the page
/// still shows what it read before.
fn follow<T: DeserializeOwned + 'static>(url: &str, event: &str, mut on: impl FnMut(T) + 'static) {
    use wasm_bindgen::JsCast;
    use wasm_bindgen::closure::Closure;
    let Ok(source) = web_sys::EventSource::new(url) else {
        return;
    };
    let listener =
        Closure::<dyn FnMut(web_sys::MessageEvent)>::new(move |message: web_sys::MessageEvent| {
            if let Some(item) = message.data().as_string().and_then(|d| from_json(&d).ok()) {
                on(item);
            }
        });
    let _ = source.add_event_listener_with_callback(event, listener.as_ref().unchecked_ref());
    // The connection and its listener live as long as the view that follows.
    let kept = leptos::prelude::StoredValue::new_local((source, listener));
    leptos::prelude::on_cleanup(move || {
        use leptos::prelude::WithValue;
        kept.with_value(|(source, _)| source.close());
    });
}

/// The JSON Schema of `record.json`, a link for readers of a record.
pub const RECORD_SCHEMA_URL: &str = "/api/v1/schema/record.json";

fn consultation_url(slug: &str, rest: &str) -> String {
    format!("{BASE}/consultations/{}/{rest}", seg(slug))
}

fn round_url(slug: &str, round: &str, rest: &str) -> String {
    consultation_url(slug, &format!("rounds/{}/{rest}", seg(round)))
}

/// An answer without a body on success.
async fn no_content(response: Response) -> Result<(), ApiError> {
    if response.ok() {
        Ok(())
    } else {
        decode::<()>(response).await
    }
}
