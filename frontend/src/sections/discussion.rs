//! A clause's discussion: threads page by page, replies, comments on a passage (chosen with the
//! mouse, by touch, or from the keyboard with two word lists), editing one's own comment,
//! flags, and — for conveners — hiding, restoring and responding. New and changed comments
//! arrive live.

use super::comment_forms::{NewCommentForm, comment_actions};
use crate::api;
use crate::components::{ErrorNotice, Loading, ResponseNote};
use crate::drafts::Draft;
use crate::i18n::{self, tr, use_i18n};
use crate::pages::lazy::lazily_quietly;
use crate::use_session;
use leptos::prelude::*;
use shared::{ApiError, Clause, Comment, CommentVersion, Language, Verdict};
use std::collections::HashMap;
use wasm_bindgen::JsCast;

/// What the reader is doing to one comment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Doing {
    Reply,
    Edit,
    Flag,
    Hide,
    Restore,
    Respond,
}

/// The draft saying which comment's form is open (`reply-7`), so that it opens again.
pub(super) const OPEN_FORM: &str = "open-form";

impl Doing {
    const ALL: [Doing; 6] = [
        Doing::Reply,
        Doing::Edit,
        Doing::Flag,
        Doing::Hide,
        Doing::Restore,
        Doing::Respond,
    ];

    fn name(self) -> &'static str {
        match self {
            Doing::Reply => "reply",
            Doing::Edit => "edit",
            Doing::Flag => "flag",
            Doing::Hide => "hide",
            Doing::Restore => "restore",
            Doing::Respond => "respond",
        }
    }

    /// `reply-7`: doing this to comment `id`.
    pub(super) fn on(self, id: i64) -> String {
        format!("{}-{id}", self.name())
    }

    /// The draft of this form on comment `id`.
    pub(super) fn draft(self, id: i64) -> Draft {
        Draft::new(&self.on(id))
    }

    /// Forgets the form's draft on comment `id`, and that it was open: posted or cancelled.
    pub(super) fn forget_draft(self, id: i64) {
        self.draft(id).forget();
        Draft::new(OPEN_FORM).forget();
    }

    /// The form [`Doing::on`] named.
    fn parse(on: &str) -> Option<(i64, Doing)> {
        let (name, id) = on.rsplit_once('-')?;
        let doing = Doing::ALL.into_iter().find(|d| d.name() == name)?;
        Some((id.parse().ok()?, doing))
    }
}

/// The discussion's state, shared by every comment's view.
#[derive(Clone, Copy)]
pub(super) struct Thread {
    pub(super) slug: Signal<String>,
    pub(super) round: Signal<String>,
    pub(super) key: Signal<String>,
    pub(super) threads: RwSignal<Vec<Comment>>,
    pub(super) next_after: RwSignal<Option<i64>>,
    pub(super) counts: RwSignal<(i64, i64)>,
    /// The one form open, on which comment.
    pub(super) doing: RwSignal<Option<(i64, Doing)>>,
    pub(super) text: RwSignal<String>,
    pub(super) verdict: RwSignal<Verdict>,
    pub(super) error: RwSignal<Option<ApiError>>,
    pub(super) busy: RwSignal<bool>,
    /// Said to screen readers after an action.
    pub(super) status: RwSignal<String>,
    pub(super) versions: RwSignal<HashMap<i64, Vec<CommentVersion>>>,
    /// Whether the reader may write here now (signed in, invited, phase open).
    pub(super) may_write: Signal<bool>,
    pub(super) convenes: Signal<bool>,
    pub(super) me: Signal<Option<String>>,
}

impl Thread {
    /// Shows a comment the server sent (new or changed) where it belongs, counting it if new.
    pub(super) fn show(self, comment: Comment) {
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
pub(super) fn focus_comment(id: i64) {
    focus_element(format!("comment-{id}"));
}

/// Moves keyboard focus to the element whose id is `id` once it is drawn.
pub(crate) fn focus_element(id: String) {
    request_animation_frame(move || {
        if let Some(element) = document()
            .get_element_by_id(&id)
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
        // The form the reader had begun to fill before a reload or a sign-in.
        doing: RwSignal::new(
            Draft::new(OPEN_FORM)
                .kept()
                .and_then(|on| Doing::parse(&on))
                .filter(|(id, doing)| doing.draft(*id).kept().is_some()),
        ),
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
                let (total, answered) = (total.max(0).unsigned_abs(), answered.max(0).unsigned_abs());
                i18n::comments_answered(i18n.get_locale(), total, answered)
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
