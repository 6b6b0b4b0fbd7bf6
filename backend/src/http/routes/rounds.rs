//! What a consultation's conveners do to its rounds: open the next round from the newest one,
//! edit the draft's clauses, and move the round through its phases by hand or by schedule.
//! Every answer is the round as it now stands.

use super::params::{ConsultationParams, RoundParams};
use crate::auth::{self, Convening, CurrentSession};
use crate::http::error::AppError;
use crate::http::extract::{ApiJson, ApiPath};
use crate::live::{Announcement, LiveEvents};
use crate::refusal::Refusal;
use crate::state::AppState;
use crate::store::{ClauseDraft, RoundRow, UnknownComments, now_ms};
use axum::extract::State;
use axum::http::StatusCode;
use shared::{
    ApiError, ClauseEdit, ClauseOrder, ClauseTranslation, ConsensusDesignation, FieldError,
    Language, LiveTally, NewRound, Phase, PhaseMove, Round, RoundRules, Schedule, TranslationEdit,
};

use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        // A round opened with an imported text carries the whole text.
        .merge(OpenApiRouter::new().routes(routes!(open_round)).layer(
            axum::extract::DefaultBodyLimit::max(crate::document::DOCUMENT_MAX * 2),
        ))
        .routes(routes!(move_phase))
        .routes(routes!(set_schedule))
        .routes(routes!(reorder_clauses))
        .routes(routes!(add_clause))
        .routes(routes!(edit_clause, remove_clause))
        .routes(routes!(set_rules))
        .routes(routes!(designate_consensus))
        .routes(routes!(live_tally))
        .routes(routes!(translate_clause, remove_translation))
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
    let row = find_round(&state, &convening, &round).await?;
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
        async move { auth::still_convening(&state, &session, watcher, &consultation).await }
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
    let row = find_round(&state, &convening, &round).await?;
    state
        .store
        .set_rules(&row, &rules, convening.account.id)
        .await?;
    tracing::info!(event = "rules_set", by = convening.account.id,
        consultation = %convening.consultation.slug, %round, rule = rules.rule.as_str(),
        "round rules set");
    answer(&state, &convening, &round).await
}

/// Designates how much agreement a clause found (conveners only, once the round is closed and
/// before it is published).
#[utoipa::path(put, path = "/api/v1/consultations/{slug}/rounds/{round}/clauses/{key}/consensus",
    tag = "convening",
    params(
        ("slug" = String, Path, description = "The consultation's slug"),
        ("round" = String, Path, description = "The round's slug"),
        ("key" = String, Path, description = "The clause's key"),
    ),
    request_body = ConsensusDesignation,
    responses(
        (status = 204, description = "Designated"),
        (status = 401, body = ApiError),
        (status = 403, body = ApiError),
        (status = 404, body = ApiError),
        (status = 409, body = ApiError, description = "The round is not closed, or already published"),
        (status = 422, body = ApiError, description = "Unknown level"),
    ))]
async fn designate_consensus(
    State(state): State<AppState>,
    convening: Convening,
    ApiPath((_slug, round, key)): ClausePath,
    ApiJson(designation): ApiJson<ConsensusDesignation>,
) -> Result<StatusCode, AppError> {
    let clause = state
        .store
        .clause(&convening.consultation.slug, &round, &key)
        .await?
        .ok_or(Refusal::NotFound("clause"))?;
    let phase = clause.state.phase()?;
    if phase != Phase::Closed {
        return Err(Refusal::PhaseClosed(phase).into());
    }
    state
        .store
        .set_consensus(&clause, designation.level, convening.account.id)
        .await?;
    tracing::info!(event = "consensus_designated", by = convening.account.id,
        consultation = %convening.consultation.slug, %round, %key,
        level = designation.level.as_str(), "consensus designated");
    Ok(StatusCode::NO_CONTENT)
}

