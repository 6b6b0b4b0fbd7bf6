//! The organisations taking part. Participants declare theirs; administrators (stewards) verify
//! them and name their representatives; representatives accept members.

use crate::api;
use crate::components::{
    ErrorNotice, GroupSelect, Loading, SubmitButton, TextField, confirmed, errors_fallback,
    general_error,
};
use crate::i18n::{self, tr, use_i18n};
use crate::use_session;
use leptos::prelude::*;
use leptos_i18n::td_string;
use leptos_router::components::A;
use shared::{
    ApiError, Membership, MembershipStatus, NewOrganisation, Organisation, RepresentativeChange,
    StakeholderGroup,
};

/// What a steward does to an organisation from its card.
#[derive(Clone)]
enum StewardAct {
    Verify(String),
    NameRepresentative(String, RepresentativeChange),
}

/// The organisations page.
#[component]
pub fn Organisations() -> impl IntoView {
    let i18n = use_i18n();
    let session = use_session();
    let create = Action::new_local(|new: &NewOrganisation| {
        let new = new.clone();
        async move { api::create_organisation(&new).await }
    });
    let join = Action::new_local(|slug: &String| {
        let slug = slug.clone();
        async move { api::request_membership(&slug).await }
    });
    let accept = Action::new_local(|(slug, handle): &(String, String)| {
        let (slug, handle) = (slug.clone(), handle.clone());
        async move { api::accept_membership(&slug, &handle).await }
    });
    let act = Action::new_local(|act: &StewardAct| {
        let act = act.clone();
        async move {
            match act {
                StewardAct::Verify(slug) => api::verify_organisation(&slug).await,
                StewardAct::NameRepresentative(slug, change) => {
                    api::set_representative(&slug, &change).await
                }
            }
        }
    });
    let signed_in = Memo::new(move |_| session.me.get().is_some());
    // The list, with the reader's own memberships when signed in.
    let list = LocalResource::new(move || {
        create.version().get();
        join.version().get();
        act.version().get();
        let signed_in = signed_in.get();
        async move {
            let organisations = api::list_organisations().await?;
            let memberships = if signed_in {
                api::list_memberships().await?
            } else {
                Vec::new()
            };
            Ok::<_, ApiError>((organisations, memberships))
        }
    });
    // Administrators act as stewards once they have two factors; before, they are told why not.
    let steward = Memo::new(move |_| session.me.get().filter(|m| m.admin).map(|m| m.two_factor));
    let acting = Memo::new(move |_| steward.get() == Some(true));
    view! {
        <h1>{tr!(i18n, organisations)}</h1>
        <p class="lead">{tr!(i18n, organisations_intro)}</p>
        {move || (steward.get() == Some(false)).then(|| view! {
            <p class="notice"><A href="/account">{tr!(i18n, admin_needs_two_factor)}</A></p>
        })}
        <ErrorNotice error=Signal::derive(move || act.value().get().and_then(Result::err)) />
        <Transition fallback=Loading>
            <ErrorBoundary fallback=errors_fallback>
                {move || Suspend::new(async move {
                    list.await.map(|(organisations, memberships)| {
                        let me = session.me.get_untracked().map(|m| m.handle);
                        let represents = organisations
                            .iter()
                            .any(|o| o.representative.is_some() && o.representative == me);
                        view! {
                            <OrganisationList organisations memberships
                                signed_in=signed_in.get_untracked() steward=acting.get_untracked() join act />
                            {(acting.get_untracked() || represents).then(|| view! { <Requests accept join /> })}
                        }
                    })
                })}
            </ErrorBoundary>
        </Transition>
        {move || signed_in.get().then(|| view! { <NewOrganisationForm create steward=acting /> })}
    }
}

