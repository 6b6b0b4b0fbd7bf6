//! Consultations and their rounds.

use crate::auth::{self, MaybeAccount, SignedIn};
use crate::error::AppError;
use crate::extract::{ApiJson, ApiPath};
use crate::state::AppState;
use crate::store::{ConsultationRef, RoundRow};
use axum::extract::State;
use shared::{
    ApiError, Consultation, ConsultationAccess, ConsultationSummary, FieldError, JoinConsultation,
    Participation, Phase, Round, RoundRedline, RoundResults,
};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_consultations))
        .routes(routes!(get_consultation))
        .routes(routes!(get_round))
        .routes(routes!(join_consultation))
        .routes(routes!(round_results))
        .routes(routes!(round_redline))
}

/// A round's whole text as one redline against the previous round: each clause added, changed
/// (word by word), unchanged, or removed.
#[utoipa::path(get, path = "/api/v1/consultations/{slug}/rounds/{round}/redline",
    tag = "consultations",
    params(
        ("slug" = String, Path, description = "The consultation's slug"),
        ("round" = String, Path, description = "The round's slug"),
    ),
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
    params(
        ("slug" = String, Path, description = "The consultation's slug"),
        ("round" = String, Path, description = "The round's slug"),
    ),
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
    let published = row.state.phase()? == Phase::Published;
    // Before publication only conveners look, through the same logged check as hidden counts.
    if !published
        && !auth::sees_results(&state, account.as_ref(), &consultation, &row.slug, true).await?
    {
        return Err(AppError::NotPublished);
    }
    Ok(ApiJson(
        state.store.round_results(&consultation, &row).await?,
    ))
}

/// States how the caller takes part in an open consultation: their stakeholder group, the
/// organisation they speak for (one they belong to) and their region. Positions count in that
/// group and region. In a consultation by invitation the invitation sets the group, and only its
/// conveners state their own.
#[utoipa::path(put, path = "/api/v1/consultations/{slug}/participation", tag = "consultations",
    params(("slug" = String, Path, description = "The consultation's slug")),
    request_body = JoinConsultation,
    responses(
        (status = 200, body = Participation),
        (status = 401, body = ApiError),
        (status = 403, body = ApiError, description = "By invitation, and the invitation set the group or there was none"),
        (status = 404, body = ApiError),
        (status = 422, body = ApiError, description = "Not a member of the organisation, or region too long"),
    ))]
async fn join_consultation(
    State(state): State<AppState>,
    SignedIn(account): SignedIn,
    ApiPath(slug): ApiPath<String>,
    ApiJson(join): ApiJson<JoinConsultation>,
) -> Result<ApiJson<Participation>, AppError> {
    let consultation = state.store.existing_consultation(&slug).await?;
    if consultation.access == ConsultationAccess::Invitation {
        if state.store.takes_part(account.id, consultation.id).await? {
            return Err(AppError::Forbidden(
                "In a consultation by invitation, your invitation set your stakeholder group.",
            ));
        }
        if !auth::may_take_part(&state, &account, &consultation).await? {
            return Err(AppError::NotInvited);
        }
    }
    let region = join.check().map_err(AppError::Validation)?;
    let organisation_id = match &join.organisation {
        None => None,
        Some(organisation) => {
            if !state.store.is_member(account.id, organisation).await? {
                return Err(AppError::Validation(vec![FieldError::new(
                    "organisation",
                    "not_member",
                    "You can speak only for an organisation you are a member of.",
                )]));
            }
            state.store.organisation_id(organisation).await?
        }
    };
    state
        .store
        .join_consultation(
            consultation.id,
            account.id,
            join.stakeholder_group,
            organisation_id,
            &region,
        )
        .await?;
    state
        .store
        .participations(account.id)
        .await?
        .into_iter()
        .find(|p| p.consultation_slug == consultation.slug)
        .map(ApiJson)
        .ok_or_else(|| AppError::Corrupt("participation just stored is missing".into()))
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
        .ok_or(AppError::NotFound("round"))?;
    let row = state
        .store
        .round_row(consultation.id, round)
        .await?
        .ok_or(AppError::NotFound("round"))?;
    Ok((consultation, row))
}

/// Lists every consultation with its current round.
#[utoipa::path(get, path = "/api/v1/consultations", tag = "consultations",
    responses((status = 200, body = Vec<ConsultationSummary>)))]
async fn list_consultations(
    State(state): State<AppState>,
) -> Result<ApiJson<Vec<ConsultationSummary>>, AppError> {
    Ok(ApiJson(state.store.list_consultations().await?))
}

/// Shows one consultation with its rounds, newest first.
#[utoipa::path(get, path = "/api/v1/consultations/{slug}", tag = "consultations",
    params(("slug" = String, Path, description = "The consultation's slug")),
    responses((status = 200, body = Consultation), (status = 404, body = ApiError)))]
async fn get_consultation(
    State(state): State<AppState>,
    ApiPath(slug): ApiPath<String>,
) -> Result<ApiJson<Consultation>, AppError> {
    state
        .store
        .consultation(&slug)
        .await?
        .map(ApiJson)
        .ok_or(AppError::NotFound("consultation"))
}

/// Shows one round: its phase and its clauses with their tallies.
#[utoipa::path(get, path = "/api/v1/consultations/{slug}/rounds/{round}", tag = "consultations",
    params(
        ("slug" = String, Path, description = "The consultation's slug"),
        ("round" = String, Path, description = "The round's slug, e.g. 2019"),
    ),
    responses((status = 200, body = Round), (status = 404, body = ApiError)))]
async fn get_round(
    State(state): State<AppState>,
    MaybeAccount(account): MaybeAccount,
    ApiPath((slug, round)): ApiPath<(String, String)>,
) -> Result<ApiJson<Round>, AppError> {
    let (consultation, row) = find_round(&state, &slug, &round).await?;
    let show = auth::sees_results(
        &state,
        account.as_ref(),
        &consultation,
        &row.slug,
        row.state.hides_results()?,
    )
    .await?;
    Ok(ApiJson(state.store.round(&consultation, &row, show).await?))
}
