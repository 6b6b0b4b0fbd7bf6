//! Setting up a consultation: what an administrator gives to create one (its address, titles,
//! access, conveners, stakeholder groups and regions), what can be changed later, and the checks
//! both pass.

use crate::rules::{REGION_MAX, TITLE_MAX, check_name, check_optional_text, slugify};
use crate::{ConsultationAccess, FieldError, Language, StakeholderGroup};
use serde::{Deserialize, Serialize};

/// The regions a new consultation offers unless its administrator gives others: the
/// sub-regions of the UN's geoscheme (M49).
pub const DEFAULT_REGIONS: [&str; 22] = [
    "Northern Africa",
    "Eastern Africa",
    "Middle Africa",
    "Southern Africa",
    "Western Africa",
    "Caribbean",
    "Central America",
    "South America",
    "Northern America",
    "Central Asia",
    "Eastern Asia",
    "South-eastern Asia",
    "Southern Asia",
    "Western Asia",
    "Eastern Europe",
    "Northern Europe",
    "Southern Europe",
    "Western Europe",
    "Australia and New Zealand",
    "Melanesia",
    "Micronesia",
    "Polynesia",
];

/// Most regions one consultation may list.
pub const REGIONS_MAX: usize = 200;
/// Longest description of a consultation, in characters.
pub const DESCRIPTION_MAX: usize = 5000;
/// Shortest and longest consultation slug.
pub const CONSULTATION_SLUG_LEN: std::ops::RangeInclusive<usize> = 3..=64;
/// Words a consultation's address may not be, because other pages sit there.
pub const RESERVED_CONSULTATION_SLUGS: &[&str] = &["new", "read", "api", "app"];

/// A consultation's title in one of the interface's languages.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LocalTitle {
    pub language: Language,
    pub title: String,
}

/// What an administrator may change of a consultation after creating it; body of
/// `PUT /consultations/{slug}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ConsultationSettings {
    /// At least one, at most one per language.
    pub titles: Vec<LocalTitle>,
    #[serde(default)]
    pub description: String,
    /// The stakeholder groups taking part, in the order offered; all six when left out.
    #[serde(default = "all_groups")]
    pub stakeholder_groups: Vec<StakeholderGroup>,
    /// The regions participants choose from, in the order offered; the UN geoscheme's
    /// sub-regions when left out. May be empty: participants then give no region.
    #[serde(default = "default_regions")]
    pub regions: Vec<String>,
}

fn all_groups() -> Vec<StakeholderGroup> {
    StakeholderGroup::ALL.to_vec()
}

fn default_regions() -> Vec<String> {
    DEFAULT_REGIONS.iter().map(|r| (*r).to_owned()).collect()
}

impl Default for ConsultationSettings {
    fn default() -> Self {
        Self {
            titles: Vec::new(),
            description: String::new(),
            stakeholder_groups: all_groups(),
            regions: default_regions(),
        }
    }
}

/// Body of `PUT /consultations/{slug}`: the settings to change. A field left out keeps its
/// value; one given replaces it whole (all the regions, all the groups). Fields it does not have
/// (access, the address) are refused rather than ignored.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct SettingsChange {
    #[serde(default)]
    pub titles: Option<Vec<LocalTitle>>,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub stakeholder_groups: Option<Vec<StakeholderGroup>>,
    #[serde(default)]
    pub regions: Option<Vec<String>>,
}

impl SettingsChange {
    /// `current` with this change made (still to be checked).
    pub fn applied_to(self, current: ConsultationSettings) -> ConsultationSettings {
        ConsultationSettings {
            titles: self.titles.unwrap_or(current.titles),
            description: self.description.unwrap_or(current.description),
            stakeholder_groups: self
                .stakeholder_groups
                .unwrap_or(current.stakeholder_groups),
            regions: self.regions.unwrap_or(current.regions),
        }
    }
}

/// Body of `POST /consultations`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NewConsultation {
    /// Its address, e.g. `paris-call`: 3–64 lower-case letters and digits joined by `-`.
    pub slug: String,
    #[serde(default)]
    pub access: ConsultationAccess,
    /// The handles of its conveners (administrators convene every consultation anyway).
    #[serde(default)]
    pub conveners: Vec<String>,
    #[serde(flatten)]
    pub settings: ConsultationSettings,
}