/// The round `slug` of the convened consultation.
async fn find_round(
    state: &AppState,
    convening: &Convening,
    slug: &str,
) -> Result<RoundRow, AppError> {
    state
        .store
        .round_row(convening.consultation.id, slug)
        .await?
        .ok_or(Refusal::NotFound("round").into())
}

/// The round as conveners see it (results included, even when hidden from participants).
async fn answer(
    state: &AppState,
    convening: &Convening,
    slug: &str,
) -> Result<ApiJson<Round>, AppError> {
    let row = find_round(state, convening, slug).await?;
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
    let (slug, title) = new.check().map_err(Refusal::Validation)?;
    let text = new
        .text
        .as_ref()
        .map(|text| text.check().map_err(|broken| within("text", broken)))
        .transpose()?;
    state
        .store
        .open_round(
            convening.consultation.id,
            &slug,
            &title,
            &new,
            text.as_ref(),
            convening.account.id,
        )
        .await?;
    tracing::info!(event = "round_opened", by = convening.account.id,
        consultation = %convening.consultation.slug, round = %slug, "round opened");
    Ok((
        StatusCode::CREATED,
        answer(&state, &convening, &slug).await?,
    ))
}

/// Field errors of a part of the body, named from the body's top (`text.clauses[2].key`).
fn within(part: &str, broken: Vec<FieldError>) -> AppError {
    Refusal::Validation(
        broken
            .into_iter()
            .map(|mut e| {
                e.field = format!("{part}.{}", e.field);
                e
            })
            .collect(),
    )
    .into()
}

/// The path of a round: consultation slug, round slug.
type RoundPath = ApiPath<(String, String)>;
/// The path of a clause: consultation slug, round slug, clause key.
type ClausePath = ApiPath<(String, String, String)>;

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
    let row = find_round(&state, &convening, &round).await?;
    let from = row.state.phase()?;
    if from != to.phase {
        state
            .store
            .move_phase(&row, to.phase, convening.account.id)
            .await?;
        tracing::info!(event = "phase_moved", by = convening.account.id,
            consultation = %convening.consultation.slug, %round, from = from.as_str(),
            to = to.phase.as_str(), "round moved");
    }
    answer(&state, &convening, &round).await
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
    let row = find_round(&state, &convening, &round).await?;
    schedule
        .check(row.state.phase()?, now_ms())
        .map_err(Refusal::Validation)?;
    state
        .store
        .set_schedule(&row, &schedule, convening.account.id)
        .await?;
    tracing::info!(event = "schedule_set", by = convening.account.id,
        consultation = %convening.consultation.slug, %round, "round scheduled");
    answer(&state, &convening, &round).await
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
    let row = find_round(&state, &convening, &round).await?;
    if !state
        .store
        .reorder_clauses(&row, &order.keys, convening.account.id)
        .await?
    {
        return Err(Refusal::Validation(vec![FieldError::new(
            "keys",
            "not_a_permutation",
            "List every clause of the round once, in the new order.",
        )])
        .into());
    }
    answer(&state, &convening, &round).await
}

/// Checks a clause edit; the draft to store.
fn checked(edit: &ClauseEdit) -> Result<(String, String, String), AppError> {
    Ok(edit.check().map_err(Refusal::Validation)?)
}

fn unknown_comments(UnknownComments(ids): UnknownComments) -> AppError {
    let ids: Vec<String> = ids.iter().map(ToString::to_string).collect();
    Refusal::Validation(vec![FieldError::new(
        "responds_to",
        "unknown_comment",
        format!(
            "These are not comments on this clause in the previous round: {}.",
            ids.join(", ")
        ),
    )])
    .into()
}

/// Adds a clause at the end of the draft (conveners only); its key is made from its title.
#[utoipa::path(post, path = "/api/v1/consultations/{slug}/rounds/{round}/clauses", tag = "convening",
    params(RoundParams),
    request_body = ClauseEdit,
    responses(
        (status = 201, body = Round),
        (status = 401, body = ApiError),
        (status = 403, body = ApiError),
        (status = 404, body = ApiError),
        (status = 409, body = ApiError, description = "The round is not a draft"),
        (status = 422, body = ApiError, description = "Title or text missing or too long"),
    ))]
