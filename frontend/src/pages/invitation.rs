//! Accepting an invitation link. The link is `/invitation#TOKEN`: the part after `#` never
//! reaches the server, so it appears in no log. The page moves the token into this tab's session
//! storage and removes it from the address bar, so that signing up or in on the way keeps it
//! and the browser's history does not.

use crate::account_href;
use crate::api;
use crate::components::{ErrorNotice, Loading};
use crate::i18n::{self, tr, use_i18n};
use crate::use_session;
use leptos::prelude::*;
use leptos_router::components::A;
use shared::{ErrorCode, InvitationPreview, InvitationStatus, InvitationToken};

const STORAGE_KEY: &str = "concord.invitation";

fn session_storage() -> Option<web_sys::Storage> {
    web_sys::window()?.session_storage().ok()?
}

/// The token of the invitation being accepted: from the address (then moved into session
/// storage) or from session storage after a detour through signing in.
fn take_token() -> Option<String> {
    let window = web_sys::window()?;
    let hash = window.location().hash().ok().unwrap_or_default();
    let from_address = hash.trim_start_matches('#').trim().to_owned();
    let storage = session_storage();
    if !from_address.is_empty() {
        if let Some(storage) = &storage {
            let _ = storage.set_item(STORAGE_KEY, &from_address);
        }
        if let Ok(history) = window.history() {
            let _ = history.replace_state_with_url(
                &wasm_bindgen::JsValue::NULL,
                "",
                Some("/invitation"),
            );
        }
        return Some(from_address);
    }
    storage?.get_item(STORAGE_KEY).ok()?
}

fn forget_token() {
    if let Some(storage) = session_storage() {
        let _ = storage.remove_item(STORAGE_KEY);
    }
}

/// The invitation page. A second link opened in the same tab (only the part after `#`
/// changes, so the page is not loaded again) replaces the first.
#[component]
pub fn InvitationPage() -> impl IntoView {
    let i18n = use_i18n();
    let token = RwSignal::new(take_token());
    let changed = window_event_listener(leptos::ev::hashchange, move |_| {
        if let Some(next) = take_token() {
            token.set(Some(next));
        }
    });
    on_cleanup(move || changed.remove());
    let preview = LocalResource::new(move || {
        let token = token.get();
        async move {
            match token {
                Some(token) => api::preview_invitation(&InvitationToken { token })
                    .await
                    .map(Some),
                None => Ok(None),
            }
        }
    });
    view! {
        <h1>{tr!(i18n, invitation_title)}</h1>
        <Transition fallback=Loading>
            {move || Suspend::new(async move {
                match (preview.await, token.get_untracked()) {
                    (Ok(Some(p)), Some(token)) => {
                        view! { <Offer preview=p token=InvitationToken { token } /> }.into_any()
                    }
                    (Ok(_), _) => view! {
                        <p class="notice" id="invitation-missing">{tr!(i18n, invitation_missing)}</p>
                    }.into_any(),
                    // A token the server does not know: mistyped, cut short, or made up.
                    (Err(e), _) if e.code == ErrorCode::NotFound => view! {
                        <p class="notice error" role="alert" id="invitation-invalid">
                            {tr!(i18n, invitation_invalid)}
                        </p>
                    }.into_any(),
                    (Err(e), _) => view! { <ErrorNotice error=Signal::derive(move || Some(e.clone())) /> }.into_any(),
                }
            })}
        </Transition>
    }
}

/// What the invitation offers, and the way to accept it.
#[component]
fn Offer(preview: InvitationPreview, token: InvitationToken) -> impl IntoView {
    let i18n = use_i18n();
    let session = use_session();
    let accept = Action::new_local(move |_: &()| {
        let token = token.clone();
        async move { api::accept_invitation(&token).await }
    });
    Effect::new(move |_| {
        if let Some(Ok(_)) = accept.value().get() {
            forget_token();
        }
    });
    let group = preview.stakeholder_group;
    let expires = preview.expires_at_ms;
    let title = preview.consultation_title.clone();
    let href = format!("/c/{}", preview.consultation_slug);
    let organisation = preview.organisation_name.clone();
    let signed_in = Memo::new(move |_| session.me.get().is_some());
    let status = preview.status;
    view! {
        <div class="card" id="invitation">
            <p class="lead">{tr!(i18n, invitation_to)}" "<strong>{title.clone()}</strong></p>
            <p>
                {tr!(i18n, invitation_group)}" "
                <strong id="invitation-group">{move || i18n::group_name(i18n.get_locale(), group)}</strong>
                {organisation.map(|o| view! { " · "{tr!(i18n, invitation_organisation)}" "<strong>{o}</strong> })}
            </p>
            {match status {
                InvitationStatus::Sent => view! {
                    <p class="meta">
                        {tr!(i18n, invitation_valid_until)}" "
                        {move || i18n::format_date(i18n.get_locale(), expires)}
                    </p>
                }.into_any(),
                InvitationStatus::Accepted => view! {
                    <p class="notice" id="invitation-status">{tr!(i18n, error_invitation_used)}</p>
                }.into_any(),
                InvitationStatus::Expired => view! {
                    <p class="notice" id="invitation-status">{tr!(i18n, error_invitation_expired)}</p>
                }.into_any(),
                InvitationStatus::Revoked => view! {
                    <p class="notice" id="invitation-status">{tr!(i18n, error_invitation_revoked)}</p>
                }.into_any(),
            }}
        </div>
        {move || match (status, signed_in.get()) {
            (InvitationStatus::Sent, false) => view! {
                <p class="notice">
                    {tr!(i18n, invitation_sign_in_first)}" "
                    <a href=account_href("/signup") id="invitation-sign-up">{tr!(i18n, create_account)}</a>
                    " · "
                    <a href=account_href("/signin")>{tr!(i18n, sign_in)}</a>
                </p>
            }.into_any(),
            (InvitationStatus::Sent, true) => {
                let href = href.clone();
                view! {
                    <ErrorNotice error=Signal::derive(move || accept.value().get().and_then(Result::err)) />
                    {move || match accept.value().get() {
                        Some(Ok(_)) => view! {
                            <p class="notice success" role="status" id="invitation-accepted">
                                {tr!(i18n, invitation_accepted)}" "
                                <A href=href.clone()>{tr!(i18n, invitation_go)}</A>
                            </p>
                        }.into_any(),
                        _ => view! {
                            <button type="button" id="accept-invitation"
                                on:click=move |_| { accept.dispatch(()); }
                                disabled=move || accept.pending().get()>
                                {tr!(i18n, accept_invitation)}
                            </button>
                        }.into_any(),
                    }}
                }.into_any()
            }
            _ => ().into_any(),
        }}
    }
}
