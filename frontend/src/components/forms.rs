//! Form fields whose errors appear next to them and are tied to them for assistive technology.
//!
//! The error a field shows is read with `try_get`: a form closed by its own success (a reply
//! posted) may be told of the error's change once more as it goes, after the signals it read
//! are gone. Reading one of those with `get` stops the whole page (issue 18).

use crate::drafts::Draft;
use crate::i18n::{self, tr, use_i18n};
use leptos::prelude::*;
use leptos_i18n::td_string;
use shared::{ApiError, StakeholderGroup};

/// The message for `field` from the last failed submission, if any; its element id is
/// `{id}-error` (`id` defaults to the field's name).
#[component]
pub fn FieldMessage(
    /// The form's last error.
    #[prop(into)]
    error: Signal<Option<ApiError>>,
    /// The field's name in the request body.
    field: &'static str,
    /// The control's element id, when it differs from `field`.
    #[prop(optional, into)]
    id: Option<String>,
    /// What to say when the field was left blank, when the form knows better than the field's
    /// name (a flag's reason and a position's reason are both `reason`).
    #[prop(default = None)]
    required: Option<TextProp>,
    /// The field's limit in characters, named when it is passed (0: none stated).
    #[prop(optional)]
    max: usize,
) -> impl IntoView {
    let i18n = use_i18n();
    let id = id.unwrap_or_else(|| field.to_owned());
    move || {
        error.try_get().flatten().and_then(|e| {
            e.field(field).map(|f| {
                let locale = i18n.get_locale();
                let text = match (&required, f.code.as_str()) {
                    (Some(required), "required") => required.get().to_string(),
                    (_, "too_long") if max > 0 => {
                        let max = i18n::number(locale, max);
                        td_string!(locale, field_too_long_max, max = max).to_string()
                    }
                    _ => i18n::field_error_text(locale, f),
                };
                view! { <p class="field-error" id=format!("{id}-error")>{text}</p> }
            })
        })
    }
}

