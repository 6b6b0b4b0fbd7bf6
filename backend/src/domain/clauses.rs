//! One clause as a reader and its organisations see it: its text with the passages commented
//! on, its redline against the wording it replaces, its results when the round shows them, the
//! reader's own position, and the statements of organisations that objected.

use super::access;
use crate::markdown;
use crate::refusal::Refusal;
use crate::state::AppState;
use crate::store::{Account, ClauseRow, StoreError};
use shared::{
    Clause, ConsensusLevel, Counting, FieldError, MinorityStatement, NewMinorityStatement, Phase,
    Results, StakeholderGroup, chambered, find_passage,
};

/// The results of `row`, unless its round hides them from `account`.
pub async fn results(
    state: &AppState,
    account: Option<&Account>,
    row: &ClauseRow,
) -> Result<Results, StoreError> {
    let hidden = row.state.hides_results()?;
    if hidden
        && !access::sees_results(state, account, &row.consultation()?, &row.round_slug, true)
            .await?
    {
        return Err(Refusal::NotPublished.into());
    }
    state.store.results(row.id).await
}

/// The clause `row` as `account` (or an anonymous reader) sees it.
pub async fn read(
    state: &AppState,
    account: Option<&Account>,
    row: ClauseRow,
) -> Result<Clause, StoreError> {
    let consultation = row.consultation()?;
    let show = access::sees_results(
        state,
        account,
        &consultation,
        &row.round_slug,
        row.state.hides_results()?,
    )
    .await?;
    let results = match show {
        true => Some(state.store.results(row.id).await?),
        false => None,
    };
    let counting = row.state.counting()?;
    let (my_position, may_take_part, my_group) = match account {
        Some(account) => {
            let standing = state.store.standing(consultation.id, account.id).await?;
            // Per organisation, members see the position their representative cast.
            let position = match (counting, standing.as_ref().and_then(|s| s.organisation_id)) {
                (Counting::Organisation, Some(organisation)) => {
                    state
                        .store
                        .organisation_position(row.id, organisation)
                        .await?
                }
                (Counting::Organisation, None) => None,
                (Counting::Person, _) => state.store.position(row.id, account.id).await?,
            };
            (
                position,
                access::may_take_part(state, account, &consultation).await?,
                standing.and_then(|s| StakeholderGroup::parse(&s.stakeholder_group)),
            )
        }
        None => (None, false, None),
    };
    let consensus = row.consensus()?;
    let minority_statements = state.store.minority_statements(row.id).await?;
    let chambered_result = results
        .as_ref()
        .map(|r| {
            Ok::<_, StoreError>(chambered(
                r,
                row.state.rule()?,
                row.state.abstentions_count != 0,
            ))
        })
        .transpose()?;
    let proposal = row.proposal()?;
    // A clause compares with its wording last round; an amendment with the clause it rewrites.
    let (previous, amended) = match (&proposal, row.state.previous_round_id) {
        (None, Some(id)) => (state.store.clause_in_round(id, &row.key).await?, None),
        (Some(p), _) => match &p.amends {
            Some(key) => (None, state.store.clause_in_round(row.round_id, key).await?),
            None => (None, None),
        },
        (None, None) => (None, None),
    };
    let words = markdown::words(&row.body_md);
    let marks = {
        let words: Vec<&str> = words.iter().map(String::as_str).collect();
        state
            .store
            .passages(row.id)
            .await?
            .iter()
            .filter_map(|passage| find_passage(&words, passage))
            .collect::<Vec<_>>()
    };
    let translations = state.store.translations(&row).await?;
    Ok(Clause {
        round: row.round_summary()?,
        body_html: markdown::render_clause(&row.body_md, &marks),
        words,
        redline: previous
            .as_ref()
            .or(amended.as_ref())
            .map(|p| crate::markdown::redline(&p.body_md, &row.body_md)),
        previous_round: previous.map(|p| p.round_slug),
        responds_to: state.store.responds_to(row.id).await?,
        consultation_slug: row.consultation_slug,
        consultation_title: row.consultation_title,
        key: row.key,
        number: row.number.abs(),
        response: match proposal {
            Some(_) => state.store.proposal_response(row.id).await?,
            None => None,
        },
        proposal,
        translations,
        title: row.title,
        body_md: row.body_md,
        change_note: row.change_note,
        consensus,
        minority_statements,
        counting,
        chambered: chambered_result,
        results,
        my_position,
        access: consultation.access,
        may_take_part,
        my_group,
    })
}

/// Attaches the statement of an organisation that reserved or opposed to clause `row`, by its
/// representative `account`, once the round is closed; answers the clause's statements.
pub async fn attach_minority_statement(
    state: &AppState,
    account: &Account,
    row: &ClauseRow,
    statement: &NewMinorityStatement,
) -> Result<Vec<MinorityStatement>, StoreError> {
    access::require_changeable(&row.consultation()?)?;
    if !state
        .store
        .is_representative(account.id, &statement.organisation)
        .await?
    {
        return Err(Refusal::NotItsRepresentative.into());
    }
    let phase = row.state.phase()?;
    if phase != Phase::Closed {
        return Err(Refusal::PhaseClosed(phase).into());
    }
    let body = statement.check().map_err(Refusal::Validation)?;
    let organisation = state
        .store
        .organisation_id(&statement.organisation)
        .await?
        .ok_or(Refusal::NotFound("organisation"))?;
    // The organisation's position: its own in a round counting per organisation, otherwise
    // the one its representative took.
    let position = match row.state.counting()? {
        Counting::Organisation => {
            state
                .store
                .organisation_position(row.id, organisation)
                .await?
        }
        Counting::Person => state.store.position(row.id, account.id).await?,
    };
    if !position.is_some_and(|p| p.stance.requires_reason()) {
        return Err(Refusal::Validation(vec![FieldError::new(
            "organisation",
            "did_not_object",
            "Only an organisation that endorsed with reservation or opposed may attach a \
             minority statement.",
        )])
        .into());
    }
    state
        .store
        .set_minority_statement(row.id, organisation, &body, account.id)
        .await?;
    tracing::info!(
        event = "minority_statement",
        by = account.id,
        organisation,
        "minority statement attached"
    );
    state.store.minority_statements(row.id).await
}

/// Designates how much agreement clause `row` found, by convener `by`, once its round is
/// closed.
pub async fn designate_consensus(
    state: &AppState,
    by: &Account,
    row: &ClauseRow,
    level: ConsensusLevel,
) -> Result<(), StoreError> {
    let phase = row.state.phase()?;
    if phase != Phase::Closed {
        return Err(Refusal::PhaseClosed(phase).into());
    }
    state.store.set_consensus(row, level, by.id).await?;
    tracing::info!(event = "consensus_designated", by = by.id,
        consultation = %row.consultation_slug, round = %row.round_slug, key = %row.key,
        level = level.as_str(), "consensus designated");
    Ok(())
}
