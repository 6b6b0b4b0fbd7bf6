//! Participants' proposals: the list on the round page, the forms to propose an addition (round
//! page) or an amendment (clause page), and what a proposal's own page says about it. A proposal
//! is otherwise read, discussed and voted on with the clause page itself.

use super::lazy::lazily;
use crate::api;
use crate::components::{
    ErrorNotice, ResponseNote, SubmitButton, TallyView, TextArea, TextField, VerdictSelect,
    WhenOpen, general_error,
};
use crate::drafts::Draft;
use crate::i18n::{self, tr, use_i18n};
use crate::use_session;
use leptos::prelude::*;
use leptos_i18n::td_string;
use leptos_router::components::A;
use leptos_router::hooks::use_navigate;
use shared::{
    ApiError, Clause, ClauseSummary, CreatedProposal, NewProposal, NewResponse, Phase,
    ProposalInfo, ProposalKind, Verdict,
};

/// How a proposal is named in lists and headings: P1, P2, … in `locale`.
pub fn proposal_label(locale: i18n::Locale, number: i64) -> String {
    td_string!(locale, proposal_label, n = number).to_string()
}

/// The round's proposals, in the order they were made.
#[component]
pub fn ProposalList(slug: String, round: String, proposals: Vec<ClauseSummary>) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <section class="proposals" aria-labelledby="proposals-heading">
            <h3 id="proposals-heading">{tr!(i18n, proposals)}</h3>
            {if proposals.is_empty() {
                view! { <p class="empty">{tr!(i18n, no_proposals)}</p> }.into_any()
            } else {
                view! {
                    <ol class="clauses" id="proposals">
                        {proposals.into_iter().map(|p| {
                            let href = format!("/c/{slug}/{round}/{}", p.key);
                            let comments = p.comment_count;
                            let info = p.proposal.clone();
                            view! {
                                <li class="clause-item">
                                    <h4><A href=href>{proposal_label(i18n.get_locale_untracked(), p.number)}". "{p.title}</A></h4>
                                    {info.map(|info| view! { <p class="meta"><ProposalKindText info /></p> })}
                                    {p.tally.map(|tally| view! { <TallyView tally compact=true scope=p.key.clone() /> })}
                                    <p class="meta">{move || i18n::comment_count(i18n.get_locale(), comments)}</p>
                                </li>
                            }
                        }).collect_view()}
                    </ol>
                }.into_any()
            }}
        </section>
    }
}

/// "Amendment to clause X, proposed by Y" or "Addition proposed by Y".
#[component]
fn ProposalKindText(info: ProposalInfo) -> impl IntoView {
    let i18n = use_i18n();
    let author = info.author.clone();
    view! {
        {match (info.kind, info.amends) {
            (ProposalKind::Amendment, Some(key)) => view! {
                {tr!(i18n, amendment_of)}" "<code>{key}</code>
            }.into_any(),
            _ => view! { {tr!(i18n, addition)} }.into_any(),
        }}
        " · "
        {match author {
            Some(handle) => view! { {tr!(i18n, proposed_by)}" "<strong>{handle}</strong> }.into_any(),
            None => tr!(i18n, former_participant).into_any(),
        }}
    }
}

/// On a proposal's own page: what it proposes, with the amended clause one click away and the
/// changes it makes to it.
#[component]
pub fn ProposalNote(clause: Clause) -> impl IntoView {
    let i18n = use_i18n();
    let Some(info) = clause.proposal.clone() else {
        return ().into_any();
    };
    let amended = info.amends.clone().map(|key| {
        format!(
            "/c/{}/{}/{key}",
            clause.consultation_slug, clause.round.slug
        )
    });
    view! {
        <section class="proposal-note" aria-labelledby="proposal-heading">
            <h2 id="proposal-heading">{tr!(i18n, proposal)}" "{proposal_label(i18n.get_locale_untracked(), clause.number)}</h2>
            <p><ProposalKindText info /></p>
            {amended.map(|href| view! {
                <p><A href=href attr:id="amended-clause-link">{tr!(i18n, amended_clause_link)}</A></p>
            })}
            {clause.redline.clone().map(|segments| view! {
                <h3>{tr!(i18n, proposed_changes)}</h3>
                <crate::components::RedlineText segments id="redline" />
            })}
            <ProposalResponse clause=clause.clone() />
        </section>
    }
    .into_any()
}

