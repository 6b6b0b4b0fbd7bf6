//! A clause's discussion: threads page by page, replies, comments on a passage (chosen with the
//! mouse, by touch, or from the keyboard with two word lists), editing one's own comment,
//! flags, and — for conveners — hiding, restoring and responding. New and changed comments
//! arrive live.

use super::lazy::{lazily, lazily_quietly};
use crate::api;
use crate::components::{
    ErrorNotice, FieldMessage, Loading, ResponseNote, SubmitButton, TextArea, VerdictSelect,
    WhenOpen, confirmed, general_error,
};
use crate::i18n::{self, tr, use_i18n};
use crate::use_session;
use leptos::prelude::*;
use leptos_i18n::td_string;
use shared::{
    ApiError, Clause, Comment, CommentEdit, CommentVersion, Language, Moderation, ModerationAction,
    NewComment, NewResponse, Passage, Reason, Verdict, locate_selection, passage_of,
};
use std::collections::HashMap;
use wasm_bindgen::JsCast;

/// What the reader is doing to one comment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Doing {
    Reply,
    Edit,
    Flag,
    Hide,
    Restore,
    Respond,
}

/// The discussion's state, shared by every comment's view.
#[derive(Clone, Copy)]
struct Thread {
    slug: Signal<String>,
    round: Signal<String>,
    key: Signal<String>,
    threads: RwSignal<Vec<Comment>>,
    next_after: RwSignal<Option<i64>>,
    counts: RwSignal<(i64, i64)>,
    /// The one form open, on which comment.
    doing: RwSignal<Option<(i64, Doing)>>,
    text: RwSignal<String>,
    verdict: RwSignal<Verdict>,
    error: RwSignal<Option<ApiError>>,
    busy: RwSignal<bool>,
    /// Said to screen readers after an action.
    status: RwSignal<String>,
    versions: RwSignal<HashMap<i64, Vec<CommentVersion>>>,
    /// Whether the reader may write here now (signed in, invited, phase open).
    may_write: Signal<bool>,
    convenes: Signal<bool>,
    me: Signal<Option<String>>,
}

impl Thread {
    /// Shows a comment the server sent (new or changed) where it belongs, counting it if new.
    fn show(self, comment: Comment) {
        let all_shown = self.next_after.get_untracked().is_none();
        let mut new = false;
        self.threads.update(|t| new = upsert(t, comment, all_shown));
        if new {
            self.counts.update(|(total, _)| *total += 1);
        }
    }
}

/// Puts `comment` where it belongs: in place of itself, under its parent, or at the end of
/// the threads (when every page is shown). Whether it was new.
fn upsert(threads: &mut Vec<Comment>, comment: Comment, all_shown: bool) -> bool {
    fn replace(list: &mut [Comment], comment: &Comment) -> bool {
        for c in list.iter_mut() {
            if c.id == comment.id {
                let replies = std::mem::take(&mut c.replies);
                *c = Comment {
                    replies,
                    ..comment.clone()
                };
                return true;
            }
            if replace(&mut c.replies, comment) {
                return true;
            }
        }
        false
    }
    fn under(list: &mut [Comment], parent: i64, comment: &Comment) -> bool {
        for c in list.iter_mut() {
            if c.id == parent {
                c.replies.push(comment.clone());
                return true;
            }
            if under(&mut c.replies, parent, comment) {
                return true;
            }
        }
        false
    }
    if replace(threads, &comment) {
        return false;
    }
    match comment.parent_id {
        Some(parent) => under(threads, parent, &comment),
        None if all_shown => {
            threads.push(comment);
            true
        }
        None => true,
    }
}

/// A fingerprint of a thread, so that only threads that changed are drawn again.
fn fingerprint(comment: &Comment) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    comment.hash(&mut hasher);
    hasher.finish()
}

/// Moves keyboard focus to the comment `id` once it is drawn.
fn focus_comment(id: i64) {
    request_animation_frame(move || {
        if let Some(element) = document()
            .get_element_by_id(&format!("comment-{id}"))
            .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok())
        {
            let _ = element.focus();
        }
    });
}

