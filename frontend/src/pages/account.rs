//! Sign in and sign up: a handle and a password, nothing else.

use crate::api;
use crate::components::{ErrorNotice, TextField, general_error};
use crate::i18n::use_i18n;
use crate::use_session;
use leptos::prelude::*;
use leptos_i18n::t_string;
use leptos_router::components::A;
use leptos_router::hooks::{use_navigate, use_query_map};
use shared::{Credentials, Me};

/// The sign-in form, or the sign-up form when `sign_up` is true.
#[component]
pub fn Account(
    /// Create an account rather than sign in.
    sign_up: bool,
) -> impl IntoView {
    let session = use_session();
    let navigate = use_navigate();
    let query = use_query_map();
    // Only a path on this site, never another origin.
    let next = move || {
        query
            .read()
            .get("next")
            .filter(|n| n.starts_with('/') && !n.starts_with("//"))
            .unwrap_or_else(|| "/".to_owned())
    };
    let handle = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let submit_action = Action::new_local(move |c: &Credentials| {
        let c = c.clone();
        async move {
            if sign_up {
                api::sign_up(&c).await
            } else {
                api::sign_in(&c).await
            }
        }
    });
    let error = Signal::derive(move || submit_action.value().get().and_then(Result::err));
    Effect::new(move |_| {
        if let Some(Ok(me)) = submit_action.value().get() {
            session.me.set(Some::<Me>(me));
            navigate(&next(), Default::default());
        }
    });
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        submit_action.dispatch(Credentials {
            handle: handle.get_untracked(),
            password: password.get_untracked(),
        });
    };
    let i18n = use_i18n();
    let other_href = if sign_up { "/signin" } else { "/signup" };

    view! {
        <h1>{move || if sign_up { t_string!(i18n, sign_up) } else { t_string!(i18n, sign_in) }}</h1>
        <form class="account-form" id="account-form" on:submit=on_submit novalidate>
            <TextField name="handle" label=move || t_string!(i18n, handle) help=move || t_string!(i18n, handle_help)
                autocomplete="username" value=handle error />
            <TextField name="password" label=move || t_string!(i18n, password)
                help=move || t_string!(i18n, password_help) kind="password"
                autocomplete=if sign_up { "new-password" } else { "current-password" }
                value=password error />
            <ErrorNotice error=general_error(error) />
            <button type="submit" id="account-submit" disabled=move || submit_action.pending().get()>
                {move || if sign_up { t_string!(i18n, create_account) } else { t_string!(i18n, sign_in) }}
            </button>
        </form>
        <p>
            {move || if sign_up { t_string!(i18n, have_account) } else { t_string!(i18n, no_account) }}" "
            <A href=move || format!("{other_href}?next={}", js_sys::encode_uri_component(&next()))>
                {move || if sign_up { t_string!(i18n, sign_in) } else { t_string!(i18n, sign_up) }}
            </A>
        </p>
    }
}
