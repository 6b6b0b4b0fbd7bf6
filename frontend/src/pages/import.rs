//! Importing a round's text (`/import/:slug`): the convener sends a document — Markdown, plain
//! text, DOCX or ODT — or pastes the text, sees how it is cut into a preamble and clauses,
//! corrects the cut (keys, titles; merging, splitting and dropping clauses) and saves it as a
//! new draft round. Nothing is saved before that.

use super::param;
use crate::api;
use crate::components::{
    ErrorNotice, FieldErrors, Loading, SubmitButton, TextArea, TextField, confirmed,
    errors_fallback,
};
use crate::i18n::{tr, use_i18n};
use leptos::prelude::*;
use leptos_i18n::td_string;
use leptos_router::components::A;
use leptos_router::hooks::use_navigate;
use shared::draft::{first_words, merged_body, paragraphs, split_body};
use shared::rules::clause_key;
use shared::{ApiError, DraftClause, DraftText, FieldError, NewRound};

/// One clause of the cut being corrected. Each keeps its own signals, so that typing in one
/// row, or changing others, leaves the rest of the page (and the reader's focus) alone.
#[derive(Clone, Copy)]
struct Row {
    id: u64,
    key: RwSignal<String>,
    title: RwSignal<String>,
    body: RwSignal<String>,
}

/// The media type to send a file as: by its name's extension, else what the browser says.
fn media_type(file: &web_sys::File) -> String {
    let name = file.name().to_lowercase();
    let by_name = [
        (".md", "text/markdown"),
        (".markdown", "text/markdown"),
        (".txt", "text/plain"),
        (
            ".docx",
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ),
        (".odt", "application/vnd.oasis.opendocument.text"),
    ];
    by_name
        .iter()
        .find(|(extension, _)| name.ends_with(extension))
        .map_or_else(|| file.type_(), |(_, media)| (*media).to_owned())
}

