//! Participants' proposals: an amendment to a clause, or a new clause, and the conveners'
//! response to each.

use super::clauses::{ClausePath, find_clause};
use super::params::{ClauseParams, RoundParams};
use crate::domain;
use crate::http::auth::{Convening, SignedIn};
use crate::http::error::AppError;
use crate::http::extract::{ApiJson, ApiPath};
use crate::state::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use shared::{ApiError, CreatedProposal, NewProposal, NewResponse, Response};
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
    let clause = find_clause(&state, path).await?;
    let response =
        domain::proposals::respond(&state, &convening.account, &clause, &response).await?;
    Ok(ApiJson(response))
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
    let key = domain::proposals::propose(&state, &account, (&slug, &round), &proposal).await?;
    Ok((StatusCode::CREATED, ApiJson(CreatedProposal { key })))
}
