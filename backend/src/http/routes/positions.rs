//! Positions: taking or changing one's position on a clause while its round is voting.

use super::clauses::{ClausePath, find_clause};
use super::params::ClauseParams;
use crate::http::auth::SignedIn;
use crate::http::error::AppError;
use crate::http::extract::ApiJson;
use crate::state::AppState;
use axum::extract::State;
use shared::{ApiError, CastPosition, PositionCast};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(cast_position))
}

/// Takes or changes the caller's position on a clause during the voting phase.
#[utoipa::path(put, path = "/api/v1/consultations/{slug}/rounds/{round}/clauses/{key}/position",
    tag = "clauses", params(ClauseParams), request_body = CastPosition,
    responses(
        (status = 200, body = PositionCast, description = "The position as stored and the new tally"),
        (status = 401, body = ApiError, description = "Not signed in"),
        (status = 403, body = ApiError, description = "By invitation only, and not invited"),
        (status = 404, body = ApiError),
        (status = 409, body = ApiError, description = "The round is not in its voting phase"),
        (status = 422, body = ApiError, description = "Unknown stance, or a missing reason"),
    ))]
async fn cast_position(
    State(state): State<AppState>,
    SignedIn(account): SignedIn,
    path: ClausePath,
    ApiJson(cast): ApiJson<CastPosition>,
) -> Result<ApiJson<PositionCast>, AppError> {
    let clause = find_clause(&state, path).await?;
    let cast = crate::domain::positions::cast(&state, &account, &clause, &cast).await?;
    Ok(ApiJson(cast))
}
