//! The round's phase, shown on every page of the round, and the redline of its text.

use crate::i18n::{self, tr, use_i18n};
use leptos::prelude::*;
use leptos_i18n::td_string;
use shared::{Phase, PhaseChange};

/// A badge naming the phase in words (never by colour alone).
#[component]
pub fn PhaseBadge(
    /// The phase to show.
    phase: Phase,
) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <span class=format!("phase phase-{}", phase.as_str())>
            <span class="visually-hidden">{tr!(i18n, phase_label)}": "</span>
            {move || i18n::phase_name(i18n.get_locale(), phase)}
        </span>
    }
}

/// The next scheduled phase change, if any, in words.
#[component]
pub fn Deadline(
    /// The change to come.
    deadline: Option<PhaseChange>,
) -> impl IntoView {
    let i18n = use_i18n();
    deadline.map(|d| {
        view! {
            <p class="deadline" id="deadline">
                {move || i18n::deadline_text(i18n.get_locale(), d)}
            </p>
        }
    })
}

/// Text with its changes as a reader sees the text: insertions underlined, deletions struck
/// through, a change of emphasis alone marked as such, each also named for screen readers (never
/// marked by colour alone); emphasis shows as emphasis.
#[component]
pub fn RedlineText(
    segments: Vec<shared::RedlineSegment>,
    #[prop(optional)] id: Option<&'static str>,
) -> impl IntoView {
    let i18n = use_i18n();
    // Written by shared::redline as the reading page and the report write it, every text escaped.
    let html = move || {
        let locale = i18n.get_locale();
        let words = shared::redline::RedlineWords {
            added: td_string!(locale, added).to_owned(),
            removed: td_string!(locale, removed).to_owned(),
            restyled: td_string!(locale, restyled).to_owned(),
        };
        shared::redline::redline_html(&segments, &words)
    };
    view! { <p class="redline" dir="auto" id=id inner_html=html></p> }
}
