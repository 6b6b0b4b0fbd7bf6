//! The results of a clause: the tally, and the same counts by stakeholder group and by region
//! as tables (the bars of the tally only repeat its numbers).

use super::TallyView;
use crate::i18n::{self, tr, use_i18n};
use leptos::prelude::*;
use shared::{Results, Stance, Tally};

/// The results, or a note that the round hides them until it closes.
#[component]
pub fn ResultsView(
    results: Option<Results>,
    /// Prefixes element ids when several clauses share a page.
    #[prop(optional, into)]
    scope: String,
    /// Whether voting has ended (see [`TallyView`]).
    #[prop(optional)]
    settled: bool,
) -> impl IntoView {
    let i18n = use_i18n();
    let Some(results) = results else {
        return view! { <p class="notice" id="results-hidden">{tr!(i18n, results_hidden)}</p> }
            .into_any();
    };
    // Each row's name follows the reader's language, like every other word on the page.
    let groups: Vec<(Signal<String>, Tally)> = results
        .by_group
        .iter()
        .map(|g| {
            let group = g.group;
            let name = Signal::derive(move || {
                let locale = i18n.get_locale();
                group
                    .map_or_else(|| i18n::not_stated(locale), |g| i18n::group_name(locale, g))
                    .to_owned()
            });
            (name, g.tally)
        })
        .collect();
    let regions: Vec<(Signal<String>, Tally)> = results
        .by_region
        .iter()
        .map(|r| {
            let region = r.region.clone();
            let name = Signal::derive(move || {
                if region.is_empty() {
                    i18n::not_stated(i18n.get_locale()).to_owned()
                } else {
                    region.clone()
                }
            });
            (name, r.tally)
        })
        .collect();
    view! {
        <TallyView tally=results.total scope=scope.clone() settled />
        {(!groups.is_empty()).then(|| view! {
            <Breakdown id=format!("{scope}results-by-group") caption=move || tr!(i18n, by_group).into_any() head=move || tr!(i18n, stakeholder_group).into_any() rows=groups />
            <Breakdown id=format!("{scope}results-by-region") caption=move || tr!(i18n, by_region).into_any() head=move || tr!(i18n, region).into_any() rows=regions />
        })}
    }
    .into_any()
}

/// A table of counts per stance, one row per group or region.
#[component]
fn Breakdown(
    id: String,
    caption: impl Fn() -> AnyView + Send + Sync + 'static,
    head: impl Fn() -> AnyView + Send + Sync + 'static,
    rows: Vec<(Signal<String>, Tally)>,
) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        // On a phone the table scrolls within its frame rather than widen the page.
        <div class="table-scroll">
        <table class="breakdown" id=id>
            <caption>{caption()}</caption>
            <thead>
                <tr>
                    <th scope="col">{head()}</th>
                    {Stance::ALL.into_iter().map(|s| view! {
                        <th scope="col">{move || i18n::stance_name(i18n.get_locale(), s)}</th>
                    }).collect_view()}
                </tr>
            </thead>
            <tbody>
                {rows.into_iter().map(|(name, tally)| view! {
                    <tr>
                        <th scope="row">{name}</th>
                        {Stance::ALL.into_iter().map(|s| view! { <td>{tally.count(s)}</td> }).collect_view()}
                    </tr>
                }).collect_view()}
            </tbody>
        </table>
        </div>
    }
}
