//! The signed-in participant's own account: password, passkeys, authenticator app, signed-in
//! sessions and security events.

use crate::api;
use crate::components::{
    ErrorNotice, Loading, SubmitButton, TextField, confirmed, errors_fallback, general_error,
};
use crate::i18n::{self, tr, use_i18n};
use crate::sections::passkeys::{Passkeys, SecurityEvents};
use crate::sections::reminders::EmailReminders;
use crate::{account_href, use_session};
use leptos::prelude::*;
use leptos_i18n::td_string;
use leptos_router::hooks::use_navigate;
use shared::{
    ApiError, MembershipStatus, OneTimeCode, PasswordChange, PasswordConfirmation, ProfileChange,
    SessionInfo,
};

/// The account settings page.
#[component]
pub fn AccountPage() -> impl IntoView {
    let i18n = use_i18n();
    let session = use_session();
    // Only signing in or out re-renders the page; a change to the account (two-factor on) must
    // not reset the forms below.
    let signed_in = Memo::new(move |_| session.me.get().is_some());
    // Bumped by each change of a second factor, which the security events then show.
    let changed = RwSignal::new(0u32);
    view! {
        <h1>{tr!(i18n, account_title)}</h1>
        {move || if signed_in.get() {
            view! {
                <PasswordForm />
                <Passkeys changed />
                <TwoFactor changed />
                <ShownOrganisation />
                <EmailReminders />
                <Sessions />
                <SecurityEvents changed />
                <YourData />
                <DeleteAccount />
            }
            .into_any()
        } else {
            view! {
                <p class="notice"><a href=account_href("/signin")>{tr!(i18n, sign_in_to_see_account)}</a></p>
            }
            .into_any()
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
            <h2 id="password-heading">{tr!(i18n, change_password)}</h2>
            <form id="password-form" on:submit=submit novalidate>
                <TextField name="current_password" kind="password" autocomplete="current-password"
                    label=move || td_string!(i18n.get_locale(), current_password)
                    help=move || td_string!(i18n.get_locale(), current_password_help) value=current error />
                <TextField name="new_password" kind="password" autocomplete="new-password"
                    label=move || td_string!(i18n.get_locale(), new_password)
                    help=move || td_string!(i18n.get_locale(), password_help) value=new error />
                <label class="choice">
                    <input type="checkbox" id="end_other_sessions"
                        prop:checked=move || end_others.get()
                        on:change=move |ev| end_others.set(event_target_checked(&ev)) />
                    {tr!(i18n, end_other_sessions)}
                </label>
                <ErrorNotice error=general_error(error) />
                <SubmitButton id="save-password" busy=Signal::derive(move || change.pending().get())>
                    {tr!(i18n, save_password)}
                </SubmitButton>
                <p role="status" class="status" id="password-status">
                    {move || done().then(|| td_string!(i18n.get_locale(), password_changed))}
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
            <h2 id="sessions-heading">{tr!(i18n, sessions)}</h2>
            <p class="help">{tr!(i18n, sessions_help)}</p>
            <ErrorNotice error=Signal::derive(move || end.value().get().and_then(Result::err)) />
            <p role="status" class="status">{move || ended().then(|| td_string!(i18n.get_locale(), session_ended))}</p>
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
        if confirmed(td_string!(i18n.get_locale(), confirm_end_session)) {
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
                view! { <strong class="this-device">{tr!(i18n, this_device)}</strong> }.into_any()
            } else {
                view! {
                    <button type="button" class="end-session" on:click=confirm_and_end>
                        {tr!(i18n, end_session)}
                    </button>
                }
                .into_any()
            }}
        </li>
    }
}

/// Which organisation, if any, appears next to the handle on public pages.
#[component]
fn ShownOrganisation() -> impl IntoView {
    let i18n = use_i18n();
    let save = Action::new_local(|change: &ProfileChange| {
        let change = change.clone();
        async move { api::change_profile(&change).await }
    });
    let data = LocalResource::new(|| async {
        let profile = api::get_profile().await?;
        let memberships = api::list_memberships().await?;
        Ok::<_, ApiError>((profile, memberships))
    });
    let chosen = RwSignal::new(String::new());
    let error = Signal::derive(move || save.value().get().and_then(Result::err));
    let saved = move || matches!(save.value().get(), Some(Ok(_)));
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let slug = chosen.get_untracked();
        save.dispatch(ProfileChange {
            shown_organisation: (!slug.is_empty()).then_some(slug),
        });
    };
    view! {
        <section aria-labelledby="shown-organisation-heading">
            <h2 id="shown-organisation-heading">{tr!(i18n, shown_organisation)}</h2>
            <Transition fallback=Loading>
                <ErrorBoundary fallback=errors_fallback>
                    {move || Suspend::new(async move {
                        data.await.map(|(profile, memberships)| {
                            chosen.set(profile.shown_organisation.unwrap_or_default());
                            let mine: Vec<_> = memberships
                                .into_iter()
                                .filter(|m| m.status == MembershipStatus::Member)
                                .collect();
                            if mine.is_empty() {
                                return view! { <p class="empty">{tr!(i18n, shown_organisation_none)}</p> }.into_any();
                            }
                            view! {
                                <form id="shown-organisation-form" on:submit=submit novalidate>
                                    <div class="field">
                                        <label for="shown_organisation">{tr!(i18n, shown_organisation_label)}</label>
                                        <select id="shown_organisation" name="shown_organisation"
                                            aria-describedby="shown_organisation-help"
                                            on:change=move |ev| chosen.set(event_target_value(&ev))>
                                            <option value="" selected=move || chosen.get().is_empty()>
                                                {tr!(i18n, handle_only)}
                                            </option>
                                            {mine.into_iter().map(|m| {
                                                let slug = m.organisation.clone();
                                                view! {
                                                    <option value=m.organisation selected=move || chosen.get() == slug>
                                                        {m.organisation_name}
                                                    </option>
                                                }
                                            }).collect_view()}
                                        </select>
                                        <p class="help" id="shown_organisation-help">{tr!(i18n, shown_organisation_help)}</p>
                                    </div>
                                    <ErrorNotice error />
                                    <SubmitButton id="save-shown-organisation" busy=Signal::derive(move || save.pending().get())>
                                        {tr!(i18n, save)}
                                    </SubmitButton>
                                    <p role="status" class="status">{move || saved().then(|| td_string!(i18n.get_locale(), saved))}</p>
                                </form>
                            }
                            .into_any()
                        })
                    })}
                </ErrorBoundary>
            </Transition>
        </section>
    }
}

