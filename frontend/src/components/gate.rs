//! The rule shared by every participation form: shown only while the round's phase allows the
//! action and someone is signed in who may take part; otherwise a sentence saying why, or a way
//! to sign in.

use crate::i18n::{tr, use_i18n};
use crate::{account_href, use_session};
use leptos::prelude::*;

/// Renders `children` (a form) when `open`, someone is signed in and `invited`. It re-renders
/// only when one of those facts changes, so reloading the clause keeps focus and field messages.
#[component]
pub fn WhenOpen(
    /// Whether the round's phase allows the action; `None` while the clause loads.
    #[prop(into)]
    open: Signal<Option<bool>>,
    /// Whether the signed-in reader may take part (false in a consultation by invitation only
    /// that they were not invited to).
    #[prop(into)]
    invited: Signal<bool>,
    /// Said when the phase does not allow the action.
    #[prop(into)]
    closed: TextProp,
    /// The text of the sign-in link shown to readers who are signed out.
    #[prop(into)]
    sign_in: TextProp,
    children: ChildrenFn,
) -> impl IntoView {
    let open = Memo::new(move |_| open.get());
    let session = use_session();
    let signed_in = Memo::new(move |_| session.me.with(Option::is_some));
    let invited = Memo::new(move |_| invited.get());
    move || match (open.get()?, signed_in.get()) {
        (true, true) if !invited.get() => Some(
            view! { <p class="notice not-invited">{tr!(use_i18n(), by_invitation_only)}</p> }
                .into_any(),
        ),
        (false, _) => {
            let closed = closed.clone();
            Some(view! { <p class="notice">{move || closed.get()}</p> }.into_any())
        }
        // A session that ended under the reader's hands: what they typed is kept for them.
        (true, false) if session.ended.get() => Some(
            view! {
                <p class="notice error" role="alert">
                    {tr!(use_i18n(), session_ended_elsewhere)}" "
                    <a href=account_href("/signin")>{tr!(use_i18n(), sign_in_again)}</a>
                </p>
            }
            .into_any(),
        ),
        (true, false) => {
            let sign_in = sign_in.clone();
            Some(view! {
                <p class="notice"><a href=account_href("/signin")>{move || sign_in.get()}</a></p>
            }
            .into_any())
        }
        (true, true) => Some(children().into_any()),
    }
}
