//! The fields of a consultation's settings — titles in the interface's languages, description,
//! stakeholder groups and regions — shared by the form creating a consultation and the one
//! changing it.

use super::{FieldMessage, TextArea, TextField};
use crate::i18n::{self, tr, use_i18n};
use leptos::prelude::*;
use leptos_i18n::td_string;
use shared::{ApiError, ConsultationSettings, Language, LocalTitle, StakeholderGroup};

/// The values of the fields, two-way.
#[derive(Clone, Copy)]
pub struct SettingsFields {
    titles: [(Language, RwSignal<String>); 4],
    description: RwSignal<String>,
    groups: [(StakeholderGroup, RwSignal<bool>); 6],
    /// One per line.
    regions: RwSignal<String>,
}

impl SettingsFields {
    /// Fields holding `initial`.
    pub fn new(initial: &ConsultationSettings) -> Self {
        let title = |l: Language| {
            initial
                .titles
                .iter()
                .find(|t| t.language == l)
                .map(|t| t.title.clone())
                .unwrap_or_default()
        };
        Self {
            titles: Language::ALL.map(|l| (l, RwSignal::new(title(l)))),
            description: RwSignal::new(initial.description.clone()),
            groups: StakeholderGroup::ALL
                .map(|g| (g, RwSignal::new(initial.stakeholder_groups.contains(&g)))),
            regions: RwSignal::new(initial.regions.join("\n")),
        }
    }

    /// The settings as filled in.
    pub fn value(&self) -> ConsultationSettings {
        ConsultationSettings {
            titles: self
                .titles
                .iter()
                .map(|(language, title)| LocalTitle {
                    language: *language,
                    title: title.get_untracked(),
                })
                .filter(|t| !t.title.trim().is_empty())
                .collect(),
            description: self.description.get_untracked(),
            stakeholder_groups: self
                .groups
                .iter()
                .filter(|(_, on)| on.get_untracked())
                .map(|(g, _)| *g)
                .collect(),
            regions: self
                .regions
                .get_untracked()
                .lines()
                .map(str::to_owned)
                .collect(),
        }
    }
}

/// Titles and description.
#[component]
pub fn TitleFields(
    fields: SettingsFields,
    #[prop(into)] error: Signal<Option<ApiError>>,
) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <fieldset>
            <legend>{tr!(i18n, consultation_titles)}</legend>
            <p class="help">{tr!(i18n, consultation_titles_help)}</p>
            {fields.titles.into_iter().map(|(language, title)| {
                // Each language's own name, so that "give a title" shows once, below.
                let name = match language {
                    Language::En => "title_en",
                    Language::Fr => "title_fr",
                    Language::Es => "title_es",
                    Language::Ar => "title_ar",
                };
                view! {
                    <TextField name id=format!("title-{}", language.as_str())
                        autocomplete="off"
                        label=move || i18n::language_name(language)
                        help="" value=title error />
                }
            }).collect_view()}
            <FieldMessage error field="titles" />
        </fieldset>
        <TextArea name="description" rows=3
            label=move || td_string!(i18n.get_locale(), consultation_description)
            help=move || td_string!(i18n.get_locale(), consultation_description_help)
            value=fields.description error max=shared::setup::DESCRIPTION_MAX />
    }
}

/// Stakeholder groups and regions.
#[component]
pub fn TakingPartFields(
    fields: SettingsFields,
    #[prop(into)] error: Signal<Option<ApiError>>,
) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <fieldset id="stakeholder-groups">
            <legend>{tr!(i18n, consultation_groups)}</legend>
            <p class="help">{tr!(i18n, consultation_groups_help)}</p>
            {fields.groups.into_iter().map(|(group, on)| view! {
                <label class="choice">
                    <input type="checkbox" name="stakeholder_groups" value=group.as_str()
                        prop:checked=move || on.get()
                        on:change=move |ev| on.set(event_target_checked(&ev)) />
                    {move || i18n::group_name(i18n.get_locale(), group)}
                </label>
            }).collect_view()}
        </fieldset>
        <TextArea name="regions" rows=8
            label=move || td_string!(i18n.get_locale(), consultation_regions)
            help=move || td_string!(i18n.get_locale(), consultation_regions_help)
            value=fields.regions error />
    }
}