/// The import page of a consultation.
#[component]
pub fn ImportPage() -> impl IntoView {
    let i18n = use_i18n();
    let slug = param("slug");
    let consultation = LocalResource::new(move || {
        let slug = slug();
        async move { api::get_consultation(&slug).await }
    });
    let file_input = NodeRef::<leptos::html::Input>::new();
    let pasted = RwSignal::new(String::new());
    let preview = Action::new_local(move |_: &()| {
        let file = file_input
            .get_untracked()
            .and_then(|input| input.files())
            .and_then(|files| files.get(0));
        let pasted = pasted.get_untracked();
        let slug = slug();
        async move {
            match file {
                Some(file) => api::preview_text(&slug, &media_type(&file), file.into()).await,
                None if !pasted.trim().is_empty() => {
                    api::preview_text(&slug, "text/markdown", pasted.into()).await
                }
                None => Err(ApiError::validation(vec![FieldError::new(
                    "document",
                    "required",
                    "Choose a file, or paste the text.",
                )])),
            }
        }
    });
    let preamble = RwSignal::new(String::new());
    let rows = RwSignal::new(Vec::<Row>::new());
    let next_id = StoredValue::new(0u64);
    // A row's signals belong to the page, not to whatever made the row: a row split off in a
    // paragraph's click handler would otherwise die with that paragraph's view, redrawn at once,
    // and the new row would read disposed signals.
    let page = StoredValue::new(Owner::current().expect("a component runs under an owner"));
    let new_row = move |clause: DraftClause| {
        let id = next_id.get_value();
        next_id.set_value(id + 1);
        page.with_value(|page| {
            page.with(|| Row {
                id,
                key: RwSignal::new(clause.key),
                title: RwSignal::new(clause.title),
                body: RwSignal::new(clause.body_md),
            })
        })
    };
    Effect::new(move |_| {
        if let Some(Ok(text)) = preview.value().get() {
            preamble.set(text.preamble_md);
            rows.set(text.clauses.into_iter().map(new_row).collect());
            // Take the reader (and a screen reader's focus) to the cut, once it is drawn.
            request_animation_frame(|| {
                use wasm_bindgen::JsCast;
                if let Some(heading) = document()
                    .get_element_by_id("preview-heading")
                    .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok())
                {
                    let _ = heading.focus();
                }
            });
        }
    });
    let draft = move || DraftText {
        preamble_md: preamble.get(),
        clauses: rows
            .get()
            .iter()
            .map(|r| DraftClause {
                key: r.key.get(),
                title: r.title.get(),
                body_md: r.body.get(),
            })
            .collect(),
    };
    // What saving would refuse, shown as the convener corrects the cut.
    let problems = Memo::new(move |_| draft().check().err().unwrap_or_default());
    let year = js_sys::Date::new_0().get_full_year();
    let round_slug = RwSignal::new(year.to_string());
    let round_title = RwSignal::new(year.to_string());
    let navigate = use_navigate();
    let save = Action::new_local(move |new: &NewRound| {
        let new = new.clone();
        let slug = slug();
        async move { api::open_round(&slug, &new).await }
    });
    Effect::new(move |_| {
        if let Some(Ok(round)) = save.value().get() {
            navigate(
                &format!("/convene/{}/{}", slug(), round.slug),
                Default::default(),
            );
        }
    });
    let save_error = Signal::derive(move || {
        save.value().get().and_then(Result::err).or_else(|| {
            let problems = problems.get();
            (!problems.is_empty() && save.version().get() > 0)
                .then(|| ApiError::validation(problems))
        })
    });
    let submit_preview = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        preview.dispatch(());
    };
    let submit_save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        save.dispatch(NewRound {
            slug: round_slug.get_untracked(),
            title: round_title.get_untracked(),
            hide_results: false,
            rule: Default::default(),
            abstentions_count: false,
            counting: Default::default(),
            text: Some(draft()),
        });
    };
    let preview_error = Signal::derive(move || preview.value().get().and_then(Result::err));
    view! {
        <Transition fallback=Loading>
            <ErrorBoundary fallback=errors_fallback>
                {move || Suspend::new(async move {
                    consultation.await.map(|c| {
                        let (title, href) = (c.title.clone(), format!("/convene/{}", c.slug));
                        view! {
                            <nav class="breadcrumbs" aria-label=move || td_string!(i18n.get_locale(), breadcrumb)>
                                <A href="/">{tr!(i18n, consultations)}</A>" › "
                                <A href=href>{title}</A>
                            </nav>
                            <h1>{tr!(i18n, import_title)}" — "{c.title}</h1>
                        }
                    })
                })}
            </ErrorBoundary>
        </Transition>
        <p class="lead">{tr!(i18n, import_intro)}</p>
        <form id="import-form" on:submit=submit_preview novalidate>
            <div class="field">
                <label for="document">{tr!(i18n, import_file)}</label>
                <input type="file" id="document" name="document" node_ref=file_input
                    accept=".md,.markdown,.txt,.docx,.odt" aria-describedby="document-help" />
                <p class="help" id="document-help">{tr!(i18n, import_file_help)}</p>
            </div>
            <TextArea name="pasted" rows=6
                label=move || td_string!(i18n.get_locale(), import_paste)
                help=move || td_string!(i18n.get_locale(), import_paste_help)
                value=pasted error=preview_error />
            <ErrorNotice error=preview_error />
            <SubmitButton busy=preview.pending() id="preview-text">
                {move || if preview.pending().get() {
                    td_string!(i18n.get_locale(), import_reading)
                } else {
                    td_string!(i18n.get_locale(), import_preview)
                }}
            </SubmitButton>
        </form>
        <Show when=move || !rows.with(Vec::is_empty)>
            <form id="save-import-form" on:submit=submit_save novalidate>
                <h2 id="preview-heading" tabindex="-1">{tr!(i18n, import_preview_title)}</h2>
                <p class="help">{tr!(i18n, import_preview_help)}</p>
                <TextArea name="preamble_md" id="preamble" rows=4
                    label=move || td_string!(i18n.get_locale(), import_preamble)
                    help=move || td_string!(i18n.get_locale(), import_preamble_help)
                    value=preamble error=save_error />
                <p role="status" id="clause-count">
                    {move || format!("{} ", rows.with(Vec::len))}{tr!(i18n, import_clause_count)}
                </p>
                <ol id="draft-clauses" class="draft-clauses">
                    <For each=move || rows.get() key=|row| row.id let(row)>
                        <DraftRow row rows problems new_row />
                    </For>
                </ol>
                <fieldset>
                    <legend>{tr!(i18n, import_round)}</legend>
                    <TextField name="slug" id="round-slug" autocomplete="off"
                        label=move || td_string!(i18n.get_locale(), round_slug)
                        help=move || td_string!(i18n.get_locale(), round_slug_help)
                        value=round_slug error=save_error />
                    <TextField name="title" id="round-title" autocomplete="off"
                        label=move || td_string!(i18n.get_locale(), round_title)
                        help="" value=round_title error=save_error />
                </fieldset>
                <FieldErrors error=save_error />
                <ErrorNotice error=Signal::derive(move || save_error.get().filter(|e| e.fields.is_empty())) />
                <SubmitButton busy=save.pending() id="save-import">
                    {tr!(i18n, import_save)}
                </SubmitButton>
            </form>
        </Show>
    }
}

