//! The account's e-mail reminders: an optional address (verified by a link sent to it) and,
//! consultation by consultation, what to hear about. Hidden when the server sends no e-mail.

use crate::api;
use crate::components::{ErrorNotice, SubmitButton, TextField, confirmed, general_error};
use crate::i18n::{self, tr, use_i18n};
use leptos::prelude::*;
use leptos_i18n::td_string;
use shared::ApiError;
use shared::following::{EmailSettings, NewEmailAddress, ReminderChoice, Reminders};

/// What the section last did, for its status line.
#[derive(Clone, PartialEq, Eq)]
enum Done {
    LinkSent(String),
    Removed,
    Saved,
}

/// The e-mail reminders section.
#[component]
pub fn EmailReminders() -> impl IntoView {
    let i18n = use_i18n();
    let settings = RwSignal::new(None::<EmailSettings>);
    let load_error = RwSignal::new(None::<ApiError>);
    leptos::task::spawn_local(async move {
        match api::email_settings().await {
            Ok(read) => {
                settings.set(Some(read));
                // A message's link to `/account#reminders` lands here once it is drawn.
                scroll_to_reminders();
            }
            Err(e) => load_error.set(Some(e)),
        }
    });
    let address = RwSignal::new(String::new());
    let done = RwSignal::new(None::<Done>);
    let give = Action::new_local(|new: &NewEmailAddress| {
        let new = new.clone();
        async move { api::set_email_address(&new).await }
    });
    let remove = Action::new_local(|_: &()| api::delete_email_address());
    let give_error = Signal::derive(move || give.value().get().and_then(Result::err));
    let remove_error = Signal::derive(move || remove.value().get().and_then(Result::err));
    Effect::new(move |_| {
        if let Some(Ok(read)) = give.value().get() {
            done.set(read.address.clone().map(Done::LinkSent));
            address.set(String::new());
            settings.set(Some(read));
        }
    });
    Effect::new(move |_| {
        if matches!(remove.value().get(), Some(Ok(()))) {
            done.set(Some(Done::Removed));
            settings.update(|s| {
                if let Some(s) = s {
                    s.address = None;
                    s.verified = false;
                }
            });
            crate::sections::discussion::focus_element("reminders-heading".to_owned());
        }
    });
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        done.set(None);
        give.dispatch(NewEmailAddress {
            address: address.get_untracked(),
            language: i18n::language_of(i18n.get_locale_untracked()),
        });
    };
    let ask_removal = move |_| {
        if confirmed(td_string!(
            i18n.get_locale_untracked(),
            email_remove_confirm
        )) {
            done.set(None);
            remove.dispatch(());
        }
    };
    view! {
        <ErrorNotice error=Signal::derive(move || load_error.get()) />
        // Shown when the server sends mail, or when an address given earlier is still kept.
        // (and after its removal, to say it is done).
        {move || settings.get().filter(|s| {
            s.available || s.address.is_some() || done.get() == Some(Done::Removed)
        }).map(|current| {
            let verified = current.verified;
            let available = current.available;
            let given = current.address.clone();
            view! {
                <section aria-labelledby="reminders-heading" id="reminders">
                    <h2 id="reminders-heading" tabindex="-1">{tr!(i18n, reminders_heading)}</h2>
                    <p class="help">{tr!(i18n, reminders_help)}</p>
                    {(!available).then(|| view! {
                        <p class="notice" id="email-unavailable">{tr!(i18n, email_unavailable_note)}</p>
                    })}
                    <p role="status" class="status" id="email-status">
                        {move || match done.get() {
                            Some(Done::LinkSent(to)) => td_string!(i18n.get_locale(), email_link_sent, address = to).to_string(),
                            Some(Done::Removed) => td_string!(i18n.get_locale(), email_removed).to_owned(),
                            Some(Done::Saved) => td_string!(i18n.get_locale(), reminders_saved).to_owned(),
                            None => String::new(),
                        }}
                    </p>
                    {given.clone().map(|to| {
                        view! {
                            <p id="email-address">
                                {move || if verified {
                                    td_string!(i18n.get_locale(), email_verified, address = to.clone()).to_string()
                                } else {
                                    td_string!(i18n.get_locale(), email_unverified, address = to.clone()).to_string()
                                }}
                                " "
                                <button type="button" class="secondary" id="remove-email" on:click=ask_removal>
                                    {tr!(i18n, email_remove)}
                                </button>
                            </p>
                            <ErrorNotice error=remove_error />
                        }
                    })}
                    {available.then(|| view! {
                    <form id="email-form" on:submit=submit novalidate>
                        <TextField name="address" id="email-address-field" kind="email" autocomplete="email"
                            label=move || td_string!(i18n.get_locale(), email_address)
                            help=move || td_string!(i18n.get_locale(), email_address_help)
                            value=address error=give_error />
                        <ErrorNotice error=general_error(give_error) />
                        <SubmitButton id="send-email-link" busy=Signal::derive(move || give.pending().get())>
                            {tr!(i18n, email_send_link)}
                        </SubmitButton>
                    </form>
                    })}
                    {(available && given.is_some()).then(|| view! {
                        <h3>{tr!(i18n, reminders_choose)}</h3>
                        {(!verified).then(|| view! { <p class="help">{tr!(i18n, reminders_pending_note)}</p> })}
                        {current.choices.clone().into_iter().map(|choice| view! {
                            <ChoiceForm choice settings done />
                        }).collect_view()}
                    })}
                </section>
            }
        })}
    }
}

