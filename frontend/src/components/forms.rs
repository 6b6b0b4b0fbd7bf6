//! Form fields whose errors appear next to them and are tied to them for assistive technology.

use crate::i18n::{self, use_i18n};
use leptos::prelude::*;
use shared::ApiError;

/// The message for `field` from the last failed submission, if any; `id` is `{field}-error`.
#[component]
pub fn FieldMessage(
    /// The form's last error.
    #[prop(into)]
    error: Signal<Option<ApiError>>,
    /// The field's name in the request body.
    field: &'static str,
) -> impl IntoView {
    let i18n = use_i18n();
    move || {
        error.get().and_then(|e| {
            e.field(field).map(|f| {
                view! {
                    <p class="field-error" id=format!("{field}-error")>
                        {i18n::field_error_text(i18n.get_locale(), f)}
                    </p>
                }
            })
        })
    }
}

/// Whether the last error names `field` (for `aria-invalid`).
pub fn invalid(error: Signal<Option<ApiError>>, field: &'static str) -> impl Fn() -> &'static str {
    move || {
        if error.with(|e| e.as_ref().is_some_and(|e| e.field(field).is_some())) {
            "true"
        } else {
            "false"
        }
    }
}

/// A labelled single-line input with help text and its error message.
#[component]
pub fn TextField(
    /// The field's name in the request body; also its element id.
    name: &'static str,
    /// Its label.
    #[prop(into)]
    label: TextProp,
    /// Help shown under it.
    #[prop(into)]
    help: TextProp,
    /// `text` or `password`.
    #[prop(default = "text")]
    kind: &'static str,
    /// `autocomplete` hint.
    autocomplete: &'static str,
    /// The value, two-way.
    value: RwSignal<String>,
    /// The form's last error.
    #[prop(into)]
    error: Signal<Option<ApiError>>,
) -> impl IntoView {
    view! {
        <div class="field">
            <label for=name>{move || label.get()}</label>
            <input
                id=name
                name=name
                type=kind
                autocomplete=autocomplete
                required
                aria-describedby=format!("{name}-help {name}-error")
                aria-invalid=invalid(error, name)
                bind:value=value
            />
            <p class="help" id=format!("{name}-help")>{move || help.get()}</p>
            <FieldMessage error field=name />
        </div>
    }
}

/// A labelled multi-line text field with help text and its error message.
#[component]
pub fn TextArea(
    /// The field's name in the request body; also its element id.
    name: &'static str,
    /// Its label.
    #[prop(into)]
    label: TextProp,
    /// Help shown under it.
    #[prop(into)]
    help: TextProp,
    /// Visible lines.
    #[prop(default = 3)]
    rows: u32,
    /// The value, two-way.
    value: RwSignal<String>,
    /// The form's last error.
    #[prop(into)]
    error: Signal<Option<ApiError>>,
) -> impl IntoView {
    view! {
        <div class="field">
            <label for=name>{move || label.get()}</label>
            <textarea
                id=name
                name=name
                rows=rows
                aria-describedby=format!("{name}-help {name}-error")
                aria-invalid=invalid(error, name)
                prop:value=move || value.get()
                on:input=move |ev| value.set(event_target_value(&ev))
            ></textarea>
            <p class="help" id=format!("{name}-help")>{move || help.get()}</p>
            <FieldMessage error field=name />
        </div>
    }
}

/// The part of a form's last error that names no field (shown above the submit button).
pub fn general_error(error: Signal<Option<ApiError>>) -> Signal<Option<ApiError>> {
    Signal::derive(move || error.get().filter(|e| e.fields.is_empty()))
}
