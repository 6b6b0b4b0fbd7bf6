//! Rounds: each one as everybody reads it, with its results and its redline against the round
//! before; and what conveners do to them: open the next round from the newest one, order its
//! clauses, set its rules, move it through its phases by hand or by schedule, and watch its
//! tally live. Every conveners' answer is the round as it now stands.

use super::params::{ConsultationParams, RoundParams};
use crate::domain;
use crate::http::auth::MaybeAccount;
use crate::http::auth::{Convening, CurrentSession};
use crate::http::error::AppError;
use crate::http::extract::{ApiJson, ApiPath};
use crate::live::{Announcement, LiveEvents};
use crate::refusal::Refusal;
use crate::state::AppState;
use crate::store::ConsultationRef;
use crate::store::RoundRow;
use axum::extract::State;
use axum::http::StatusCode;
use shared::{ApiError, ClauseOrder, LiveTally, NewRound, PhaseMove, Round, RoundRules, Schedule};
use shared::{RoundRedline, RoundResults};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        // A round opened with an imported text carries the whole text.
        .merge(OpenApiRouter::new().routes(routes!(open_round)).layer(
            axum::extract::DefaultBodyLimit::max(crate::document::DOCUMENT_MAX * 2),
        ))
        .routes(routes!(get_round))
        .routes(routes!(round_results))
        .routes(routes!(round_redline))
        .routes(routes!(move_phase))
        .routes(routes!(set_schedule))
        .routes(routes!(reorder_clauses))
        .routes(routes!(set_rules))
        .routes(routes!(live_tally))
}

/// The live tally of a round for its conveners, as server-sent events: first a `tally` event
/// for every clause, then one for each clause whose tally changes, from any server process.
#[utoipa::path(get, path = "/api/v1/consultations/{slug}/rounds/{round}/live", tag = "convening",
    params(RoundParams),
    responses(
        (status = 200, description = "`text/event-stream` of `tally` events, each a LiveTally", content_type = "text/event-stream", body = LiveTally),
        (status = 401, body = ApiError),
        (status = 403, body = ApiError),
        (status = 404, body = ApiError),
    ))]
async fn live_tally(
    State(state): State<AppState>,
    convening: Convening,
    CurrentSession(session): CurrentSession,
    ApiPath((_slug, round)): RoundPath,
) -> Result<LiveEvents, AppError> {
    let row = convened_round(&state, &convening, &round).await?;
    let following = state.hub.follow(&state.store, "live tally").await;
    let now = state
        .store
        .round(&convening.consultation, &row, true)
        .await?
        .clauses
        .into_iter()
        .map(|c| LiveTally {
            clause: c.key,
            tally: c.tally.unwrap_or_default(),
        })
        .collect::<Vec<_>>();
    tracing::info!(event = "live_tally_watched", by = convening.account.id,
        consultation = %convening.consultation.slug, %round, "live tally opened");
    let round_id = row.id;
    let pick = move |event| match event {
        Announcement::Tally(notice) if notice.round_id == round_id => Some(notice.tally),
        _ => None,
    };
    // Before each change, the session and the role that opened the stream must still hold:
    // signed out, or no longer a convener, and the stream ends without telling more.
    let (watcher, consultation) = (convening.account.id, convening.consultation);
    let session = session.unwrap_or_default();
    let still = move || {
        let (state, session, consultation) = (state.clone(), session.clone(), consultation.clone());
        async move {
            crate::domain::access::still_convening(&state, &session, watcher, &consultation).await
        }
    };
    Ok(following.events("tally", now, pick, still))
}

/// Sets how the round decides — a majority of all, or in every stakeholder group's house — and
/// whether abstentions count as not endorsing (conveners only, until the round closes).
#[utoipa::path(put, path = "/api/v1/consultations/{slug}/rounds/{round}/rules", tag = "convening",
    params(RoundParams),
    request_body = RoundRules,
    responses(
        (status = 200, body = Round),
        (status = 401, body = ApiError),
        (status = 403, body = ApiError),
        (status = 404, body = ApiError),
        (status = 409, body = ApiError, description = "The round is closed"),
        (status = 422, body = ApiError, description = "Unknown rule"),
    ))]