async fn add_clause(
    State(state): State<AppState>,
    convening: Convening,
    ApiPath((_slug, round)): RoundPath,
    ApiJson(edit): ApiJson<ClauseEdit>,
) -> Result<(StatusCode, ApiJson<Round>), AppError> {
    let row = find_round(&state, &convening, &round).await?;
    let (title, body_md, change_note) = checked(&edit)?;
    let draft = ClauseDraft {
        title: &title,
        body_md: &body_md,
        change_note: &change_note,
        responds_to: &[],
    };
    state
        .store
        .add_clause(&row, &draft, convening.account.id)
        .await?;
    Ok((
        StatusCode::CREATED,
        answer(&state, &convening, &round).await?,
    ))
}

/// Rewrites a clause of the draft, noting why and which comments of the previous round led to
/// the change (conveners only).
#[utoipa::path(put, path = "/api/v1/consultations/{slug}/rounds/{round}/clauses/{key}",
    tag = "convening",
    params(
        ("slug" = String, Path, description = "The consultation's slug"),
        ("round" = String, Path, description = "The round's slug"),
        ("key" = String, Path, description = "The clause's key"),
    ),
    request_body = ClauseEdit,
    responses(
        (status = 200, body = Round),
        (status = 401, body = ApiError),
        (status = 403, body = ApiError),
        (status = 404, body = ApiError),
        (status = 409, body = ApiError, description = "The round is not a draft"),
        (status = 422, body = ApiError, description = "Title or text missing, or unknown comments"),
    ))]
async fn edit_clause(
    State(state): State<AppState>,
    convening: Convening,
    ApiPath((_slug, round, key)): ClausePath,
    ApiJson(edit): ApiJson<ClauseEdit>,
) -> Result<ApiJson<Round>, AppError> {
    let row = find_round(&state, &convening, &round).await?;
    let (title, body_md, change_note) = checked(&edit)?;
    let draft = ClauseDraft {
        title: &title,
        body_md: &body_md,
        change_note: &change_note,
        responds_to: &edit.responds_to,
    };
    match state
        .store
        .edit_clause(&row, &key, &draft, convening.account.id)
        .await?
    {
        Ok(true) => answer(&state, &convening, &round).await,
        Ok(false) => Err(Refusal::NotFound("clause").into()),
        Err(unknown) => Err(unknown_comments(unknown)),
    }
}

/// Removes a clause from the draft (conveners only).
#[utoipa::path(delete, path = "/api/v1/consultations/{slug}/rounds/{round}/clauses/{key}",
    tag = "convening",
    params(
        ("slug" = String, Path, description = "The consultation's slug"),
        ("round" = String, Path, description = "The round's slug"),
        ("key" = String, Path, description = "The clause's key"),
    ),
    responses(
        (status = 200, body = Round),
        (status = 401, body = ApiError),
        (status = 403, body = ApiError),
        (status = 404, body = ApiError),
        (status = 409, body = ApiError, description = "The round is not a draft"),
    ))]
async fn remove_clause(
    State(state): State<AppState>,
    convening: Convening,
    ApiPath((_slug, round, key)): ClausePath,
) -> Result<ApiJson<Round>, AppError> {
    let row = find_round(&state, &convening, &round).await?;
    if !state
        .store
        .remove_clause(&row, &key, convening.account.id)
        .await?
    {
        return Err(Refusal::NotFound("clause").into());
    }
    answer(&state, &convening, &round).await
}

/// The path of a clause's translation: consultation slug, round slug, clause key, language.
type TranslationPath = ApiPath<(String, String, String, String)>;

