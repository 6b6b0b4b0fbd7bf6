//! A consultation and one of its rounds (the current one unless the address names another),
//! with the round's clauses and their tallies.

use super::param;
use super::proposals::{AdditionForm, ProposalList};
use crate::api;
use crate::components::{Deadline, FollowLinks, Loading, PhaseBadge, TallyView, errors_fallback};
use crate::i18n::{self, local_title, tr, use_i18n};
use crate::use_session;
use leptos::prelude::*;
use leptos_i18n::td_string;
use leptos_router::components::A;
use shared::{ApiError, ConsultationAccess, Phase};

/// The consultation's description, its rounds and the chosen round's clauses.
#[component]
pub fn RoundPage() -> impl IntoView {
    let i18n = use_i18n();
    let session = use_session();
    let slug = param("slug");
    let round = param("round");
    let data = LocalResource::new(move || {
        let (slug, round) = (slug(), round());
        async move {
            let consultation = api::get_consultation(&slug).await?;
            let chosen = if round.is_empty() {
                consultation.rounds.first().map(|r| r.slug.clone())
            } else {
                Some(round)
            };
            let round = match chosen {
                Some(r) => Some(api::get_round(&slug, &r).await?),
                None => None,
            };
            Ok::<_, ApiError>((consultation, round))
        }
    });

    view! {
        <Transition fallback=Loading>
            <ErrorBoundary fallback=errors_fallback>
                {move || Suspend::new(async move {
                    data.await.map(|(consultation, round)| {
                        let slug = consultation.slug.clone();
                        let convene_slug = slug.clone();
                        let base = format!("/c/{slug}");
                        let current = round.as_ref().map(|r| r.slug.clone()).unwrap_or_default();
                        let follow_slug = slug.clone();
                        let follow_round = round.as_ref().map(|r| r.slug.clone());
                        view! {
                            <nav class="breadcrumbs" aria-label=move || td_string!(i18n.get_locale(), breadcrumb)>
                                <A href="/">{tr!(i18n, consultations)}</A>
                            </nav>
                            <h1>{local_title(i18n.get_locale(), &consultation.titles, &consultation.title)}</h1>
                            <p class="lead">{consultation.description}</p>
                            {consultation.archived.then(|| view! {
                                <p class="notice" id="archived-note">{tr!(i18n, archived_note)}</p>
                            })}
                            {
                                let (total, answered) = (consultation.comments, consultation.answered);
                                view! {
                                    <p class="meta" id="consultation-answered">
                                        {move || i18n::comments_answered(i18n.get_locale(), total, answered)}
                                    </p>
                                }
                            }
                            {(consultation.access == ConsultationAccess::Invitation).then(|| view! {
                                <p class="notice" id="access-note">{tr!(i18n, by_invitation_note)}</p>
                            })}
                            {move || {
                                let slug = convene_slug.clone();
                                session.me.get()
                                    .filter(|m| m.admin || m.convenes.contains(&slug))
                                    .map(|_| view! {
                                        <p><A href=format!("/convene/{slug}") attr:id="convene-link">{tr!(i18n, convene_link)}</A></p>
                                    })
                            }}
                            {(consultation.rounds.len() > 1).then(move || view! {
                                <nav class="rounds" aria-label=move || td_string!(i18n.get_locale(), rounds)>
                                    <h2 class="visually-hidden">{tr!(i18n, rounds)}</h2>
                                    <ul>
                                        {consultation.rounds.into_iter().map(|r| {
                                            let here = r.slug == current;
                                            view! {
                                                <li>
                                                    <A href=format!("{base}/{}", r.slug)
                                                        attr:aria-current=here.then_some("page")>
                                                        {r.title}
                                                    </A>
                                                </li>
                                            }
                                        }).collect_view()}
                                    </ul>
                                </nav>
                            })}
                            {match round {
                                None => view! { <p class="empty">{tr!(i18n, no_rounds)}</p> }.into_any(),
                                Some(round) => view! {
                                    <section aria-labelledby="round-heading">
                                        <h2 id="round-heading">
                                            {round.title.clone()}" "<PhaseBadge phase=round.phase />
                                        </h2>
                                        <Deadline deadline=round.deadline />
                                        {round.previous_round.clone().map(|previous| {
                                            let href = format!("/c/{}/{}/changes", round.consultation_slug, round.slug);
                                            view! {
                                                <p><A href=href attr:id="changes-link">{move || i18n::whole_text_changes(i18n.get_locale(), &previous)}</A></p>
                                            }
                                        })}
                                        <p><A href=format!("/c/{}/moderation", round.consultation_slug) attr:id="moderation-link">{tr!(i18n, moderation_log)}</A></p>
                                        {(round.phase == Phase::Published).then(|| view! {
                                            <p><A href=format!("/c/{}/{}/results", round.consultation_slug, round.slug) attr:id="results-link">{tr!(i18n, see_results)}</A></p>
                                        })}
                                        {(!round.preamble_html.is_empty()).then(|| view! {
                                            <div class="preamble clause-body" id="preamble" inner_html=round.preamble_html.clone()></div>
                                        })}
                                        {round.clauses.is_empty().then(|| view! {
                                            <p class="empty">{tr!(i18n, no_clauses)}</p>
                                        })}
                                        <ol class="clauses" id="clauses">
                                            {round.clauses.into_iter().map(|c| {
                                                let href = format!("/c/{}/{}/{}", slug, round.slug, c.key);
                                                let comments = c.comment_count;
                                                view! {
                                                    <li class="clause-item" value=c.number>
                                                        <h3><A href=href>{c.number}". "{c.title}</A></h3>
                                                        {match c.tally {
                                                            Some(tally) => view! { <TallyView tally compact=true /> }.into_any(),
                                                            None => view! { <p class="tally-compact">{tr!(i18n, results_hidden_short)}</p> }.into_any(),
                                                        }}
                                                        <p class="meta">
                                                            {move || i18n::comment_count(i18n.get_locale(), comments)}
                                                        </p>
                                                    </li>
                                                }
                                            }).collect_view()}
                                        </ol>
                                        <ProposalList slug=slug.clone() round=round.slug.clone() proposals=round.proposals />
                                        <AdditionForm slug=slug.clone() round=round.slug.clone() phase=round.phase />
                                    </section>
                                }.into_any(),
                            }}
                            <FollowLinks slug=follow_slug round=follow_round />
                        }
                    })
                })}
            </ErrorBoundary>
        </Transition>
    }
}
