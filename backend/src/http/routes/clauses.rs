//! One clause: its text and results, and what conveners do to it: write it in a draft, give it
//! in other languages, designate its consensus and attach minority statements once closed.

use super::params::{ClauseParams, RoundParams};
use super::rounds::{RoundPath, as_convened, convened_round};
use crate::http::auth::Convening;
use crate::http::auth::{MaybeAccount, SignedIn};
use crate::http::error::AppError;
use crate::http::extract::{ApiJson, ApiPath};
use crate::markdown;
use crate::refusal::Refusal;
use crate::state::AppState;
use crate::store::ClauseRow;
use crate::store::{ClauseDraft, RoundRow, UnknownComments};
use axum::extract::State;
use axum::http::StatusCode;
use shared::{
    ApiError, Clause, Counting, FieldError, MinorityStatement, NewMinorityStatement, Phase,
    Results, StakeholderGroup, chambered, find_passage, redline,
};
use shared::{
    ClauseEdit, ClauseTranslation, ConsensusDesignation, Language, Round, TranslationEdit,
};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(get_clause))
        .routes(routes!(get_results))
        .routes(routes!(attach_minority_statement))
        .routes(routes!(add_clause))
        .routes(routes!(edit_clause, remove_clause))
        .routes(routes!(designate_consensus))
        .routes(routes!(translate_clause, remove_translation))
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

/// Designates how much agreement a clause found (conveners only, once the round is closed and
/// before it is published).
#[utoipa::path(put, path = "/api/v1/consultations/{slug}/rounds/{round}/clauses/{key}/consensus",
    tag = "convening",
    params(RoundParams, ("key" = String, Path, description = "The clause's key")),
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
    let row = convened_round(&state, &convening, &round).await?;
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
        as_convened(&state, &convening, &round).await?,
    ))
}

/// Rewrites a clause of the draft, noting why and which comments of the previous round led to
/// the change (conveners only).
#[utoipa::path(put, path = "/api/v1/consultations/{slug}/rounds/{round}/clauses/{key}",
    tag = "convening",
    params(RoundParams, ("key" = String, Path, description = "The clause's key")),
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
    let row = convened_round(&state, &convening, &round).await?;
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
        Ok(true) => as_convened(&state, &convening, &round).await,
        Ok(false) => Err(Refusal::NotFound("clause").into()),
        Err(unknown) => Err(unknown_comments(unknown)),
    }
}

/// Removes a clause from the draft (conveners only).
#[utoipa::path(delete, path = "/api/v1/consultations/{slug}/rounds/{round}/clauses/{key}",
    tag = "convening",
    params(RoundParams, ("key" = String, Path, description = "The clause's key")),
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
    let row = convened_round(&state, &convening, &round).await?;
    if !state
        .store
        .remove_clause(&row, &key, convening.account.id)
        .await?
    {
        return Err(Refusal::NotFound("clause").into());
    }
    as_convened(&state, &convening, &round).await
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
    let row = convened_round(state, convening, round).await?;
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
