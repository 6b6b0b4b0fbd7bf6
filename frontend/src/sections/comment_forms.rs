//! The discussion's forms: a new comment, a reply, an edit, a flag, and the conveners'
//! moderation and responses; each fetched the first time it is shown. A passage is chosen with
//! the mouse, by touch, or from the keyboard with two word lists.

use super::discussion::{Doing, OPEN_FORM, Thread, focus_comment, focus_element};
use crate::api;
use crate::components::{
    ErrorNotice, FieldMessage, SubmitButton, TextArea, VerdictSelect, WhenOpen, confirmed,
    general_error,
};
use crate::drafts::Draft;
use crate::i18n::{self, tr, use_i18n};
use crate::pages::lazy::lazily;
use leptos::prelude::*;
use leptos_i18n::td_string;
use shared::{
    ApiError, Clause, Comment, CommentEdit, Language, Moderation, ModerationAction, NewComment,
    NewResponse, Passage, Reason, locate_selection, passage_of,
};

/// The buttons a signed-in reader has on a comment (reply, edit, flag; hide, restore, respond
/// and earlier versions for conveners), the earlier versions once asked for, and the open form.
#[leptos::lazy]
pub(super) fn comment_actions(
    id: i64,
    is_hidden: bool,
    author: Option<String>,
    edited: Option<i64>,
    body: String,
    state: Thread,
) -> AnyView {
    let i18n = use_i18n();
    let mine = Signal::derive(move || author.is_some() && state.me.get() == author);
    let body = StoredValue::new(body);
    let open = move |doing: Doing| {
        move |_| {
            state.error.set(None);
            state.text.set(if doing == Doing::Edit {
                body.get_value()
            } else {
                String::new()
            });
            state.doing.set(Some((id, doing)));
        }
    };
    let show_versions = move |_| {
        let slug = state.slug.get_untracked();
        leptos::task::spawn_local(async move {
            if let Ok(versions) = api::comment_versions(&slug, id).await {
                state.versions.update(|v| {
                    v.insert(id, versions);
                });
            }
        });
    };
    view! {
        <div class="comment-actions">
            {move || (state.may_write.get() && !is_hidden).then(|| view! {
                <button type="button" class="link-button" on:click=open(Doing::Reply)>{tr!(i18n, reply)}</button>
            })}
            {move || (state.may_write.get() && mine.get() && !is_hidden).then(|| view! {
                <button type="button" class="link-button" on:click=open(Doing::Edit)>{tr!(i18n, edit)}</button>
            })}
            {move || (state.me.get().is_some() && !mine.get() && !is_hidden).then(|| view! {
                <button type="button" class="link-button" on:click=open(Doing::Flag)>{tr!(i18n, flag)}</button>
            })}
            {move || state.convenes.get().then(|| view! {
                {if is_hidden {
                    view! { <button type="button" class="link-button" on:click=open(Doing::Restore)>{tr!(i18n, restore)}</button> }.into_any()
                } else {
                    view! { <button type="button" class="link-button" on:click=open(Doing::Hide)>{tr!(i18n, hide)}</button> }.into_any()
                }}
                <button type="button" class="link-button" on:click=open(Doing::Respond)>{tr!(i18n, respond)}</button>
                {edited.map(|_| view! {
                    <button type="button" class="link-button" on:click=show_versions>{tr!(i18n, earlier_versions)}</button>
                })}
            })}
        </div>
        {move || state.versions.with(|v| v.get(&id).cloned()).map(|versions| view! {
            <div class="versions">
                <h4>{tr!(i18n, earlier_versions)}</h4>
                <ol>
                    {versions.into_iter().map(|v| view! {
                        <li>
                            <time>{move || i18n::format_date(i18n.get_locale(), v.written_at_ms)}</time>
                            <pre class="version-body">{v.body}</pre>
                        </li>
                    }).collect_view()}
                </ol>
            </div>
        })}
        {move || state.doing.get().filter(|(on, _)| *on == id).map(|(_, doing)| {
            lazily(move || action_form(id, doing, state))
        })}
    }
    .into_any()
}

#[leptos::lazy]
fn action_form(id: i64, doing: Doing, state: Thread) -> AnyView {
    view! { <ActionForm id doing state /> }.into_any()
}

