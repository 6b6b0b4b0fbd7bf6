//! The rule shared by every participation form: shown only while the round's phase allows the
//! action and someone is signed in; otherwise a sentence saying why, or a way to sign in.

use crate::account_href;
use leptos::prelude::*;

/// Renders `children` (a form) when `open` and `signed_in` are both true. It re-renders only when
/// one of those two facts changes, so reloading the clause keeps focus and field messages.
#[component]
pub fn WhenOpen(
    /// Whether the round's phase allows the action; `None` while the clause loads.
    #[prop(into)]
    open: Signal<Option<bool>>,
    /// Whether someone is signed in.
    #[prop(into)]
    signed_in: Signal<bool>,
    /// Said when the phase does not allow the action.
    #[prop(into)]
    closed: TextProp,
    /// The text of the sign-in link shown to readers who are signed out.
    #[prop(into)]
    sign_in: TextProp,
    children: ChildrenFn,
) -> impl IntoView {
    let open = Memo::new(move |_| open.get());
    let signed_in = Memo::new(move |_| signed_in.get());
    move || match (open.get()?, signed_in.get()) {
        (false, _) => {
            let closed = closed.clone();
            Some(view! { <p class="notice">{move || closed.get()}</p> }.into_any())
        }
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
