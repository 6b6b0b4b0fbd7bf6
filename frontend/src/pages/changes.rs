//! A round's whole text as one redline against the previous round.

use super::param;
use crate::api;
use crate::components::{Loading, PhaseBadge, RedlineText, errors_fallback};
use crate::i18n::{self, use_i18n};
use leptos::prelude::*;
use leptos_i18n::td_string;
use leptos_router::components::A;

/// The whole-text redline page.
#[component]
pub fn ChangesPage() -> impl IntoView {
    let i18n = use_i18n();
    let (slug, round) = (param("slug"), param("round"));
    let redline = LocalResource::new(move || {
        let (s, r) = (slug(), round());
        async move { api::round_redline(&s, &r).await }
    });
    view! {
        <Transition fallback=Loading>
            <ErrorBoundary fallback=errors_fallback>
                {move || Suspend::new(async move {
                    redline.await.map(|r| {
                        let round_href = format!("/c/{}/{}", r.consultation_slug, r.round.slug);
                        let crumb = format!("{} — {}", r.consultation_title, r.round.title);
                        let previous = r.previous_round.clone().unwrap_or_default();
                        view! {
                            <nav class="breadcrumbs" aria-label=move || td_string!(i18n.get_locale(), breadcrumb)>
                                <A href=round_href exact=true>{crumb}</A>
                            </nav>
                            <h1>{move || i18n::changes_since(i18n.get_locale(), &previous)}</h1>
                            <p class="meta"><PhaseBadge phase=r.round.phase /></p>
                            <ol class="clauses" id="whole-redline">
                                {r.clauses.into_iter().map(|c| {
                                    let fate = c.fate;
                                    view! {
                                        <li class="clause-item" data-fate=fate.as_str()>
                                            <h2>
                                                {c.number.map(|n| format!("{n}. "))}{c.title}" "
                                                <span class="fate">"("{move || i18n::fate_name(i18n.get_locale(), fate)}")"</span>
                                            </h2>
                                            <RedlineText segments=c.segments />
                                        </li>
                                    }
                                }).collect_view()}
                            </ol>
                        }
                    })
                })}
            </ErrorBoundary>
        </Transition>
    }
}
