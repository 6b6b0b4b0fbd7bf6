//! Validation rules the server enforces and the browser explains. Each rule returns every
//! broken field at once so a form can mark them all.

use crate::{
    CastPosition, ClauseEdit, Credentials, FieldError, JoinConsultation, NewInvitation,
    NewMinorityStatement, NewOrganisation, NewRound, PasswordChange,
};

/// Shortest handle accepted.
pub const HANDLE_MIN: usize = 3;
/// Longest handle accepted.
pub const HANDLE_MAX: usize = 32;
/// Shortest password accepted (ASVS 6.2.1).
pub const PASSWORD_MIN: usize = 8;
/// Longest password accepted (ASVS 6.2.9).
pub const PASSWORD_MAX: usize = 128;
/// Longest comment, in characters.
pub const COMMENT_MAX: usize = 5000;
/// Longest reason for a position, in characters.
pub const REASON_MAX: usize = 2000;
/// Longest note on an invitation, in characters.
pub const NOTE_MAX: usize = 200;
/// Longest an invitation may stay usable, in days.
pub const INVITATION_DAYS_MAX: i64 = 90;

/// A public, pseudonymous name: 3–32 of `a–z`, `0–9`, `_`, `-`, compared without case.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Handle(String);

impl Handle {
    /// Checks `raw` and returns the handle in its canonical lower-case form.
    pub fn parse(raw: &str) -> Result<Self, FieldError> {
        let handle = raw.trim().to_lowercase();
        let len = handle.chars().count();
        if len == 0 {
            return Err(FieldError::new("handle", "required", "Choose a handle."));
        }
        if len < HANDLE_MIN {
            return Err(FieldError::new(
                "handle",
                "too_short",
                format!("A handle has at least {HANDLE_MIN} characters."),
            ));
        }
        if len > HANDLE_MAX {
            return Err(FieldError::new(
                "handle",
                "too_long",
                format!("A handle has at most {HANDLE_MAX} characters."),
            ));
        }
        if !handle
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '-')
        {
            return Err(FieldError::new(
                "handle",
                "invalid_characters",
                "Use only letters a–z, digits, '_' and '-'.",
            ));
        }
        Ok(Self(handle))
    }

    /// The canonical handle.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Checks a new password's length (8–128 characters; no composition rules, ASVS 6.2.1/6.2.9).
pub fn check_password(password: &str) -> Result<(), FieldError> {
    let len = password.chars().count();
    if len < PASSWORD_MIN {
        return Err(FieldError::new(
            "password",
            "too_short",
            format!("A password has at least {PASSWORD_MIN} characters."),
        ));
    }
    if len > PASSWORD_MAX {
        return Err(FieldError::new(
            "password",
            "too_long",
            format!("A password has at most {PASSWORD_MAX} characters."),
        ));
    }
    Ok(())
}

impl PasswordChange {
    /// Checks the new password's length; the current one is checked against the account.
    pub fn check(&self) -> Result<(), Vec<FieldError>> {
        check_password(&self.new_password).map_err(|mut e| {
            e.field = "new_password".to_owned();
            vec![e]
        })
    }
}

/// Longest organisation name, in characters.
pub const ORGANISATION_NAME_MAX: usize = 120;
/// Longest region, in characters.
pub const REGION_MAX: usize = 60;

impl NewOrganisation {
    /// Checks name and region; on success returns them trimmed and the organisation's slug.
    pub fn check(&self) -> Result<(String, String, String), Vec<FieldError>> {
        let name = check_name(
            "name",
            &self.name,
            ORGANISATION_NAME_MAX,
            "Give the organisation's name.",
        );
        let region = check_name(
            "region",
            &self.region,
            REGION_MAX,
            "Say where the organisation works.",
        );
        match (name, region) {
            (Ok(name), Ok(region)) => {
                let slug = slugify(&name);
                if slug.is_empty() {
                    return Err(vec![FieldError::new(
                        "name",
                        "invalid_characters",
                        "The name needs at least one letter or digit.",
                    )]);
                }
                Ok((name, region, slug))
            }
            (name, region) => Err([name.err(), region.err()].into_iter().flatten().collect()),
        }
    }
}

/// A name turned into an address segment: lower-case letters and digits joined by `-`.
pub fn slugify(name: &str) -> String {
    name.to_lowercase()
        .split(|c: char| !c.is_alphanumeric())
        .filter(|part| !part.is_empty())
        .collect::<Vec<_>>()
        .join("-")
}