/// One clause of the cut: its key and title to correct, its paragraphs with a place to split
/// before each, and buttons to merge it with the next one or drop it.
#[component]
fn DraftRow(
    row: Row,
    rows: RwSignal<Vec<Row>>,
    problems: Memo<Vec<FieldError>>,
    new_row: impl Fn(DraftClause) -> Row + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let i18n = use_i18n();
    let index = move || rows.with(|rs| rs.iter().position(|r| r.id == row.id).unwrap_or(0));
    let problem = move |name: &'static str| {
        move || {
            let field = format!("clauses[{}].{name}", index());
            problems.with(|p| {
                p.iter()
                    .find(|e| e.field == field)
                    .map(|e| e.message.clone())
            })
        }
    };
    let is_last = move || rows.with(|rs| rs.last().is_some_and(|r| r.id == row.id));
    let merge = move |_| {
        let i = index();
        let Some(next) = rows.with_untracked(|rs| rs.get(i + 1).copied()) else {
            return;
        };
        row.body.set(merged_body(
            &row.body.get_untracked(),
            &next.title.get_untracked(),
            &next.body.get_untracked(),
        ));
        rows.update(|rs| {
            rs.retain(|r| r.id != next.id);
        });
    };
    let split = move |paragraph: usize| {
        let Some((before, after)) = split_body(&row.body.get_untracked(), paragraph) else {
            return;
        };
        let title = first_words(&after);
        let taken: Vec<String> =
            rows.with_untracked(|rs| rs.iter().map(|r| r.key.get_untracked()).collect());
        let added = new_row(DraftClause {
            key: clause_key(&title, &taken),
            title,
            body_md: after,
        });
        row.body.set(before);
        let i = index();
        rows.update(|rs| rs.insert(i + 1, added));
    };
    let drop = move |_| {
        let question = td_string!(i18n.get_locale(), import_drop_confirm);
        if confirmed(&format!("{question} {}", row.title.get_untracked())) {
            rows.update(|rs| rs.retain(|r| r.id != row.id));
        }
    };
    let key_id = format!("draft-key-{}", row.id);
    let title_id = format!("draft-title-{}", row.id);
    view! {
        <li class="draft-clause" data-key=move || row.key.get()>
            <div class="field">
                <label for=title_id.clone()>{tr!(i18n, clause_title)}</label>
                <input type="text" id=title_id.clone() class="draft-title"
                    prop:value=move || row.title.get()
                    on:input=move |ev| row.title.set(event_target_value(&ev)) />
                {move || problem("title")().map(|m| view! { <p class="field-error">{m}</p> })}
            </div>
            <div class="field">
                <label for=key_id.clone()>{tr!(i18n, import_key)}</label>
                <input type="text" id=key_id.clone() class="draft-key" autocomplete="off"
                    prop:value=move || row.key.get()
                    on:input=move |ev| row.key.set(event_target_value(&ev)) />
                <p class="help">{tr!(i18n, import_key_help)}</p>
                {move || problem("key")().map(|m| view! { <p class="field-error draft-key-error">{m}</p> })}
            </div>
            <div class="draft-body">
                {move || paragraphs(&row.body.get()).into_iter().enumerate().map(|(p, text)| {
                    let text = text.to_owned();
                    view! {
                        {(p > 0).then(|| view! {
                            <button type="button" class="secondary split"
                                on:click=move |_| split(p)>{tr!(i18n, import_split_here)}</button>
                        })}
                        <p class="draft-paragraph">{text}</p>
                    }
                }).collect_view()}
                {move || problem("body_md")().map(|m| view! { <p class="field-error">{m}</p> })}
            </div>
            <p class="actions">
                <Show when=move || !is_last()>
                    <button type="button" class="secondary merge" on:click=merge>
                        {tr!(i18n, import_merge)}
                    </button>
                </Show>
                <button type="button" class="secondary danger drop" on:click=drop>
                    {tr!(i18n, import_drop)}
                </button>
            </p>
        </li>
    }
}
