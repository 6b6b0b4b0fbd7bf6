//! The round's phase, shown on every page of the round.

use crate::i18n::{self, use_i18n};
use leptos::prelude::*;
use leptos_i18n::t;
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
            <span class="visually-hidden">{t!(i18n, phase_label)}": "</span>
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