/// A download of everything held about the account.
#[component]
fn YourData() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <section aria-labelledby="data-heading">
            <h2 id="data-heading">{tr!(i18n, your_data)}</h2>
            <p class="help">{tr!(i18n, your_data_help)}</p>
            <p><a href=api::EXPORT_URL download id="download-data">{tr!(i18n, download_data)}</a></p>
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
        if confirmed(td_string!(i18n.get_locale(), confirm_delete_account)) {
            delete.dispatch(PasswordConfirmation {
                password: password.get_untracked(),
            });
        }
    };
    view! {
        <section aria-labelledby="delete-heading">
            <h2 id="delete-heading">{tr!(i18n, delete_account)}</h2>
            <p class="help">{tr!(i18n, delete_account_help)}</p>
            <form id="delete-form" on:submit=submit novalidate>
                <TextField name="password" id="delete-password" kind="password" autocomplete="current-password"
                    label=move || td_string!(i18n.get_locale(), password_to_confirm)
                    help=move || td_string!(i18n.get_locale(), current_password_help) value=password error />
                <ErrorNotice error=general_error(error) />
                <SubmitButton id="delete-account" class="danger" busy=Signal::derive(move || delete.pending().get())>
                    {tr!(i18n, delete_account_button)}
                </SubmitButton>
            </form>
        </section>
    }
}

