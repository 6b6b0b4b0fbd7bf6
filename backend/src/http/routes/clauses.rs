//! One clause: its text and results, and what conveners do to it: write it in a draft, give it
//! in other languages, designate its consensus and attach minority statements once closed.

use super::params::{ClauseParams, RoundParams};
use super::rounds::{RoundPath, as_convened, convened_round};
use crate::domain;
use crate::http::auth::Convening;
use crate::http::auth::{MaybeAccount, SignedIn};
use crate::http::error::AppError;
use crate::http::extract::{ApiJson, ApiPath};
use crate::refusal::Refusal;
use crate::state::AppState;
use crate::store::ClauseRow;
use axum::extract::State;
use axum::http::StatusCode;
use shared::{ApiError, Clause, MinorityStatement, NewMinorityStatement, Results};
use shared::{ClauseEdit, ClauseTranslation, ConsensusDesignation, Round, TranslationEdit};
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
    let results = domain::clauses::results(&state, account.as_ref(), &row).await?;
    Ok(ApiJson(results))
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
    let statements =
        domain::clauses::attach_minority_statement(&state, &account, &row, &statement).await?;
    Ok(ApiJson(statements))
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
    Ok(ApiJson(
        domain::clauses::read(&state, account.as_ref(), row).await?,
    ))
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
    domain::clauses::designate_consensus(&state, &convening.account, &clause, designation.level)
        .await?;
    Ok(StatusCode::NO_CONTENT)
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
    domain::drafting::add(&state, &convening.account, &row, &edit).await?;
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
    domain::drafting::edit(&state, &convening.account, &row, &key, &edit).await?;
    as_convened(&state, &convening, &round).await
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
    domain::drafting::remove(&state, &convening.account, &row, &key).await?;
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
    translation(&state, &convening, (&round, &key, &language), Some(&edit)).await
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
    translation(&state, &convening, (&round, &key, &language), None).await
}

/// Gives a clause in a language (`Some` wording) or takes that translation away; the clause's
/// translations.
async fn translation(
    state: &AppState,
    convening: &Convening,
    target: (&str, &str, &str),
    edit: Option<&TranslationEdit>,
) -> Result<ApiJson<Vec<ClauseTranslation>>, AppError> {
    let (account, consultation) = (&convening.account, &convening.consultation);
    let translations =
        domain::drafting::translate(state, account, consultation, target, edit).await?;
    Ok(ApiJson(translations))
}