/// The form of what the reader is doing to comment `id`.
#[component]
fn ActionForm(id: i64, doing: Doing, state: Thread) -> impl IntoView {
    let i18n = use_i18n();
    let field_id = format!("action-{id}");
    let draft = doing.draft(id);
    // The open form is kept too, so that a reload or a sign-in opens it again.
    Draft::new(OPEN_FORM).keep(&doing.on(id));
    // The reader goes on where they asked to write.
    focus_element(field_id.clone());
    // The discussion's own signal: the form may go before the effects reading it do.
    let error = Signal::from(state.error);
    let field = match doing {
        Doing::Reply | Doing::Edit => "body",
        Doing::Respond => "explanation",
        Doing::Flag | Doing::Hide | Doing::Restore => "reason",
    };
    let label = move || match doing {
        Doing::Reply => td_string!(i18n.get_locale(), your_reply),
        Doing::Edit => td_string!(i18n.get_locale(), your_comment),
        Doing::Flag => td_string!(i18n.get_locale(), flag_reason),
        Doing::Hide => td_string!(i18n.get_locale(), hide_reason),
        Doing::Restore => td_string!(i18n.get_locale(), restore_reason),
        Doing::Respond => td_string!(i18n.get_locale(), response_explanation),
    };
    let help = move || match doing {
        Doing::Reply | Doing::Edit => td_string!(i18n.get_locale(), comment_help),
        Doing::Flag => td_string!(i18n.get_locale(), flag_help),
        Doing::Hide | Doing::Restore => td_string!(i18n.get_locale(), moderation_help),
        Doing::Respond => td_string!(i18n.get_locale(), response_help),
    };
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if doing == Doing::Hide && !confirmed(td_string!(i18n.get_locale(), confirm_hide)) {
            return;
        }
        run(state, id, doing, i18n.get_locale_untracked());
    };
    let cancel = move |_| {
        doing.forget_draft(id);
        state.doing.set(None);
        focus_comment(id);
    };
    let submit_label = move || match doing {
        Doing::Reply => td_string!(i18n.get_locale(), post_reply),
        Doing::Edit => td_string!(i18n.get_locale(), save),
        Doing::Flag => td_string!(i18n.get_locale(), flag),
        Doing::Hide => td_string!(i18n.get_locale(), hide),
        Doing::Restore => td_string!(i18n.get_locale(), restore),
        Doing::Respond => td_string!(i18n.get_locale(), respond),
    };
    view! {
        <form class="action-form" on:submit=submit novalidate>
            {(doing == Doing::Respond).then(|| view! {
                <VerdictSelect id=format!("verdict-{id}") verdict=state.verdict />
            })}
            <TextArea name=field id=field_id rows=3 label help value=state.text error draft
                max=match doing {
                    Doing::Reply | Doing::Edit => shared::rules::COMMENT_MAX,
                    _ => shared::deliberation::REASON_MAX,
                }
                required=move || match doing {
                    Doing::Flag => td_string!(i18n.get_locale(), field_flag_reason_required),
                    Doing::Hide | Doing::Restore => {
                        td_string!(i18n.get_locale(), field_moderation_reason_required)
                    }
                    _ => td_string!(i18n.get_locale(), field_required),
                } />
            <ErrorNotice error=general_error(error) />
            <SubmitButton busy=Signal::derive(move || state.busy.get())>{submit_label}</SubmitButton>
            " "
            <button type="button" class="secondary" on:click=cancel>{tr!(i18n, cancel)}</button>
        </form>
    }
}

/// Sends what the form says and shows the outcome.
fn run(state: Thread, id: i64, doing: Doing, locale: i18n::Locale) {
    let slug = state.slug.get_untracked();
    let (round, key) = (state.round.get_untracked(), state.key.get_untracked());
    let text = state.text.get_untracked();
    let verdict = state.verdict.get_untracked();
    state.busy.set(true);
    leptos::task::spawn_local(async move {
        let outcome: Result<Option<Comment>, ApiError> = match doing {
            Doing::Reply => {
                // A reply is taken to be in the reader's language.
                let reply = NewComment {
                    body: text,
                    parent_id: Some(id),
                    passage: None,
                    language: Some(i18n::language_of(locale)),
                };
                api::post_comment(&slug, &round, &key, &reply)
                    .await
                    .map(Some)
            }
            Doing::Edit => api::edit_comment(&slug, id, &CommentEdit { body: text })
                .await
                .map(Some),
            Doing::Flag => api::flag_comment(&slug, id, &Reason { reason: text })
                .await
                .map(|()| None),
            Doing::Hide | Doing::Restore => {
                let action = if doing == Doing::Hide {
                    ModerationAction::Hide
                } else {
                    ModerationAction::Restore
                };
                api::moderate_comment(
                    &slug,
                    id,
                    &Moderation {
                        action,
                        reason: text,
                    },
                )
                .await
                .map(Some)
            }
            Doing::Respond => api::respond_to_comment(
                &slug,
                id,
                &NewResponse {
                    verdict,
                    explanation: text,
                },
            )
            .await
            .map(Some),
        };
        state.busy.set(false);
        match outcome {
            Ok(comment) => {
                let mut focus = id;
                if let Some(comment) = comment {
                    if doing == Doing::Reply {
                        focus = comment.id;
                    }
                    state.show(comment);
                }
                doing.forget_draft(id);
                state.error.set(None);
                state.doing.set(None);
                state.status.set(match doing {
                    Doing::Reply => td_string!(locale, comment_posted).to_owned(),
                    Doing::Edit => td_string!(locale, comment_saved).to_owned(),
                    Doing::Flag => td_string!(locale, comment_flagged).to_owned(),
                    Doing::Hide => td_string!(locale, comment_hidden).to_owned(),
                    Doing::Restore => td_string!(locale, comment_restored).to_owned(),
                    Doing::Respond => td_string!(locale, response_saved).to_owned(),
                });
                focus_comment(focus);
            }
            Err(e) => state.error.set(Some(e)),
        }
    });
}

