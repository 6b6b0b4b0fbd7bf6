//! The account's passkeys (add one with a name and the password, see each one's last use,
//! remove one after the password and a confirmation) and its security events.

use crate::api;
use crate::components::{
    ErrorNotice, Loading, SubmitButton, TextField, confirmed, errors_fallback, general_error,
};
use crate::i18n::{self, tr, use_i18n};
use crate::use_session;
use leptos::prelude::*;
use leptos_i18n::td_string;
use shared::{ApiError, ErrorCode, PasskeyInfo, PasswordConfirmation};

/// What the section last did, for its status line.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Done {
    Added,
    Removed,
}

/// The account's passkeys, and the form adding one.
#[component]
pub fn Passkeys(
    /// Bumped when a passkey is added or removed.
    changed: RwSignal<u32>,
) -> impl IntoView {
    let i18n = use_i18n();
    let session = use_session();
    let name = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let done = RwSignal::new(None::<Done>);
    let add = Action::new_local(|(password, name): &(String, String)| {
        let (password, name) = (password.clone(), name.clone());
        async move { api::add_passkey(password, name).await }
    });
    let remove = Action::new_local(|(id, password): &(i64, String)| {
        let (id, password) = (*id, password.clone());
        async move { api::remove_passkey(id, &PasswordConfirmation { password }).await }
    });
    // Read again after each success only: a refused removal keeps its form open.
    let passkeys = LocalResource::new(move || {
        changed.track();
        api::list_passkeys()
    });
    let add_error = Signal::derive(move || add.value().get().and_then(Result::err));
    // What is not about the form's own fields: a refused passkey, a request that is over.
    let add_notice = Signal::derive(move || {
        add_error.get().filter(|e| {
            e.code == ErrorCode::PasskeyRefused
                || !e
                    .fields
                    .iter()
                    .any(|f| f.field == "passkey_name" || f.field == "password")
        })
    });
    let added = Signal::derive(move || add.value().get().and_then(Result::ok));
    // The header's and the other sections' idea of the account follows.
    let count = move |change: i32| {
        session.me.update(|me| {
            if let Some(me) = me {
                me.passkeys = me.passkeys.saturating_add_signed(change);
                me.two_factor = me.totp || me.passkeys > 0;
            }
        });
        changed.update(|n| *n += 1);
    };
    Effect::new(move |_| {
        if matches!(add.value().get(), Some(Ok(_))) {
            name.set(String::new());
            password.set(String::new());
            done.set(Some(Done::Added));
            count(1);
        }
    });
    Effect::new(move |_| {
        if matches!(remove.value().get(), Some(Ok(()))) {
            done.set(Some(Done::Removed));
            count(-1);
            crate::sections::discussion::focus_element("passkeys-heading".to_owned());
        }
    });
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        done.set(None);
        add.dispatch((password.get_untracked(), name.get_untracked()));
    };
    let supported = crate::webauthn::supported();
    view! {
        <section aria-labelledby="passkeys-heading">
            <h2 id="passkeys-heading" tabindex="-1">{tr!(i18n, passkeys)}</h2>
            <p class="help">{tr!(i18n, passkeys_help)}</p>
            {move || added.get().filter(|a| !a.recovery_codes.is_empty()).map(|a| view! {
                <div class="notice" role="status">
                    <h3>{tr!(i18n, recovery_codes_title)}</h3>
                    <p>{tr!(i18n, recovery_codes_help)}</p>
                    <ul class="recovery-codes" id="passkey-recovery-codes">
                        {a.recovery_codes.into_iter().map(|c| view! { <li><code>{c}</code></li> }).collect_view()}
                    </ul>
                </div>
            })}
            <p role="status" class="status" id="passkey-status">
                {move || done.get().map(|done| match done {
                    Done::Added => td_string!(i18n.get_locale(), passkey_added),
                    Done::Removed => td_string!(i18n.get_locale(), passkey_removed),
                })}
            </p>
            <Transition fallback=Loading>
                <ErrorBoundary fallback=errors_fallback>
                    {move || Suspend::new(async move {
                        passkeys.await.map(|list| if list.is_empty() {
                            view! { <p class="empty" id="no-passkeys">{tr!(i18n, passkeys_none)}</p> }.into_any()
                        } else {
                            view! {
                                <ul class="passkey-list" id="passkeys">
                                    {list.into_iter().map(|p| view! { <PasskeyItem passkey=p remove done /> }).collect_view()}
                                </ul>
                            }
                            .into_any()
                        })
                    })}
                </ErrorBoundary>
            </Transition>
            {if supported {
                view! {
                    <form id="passkey-form" on:submit=submit novalidate>
                        <TextField name="passkey_name" id="passkey-name" autocomplete="off"
                            label=move || td_string!(i18n.get_locale(), passkey_name)
                            help=move || td_string!(i18n.get_locale(), passkey_name_help)
                            value=name error=add_error />
                        <TextField name="password" id="passkey-password" kind="password" autocomplete="current-password"
                            label=move || td_string!(i18n.get_locale(), password_to_confirm)
                            help=move || td_string!(i18n.get_locale(), current_password_help)
                            value=password error=add_error />
                        <ErrorNotice error=add_notice />
                        <SubmitButton id="add-passkey" busy=Signal::derive(move || add.pending().get())>
                            {tr!(i18n, add_passkey)}
                        </SubmitButton>
                    </form>
                }
                .into_any()
            } else {
                view! { <p class="notice" id="passkeys-unsupported">{tr!(i18n, passkeys_unsupported)}</p> }.into_any()
            }}
        </section>
    }
}