/// Words a round's address may not be, because the consultation's own pages sit at those
/// addresses (`/c/{consultation}/moderation`).
pub const RESERVED_ROUND_SLUGS: &[&str] = &["moderation"];

/// Words a clause key may not be, because the round's own pages sit at those addresses
/// (`/c/{consultation}/{round}/results` and `/changes`).
pub const RESERVED_CLAUSE_KEYS: &[&str] = &["results", "changes"];

/// The key of a new clause titled `title`: its slug (at most 60 characters, `clause` when the
/// title has no letters or digits), with `-2`, `-3`, … added when the key is `taken` or reserved.
pub fn clause_key(title: &str, taken: &[String]) -> String {
    let base = slugify(title);
    let base = if base.is_empty() {
        "clause".to_owned()
    } else {
        base.chars().take(60).collect()
    };
    (1..)
        .map(|n| match n {
            1 => base.clone(),
            n => format!("{base}-{n}"),
        })
        .find(|k| !taken.contains(k) && !RESERVED_CLAUSE_KEYS.contains(&k.as_str()))
        .unwrap_or(base)
}

/// Checks a sign-up request; on success returns the canonical handle.
pub fn check_sign_up(credentials: &Credentials) -> Result<Handle, Vec<FieldError>> {
    let handle = Handle::parse(&credentials.handle);
    let password = check_password(&credentials.password);
    match (handle, password) {
        (Ok(handle), Ok(())) => Ok(handle),
        (handle, password) => Err([handle.err(), password.err()]
            .into_iter()
            .flatten()
            .collect()),
    }
}

/// Checks a text field that must not be blank and has a length limit; returns it trimmed.
pub fn check_text(
    field: &str,
    text: &str,
    max: usize,
    blank_message: &str,
) -> Result<String, FieldError> {
    let text = check_optional_text(field, text, max)?;
    if text.is_empty() {
        return Err(FieldError::new(field, "required", blank_message));
    }
    Ok(text)
}

/// Checks a text field that may be blank: at most `max` characters once trimmed, and no control
/// characters but line breaks and tabs (none is typed, and they can hide or garble what readers
/// see). Returns it trimmed.
pub fn check_optional_text(field: &str, text: &str, max: usize) -> Result<String, FieldError> {
    let text = text.trim();
    if text.chars().count() > max {
        return Err(FieldError::new(
            field,
            "too_long",
            format!("This is limited to {max} characters."),
        ));
    }
    if text
        .chars()
        .any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
    {
        return Err(control_characters(field));
    }
    Ok(text.to_owned())
}

/// Checks a name (of an organisation, a region, a consultation): as [`check_text`], on one line,
/// and without the invisible characters that change the direction of what follows or join
/// words unseen, which can make one name display as another.
pub fn check_name(
    field: &str,
    text: &str,
    max: usize,
    blank_message: &str,
) -> Result<String, FieldError> {
    let text = check_text(field, text, max, blank_message)?;
    let unseen = |c: char| {
        c.is_control()
            || matches!(c, '\u{200b}'..='\u{200f}' | '\u{061c}' | '\u{202a}'..='\u{202e}'
                | '\u{2060}'..='\u{2069}' | '\u{feff}')
    };
    if text.chars().any(unseen) {
        return Err(control_characters(field));
    }
    Ok(text)
}

/// The longest name of a passkey.
pub const PASSKEY_NAME_MAX: usize = 60;

/// Checks the name an owner gives a passkey (field `name`): as [`check_name`], at most
/// [`PASSKEY_NAME_MAX`] characters. Returns it trimmed.
pub fn check_passkey_name(name: &str) -> Result<String, FieldError> {
    check_name(
        "name",
        name,
        PASSKEY_NAME_MAX,
        "Name this passkey, for example “my phone”, to tell it from others.",
    )
}

fn control_characters(field: &str) -> FieldError {
    FieldError::new(
        field,
        "control_characters",
        "This holds control characters; remove them (they are often pasted by mistake).",
    )
}

/// Checks a comment's Markdown and returns it trimmed.
pub fn check_comment_body(body: &str) -> Result<String, FieldError> {
    check_text("body", body, COMMENT_MAX, "Write a comment before posting.")
}