/// The path parameters that name a clause's translation (for the OpenAPI document).
#[derive(utoipa::IntoParams)]
#[into_params(parameter_in = Path)]
#[allow(dead_code)] // read by utoipa's derive only
struct TranslationParams {
    /// The consultation's slug.
    slug: String,
    /// The round's slug, e.g. `2019`.
    round: String,
    /// The clause's stable key.
    key: String,
    /// `en`, `fr`, `es` or `ar`.
    language: String,
}

/// The round and clause a translation belongs to, and its language, checked.
async fn translation_target(
    state: &AppState,
    convening: &Convening,
    (round, key, language): (&str, &str, &str),
) -> Result<(RoundRow, crate::store::ClauseRow, Language), AppError> {
    let language = Language::parse(language).ok_or_else(|| {
        let names: Vec<&str> = Language::ALL.iter().map(|l| l.as_str()).collect();
        Refusal::Validation(vec![FieldError::new(
            "language",
            "unsupported",
            format!("Clauses can be translated into {}.", names.join(", ")),
        )])
    })?;
    let row = find_round(state, convening, round).await?;
    let clause = state
        .store
        .clause_in_round(row.id, key)
        .await?
        .ok_or(Refusal::NotFound("clause"))?;
    Ok((row, clause, language))
}

/// Gives a clause a translation into one of the interface's languages, or replaces it
/// (conveners only, until the round closes). Readers in that language see it, with a link to
/// the original, which stays authoritative.
#[utoipa::path(put,
    path = "/api/v1/consultations/{slug}/rounds/{round}/clauses/{key}/translations/{language}",
    tag = "convening",
    params(TranslationParams),
    request_body = TranslationEdit,
    responses(
        (status = 200, body = Vec<ClauseTranslation>, description = "The clause's translations"),
        (status = 401, body = ApiError),
        (status = 403, body = ApiError),
        (status = 404, body = ApiError),
        (status = 409, body = ApiError, description = "The round is closed"),
        (status = 422, body = ApiError, description = "Title or text missing or too long, or an unknown language"),
    ))]
async fn translate_clause(
    State(state): State<AppState>,
    convening: Convening,
    ApiPath((_slug, round, key, language)): TranslationPath,
    ApiJson(edit): ApiJson<TranslationEdit>,
) -> Result<ApiJson<Vec<ClauseTranslation>>, AppError> {
    let (row, clause, language) =
        translation_target(&state, &convening, (&round, &key, &language)).await?;
    let (title, body_md) = edit.check().map_err(Refusal::Validation)?;
    state
        .store
        .translate(
            &row,
            &clause,
            language,
            Some((&title, &body_md)),
            Some(convening.account.id),
        )
        .await?;
    Ok(ApiJson(state.store.translations(&clause).await?))
}

/// Removes a clause's translation (conveners only, until the round closes).
#[utoipa::path(delete,
    path = "/api/v1/consultations/{slug}/rounds/{round}/clauses/{key}/translations/{language}",
    tag = "convening",
    params(TranslationParams),
    responses(
        (status = 200, body = Vec<ClauseTranslation>, description = "The clause's remaining translations"),
        (status = 401, body = ApiError),
        (status = 403, body = ApiError),
        (status = 404, body = ApiError, description = "No such clause, or no translation into that language"),
        (status = 409, body = ApiError, description = "The round is closed"),
        (status = 422, body = ApiError, description = "An unknown language"),
    ))]
async fn remove_translation(
    State(state): State<AppState>,
    convening: Convening,
    ApiPath((_slug, round, key, language)): TranslationPath,
) -> Result<ApiJson<Vec<ClauseTranslation>>, AppError> {
    let (row, clause, language) =
        translation_target(&state, &convening, (&round, &key, &language)).await?;
    if !state
        .store
        .translate(&row, &clause, language, None, Some(convening.account.id))
        .await?
    {
        return Err(Refusal::NotFound("translation").into());
    }
    Ok(ApiJson(state.store.translations(&clause).await?))
}
