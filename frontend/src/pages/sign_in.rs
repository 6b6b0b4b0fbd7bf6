//! Sign in and sign up: a handle and a password, nothing else; then, for accounts with
//! two-factor sign-in, a code or a passkey. Or sign in with a passkey alone.

use crate::api;
use crate::components::{ErrorNotice, SubmitButton, TextField, general_error};
use crate::i18n::use_i18n;
use crate::use_session;
use leptos::prelude::*;
use leptos_i18n::td_string;
use leptos_router::components::A;
use leptos_router::hooks::{use_navigate, use_query_map};
use shared::{Credentials, Me, OneTimeCode, SignInOutcome};

/// The sign-in form, or the sign-up form when `sign_up` is true.
#[component]
pub fn SignIn(
    /// Create an account rather than sign in.
    sign_up: bool,
) -> impl IntoView {
    let i18n = use_i18n();
    let session = use_session();
    let query = use_query_map();
    // Only a path on this site, never another origin.
    let next = move || {
        query
            .read()
            .get("next")
            .filter(|n| n.starts_with('/') && !n.starts_with("//"))
            .unwrap_or_else(|| "/".to_owned())
    };
    let signed_in = {
        let navigate = use_navigate();
        move |me: Me| {
            session.me.set(Some(me));
            navigate(&next(), Default::default());
        }
    };
    let handle = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let submit_action = Action::new_local(move |c: &Credentials| {
        let c = c.clone();
        async move {
            if sign_up {
                api::sign_up(&c).await.map(SignInOutcome::SignedIn)
            } else {
                api::sign_in(&c).await
            }
        }
    });
    let error = Signal::derive(move || submit_action.value().get().and_then(Result::err));
    // The second step, once the password was right: whether the account has a passkey for it.
    let second_step = Memo::new(move |_| match submit_action.value().get() {
        Some(Ok(SignInOutcome::SecondFactorRequired { passkey })) => Some(passkey),
        _ => None,
    });
    {
        let signed_in = signed_in.clone();
        Effect::new(move |_| {
            if let Some(Ok(SignInOutcome::SignedIn(me))) = submit_action.value().get() {
                signed_in(me);
            }
        });
    }
    let with_passkey = {
        let signed_in = signed_in.clone();
        let offered = !sign_up && crate::webauthn::supported();
        move || {
            offered.then(|| {
                let on_signed_in = signed_in.clone();
                view! { <PasskeyButton id="passkey-sign-in" on_signed_in second_factor=false /> }
            })
        }
    };
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        submit_action.dispatch(Credentials {
            handle: handle.get_untracked(),
            password: password.get_untracked(),
        });
    };
    let other_href = if sign_up { "/signin" } else { "/signup" };

    view! {
        <Show
            when=move || second_step.get().is_some()
            fallback=move || view! {
                <h1>{move || if sign_up { td_string!(i18n.get_locale(), sign_up) } else { td_string!(i18n.get_locale(), sign_in) }}</h1>
                <form class="account-form" id="account-form" on:submit=on_submit novalidate>
                    <TextField name="handle" label=move || td_string!(i18n.get_locale(), handle)
                        help=move || td_string!(i18n.get_locale(), handle_help)
                        autocomplete="username" value=handle error />
                    <TextField name="password" label=move || td_string!(i18n.get_locale(), password)
                        help=move || td_string!(i18n.get_locale(), password_help) kind="password"
                        autocomplete=if sign_up { "new-password" } else { "current-password" }
                        value=password error />
                    <ErrorNotice error=general_error(error) />
                    <SubmitButton id="account-submit" busy=Signal::derive(move || submit_action.pending().get())>
                        {move || if sign_up { td_string!(i18n.get_locale(), create_account) } else { td_string!(i18n.get_locale(), sign_in) }}
                    </SubmitButton>
                </form>
                {with_passkey()}
                <p>
                    {move || if sign_up { td_string!(i18n.get_locale(), have_account) } else { td_string!(i18n.get_locale(), no_account) }}" "
                    <A href=move || format!("{other_href}?next={}", js_sys::encode_uri_component(&next()))>
                        {move || if sign_up { td_string!(i18n.get_locale(), sign_in) } else { td_string!(i18n.get_locale(), sign_up) }}
                    </A>
                </p>
            }
        >
            <SecondFactor on_signed_in=signed_in.clone()
                passkey=second_step.get_untracked().unwrap_or(false) />
        </Show>
    }
}