/// The words the reader has selected in the clause's text, if any, as a range of `words`.
fn selected_words(words: &[String]) -> Option<(usize, usize)> {
    let selection = window().get_selection().ok()??;
    if selection.is_collapsed() {
        return None;
    }
    let anchor = selection.anchor_node()?;
    let body = document().query_selector(".clause-body").ok()??;
    if !body.contains(Some(&anchor)) {
        return None;
    }
    let text = String::from(selection.to_string());
    let chosen: Vec<&str> = text.split_whitespace().collect();
    let words: Vec<&str> = words.iter().map(String::as_str).collect();
    locate_selection(&words, &chosen)
}

/// The form for a new comment, on the clause or on a passage of it.
#[component]
pub(super) fn NewCommentForm(clause: Signal<Option<Clause>>, state: Thread) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <WhenOpen
            open=Signal::derive(move || clause.get().map(|c| c.round.phase.accepts_comments()))
            invited=Signal::derive(move || clause.get().is_some_and(|c| c.open_to_reader()))
            closed=move || td_string!(i18n.get_locale(), comments_closed)
            sign_in=move || td_string!(i18n.get_locale(), sign_in_to_comment)
        >
            {lazily(move || comment_fields(clause, state))}
        </WhenOpen>
    }
}

#[leptos::lazy]
fn comment_fields(clause: Signal<Option<Clause>>, state: Thread) -> AnyView {
    view! { <CommentFields clause state /> }.into_any()
}

