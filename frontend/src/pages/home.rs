//! The list of consultations.

use crate::api;
use crate::components::{Loading, PhaseBadge, errors_fallback};
use crate::i18n::{tr, use_i18n};
use leptos::prelude::*;
use leptos_router::components::A;

/// Every consultation with its current round.
#[component]
pub fn Home() -> impl IntoView {
    let i18n = use_i18n();
    let consultations = LocalResource::new(api::list_consultations);
    view! {
        <h1>{tr!(i18n, consultations)}</h1>
        <p class="lead">{tr!(i18n, consultations_intro)}</p>
        <Transition fallback=Loading>
            <ErrorBoundary fallback=errors_fallback>
                {move || Suspend::new(async move {
                    consultations.await.map(|list| {
                        if list.is_empty() {
                            return view! { <p class="empty">{tr!(i18n, no_consultations)}</p> }.into_any();
                        }
                        view! {
                            <ul class="cards" id="consultations">
                                {list
                                    .into_iter()
                                    .map(|c| {
                                        let href = format!("/c/{}", c.slug);
                                        view! {
                                            <li class="card">
                                                <h2><A href=href>{c.title}</A></h2>
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