impl CastPosition {
    /// Checks the reason rule: a reservation or an opposition needs a reason; returns the
    /// reason trimmed (`None` when blank and not required).
    pub fn check(&self) -> Result<Option<String>, Vec<FieldError>> {
        let reason = self.reason.as_deref().unwrap_or("");
        if reason.trim().is_empty() && !self.stance.requires_reason() {
            return Ok(None);
        }
        check_text(
            "reason",
            reason,
            REASON_MAX,
            "A reservation or an opposition needs a reason.",
        )
        .map(Some)
        .map_err(|e| vec![e])
    }
}

/// Longest round title, clause title, in characters.
pub const TITLE_MAX: usize = 200;
/// Longest clause body, in characters.
pub const BODY_MAX: usize = 20_000;
/// Longest note on a clause's change, in characters.
pub const CHANGE_NOTE_MAX: usize = 2000;
/// Longest round slug.
pub const ROUND_SLUG_MAX: usize = 32;

impl NewRound {
    /// Checks the slug (1–32 of `a–z`, `0–9`, `-`) and the title; returns them trimmed.
    pub fn check(&self) -> Result<(String, String), Vec<FieldError>> {
        let slug = self.slug.trim().to_lowercase();
        let slug = if slug.is_empty() {
            Err(FieldError::new(
                "slug",
                "required",
                "Give the round an address, e.g. 2020.",
            ))
        } else if slug.chars().count() > ROUND_SLUG_MAX {
            Err(FieldError::new(
                "slug",
                "too_long",
                format!("A round's address has at most {ROUND_SLUG_MAX} characters."),
            ))
        } else if !slug
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        {
            Err(FieldError::new(
                "slug",
                "invalid_characters",
                format!("Use up to {ROUND_SLUG_MAX} letters a–z, digits and hyphens."),
            ))
        } else if RESERVED_ROUND_SLUGS.contains(&slug.as_str()) {
            Err(FieldError::new(
                "slug",
                "reserved",
                "This address is a page of the consultation; choose another, e.g. 2020.",
            ))
        } else {
            Ok(slug)
        };
        let title = check_text("title", &self.title, TITLE_MAX, "Give the round a title.");
        match (slug, title) {
            (Ok(slug), Ok(title)) => Ok((slug, title)),
            (slug, title) => Err([slug.err(), title.err()].into_iter().flatten().collect()),
        }
    }
}

impl ClauseEdit {
    /// Checks title, body and note; returns them trimmed.
    pub fn check(&self) -> Result<(String, String, String), Vec<FieldError>> {
        let title = check_text("title", &self.title, TITLE_MAX, "Give the clause a title.");
        let body = check_text(
            "body_md",
            &self.body_md,
            BODY_MAX,
            "Write the clause's text.",
        );
        let note = check_optional_text("change_note", &self.change_note, CHANGE_NOTE_MAX);
        match (title, body, note) {
            (Ok(t), Ok(b), Ok(n)) => Ok((t, b, n)),
            (t, b, n) => Err([t.err(), b.err(), n.err()].into_iter().flatten().collect()),
        }
    }
}

impl NewMinorityStatement {
    /// Checks the statement and returns its body trimmed.
    pub fn check(&self) -> Result<String, Vec<FieldError>> {
        check_text("body", &self.body, COMMENT_MAX, "Write the statement.").map_err(|e| vec![e])
    }
}

impl JoinConsultation {
    /// Checks the region's length; returns it trimmed (it may be empty).
    pub fn check(&self) -> Result<String, Vec<FieldError>> {
        let region = self.region.trim();
        if region.chars().count() > REGION_MAX {
            return Err(vec![FieldError::new(
                "region",
                "too_long",
                format!("This is limited to {REGION_MAX} characters."),
            )]);
        }
        Ok(region.to_owned())
    }
}

