//! A consultation's conveners at work: who may take part (open or by invitation), invitation
//! links issued and revoked, and who else convenes.

use super::convening_rounds::RoundsPanel;
use super::dashboard::DashboardPanel;
use super::moderation::ModerationPanel;
use super::param;
use crate::api;
use crate::components::{
    ErrorNotice, FieldErrors, FieldMessage, GroupSelect, Loading, SettingsFields, SubmitButton,
    TakingPartFields, TextField, TitleFields, confirmed, errors_fallback, general_error, invalid,
};
use crate::i18n::{self, tr, use_i18n};
use crate::use_session;
use leptos::prelude::*;
use leptos_i18n::td_string;
use leptos_router::components::A;
use shared::{
    AccessChange, ApiError, Consultation, ConsultationAccess, ConsultationSettings, Convener,
    ErrorCode, FieldError, Invitation, InvitationStatus, IssuedInvitation, NewInvitation,
    Organisation, StakeholderGroup, default_valid_days,
};

/// The convening page of one consultation.
#[component]
pub fn ConvenePage() -> impl IntoView {
    let i18n = use_i18n();
    let session = use_session();
    let slug = param("slug");
    let issue = Action::new_local(move |new: &NewInvitation| {
        let new = new.clone();
        async move { api::create_invitation(&slug(), &new).await }
    });
    let revoke = Action::new_local(move |id: &i64| {
        let id = *id;
        async move { api::revoke_invitation(&slug(), id).await }
    });
    let change_conveners = Action::new_local(move |change: &ConvenerChange| {
        let change = change.clone();
        async move {
            match change {
                ConvenerChange::Add(handle) => api::add_convener(&slug(), &handle).await,
                ConvenerChange::Remove(handle) => api::remove_convener(&slug(), &handle).await,
            }
        }
    });
    // The consultation and its conveners: the second call also proves the reader convenes it.
    let data = LocalResource::new(move || {
        change_conveners.version().get();
        let slug = slug();
        async move {
            let consultation = api::get_consultation(&slug).await?;
            let conveners = api::list_conveners(&slug).await?;
            let organisations = api::list_organisations().await?;
            Ok::<_, ApiError>((consultation, conveners, organisations))
        }
    });
    view! {
        <Transition fallback=Loading>
            <ErrorBoundary fallback=errors_fallback>
                {move || Suspend::new(async move {
                    data.await.map(|(consultation, conveners, organisations)| {
                        let title = consultation.title.clone();
                        let href = format!("/c/{}", consultation.slug);
                        let settings = session.me.get_untracked().is_some_and(|m| m.admin).then(|| {
                            let consultation = consultation.clone();
                            view! { <SettingsForm consultation /> }
                        });
                        view! {
                        <nav class="breadcrumbs" aria-label=move || td_string!(i18n.get_locale(), breadcrumb)>
                            <A href="/">{tr!(i18n, consultations)}</A>" › "
                            <A href=href>{title}</A>
                        </nav>
                        <h1>{tr!(i18n, convene_title)}" — "{consultation.title}</h1>
                        {if consultation.archived {
                            // Nothing changes any more: no form is offered, only what was.
                            view! {
                                <p class="notice" id="archived-note">{tr!(i18n, archived_note)}</p>
                                <DashboardPanel />
                            }.into_any()
                        } else {
                            view! {
                                <RoundsPanel />
                                <DashboardPanel changed=Signal::derive(move || {
                                    issue.version().get() + revoke.version().get()
                                }) />
                                <ModerationPanel />
                                <AccessForm initial=consultation.access />
                                <PasskeyRuleForm initial=consultation.conveners_need_passkey />
                                {settings}
                                <InvitationForm issue organisations groups=consultation.stakeholder_groups.clone() />
                                <InvitationList issue revoke />
                                <Conveners conveners change=change_conveners />
                            }.into_any()
                        }}
                    }})
                })}
            </ErrorBoundary>
        </Transition>
    }
}

