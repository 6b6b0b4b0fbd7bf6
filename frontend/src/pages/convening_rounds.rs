//! Conveners' control of rounds: the newest round's phase and schedule, opening the next round,
//! and the editor of a draft round's text.

use super::param;
use crate::api;
use crate::components::{
    ErrorNotice, FieldMessage, Loading, PhaseBadge, RecordLinks, SubmitButton, TextArea, TextField,
    confirmed, errors_fallback, general_error, invalid,
};
use crate::i18n::{self, tr, use_i18n};
use leptos::prelude::*;
use leptos_i18n::td_string;
use leptos_router::components::A;
use leptos_router::hooks::use_navigate;
use shared::{
    ApiError, ClauseEdit, ClauseOrder, Comment, Counting, LiveTally, NewRound, Phase, PhaseMove,
    Round, RoundRules, Rule, Schedule, Stance, Tally, may_move,
};

/// A time for an `<input type="datetime-local">`, in the browser's time zone.
fn local_input_value(ms: i64) -> String {
    #[allow(clippy::cast_precision_loss)] // milliseconds since 1970 fit a double exactly
    let d = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(ms as f64));
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}",
        d.get_full_year(),
        d.get_month() + 1,
        d.get_date(),
        d.get_hours(),
        d.get_minutes()
    )
}

/// The time an `<input type="datetime-local">` holds, read in the browser's time zone.
fn from_local_input(value: &str) -> Option<i64> {
    if value.trim().is_empty() {
        return None;
    }
    let ms = js_sys::Date::new(&wasm_bindgen::JsValue::from_str(value)).get_time();
    #[allow(clippy::cast_possible_truncation)] // a date's milliseconds are whole and in range
    (!ms.is_nan()).then_some(ms as i64)
}

/// The rounds part of the convening page: the newest round with its phase controls and
/// schedule, or the form that opens the next round.
#[component]
pub fn RoundsPanel() -> impl IntoView {
    let i18n = use_i18n();
    let slug = param("slug");
    let moved = Action::new_local(move |(round, to): &(String, Phase)| {
        let (round, to) = (round.clone(), *to);
        async move { api::move_phase(&slug(), &round, &PhaseMove { phase: to }).await }
    });
    let scheduled = Action::new_local(move |(round, schedule): &(String, Schedule)| {
        let (round, schedule) = (round.clone(), *schedule);
        async move { api::set_schedule(&slug(), &round, &schedule).await }
    });
    // Reload after a change the server accepted only: a refused one keeps what was typed.
    let accepted = Memo::new(move |_| {
        (
            moved.value().get().and_then(Result::ok),
            scheduled.value().get().and_then(Result::ok),
        )
    });
    let newest = LocalResource::new(move || {
        accepted.track();
        let slug = slug();
        async move {
            let consultation = api::get_consultation(&slug).await?;
            match consultation.rounds.first() {
                Some(r) => api::get_round(&slug, &r.slug).await.map(Some),
                None => Ok(None),
            }
        }
    });
    view! {
        <section aria-labelledby="rounds-heading">
            <h2 id="rounds-heading">{tr!(i18n, rounds_title)}</h2>
            <ErrorNotice error=Signal::derive(move || moved.value().get().and_then(Result::err)) />
            <Transition fallback=Loading>
                <ErrorBoundary fallback=errors_fallback>
                    {move || Suspend::new(async move {
                        newest.await.map(|round| match round {
                            Some(round) => view! {
                                <RoundControls round=round.clone() moved />
                                <h3>{tr!(i18n, record_convener_title)}</h3>
                                <RecordLinks slug=slug() round=round.slug.clone() convener=true />
                                {(round.phase == Phase::Voting).then(|| view! {
                                    <LiveTallyView round=round.clone() />
                                })}
                                {(round.phase < Phase::Closed).then(|| view! {
                                    <RulesForm round=round.clone() />
                                    <ScheduleForm round scheduled />
                                })}
                            }.into_any(),
                            None => view! {
                                <p class="empty" id="no-round-yet">{tr!(i18n, no_round_yet)}</p>
                            }.into_any(),
                        })
                    })}
                </ErrorBoundary>
            </Transition>
            <p><A href=move || format!("/import/{}", slug()) attr:id="import-text">{tr!(i18n, import_link)}</A></p>
            <NewRoundForm />
        </section>
    }
}

