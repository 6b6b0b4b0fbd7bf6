//! The page for addresses the router does not know.

use crate::i18n::{tr, use_i18n};
use leptos::prelude::*;
use leptos_router::components::A;

/// "Page not found", with a way back.
#[component]
pub fn NotFound() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <h1>{tr!(i18n, not_found_title)}</h1>
        <p>{tr!(i18n, not_found_text)}</p>
        <p><A href="/">{tr!(i18n, back_home)}</A></p>
    }
}
