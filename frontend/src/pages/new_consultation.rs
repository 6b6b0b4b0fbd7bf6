//! An administrator creates a consultation: its address, titles in the interface's languages,
//! description, access, conveners, the stakeholder groups taking part and the regions
//! participants choose from. The next step imports its draft text.

use crate::api;
use crate::components::{
    ErrorNotice, FieldErrors, SettingsFields, SubmitButton, TakingPartFields, TextArea, TextField,
    TitleFields,
};
use crate::i18n::{tr, use_i18n};
use crate::use_session;
use leptos::prelude::*;
use leptos_i18n::td_string;
use leptos_router::components::A;
use leptos_router::hooks::use_navigate;
use shared::{ApiError, ConsultationAccess, ConsultationSettings, FieldError, NewConsultation};

/// The form creating a consultation (`/new`).
#[component]
pub fn NewConsultationPage() -> impl IntoView {
    let i18n = use_i18n();
    let session = use_session();
    let navigate = use_navigate();
    let create = Action::new_local(|new: &NewConsultation| {
        let new = new.clone();
        async move { api::create_consultation(&new).await }
    });
    Effect::new(move |_| {
        if let Some(Ok(created)) = create.value().get() {
            navigate(&format!("/import/{}", created.slug), Default::default());
        }
    });
    let slug = RwSignal::new(String::new());
    let fields = SettingsFields::new(&ConsultationSettings::default());
    let access = RwSignal::new(ConsultationAccess::Open);
    let conveners = RwSignal::new(String::new());
    // The address's errors are the consultation's, not those of a round's address, which the
    // catalogue words for `slug`: the server's own sentence is shown for them.
    let error = Signal::derive(move || {
        create.value().get().and_then(Result::err).map(|mut e| {
            for field in &mut e.fields {
                if field.field == "slug" {
                    field.field = "consultation_slug".into();
                }
            }
            e
        })
    });
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        create.dispatch(NewConsultation {
            slug: slug.get_untracked().trim().to_owned(),
            access: access.get_untracked(),
            conveners: conveners
                .get_untracked()
                .split([',', ' ', '\n'])
                .filter(|h| !h.is_empty())
                .map(str::to_owned)
                .collect(),
            settings: fields.value(),
        });
    };
    let acting = move || session.me.get().is_some_and(|m| m.admin && m.two_factor);
    view! {
        <h1>{tr!(i18n, new_consultation_title)}</h1>
        <p class="lead">{tr!(i18n, new_consultation_intro)}</p>
        <Show when=acting fallback=move || {
            // An administrator still without a second factor is told where to turn it on;
            // anyone else, whom to ask; someone signed out, to sign in first.
            let me = session.me.get();
            let admin = me.as_ref().is_some_and(|m| m.admin);
            view! {
                <p class="notice" id="new-consultation-refused">
                    {if admin {
                        view! { <A href="/account">{tr!(i18n, new_consultation_turn_on_two_factor)}</A> }.into_any()
                    } else if me.is_none() {
                        view! {
                            {tr!(i18n, new_consultation_admins_only)}" "
                            <A href="/signin">{tr!(i18n, sign_in)}</A>
                        }.into_any()
                    } else {
                        tr!(i18n, new_consultation_admins_only).into_any()
                    }}
                </p>
                {(!admin).then(|| view! { <p class="help">{tr!(i18n, no_consultations_hint)}</p> })}
            }
        }>
            <form id="new-consultation-form" on:submit=submit novalidate>
                <TextField name="consultation_slug" id="slug" autocomplete="off"
                    label=move || td_string!(i18n.get_locale(), consultation_slug)
                    help=move || td_string!(i18n.get_locale(), consultation_slug_help) value=slug error />
                <TitleFields fields error />
                <div class="field">
                    <label for="access">{tr!(i18n, access_title)}</label>
                    <select id="access" on:change=move |ev| {
                        if let Some(a) = ConsultationAccess::parse(&event_target_value(&ev)) {
                            access.set(a);
                        }
                    }>
                        <option value="open">{tr!(i18n, access_open)}</option>
                        <option value="invitation">{tr!(i18n, access_invitation)}</option>
                    </select>
                </div>
                <TextField name="conveners" autocomplete="off"
                    label=move || td_string!(i18n.get_locale(), consultation_conveners)
                    help=move || td_string!(i18n.get_locale(), consultation_conveners_help)
                    value=conveners error />
                <TakingPartFields fields error />
                <FieldErrors error />
                <ErrorNotice error=Signal::derive(move || error.get().filter(|e| e.fields.is_empty())) />
                <SubmitButton busy=create.pending() id="create-consultation">
                    {tr!(i18n, create_consultation)}
                </SubmitButton>
            </form>
            <RecordImport />
        </Show>
    }
}

/// Starting a consultation from another instance's published record: its bundle, checked
/// against that instance's public key.
#[component]
fn RecordImport() -> impl IntoView {
    let i18n = use_i18n();
    let navigate = use_navigate();
    let bundle_input = NodeRef::<leptos::html::Input>::new();
    let key = RwSignal::new(String::new());
    let import = Action::new_local(move |key: &String| {
        let key = key.clone();
        let bundle = bundle_input
            .get_untracked()
            .and_then(|input| input.files())
            .and_then(|files| files.get(0));
        async move {
            let Some(bundle) = bundle else {
                return Err(ApiError::validation(vec![FieldError::new(
                    "bundle",
                    "required",
                    "Choose the record's bundle (a .zip file).",
                )]));
            };
            api::import_record(bundle.into(), &key).await
        }
    });
    Effect::new(move |_| {
        if let Some(Ok(imported)) = import.value().get() {
            navigate(&format!("/c/{}", imported.consultation), Default::default());
        }
    });
    let error = Signal::derive(move || import.value().get().and_then(Result::err));
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        // The .pub file as pasted: its comment line aside, the key.
        let pasted = key.get_untracked();
        let line = pasted
            .lines()
            .map(str::trim)
            .find(|l| !l.is_empty() && !l.starts_with("untrusted comment:"))
            .unwrap_or_default()
            .to_owned();
        import.dispatch(line);
    };
    view! {
        <section aria-labelledby="record-import-heading">
            <h2 id="record-import-heading">{tr!(i18n, record_import_title)}</h2>
            <p class="help">{tr!(i18n, record_import_help)}</p>
            <form id="record-import-form" on:submit=submit novalidate>
                <div class="field">
                    <label for="bundle">{tr!(i18n, record_import_bundle)}</label>
                    <input type="file" id="bundle" name="bundle" accept=".zip" node_ref=bundle_input />
                </div>
                <TextArea name="public_key" rows=2
                    label=move || td_string!(i18n.get_locale(), record_import_key)
                    help=move || td_string!(i18n.get_locale(), record_import_key_help)
                    value=key error />
                <FieldErrors error />
                <ErrorNotice error=Signal::derive(move || error.get().filter(|e| e.fields.is_empty())) />
                <SubmitButton busy=import.pending() id="import-record">
                    {tr!(i18n, record_import_submit)}
                </SubmitButton>
            </form>
        </section>
    }
}