/// The organisations, by name, each with the reader's membership or a way to ask for one.
#[component]
fn OrganisationList(
    organisations: Vec<Organisation>,
    /// The reader's memberships.
    memberships: Vec<Membership>,
    /// Whether the reader is signed in (and so may ask to join).
    signed_in: bool,
    /// Whether the reader verifies organisations and names representatives.
    steward: bool,
    /// Asks to join the organisation with this slug.
    join: Action<String, Result<Membership, ApiError>>,
    /// A steward's action on one organisation.
    act: Action<StewardAct, Result<(), ApiError>>,
) -> impl IntoView {
    let i18n = use_i18n();
    if organisations.is_empty() {
        return view! { <p class="empty">{tr!(i18n, no_organisations)}</p> }.into_any();
    }
    view! {
        <ul class="cards" id="organisations">
            {organisations.into_iter().map(|o| {
                let group = o.stakeholder_group;
                let status = memberships.iter().find(|m| m.organisation == o.slug).map(|m| m.status);
                let slug = o.slug.clone();
                let card_slug = o.slug.clone();
                let verified = o.verified;
                let looks_like = o.looks_like.clone();
                let membership = match status {
                    Some(MembershipStatus::Member) => {
                        Some(view! { <p class="membership">{tr!(i18n, membership_member)}</p> }.into_any())
                    }
                    Some(MembershipStatus::Requested) => {
                        Some(view! { <p class="membership">{tr!(i18n, membership_requested)}</p> }.into_any())
                    }
                    None if signed_in => Some(view! {
                        <button type="button" class="join" on:click=move |_| { join.dispatch(slug.clone()); }>
                            {tr!(i18n, ask_to_join)}
                        </button>
                    }.into_any()),
                    None => None,
                };
                view! {
                    <li class="card">
                        <h2>{o.name}</h2>
                        <p class="meta">
                            {move || i18n::group_name(i18n.get_locale(), group)}" · "{o.region}" · "
                            {if verified {
                                view! { <strong class="verified">{tr!(i18n, verified)}</strong> }.into_any()
                            } else {
                                view! { <span class="self-declared">{tr!(i18n, self_declared)}</span> }.into_any()
                            }}
                        </p>
                        {o.looks_like.map(|name| view! {
                            <p class="notice lookalike">{move || i18n::looks_like(i18n.get_locale(), &name)}</p>
                        })}
                        {o.representative.map(|r| view! {
                            <p class="meta representative">{tr!(i18n, representative)}" "<strong>{r}</strong></p>
                        })}
                        {membership}
                        {steward.then(|| view! { <StewardTools slug=card_slug verified looks_like act /> })}
                    </li>
                }
            }).collect_view()}
        </ul>
    }
    .into_any()
}

/// A steward's controls on one organisation's card: verify it (asking first when its name
/// looks like another's), name its representative.
#[component]
fn StewardTools(
    slug: String,
    verified: bool,
    /// The earlier organisation whose name this one's looks like.
    looks_like: Option<String>,
    act: Action<StewardAct, Result<(), ApiError>>,
) -> impl IntoView {
    let i18n = use_i18n();
    let handle = RwSignal::new(String::new());
    let verify_slug = slug.clone();
    let field_id = format!("representative-{slug}");
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        act.dispatch(StewardAct::NameRepresentative(
            slug.clone(),
            RepresentativeChange {
                handle: handle.get_untracked(),
            },
        ));
    };
    view! {
        {(!verified).then(|| view! {
            <button type="button" class="verify"
                on:click=move |_| {
                    let sure = looks_like.as_ref().is_none_or(|name| {
                        confirmed(&i18n::verify_lookalike(i18n.get_locale_untracked(), name))
                    });
                    if sure {
                        act.dispatch(StewardAct::Verify(verify_slug.clone()));
                    }
                }>
                {tr!(i18n, verify)}
            </button>
        })}
        <form class="inline-form representative-form" on:submit=submit novalidate>
            <label for=field_id.clone()>{tr!(i18n, name_representative)}</label>
            <input id=field_id type="text" autocomplete="off" bind:value=handle />
            <button type="submit">{tr!(i18n, save)}</button>
        </form>
    }
}

