//! The results overview of a round (issue 18): every clause's support as a diverging bar, and
//! each stakeholder group's result on each clause as a grid with its table, drawn by
//! `shared::overview` as the printable report draws them.

use crate::i18n::{self, Locale, tr, use_i18n};
use leptos::prelude::*;
use leptos_i18n::td_string;
use shared::overview::{self, Labels, Order, Row};
use shared::{ClauseResults, StakeholderGroup, Stance};

/// The drawings' words in `locale`.
fn labels(locale: Locale) -> Labels {
    Labels {
        stances: Stance::ALL.map(|s| i18n::stance_name(locale, s).to_owned()),
        groups: StakeholderGroup::ALL
            .iter()
            .map(|&g| i18n::group_name(locale, g).to_owned())
            .collect(),
        support_title: td_string!(locale, overview_support).to_owned(),
        grid_title: td_string!(locale, overview_houses).to_owned(),
        house_results: [
            td_string!(locale, house_carried).to_owned(),
            td_string!(locale, house_not_carried).to_owned(),
            td_string!(locale, house_no_positions).to_owned(),
        ],
        rtl: i18n::language_of(locale) == shared::Language::Ar,
    }
}

/// The overview of `clauses`, in the order the reader picks.
#[component]
pub fn ResultsOverview(clauses: Vec<ClauseResults>) -> impl IntoView {
    let i18n = use_i18n();
    let rows: Vec<Row> = overview::rows_from(&clauses);
    if overview::is_empty(&rows) {
        return view! {
            <section class="overview" aria-labelledby="overview-heading" id="overview">
                <h2 id="overview-heading">{tr!(i18n, overview_title)}</h2>
                <p class="empty" id="overview-empty">{tr!(i18n, overview_no_positions)}</p>
            </section>
        }
        .into_any();
    }
    let order = RwSignal::new(Order::Text);
    let drawn = Memo::new(move |_| {
        let labels = labels(i18n.get_locale());
        let rows = overview::ordered(rows.clone(), order.get());
        let caption = labels.grid_title.clone();
        let clause = td_string!(i18n.get_locale(), clause).to_owned();
        (
            overview::support_chart(&rows, &labels),
            overview::house_grid(&rows, &labels),
            overview::house_table(&rows, &labels, &caption, &clause),
        )
    });
    view! {
        <section class="overview" aria-labelledby="overview-heading" id="overview">
            <h2 id="overview-heading">{tr!(i18n, overview_title)}</h2>
            <label class="overview-order">
                {tr!(i18n, overview_order)}" "
                <select id="overview-order" on:change=move |ev| {
                    order.set(match event_target_value(&ev).as_str() {
                        "support" => Order::Support,
                        _ => Order::Text,
                    });
                }>
                    <option value="text" selected=true>{tr!(i18n, overview_order_text)}</option>
                    <option value="support">{tr!(i18n, overview_order_support)}</option>
                </select>
            </label>
            <h3>{tr!(i18n, overview_support)}</h3>
            <p class="help">{tr!(i18n, overview_support_help)}</p>
            // Drawn by shared::overview, every text in it escaped.
            <div class="overview-drawing" id="overview-support" inner_html=move || drawn.get().0></div>
            <h3>{tr!(i18n, overview_houses)}</h3>
            <div class="overview-drawing" id="overview-grid" inner_html=move || drawn.get().1></div>
            // Wider than a phone: it scrolls in its frame, which the keyboard can reach too.
            <div class="table-scroll" id="overview-table" role="region" tabindex="0"
                aria-label=move || td_string!(i18n.get_locale(), overview_houses)
                inner_html=move || drawn.get().2></div>
        </section>
    }
    .into_any()
}