/// Whether the last error names `field` (for `aria-invalid`).
pub fn invalid(error: Signal<Option<ApiError>>, field: &'static str) -> impl Fn() -> &'static str {
    move || {
        if error
            .try_with(|e| e.as_ref().is_some_and(|e| e.field(field).is_some()))
            .unwrap_or(false)
        {
            "true"
        } else {
            "false"
        }
    }
}

/// Label, help text and error message around one control whose element id is `id`.
#[component]
fn FieldFrame(
    id: String,
    field: &'static str,
    label: TextProp,
    help: TextProp,
    error: Signal<Option<ApiError>>,
    /// What to say when it was left blank (see [`FieldMessage`]).
    required: Option<TextProp>,
    /// Its limit in characters (0: none stated).
    #[prop(optional)]
    max: usize,
    children: Children,
) -> impl IntoView {
    view! {
        <div class="field">
            <label for=id.clone()>{move || label.get()}</label>
            {children()}
            <p class="help" id=format!("{id}-help")>{move || help.get()}</p>
            <FieldMessage error field id=id.clone() required max />
        </div>
    }
}

/// "1,234 of 5,000 characters" under a field with a limit, saying how many too many once
/// over it.
#[component]
fn Counter(id: String, value: RwSignal<String>, max: usize) -> impl IntoView {
    let i18n = use_i18n();
    let count = Memo::new(move |_| value.with(|v| v.trim().chars().count()));
    let over = move || count.get() > max;
    view! {
        <p class="counter" class:over=over id=id>
            {move || {
                let locale = i18n.get_locale();
                let n = count.get();
                let (shown, limit) = (i18n::number(locale, n), i18n::number(locale, max));
                if n > max {
                    let extra = i18n::number(locale, n - max);
                    td_string!(locale, character_count_over, count = shown, max = limit, over = extra)
                        .to_string()
                } else {
                    td_string!(locale, character_count, count = shown, max = limit).to_string()
                }
            }}
        </p>
    }
}

/// A labelled single-line input with help text and its error message.
#[component]
pub fn TextField(
    /// The field's name in the request body; also its element id unless `id` is given.
    name: &'static str,
    /// The element id, when two forms on a page share a field name.
    #[prop(optional, into)]
    id: Option<String>,
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
    /// Where what the reader types is kept until posted or discarded (see [`TextArea`]).
    #[prop(optional)]
    draft: Option<Draft>,
) -> impl IntoView {
    let id = id.unwrap_or_else(|| name.to_owned());
    let draft = draft.map(|d| d.restore(value));
    view! {
        <FieldFrame id=id.clone() field=name label help error required=None>
            <input
                id=id.clone()
                name=name
                type=kind
                data-draft=draft
                autocomplete=autocomplete
                required
                aria-describedby=format!("{id}-help {id}-error")
                aria-invalid=invalid(error, name)
                bind:value=value
            />
        </FieldFrame>
    }
}

/// A labelled multi-line text field with help text and its error message.
#[component]
pub fn TextArea(
    /// The field's name in the request body; also its element id unless `id` is given.
    name: &'static str,
    /// The element id, when several forms on a page share a field name.
    #[prop(optional, into)]
    id: Option<String>,
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
    /// Where what the reader types is kept until posted or discarded: the field starts from
    /// it.
    #[prop(optional)]
    draft: Option<Draft>,
    /// What to say when it was left blank (see [`FieldMessage`]).
    #[prop(optional, into)]
    required: Option<TextProp>,
    /// Its limit in characters, as the server checks it: counted under the field as the reader
    /// types, and named if passed (0: none).
    #[prop(optional)]
    max: usize,
) -> impl IntoView {
    let id = id.unwrap_or_else(|| name.to_owned());
    let draft = draft.map(|d| d.restore(value));
    let counter = format!("{id}-count");
    let described = if max > 0 {
        format!("{id}-help {counter} {id}-error")
    } else {
        format!("{id}-help {id}-error")
    };
    view! {
        <FieldFrame id=id.clone() field=name label help error required max>
            <textarea
                id=id.clone()
                name=name
                rows=rows
                data-draft=draft
                aria-describedby=described
                aria-invalid=invalid(error, name)
                prop:value=move || value.get()
                on:input=move |ev| value.set(event_target_value(&ev))
            ></textarea>
            {(max > 0).then(|| view! { <Counter id=counter value max /> })}
        </FieldFrame>
    }
}

/// The part of a form's last error that names no field (shown above the submit button).
pub fn general_error(error: Signal<Option<ApiError>>) -> Signal<Option<ApiError>> {
    Signal::derive(move || error.try_get().flatten().filter(|e| e.fields.is_empty()))
}

/// A form's submit button that stays focusable while the form is busy — a disabled button
/// drops the keyboard's focus to the page — and ignores presses (clicks, Enter, Space, the
/// Enter of a text field) until the form is done.
#[component]
pub fn SubmitButton(
    /// While true the button says so (`aria-disabled`) and submits nothing.
    #[prop(into)]
    busy: Signal<bool>,
    #[prop(optional)] id: &'static str,
    #[prop(optional)] class: &'static str,
    children: Children,
) -> impl IntoView {
    view! {
        <button type="submit" id=(!id.is_empty()).then_some(id) class=(!class.is_empty()).then_some(class)
            // `try_get`: see the module's note.
            aria-disabled=move || busy.try_get().unwrap_or(false).to_string()
            on:click=move |ev| {
                if busy.try_get_untracked().unwrap_or(false) {
                    ev.prevent_default();
                }
            }>
            {children()}
        </button>
    }
}

/// A stakeholder group chooser bound to `group`.
#[component]
pub fn GroupSelect(
    group: RwSignal<StakeholderGroup>,
    /// The groups offered; all six when left out.
    #[prop(optional)]
    groups: Option<Vec<StakeholderGroup>>,
) -> impl IntoView {
    let i18n = use_i18n();
    let groups = groups.unwrap_or_else(|| StakeholderGroup::ALL.to_vec());
    if !groups.contains(&group.get_untracked())
        && let Some(first) = groups.first()
    {
        group.set(*first);
    }
    view! {
        <div class="field">
            <label for="stakeholder_group">{tr!(i18n, stakeholder_group)}</label>
            <select id="stakeholder_group" name="stakeholder_group" on:change=move |ev| {
                if let Some(g) = StakeholderGroup::parse(&event_target_value(&ev)) {
                    group.set(g);
                }
            }>
                {groups.into_iter().map(|g| view! {
                    <option value=g.as_str() selected=move || group.get() == g>
                        {move || i18n::group_name(i18n.get_locale(), g)}
                    </option>
                }).collect_view()}
            </select>
        </div>
    }
}

/// Every broken field of the form's last error, each as a sentence: for forms whose fields are
/// lists (`regions[3]`, `clauses[2].key`) that no single control stands for.
#[component]
pub fn FieldErrors(
    /// The form's last error.
    #[prop(into)]
    error: Signal<Option<ApiError>>,
) -> impl IntoView {
    let i18n = use_i18n();
    move || {
        error.try_get().flatten().filter(|e| !e.fields.is_empty()).map(|e| {
            view! {
                <div class="notice error" role="alert" id="field-errors">
                    <p>{tr!(i18n, fix_fields)}</p>
                    <ul>
                        {e.fields.iter().map(|f| view! {
                            <li data-field=f.field.clone()>{i18n::field_error_text(i18n.get_locale(), f)}</li>
                        }).collect_view()}
                    </ul>
                </div>
            }
        })
    }
}

/// A choice among a consultation's regions, or none ("prefer not to say").
#[component]
pub fn RegionSelect(
    region: RwSignal<String>,
    /// The consultation's regions, in its order.
    regions: Vec<String>,
    /// The form's last error.
    #[prop(into)]
    error: Signal<Option<ApiError>>,
) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <FieldFrame id="region".to_owned() field="region"
            label=TextProp::from(move || td_string!(i18n.get_locale(), your_region))
            help=TextProp::from(move || td_string!(i18n.get_locale(), your_region_help)) error
            required=None>
            <select id="region" name="region" aria-describedby="region-help"
                on:change=move |ev| region.set(event_target_value(&ev))>
                <option value="" selected=move || region.get().is_empty()>
                    {tr!(i18n, region_not_said)}
                </option>
                {regions.into_iter().map(|r| {
                    let (value, label) = (r.clone(), r.clone());
                    view! {
                        <option value=r selected=move || region.get() == value>{label}</option>
                    }
                }).collect_view()}
            </select>
        </FieldFrame>
    }
}

/// Asks the reader to confirm a destructive action; `false` when they cancel (or the browser
/// cannot ask).
pub fn confirmed(question: &str) -> bool {
    web_sys::window()
        .and_then(|w| w.confirm_with_message(question).ok())
        .unwrap_or(false)
}
