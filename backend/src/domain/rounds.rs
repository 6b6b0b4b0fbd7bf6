//! A consultation's rounds: reading one and its results, as far as the reader may see them; and
//! what conveners do to them: open the next one (with its text, checked part by part), move it
//! through its phases, schedule those moves, and set how it decides. Each change is logged with
//! who made it.

use super::access;
use crate::refusal::Refusal;
use crate::state::AppState;
use crate::store::{Account, ConsultationRef, RoundRow, StoreError, now_ms};
use shared::{FieldError, NewRound, Phase, Round, RoundResults, RoundRules, Schedule};

/// Round `slug` of `consultation`.
pub async fn find(
    state: &AppState,
    consultation: &ConsultationRef,
    slug: &str,
) -> Result<RoundRow, StoreError> {
    state
        .store
        .round_row(consultation.id, slug)
        .await?
        .ok_or(Refusal::NotFound("round").into())
}

/// Round `row` of `consultation` as `account` (or an anonymous reader) sees it: its phase and
/// its clauses, with their tallies unless the round hides them from this reader.
pub async fn read(
    state: &AppState,
    account: Option<&Account>,
    consultation: &ConsultationRef,
    row: &RoundRow,
) -> Result<Round, StoreError> {
    let show = access::sees_results(
        state,
        account,
        consultation,
        &row.slug,
        row.state.hides_results()?,
    )
    .await?;
    state.store.round(consultation, row, show).await
}

/// The results of round `row`, clause by clause: public once it is published; before, only its
/// conveners see them (and that is logged).
pub async fn results(
    state: &AppState,
    account: Option<&Account>,
    consultation: &ConsultationRef,
    row: &RoundRow,
) -> Result<RoundResults, StoreError> {
    let published = row.state.phase()? == Phase::Published;
    // Before publication only conveners look, through the same logged check as hidden counts.
    if !published && !access::sees_results(state, account, consultation, &row.slug, true).await? {
        return Err(Refusal::NotPublished.into());
    }
    state.store.round_results(consultation, row).await
}

/// Opens the next round of `consultation` as a draft, by convener `by`; answers its slug.
pub async fn open(
    state: &AppState,
    consultation: &ConsultationRef,
    by: &Account,
    new: &NewRound,
) -> Result<String, StoreError> {
    let (slug, title) = new.check().map_err(Refusal::Validation)?;
    let text = new
        .text
        .as_ref()
        .map(|text| text.check().map_err(|broken| within("text", broken)))
        .transpose()?;
    state
        .store
        .open_round(consultation.id, &slug, &title, new, text.as_ref(), by.id)
        .await?;
    tracing::info!(event = "round_opened", by = by.id, consultation = %consultation.slug,
        round = %slug, "round opened");
    Ok(slug)
}

/// Moves round `row` to phase `to`, by convener `by`; staying where it is changes nothing.
pub async fn move_phase(
    state: &AppState,
    consultation: &ConsultationRef,
    by: &Account,
    row: &RoundRow,
    to: Phase,
) -> Result<(), StoreError> {
    let from = row.state.phase()?;
    if from != to {
        state.store.move_phase(row, to, by.id).await?;
        tracing::info!(event = "phase_moved", by = by.id, consultation = %consultation.slug,
            round = %row.slug, from = from.as_str(), to = to.as_str(), "round moved");
    }
    Ok(())
}

/// Sets when round `row` moves on by itself, by convener `by`.
pub async fn schedule(
    state: &AppState,
    consultation: &ConsultationRef,
    by: &Account,
    row: &RoundRow,
    schedule: &Schedule,
) -> Result<(), StoreError> {
    schedule
        .check(row.state.phase()?, now_ms())
        .map_err(Refusal::Validation)?;
    state.store.set_schedule(row, schedule, by.id).await?;
    tracing::info!(event = "schedule_set", by = by.id, consultation = %consultation.slug,
        round = %row.slug, "round scheduled");
    Ok(())
}

/// Sets how round `row` decides, by convener `by`.
pub async fn set_rules(
    state: &AppState,
    consultation: &ConsultationRef,
    by: &Account,
    row: &RoundRow,
    rules: &RoundRules,
) -> Result<(), StoreError> {
    state.store.set_rules(row, rules, by.id).await?;
    tracing::info!(event = "rules_set", by = by.id, consultation = %consultation.slug,
        round = %row.slug, rule = rules.rule.as_str(), "round rules set");
    Ok(())
}

/// Field errors of a part of the body, named from the body's top (`text.clauses[2].key`).
fn within(part: &str, broken: Vec<FieldError>) -> Refusal {
    Refusal::Validation(
        broken
            .into_iter()
            .map(|mut e| {
                e.field = format!("{part}.{}", e.field);
                e
            })
            .collect(),
    )
}
