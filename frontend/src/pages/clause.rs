//! One clause: its text, its tally, the reader's position and the comments.

use super::lazy::lazily;
use super::param;
use super::proposals::{AmendmentForm, ProposalNote, proposal_label};
use crate::api;
use crate::components::{
    ChamberedView, ConsensusView, Deadline, ErrorNotice, FieldMessage, Loading, PhaseBadge,
    RedlineText, ResultsView, StatementsView, SubmitButton, TextArea, TextField, confirmed,
    errors_fallback, general_error,
};
use crate::i18n::{self, tr, use_i18n};
use crate::sections::discussion::Discussion;
use crate::sections::position::PositionForm;
use crate::use_session;
use leptos::prelude::*;
use leptos_i18n::td_string;
use leptos_router::components::A;
use leptos_router::hooks::{use_location, use_query_map};
use shared::{
    Clause, ConsensusDesignation, ConsensusLevel, Language, MinorityStatement,
    NewMinorityStatement, Phase, TranslationEdit,
};

/// The clause's consultation, round and key, from the address.
pub(crate) fn clause_ids() -> impl Fn() -> (String, String, String) + Copy + Send + Sync + 'static {
    let (slug, round, key) = (param("slug"), param("round"), param("key"));
    move || (slug(), round(), key())
}

/// The clause page.
#[component]
pub fn ClausePage() -> impl IntoView {
    let i18n = use_i18n();
    let (slug, round, key) = (param("slug"), param("round"), param("key"));
    let ids = clause_ids();
    // Notified by a form that changed the clause (a position, a translation): fetch it again.
    let changed = Trigger::new();
    let session = use_session();
    // Fetched again when someone signs in or out, not when a signed-out reader's session is
    // first found to be empty (the first fetch already carried the cookie).
    let who = Memo::new(move |_| session.me.with(|m| m.as_ref().map(|m| m.handle.clone())));
    let clause = LocalResource::new(move || {
        changed.track();
        who.get();
        let (s, r, k) = ids();
        async move { api::get_clause(&s, &r, &k).await }
    });
    let loaded = Signal::derive(move || clause.get().and_then(Result::ok));
    let exists = Memo::new(move |_| loaded.with(Option::is_some));

    view! {
        <Transition fallback=Loading>
            <ErrorBoundary fallback=errors_fallback>
                {move || Suspend::new(async move {
                    clause.await.map(|c| view! { <ClauseText clause=c /> })
                })}
            </ErrorBoundary>
        </Transition>
        <PositionForm clause=loaded changed />
        <AmendmentForm clause=loaded />
        <Translations clause=loaded changed />
        <AfterClose clause=loaded />
        // Only a clause that is there has a discussion (a wrong address says so once, above).
        <Show when=move || exists.get()>
            <section class="comments" aria-labelledby="comments-heading">
                <h2 id="comments-heading">{tr!(i18n, comments)}</h2>
                <Discussion clause=loaded slug=Signal::derive(slug) round=Signal::derive(round)
                    key=Signal::derive(key) />
            </section>
        </Show>
    }
}