/// Sends a proposal and opens its page once made, forgetting the form's `drafts`.
fn proposing(
    slug: Signal<String>,
    round: Signal<String>,
    drafts: Vec<Draft>,
) -> Action<NewProposal, Result<CreatedProposal, ApiError>> {
    let navigate = use_navigate();
    let action = Action::new_local(move |proposal: &NewProposal| {
        let proposal = proposal.clone();
        let (s, r) = (slug.get_untracked(), round.get_untracked());
        async move { api::propose(&s, &r, &proposal).await }
    });
    Effect::new(move |_| {
        if let Some(Ok(created)) = action.value().get() {
            drafts.iter().for_each(Draft::forget);
            navigate(
                &format!(
                    "/c/{}/{}/{}",
                    slug.get_untracked(),
                    round.get_untracked(),
                    created.key
                ),
                Default::default(),
            );
        }
    });
    action
}

/// The form to propose a clause the text is missing.
#[component]
pub fn AdditionForm(slug: String, round: String, phase: Phase) -> impl IntoView {
    let i18n = use_i18n();
    let drafts = [Draft::new("addition-title"), Draft::new("addition-body")];
    let propose = proposing(Signal::stored(slug), Signal::stored(round), drafts.to_vec());
    let [title_draft, body_draft] = drafts;
    let title = RwSignal::new(String::new());
    let body = RwSignal::new(String::new());
    let error = Signal::derive(move || propose.value().get().and_then(Result::err));
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        propose.dispatch(NewProposal {
            kind: ProposalKind::Addition,
            clause: None,
            title: title.get_untracked(),
            body_md: body.get_untracked(),
        });
    };
    view! {
        <WhenOpen
            open=Signal::derive(move || Some(phase.accepts_comments()))
            invited=Signal::derive(|| true)
            closed=move || td_string!(i18n.get_locale(), proposals_closed)
            sign_in=move || td_string!(i18n.get_locale(), sign_in_to_propose)
        >
            <details class="proposal-form">
                <summary>{tr!(i18n, propose_addition)}</summary>
                <form id="addition-form" on:submit=submit novalidate>
                    <p class="help">{tr!(i18n, propose_addition_help)}</p>
                    <TextField name="title" id="addition-title" autocomplete="off"
                        label=move || td_string!(i18n.get_locale(), proposal_title)
                        help=move || td_string!(i18n.get_locale(), proposal_title_help) value=title error draft=title_draft.clone() />
                    <TextArea name="body_md" id="addition-body" rows=5
                        label=move || td_string!(i18n.get_locale(), proposal_body)
                        help=move || td_string!(i18n.get_locale(), proposal_body_help) value=body error draft=body_draft.clone()
                        max=shared::rules::BODY_MAX />
                    <ErrorNotice error=general_error(error) />
                    <SubmitButton id="submit-addition" busy=Signal::derive(move || propose.pending().get())>
                        {tr!(i18n, submit_proposal)}
                    </SubmitButton>
                </form>
            </details>
        </WhenOpen>
    }
}

/// The form to propose new wording for the clause on the page, to those who may (its code is
/// fetched then).
#[component]
pub fn AmendmentForm(clause: Signal<Option<Clause>>) -> impl IntoView {
    let i18n = use_i18n();
    // A memo, so that the form (and whether it is open) survives the clause being fetched again.
    let is_text = Memo::new(move |_| clause.get().is_some_and(|c| c.proposal.is_none()));
    move || {
        is_text.get().then(|| view! {
            <WhenOpen
                open=Signal::derive(move || clause.get().map(|c| c.round.phase.accepts_comments()))
                invited=Signal::derive(move || clause.get().is_some_and(|c| c.open_to_reader()))
                closed=move || td_string!(i18n.get_locale(), proposals_closed)
                sign_in=move || td_string!(i18n.get_locale(), sign_in_to_propose)
            >
                {lazily(move || amendment_fields(clause))}
            </WhenOpen>
        })
    }
}

