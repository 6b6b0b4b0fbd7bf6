//! Loading states and error notices.

use crate::i18n::{self, tr, use_i18n};
use leptos::prelude::*;
use shared::ApiError;

/// A polite "Loading…" announced to screen readers.
#[component]
pub fn Loading() -> impl IntoView {
    let i18n = use_i18n();
    view! { <p class="loading" role="status">{tr!(i18n, loading)}</p> }
}

/// An error explained in the current language, announced when it appears.
#[component]
pub fn ErrorNotice(
    /// The error to explain.
    #[prop(into)]
    error: Signal<Option<ApiError>>,
) -> impl IntoView {
    let i18n = use_i18n();
    // `try_get`: see `components::forms`.
    move || {
        error.try_get().flatten().map(|e| {
            view! { <p class="notice error" role="alert">{i18n::error_text(i18n.get_locale(), &e)}</p> }
        })
    }
}

/// The fallback of an `ErrorBoundary`: what went wrong, in the current language.
pub fn errors_fallback(errors: ArcRwSignal<leptos::error::Errors>) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <div class="notice error" role="alert">
            <h2>{tr!(i18n, something_went_wrong)}</h2>
            <ul>
                {move || {
                    errors
                        .get()
                        .into_iter()
                        .map(|(_, e)| {
                            let message = match e.downcast_ref::<ApiError>() {
                                Some(api) => i18n::error_text(i18n.get_locale(), api),
                                None => e.to_string(),
                            };
                            view! { <li>{message}</li> }
                        })
                        .collect_view()
                }}
            </ul>
            <p><a href="/">{tr!(i18n, back_home)}</a></p>
        </div>
    }
}
