//! The reader's position on a clause while its round is voting: the form (fetched the first time
//! it is shown), with the reason a reservation or an opposition needs.

use crate::api;
use crate::components::{
    ErrorNotice, GroupSelect, RegionSelect, TextArea, WhenOpen, general_error,
};
use crate::drafts::Draft;
use crate::i18n::{self, tr, use_i18n};
use crate::pages::clause::clause_ids;
use crate::pages::lazy::lazily;
use crate::use_session;
use leptos::prelude::*;
use leptos_i18n::td_string;
use shared::{CastPosition, Clause, JoinConsultation, MembershipStatus, StakeholderGroup, Stance};

/// The form to take or change a position, shown while the round is voting to those who may
/// take part (its code is fetched then).
#[component]
pub fn PositionForm(
    /// The clause once loaded.
    clause: Signal<Option<Clause>>,
    /// Notified once a position was sent.
    changed: Trigger,
) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <WhenOpen
            open=Signal::derive(move || clause.get().map(|c| c.round.phase.accepts_positions()))
            invited=Signal::derive(move || clause.get().is_some_and(|c| c.open_to_reader()))
            closed=move || td_string!(i18n.get_locale(), positions_closed)
            sign_in=move || td_string!(i18n.get_locale(), sign_in_to_take_position)
        >
            {lazily(move || position_fields(clause, changed))}
        </WhenOpen>
    }
}

#[leptos::lazy]
fn position_fields(clause: Signal<Option<Clause>>, changed: Trigger) -> AnyView {
    view! { <PositionFields clause changed /> }.into_any()
}