/// The tallies of the round's clauses, kept current by the server's live events.
#[component]
fn LiveTallyView(round: Round) -> impl IntoView {
    let i18n = use_i18n();
    let slug = param("slug");
    let rows: Vec<(String, String)> = round
        .clauses
        .iter()
        .map(|c| (c.key.clone(), format!("{}. {}", c.number, c.title)))
        .collect();
    let tallies = RwSignal::new(std::collections::HashMap::<String, Tally>::new());
    api::follow_tallies(&slug(), &round.slug, move |live: LiveTally| {
        tallies.update(|t| {
            t.insert(live.clause, live.tally);
        });
    });
    view! {
        <div class="table-scroll"><table id="live-tally">
            <caption>{tr!(i18n, live_tally)}</caption>
            <thead>
                <tr>
                    <th scope="col">{tr!(i18n, clauses)}</th>
                    {Stance::ALL.into_iter().map(|s| view! {
                        <th scope="col">{move || i18n::stance_name(i18n.get_locale(), s)}</th>
                    }).collect_view()}
                </tr>
            </thead>
            <tbody>
                {rows.into_iter().map(|(key, title)| {
                    let row_id = format!("live-{key}");
                    view! {
                        <tr id=row_id>
                            <th scope="row">{title}</th>
                            {Stance::ALL.into_iter().map(|s| {
                                let key = key.clone();
                                view! {
                                    <td data-stance=s.as_str()>
                                        {move || tallies.with(|t| t.get(&key).map(|t| t.count(s)).unwrap_or(0))}
                                    </td>
                                }
                            }).collect_view()}
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </table></div>
    }
}

/// The newest round's phase, and a button for every move it can make.
#[component]
fn RoundControls(
    round: Round,
    moved: Action<(String, Phase), Result<Round, ApiError>>,
) -> impl IntoView {
    let i18n = use_i18n();
    let slug = param("slug");
    let current = round.phase;
    let editor = format!("/convene/{}/{}", slug(), round.slug);
    view! {
        <div class="card" id="newest-round">
            <h3>{round.title.clone()}" "<PhaseBadge phase=current /></h3>
            {(current == Phase::Draft).then(|| view! {
                <p><A href=editor attr:id="edit-draft">{tr!(i18n, edit_draft)}</A></p>
            })}
            <div class="inline-actions">
                {Phase::ALL.into_iter().filter(|p| may_move(current, *p)).map(|to| {
                    let round_slug = round.slug.clone();
                    view! {
                        <button type="button" class="move-phase" data-phase=to.as_str()
                            disabled=move || moved.pending().get()
                            on:click=move |_| {
                                let locale = i18n.get_locale_untracked();
                                let question = i18n::move_question(locale, to);
                                if confirmed(&question) {
                                    moved.dispatch((round_slug.clone(), to));
                                }
                            }>
                            {move || i18n::move_label(i18n.get_locale(), to)}
                        </button>
                    }
                }).collect_view()}
            </div>
        </div>
    }
}

/// The rule a round decides by, and whether abstentions count as not endorsing.
#[component]
fn RuleFields(
    rule: RwSignal<Rule>,
    abstentions: RwSignal<bool>,
    prefix: &'static str,
) -> impl IntoView {
    let i18n = use_i18n();
    let id = format!("{prefix}-rule");
    view! {
        <div class="field">
            <label for=id.clone()>{tr!(i18n, rule_label)}</label>
            <select id=id aria-describedby=format!("{prefix}-rule-help") on:change=move |ev| {
                if let Some(r) = Rule::parse(&event_target_value(&ev)) {
                    rule.set(r);
                }
            }>
                <option value="majority" selected=move || rule.get() == Rule::Majority>{tr!(i18n, rule_majority)}</option>
                <option value="every_house" selected=move || rule.get() == Rule::EveryHouse>{tr!(i18n, rule_every_house)}</option>
            </select>
            <p class="help" id=format!("{prefix}-rule-help")>{tr!(i18n, rule_help)}</p>
        </div>
        <label class="choice">
            <input type="checkbox" id=format!("{prefix}-abstentions") bind:checked=abstentions />
            {tr!(i18n, abstentions_count)}
        </label>
    }
}

/// Changing the newest round's rule before it closes.
#[component]
fn RulesForm(round: Round) -> impl IntoView {
    let i18n = use_i18n();
    let slug = param("slug");
    let rule = RwSignal::new(round.rule);
    let abstentions = RwSignal::new(round.abstentions_count);
    let round_slug = round.slug.clone();
    let save = Action::new_local(move |rules: &RoundRules| {
        let (rules, round) = (*rules, round_slug.clone());
        async move { api::set_rules(&slug(), &round, &rules).await }
    });
    let error = Signal::derive(move || save.value().get().and_then(Result::err));
    let saved = move || matches!(save.value().get(), Some(Ok(_)));
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        save.dispatch(RoundRules {
            rule: rule.get_untracked(),
            abstentions_count: abstentions.get_untracked(),
        });
    };
    view! {
        <form id="rules-form" on:submit=submit novalidate>
            <fieldset>
                <legend>{tr!(i18n, rules_title)}</legend>
                <RuleFields rule abstentions prefix="round" />
            </fieldset>
            <ErrorNotice error />
            <SubmitButton id="save-rules" busy=Signal::derive(move || save.pending().get())>{tr!(i18n, save)}</SubmitButton>
            <p role="status" class="status">{move || saved().then(|| td_string!(i18n.get_locale(), saved))}</p>
        </form>
    }
}

/// When the newest round moves on by itself.
#[component]
fn ScheduleForm(
    round: Round,
    scheduled: Action<(String, Schedule), Result<Round, ApiError>>,
) -> impl IntoView {
    let i18n = use_i18n();
    let value = |at: Option<i64>| RwSignal::new(at.map(local_input_value).unwrap_or_default());
    let commenting = value(round.schedule.commenting_at_ms);
    let voting = value(round.schedule.voting_at_ms);
    let closing = value(round.schedule.closing_at_ms);
    let error = Signal::derive(move || scheduled.value().get().and_then(Result::err));
    let saved = move || matches!(scheduled.value().get(), Some(Ok(_)));
    let round_slug = round.slug.clone();
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let schedule = Schedule {
            commenting_at_ms: from_local_input(&commenting.get_untracked()),
            voting_at_ms: from_local_input(&voting.get_untracked()),
            closing_at_ms: from_local_input(&closing.get_untracked()),
        };
        scheduled.dispatch((round_slug.clone(), schedule));
    };
    let field = move |name: &'static str, phase: Phase, value: RwSignal<String>| {
        (phase > round.phase).then(|| view! {
            <div class="field">
                <label for=name>{move || i18n::schedule_label(i18n.get_locale(), phase)}</label>
                <input id=name name=name type="datetime-local" bind:value=value
                    aria-describedby=format!("{name}-error") aria-invalid=invalid(error, name) />
                <FieldMessage error field=name />
            </div>
        })
    };
    view! {
        <form id="schedule-form" on:submit=submit novalidate>
            <fieldset>
                <legend>{tr!(i18n, schedule_title)}</legend>
                <p class="help">{tr!(i18n, schedule_help)}</p>
                {field("commenting_at_ms", Phase::Commenting, commenting)}
                {field("voting_at_ms", Phase::Voting, voting)}
                {field("closing_at_ms", Phase::Closed, closing)}
            </fieldset>
            <ErrorNotice error=general_error(error) />
            <SubmitButton id="save-schedule" busy=Signal::derive(move || scheduled.pending().get())>
                {tr!(i18n, save)}
            </SubmitButton>
            <p role="status" class="status">{move || saved().then(|| td_string!(i18n.get_locale(), saved))}</p>
        </form>
    }
}

/// Opening the next round, its text copied from the newest one; then on to its editor.
#[component]
fn NewRoundForm() -> impl IntoView {
    let i18n = use_i18n();
    let slug = param("slug");
    let navigate = use_navigate();
    let round_slug = RwSignal::new(String::new());
    let title = RwSignal::new(String::new());
    let hide = RwSignal::new(false);
    let rule = RwSignal::new(Rule::Majority);
    let abstentions = RwSignal::new(false);
    let counting = RwSignal::new(Counting::Person);
    let open = Action::new_local(move |new: &NewRound| {
        let new = new.clone();
        async move { api::open_round(&slug(), &new).await }
    });
    Effect::new(move |_| {
        if let Some(Ok(round)) = open.value().get() {
            navigate(
                &format!("/convene/{}/{}", slug(), round.slug),
                Default::default(),
            );
        }
    });
    let error = Signal::derive(move || open.value().get().and_then(Result::err));
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        open.dispatch(NewRound {
            slug: round_slug.get_untracked(),
            title: title.get_untracked(),
            hide_results: hide.get_untracked(),
            rule: rule.get_untracked(),
            abstentions_count: abstentions.get_untracked(),
            counting: counting.get_untracked(),
            text: None,
        });
    };
    view! {
        <form id="new-round-form" on:submit=submit novalidate>
            <h3>{tr!(i18n, new_round_title)}</h3>
            <p class="help">{tr!(i18n, new_round_help)}</p>
            <TextField name="slug" id="round-slug" autocomplete="off"
                label=move || td_string!(i18n.get_locale(), round_slug)
                help=move || td_string!(i18n.get_locale(), round_slug_help) value=round_slug error />
            <TextField name="title" id="round-title" autocomplete="off"
                label=move || td_string!(i18n.get_locale(), round_title)
                help=move || td_string!(i18n.get_locale(), round_title_help) value=title error />
            <label class="choice">
                <input type="checkbox" id="hide-results" bind:checked=hide />
                {tr!(i18n, hide_results)}
            </label>
            <RuleFields rule abstentions prefix="new" />
            <div class="field">
                <label for="counting">{tr!(i18n, counting_label)}</label>
                <select id="counting" on:change=move |ev| {
                    if let Some(c) = Counting::parse(&event_target_value(&ev)) {
                        counting.set(c);
                    }
                }>
                    <option value="person" selected=move || counting.get() == Counting::Person>{tr!(i18n, counting_person)}</option>
                    <option value="organisation" selected=move || counting.get() == Counting::Organisation>{tr!(i18n, counting_organisation)}</option>
                </select>
            </div>
            <ErrorNotice error=general_error(error) />
            <SubmitButton id="open-round" busy=Signal::derive(move || open.pending().get())>
                {tr!(i18n, open_round)}
            </SubmitButton>
        </form>
    }
}