/// Adding an organisation, with its stakeholder group and region.
#[component]
fn NewOrganisationForm(
    /// Sends the new organisation.
    create: Action<NewOrganisation, Result<Organisation, ApiError>>,
    /// Whether the reader's organisations are verified at once.
    steward: Memo<bool>,
) -> impl IntoView {
    let i18n = use_i18n();
    let name = RwSignal::new(String::new());
    let region = RwSignal::new(String::new());
    let group = RwSignal::new(StakeholderGroup::CivilSociety);
    let error = Signal::derive(move || create.value().get().and_then(Result::err));
    let added = move || matches!(create.value().get(), Some(Ok(_)));
    Effect::new(move |_| {
        if matches!(create.value().get(), Some(Ok(_))) {
            name.set(String::new());
            region.set(String::new());
        }
    });
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        create.dispatch(NewOrganisation {
            name: name.get_untracked(),
            stakeholder_group: group.get_untracked(),
            region: region.get_untracked(),
        });
    };
    view! {
        <section aria-labelledby="new-organisation-heading">
            <h2 id="new-organisation-heading">{tr!(i18n, add_organisation)}</h2>
            <p class="help">
                {move || if steward.get() { td_string!(i18n.get_locale(), add_organisation_verified) } else { td_string!(i18n.get_locale(), add_organisation_declared) }}
            </p>
            <form id="organisation-form" on:submit=submit novalidate>
                <TextField name="name" autocomplete="organization"
                    label=move || td_string!(i18n.get_locale(), organisation_name)
                    help=move || td_string!(i18n.get_locale(), organisation_name_help) value=name error />
                <GroupSelect group />
                <TextField name="region" autocomplete="off"
                    label=move || td_string!(i18n.get_locale(), region)
                    help=move || td_string!(i18n.get_locale(), region_help) value=region error />
                <ErrorNotice error=general_error(error) />
                <SubmitButton id="create-organisation" busy=Signal::derive(move || create.pending().get())>
                    {tr!(i18n, create_organisation)}
                </SubmitButton>
                <p role="status" class="status">{move || added().then(|| td_string!(i18n.get_locale(), organisation_added))}</p>
            </form>
        </section>
    }
}

/// Requests to join that the reader may accept, each with a way to accept it.
#[component]
fn Requests(
    /// Accepts (organisation slug, handle).
    accept: Action<(String, String), Result<(), ApiError>>,
    /// New requests arrive through this action too.
    join: Action<String, Result<Membership, ApiError>>,
) -> impl IntoView {
    let i18n = use_i18n();
    let requests = LocalResource::new(move || {
        accept.version().get();
        join.version().get();
        api::list_membership_requests()
    });
    view! {
        <section aria-labelledby="requests-heading">
            <h2 id="requests-heading">{tr!(i18n, membership_requests)}</h2>
            <ErrorNotice error=Signal::derive(move || accept.value().get().and_then(Result::err)) />
            <Transition fallback=Loading>
                <ErrorBoundary fallback=errors_fallback>
                    {move || Suspend::new(async move {
                        requests.await.map(|list| {
                            if list.is_empty() {
                                return view! { <p class="empty">{tr!(i18n, no_membership_requests)}</p> }.into_any();
                            }
                            view! {
                                <ul class="session-list" id="membership-requests">
                                    {list.into_iter().map(|r| {
                                        let key = (r.organisation.clone(), r.handle.clone());
                                        view! {
                                            <li class="session">
                                                <span>
                                                    {move || i18n::request_line(i18n.get_locale(), &r.handle, &r.organisation_name)}
                                                </span>
                                                <button type="button" class="accept" on:click=move |_| { accept.dispatch(key.clone()); }>
                                                    {tr!(i18n, accept)}
                                                </button>
                                            </li>
                                        }
                                    }).collect_view()}
                                </ul>
                            }
                            .into_any()
                        })
                    })}
                </ErrorBoundary>
            </Transition>
        </section>
    }
}
