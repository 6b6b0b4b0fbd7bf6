//! Counts of positions on a clause, as numbers and as bars (the bars only repeat the numbers).

use crate::i18n::{self, tr, use_i18n};
use leptos::prelude::*;
use leptos_i18n::td_string;
use shared::{Stance, Tally};

/// The tally of one clause.
#[component]
pub fn TallyView(
    /// The counts.
    tally: Tally,
    /// A compact one-line form for lists.
    #[prop(optional)]
    compact: bool,
    /// Prefixes element ids when several clauses share a page.
    #[prop(optional, into)]
    scope: String,
    /// Whether voting has ended, so that the counts are no longer "so far".
    #[prop(optional)]
    settled: bool,
) -> impl IntoView {
    let i18n = use_i18n();
    let total = tally.total();
    if compact {
        return view! {
            <p class="tally-compact">
                {move || {
                    if total == 0 {
                        return td_string!(i18n.get_locale(), no_positions).to_owned();
                    }
                    let locale = i18n.get_locale();
                    Stance::ALL
                        .into_iter()
                        .map(|s| format!("{} {}", i18n::stance_name(locale, s), tally.count(s)))
                        .collect::<Vec<_>>()
                        .join(" · ")
                }}
            </p>
        }
        .into_any();
    }
    view! {
        <section class="tally" aria-labelledby=format!("{scope}tally-heading")>
            <h2 id=format!("{scope}tally-heading")>
                {if settled { tr!(i18n, tally_settled).into_any() } else { tr!(i18n, tally).into_any() }}
            </h2>
            <p class="tally-total" aria-live="polite">
                {move || i18n::position_count(i18n.get_locale(), total)}
            </p>
            <dl>
                {Stance::ALL
                    .into_iter()
                    .map(|s| {
                        let n = tally.count(s);
                        let width = (n * 100).checked_div(total).unwrap_or(0);
                        view! {
                            <div class=format!("tally-row stance-{}", s.as_str())>
                                <dt>{move || i18n::stance_name(i18n.get_locale(), s)}</dt>
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