/// An administrator's form changing the consultation's titles, description, groups and
/// regions, and the button archiving it.
#[component]
fn SettingsForm(consultation: Consultation) -> impl IntoView {
    let i18n = use_i18n();
    let slug = consultation.slug.clone();
    let fields = SettingsFields::new(&ConsultationSettings {
        titles: consultation.titles.clone(),
        description: consultation.description.clone(),
        stakeholder_groups: consultation.stakeholder_groups.clone(),
        regions: consultation.regions.clone(),
    });
    let change = Action::new_local({
        let slug = slug.clone();
        move |settings: &ConsultationSettings| {
            let (slug, settings) = (slug.clone(), settings.clone());
            async move { api::change_consultation(&slug, &settings).await }
        }
    });
    let archive = Action::new_local(move |slug: &String| {
        let slug = slug.clone();
        async move { api::archive_consultation(&slug).await }
    });
    let error = Signal::derive(move || change.value().get().and_then(Result::err));
    let archived = RwSignal::new(consultation.archived);
    Effect::new(move |_| {
        if let Some(Ok(c)) = archive.value().get() {
            archived.set(c.archived);
        }
    });
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        change.dispatch(fields.value());
    };
    let archive_now = move |_| {
        if confirmed(td_string!(i18n.get_locale(), archive_confirm)) {
            archive.dispatch(slug.clone());
        }
    };
    view! {
        <section aria-labelledby="settings-heading">
            <h2 id="settings-heading">{tr!(i18n, settings_title)}</h2>
            <form id="settings-form" on:submit=submit novalidate>
                <TitleFields fields error />
                <TakingPartFields fields error />
                <FieldErrors error />
                <ErrorNotice error=general_error(error) />
                <SubmitButton busy=change.pending() id="save-settings">{tr!(i18n, save_settings)}</SubmitButton>
                <p role="status" id="settings-status">
                    {move || matches!(change.value().get(), Some(Ok(_))).then(|| tr!(i18n, saved))}
                </p>
            </form>
            <h3>{tr!(i18n, archive_title)}</h3>
            <p class="help">{tr!(i18n, archive_help)}</p>
            <ErrorNotice error=Signal::derive(move || archive.value().get().and_then(Result::err)) />
            <Show when=move || !archived.get() fallback=move || view! {
                <p class="notice" id="archived-state">{tr!(i18n, archived_note)}</p>
            }>
                <button type="button" class="danger" id="archive" on:click=archive_now.clone()>
                    {tr!(i18n, archive_button)}
                </button>
            </Show>
        </section>
    }
}

/// An administrator's change to the list of conveners.
#[derive(Clone)]
enum ConvenerChange {
    Add(String),
    Remove(String),
}

