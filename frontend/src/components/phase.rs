//! The round's phase, shown on every page of the round, and the redline of its text.

use crate::i18n::{self, tr, use_i18n};
use leptos::prelude::*;
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

/// Text with its changes: insertions underlined, deletions struck through, each also named for
/// screen readers (never marked by colour alone).
#[component]
pub fn RedlineText(
    segments: Vec<shared::RedlineSegment>,
    #[prop(optional)] id: Option<&'static str>,
) -> impl IntoView {
    use shared::Change;
    let i18n = use_i18n();
    view! {
        <p class="redline" dir="auto" id=id>
            {segments.into_iter().map(|s| match s.change {
                Change::Same => view! { <span>{s.text}</span> }.into_any(),
                Change::Added => view! {
                    <ins><span class="visually-hidden">{tr!(i18n, added)}" "</span>{s.text}</ins>
                }.into_any(),
                Change::Removed => view! {
                    <del><span class="visually-hidden">{tr!(i18n, removed)}" "</span>{s.text}</del>
                }.into_any(),
            }).collect_view()}
        </p>
    }
}