/// Breadcrumbs, title, phase, text and tally of a clause.
#[component]
fn ClauseText(clause: Clause) -> impl IntoView {
    let i18n = use_i18n();
    let round_href = format!("/c/{}/{}", clause.consultation_slug, clause.round.slug);
    let changes = clause.clone();
    let proposal = clause.clone();
    let statements = clause.minority_statements.clone();
    let number = match clause.proposal {
        Some(_) => proposal_label(i18n.get_locale_untracked(), clause.number),
        None => clause.number.to_string(),
    };
    // The conveners' translation into the reader's language, unless they asked for the original.
    let query = use_query_map();
    let wants_original = move || query.read().get("original").is_some();
    let translations = clause.translations.clone();
    let translation = Memo::new(move |_| {
        let language = i18n::language_of(i18n.get_locale());
        translations
            .iter()
            .find(|t| t.language == language)
            .cloned()
    });
    let shown = move || translation.get().filter(|_| !wants_original());
    let path = use_location().pathname;
    let title = clause.title.clone();
    let body_html = clause.body_html.clone();
    view! {
        <nav class="breadcrumbs" aria-label=move || td_string!(i18n.get_locale(), breadcrumb)>
            <A href="/">{tr!(i18n, consultations)}</A>" › "
            <A href=round_href exact=true>{clause.consultation_title}" — "{clause.round.title}</A>
        </nav>
        <article class="clause">
            <h1 id="clause-title" dir="auto">
                {number}". "{move || shown().map_or_else(|| title.clone(), |t| t.title)}
            </h1>
            <p class="meta"><PhaseBadge phase=clause.round.phase /></p>
            <Deadline deadline=clause.round.deadline />
            // Rendered from Markdown and sanitised by the server (see backend/src/markdown.rs).
            {move || match shown() {
                // Passages are chosen in the original, so the translation is not `.clause-body`.
                Some(t) => view! {
                    <p class="translation-note" id="translation-note">
                        {tr!(i18n, translated_by_conveners)}" "
                        {t.outdated.then(|| view! { <strong>{tr!(i18n, translation_outdated)}</strong>" " })}
                        <a href=move || format!("{}?original", path.get()) id="read-original">
                            {tr!(i18n, read_original)}
                        </a>
                    </p>
                    <div class="clause-translation" dir="auto" lang=t.language.as_str()
                        inner_html=t.body_html></div>
                }.into_any(),
                None => view! {
                    {move || translation.get().map(|t| view! {
                        <p class="translation-note" id="translation-note">
                            {tr!(i18n, original_shown)}" "
                            <a href=move || path.get() id="read-translation" lang=t.language.as_str()>
                                {i18n::language_name(t.language)}
                            </a>
                        </p>
                    })}
                    <div class="clause-body" dir="auto" inner_html=body_html.clone()></div>
                }.into_any(),
            }}
        </article>
        <Changes clause=changes />
        {proposal.proposal.is_some().then(|| lazily(move || proposal_note(proposal)))}
        // Recorded only after a round closes: their code is fetched then.
        {clause.consensus.map(|level| lazily(move || consensus_note(level)))}
        <ResultsView results=clause.results
            settled=matches!(clause.round.phase, Phase::Closed | Phase::Published) />
        {clause.chambered.map(|c| view! { <ChamberedView chambered=c /> })}
        {(!statements.is_empty()).then(|| lazily(move || statements_list(statements)))}
    }
}

#[leptos::lazy]
fn consensus_note(level: ConsensusLevel) -> AnyView {
    view! { <ConsensusView consensus=Some(level) /> }.into_any()
}

#[leptos::lazy]
fn statements_list(statements: Vec<MinorityStatement>) -> AnyView {
    view! { <StatementsView statements /> }.into_any()
}

#[leptos::lazy]
fn proposal_note(clause: Clause) -> AnyView {
    view! { <ProposalNote clause /> }.into_any()
}

/// Once the round is closed: conveners designate the clause's consensus level, and the
/// representatives of organisations that reserved or opposed attach a minority statement.
#[component]
fn AfterClose(clause: Signal<Option<Clause>>) -> impl IntoView {
    let session = use_session();
    let closed = Memo::new(move |_| clause.get().is_some_and(|c| c.round.phase == Phase::Closed));
    let convenes = Memo::new(move |_| {
        let slug = clause
            .get()
            .map(|c| c.consultation_slug)
            .unwrap_or_default();
        session
            .me
            .get()
            .is_some_and(|m| m.two_factor && (m.admin || m.convenes.contains(&slug)))
    });
    let handle = Memo::new(move |_| session.me.get().map(|m| m.handle));
    move || {
        closed.get().then(|| {
            view! {
                {move || convenes.get().then(|| lazily(move || consensus_form(clause)))}
                {move || handle.get().map(|h| lazily(move || statement_form(clause, h.clone())))}
            }
        })
    }
}

