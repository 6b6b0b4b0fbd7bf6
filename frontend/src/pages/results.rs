//! A round's public results, once published: an overview of every clause, then per clause, charts by position and by stakeholder
//! group with their tables, the result under the round's rule, the consensus level and minority
//! statements.

use super::param;
use crate::api;
use crate::components::{
    ChamberedView, ConsensusView, Loading, PhaseBadge, RecordLinks, ResultsCharts, ResultsOverview,
    StatementsView, errors_fallback,
};
use crate::i18n::{tr, use_i18n};
use leptos::prelude::*;
use leptos_i18n::td_string;
use leptos_router::components::A;

/// The results page of a round.
#[component]
pub fn ResultsPage() -> impl IntoView {
    let i18n = use_i18n();
    let (slug, round) = (param("slug"), param("round"));
    let results = LocalResource::new(move || {
        let (s, r) = (slug(), round());
        async move { api::round_results(&s, &r).await }
    });
    view! {
        <Transition fallback=Loading>
            <ErrorBoundary fallback=errors_fallback>
                {move || Suspend::new(async move {
                    results.await.map(|r| {
                        let round_href = format!("/c/{}/{}", r.consultation_slug, r.round.slug);
                        let record = (r.round.phase == shared::Phase::Published).then(|| {
                            let (slug, round) = (r.consultation_slug.clone(), r.round.slug.clone());
                            view! {
                                <section aria-labelledby="record-heading">
                                    <h2 id="record-heading">{tr!(i18n, record_title)}</h2>
                                    <RecordLinks slug round convener=false />
                                </section>
                            }
                        });
                        let crumb = format!("{} — {}", r.consultation_title, r.round.title);
                        view! {
                            <nav class="breadcrumbs" aria-label=move || td_string!(i18n.get_locale(), breadcrumb)>
                                <A href="/">{tr!(i18n, consultations)}</A>" › "
                                <A href=round_href exact=true>{crumb}</A>
                            </nav>
                            <h1>{tr!(i18n, results_title)}" — "{r.round.title.clone()}</h1>
                            <p class="meta"><PhaseBadge phase=r.round.phase /></p>
                            <ResultsOverview clauses=r.clauses.clone() />
                            <ol class="clauses" id="results">
                                {r.clauses.into_iter().map(|c| {
                                    let scope = format!("{}-", c.key);
                                    view! {
                                        <li class="clause-item" id=format!("results-{}", c.key)>
                                            <h2>{c.number}". "{c.title}</h2>
                                            <ConsensusView consensus=c.consensus scope=scope.clone() />
                                            <ResultsCharts results=c.results scope=scope.clone() />
                                            <ChamberedView chambered=c.chambered scope=scope.clone() />
                                            <StatementsView statements=c.minority_statements scope />
                                        </li>
                                    }
                                }).collect_view()}
                            </ol>
                            {record}
                        }
                    })
                })}
            </ErrorBoundary>
        </Transition>
    }
}
