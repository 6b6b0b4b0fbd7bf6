//! The page for addresses the router does not know.

use crate::i18n::{Key, t};
use leptos::prelude::*;
use leptos_router::components::A;

/// "Page not found", with a way back.
#[component]
pub fn NotFound() -> impl IntoView {
    view! {
        <h1>{t(Key::NotFoundTitle)}</h1>
        <p>{t(Key::NotFoundText)}</p>
        <p><A href="/">{t(Key::BackHome)}</A></p>
    }
}
