//! One clause: its text and tally, its comments, and the positions taken on it.

use super::params::ClauseParams;
use crate::auth::{MaybeAccount, SignedIn};
use crate::http::error::AppError;
use crate::http::extract::{ApiJson, ApiPath};
use crate::markdown;
use crate::refusal::Refusal;
use crate::state::AppState;

use crate::store::ClauseRow;
use crate::store::cache::ResultsOnly;
use axum::Extension;
use axum::extract::State;
use shared::{
    ApiError, CastPosition, Clause, Counting, FieldError, MinorityStatement, NewMinorityStatement,
    Phase, PositionCast, Results, StakeholderGroup, chambered, find_passage, redline,
};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(get_clause))
        .routes(routes!(cast_position))
        .routes(routes!(attach_minority_statement))
        .routes(routes!(get_results))
}

/// The results of a clause alone — counts by position, stakeholder group and region — for
/// pages and tools that follow a tally without the text. Read from the counts kept beside the
/// positions, so its cost does not grow with their number.
#[utoipa::path(get, path = "/api/v1/consultations/{slug}/rounds/{round}/clauses/{key}/results",
    tag = "clauses", params(ClauseParams),
    responses(
        (status = 200, body = Results),
        (status = 404, body = ApiError),
        (status = 409, body = ApiError, description = "The round hides its results until it closes"),
    ))]
async fn get_results(
    State(state): State<AppState>,
    MaybeAccount(account): MaybeAccount,
    path: ClausePath,
) -> Result<ApiJson<Results>, AppError> {
    let row = find_clause(&state, path).await?;
    let hidden = row.state.hides_results()?;
    if hidden
        && !crate::domain::access::sees_results(
            &state,
            account.as_ref(),
            &row.consultation()?,
            &row.round_slug,
            true,
        )
        .await?
    {
        return Err(Refusal::NotPublished.into());
    }
    Ok(ApiJson(state.store.results(row.id).await?))
}

/// Attaches the statement of an organisation that reserved or opposed to a clause, once the
/// round is closed and before it is published (the organisation's representative only;
/// again replaces it).
#[utoipa::path(put,
    path = "/api/v1/consultations/{slug}/rounds/{round}/clauses/{key}/minority-statement",
    tag = "clauses", params(ClauseParams), request_body = NewMinorityStatement,
    responses(
        (status = 200, body = Vec<MinorityStatement>, description = "The clause's statements"),
        (status = 401, body = ApiError),
        (status = 403, body = ApiError, description = "Not the organisation's representative"),
        (status = 404, body = ApiError),
        (status = 409, body = ApiError, description = "The round is not closed, or already published"),
        (status = 422, body = ApiError, description = "Empty statement, or the organisation did not reserve or oppose"),
    ))]
async fn attach_minority_statement(
    State(state): State<AppState>,
    SignedIn(account): SignedIn,
    path: ClausePath,
    ApiJson(statement): ApiJson<NewMinorityStatement>,
) -> Result<ApiJson<Vec<MinorityStatement>>, AppError> {
    let row = find_clause(&state, path).await?;
    crate::domain::access::require_changeable(&row.consultation()?)?;
    if !state
        .store
        .is_representative(account.id, &statement.organisation)
        .await?
    {
        return Err(Refusal::NotRepresentative.into());
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
    Ok(ApiJson(state.store.minority_statements(row.id).await?))
}

/// The path that names a clause: consultation slug, round slug, clause key.
pub(super) type ClausePath = ApiPath<(String, String, String)>;

pub(super) async fn find_clause(
    state: &AppState,
    ApiPath((slug, round, key)): ClausePath,
) -> Result<ClauseRow, AppError> {
    state
        .store
        .clause(&slug, &round, &key)
        .await?
        .ok_or(Refusal::NotFound("clause").into())
}

/// Shows a clause with its rendered text, its tally and the caller's own position.
#[utoipa::path(get, path = "/api/v1/consultations/{slug}/rounds/{round}/clauses/{key}",
    tag = "clauses", params(ClauseParams),
    responses((status = 200, body = Clause), (status = 404, body = ApiError)))]
async fn get_clause(
    State(state): State<AppState>,
    MaybeAccount(account): MaybeAccount,
    path: ClausePath,
) -> Result<ApiJson<Clause>, AppError> {
    let row = find_clause(&state, path).await?;
    let consultation = row.consultation()?;
    let show = crate::domain::access::sees_results(
        &state,
        account.as_ref(),
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
    let (my_position, may_take_part, my_group) = match &account {
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
                crate::domain::access::may_take_part(&state, account, &consultation).await?,
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
            Ok::<_, AppError>(chambered(
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
    Ok(ApiJson(Clause {
        round: row.round_summary()?,
        body_html: markdown::render_clause(&row.body_md, &marks),
        words,
        redline: previous
            .as_ref()
            .or(amended.as_ref())
            .map(|p| redline(&p.body_md, &row.body_md)),
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
    }))
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
) -> Result<(Extension<ResultsOnly>, ApiJson<PositionCast>), AppError> {
    let clause = find_clause(&state, path).await?;
    let cast = crate::domain::positions::cast(&state, &account, &clause, &cast).await?;
    // The write kept the clause's new results; nothing else needs forgetting.
    Ok((Extension(ResultsOnly), ApiJson(cast)))
}
