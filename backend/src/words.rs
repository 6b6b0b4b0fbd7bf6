//! The interface's words on the pages the server writes itself — the reading pages and the
//! printable report — taken from the browser application's catalogues (`frontend/locales/`),
//! so that both say the same thing in the same four languages.

use axum::http::HeaderMap;
use shared::Language;
use std::collections::HashMap;
use std::sync::LazyLock;

const CATALOGUES: [(Language, &str); 4] = [
    (Language::En, include_str!("../../frontend/locales/en.json")),
    (Language::Fr, include_str!("../../frontend/locales/fr.json")),
    (Language::Es, include_str!("../../frontend/locales/es.json")),
    (Language::Ar, include_str!("../../frontend/locales/ar.json")),
];

/// Every catalogue, parsed once. (A catalogue that does not parse cannot be built into the
/// front end either, and a unit test reads each one.)
static WORDS: LazyLock<HashMap<Language, HashMap<String, String>>> = LazyLock::new(|| {
    CATALOGUES
        .into_iter()
        .map(|(language, json)| (language, serde_json::from_str(json).unwrap_or_default()))
        .collect()
});

/// The words of one language; a key its catalogue lacks is said in English.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Words(pub Language);

impl Words {
    /// The text of `key`.
    pub fn get(self, key: &str) -> &'static str {
        [self.0, Language::En]
            .into_iter()
            .find_map(|language| WORDS.get(&language)?.get(key))
            .map_or("", String::as_str)
    }

    /// The text of `key` with its `{{ name }}` placeholders filled in (values as given: escape
    /// them first where they go into HTML).
    pub fn with(self, key: &str, values: &[(&str, &str)]) -> String {
        values
            .iter()
            .fold(self.get(key).to_owned(), |text, (name, value)| {
                text.replace(&format!("{{{{ {name} }}}}"), value)
            })
    }

    /// `lang` and `dir` for the page's `<html>` element.
    pub fn html_attributes(self) -> String {
        let dir = if self.0 == Language::Ar { "rtl" } else { "ltr" };
        format!("lang=\"{}\" dir=\"{dir}\"", self.0.as_str())
    }

    /// The name of a position (`endorse`, …, as stored).
    pub fn stance(self, stance: &str) -> &'static str {
        self.get(&format!("stance_{stance}"))
    }

    /// The name of a stakeholder group (as stored); `None` when none was recorded.
    pub fn group(self, group: Option<&str>) -> String {
        match group {
            None => self.get("report_not_recorded").to_owned(),
            Some(group) => match self.get(&format!("group_{group}")) {
                "" => group.to_owned(),
                name => name.to_owned(),
            },
        }
    }

    /// The name of a conveners' verdict (as stored).
    pub fn verdict(self, verdict: &str) -> &'static str {
        self.get(&format!("verdict_{verdict}"))
    }

    /// The name of a consensus level (as stored).
    pub fn consensus(self, level: &str) -> &'static str {
        match level {
            "full_consensus" => self.get("consensus_full"),
            other => self.get(&format!("consensus_{other}")),
        }
    }
}

/// The language a reader asked for: `?lang=` when it names one of the four, otherwise the first
/// of the browser's `Accept-Language` that is, otherwise English.
pub fn negotiate(asked: Option<&str>, headers: &HeaderMap) -> Language {
    let accepted = headers
        .get(axum::http::header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    asked
        .and_then(Language::parse)
        .or_else(|| {
            accepted.split(',').find_map(|item| {
                let tag = item.split(';').next().unwrap_or("").trim();
                let primary = tag.split('-').next().unwrap_or("").to_ascii_lowercase();
                Language::parse(&primary)
            })
        })
        .unwrap_or(Language::En)
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    #[test]
    fn every_catalogue_parses_and_speaks_its_language() {
        for (language, _) in CATALOGUES {
            assert!(
                WORDS.get(&language).is_some_and(|w| w.len() > 400),
                "{language:?}"
            );
        }
        assert_eq!(Words(Language::Fr).get("consultations"), "Consultations");
        assert_eq!(Words(Language::Es).stance("oppose"), "Oponerse");
        assert_eq!(
            Words(Language::En).with("changes_since", &[("round", "2018")]),
            "Changes since the 2018 round"
        );
        assert_eq!(
            Words(Language::Ar).html_attributes(),
            "lang=\"ar\" dir=\"rtl\""
        );
    }

    #[test]
    fn the_reader_chooses_or_the_browser_does() {
        let mut headers = HeaderMap::new();
        assert_eq!(negotiate(None, &headers), Language::En);
        headers.insert(
            axum::http::header::ACCEPT_LANGUAGE,
            HeaderValue::from_static("de-CH, es-MX;q=0.9, fr;q=0.8"),
        );
        assert_eq!(negotiate(None, &headers), Language::Es);
        assert_eq!(negotiate(Some("ar"), &headers), Language::Ar);
        assert_eq!(negotiate(Some("xx"), &headers), Language::Es);
    }
}