impl NewInvitation {
    /// Checks how long the link works (1 to 90 days) and the note's length; returns the note
    /// trimmed.
    pub fn check(&self) -> Result<String, Vec<FieldError>> {
        let mut broken = Vec::new();
        if !(1..=INVITATION_DAYS_MAX).contains(&self.valid_days) {
            broken.push(FieldError::new(
                "valid_days",
                "out_of_range",
                format!("An invitation works for 1 to {INVITATION_DAYS_MAX} days."),
            ));
        }
        let note = self.note.trim();
        if note.chars().count() > NOTE_MAX {
            broken.push(FieldError::new(
                "note",
                "too_long",
                format!("This is limited to {NOTE_MAX} characters."),
            ));
        }
        if broken.is_empty() {
            Ok(note.to_owned())
        } else {
            Err(broken)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_round_may_not_take_the_address_of_a_consultation_page() {
        let round: super::NewRound =
            serde_json::from_str(r#"{"slug": "Moderation", "title": "A round"}"#).unwrap();
        assert_eq!(round.check().unwrap_err()[0].code, "reserved");
    }

    #[test]
    fn a_clause_key_avoids_taken_and_reserved_words() {
        assert_eq!(
            clause_key("Protect individuals!", &[]),
            "protect-individuals"
        );
        assert_eq!(clause_key("Results", &[]), "results-2");
        assert_eq!(clause_key("Changes", &[]), "changes-2");
        assert_eq!(clause_key("Scope", &["scope".into()]), "scope-2");
        assert_eq!(clause_key("¿?", &[]), "clause");
    }

    #[test]
    fn control_characters_are_refused_but_line_breaks_and_tabs_are_text() {
        let title = check_text("title", "Call\u{1b}[31m", TITLE_MAX, "");
        assert_eq!(title.unwrap_err().code, "control_characters");
        let nul = check_optional_text("description", "a\0b", 100);
        assert_eq!(nul.unwrap_err().code, "control_characters");
        // A name may not turn the text after it around ("Good Org" shown for "groO dooG").
        let name = check_name("name", "Good\u{202e}Org", 100, "");
        assert_eq!(name.unwrap_err().code, "control_characters");
        assert_eq!(
            check_name("name", "مؤسسة Good Org", 100, "").as_deref(),
            Ok("مؤسسة Good Org")
        );
        for unseen in ["West\nAfrica", "Good\u{200b}Org", "Tab\there"] {
            let name = check_name("name", unseen, 100, "");
            assert_eq!(name.unwrap_err().code, "control_characters", "{unseen:?}");
        }
        assert_eq!(
            check_text("body", " one\r\n\ttwo ", BODY_MAX, "").as_deref(),
            Ok("one\r\n\ttwo")
        );
    }

    use crate::Stance;

    fn cast(stance: Stance, reason: Option<&str>) -> CastPosition {
        CastPosition {
            stance,
            reason: reason.map(str::to_owned),
        }
    }

    #[test]
    fn an_invitation_works_for_one_to_ninety_days_with_a_short_note() {
        let invitation = |valid_days, note: &str| NewInvitation {
            organisation: None,
            stakeholder_group: crate::StakeholderGroup::CivilSociety,
            valid_days,
            note: note.to_owned(),
        };
        assert_eq!(
            invitation(14, "  for Amina ").check(),
            Ok("for Amina".into())
        );
        assert_eq!(invitation(90, "").check(), Ok(String::new()));
        for days in [0, -1, 91] {
            let broken = invitation(days, "").check().unwrap_err();
            assert_eq!(broken[0].field, "valid_days", "{days}");
        }
        let broken = invitation(0, &"x".repeat(NOTE_MAX + 1))
            .check()
            .unwrap_err();
        assert_eq!(broken.len(), 2, "both fields are reported at once");
    }

    #[test]
    fn a_handle_is_canonicalised_to_lower_case() {
        assert_eq!(
            Handle::parse("  Ada_L ").map(|h| h.0),
            Ok("ada_l".to_owned())
        );
    }

    #[test]
    fn a_handle_with_spaces_or_symbols_is_refused() {
        for bad in ["ada lovelace", "ada@x", "émile"] {
            assert_eq!(
                Handle::parse(bad).map_err(|e| e.code),
                Err("invalid_characters".to_owned())
            );
        }
    }

    #[test]
    fn a_handle_outside_its_length_limits_is_refused() {
        assert_eq!(
            Handle::parse("").map_err(|e| e.code),
            Err("required".to_owned())
        );
        assert_eq!(
            Handle::parse("ab").map_err(|e| e.code),
            Err("too_short".to_owned())
        );
        let long = "a".repeat(HANDLE_MAX + 1);
        assert_eq!(
            Handle::parse(&long).map_err(|e| e.code),
            Err("too_long".to_owned())
        );
        assert!(Handle::parse(&"a".repeat(HANDLE_MAX)).is_ok());
    }

    #[test]
    fn passwords_are_limited_by_length_only() {
        assert!(check_password("1234567").is_err());
        assert!(check_password("12345678").is_ok());
        assert!(check_password(&"x".repeat(PASSWORD_MAX)).is_ok());
        assert!(check_password(&"x".repeat(PASSWORD_MAX + 1)).is_err());
    }

    #[test]
    fn a_new_password_is_checked_under_its_own_field_name() {
        let change = PasswordChange {
            current_password: "anything".into(),
            new_password: "short".into(),
            end_other_sessions: true,
        };
        assert_eq!(change.check().unwrap_err()[0].field, "new_password");
    }

    #[test]
    fn an_organisation_needs_a_name_and_a_region_and_gets_a_slug() {
        use crate::StakeholderGroup;
        let new = |name: &str, region: &str| NewOrganisation {
            name: name.into(),
            stakeholder_group: StakeholderGroup::CivilSociety,
            region: region.into(),
        };
        assert_eq!(
            new(" Access Now ", "Global").check(),
            Ok(("Access Now".into(), "Global".into(), "access-now".into()))
        );
        let errors = new("", " ").check().unwrap_err();
        assert_eq!(
            errors.iter().map(|e| e.field.as_str()).collect::<Vec<_>>(),
            ["name", "region"]
        );
        assert_eq!(
            new("!!!", "Europe").check().unwrap_err()[0].code,
            "invalid_characters"
        );
        assert_eq!(slugify("Fundación Karisma"), "fundación-karisma");
    }

    #[test]
    fn sign_up_reports_every_broken_field() {
        let errors = check_sign_up(&Credentials {
            handle: "a".into(),
            password: "short".into(),
        })
        .unwrap_err();
        let fields: Vec<_> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["handle", "password"]);
    }

    #[test]
    fn a_reservation_or_opposition_without_a_reason_is_refused() {
        for stance in [Stance::EndorseWithReservation, Stance::Oppose] {
            for reason in [None, Some(""), Some("   ")] {
                let errors = cast(stance, reason).check().unwrap_err();
                assert_eq!(errors[0].field, "reason");
                assert_eq!(errors[0].code, "required");
            }
        }
    }

    #[test]
    fn endorsing_or_abstaining_needs_no_reason_but_keeps_one_given() {
        assert_eq!(cast(Stance::Endorse, None).check(), Ok(None));
        assert_eq!(cast(Stance::Abstain, Some("  ")).check(), Ok(None));
        assert_eq!(
            cast(Stance::Abstain, Some(" not my field ")).check(),
            Ok(Some("not my field".to_owned()))
        );
    }

    #[test]
    fn an_over_long_reason_is_refused() {
        let long = "x".repeat(REASON_MAX + 1);
        let errors = cast(Stance::Oppose, Some(&long)).check().unwrap_err();
        assert_eq!(errors[0].code, "too_long");
    }

    #[test]
    fn a_comment_must_have_text_within_the_limit() {
        assert_eq!(check_comment_body(" \n ").unwrap_err().code, "required");
        let long = "x".repeat(COMMENT_MAX + 1);
        assert_eq!(check_comment_body(&long).unwrap_err().code, "too_long");
        assert_eq!(check_comment_body(" Agreed. "), Ok("Agreed.".to_owned()));
    }

    #[test]
    fn only_commenting_and_voting_accept_comments_and_only_voting_accepts_positions() {
        use crate::Phase;
        let commentable: Vec<_> = Phase::ALL
            .into_iter()
            .filter(|p| p.accepts_comments())
            .collect();
        assert_eq!(commentable, [Phase::Commenting, Phase::Voting]);
        let votable: Vec<_> = Phase::ALL
            .into_iter()
            .filter(|p| p.accepts_positions())
            .collect();
        assert_eq!(votable, [Phase::Voting]);
    }

    #[test]
    fn stances_and_phases_round_trip_through_their_names() {
        for s in Stance::ALL {
            assert_eq!(Stance::parse(s.as_str()), Some(s));
            assert_eq!(serde_json::to_value(s).unwrap(), s.as_str());
        }
        for p in crate::Phase::ALL {
            assert_eq!(crate::Phase::parse(p.as_str()), Some(p));
        }
    }

    #[test]
    fn a_tally_counts_each_stance_and_the_total() {
        let mut t = crate::Tally::default();
        t.add(Stance::Endorse, 3);
        t.add(Stance::Oppose, 1);
        t.add(Stance::Endorse, 1);
        assert_eq!(t.endorse, 4);
        assert_eq!(t.count(Stance::Oppose), 1);
        assert_eq!(t.total(), 5);
    }
}