#[leptos::lazy]
fn amendment_fields(clause: Signal<Option<Clause>>) -> AnyView {
    view! { <AmendmentFields clause /> }.into_any()
}

#[component]
fn AmendmentFields(clause: Signal<Option<Clause>>) -> impl IntoView {
    let i18n = use_i18n();
    let slug = Signal::derive(move || {
        clause
            .get()
            .map(|c| c.consultation_slug)
            .unwrap_or_default()
    });
    let round = Signal::derive(move || clause.get().map(|c| c.round.slug).unwrap_or_default());
    let draft = Draft::new("amendment");
    let propose = proposing(slug, round, vec![draft.clone()]);
    let body = RwSignal::new(String::new());
    // Start from the wording as it stands.
    Effect::new(move |_| {
        if let Some(c) = clause.get()
            && body.get_untracked().is_empty()
        {
            body.set(c.body_md);
        }
    });
    let error = Signal::derive(move || propose.value().get().and_then(Result::err));
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        propose.dispatch(NewProposal {
            kind: ProposalKind::Amendment,
            clause: clause.get_untracked().map(|c| c.key),
            title: String::new(),
            body_md: body.get_untracked(),
        });
    };
    view! {
                <details class="proposal-form">
                    <summary>{tr!(i18n, propose_amendment)}</summary>
                    <form id="amendment-form" on:submit=submit novalidate>
                        <p class="help">{tr!(i18n, propose_amendment_help)}</p>
                        <TextArea name="body_md" id="amendment-body" rows=6
                            label=move || td_string!(i18n.get_locale(), proposal_body)
                            help=move || td_string!(i18n.get_locale(), proposal_body_help) value=body error draft
                            max=shared::rules::BODY_MAX />
                        <ErrorNotice error=general_error(error) />
                        <SubmitButton id="submit-amendment" busy=Signal::derive(move || propose.pending().get())>
                            {tr!(i18n, submit_proposal)}
                        </SubmitButton>
                    </form>
                </details>
    }
}

/// The conveners' response to a proposal, and (for conveners) the form to give or change it.
#[component]
fn ProposalResponse(clause: Clause) -> impl IntoView {
    let i18n = use_i18n();
    let session = use_session();
    let slug = clause.consultation_slug.clone();
    let convenes = {
        let slug = slug.clone();
        Signal::derive(move || {
            session
                .me
                .get()
                .is_some_and(|m| m.two_factor && (m.admin || m.convenes.contains(&slug)))
        })
    };
    let shown = RwSignal::new(clause.response.clone());
    let verdict = RwSignal::new(Verdict::Noted);
    let explanation = RwSignal::new(String::new());
    let (round, key) = (clause.round.slug.clone(), clause.key.clone());
    let respond = Action::new_local(move |response: &NewResponse| {
        let response = response.clone();
        let (s, r, k) = (slug.clone(), round.clone(), key.clone());
        async move { api::respond_to_proposal(&s, &r, &k, &response).await }
    });
    Effect::new(move |_| {
        if let Some(Ok(response)) = respond.value().get() {
            shown.set(Some(response));
        }
    });
    let error = Signal::derive(move || respond.value().get().and_then(Result::err));
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        respond.dispatch(NewResponse {
            verdict: verdict.get_untracked(),
            explanation: explanation.get_untracked(),
        });
    };
    view! {
        {move || shown.get().map(|response| view! { <ResponseNote response id="proposal-response" /> })}
        {move || convenes.get().then(|| view! {
            <details class="proposal-form">
                <summary>{tr!(i18n, respond)}</summary>
                <form id="proposal-response-form" on:submit=submit novalidate>
                    <VerdictSelect id="proposal-verdict" verdict />
                    <TextArea name="explanation" id="proposal-explanation" rows=3
                        label=move || td_string!(i18n.get_locale(), response_explanation)
                        help=move || td_string!(i18n.get_locale(), response_help) value=explanation error
                        max=shared::deliberation::REASON_MAX />
                    <ErrorNotice error=general_error(error) />
                    <SubmitButton id="submit-proposal-response" busy=Signal::derive(move || respond.pending().get())>
                        {tr!(i18n, respond)}
                    </SubmitButton>
                </form>
            </details>
        })}
    }
}