async fn set_rules(
    State(state): State<AppState>,
    convening: Convening,
    ApiPath((_slug, round)): RoundPath,
    ApiJson(rules): ApiJson<RoundRules>,
) -> Result<ApiJson<Round>, AppError> {
    let row = convened_round(&state, &convening, &round).await?;
    domain::rounds::set_rules(
        &state,
        &convening.consultation,
        &convening.account,
        &row,
        &rules,
    )
    .await?;
    as_convened(&state, &convening, &round).await
}

/// The round `slug` of the convened consultation.
pub(super) async fn convened_round(
    state: &AppState,
    convening: &Convening,
    slug: &str,
) -> Result<RoundRow, AppError> {
    Ok(crate::domain::rounds::find(state, &convening.consultation, slug).await?)
}

/// The round as conveners see it (results included, even when hidden from participants).
pub(super) async fn as_convened(
    state: &AppState,
    convening: &Convening,
    slug: &str,
) -> Result<ApiJson<Round>, AppError> {
    let row = convened_round(state, convening, slug).await?;
    Ok(ApiJson(
        state
            .store
            .round(&convening.consultation, &row, true)
            .await?,
    ))
}

/// Opens the next round as a draft (conveners only): with the text given, imported from a
/// document and corrected (see `text-preview`), or else with the newest round's text. The
/// newest round must be closed first.
#[utoipa::path(post, path = "/api/v1/consultations/{slug}/rounds", tag = "convening",
    params(ConsultationParams),
    request_body = NewRound,
    responses(
        (status = 201, body = Round),
        (status = 401, body = ApiError),
        (status = 403, body = ApiError),
        (status = 404, body = ApiError),
        (status = 409, body = ApiError, description = "A round with this slug exists, or the newest round is still open"),
        (status = 422, body = ApiError, description = "Slug or title missing or malformed; in the text, duplicate or malformed keys, or empty clauses"),
    ))]
async fn open_round(
    State(state): State<AppState>,
    convening: Convening,
    ApiJson(new): ApiJson<NewRound>,
) -> Result<(StatusCode, ApiJson<Round>), AppError> {
    let slug =
        domain::rounds::open(&state, &convening.consultation, &convening.account, &new).await?;
    Ok((
        StatusCode::CREATED,
        as_convened(&state, &convening, &slug).await?,
    ))
}

/// The path of a round: consultation slug, round slug.
pub(super) type RoundPath = ApiPath<(String, String)>;

/// Moves the round to another phase (conveners only): forward to any later phase, or back among
/// draft, commenting and voting; once closed, only to published.
#[utoipa::path(put, path = "/api/v1/consultations/{slug}/rounds/{round}/phase", tag = "convening",
    params(RoundParams),
    request_body = PhaseMove,
    responses(
        (status = 200, body = Round),
        (status = 401, body = ApiError),
        (status = 403, body = ApiError),
        (status = 404, body = ApiError),
        (status = 409, body = ApiError, description = "Not a move the round can make"),
        (status = 422, body = ApiError, description = "Unknown phase"),
    ))]
async fn move_phase(
    State(state): State<AppState>,
    convening: Convening,
    ApiPath((_slug, round)): RoundPath,
    ApiJson(to): ApiJson<PhaseMove>,
) -> Result<ApiJson<Round>, AppError> {
    let row = convened_round(&state, &convening, &round).await?;
    domain::rounds::move_phase(
        &state,
        &convening.consultation,
        &convening.account,
        &row,
        to.phase,
    )
    .await?;
    as_convened(&state, &convening, &round).await
}

/// Sets when the round moves on by itself (conveners only): each time in the future, in phase
/// order, none for a phase already reached; a missing time is not scheduled.
#[utoipa::path(put, path = "/api/v1/consultations/{slug}/rounds/{round}/schedule", tag = "convening",
    params(RoundParams),
    request_body = Schedule,
    responses(
        (status = 200, body = Round),
        (status = 401, body = ApiError),
        (status = 403, body = ApiError),
        (status = 404, body = ApiError),
        (status = 422, body = ApiError, description = "A time in the past or out of order"),
    ))]
