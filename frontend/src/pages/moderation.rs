//! Moderation: the conveners' queue of flagged comments (on the convening page) and the public
//! log of everything hidden or restored, with the reasons.

use super::param;
use crate::api;
use crate::components::{
    ErrorNotice, Loading, TextField, confirmed, errors_fallback, general_error,
};
use crate::i18n::{self, tr, use_i18n};
use leptos::prelude::*;
use leptos_i18n::td_string;
use leptos_router::components::A;
use shared::{ApiError, FlaggedComment, Moderation, ModerationAction, ModerationEntry};

/// The conveners' queue: comments flagged since they last acted on them.
#[component]
pub fn ModerationPanel() -> impl IntoView {
    let i18n = use_i18n();
    let slug = param("slug");
    let act = Action::new_local(move |(id, moderation): &(i64, Moderation)| {
        let (id, moderation) = (*id, moderation.clone());
        async move { api::moderate_comment(&slug(), id, &moderation).await }
    });
    let queue = LocalResource::new(move || {
        act.version().get();
        let slug = slug();
        async move { api::moderation_queue(&slug).await }
    });
    view! {
        <section aria-labelledby="moderation-heading" id="moderation-queue">
            <h2 id="moderation-heading">{tr!(i18n, moderation_queue)}</h2>
            <p><A href=move || format!("/c/{}/moderation", slug())>{tr!(i18n, moderation_log)}</A></p>
            <Transition fallback=Loading>
                <ErrorBoundary fallback=errors_fallback>
                    {move || Suspend::new(async move {
                        queue.await.map(|flagged| {
                            if flagged.is_empty() {
                                return view! { <p class="empty">{tr!(i18n, moderation_queue_empty)}</p> }.into_any();
                            }
                            view! {
                                <ol class="flagged">
                                    {flagged.into_iter().map(|f| view! { <li><Flagged f act /></li> }).collect_view()}
                                </ol>
                            }.into_any()
                        })
                    })}
                </ErrorBoundary>
            </Transition>
        </section>
    }
}

/// One flagged comment, with what the conveners may do about it.
#[component]
fn Flagged(
    f: FlaggedComment,
    act: Action<(i64, Moderation), Result<shared::Comment, ApiError>>,
) -> impl IntoView {
    let i18n = use_i18n();
    let slug = param("slug");
    let id = f.comment.id;
    let reason = RwSignal::new(String::new());
    let error = Signal::derive(move || {
        act.value()
            .get()
            .and_then(Result::err)
            .filter(|_| act.input().get().is_none_or(|(on, _)| on == id))
    });
    let send = move |action: ModerationAction| {
        move |_| {
            if action == ModerationAction::Hide
                && !confirmed(td_string!(i18n.get_locale(), confirm_hide))
            {
                return;
            }
            act.dispatch((
                id,
                Moderation {
                    action,
                    reason: reason.get_untracked(),
                },
            ));
        }
    };
    let href = format!("/c/{}/{}/{}#comment-{id}", slug(), f.round, f.clause);
    view! {
        <article class="flagged-comment" id=format!("flagged-{id}")>
            <p class="meta">
                <strong>{f.comment.author.unwrap_or_default()}</strong>" · "
                <A href=href>{f.round}" / "{f.clause}</A>
            </p>
            <blockquote><pre class="version-body">{f.comment.body}</pre></blockquote>
            <h3 class="flags-heading">{tr!(i18n, flags)}</h3>
            <ul class="flag-reasons">
                {f.reasons.into_iter().map(|r| view! { <li>{r}</li> }).collect_view()}
            </ul>
            <TextField name="reason" id=format!("reason-{id}") label=move || td_string!(i18n.get_locale(), hide_reason)
                help=move || td_string!(i18n.get_locale(), moderation_help) autocomplete="off" value=reason error />
            <ErrorNotice error=general_error(error) />
            <button type="button" on:click=send(ModerationAction::Hide)>{tr!(i18n, hide)}</button>
            " "
            <button type="button" class="secondary" on:click=send(ModerationAction::Restore)>{tr!(i18n, keep)}</button>
        </article>
    }
}

/// The public moderation log of a consultation.
#[component]
pub fn ModerationLogPage() -> impl IntoView {
    let i18n = use_i18n();
    let slug = param("slug");
    let log = LocalResource::new(move || {
        let slug = slug();
        async move { api::moderation_log(&slug).await }
    });
    view! {
        <nav class="breadcrumbs" aria-label=move || td_string!(i18n.get_locale(), breadcrumb)>
            <A href="/">{tr!(i18n, consultations)}</A>" › "
            <A href=move || format!("/c/{}", slug())>{slug}</A>
        </nav>
        <h1>{tr!(i18n, moderation_log)}</h1>
        <Transition fallback=Loading>
            <ErrorBoundary fallback=errors_fallback>
                {move || Suspend::new(async move {
                    log.await.map(|entries| view! { <LogTable entries /> })
                })}
            </ErrorBoundary>
        </Transition>
    }
}

#[component]
fn LogTable(entries: Vec<ModerationEntry>) -> impl IntoView {
    let i18n = use_i18n();
    let slug = param("slug");
    if entries.is_empty() {
        return view! { <p class="empty">{tr!(i18n, moderation_log_empty)}</p> }.into_any();
    }
    view! {
        <div class="table-scroll"><table id="moderation-log">
            <thead>
                <tr>
                    <th scope="col">{tr!(i18n, date)}</th>
                    <th scope="col">{tr!(i18n, clause)}</th>
                    <th scope="col">{tr!(i18n, actions)}</th>
                    <th scope="col">{tr!(i18n, reason)}</th>
                </tr>
            </thead>
            <tbody>
                {entries.into_iter().map(|e| {
                    let href = format!("/c/{}/{}/{}#comment-{}", slug(), e.round, e.clause, e.comment_id);
                    view! {
                        <tr>
                            <td>{move || i18n::format_date(i18n.get_locale(), e.at_ms)}</td>
                            <td><A href=href>{e.round}" / "{e.clause}</A></td>
                            <td>{move || match e.action {
                                ModerationAction::Hide => td_string!(i18n.get_locale(), moderation_hide),
                                ModerationAction::Restore => td_string!(i18n.get_locale(), moderation_restore),
                            }}</td>
                            <td>{e.reason}</td>
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </table></div>
    }
    .into_any()
}
