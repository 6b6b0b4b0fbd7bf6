//! Proposals: a participant's amendment to a clause or a new clause, while the round takes
//! comments, and the conveners' response to each.

use super::access;
use crate::refusal::Refusal;
use crate::state::AppState;
use crate::store::{Account, ClauseRow, StoreError};
use shared::{FieldError, NewProposal, NewResponse, ProposalKind, Response, same_wording};

/// Proposes `proposal` in round `round` of consultation `slug`, by `account`; answers the key
/// of the new clause. An amendment names a clause of the round and changes its wording.
pub async fn propose(
    state: &AppState,
    account: &Account,
    (slug, round): (&str, &str),
    proposal: &NewProposal,
) -> Result<String, StoreError> {
    let consultation = state.store.existing_consultation(slug).await?;
    let row = state
        .store
        .round_row(consultation.id, round)
        .await?
        .ok_or(Refusal::NotFound("round"))?;
    access::require_changeable(&consultation)?;
    if !access::may_take_part(state, account, &consultation).await? {
        return Err(Refusal::NotInvited.into());
    }
    let (title, body) = proposal.check().map_err(Refusal::Validation)?;
    let phase = row.state.phase()?;
    if !phase.accepts_comments() {
        return Err(Refusal::PhaseClosed(phase).into());
    }
    let (title, amends) = match proposal.kind {
        ProposalKind::Addition => (title, None),
        ProposalKind::Amendment => {
            let key = proposal.clause.as_deref().unwrap_or_default().trim();
            let clause = state
                .store
                .clause(slug, round, key)
                .await?
                .filter(|c| c.kind == "text")
                .ok_or_else(|| {
                    Refusal::Validation(vec![FieldError::new(
                        "clause",
                        "unknown_clause",
                        "There is no such clause in this round.",
                    )])
                })?;
            if same_wording(&clause.body_md, &body) {
                return Err(Refusal::Validation(vec![FieldError::new(
                    "body_md",
                    "unchanged",
                    "This is the clause's current wording. Change it to propose an amendment.",
                )])
                .into());
            }
            (clause.title, Some(clause.id))
        }
    };
    let key = state
        .store
        .add_proposal(row.id, proposal.kind, amends, &title, &body, account.id)
        .await?;
    tracing::info!(event = "proposal", by = account.id, %key, "proposal made");
    Ok(key)
}

/// Gives (or replaces) the conveners' response to the proposal `clause`, by convener `by`.
pub async fn respond(
    state: &AppState,
    by: &Account,
    clause: &ClauseRow,
    response: &NewResponse,
) -> Result<Response, StoreError> {
    if clause.kind == "text" {
        return Err(Refusal::NotFound("proposal").into());
    }
    let explanation = response.check().map_err(Refusal::Validation)?;
    state
        .store
        .respond_to_proposal(clause.id, response.verdict, &explanation, by.id)
        .await?;
    state
        .store
        .proposal_response(clause.id)
        .await?
        .ok_or_else(|| StoreError::Corrupt("the response just written is gone".into()))
}
