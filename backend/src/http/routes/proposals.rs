//! Participants' proposals: an amendment to a clause, or a new clause, and the conveners'
//! response to each.

use super::clauses::{ClausePath, find_clause};
use super::params::{ClauseParams, RoundParams};
use crate::http::auth::{Convening, SignedIn};
use crate::http::error::AppError;
use crate::http::extract::{ApiJson, ApiPath};
use crate::refusal::Refusal;
use crate::state::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use shared::{
    ApiError, CreatedProposal, FieldError, NewProposal, NewResponse, ProposalKind, Response,
    same_wording,
};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(propose))
        .routes(routes!(respond_to_proposal))
}

/// Gives the conveners' official response to a proposal — noted, accepted, partly accepted or
/// not accepted — with an explanation; again replaces it (conveners only).
#[utoipa::path(put,
    path = "/api/v1/consultations/{slug}/rounds/{round}/clauses/{key}/response",
    tag = "convening", params(ClauseParams), request_body = NewResponse,
    responses(
        (status = 200, body = Response),
        (status = 401, body = ApiError),
        (status = 403, body = ApiError),
        (status = 404, body = ApiError, description = "No such proposal (clauses of the text are answered through their comments)"),
        (status = 422, body = ApiError, description = "No explanation, or an unknown verdict"),
    ))]
async fn respond_to_proposal(
    State(state): State<AppState>,
    convening: Convening,
    path: ClausePath,
    ApiJson(response): ApiJson<NewResponse>,
) -> Result<ApiJson<Response>, AppError> {
    let row = find_clause(&state, path).await?;
    if row.kind == "text" {
        return Err(Refusal::NotFound("proposal").into());
    }
    let explanation = response.check().map_err(Refusal::Validation)?;
    state
        .store
        .respond_to_proposal(row.id, response.verdict, &explanation, convening.account.id)
        .await?;
    state
        .store
        .proposal_response(row.id)
        .await?
        .map(ApiJson)
        .ok_or_else(|| AppError::Internal(anyhow::anyhow!("the response just written is gone")))
}

/// Proposes an amendment (new wording for a clause, read as a redline against it) or an
/// addition (a clause the text is missing) while the round takes comments. The proposal is
/// then read, discussed and voted on like a clause, at `…/clauses/{key}`.
#[utoipa::path(post, path = "/api/v1/consultations/{slug}/rounds/{round}/proposals",
    tag = "clauses", request_body = NewProposal,
    params(RoundParams),
    responses(
        (status = 201, body = CreatedProposal),
        (status = 401, body = ApiError),
        (status = 403, body = ApiError, description = "By invitation only, and not invited"),
        (status = 404, body = ApiError),
        (status = 409, body = ApiError, description = "The round's phase does not take proposals"),
        (status = 422, body = ApiError, description = "A missing title or wording, an unknown clause, or an amendment identical to the current wording"),
    ))]
async fn propose(
    State(state): State<AppState>,
    SignedIn(account): SignedIn,
    ApiPath((slug, round)): ApiPath<(String, String)>,
    ApiJson(proposal): ApiJson<NewProposal>,
) -> Result<(StatusCode, ApiJson<CreatedProposal>), AppError> {
    let consultation = state.store.existing_consultation(&slug).await?;
    let row = state
        .store
        .round_row(consultation.id, &round)
        .await?
        .ok_or(Refusal::NotFound("round"))?;
    crate::domain::access::require_changeable(&consultation)?;
    if !crate::domain::access::may_take_part(&state, &account, &consultation).await? {
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
                .clause(&slug, &round, key)
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
    Ok((StatusCode::CREATED, ApiJson(CreatedProposal { key })))
}