#[leptos::lazy]
fn consensus_form(clause: Signal<Option<Clause>>) -> AnyView {
    view! { <ConsensusForm clause /> }.into_any()
}

#[leptos::lazy]
fn statement_form(clause: Signal<Option<Clause>>, handle: String) -> AnyView {
    view! { <StatementForm clause handle /> }.into_any()
}

#[leptos::lazy]
fn translation_form(clause: Signal<Option<Clause>>, changed: Trigger) -> AnyView {
    view! { <TranslationForm clause changed /> }.into_any()
}

/// The conveners' designation of the clause's consensus level.
#[component]
fn ConsensusForm(clause: Signal<Option<Clause>>) -> impl IntoView {
    let i18n = use_i18n();
    let level = RwSignal::new(
        clause
            .get_untracked()
            .and_then(|c| c.consensus)
            .unwrap_or(ConsensusLevel::Consensus),
    );
    let save = Action::new_local(move |designation: &ConsensusDesignation| {
        let designation = designation.clone();
        let c = clause.get_untracked();
        async move {
            let Some(c) = c else { return Ok(()) };
            api::designate_consensus(&c.consultation_slug, &c.round.slug, &c.key, &designation)
                .await
        }
    });
    let error = Signal::derive(move || save.value().get().and_then(Result::err));
    let saved = move || matches!(save.value().get(), Some(Ok(())));
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        save.dispatch(ConsensusDesignation {
            level: level.get_untracked(),
        });
    };
    view! {
        <form id="consensus-form" on:submit=submit novalidate>
            <div class="field">
                <label for="consensus-level">{tr!(i18n, designate_consensus)}</label>
                <select id="consensus-level" on:change=move |ev| {
                    if let Some(l) = ConsensusLevel::parse(&event_target_value(&ev)) {
                        level.set(l);
                    }
                }>
                    {ConsensusLevel::ALL.into_iter().map(|l| view! {
                        <option value=l.as_str() selected=move || level.get() == l>
                            {move || i18n::consensus_name(i18n.get_locale(), l)}
                        </option>
                    }).collect_view()}
                </select>
            </div>
            <ErrorNotice error />
            <SubmitButton id="save-consensus" busy=Signal::derive(move || save.pending().get())>{tr!(i18n, save)}</SubmitButton>
            <p role="status" class="status" id="consensus-status">{move || saved().then(|| td_string!(i18n.get_locale(), saved))}</p>
        </form>
    }
}

/// A representative's minority statement on behalf of their organisation.
#[component]
fn StatementForm(clause: Signal<Option<Clause>>, handle: String) -> impl IntoView {
    let i18n = use_i18n();
    let represented = LocalResource::new(move || {
        let handle = handle.clone();
        async move {
            api::list_organisations().await.map(|list| {
                list.into_iter()
                    .filter(|o| o.representative.as_deref() == Some(handle.as_str()))
                    .collect::<Vec<_>>()
            })
        }
    });
    let organisation = RwSignal::new(String::new());
    let body = RwSignal::new(String::new());
    let save = Action::new_local(move |statement: &NewMinorityStatement| {
        let statement = statement.clone();
        let c = clause.get_untracked();
        async move {
            let Some(c) = c else { return Ok(Vec::new()) };
            api::attach_minority_statement(&c.consultation_slug, &c.round.slug, &c.key, &statement)
                .await
        }
    });
    let error = Signal::derive(move || save.value().get().and_then(Result::err));
    let saved = move || matches!(save.value().get(), Some(Ok(_)));
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        save.dispatch(NewMinorityStatement {
            organisation: organisation.get_untracked(),
            body: body.get_untracked(),
        });
    };
    view! {
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                let list = represented.await.unwrap_or_default();
                let first = list.first().map(|o| o.slug.clone())?;
                organisation.set(first);
                Some(view! {
                    <form id="statement-form" on:submit=submit novalidate>
                        <h2>{tr!(i18n, add_minority_statement)}</h2>
                        <p class="help">{tr!(i18n, minority_statement_help)}</p>
                        <div class="field">
                            <label for="statement-organisation">{tr!(i18n, on_behalf_of)}</label>
                            <select id="statement-organisation" on:change=move |ev| organisation.set(event_target_value(&ev))>
                                {list.into_iter().map(|o| view! { <option value=o.slug>{o.name}</option> }).collect_view()}
                            </select>
                        </div>
                        <TextArea name="body" id="statement-body" rows=4
                            label=move || td_string!(i18n.get_locale(), minority_statement)
                            help=move || td_string!(i18n.get_locale(), minority_statement_body_help) value=body error
                            max=shared::rules::COMMENT_MAX />
                        <ErrorNotice error=general_error(error) />
                        <FieldMessage error field="organisation" id="statement-organisation" />
                        <SubmitButton id="save-statement" busy=Signal::derive(move || save.pending().get())>{tr!(i18n, save)}</SubmitButton>
                        <p role="status" class="status">{move || saved().then(|| td_string!(i18n.get_locale(), saved))}</p>
                    </form>
                })
            })}
        </Suspense>
    }
}