impl ConsultationSettings {
    /// The title shown where one title is shown: English when there is one, else the first
    /// language in the interface's order.
    pub fn main_title(&self) -> &str {
        Language::ALL
            .iter()
            .find_map(|l| self.titles.iter().find(|t| t.language == *l))
            .map(|t| t.title.trim())
            .unwrap_or_default()
    }

    /// Checks every field; returns every broken one at once, and the settings trimmed.
    pub fn check(&self) -> Result<ConsultationSettings, Vec<FieldError>> {
        let mut broken = Vec::new();
        let mut titles: Vec<LocalTitle> = Vec::new();
        for (i, local) in self.titles.iter().enumerate() {
            let field = format!("titles[{i}].title");
            if local.title.trim().is_empty() {
                continue;
            }
            match check_name(&field, &local.title, TITLE_MAX, "") {
                Err(e) => broken.push(e),
                Ok(_) if titles.iter().any(|t| t.language == local.language) => {
                    broken.push(FieldError::new(
                        &format!("titles[{i}].language"),
                        "duplicate",
                        "Give one title per language.",
                    ))
                }
                Ok(title) => titles.push(LocalTitle {
                    language: local.language,
                    title,
                }),
            }
        }
        if titles.is_empty() && broken.is_empty() {
            broken.push(FieldError::new(
                "titles",
                "required",
                "Give the consultation a title in at least one language.",
            ));
        }
        titles.sort_by_key(|t| Language::ALL.iter().position(|l| *l == t.language));
        let description = check_optional_text("description", &self.description, DESCRIPTION_MAX)
            .unwrap_or_else(|e| {
                broken.push(e);
                String::new()
            });
        let mut groups = Vec::new();
        for group in &self.stakeholder_groups {
            if !groups.contains(group) {
                groups.push(*group);
            }
        }
        if groups.is_empty() {
            broken.push(FieldError::new(
                "stakeholder_groups",
                "required",
                "Choose at least one stakeholder group to take part.",
            ));
        }
        let mut regions: Vec<String> = Vec::new();
        for (i, region) in self.regions.iter().enumerate() {
            let field = format!("regions[{i}]");
            let region = region.trim();
            if region.is_empty() {
                continue;
            }
            if let Err(e) = check_name(&field, region, REGION_MAX, "") {
                broken.push(e);
            } else if regions.iter().any(|r| same_region(r, region)) {
                broken.push(FieldError::new(
                    &field,
                    "duplicate",
                    format!("“{region}” is in the list already (case and spaces aside)."),
                ));
            } else {
                regions.push(region.to_owned());
            }
        }
        if regions.len() > REGIONS_MAX {
            broken.push(FieldError::new(
                "regions",
                "too_many",
                format!("A consultation lists at most {REGIONS_MAX} regions."),
            ));
        }
        if broken.is_empty() {
            Ok(ConsultationSettings {
                titles,
                description,
                stakeholder_groups: groups,
                regions,
            })
        } else {
            Err(broken)
        }
    }
}

/// Refuses a stakeholder group that is not among a consultation's `taking_part`.
pub fn check_taking_part(
    taking_part: &[StakeholderGroup],
    group: StakeholderGroup,
) -> Result<(), FieldError> {
    if taking_part.contains(&group) {
        Ok(())
    } else {
        Err(FieldError::new(
            "stakeholder_group",
            "not_taking_part",
            "This stakeholder group does not take part in this consultation.",
        ))
    }
}

/// Whether two regions' names are the same but for case and spacing ("West Africa" and
/// "west  africa").
pub fn same_region(a: &str, b: &str) -> bool {
    let fold = |s: &str| {
        s.split_whitespace()
            .map(str::to_lowercase)
            .collect::<Vec<_>>()
    };
    fold(a) == fold(b)
}

