//! The inclusion dashboard on the convening page: who takes part, from which groups and regions,
//! how far each group gets from invitation to positions, and participation per phase.

use super::param;
use crate::api;
use crate::components::{Loading, errors_fallback};
use crate::i18n::{self, tr, use_i18n};
use leptos::prelude::*;
use shared::{Dashboard, GroupCount, RegionCount};

/// The dashboard section, fetched again whenever `changed` changes (an invitation issued or
/// revoked on the same page changes who is invited).
#[component]
pub fn DashboardPanel(#[prop(optional, into)] changed: Signal<usize>) -> impl IntoView {
    let i18n = use_i18n();
    let slug = param("slug");
    let data = LocalResource::new(move || {
        changed.track();
        let slug = slug();
        async move { api::dashboard(&slug).await }
    });
    view! {
        <section aria-labelledby="dashboard-heading">
            <h2 id="dashboard-heading">{tr!(i18n, dashboard_title)}</h2>
            <Transition fallback=Loading>
                <ErrorBoundary fallback=errors_fallback>
                    {move || Suspend::new(async move {
                        data.await.map(|d| view! { <DashboardTables d /> })
                    })}
                </ErrorBoundary>
            </Transition>
        </section>
    }
}

#[component]
fn DashboardTables(d: Dashboard) -> impl IntoView {
    let i18n = use_i18n();
    let missing: Vec<_> = d
        .funnel
        .iter()
        .filter(|f| f.joined == 0)
        .map(|f| f.group)
        .collect();
    view! {
        {(!missing.is_empty()).then(|| view! {
            <p class="notice" id="missing-groups">
                {tr!(i18n, groups_missing)}" "
                {move || missing.iter().map(|g| i18n::group_name(i18n.get_locale(), *g)).collect::<Vec<_>>().join(", ")}
            </p>
        })}
        <div class="table-scroll"><table id="funnel">
            <caption>{tr!(i18n, funnel_caption)}</caption>
            <thead>
                <tr>
                    <th scope="col">{tr!(i18n, stakeholder_group)}</th>
                    <th scope="col">{tr!(i18n, funnel_invited)}</th>
                    <th scope="col">{tr!(i18n, funnel_joined)}</th>
                    <th scope="col">{tr!(i18n, funnel_commented)}</th>
                    <th scope="col">{tr!(i18n, funnel_positions)}</th>
                </tr>
            </thead>
            <tbody>
                {d.funnel.into_iter().map(|f| {
                    let group = f.group;
                    view! {
                        <tr data-group=group.as_str()>
                            <th scope="row">{move || i18n::group_name(i18n.get_locale(), group)}</th>
                            <td>{f.invited}</td>
                            <td>{f.joined}</td>
                            <td>{f.commented}</td>
                            <td>{f.took_positions}</td>
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </table></div>
        <CountTable id="participants-by-group" caption=move || tr!(i18n, participants_by_group).into_any() rows=groups(d.participants_by_group) />
        <CountTable id="participants-by-region" caption=move || tr!(i18n, participants_by_region).into_any() rows=regions(d.participants_by_region) />
        <CountTable id="organisations-by-group" caption=move || tr!(i18n, organisations_by_group).into_any() rows=groups(d.organisations_by_group) />
        <CountTable id="organisations-by-region" caption=move || tr!(i18n, organisations_by_region).into_any() rows=regions(d.organisations_by_region) />
        {d.round.map(|round| view! {
            <div class="table-scroll"><table id="activity">
                <caption>{move || i18n::activity_caption(i18n.get_locale(), &round)}</caption>
                <thead>
                    <tr>
                        <th scope="col">{tr!(i18n, phase_label)}</th>
                        <th scope="col">{tr!(i18n, activity_participants)}</th>
                        <th scope="col">{tr!(i18n, comments)}</th>
                        <th scope="col">{tr!(i18n, activity_positions)}</th>
                    </tr>
                </thead>
                <tbody>
                    {d.activity.into_iter().map(|a| {
                        let phase = a.phase;
                        view! {
                            <tr>
                                <th scope="row">{move || i18n::phase_name(i18n.get_locale(), phase)}</th>
                                <td>{a.participants}</td>
                                <td>{a.comments}</td>
                                <td>{a.positions}</td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table></div>
        })}
    }
}

fn groups(counts: Vec<GroupCount>) -> Vec<(Option<shared::StakeholderGroup>, String, u64)> {
    counts
        .into_iter()
        .map(|c| (c.group, String::new(), c.count))
        .collect()
}

fn regions(counts: Vec<RegionCount>) -> Vec<(Option<shared::StakeholderGroup>, String, u64)> {
    counts
        .into_iter()
        .map(|c| (None, c.region, c.count))
        .collect()
}

/// A two-column table of counts; a row names a group, or else a region ("not stated" when empty).
#[component]
fn CountTable(
    id: &'static str,
    caption: impl Fn() -> AnyView + Send + Sync + 'static,
    rows: Vec<(Option<shared::StakeholderGroup>, String, u64)>,
) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <div class="table-scroll"><table id=id>
            <caption>{caption()}</caption>
            <tbody>
                {if rows.is_empty() {
                    view! { <tr><td>{tr!(i18n, nobody_yet)}</td></tr> }.into_any()
                } else {
                    rows.into_iter().map(|(group, region, n)| {
                        let name = move || match (group, region.is_empty()) {
                            (Some(g), _) => i18n::group_name(i18n.get_locale(), g).to_owned(),
                            (None, false) => region.clone(),
                            (None, true) => i18n::not_stated(i18n.get_locale()).to_owned(),
                        };
                        view! { <tr><th scope="row">{name}</th><td>{n}</td></tr> }
                    }).collect_view().into_any()
                }}
            </tbody>
        </table></div>
    }
}
