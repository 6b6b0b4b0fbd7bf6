//! What a clause came to: the result under its round's rule house by house, the consensus level
//! the conveners designated, and the minority statements; and charts of the counts drawn as SVG
//! by the app, each followed by the same numbers as a table.

use crate::i18n::{self, tr, use_i18n};
use leptos::prelude::*;
use shared::{Chambered, ConsensusLevel, MinorityStatement, Results, Stance, Tally};

/// The result under the round's rule, house by house.
#[component]
pub fn ChamberedView(
    chambered: Chambered,
    /// Prefixes element ids when several clauses share a page.
    #[prop(optional, into)]
    scope: String,
) -> impl IntoView {
    let i18n = use_i18n();
    let rule = chambered.rule;
    let carried = chambered.carried;
    view! {
        <section class="outcome" aria-labelledby=format!("{scope}outcome-heading")>
            <h2 id=format!("{scope}outcome-heading")>{tr!(i18n, outcome_title)}</h2>
            <p id=format!("{scope}outcome")>
                {move || i18n::outcome_text(i18n.get_locale(), rule, carried)}
            </p>
            <div class="table-scroll">
            <table class="houses" id=format!("{scope}houses")>
                <caption>{tr!(i18n, houses_caption)}</caption>
                <thead>
                    <tr>
                        <th scope="col">{tr!(i18n, stakeholder_group)}</th>
                        <th scope="col">{tr!(i18n, endorsing)}</th>
                        <th scope="col">{tr!(i18n, counted)}</th>
                        <th scope="col">{tr!(i18n, house_result)}</th>
                    </tr>
                </thead>
                <tbody>
                    {chambered.houses.into_iter().map(|h| {
                        let group = h.group;
                        let verdict = h.carried;
                        view! {
                            <tr>
                                <th scope="row">{move || i18n::group_name(i18n.get_locale(), group)}</th>
                                <td>{h.endorsing}</td>
                                <td>{h.counted}</td>
                                <td>{move || i18n::house_verdict(i18n.get_locale(), verdict)}</td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
            </div>
        </section>
    }
}

/// The consensus level, if designated.
#[component]
pub fn ConsensusView(
    consensus: Option<ConsensusLevel>,
    /// Prefixes element ids when several clauses share a page.
    #[prop(optional, into)]
    scope: String,
) -> impl IntoView {
    let i18n = use_i18n();
    consensus.map(|level| {
        view! {
            <p class="consensus" id=format!("{scope}consensus")>
                <strong>{tr!(i18n, consensus_level)}</strong>" "
                {move || i18n::consensus_name(i18n.get_locale(), level)}
            </p>
        }
    })
}

/// The minority statements attached to a clause.
#[component]
pub fn StatementsView(
    statements: Vec<MinorityStatement>,
    /// Prefixes element ids when several clauses share a page.
    #[prop(optional, into)]
    scope: String,
) -> impl IntoView {
    let i18n = use_i18n();
    (!statements.is_empty()).then(|| {
        view! {
            <section class="statements" aria-labelledby=format!("{scope}statements-heading")>
                <h2 id=format!("{scope}statements-heading")>{tr!(i18n, minority_statements)}</h2>
                <ul id=format!("{scope}minority-statements")>
                    {statements.into_iter().map(|s| view! {
                        <li>
                            <p><strong>{s.organisation_name}</strong></p>
                            <p class="statement-body">{s.body}</p>
                        </li>
                    }).collect_view()}
                </ul>
            </section>
        }
    })
}

const BAR_WIDTH: u64 = 290;
/// Each row: its name on a line of its own, then its bar, so that the chart needs no column of
/// names and stays legible at 360 px.
const ROW_HEIGHT: u64 = 40;
const LABEL_LINE: u64 = 15;

/// Horizontal bars, one per row, each split by stance; the numbers are written on the chart
/// and the same counts follow as a table, so neither colour nor the picture carries meaning
/// alone. The legend is a list under the chart, which wraps at any width.
#[component]
pub fn BarChart(
    /// Names the chart for assistive technology.
    label: String,
    /// (row name, counts)
    rows: Vec<(String, Tally)>,
) -> impl IntoView {
    let i18n = use_i18n();
    let max = rows
        .iter()
        .map(|(_, t)| t.total())
        .max()
        .unwrap_or(0)
        .max(1);
    let height = ROW_HEIGHT * u64::try_from(rows.len()).unwrap_or(0);
    let width = BAR_WIDTH + 50;
    view! {
        <svg class="chart" role="img" aria-label=label viewBox=format!("0 0 {width} {height}")
            width=width height=height xmlns="http://www.w3.org/2000/svg">
            {rows.into_iter().zip(0u64..).map(|((name, tally), i)| {
                let y = i * ROW_HEIGHT;
                let mut x = 0;
                let segments = Stance::ALL.into_iter().filter_map(|s| {
                    let n = tally.count(s);
                    (n > 0).then(|| {
                        let w = (n * BAR_WIDTH / max).max(2);
                        let at = x;
                        x += w;
                        view! {
                            <rect class=format!("bar-{}", s.as_str()) x=at y=y + LABEL_LINE + 3 width=w height=ROW_HEIGHT - LABEL_LINE - 9 />
                        }
                    })
                }).collect_view();
                let total = tally.total();
                view! {
                    <text x=0 y=y + LABEL_LINE - 2 class="chart-label">{name}</text>
                    {segments}
                    <text x=x + 6 y=y + ROW_HEIGHT - 10 class="chart-count">{total}</text>
                }
            }).collect_view()}
        </svg>
        <ul class="chart-legend" aria-hidden="true">
            {Stance::ALL.into_iter().map(|s| view! {
                <li>
                    <span class=format!("swatch bar-{}", s.as_str())></span>
                    {move || i18n::stance_name(i18n.get_locale(), s)}
                </li>
            }).collect_view()}
        </ul>
    }
}

/// A clause's results as charts by position and by stakeholder group, each followed by its table.
#[component]
pub fn ResultsCharts(
    results: Results,
    /// Prefixes element ids when several clauses share a page.
    #[prop(optional, into)]
    scope: String,
) -> impl IntoView {
    let i18n = use_i18n();
    let locale = i18n.get_locale_untracked();
    let by_stance: Vec<(String, Tally)> = Stance::ALL
        .into_iter()
        .map(|s| {
            let mut t = Tally::default();
            t.add(s, results.total.count(s));
            (i18n::stance_name(locale, s).to_owned(), t)
        })
        .collect();
    let by_group: Vec<(String, Tally)> = results
        .by_group
        .iter()
        .map(|g| {
            let name = g.group.map_or_else(
                || i18n::not_stated(locale).to_owned(),
                |group| i18n::group_name(locale, group).to_owned(),
            );
            (name, g.tally)
        })
        .collect();
    view! {
        <BarChart label=i18n::chart_label_positions(locale) rows=by_stance />
        <BarChart label=i18n::chart_label_groups(locale) rows=by_group />
        <super::ResultsView results=Some(results) scope settled=true />
    }
}