/// What changed since the previous round: the redline, the convener's note, the comments that
/// led to it, and a link to the clause in that round (with its comments and positions).
#[component]
fn Changes(clause: Clause) -> impl IntoView {
    let i18n = use_i18n();
    let (Some(previous), Some(redline)) = (clause.previous_round, clause.redline) else {
        return ().into_any();
    };
    let previous_href = format!("/c/{}/{previous}/{}", clause.consultation_slug, clause.key);
    let changed = shared::redline::changed(&redline);
    let note = clause.change_note;
    let responds_to = clause.responds_to;
    let label = previous.clone();
    view! {
        <section class="changes" aria-labelledby="changes-heading">
            <h2 id="changes-heading">{move || i18n::changes_since(i18n.get_locale(), &label)}</h2>
            {if changed {
                view! { <RedlineText segments=redline id="redline" /> }.into_any()
            } else {
                view! { <p id="redline">{tr!(i18n, unchanged)}</p> }.into_any()
            }}
            {(!note.is_empty()).then(|| view! {
                <p class="change-note"><strong>{tr!(i18n, why_changed)}</strong>" "{note}</p>
            })}
            {(!responds_to.is_empty()).then(|| {
                let href = previous_href.clone();
                view! {
                    <p class="responds-to">
                        {tr!(i18n, in_response_to)}" "
                        {responds_to.into_iter().map(|id| {
                            let href = format!("{href}#comment-{id}");
                            view! { <a href=href>"#"{id}</a>" " }
                        }).collect_view()}
                    </p>
                }
            })}
            <p><A href=previous_href attr:id="previous-round-link">{move || i18n::previous_round_link(i18n.get_locale(), &previous)}</A></p>
        </section>
    }
    .into_any()
}

/// The conveners' translations of the clause, one language at a time, while the round is
/// open. The original stays authoritative; readers are told when it changed after translating.
#[component]
fn Translations(clause: Signal<Option<Clause>>, changed: Trigger) -> impl IntoView {
    let session = use_session();
    let open = Memo::new(move |_| {
        let Some(c) = clause.get() else { return false };
        let convenes = session.me.get().is_some_and(|m| {
            m.two_factor && (m.admin || m.convenes.contains(&c.consultation_slug))
        });
        convenes && !matches!(c.round.phase, Phase::Closed | Phase::Published)
    });
    move || {
        open.get()
            .then(|| lazily(move || translation_form(clause, changed)))
    }
}