#[component]
fn PositionFields(clause: Signal<Option<Clause>>, changed: Trigger) -> impl IntoView {
    let i18n = use_i18n();
    let ids = clause_ids();
    let draft = Draft::new("reason");
    let sent = draft.clone();
    // A first position also states the participant's stakeholder group.
    let cast = Action::new_local(
        move |(join, input): &(Option<JoinConsultation>, CastPosition)| {
            let (join, input) = (join.clone(), input.clone());
            let (s, r, k) = ids();
            let sent = sent.clone();
            async move {
                let cast = async {
                    if let Some(join) = join {
                        api::join_consultation(&s, &join).await?;
                    }
                    api::cast_position(&s, &r, &k, &input).await
                }
                .await;
                if cast.is_ok() {
                    sent.forget();
                }
                changed.notify();
                cast
            }
        },
    );
    let session = use_session();
    let stance = RwSignal::new(None::<Stance>);
    let reason = RwSignal::new(String::new());
    // Start from the reader's recorded position, once it is known (keeping a reason they
    // began to write).
    Effect::new(move |_| {
        if let Some(p) = clause.get().and_then(|c| c.my_position)
            && stance.get_untracked().is_none()
        {
            stance.set(Some(p.stance));
            if reason.get_untracked().is_empty() {
                reason.set(p.reason.unwrap_or_default());
            }
        }
    });
    let group = RwSignal::new(StakeholderGroup::CivilSociety);
    let region = RwSignal::new(String::new());
    // Whether the participant still has to say in which group they take part.
    let needs_group = Memo::new(move |_| {
        session.me.with(Option::is_some) && clause.get().is_some_and(|c| c.my_group.is_none())
    });
    // The consultation's groups and regions, and the organisations the participant belongs
    // to, any of which they may speak for.
    let organisation = RwSignal::new(String::new());
    let standing = LocalResource::new(move || async move {
        if !needs_group.get() {
            return None;
        }
        let consultation = api::get_consultation(&ids().0).await.ok()?;
        let mine = api::list_memberships()
            .await
            .unwrap_or_default()
            .into_iter()
            .filter(|m| m.status == MembershipStatus::Member)
            .collect::<Vec<_>>();
        Some((consultation.stakeholder_groups, consultation.regions, mine))
    });
    let error = Signal::derive(move || cast.value().get().and_then(Result::err));
    let saved = move || matches!(cast.value().get(), Some(Ok(_)));
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if let Some(stance) = stance.get_untracked() {
            let reason = reason.get_untracked();
            let join = needs_group.get_untracked().then(|| JoinConsultation {
                stakeholder_group: group.get_untracked(),
                organisation: Some(organisation.get_untracked()).filter(|o| !o.is_empty()),
                region: region.get_untracked(),
            });
            cast.dispatch((
                join,
                CastPosition {
                    stance,
                    reason: (!reason.trim().is_empty()).then_some(reason),
                },
            ));
        }
    };

    view! {
            <form class="position-form" id="position-form" on:submit=submit novalidate>
                <fieldset>
                    <legend>{tr!(i18n, take_position)}</legend>
                    <p class="help">{tr!(i18n, take_position_help)}</p>
                    {Stance::ALL.into_iter().map(|s| view! {
                        <label class="choice">
                            <input
                                type="radio"
                                name="stance"
                                value=s.as_str()
                                prop:checked=move || stance.get() == Some(s)
                                on:change=move |_| stance.set(Some(s))
                            />
                            {move || i18n::stance_name(i18n.get_locale(), s)}
                        </label>
                    }).collect_view()}
                </fieldset>
                {move || needs_group.get().then(|| view! {
                    <fieldset class="standing">
                        <legend>{tr!(i18n, your_standing)}</legend>
                        <p class="help">{tr!(i18n, your_standing_help)}</p>
                        <Suspense fallback=|| ()>
                            {move || Suspend::new(async move {
                                let (groups, regions, list) = standing.await?;
                                Some(view! {
                                <GroupSelect group groups />
                                {(!list.is_empty()).then(|| view! {
                                    <div class="field">
                                        <label for="standing-organisation">{tr!(i18n, speak_for)}</label>
                                        <select id="standing-organisation" aria-describedby="standing-organisation-help"
                                            on:change=move |ev| organisation.set(event_target_value(&ev))>
                                            <option value="">{tr!(i18n, speak_for_myself)}</option>
                                            {list.into_iter().map(|m| view! {
                                                <option value=m.organisation>{m.organisation_name}</option>
                                            }).collect_view()}
                                        </select>
                                        <p class="help" id="standing-organisation-help">{tr!(i18n, speak_for_help)}</p>
                                    </div>
                                })}
                                <RegionSelect region regions error />
                                })
                            })}
                        </Suspense>
                    </fieldset>
                })}
                <TextArea name="reason" label=move || td_string!(i18n.get_locale(), reason)
                    help=move || td_string!(i18n.get_locale(), reason_help) value=reason error draft
                    required=move || td_string!(i18n.get_locale(), field_reason_required)
                    max=shared::rules::REASON_MAX />
                <ErrorNotice error=general_error(error) />
                // Not disabled while saving: that would drop the keyboard's focus to the page.
                <button type="submit" id="record-position"
                    disabled=move || stance.get().is_none()
                    aria-disabled=move || cast.pending().get().to_string()
                    on:click=move |ev| {
                        if cast.pending().get_untracked() {
                            ev.prevent_default();
                        }
                    }>
                    {move || if cast.pending().get() { td_string!(i18n.get_locale(), saving) } else { td_string!(i18n.get_locale(), record_position) }}
                </button>
                <p role="status" class="status" id="position-status">
                    {move || saved().then(|| {
                        let current = clause.get().and_then(|c| c.my_position).map(|p| p.stance);
                        view! {
                            {tr!(i18n, position_recorded)}" "
                            {current.map(|s| view! {
                                {tr!(i18n, your_position)}" "<strong>{i18n::stance_name(i18n.get_locale(), s)}</strong>
                            })}
                        }
                    })}
                </p>
                {move || clause.get().and_then(|c| c.my_position).filter(|p| !p.receipt.is_empty()).map(|p| view! {
                    <p class="receipt">
                        {tr!(i18n, your_receipt)}" "<code id="position-receipt">{p.receipt}</code>
                        <br /><span class="help">{tr!(i18n, receipt_help)}</span>
                    </p>
                })}
            </form>
    }
}
