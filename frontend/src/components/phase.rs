//! The round's phase, shown on every page of the round.

use crate::i18n::{self, Key, t, use_i18n};
use leptos::prelude::*;
use shared::Phase;

/// A badge naming the phase in words (never by colour alone).
#[component]
pub fn PhaseBadge(
    /// The phase to show.
    phase: Phase,
) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <span class=format!("phase phase-{}", phase.as_str())>
            <span class="visually-hidden">{t(Key::PhaseLabel)}": "</span>
            {move || i18n::phase(i18n.lang(), phase)}
        </span>
    }
}