#[component]
fn TranslationForm(clause: Signal<Option<Clause>>, changed: Trigger) -> impl IntoView {
    let i18n = use_i18n();
    let ids = clause_ids();
    // A convener's change to a translation, or its removal.
    let translate = Action::new_local(
        move |(language, edit): &(Language, Option<TranslationEdit>)| {
            let (language, edit) = (*language, edit.clone());
            let (s, r, k) = ids();
            async move {
                let translated = match edit {
                    Some(edit) => api::translate_clause(&s, &r, &k, language, &edit).await,
                    None => api::remove_translation(&s, &r, &k, language).await,
                };
                changed.notify();
                translated
            }
        },
    );
    let existing = move |language: Language| {
        clause.with_untracked(|c| {
            c.as_ref().and_then(|c| {
                c.translations
                    .iter()
                    .find(|t| t.language == language)
                    .cloned()
            })
        })
    };
    // Start with the reader's own language unless the original is in it, then French.
    let language = RwSignal::new(match i18n::language_of(i18n.get_locale_untracked()) {
        Language::En => Language::Fr,
        other => other,
    });
    let (title, body) = (RwSignal::new(String::new()), RwSignal::new(String::new()));
    // The fields show the chosen language's translation, if there is one.
    Effect::new(move |_| {
        let found = existing(language.get());
        title.set(found.as_ref().map(|t| t.title.clone()).unwrap_or_default());
        body.set(found.map(|t| t.body_md).unwrap_or_default());
    });
    let has_one = move || {
        let l = language.get();
        clause.with(|c| {
            c.as_ref()
                .is_some_and(|c| c.translations.iter().any(|t| t.language == l))
        })
    };
    // Once a translation is removed, its fields are emptied for a new one.
    Effect::new(move |_| {
        if let Some(Ok(list)) = translate.value().get() {
            let l = language.get_untracked();
            if !list.iter().any(|t| t.language == l) {
                title.set(String::new());
                body.set(String::new());
            }
        }
    });
    let error = Signal::derive(move || translate.value().get().and_then(Result::err));
    let saved = move || matches!(translate.value().get(), Some(Ok(_)));
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let edit = TranslationEdit {
            title: title.get_untracked(),
            body_md: body.get_untracked(),
        };
        translate.dispatch((language.get_untracked(), Some(edit)));
    };
    let remove = move |_| {
        if confirmed(td_string!(i18n.get_locale(), confirm_remove_translation)) {
            translate.dispatch((language.get_untracked(), None));
        }
    };
    view! {
        <section class="translations" aria-labelledby="translations-heading">
            <h2 id="translations-heading">{tr!(i18n, translations)}</h2>
            <p class="help">{tr!(i18n, translations_help)}</p>
            <form id="translation-form" on:submit=submit novalidate>
                <div class="field">
                    <label for="translation-language">{tr!(i18n, translation_language)}</label>
                    <select id="translation-language" on:change=move |ev| {
                        if let Some(l) = Language::parse(&event_target_value(&ev)) {
                            language.set(l);
                        }
                    }>
                        {Language::ALL.into_iter().map(|l| view! {
                            <option value=l.as_str() lang=l.as_str() selected=move || language.get() == l>
                                {i18n::language_name(l)}
                            </option>
                        }).collect_view()}
                    </select>
                </div>
                <TextField name="title" id="translation-title" autocomplete="off"
                    label=move || td_string!(i18n.get_locale(), translation_title)
                    help=move || td_string!(i18n.get_locale(), translation_title_help) value=title error />
                <TextArea name="body_md" id="translation-body" rows=6
                    label=move || td_string!(i18n.get_locale(), translation_body)
                    help=move || td_string!(i18n.get_locale(), translation_body_help) value=body error
                    max=shared::rules::BODY_MAX />
                <ErrorNotice error=general_error(error) />
                <SubmitButton id="save-translation" busy=Signal::derive(move || translate.pending().get())>
                    {tr!(i18n, save_translation)}
                </SubmitButton>
                {move || has_one().then(|| view! {
                    " "
                    <button type="button" id="remove-translation" on:click=remove>
                        {tr!(i18n, remove_translation)}
                    </button>
                })}
                <p role="status" class="status" id="translation-status">
                    {move || saved().then(|| td_string!(i18n.get_locale(), saved))}
                </p>
            </form>
        </section>
    }
}
