//! What a record must hold before an import writes any of it. A bundle's signature says who made
//! it, not that its maker was honest or its version bug-free: every value is checked against the
//! same rules the API applies to what people type, so an import cannot bring in what nobody could
//! have written here (a round still open for positions, a key that is a page's name, a duplicate
//! that the database would refuse with an error nobody can act on).

use super::import::ImportError;
use super::{Person, Record, ResponseRecord};
use shared::rules::{
    BODY_MAX, CHANGE_NOTE_MAX, COMMENT_MAX, Handle, ORGANISATION_NAME_MAX, REASON_MAX, REGION_MAX,
    TITLE_MAX, check_optional_text, check_text, slugify,
};
use shared::setup::{DESCRIPTION_MAX, check_consultation_slug};
use shared::{
    ConsensusLevel, ConsultationSettings, Counting, FieldError, Language, LocalTitle,
    ModerationAction, NewRound, Phase, ProposalKind, Rule, StakeholderGroup, Stance, Verdict,
};
use std::collections::HashSet;

/// Longest pseudonym or receipt a record may give.
const TOKEN_MAX: usize = 128;

/// `what`'s problem, as the import's refusal says it.
fn invalid(what: &str, message: impl std::fmt::Display) -> ImportError {
    ImportError::Invalid(format!("{what}: {message}"))
}

/// `check`'s verdict on `what`, as the import's refusal.
fn field<T>(what: &str, check: Result<T, FieldError>) -> Result<T, ImportError> {
    check.map_err(|e| invalid(what, e.message))
}

fn text(what: &str, value: &str, max: usize) -> Result<(), ImportError> {
    field(what, check_text("text", value, max, "it is empty")).map(drop)
}

fn optional_text(what: &str, value: &str, max: usize) -> Result<(), ImportError> {
    field(what, check_optional_text("text", value, max)).map(drop)
}

/// A value that must be one of the names `parse` knows.
fn named<T>(what: &str, value: &str, parse: fn(&str) -> Option<T>) -> Result<T, ImportError> {
    parse(value).ok_or_else(|| invalid(what, format!("“{value}” is not a value Concord knows")))
}

fn person(what: &str, person: &Person) -> Result<(), ImportError> {
    let pseudonym = &person.pseudonym;
    if pseudonym.is_empty()
        || pseudonym.len() > TOKEN_MAX
        || !pseudonym
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-')
    {
        return Err(invalid(what, "the pseudonym is not one Concord writes"));
    }
    if let Some(handle) = &person.handle {
        field(what, Handle::parse(handle))?;
    }
    Ok(())
}

fn response(what: &str, response: &ResponseRecord) -> Result<(), ImportError> {
    named(what, &response.verdict, Verdict::parse)?;
    optional_text(what, &response.explanation, COMMENT_MAX)?;
    if let Some(handle) = &response.by {
        field(what, Handle::parse(handle))?;
    }
    Ok(())
}

/// The consultation's settings the record gives, checked; the defaults for what it leaves out.
/// Regions that differ only in case or spacing (as free-text regions of old could) are kept
/// once.
pub fn settings(record: &Record) -> Result<ConsultationSettings, ImportError> {
    let consultation = &record.consultation;
    let mut titles = Vec::new();
    for local in &consultation.titles {
        let language = named("a title's language", &local.language, Language::parse)?;
        titles.push(LocalTitle {
            language,
            title: local.title.clone(),
        });
    }
    if titles.is_empty() {
        titles.push(LocalTitle {
            language: Language::En,
            title: consultation.title.clone(),
        });
    }
    let mut settings = ConsultationSettings {
        titles,
        description: consultation.description.clone(),
        ..ConsultationSettings::default()
    };
    if let Some(groups) = &consultation.stakeholder_groups {
        settings.stakeholder_groups = groups
            .iter()
            .map(|g| named("a stakeholder group", g, StakeholderGroup::parse))
            .collect::<Result<_, _>>()?;
    }
    if let Some(regions) = &consultation.regions {
        settings.regions.clear();
        for region in regions {
            if !settings
                .regions
                .iter()
                .any(|r| shared::setup::same_region(r, region))
            {
                settings.regions.push(region.clone());
            }
        }
    }
    settings.check().map_err(|broken| {
        let first = &broken[0];
        invalid(
            &format!("the consultation's {}", first.field),
            &first.message,
        )
    })
}