/// Brings the section into view when the address asks for it (`#reminders`).
fn scroll_to_reminders() {
    let Some(window) = web_sys::window() else {
        return;
    };
    if window.location().hash().ok().as_deref() != Some("#reminders") {
        return;
    }
    // After this turn, once the section is drawn.
    leptos::task::spawn_local(async move {
        if let Some(section) = window
            .document()
            .and_then(|d| d.get_element_by_id("reminders"))
        {
            section.scroll_into_view();
        }
    });
}

/// The reminders of one consultation: four boxes and a save button.
#[component]
fn ChoiceForm(
    choice: ReminderChoice,
    settings: RwSignal<Option<EmailSettings>>,
    done: RwSignal<Option<Done>>,
) -> impl IntoView {
    let i18n = use_i18n();
    let slug = choice.consultation.clone();
    let r = choice.reminders;
    let boxes = [
        ("new_round", RwSignal::new(r.new_round)),
        ("phase_changes", RwSignal::new(r.phase_changes)),
        ("deadlines", RwSignal::new(r.deadlines)),
        ("responses", RwSignal::new(r.responses)),
    ];
    let save = Action::new_local(|(slug, chosen): &(String, Reminders)| {
        let (slug, chosen) = (slug.clone(), *chosen);
        async move { api::set_reminders(&slug, &chosen).await }
    });
    let error = Signal::derive(move || save.value().get().and_then(Result::err));
    Effect::new(move |_| {
        if let Some(Ok(read)) = save.value().get() {
            done.set(Some(Done::Saved));
            settings.set(Some(read));
        }
    });
    let form_slug = slug.clone();
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        done.set(None);
        let [new_round, phase_changes, deadlines, responses] =
            boxes.map(|(_, on)| on.get_untracked());
        save.dispatch((
            form_slug.clone(),
            Reminders {
                new_round,
                phase_changes,
                deadlines,
                responses,
            },
        ));
    };
    view! {
        <form class="reminder-choice" id=format!("reminders-{slug}") on:submit=submit>
            <fieldset>
                <legend>{choice.title}</legend>
                {boxes.into_iter().map(|(name, on)| {
                    let label = move || match name {
                        "new_round" => td_string!(i18n.get_locale(), reminder_new_round),
                        "phase_changes" => td_string!(i18n.get_locale(), reminder_phase_changes),
                        "deadlines" => td_string!(i18n.get_locale(), reminder_deadlines),
                        _ => td_string!(i18n.get_locale(), reminder_responses),
                    };
                    view! {
                        <label class="choice">
                            <input type="checkbox" name=name
                                prop:checked=move || on.get()
                                on:change=move |ev| on.set(event_target_checked(&ev)) />
                            " "{label}
                        </label>
                    }
                }).collect_view()}
            </fieldset>
            <ErrorNotice error />
            <SubmitButton busy=Signal::derive(move || save.pending().get())>
                {tr!(i18n, reminders_save)}
            </SubmitButton>
        </form>
    }
}