impl NewConsultation {
    /// Checks the slug and the settings; returns every broken field at once, and the slug and
    /// settings trimmed. Conveners' handles are checked against the accounts by the server.
    pub fn check(&self) -> Result<(String, ConsultationSettings), Vec<FieldError>> {
        let slug = check_consultation_slug(&self.slug);
        let settings = self.settings.check();
        match (slug, settings) {
            (Ok(slug), Ok(settings)) => Ok((slug, settings)),
            (slug, settings) => {
                let mut broken: Vec<FieldError> = slug.err().into_iter().collect();
                broken.extend(settings.err().unwrap_or_default());
                Err(broken)
            }
        }
    }
}

/// Checks a consultation's address: 3–64 lower-case letters and digits joined by `-`, not a
/// word other pages use.
pub fn check_consultation_slug(raw: &str) -> Result<String, FieldError> {
    let slug = raw.trim();
    let len = slug.chars().count();
    if len == 0 {
        Err(FieldError::new(
            "slug",
            "required",
            "Give the consultation an address, e.g. paris-call.",
        ))
    } else if !CONSULTATION_SLUG_LEN.contains(&len) {
        Err(FieldError::new(
            "slug",
            "length",
            "An address has 3 to 64 characters.",
        ))
    } else if slugify(slug) != slug || !slug.is_ascii() {
        Err(FieldError::new(
            "slug",
            "invalid_characters",
            "Use lower-case letters a–z and digits joined by '-', e.g. paris-call.",
        ))
    } else if RESERVED_CONSULTATION_SLUGS.contains(&slug) {
        Err(FieldError::new(
            "slug",
            "reserved",
            "This address is one of Concord's own pages; choose another.",
        ))
    } else {
        Ok(slug.to_owned())
    }
}

/// Answer to `POST /imports`: the consultation and round loaded from another instance's record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ImportedRecord {
    pub consultation: String,
    pub round: String,
    pub comments: u64,
    pub positions: u64,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings(titles: &[(Language, &str)]) -> ConsultationSettings {
        ConsultationSettings {
            titles: titles
                .iter()
                .map(|(language, title)| LocalTitle {
                    language: *language,
                    title: (*title).to_owned(),
                })
                .collect(),
            ..ConsultationSettings::default()
        }
    }

    #[test]
    fn a_title_in_one_language_is_enough_and_english_comes_first() {
        let checked = settings(&[(Language::Fr, " Appel "), (Language::En, "Call")])
            .check()
            .expect("valid");
        assert_eq!(checked.main_title(), "Call");
        assert_eq!(checked.titles[1].title, "Appel");
        assert_eq!(checked.regions.len(), DEFAULT_REGIONS.len());
        assert_eq!(checked.stakeholder_groups, StakeholderGroup::ALL);
    }

    #[test]
    fn a_title_in_no_language_is_refused() {
        let broken = settings(&[(Language::En, "  ")]).check().unwrap_err();
        assert_eq!(
            (broken[0].field.as_str(), broken[0].code.as_str()),
            ("titles", "required")
        );
    }

    #[test]
    fn regions_that_differ_only_in_case_or_spacing_are_one_region() {
        let mut s = settings(&[(Language::En, "Call")]);
        s.regions = vec!["West Africa".into(), "west  africa".into(), String::new()];
        let broken = s.check().unwrap_err();
        assert_eq!(
            (broken[0].field.as_str(), broken[0].code.as_str()),
            ("regions[1]", "duplicate")
        );
        s.regions = vec![];
        assert!(s.check().expect("no regions is allowed").regions.is_empty());
        s.stakeholder_groups = vec![];
        assert_eq!(s.check().unwrap_err()[0].field, "stakeholder_groups");
    }

    #[test]
    fn slugs_are_short_lower_case_words() {
        assert_eq!(
            check_consultation_slug(" paris-call ").as_deref(),
            Ok("paris-call")
        );
        for (bad, code) in [
            ("", "required"),
            ("ab", "length"),
            ("Paris Call", "invalid_characters"),
            ("appel-à-tous", "invalid_characters"),
            ("new", "reserved"),
        ] {
            assert_eq!(
                check_consultation_slug(bad).unwrap_err().code,
                code,
                "{bad}"
            );
        }
    }
}
