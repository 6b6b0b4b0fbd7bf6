//! The signed-in participant's own account: password and signed-in sessions.

use crate::api;
use crate::components::{ErrorNotice, Loading, TextField, errors_fallback, general_error};
use crate::i18n::{self, use_i18n};
use crate::{account_href, use_session};
use leptos::prelude::*;
use leptos_i18n::{t, t_string};
use leptos_router::hooks::use_navigate;
use shared::{ApiError, PasswordChange, PasswordConfirmation, SessionInfo};

/// The account settings page.
#[component]
pub fn Settings() -> impl IntoView {
    let i18n = use_i18n();
    let session = use_session();
    view! {
        <h1>{t!(i18n, account_title)}</h1>
        {move || match session.me.get() {
            None => view! {
                <p class="notice"><a href=account_href("/signin")>{t!(i18n, sign_in_to_see_account)}</a></p>
            }
            .into_any(),
            Some(_) => view! { <PasswordForm /> <Sessions /> <YourData /> <DeleteAccount /> }.into_any(),
        }}
    }
}

/// Change the password, proving the current one.
#[component]
fn PasswordForm() -> impl IntoView {
    let i18n = use_i18n();
    let current = RwSignal::new(String::new());
    let new = RwSignal::new(String::new());
    let end_others = RwSignal::new(true);
    let change = Action::new_local(|c: &PasswordChange| {
        let c = c.clone();
        async move { api::change_password(&c).await }
    });
    let error = Signal::derive(move || change.value().get().and_then(Result::err));
    let done = move || matches!(change.value().get(), Some(Ok(())));
    Effect::new(move |_| {
        if matches!(change.value().get(), Some(Ok(()))) {
            current.set(String::new());
            new.set(String::new());
        }
    });
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        change.dispatch(PasswordChange {
            current_password: current.get_untracked(),
            new_password: new.get_untracked(),
            end_other_sessions: end_others.get_untracked(),
        });
    };
    view! {
        <section aria-labelledby="password-heading">
            <h2 id="password-heading">{t!(i18n, change_password)}</h2>
            <form id="password-form" on:submit=submit novalidate>
                <TextField name="current_password" kind="password" autocomplete="current-password"
                    label=move || t_string!(i18n, current_password)
                    help=move || t_string!(i18n, current_password_help) value=current error />
                <TextField name="new_password" kind="password" autocomplete="new-password"
                    label=move || t_string!(i18n, new_password)
                    help=move || t_string!(i18n, password_help) value=new error />
                <label class="choice">
                    <input type="checkbox" id="end_other_sessions"
                        prop:checked=move || end_others.get()
                        on:change=move |ev| end_others.set(event_target_checked(&ev)) />
                    {t!(i18n, end_other_sessions)}
                </label>
                <ErrorNotice error=general_error(error) />
                <button type="submit" id="save-password" disabled=move || change.pending().get()>
                    {t!(i18n, save_password)}
                </button>
                <p role="status" class="status" id="password-status">
                    {move || done().then(|| t_string!(i18n, password_changed))}
                </p>
            </form>
        </section>
    }
}

/// The account's sessions, each but this one with a way to end it.
#[component]
fn Sessions() -> impl IntoView {
    let i18n = use_i18n();
    let end = Action::new_local(|id: &String| {
        let id = id.clone();
        async move { api::end_session(&id).await }
    });
    let sessions = LocalResource::new(move || {
        end.version().get();
        api::list_sessions()
    });
    let ended = move || matches!(end.value().get(), Some(Ok(())));
    view! {
        <section aria-labelledby="sessions-heading">
            <h2 id="sessions-heading">{t!(i18n, sessions)}</h2>
            <p class="help">{t!(i18n, sessions_help)}</p>
            <ErrorNotice error=Signal::derive(move || end.value().get().and_then(Result::err)) />
            <p role="status" class="status">{move || ended().then(|| t_string!(i18n, session_ended))}</p>
            <Transition fallback=Loading>
                <ErrorBoundary fallback=errors_fallback>
                    {move || Suspend::new(async move {
                        sessions.await.map(|list| view! {
                            <ul class="session-list" id="sessions">
                                {list.into_iter().map(|s| view! { <SessionItem session=s end /> }).collect_view()}
                            </ul>
                        })
                    })}
                </ErrorBoundary>
            </Transition>
        </section>
    }
}

/// One session: when it started and was last used, and a way to end it.
#[component]
fn SessionItem(
    /// The session.
    session: SessionInfo,
    /// Ends a session by id.
    end: Action<String, Result<(), ApiError>>,
) -> impl IntoView {
    let i18n = use_i18n();
    let SessionInfo {
        id,
        created_at_ms,
        last_seen_at_ms,
        current,
    } = session;
    let confirm_and_end = move |_| {
        let question = t_string!(i18n, confirm_end_session);
        let confirmed = window().confirm_with_message(question).unwrap_or(false);
        if confirmed {
            end.dispatch(id.clone());
        }
    };
    view! {
        <li class="session">
            <span>
                {move || {
                    let locale = i18n.get_locale();
                    i18n::session_line(
                        locale,
                        &i18n::format_date(locale, created_at_ms),
                        &i18n::format_date(locale, last_seen_at_ms),
                    )
                }}
            </span>
            {if current {
                view! { <strong class="this-device">{t!(i18n, this_device)}</strong> }.into_any()
            } else {
                view! {
                    <button type="button" class="end-session" on:click=confirm_and_end>
                        {t!(i18n, end_session)}
                    </button>
                }
                .into_any()
            }}
        </li>
    }
}

/// A download of everything held about the account.
#[component]
fn YourData() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <section aria-labelledby="data-heading">
            <h2 id="data-heading">{t!(i18n, your_data)}</h2>
            <p class="help">{t!(i18n, your_data_help)}</p>
            <p><a href=api::EXPORT_URL download id="download-data">{t!(i18n, download_data)}</a></p>
        </section>
    }
}

/// Deleting the account, with the password and a confirmation.
#[component]
fn DeleteAccount() -> impl IntoView {
    let i18n = use_i18n();
    let session = use_session();
    let navigate = use_navigate();
    let password = RwSignal::new(String::new());
    let delete = Action::new_local(|d: &PasswordConfirmation| {
        let d = d.clone();
        async move { api::delete_account(&d).await }
    });
    let error = Signal::derive(move || delete.value().get().and_then(Result::err));
    Effect::new(move |_| {
        if matches!(delete.value().get(), Some(Ok(()))) {
            session.me.set(None);
            navigate("/", Default::default());
        }
    });
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let question = t_string!(i18n, confirm_delete_account);
        if window().confirm_with_message(question).unwrap_or(false) {
            delete.dispatch(PasswordConfirmation {
                password: password.get_untracked(),
            });
        }
    };
    view! {
        <section aria-labelledby="delete-heading">
            <h2 id="delete-heading">{t!(i18n, delete_account)}</h2>
            <p class="help">{t!(i18n, delete_account_help)}</p>
            <form id="delete-form" on:submit=submit novalidate>
                <TextField name="password" kind="password" autocomplete="current-password"
                    label=move || t_string!(i18n, password_to_confirm)
                    help=move || t_string!(i18n, current_password_help) value=password error />
                <ErrorNotice error=general_error(error) />
                <button type="submit" class="danger" id="delete-account" disabled=move || delete.pending().get()>
                    {t!(i18n, delete_account_button)}
                </button>
            </form>
        </section>
    }
}