/// A button signing in with a passkey: alone, or (`second_factor`) after the password.
#[component]
fn PasskeyButton(
    id: &'static str,
    /// Called with the account once the passkey is accepted.
    on_signed_in: impl Fn(Me) + Clone + 'static,
    second_factor: bool,
) -> impl IntoView {
    let i18n = use_i18n();
    let use_passkey = Action::new_local(move |_: &()| async move {
        if second_factor {
            api::second_factor_with_passkey().await
        } else {
            api::sign_in_with_passkey().await
        }
    });
    let error = Signal::derive(move || use_passkey.value().get().and_then(Result::err));
    Effect::new(move |_| {
        if let Some(Ok(me)) = use_passkey.value().get() {
            on_signed_in(me);
        }
    });
    view! {
        <div class="passkey-sign-in">
            <button type="button" id=id aria-describedby=format!("{id}-help")
                aria-disabled=move || use_passkey.pending().get().to_string()
                on:click=move |_| {
                    if !use_passkey.pending().get_untracked() {
                        use_passkey.dispatch(());
                    }
                }>
                {move || if second_factor {
                    td_string!(i18n.get_locale(), use_passkey)
                } else {
                    td_string!(i18n.get_locale(), sign_in_with_passkey)
                }}
            </button>
            <p class="help" id=format!("{id}-help")>{move || if second_factor {
                td_string!(i18n.get_locale(), passkey_second_factor_help)
            } else {
                td_string!(i18n.get_locale(), passkey_sign_in_help)
            }}</p>
            <ErrorNotice error />
        </div>
    }
}

/// The second step of a sign-in whose password was right: a code, or a passkey.
#[component]
fn SecondFactor(
    /// Called with the account once the code is accepted.
    on_signed_in: impl Fn(Me) + Clone + 'static,
    /// The account has a passkey: it is offered first.
    passkey: bool,
) -> impl IntoView {
    let i18n = use_i18n();
    let code = RwSignal::new(String::new());
    let complete = Action::new_local(|c: &OneTimeCode| {
        let c = c.clone();
        async move { api::complete_sign_in(&c).await }
    });
    let error = Signal::derive(move || complete.value().get().and_then(Result::err));
    let passkey = passkey && crate::webauthn::supported();
    let with_passkey = passkey.then(|| {
        view! { <PasskeyButton id="passkey-second-factor" on_signed_in=on_signed_in.clone() second_factor=true /> }
    });
    // The page opens on its own heading, so that a screen reader and the keyboard start there.
    crate::sections::discussion::focus_element("second-factor-heading".to_owned());
    Effect::new(move |_| {
        if let Some(Ok(me)) = complete.value().get() {
            on_signed_in(me);
        }
    });
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        complete.dispatch(OneTimeCode {
            code: code.get_untracked(),
        });
    };
    view! {
        <h1 id="second-factor-heading" tabindex="-1">{move || if passkey {
            td_string!(i18n.get_locale(), second_factor_title_passkey)
        } else {
            td_string!(i18n.get_locale(), second_factor_title)
        }}</h1>
        {with_passkey}
        <form id="code-form" on:submit=submit novalidate>
            <TextField name="code" autocomplete="one-time-code"
                label=move || td_string!(i18n.get_locale(), code) help=move || td_string!(i18n.get_locale(), code_help)
                value=code error />
            <ErrorNotice error=general_error(error) />
            <SubmitButton id="code-submit" busy=Signal::derive(move || complete.pending().get())>
                {move || td_string!(i18n.get_locale(), continue_sign_in)}
            </SubmitButton>
        </form>
    }
}