/// What the editor does to the draft.
#[derive(Clone)]
enum DraftChange {
    Edit(String, ClauseEdit),
    Add(ClauseEdit),
    Remove(String),
    Order(Vec<String>),
}

/// The first `length` characters of a comment's text as readers see it (from its rendered
/// HTML, read by the browser in an inert template: no markup, no Markdown signs), with "…" if
/// cut.
fn excerpt(html: &str, length: usize) -> String {
    use wasm_bindgen::JsCast;
    let text = document()
        .create_element("template")
        .ok()
        .and_then(|t| t.dyn_into::<web_sys::HtmlTemplateElement>().ok())
        .and_then(|t| {
            t.set_inner_html(html);
            t.content().text_content()
        })
        .unwrap_or_default();
    let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
    let mut cut: String = text.chars().take(length).collect();
    if cut.len() < text.len() {
        cut.push('…');
    }
    cut
}

/// The editor of a draft round: each clause's wording, why it changed and which comments of
/// the previous round led to the change; new clauses; order; removal.
#[component]
pub fn DraftEditor() -> impl IntoView {
    let i18n = use_i18n();
    let (slug, round) = (param("slug"), param("round"));
    let change = Action::new_local(move |change: &DraftChange| {
        let change = change.clone();
        let (s, r) = (slug(), round());
        async move {
            match change {
                DraftChange::Edit(key, edit) => api::edit_clause(&s, &r, &key, &edit).await,
                DraftChange::Add(edit) => api::add_clause(&s, &r, &edit).await,
                DraftChange::Remove(key) => api::remove_clause(&s, &r, &key).await,
                DraftChange::Order(keys) => {
                    api::reorder_clauses(&s, &r, &ClauseOrder { keys }).await
                }
            }
        }
    });
    // The round with each clause's text, and the previous round's comments on each clause.
    let data = LocalResource::new(move || {
        change.version().get();
        let (s, r) = (slug(), round());
        async move {
            let round = api::get_round(&s, &r).await?;
            let mut clauses = Vec::new();
            for c in &round.clauses {
                let clause = api::get_clause(&s, &r, &c.key).await?;
                let earlier = match &clause.previous_round {
                    Some(previous) => api::all_comments(&s, previous, &c.key).await?,
                    None => Vec::new(),
                };
                clauses.push((clause, earlier));
            }
            Ok::<_, ApiError>((round, clauses))
        }
    });
    view! {
        <Transition fallback=Loading>
            <ErrorBoundary fallback=errors_fallback>
                {move || Suspend::new(async move {
                    data.await.map(|(round, clauses)| {
                        let keys: Vec<String> = clauses.iter().map(|(c, _)| c.key.clone()).collect();
                        let back = format!("/convene/{}", round.consultation_slug);
                        view! {
                            <nav class="breadcrumbs" aria-label=move || td_string!(i18n.get_locale(), breadcrumb)>
                                <A href=back>{round.consultation_title.clone()}</A>
                            </nav>
                            <h1>{tr!(i18n, edit_draft)}" — "{round.title.clone()}</h1>
                            {(round.phase != Phase::Draft).then(|| view! {
                                <p class="notice">{tr!(i18n, not_a_draft)}</p>
                            })}
                            <ErrorNotice error=Signal::derive(move || change.value().get().and_then(Result::err).filter(|e| e.fields.is_empty())) />
                            <p role="status" class="status" id="draft-status">
                                {move || matches!(change.value().get(), Some(Ok(_))).then(|| td_string!(i18n.get_locale(), saved))}
                            </p>
                            <ol class="clauses" id="draft-clauses">
                                {clauses.into_iter().enumerate().map(|(i, (clause, earlier))| {
                                    view! { <ClauseEditor clause earlier index=i keys=keys.clone() change /> }
                                }).collect_view()}
                            </ol>
                            <NewClause change />
                        }
                    })
                })}
            </ErrorBoundary>
        </Transition>
    }
}