async fn set_schedule(
    State(state): State<AppState>,
    convening: Convening,
    ApiPath((_slug, round)): RoundPath,
    ApiJson(schedule): ApiJson<Schedule>,
) -> Result<ApiJson<Round>, AppError> {
    let row = convened_round(&state, &convening, &round).await?;
    domain::rounds::schedule(
        &state,
        &convening.consultation,
        &convening.account,
        &row,
        &schedule,
    )
    .await?;
    as_convened(&state, &convening, &round).await
}

/// Puts the draft's clauses in a new order (conveners only).
#[utoipa::path(put, path = "/api/v1/consultations/{slug}/rounds/{round}/order", tag = "convening",
    params(RoundParams),
    request_body = ClauseOrder,
    responses(
        (status = 200, body = Round),
        (status = 401, body = ApiError),
        (status = 403, body = ApiError),
        (status = 404, body = ApiError),
        (status = 409, body = ApiError, description = "The round is not a draft"),
        (status = 422, body = ApiError, description = "The keys are not the round's clauses, each once"),
    ))]
async fn reorder_clauses(
    State(state): State<AppState>,
    convening: Convening,
    ApiPath((_slug, round)): RoundPath,
    ApiJson(order): ApiJson<ClauseOrder>,
) -> Result<ApiJson<Round>, AppError> {
    let row = convened_round(&state, &convening, &round).await?;
    domain::drafting::reorder(&state, &convening.account, &row, &order.keys).await?;
    as_convened(&state, &convening, &round).await
}

/// A round's whole text as one redline against the previous round: each clause added, changed
/// (word by word), unchanged, or removed.
#[utoipa::path(get, path = "/api/v1/consultations/{slug}/rounds/{round}/redline",
    tag = "consultations",
    params(RoundParams),
    responses((status = 200, body = RoundRedline), (status = 404, body = ApiError)))]
async fn round_redline(
    State(state): State<AppState>,
    ApiPath((slug, round)): ApiPath<(String, String)>,
) -> Result<ApiJson<RoundRedline>, AppError> {
    let (consultation, row) = find_round(&state, &slug, &round).await?;
    Ok(ApiJson(
        state.store.round_redline(&consultation, &row).await?,
    ))
}

/// A round's results, clause by clause: counts by position, stakeholder group and region, the
/// result under the round's rule house by house, the consensus level and minority statements.
/// Public once the round is published; before, its conveners see them (and that is logged).
#[utoipa::path(get, path = "/api/v1/consultations/{slug}/rounds/{round}/results",
    tag = "consultations",
    params(RoundParams),
    responses(
        (status = 200, body = RoundResults),
        (status = 404, body = ApiError),
        (status = 409, body = ApiError, description = "Not published yet"),
    ))]
async fn round_results(
    State(state): State<AppState>,
    MaybeAccount(account): MaybeAccount,
    ApiPath((slug, round)): ApiPath<(String, String)>,
) -> Result<ApiJson<RoundResults>, AppError> {
    let (consultation, row) = find_round(&state, &slug, &round).await?;
    let results = domain::rounds::results(&state, account.as_ref(), &consultation, &row).await?;
    Ok(ApiJson(results))
}

/// The consultation `slug` and its round `round`.
pub(crate) async fn find_round(
    state: &AppState,
    slug: &str,
    round: &str,
) -> Result<(ConsultationRef, RoundRow), AppError> {
    let consultation = state
        .store
        .consultation_ref(slug)
        .await?
        .ok_or(Refusal::NotFound("round"))?;
    let row = state
        .store
        .round_row(consultation.id, round)
        .await?
        .ok_or(Refusal::NotFound("round"))?;
    Ok((consultation, row))
}

/// Shows one round: its phase and its clauses with their tallies.
#[utoipa::path(get, path = "/api/v1/consultations/{slug}/rounds/{round}", tag = "consultations",
    params(ConsultationParams, ("round" = String, Path, description = "The round's slug, e.g. 2019")),
    responses((status = 200, body = Round), (status = 404, body = ApiError)))]
async fn get_round(
    State(state): State<AppState>,
    MaybeAccount(account): MaybeAccount,
    ApiPath((slug, round)): ApiPath<(String, String)>,
) -> Result<ApiJson<Round>, AppError> {
    let (consultation, row) = find_round(&state, &slug, &round).await?;
    let round = domain::rounds::read(&state, account.as_ref(), &consultation, &row).await?;
    Ok(ApiJson(round))
}