/// The discussion of the clause `key` of round `round` of consultation `slug`.
#[component]
pub fn Discussion(
    clause: Signal<Option<Clause>>,
    slug: Signal<String>,
    round: Signal<String>,
    key: Signal<String>,
) -> impl IntoView {
    let i18n = use_i18n();
    let session = use_session();
    let me = Signal::derive(move || session.me.get().map(|m| m.handle));
    let convenes = Signal::derive(move || {
        let slug = slug.get();
        session
            .me
            .get()
            .is_some_and(|m| m.two_factor && (m.admin || m.convenes.contains(&slug)))
    });
    let may_write = Signal::derive(move || {
        session.me.get().is_some()
            && clause
                .get()
                .is_some_and(|c| c.round.phase.accepts_comments() && c.open_to_reader())
    });
    let state = Thread {
        slug,
        round,
        key,
        threads: RwSignal::new(Vec::new()),
        next_after: RwSignal::new(None),
        counts: RwSignal::new((0, 0)),
        doing: RwSignal::new(None),
        text: RwSignal::new(String::new()),
        verdict: RwSignal::new(Verdict::Noted),
        error: RwSignal::new(None),
        busy: RwSignal::new(false),
        status: RwSignal::new(String::new()),
        versions: RwSignal::new(HashMap::new()),
        may_write,
        convenes,
        me,
    };
    let first = LocalResource::new(move || {
        let (s, r, k) = (slug.get(), round.get(), key.get());
        async move { api::list_comments(&s, &r, &k, None).await }
    });
    Effect::new(move |_| {
        if let Some(Ok(page)) = first.get() {
            state.threads.set(page.threads);
            state.next_after.set(page.next_after);
            state.counts.set((page.total, page.answered));
        }
    });
    let more_loading = RwSignal::new(false);
    let more_error = RwSignal::new(None::<ApiError>);
    let load_more = move |_| {
        let Some(after) = state.next_after.get_untracked() else {
            return;
        };
        more_loading.set(true);
        let (s, r, k) = (
            slug.get_untracked(),
            round.get_untracked(),
            key.get_untracked(),
        );
        leptos::task::spawn_local(async move {
            match api::list_comments(&s, &r, &k, Some(after)).await {
                Ok(page) => {
                    let first_new = page.threads.first().map(|c| c.id);
                    state.threads.update(|t| t.extend(page.threads));
                    state.next_after.set(page.next_after);
                    state.counts.set((page.total, page.answered));
                    more_error.set(None);
                    if let Some(id) = first_new {
                        focus_comment(id);
                    }
                }
                Err(e) => more_error.set(Some(e)),
            }
            more_loading.set(false);
        });
    };
    follow_live(state, slug, round, key);

    view! {
        <p class="comment-counts" id="comment-counts">
            {move || {
                let (total, answered) = state.counts.get();
                td_string!(i18n.get_locale(), comments_answered, total = total, answered = answered)
            }}
        </p>
        <p role="status" class="status" id="discussion-status">{move || state.status.get()}</p>
        <Transition fallback=Loading>
            {move || first.get().map(|loaded| match loaded {
                Err(e) => view! { <ErrorNotice error=Signal::derive(move || Some(e.clone())) /> }.into_any(),
                Ok(_) => view! { <ThreadList state /> }.into_any(),
            })}
        </Transition>
        {move || state.next_after.get().map(|_| view! {
            <p>
                <button type="button" id="more-comments" on:click=load_more disabled=move || more_loading.get()>
                    {tr!(i18n, more_comments)}
                </button>
            </p>
        })}
        <ErrorNotice error=more_error />
        <NewCommentForm clause state />
    }
}

/// Listens for the clause's new and changed comments while the page is open.
fn follow_live(state: Thread, slug: Signal<String>, round: Signal<String>, key: Signal<String>) {
    api::follow_comments(
        &slug.get_untracked(),
        &round.get_untracked(),
        &key.get_untracked(),
        move |comment| state.show(comment),
    );
}