/// The conveners; administrators also name and remove them here.
#[component]
fn Conveners(
    conveners: Vec<Convener>,
    change: Action<ConvenerChange, Result<(), ApiError>>,
) -> impl IntoView {
    let i18n = use_i18n();
    let session = use_session();
    let admin = session.me.get_untracked().is_some_and(|m| m.admin);
    let handle = RwSignal::new(String::new());
    // An unknown handle is the one mistake to expect here: say so next to the field.
    let error = Signal::derive(move || {
        change.value().get().and_then(Result::err).map(|e| {
            if e.code == ErrorCode::NotFound {
                ApiError::validation(vec![FieldError::new(
                    "convener_handle",
                    "unknown",
                    e.message,
                )])
            } else {
                e
            }
        })
    });
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        change.dispatch(ConvenerChange::Add(
            handle.get_untracked().trim().to_lowercase(),
        ));
    };
    view! {
        <section aria-labelledby="conveners-heading">
            <h2 id="conveners-heading">{tr!(i18n, conveners)}</h2>
            <ul id="conveners">
                {conveners.into_iter().map(|c| {
                    let who = c.handle.clone();
                    view! {
                        <li>
                            {c.handle}
                            {(!c.two_factor).then(|| view! { " · "{tr!(i18n, convener_without_two_factor)} })}
                            {admin.then(|| view! {
                                " "
                                <button type="button" class="remove-convener" on:click=move |_| {
                                    if confirmed(td_string!(i18n.get_locale(), confirm_remove_convener)) {
                                        change.dispatch(ConvenerChange::Remove(who.clone()));
                                    }
                                }>
                                    {tr!(i18n, remove)}
                                </button>
                            })}
                        </li>
                    }
                }).collect_view()}
            </ul>
            <ErrorNotice error=general_error(error) />
            {admin.then(|| view! {
                <form id="convener-form" on:submit=submit novalidate>
                    <TextField name="convener_handle" autocomplete="off"
                        label=move || td_string!(i18n.get_locale(), add_convener)
                        help=move || td_string!(i18n.get_locale(), add_convener_help) value=handle error />
                    <SubmitButton id="add-convener" busy=Signal::derive(move || change.pending().get())>
                        {tr!(i18n, add_convener_button)}
                    </SubmitButton>
                </form>
            })}
        </section>
    }
}

/// Open to anyone, or by invitation only.
#[component]
fn AccessForm(initial: ConsultationAccess) -> impl IntoView {
    let i18n = use_i18n();
    let slug = param("slug");
    let access = RwSignal::new(initial);
    let save = Action::new_local(move |change: &AccessChange| {
        let change = change.clone();
        async move { api::set_access(&slug(), &change).await }
    });
    let error = Signal::derive(move || save.value().get().and_then(Result::err));
    let saved = move || matches!(save.value().get(), Some(Ok(_)));
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        save.dispatch(AccessChange {
            access: access.get_untracked(),
        });
    };
    let choice = move |value: ConsultationAccess, id: &'static str| {
        view! {
            <label class="choice">
                <input type="radio" name="access" id=id value=value.as_str()
                    prop:checked=move || access.get() == value
                    on:change=move |_| access.set(value) />
                {move || match value {
                    ConsultationAccess::Open => td_string!(i18n.get_locale(), access_open),
                    ConsultationAccess::Invitation => td_string!(i18n.get_locale(), access_invitation),
                }}
            </label>
        }
    };
    view! {
        <section aria-labelledby="access-heading">
            <h2 id="access-heading">{tr!(i18n, access_title)}</h2>
            <form id="access-form" on:submit=submit novalidate>
                <fieldset>
                    <legend>{tr!(i18n, access_legend)}</legend>
                    {choice(ConsultationAccess::Open, "access-open")}
                    {choice(ConsultationAccess::Invitation, "access-invitation")}
                </fieldset>
                <ErrorNotice error />
                <SubmitButton id="save-access" busy=Signal::derive(move || save.pending().get())>
                    {tr!(i18n, save)}
                </SubmitButton>
                <p role="status" class="status" id="access-status">{move || saved().then(|| td_string!(i18n.get_locale(), saved))}</p>
            </form>
        </section>
    }
}

/// Whether the consultation's conveners must sign in with a passkey to act on it.
#[component]
fn PasskeyRuleForm(initial: bool) -> impl IntoView {
    let i18n = use_i18n();
    let slug = param("slug");
    let required = RwSignal::new(initial);
    let save = Action::new_local(move |on: &bool| {
        let on = *on;
        async move { api::set_passkey_rule(&slug(), on).await }
    });
    let error = Signal::derive(move || save.value().get().and_then(Result::err));
    let saved = move || matches!(save.value().get(), Some(Ok(_)));
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        save.dispatch(required.get_untracked());
    };
    view! {
        <section aria-labelledby="passkey-rule-heading">
            <h2 id="passkey-rule-heading">{tr!(i18n, passkey_rule_title)}</h2>
            <form id="passkey-rule-form" on:submit=submit novalidate>
                <label class="choice">
                    <input type="checkbox" id="conveners-need-passkey" aria-describedby="passkey-rule-help"
                        prop:checked=move || required.get()
                        on:change=move |ev| required.set(event_target_checked(&ev)) />
                    {tr!(i18n, passkey_rule_label)}
                </label>
                <p class="help" id="passkey-rule-help">{tr!(i18n, passkey_rule_help)}</p>
                <ErrorNotice error />
                <SubmitButton id="save-passkey-rule" busy=Signal::derive(move || save.pending().get())>
                    {tr!(i18n, save)}
                </SubmitButton>
                <p role="status" class="status" id="passkey-rule-status">{move || saved().then(|| td_string!(i18n.get_locale(), saved))}</p>
            </form>
        </section>
    }
}

