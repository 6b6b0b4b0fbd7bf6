//! The pages the links in Concord's messages open: verifying an address (`/email/verify#TOKEN`)
//! and stopping a kind of reminder (`/unsubscribe#TOKEN`). The token comes after `#`, so it
//! never reaches the server's logs; the page takes it out of the address bar at once.

use crate::api;
use crate::components::ErrorNotice;
use crate::i18n::{tr, use_i18n};
use leptos::prelude::*;
use leptos_router::components::A;
use shared::{ApiError, ErrorCode};

/// The token after `#` in the address, removed from the address bar (and so from history).
fn take_token(path: &str) -> Option<String> {
    let window = web_sys::window()?;
    let hash = window.location().hash().ok().unwrap_or_default();
    let token = hash.trim_start_matches('#').trim().to_owned();
    if let Ok(history) = window.history() {
        let _ = history.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(path));
    }
    (!token.is_empty()).then_some(token)
}

/// Where a link's page stands.
#[derive(Clone)]
enum Outcome {
    Working,
    Done,
    Failed(ApiError),
}

/// `/email/verify#TOKEN`: verifies the address at once (the link was asked for).
#[component]
pub fn EmailVerifyPage() -> impl IntoView {
    let i18n = use_i18n();
    let token = take_token("/email/verify");
    let outcome = RwSignal::new(Outcome::Working);
    if let Some(token) = token.clone() {
        leptos::task::spawn_local(async move {
            outcome.set(match api::verify_email_address(token).await {
                Ok(()) => Outcome::Done,
                Err(e) => Outcome::Failed(e),
            });
        });
    }
    view! {
        <h1>{tr!(i18n, verify_title)}</h1>
        {match token {
            None => view! { <p class="notice" id="link-missing">{tr!(i18n, email_link_missing)}</p> }.into_any(),
            Some(_) => view! {
                <div role="status" id="verify-status">
                    {move || match outcome.get() {
                        Outcome::Working => view! { <p>{tr!(i18n, verify_working)}</p> }.into_any(),
                        Outcome::Done => view! { <p class="success" id="verified">{tr!(i18n, verify_done)}</p> }.into_any(),
                        Outcome::Failed(e) if e.code == ErrorCode::NotFound => view! {
                            <p class="error" id="link-unknown">{tr!(i18n, email_link_unknown)}</p>
                        }.into_any(),
                        Outcome::Failed(e) => view! { <ErrorNotice error=Signal::derive(move || Some(e.clone())) /> }.into_any(),
                    }}
                </div>
            }.into_any(),
        }}
        <p><A href="/account#reminders">{tr!(i18n, go_to_account)}</A></p>
    }
}

/// `/unsubscribe#TOKEN`: asks before stopping (a link scanner opening the page stops nothing).
#[component]
pub fn UnsubscribePage() -> impl IntoView {
    let i18n = use_i18n();
    let token = take_token("/unsubscribe");
    let stop = Action::new_local(|token: &String| {
        let token = token.clone();
        async move { api::unsubscribe(&token).await }
    });
    let error = Signal::derive(move || stop.value().get().and_then(Result::err));
    let unknown = move || error.get().is_some_and(|e| e.code == ErrorCode::NotFound);
    let done = move || matches!(stop.value().get(), Some(Ok(())));
    // The button goes once answered: the focus goes to what the answer says.
    Effect::new(move |_| {
        if stop.value().get().is_some() {
            let target = if unknown() {
                "link-unknown"
            } else {
                "unsubscribe-status"
            };
            crate::sections::discussion::focus_element(target.to_owned());
        }
    });
    view! {
        <h1>{tr!(i18n, unsubscribe_title)}</h1>
        {match token {
            None => view! { <p class="notice" id="link-missing">{tr!(i18n, email_link_missing)}</p> }.into_any(),
            Some(token) => view! {
                {move || (!unknown()).then(|| view! { <p class="help">{tr!(i18n, unsubscribe_help)}</p> })}
                <p role="status" id="unsubscribe-status" tabindex="-1">
                    {move || done().then(|| view! { <span class="success">{tr!(i18n, unsubscribe_done)}</span> })}
                </p>
                {move || if unknown() {
                    view! { <p class="error" id="link-unknown" tabindex="-1">{tr!(i18n, email_link_unknown)}</p> }.into_any()
                } else {
                    view! { <ErrorNotice error /> }.into_any()
                }}
                {move || (!done() && !unknown()).then(|| {
                    let token = token.clone();
                    view! {
                        <button type="button" id="unsubscribe" on:click=move |_| { stop.dispatch(token.clone()); }>
                            {tr!(i18n, unsubscribe_title)}
                        </button>
                    }
                })}
            }.into_any(),
        }}
        <p><A href="/account#reminders">{tr!(i18n, go_to_account)}</A></p>
    }
}
