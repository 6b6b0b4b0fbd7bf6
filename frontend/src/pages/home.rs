//! The list of consultations.

use crate::api;
use crate::components::{Loading, PhaseBadge, errors_fallback};
use crate::i18n::{local_title, tr, use_i18n};
use crate::use_session;
use leptos::prelude::*;
use leptos_router::components::A;

/// Every consultation with its current round.
#[component]
pub fn Home() -> impl IntoView {
    let i18n = use_i18n();
    let consultations = LocalResource::new(api::list_consultations);
    let session = use_session();
    let admin = move || session.me.get().is_some_and(|m| m.admin);
    view! {
        <h1>{tr!(i18n, consultations)}</h1>
        <p class="lead">{tr!(i18n, consultations_intro)}</p>
        <Show when=admin>
            <p><A href="/new" attr:id="new-consultation" attr:class="button">{tr!(i18n, new_consultation_link)}</A></p>
        </Show>
        <Transition fallback=Loading>
            <ErrorBoundary fallback=errors_fallback>
                {move || Suspend::new(async move {
                    consultations.await.map(|list| {
                        if list.is_empty() {
                            // A fresh install: say how the first consultation comes about.
                            return view! {
                                <p class="empty">{tr!(i18n, no_consultations)}</p>
                                <Show when=move || !admin()>
                                    <p class="help" id="first-consultation">{tr!(i18n, no_consultations_hint)}</p>
                                </Show>
                            }.into_any();
                        }
                        view! {
                            <ul class="cards" id="consultations">
                                {list
                                    .into_iter()
                                    .map(|c| {
                                        let href = format!("/c/{}", c.slug);
                                        let title = local_title(i18n.get_locale(), &c.titles, &c.title);
                                        view! {
                                            <li class="card">
                                                <h2><A href=href>{title}</A></h2>
                                                {c.archived.then(|| view! {
                                                    <p class="badge archived">{tr!(i18n, archived)}</p>
                                                })}
                                                <p>{c.description}</p>
                                                {c.current_round.map(|r| view! {
                                                    <p class="meta">
                                                        {tr!(i18n, current_round)}": "{r.title}" "
                                                        <PhaseBadge phase=r.phase />
                                                    </p>
                                                })}
                                            </li>
                                        }
                                    })
                                    .collect_view()}
                            </ul>
                        }
                        .into_any()
                    })
                })}
            </ErrorBoundary>
        </Transition>
    }
}
