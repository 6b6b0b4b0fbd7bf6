//! Rounds: read, with results and redline; opened, moved, scheduled and ordered by conveners.

use super::{BASE, consultation_url, get, round_url, seg, send};
use gloo_net::http::Request;
use shared::{
    ApiError, ClauseOrder, NewRound, PhaseMove, Round, RoundRedline, RoundResults, RoundRules,
    Schedule,
};

/// `GET /consultations/{slug}/rounds/{round}`
pub async fn get_round(slug: &str, round: &str) -> Result<Round, ApiError> {
    get(&format!(
        "{BASE}/consultations/{}/rounds/{}",
        seg(slug),
        seg(round)
    ))
    .await
}

/// `POST /consultations/{slug}/rounds` (conveners): the next round, as a draft.
pub async fn open_round(slug: &str, new: &NewRound) -> Result<Round, ApiError> {
    send(Request::post(&consultation_url(slug, "rounds")), new).await
}

/// `PUT …/rounds/{round}/phase` (conveners)
pub async fn move_phase(slug: &str, round: &str, to: &PhaseMove) -> Result<Round, ApiError> {
    send(Request::put(&round_url(slug, round, "phase")), to).await
}

/// `PUT …/rounds/{round}/rules` (conveners)
pub async fn set_rules(slug: &str, round: &str, rules: &RoundRules) -> Result<Round, ApiError> {
    send(Request::put(&round_url(slug, round, "rules")), rules).await
}

/// `GET …/rounds/{round}/redline`
pub async fn round_redline(slug: &str, round: &str) -> Result<RoundRedline, ApiError> {
    get(&round_url(slug, round, "redline")).await
}

/// `GET …/rounds/{round}/results`
pub async fn round_results(slug: &str, round: &str) -> Result<RoundResults, ApiError> {
    get(&round_url(slug, round, "results")).await
}

/// `PUT …/rounds/{round}/schedule` (conveners)
pub async fn set_schedule(slug: &str, round: &str, schedule: &Schedule) -> Result<Round, ApiError> {
    send(Request::put(&round_url(slug, round, "schedule")), schedule).await
}

/// `PUT …/rounds/{round}/order` (conveners)
pub async fn reorder_clauses(
    slug: &str,
    round: &str,
    order: &ClauseOrder,
) -> Result<Round, ApiError> {
    send(Request::put(&round_url(slug, round, "order")), order).await
}