/// Two-factor sign-in: set it up (password, then a first code from the app), see the recovery
/// codes once, or turn it off (password).
#[component]
fn TwoFactor(
    /// Bumped when the app is turned on or off.
    changed: RwSignal<u32>,
) -> impl IntoView {
    let i18n = use_i18n();
    let session = use_session();
    let password = RwSignal::new(String::new());
    let code = RwSignal::new(String::new());
    let begin = Action::new_local(|c: &PasswordConfirmation| {
        let c = c.clone();
        async move { api::begin_two_factor(&c).await }
    });
    let confirm = Action::new_local(|c: &OneTimeCode| {
        let c = c.clone();
        async move { api::confirm_two_factor(&c).await }
    });
    let disable = Action::new_local(|c: &PasswordConfirmation| {
        let c = c.clone();
        async move { api::disable_two_factor(&c).await }
    });
    let setup = Signal::derive(move || begin.value().get().and_then(Result::ok));
    let codes = Signal::derive(move || confirm.value().get().and_then(Result::ok));
    let begin_error = Signal::derive(move || begin.value().get().and_then(Result::err));
    let confirm_error = Signal::derive(move || confirm.value().get().and_then(Result::err));
    let disable_error = Signal::derive(move || disable.value().get().and_then(Result::err));
    let on = Memo::new(move |_| session.me.get().is_some_and(|m| m.totp));
    let with_passkeys =
        Memo::new(move |_| session.me.get().is_some_and(|m| !m.totp && m.passkeys > 0));
    let set_on = move |value: bool| {
        session.me.update(|me| {
            if let Some(me) = me {
                me.totp = value;
                me.two_factor = value || me.passkeys > 0;
            }
        });
        changed.update(|n| *n += 1);
        password.set(String::new());
    };
    Effect::new(move |_| {
        if matches!(confirm.value().get(), Some(Ok(_))) {
            set_on(true);
        }
    });
    Effect::new(move |_| {
        if matches!(disable.value().get(), Some(Ok(()))) {
            set_on(false);
        }
    });
    let start = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        begin.dispatch(PasswordConfirmation {
            password: password.get_untracked(),
        });
    };
    let finish = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        confirm.dispatch(OneTimeCode {
            code: code.get_untracked(),
        });
    };
    let turn_off = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        disable.dispatch(PasswordConfirmation {
            password: password.get_untracked(),
        });
    };
    view! {
        <section aria-labelledby="two-factor-heading">
            <h2 id="two-factor-heading">{tr!(i18n, two_factor)}</h2>
            <p class="help">{tr!(i18n, two_factor_help)}</p>
            {move || with_passkeys.get().then(|| view! {
                <p class="status" id="two-factor-passkeys">{tr!(i18n, two_factor_on_with_passkeys)}</p>
            })}
            {move || codes.get().map(|codes| view! {
                <div class="notice" role="status">
                    <h3>{tr!(i18n, recovery_codes_title)}</h3>
                    <p>{tr!(i18n, recovery_codes_help)}</p>
                    <ul class="recovery-codes" id="recovery-codes">
                        {codes.codes.into_iter().map(|c| view! { <li><code>{c}</code></li> }).collect_view()}
                    </ul>
                </div>
            })}
            {move || if on.get() {
                view! {
                    <p class="status" id="two-factor-state">{tr!(i18n, two_factor_on)}</p>
                    <form id="two-factor-off-form" on:submit=turn_off novalidate>
                        <TextField name="password" id="two-factor-password" kind="password" autocomplete="current-password"
                            label=move || td_string!(i18n.get_locale(), password_to_confirm)
                            help=move || td_string!(i18n.get_locale(), current_password_help)
                            value=password error=disable_error />
                        <ErrorNotice error=general_error(disable_error) />
                        <button type="submit" id="two-factor-off">{tr!(i18n, turn_off_two_factor)}</button>
                    </form>
                }
                .into_any()
            } else {
                match setup.get() {
                    None => view! {
                        <form id="two-factor-start-form" on:submit=start novalidate>
                            <TextField name="password" id="two-factor-password" kind="password" autocomplete="current-password"
                                label=move || td_string!(i18n.get_locale(), password_to_confirm)
                                help=move || td_string!(i18n.get_locale(), current_password_help)
                                value=password error=begin_error />
                            <ErrorNotice error=general_error(begin_error) />
                            <button type="submit" id="two-factor-start">{tr!(i18n, set_up_two_factor)}</button>
                        </form>
                    }
                    .into_any(),
                    Some(setup) => view! {
                        <p>{tr!(i18n, scan_qr)}</p>
                        // An SVG drawn by the server from the secret; no third party is involved.
                        <div class="qr" inner_html=setup.qr_svg></div>
                        <p>{tr!(i18n, secret_key)}": "<code id="totp-secret">{setup.secret_base32}</code></p>
                        <form id="two-factor-confirm-form" on:submit=finish novalidate>
                            <TextField name="code" autocomplete="one-time-code"
                                label=move || td_string!(i18n.get_locale(), code)
                                help=move || td_string!(i18n.get_locale(), code_help)
                                value=code error=confirm_error />
                            <ErrorNotice error=general_error(confirm_error) />
                            <button type="submit" id="two-factor-confirm">{tr!(i18n, confirm_two_factor)}</button>
                        </form>
                    }
                    .into_any(),
                }
            }}
        </section>
    }
}