/// One clause in the draft editor.
#[component]
fn ClauseEditor(
    clause: shared::Clause,
    earlier: Vec<Comment>,
    index: usize,
    keys: Vec<String>,
    change: Action<DraftChange, Result<Round, ApiError>>,
) -> impl IntoView {
    let i18n = use_i18n();
    let key = clause.key.clone();
    let title = RwSignal::new(clause.title.clone());
    let body = RwSignal::new(clause.body_md.clone());
    let note = RwSignal::new(clause.change_note.clone());
    let responds = RwSignal::new(clause.responds_to.clone());
    let error = Signal::derive(move || change.value().get().and_then(Result::err));
    let prefix = format!("clause-{key}");
    let submit = {
        let key = key.clone();
        move |ev: leptos::ev::SubmitEvent| {
            ev.prevent_default();
            change.dispatch(DraftChange::Edit(
                key.clone(),
                ClauseEdit {
                    title: title.get_untracked(),
                    body_md: body.get_untracked(),
                    change_note: note.get_untracked(),
                    responds_to: responds.get_untracked(),
                },
            ));
        }
    };
    let moved = |offset: isize| {
        let mut order = keys.clone();
        let to = index
            .checked_add_signed(offset)
            .filter(|t| *t < order.len())?;
        order.swap(index, to);
        Some(order)
    };
    let (up, down) = (moved(-1), moved(1));
    let remove_key = key.clone();
    view! {
        <li class="editor-clause" id=prefix.clone()>
            <form class="clause-form" on:submit=submit novalidate>
                <TextField name="title" id=format!("{prefix}-title") autocomplete="off"
                    label=move || td_string!(i18n.get_locale(), clause_title)
                    help=move || td_string!(i18n.get_locale(), clause_title_help) value=title error />
                <TextArea name="body_md" id=format!("{prefix}-body") rows=6
                    label=move || td_string!(i18n.get_locale(), clause_body)
                    help=move || td_string!(i18n.get_locale(), clause_body_help) value=body error
                    max=shared::rules::BODY_MAX />
                <TextField name="change_note" id=format!("{prefix}-note") autocomplete="off"
                    label=move || td_string!(i18n.get_locale(), change_note)
                    help=move || td_string!(i18n.get_locale(), change_note_help) value=note error />
                {(!earlier.is_empty()).then(|| view! {
                    <fieldset>
                        <legend>{tr!(i18n, responds_to_legend)}</legend>
                        {earlier.into_iter().map(|c| {
                            let id = c.id;
                            let excerpt = excerpt(&c.body_html, 90);
                            let author = match c.author {
                                Some(handle) => handle.into_any(),
                                None => tr!(i18n, former_participant).into_any(),
                            };
                            view! {
                                <label class="choice">
                                    <input type="checkbox" value=id
                                        prop:checked=move || responds.get().contains(&id)
                                        on:change=move |_| responds.update(|r| {
                                            if let Some(i) = r.iter().position(|x| *x == id) {
                                                r.remove(i);
                                            } else {
                                                r.push(id);
                                            }
                                        }) />
                                    "#"{id}" "{author}": "{excerpt}
                                </label>
                            }
                        }).collect_view()}
                        <FieldMessage error field="responds_to" id=format!("{prefix}-responds") />
                    </fieldset>
                })}
                <div class="inline-actions">
                    <button type="submit" class="save-clause">{tr!(i18n, save)}</button>
                    {up.map(|order| view! {
                        <button type="button" class="move-up" on:click=move |_| { change.dispatch(DraftChange::Order(order.clone())); }>
                            {tr!(i18n, move_up)}
                        </button>
                    })}
                    {down.map(|order| view! {
                        <button type="button" class="move-down" on:click=move |_| { change.dispatch(DraftChange::Order(order.clone())); }>
                            {tr!(i18n, move_down)}
                        </button>
                    })}
                    <button type="button" class="remove-clause" on:click=move |_| {
                        if confirmed(td_string!(i18n.get_locale(), confirm_remove_clause)) {
                            change.dispatch(DraftChange::Remove(remove_key.clone()));
                        }
                    }>
                        {tr!(i18n, remove)}
                    </button>
                </div>
            </form>
        </li>
    }
}