/// Issuing an invitation link; the link is shown once, after issuing.
#[component]
fn InvitationForm(
    issue: Action<NewInvitation, Result<IssuedInvitation, ApiError>>,
    organisations: Vec<Organisation>,
    /// The groups taking part, the only ones an invitation may name.
    groups: Vec<StakeholderGroup>,
) -> impl IntoView {
    let i18n = use_i18n();
    let organisation = RwSignal::new(String::new());
    let group = RwSignal::new(StakeholderGroup::CivilSociety);
    let days = RwSignal::new(default_valid_days().to_string());
    let note = RwSignal::new(String::new());
    let error = Signal::derive(move || issue.value().get().and_then(Result::err));
    Effect::new(move |_| {
        if matches!(issue.value().get(), Some(Ok(_))) {
            note.set(String::new());
        }
    });
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let organisation = organisation.get_untracked();
        issue.dispatch(NewInvitation {
            organisation: (!organisation.is_empty()).then_some(organisation),
            stakeholder_group: group.get_untracked(),
            // Not a number is sent as 0, which the server explains next to the field.
            valid_days: days.get_untracked().trim().parse().unwrap_or(0),
            note: note.get_untracked(),
        });
    };
    let link = move || {
        issue.value().get().and_then(Result::ok).map(|issued| {
            let origin = web_sys::window()
                .and_then(|w| w.location().origin().ok())
                .unwrap_or_default();
            format!("{origin}/invitation#{}", issued.token)
        })
    };
    view! {
        <section aria-labelledby="invite-heading">
            <h2 id="invite-heading">{tr!(i18n, invite_title)}</h2>
            <p class="help">{tr!(i18n, invite_help)}</p>
            <form id="invitation-form" on:submit=submit novalidate>
                <div class="field">
                    <label for="organisation">{tr!(i18n, invite_for)}</label>
                    <select id="organisation" name="organisation"
                        aria-describedby="organisation-error" aria-invalid=invalid(error, "organisation")
                        on:change=move |ev| organisation.set(event_target_value(&ev))>
                        <option value="">{tr!(i18n, invite_person)}</option>
                        {organisations.into_iter().map(|o| view! {
                            <option value=o.slug.clone()>{o.name}</option>
                        }).collect_view()}
                    </select>
                    <FieldMessage error field="organisation" />
                </div>
                <GroupSelect group groups />
                <TextField name="valid_days" kind="number" autocomplete="off"
                    label=move || td_string!(i18n.get_locale(), valid_days)
                    help=move || td_string!(i18n.get_locale(), valid_days_help) value=days error />
                <TextField name="note" autocomplete="off"
                    label=move || td_string!(i18n.get_locale(), invitation_note)
                    help=move || td_string!(i18n.get_locale(), invitation_note_help) value=note error />
                <ErrorNotice error=general_error(error) />
                <SubmitButton id="issue-invitation" busy=Signal::derive(move || issue.pending().get())>
                    {tr!(i18n, issue_invitation)}
                </SubmitButton>
            </form>
            {move || link().map(|link| view! {
                <div class="notice success" role="status">
                    <label for="invitation-link">{tr!(i18n, invitation_link)}</label>
                    <input id="invitation-link" type="text" readonly value=link
                        aria-describedby="invitation-link-help"
                        on:focus=move |ev| {
                            use wasm_bindgen::JsCast;
                            if let Some(input) = ev.target().and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok()) {
                                input.select();
                            }
                        } />
                    <p class="help" id="invitation-link-help">{tr!(i18n, invitation_link_help)}</p>
                </div>
            })}
        </section>
    }
}

