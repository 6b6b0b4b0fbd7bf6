//! The conveners' official response to a comment or a proposal: how it reads, and the chooser
//! of its verdict.

use crate::i18n::{self, tr, use_i18n};
use leptos::prelude::*;
use leptos_i18n::td_string;
use shared::{Response, Verdict};

/// A response, standing out from the thread.
#[component]
pub fn ResponseNote(
    response: Response,
    /// The element id, when the page needs one.
    #[prop(optional, into)]
    id: Option<String>,
) -> impl IntoView {
    let i18n = use_i18n();
    let verdict = response.verdict;
    view! {
        <aside class="response" id=id aria-label=move || td_string!(i18n.get_locale(), conveners_response)>
            <p><strong>{tr!(i18n, conveners_response)}": "
                {move || i18n::verdict_name(i18n.get_locale(), verdict)}</strong></p>
            <p>{response.explanation}</p>
        </aside>
    }
}

/// A labelled chooser of a response's verdict, bound to `verdict`.
#[component]
pub fn VerdictSelect(
    /// The select's element id.
    #[prop(into)]
    id: String,
    verdict: RwSignal<Verdict>,
) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <label for=id.clone()>{tr!(i18n, verdict)}</label>
        <select id=id on:change=move |ev| {
            if let Some(v) = Verdict::parse(&event_target_value(&ev)) {
                verdict.set(v);
            }
        }>
            {Verdict::ALL.into_iter().map(|v| view! {
                <option value=v.as_str() selected=move || verdict.get() == v>
                    {move || i18n::verdict_name(i18n.get_locale(), v)}
                </option>
            }).collect_view()}
        </select>
    }
}