/// A new clause at the end of the draft.
#[component]
fn NewClause(change: Action<DraftChange, Result<Round, ApiError>>) -> impl IntoView {
    let i18n = use_i18n();
    let title = RwSignal::new(String::new());
    let body = RwSignal::new(String::new());
    let note = RwSignal::new(String::new());
    let error = Signal::derive(move || change.value().get().and_then(Result::err));
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        change.dispatch(DraftChange::Add(ClauseEdit {
            title: title.get_untracked(),
            body_md: body.get_untracked(),
            change_note: note.get_untracked(),
            responds_to: Vec::new(),
        }));
    };
    view! {
        <section aria-labelledby="new-clause-heading">
            <h2 id="new-clause-heading">{tr!(i18n, add_clause)}</h2>
            <form id="new-clause-form" on:submit=submit novalidate>
                <TextField name="title" id="new-clause-title" autocomplete="off"
                    label=move || td_string!(i18n.get_locale(), clause_title)
                    help=move || td_string!(i18n.get_locale(), clause_title_help) value=title error />
                <TextArea name="body_md" id="new-clause-body" rows=5
                    label=move || td_string!(i18n.get_locale(), clause_body)
                    help=move || td_string!(i18n.get_locale(), clause_body_help) value=body error
                    max=shared::rules::BODY_MAX />
                <TextField name="change_note" id="new-clause-note" autocomplete="off"
                    label=move || td_string!(i18n.get_locale(), change_note)
                    help=move || td_string!(i18n.get_locale(), change_note_help) value=note error />
                <button type="submit" id="add-clause">{tr!(i18n, add_clause)}</button>
            </form>
        </section>
    }
}