/// The invitations issued, newest first, with their status and a way to revoke unused ones.
#[component]
fn InvitationList(
    issue: Action<NewInvitation, Result<IssuedInvitation, ApiError>>,
    revoke: Action<i64, Result<Invitation, ApiError>>,
) -> impl IntoView {
    let i18n = use_i18n();
    let slug = param("slug");
    let list = LocalResource::new(move || {
        issue.version().get();
        revoke.version().get();
        let slug = slug();
        async move { api::list_invitations(&slug).await }
    });
    let confirm_revoke = move |id: i64| {
        if confirmed(td_string!(i18n.get_locale(), confirm_revoke_invitation)) {
            revoke.dispatch(id);
        }
    };
    view! {
        <section aria-labelledby="invitations-heading">
            <h2 id="invitations-heading">{tr!(i18n, invitations)}</h2>
            <ErrorNotice error=Signal::derive(move || revoke.value().get().and_then(Result::err)) />
            <Transition fallback=Loading>
                <ErrorBoundary fallback=errors_fallback>
                    {move || Suspend::new(async move {
                        list.await.map(|list| {
                            if list.is_empty() {
                                return view! { <p class="empty">{tr!(i18n, no_invitations)}</p> }.into_any();
                            }
                            view! {
                                <div class="table-scroll"><table id="invitations">
                                    <thead>
                                        <tr>
                                            <th scope="col">{tr!(i18n, invitation_note)}</th>
                                            <th scope="col">{tr!(i18n, stakeholder_group)}</th>
                                            <th scope="col">{tr!(i18n, invitation_status)}</th>
                                            <th scope="col">{tr!(i18n, invitation_expires)}</th>
                                            <th scope="col"><span class="visually-hidden">{tr!(i18n, actions)}</span></th>
                                        </tr>
                                    </thead>
                                    <tbody>
                                        {list.into_iter().map(|inv| view! { <InvitationRow inv confirm_revoke /> }).collect_view()}
                                    </tbody>
                                </table></div>
                            }
                            .into_any()
                        })
                    })}
                </ErrorBoundary>
            </Transition>
        </section>
    }
}

/// One invitation in the list.
#[component]
fn InvitationRow(
    inv: Invitation,
    confirm_revoke: impl Fn(i64) + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let i18n = use_i18n();
    let group = inv.stakeholder_group;
    let expires = inv.expires_at_ms;
    let status = inv.status;
    let id = inv.id;
    let who = match (inv.note.is_empty(), inv.organisation_name) {
        (false, Some(o)) => format!("{} ({o})", inv.note),
        (false, None) => inv.note,
        (true, Some(o)) => o,
        (true, None) => "—".to_owned(),
    };
    view! {
        <tr class="invitation" data-status=status.as_str()>
            <td>{who}</td>
            <td>{move || i18n::group_name(i18n.get_locale(), group)}</td>
            <td class="invitation-status">
                {move || i18n::invitation_status_name(i18n.get_locale(), status)}
                {inv.accepted_by.clone().map(|h| view! { " · "{h} })}
            </td>
            <td>{move || i18n::format_date(i18n.get_locale(), expires)}</td>
            <td>
                {(status == InvitationStatus::Sent).then(|| view! {
                    <button type="button" class="revoke" on:click=move |_| confirm_revoke(id)>
                        {tr!(i18n, revoke)}
                    </button>
                })}
            </td>
        </tr>
    }
}