/// The threads, each drawn again only when it changes.
#[component]
fn ThreadList(state: Thread) -> impl IntoView {
    let i18n = use_i18n();
    // Only a change between none and some draws the list again; otherwise <For> updates it.
    let empty = Memo::new(move |_| state.threads.with(Vec::is_empty));
    move || {
        if empty.get() {
            return view! { <p class="empty">{tr!(i18n, no_comments)}</p> }.into_any();
        }
        view! {
            <ol class="comment-list" id="comments">
                <For
                    each=move || state.threads.get()
                    key=|c| (c.id, fingerprint(c))
                    children=move |c| view! { <li><CommentView comment=c state /></li> }
                />
            </ol>
        }
        .into_any()
    }
}

/// One comment with its actions and its replies.
#[component]
fn CommentView(comment: Comment, state: Thread) -> AnyView {
    let i18n = use_i18n();
    let id = comment.id;
    let when = comment.created_at_ms;
    let hidden = comment.hidden.clone();
    let edited = comment.edited_at_ms;
    let replies = comment.replies.clone();
    // What a signed-in reader may do with the comment: fetched as a piece of its own when
    // someone is signed in, so a reader who is not never downloads it.
    let actions = {
        let (author, body) = (comment.author.clone(), comment.body.clone());
        let is_hidden = hidden.is_some();
        let signed_in = Memo::new(move |_| state.me.with(Option::is_some));
        move || {
            signed_in.get().then(|| {
                let (author, body) = (author.clone(), body.clone());
                lazily_quietly(move || comment_actions(id, is_hidden, author, edited, body, state))
            })
        }
    };
    view! {
        <article class="comment" id=format!("comment-{id}") tabindex="-1"
            aria-labelledby=format!("comment-{id}-meta")>
            <p class="meta" id=format!("comment-{id}-meta")>
                <strong class="author">
                    {match comment.author {
                        Some(handle) => handle.into_any(),
                        None => tr!(i18n, former_participant).into_any(),
                    }}
                </strong>
                {comment.organisation.map(|o| view! { " ("<span class="organisation">{o}</span>")" })}
                " · "
                <time>{move || i18n::format_date(i18n.get_locale(), when)}</time>
                {edited.map(|_| view! { " · "<span class="edited">{tr!(i18n, edited)}</span> })}
                // Named when it is not the reader's language.
                {move || comment.language
                    .filter(|&l| l != i18n::language_of(i18n.get_locale()))
                    .map(|l| view! {
                        " · "<span class="comment-language" lang=l.as_str()>{i18n::language_name(l)}</span>
                    })}
            </p>
            {comment.passage.map(|p| view! {
                <blockquote class="passage">
                    <span class="visually-hidden">{tr!(i18n, on_passage)}" "</span>
                    "“"{p.exact}"”"
                </blockquote>
            })}
            {match hidden {
                Some(reason) => view! {
                    <p class="hidden-comment">{tr!(i18n, hidden_by_conveners)}" "{reason}</p>
                }.into_any(),
                // Rendered from Markdown and cleaned by the server (see backend/src/markdown.rs).
                None => view! {
                    <div class="comment-body" dir="auto" lang=comment.language.map(Language::as_str)
                        inner_html=comment.body_html></div>
                }.into_any(),
            }}
            {comment.response.map(|response| view! { <ResponseNote response /> })}
            {actions}
        </article>
        {(!replies.is_empty()).then(|| view! {
            <ol class="replies">
                {replies.into_iter().map(|c| view! { <li><CommentView comment=c state /></li> }).collect_view()}
            </ol>
        })}
    }
    .into_any()
}

/// The buttons a signed-in reader has on a comment (reply, edit, flag; hide, restore, respond
/// and earlier versions for conveners), the earlier versions once asked for, and the open form.
#[leptos::lazy]
fn comment_actions(
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
    let error = Signal::derive(move || state.error.get());
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
            <TextArea name=field id=field_id rows=3 label help value=state.text error />
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
fn NewCommentForm(clause: Signal<Option<Clause>>, state: Thread) -> impl IntoView {
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
    let (from, to) = (RwSignal::new(0usize), RwSignal::new(0usize));
    let error = RwSignal::new(None::<ApiError>);
    let busy = RwSignal::new(false);
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
        busy.set(true);
        leptos::task::spawn_local(async move {
            match api::post_comment(&s, &r, &k, &comment).await {
                Ok(created) => {
                    let id = created.id;
                    state.show(created);
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
                    help=move || td_string!(i18n.get_locale(), comment_help) value=body error />
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
