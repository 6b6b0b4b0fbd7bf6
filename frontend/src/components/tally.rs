//! Counts of positions on a clause, as numbers and as bars (the bars only repeat the numbers).

use crate::i18n::{self, Key, t, use_i18n};
use leptos::prelude::*;
use shared::{Stance, Tally};

/// The tally of one clause.
#[component]
pub fn TallyView(
    /// The counts.
    tally: Tally,
    /// A compact one-line form for lists.
    #[prop(optional)]
    compact: bool,
) -> impl IntoView {
    let i18n = use_i18n();
    let total = tally.total();
    if compact {
        return view! {
            <p class="tally-compact">
                {move || {
                    let lang = i18n.lang();
                    if total == 0 {
                        text_of(lang, Key::NoPositions)
                    } else {
                        Stance::ALL
                            .into_iter()
                            .map(|s| format!("{} {}", i18n::stance(lang, s), tally.count(s)))
                            .collect::<Vec<_>>()
                            .join(" · ")
                    }
                }}
            </p>
        }
        .into_any();
    }
    view! {
        <section class="tally" aria-labelledby="tally-heading">
            <h2 id="tally-heading">{t(Key::Tally)}</h2>
            <p class="tally-total" aria-live="polite">
                {move || i18n::position_count(i18n.lang(), total)}
            </p>
            <dl>
                {Stance::ALL
                    .into_iter()
                    .map(|s| {
                        let n = tally.count(s);
                        let width = (n * 100).checked_div(total).unwrap_or(0);
                        view! {
                            <div class=format!("tally-row stance-{}", s.as_str())>
                                <dt>{move || i18n::stance(i18n.lang(), s)}</dt>
                                <dd>
                                    <span class="count" data-stance=s.as_str()>{n}</span>
                                    <span class="bar" aria-hidden="true">
                                        <span style:width=format!("{width}%")></span>
                                    </span>
                                </dd>
                            </div>
                        }
                    })
                    .collect_view()}
            </dl>
        </section>
    }
    .into_any()
}

fn text_of(lang: i18n::Lang, key: Key) -> String {
    i18n::text(lang, key).to_owned()
}