/// One passkey: its name, when it was added and last used, and a way to remove it (the
/// password, then a confirmation).
#[component]
fn PasskeyItem(
    passkey: PasskeyInfo,
    /// Removes a passkey by id with the password.
    remove: Action<(i64, String), Result<(), ApiError>>,
    /// The section's last success, cleared when a removal starts.
    done: RwSignal<Option<Done>>,
) -> impl IntoView {
    let i18n = use_i18n();
    let PasskeyInfo {
        id,
        name,
        created_at_ms,
        last_used_at_ms,
    } = passkey;
    let asking = RwSignal::new(false);
    let password = RwSignal::new(String::new());
    // Only this passkey's removal speaks here.
    let mine = RwSignal::new(false);
    let error = Signal::derive(move || {
        mine.get()
            .then(|| remove.value().get().and_then(Result::err))
            .flatten()
    });
    let field_id = format!("remove-passkey-password-{id}");
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if confirmed(td_string!(i18n.get_locale(), confirm_remove_passkey)) {
            done.set(None);
            mine.set(true);
            remove.dispatch((id, password.get_untracked()));
        }
    };
    let ask = {
        let field_id = field_id.clone();
        move |_| {
            asking.set(true);
            crate::sections::discussion::focus_element(field_id.clone());
        }
    };
    let label = name.clone();
    view! {
        <li class="passkey">
            <strong class="passkey-name">{name}</strong>" "
            <span>{move || i18n::passkey_line(i18n.get_locale(), created_at_ms, last_used_at_ms)}</span>
            <Show
                when=move || asking.get()
                fallback=move || {
                    let label = label.clone();
                    let ask = ask.clone();
                    view! {
                        <button type="button" class="remove-passkey"
                            aria-label=move || i18n::remove_passkey_named(i18n.get_locale(), &label)
                            on:click=ask>
                            {tr!(i18n, remove)}
                        </button>
                    }
                }
            >
                <form class="remove-passkey-form" on:submit=submit novalidate>
                    <TextField name="password" id=field_id.clone() kind="password" autocomplete="current-password"
                        label=move || td_string!(i18n.get_locale(), password_to_confirm)
                        help=move || td_string!(i18n.get_locale(), current_password_help)
                        value=password error />
                    <ErrorNotice error=general_error(error) />
                    <SubmitButton class="danger" busy=Signal::derive(move || remove.pending().get())>
                        {tr!(i18n, remove)}
                    </SubmitButton>
                    " "
                    <button type="button" on:click=move |_| asking.set(false)>{tr!(i18n, cancel)}</button>
                </form>
            </Show>
        </li>
    }
}

/// The account's security events, newest first.
#[component]
pub fn SecurityEvents(
    /// Bumped by each change of a second factor: the list is read again.
    changed: RwSignal<u32>,
) -> impl IntoView {
    let i18n = use_i18n();
    let events = LocalResource::new(move || {
        changed.track();
        api::security_events()
    });
    view! {
        <section aria-labelledby="security-events-heading">
            <h2 id="security-events-heading">{tr!(i18n, security_events)}</h2>
            <p class="help">{tr!(i18n, security_events_help)}</p>
            <Transition fallback=Loading>
                <ErrorBoundary fallback=errors_fallback>
                    {move || Suspend::new(async move {
                        events.await.map(|list| view! {
                            <ul class="security-events" id="security-events">
                                {list.into_iter().map(|e| view! {
                                    <li>
                                        {move || i18n::security_event(i18n.get_locale(), &e.action)}
                                        " · "
                                        {move || i18n::format_date(i18n.get_locale(), e.at_ms)}
                                    </li>
                                }).collect_view()}
                            </ul>
                        })
                    })}
                </ErrorBoundary>
            </Transition>
        </section>
    }
}