/// Checks every value of `record` that an import writes; the first problem found refuses it.
pub fn check(record: &Record) -> Result<(), ImportError> {
    let consultation = &record.consultation;
    field(
        "the consultation's address",
        check_consultation_slug(&consultation.slug),
    )?;
    text("the consultation's title", &consultation.title, TITLE_MAX)?;
    optional_text(
        "the consultation's description",
        &consultation.description,
        DESCRIPTION_MAX,
    )?;
    settings(record)?;

    let round = &record.round;
    let new_round = |slug: &str| NewRound {
        slug: slug.to_owned(),
        title: round.title.clone(),
        hide_results: false,
        rule: Rule::default(),
        abstentions_count: false,
        counting: Counting::default(),
        text: None,
    };
    let (slug, _) = new_round(&round.slug).check().map_err(|broken| {
        invalid(
            &format!("the round's {}", broken[0].field),
            &broken[0].message,
        )
    })?;
    if slug != round.slug {
        return Err(invalid("the round's address", "it is not in lower case"));
    }
    match named("the round's phase", &round.phase, Phase::parse)? {
        Phase::Closed | Phase::Published => {}
        _ => {
            return Err(invalid(
                "the round's phase",
                "only the record of a closed or published round can be imported; this one was \
                 still open",
            ));
        }
    }
    named("the round's counting", &round.counting, Counting::parse)?;
    named("the round's rule", &round.rule, Rule::parse)?;
    optional_text(
        "the round's preamble",
        &round.preamble,
        shared::draft::PREAMBLE_MAX,
    )?;
    if let Some(previous) = &round.previous_round {
        let checked = new_round(previous)
            .check()
            .map_err(|broken| invalid("the previous round's address", &broken[0].message))?;
        if checked.0 != *previous || *previous == round.slug {
            return Err(invalid(
                "the previous round's address",
                "it must be another round's address, in lower case",
            ));
        }
    }

    let mut keys = HashSet::new();
    let mut numbers = HashSet::new();
    for clause in &record.clauses {
        let what = format!("clause “{}”", clause.key);
        field(&what, shared::draft::check_key(&clause.key))?;
        if !keys.insert(clause.key.as_str()) {
            return Err(invalid(&what, "another clause has the same key"));
        }
        if clause.number < 1 || !numbers.insert(clause.number) {
            return Err(invalid(&what, "its number is not a new positive number"));
        }
        text(&what, &clause.title, TITLE_MAX)?;
        text(&what, &clause.body, BODY_MAX)?;
        optional_text(&what, &clause.change_note, CHANGE_NOTE_MAX)?;
        if let Some(previous) = &clause.previous {
            text(&what, &previous.title, TITLE_MAX)?;
            text(&what, &previous.body, BODY_MAX)?;
        }
        if let Some(level) = &clause.consensus {
            named(&what, level, ConsensusLevel::parse)?;
        }
        let mut organisations = HashSet::new();
        for statement in &clause.minority_statements {
            let slug = &statement.organisation;
            if slug.is_empty() || slugify(slug) != *slug || !organisations.insert(slug) {
                return Err(invalid(
                    &what,
                    format!("the minority statement of “{slug}” is not one Concord writes"),
                ));
            }
            text(&what, &statement.organisation_name, ORGANISATION_NAME_MAX)?;
            text(&what, &statement.body, COMMENT_MAX)?;
        }
    }
    for proposal in &record.proposals {
        let what = format!("proposal “{}”", proposal.key);
        let number = proposal
            .key
            .strip_prefix("proposal-")
            .and_then(|n| n.parse::<u32>().ok())
            .filter(|n| *n > 0 && proposal.key == format!("proposal-{n}"));
        if number.is_none() || !keys.insert(proposal.key.as_str()) {
            return Err(invalid(&what, "its key is not a new proposal-N"));
        }
        named(&what, &proposal.kind, ProposalKind::parse)?;
        text(&what, &proposal.title, TITLE_MAX)?;
        text(&what, &proposal.body, BODY_MAX)?;
        person(&what, &proposal.proposer)?;
        if let Some(r) = &proposal.response {
            response(&what, r)?;
        }
    }

    let mut comments = HashSet::new();
    for comment in &record.comments {
        let what = format!("comment {}", comment.id);
        if !comments.insert(comment.id) {
            return Err(invalid(&what, "another comment has the same number"));
        }
        if !keys.contains(comment.clause.as_str()) {
            return Err(invalid(&what, "it is on a clause the record does not hold"));
        }
        if !(0..=shared::MAX_DEPTH).contains(&comment.depth) {
            return Err(invalid(&what, "its depth is out of range"));
        }
        person(&what, &comment.author)?;
        named(&what, &comment.phase, Phase::parse)?;
        if let Some(body) = &comment.body {
            text(&what, body, COMMENT_MAX)?;
        }
        if let Some(reason) = &comment.hidden_reason {
            optional_text(&what, reason, shared::deliberation::REASON_MAX)?;
        }
        if let Some(passage) = &comment.passage {
            for part in [&passage.exact, &passage.prefix, &passage.suffix] {
                optional_text(&what, part, shared::deliberation::PASSAGE_MAX)?;
            }
        }
        if let Some(r) = &comment.response {
            response(&what, r)?;
        }
    }
    for entry in &record.moderation {
        let what = format!("the moderation of comment {}", entry.comment);
        named(&what, &entry.action, ModerationAction::parse)?;
        optional_text(&what, &entry.reason, shared::deliberation::REASON_MAX)?;
        if let Some(handle) = &entry.by {
            field(&what, Handle::parse(handle))?;
        }
    }

    let mut standing = HashSet::new();
    let mut receipts = HashSet::new();
    for position in &record.positions {
        let what = format!("a position on “{}”", position.clause);
        if !keys.contains(position.clause.as_str()) {
            return Err(invalid(&what, "it is on a clause the record does not hold"));
        }
        person(&what, &position.voter)?;
        named(&what, &position.position, Stance::parse)?;
        if let Some(group) = &position.stakeholder_group {
            named(&what, group, StakeholderGroup::parse)?;
        }
        if let Some(organisation) = &position.organisation
            && (organisation.is_empty() || slugify(organisation) != *organisation)
        {
            return Err(invalid(&what, "its organisation is not one Concord writes"));
        }
        optional_text(&what, &position.region, REGION_MAX)?;
        if let Some(reason) = &position.reason {
            optional_text(&what, reason, REASON_MAX)?;
        }
        let receipt = &position.receipt;
        if receipt.is_empty() || receipt.len() > TOKEN_MAX || !receipts.insert(receipt.as_str()) {
            return Err(invalid(&what, "its receipt is missing or given twice"));
        }
        optional_text(&what, receipt, TOKEN_MAX)?;
        if position.current
            && !standing.insert((position.clause.as_str(), position.voter.pseudonym.as_str()))
        {
            return Err(invalid(
                &what,
                "one person has two standing positions on one clause",
            ));
        }
    }
    Ok(())
}