#[component]
fn CommentFields(clause: Signal<Option<Clause>>, state: Thread) -> impl IntoView {
    let i18n = use_i18n();
    let Thread {
        slug, round, key, ..
    } = state;
    let body = RwSignal::new(String::new());
    // The reader's language until they choose another (or none of the interface's).
    let chosen = RwSignal::new(None::<Option<Language>>);
    let language = Signal::derive(move || {
        chosen
            .get()
            .unwrap_or_else(|| Some(i18n::language_of(i18n.get_locale())))
    });
    let about_passage = RwSignal::new(false);
    // Passages are chosen in the original wording: a reader shown the conveners' translation is
    // told so and sent to the original, where the words they select count.
    let query = leptos_router::hooks::use_query_map();
    let path = leptos_router::hooks::use_location().pathname;
    let reading_translation = Memo::new(move |_| {
        let language = i18n::language_of(i18n.get_locale());
        query.read().get("original").is_none()
            && clause
                .get()
                .is_some_and(|c| c.translations.iter().any(|t| t.language == language))
    });
    let (from, to) = (RwSignal::new(0usize), RwSignal::new(0usize));
    let error = RwSignal::new(None::<ApiError>);
    let busy = RwSignal::new(false);
    let draft = Draft::new("comment");
    let field_draft = draft.clone();
    let words = Memo::new(move |_| clause.get().map(|c| c.words).unwrap_or_default());
    let passage = move || -> Option<Passage> {
        if !about_passage.get() {
            return None;
        }
        words.with(|w| {
            let w: Vec<&str> = w.iter().map(String::as_str).collect();
            passage_of(&w, from.get(), to.get())
        })
    };
    // Words selected with the mouse or by touch become the passage.
    let take_selection = move || {
        if let Some((first, last)) = words.with_untracked(|w| selected_words(w)) {
            from.set(first);
            to.set(last);
            about_passage.set(true);
        }
    };
    let mouse = window_event_listener(leptos::ev::mouseup, move |_| take_selection());
    let touch = window_event_listener(leptos::ev::touchend, move |_| take_selection());
    on_cleanup(move || {
        mouse.remove();
        touch.remove();
    });
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let comment = NewComment {
            body: body.get_untracked(),
            parent_id: None,
            passage: passage(),
            language: language.get_untracked(),
        };
        let (s, r, k) = (
            slug.get_untracked(),
            round.get_untracked(),
            key.get_untracked(),
        );
        let locale = i18n.get_locale_untracked();
        let draft = draft.clone();
        busy.set(true);
        leptos::task::spawn_local(async move {
            match api::post_comment(&s, &r, &k, &comment).await {
                Ok(created) => {
                    let id = created.id;
                    state.show(created);
                    draft.forget();
                    body.set(String::new());
                    about_passage.set(false);
                    error.set(None);
                    state
                        .status
                        .set(td_string!(locale, comment_posted).to_owned());
                    focus_comment(id);
                }
                Err(e) => error.set(Some(e)),
            }
            busy.set(false);
        });
    };
    let word_options = move |selected: RwSignal<usize>| {
        words
            .get()
            .into_iter()
            .enumerate()
            .map(|(i, word)| {
                view! {
                    <option value=i.to_string() selected=move || selected.get() == i>
                        {format!("{}. {word}", i + 1)}
                    </option>
                }
            })
            .collect_view()
    };
    let pick = move |target: RwSignal<usize>, other: RwSignal<usize>, later: bool| {
        move |ev: leptos::ev::Event| {
            if let Ok(i) = event_target_value(&ev).parse::<usize>() {
                target.set(i);
                // Keep the first word before the last.
                if (later && other.get_untracked() > i) || (!later && other.get_untracked() < i) {
                    other.set(i);
                }
            }
        }
    };
    view! {
            <form class="comment-form" id="comment-form" on:submit=submit novalidate>
                <fieldset class="passage-picker">
                    <legend>{tr!(i18n, passage_legend)}</legend>
                    <p class="check">
                        <input type="checkbox" id="about-passage" prop:checked=move || about_passage.get()
                            on:change=move |ev| about_passage.set(event_target_checked(&ev)) />
                        <label for="about-passage">{tr!(i18n, about_passage)}</label>
                    </p>
                    <p class="help">{tr!(i18n, passage_help)}</p>
                    {move || reading_translation.get().then(|| view! {
                        <p class="notice" id="passage-in-original">
                            {tr!(i18n, passage_in_original)}" "
                            <a href=move || format!("{}?original", path.get())>{tr!(i18n, read_original)}</a>
                        </p>
                    })}
                    {move || about_passage.get().then(|| view! {
                        <p>
                            <label for="passage-from">{tr!(i18n, passage_first_word)}</label>
                            <select id="passage-from" on:change=pick(from, to, false)>{word_options(from)}</select>
                        </p>
                        <p>
                            <label for="passage-to">{tr!(i18n, passage_last_word)}</label>
                            <select id="passage-to" on:change=pick(to, from, true)>{word_options(to)}</select>
                        </p>
                        <p id="passage-preview">{tr!(i18n, passage_preview)}" “"{move || passage().map(|p| p.exact)}"”"</p>
                        <FieldMessage error=Signal::derive(move || error.get()) field="passage" />
                    })}
                </fieldset>
                <TextArea name="body" rows=4 label=move || td_string!(i18n.get_locale(), your_comment)
                    help=move || td_string!(i18n.get_locale(), comment_help) value=body error draft=field_draft
                    max=shared::rules::COMMENT_MAX />
                <div class="field">
                    <label for="comment-language">{tr!(i18n, comment_language)}</label>
                    <select id="comment-language" on:change=move |ev| {
                        chosen.set(Some(Language::parse(&event_target_value(&ev))));
                    }>
                        {Language::ALL.into_iter().map(|l| view! {
                            <option value=l.as_str() lang=l.as_str()
                                selected=move || language.get() == Some(l)>
                                {i18n::language_name(l)}
                            </option>
                        }).collect_view()}
                        <option value="" selected=move || language.get().is_none()>
                            {tr!(i18n, another_language)}
                        </option>
                    </select>
                </div>
                <ErrorNotice error=general_error(error.into()) />
                <SubmitButton id="post-comment" busy=Signal::derive(move || busy.get())>
                    {move || if busy.get() { td_string!(i18n.get_locale(), posting) } else { td_string!(i18n.get_locale(), post_comment) }}
                </SubmitButton>
            </form>
    }
}
