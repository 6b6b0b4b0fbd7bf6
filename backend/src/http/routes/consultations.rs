//! Consultations: listed, created, changed and archived; how a participant joins one; and the
//! preview of a draft text read from a document.

use super::params::ConsultationParams;
use crate::document::{self, DOCUMENT_MAX};
use crate::http::auth::{Admin, Convening, SignedIn};
use crate::http::error::AppError;
use crate::http::extract::{ApiDocument, ApiJson, ApiPath};
use crate::refusal::Refusal;
use crate::state::AppState;
use crate::store::NewSetup;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::StatusCode;
use shared::{
    ApiError, Consultation, ConsultationAccess, ConsultationSettings, ConsultationSummary,
    DraftText, FieldError, JoinConsultation, NewConsultation, Participation, SettingsChange,
};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    // A document may be larger than other bodies.
    let documents = OpenApiRouter::new()
        .routes(routes!(preview_text))
        .layer(DefaultBodyLimit::max(DOCUMENT_MAX));
    OpenApiRouter::new()
        .routes(routes!(list_consultations, create_consultation))
        .routes(routes!(get_consultation, change_consultation))
        .routes(routes!(archive_consultation))
        .merge(documents)
        .routes(routes!(join_consultation))
}

/// States how the caller takes part in an open consultation: their stakeholder group, the
/// organisation they speak for (one they belong to) and their region. Positions count in that
/// group and region. In a consultation by invitation the invitation sets the group, and only its
/// conveners state their own.
#[utoipa::path(put, path = "/api/v1/consultations/{slug}/participation", tag = "consultations",
    params(ConsultationParams),
    request_body = JoinConsultation,
    responses(
        (status = 200, body = Participation),
        (status = 401, body = ApiError),
        (status = 403, body = ApiError, description = "By invitation, and the invitation set the group or there was none"),
        (status = 404, body = ApiError),
        (status = 422, body = ApiError, description = "Not a member of the organisation, the organisation of another group, or region too long"),
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
            return Err(Refusal::Forbidden(
                "In a consultation by invitation, your invitation set your stakeholder group.",
            )
            .into());
        }
        if !crate::domain::access::may_take_part(&state, &account, &consultation).await? {
            return Err(Refusal::NotInvited.into());
        }
    }
    crate::domain::access::require_changeable(&consultation)?;
    let region = join.check().map_err(Refusal::Validation)?;
    let setup = state.store.setup_of(consultation.id).await?;
    let mut broken: Vec<FieldError> =
        shared::setup::check_taking_part(&setup.stakeholder_groups, join.stakeholder_group)
            .err()
            .into_iter()
            .collect();
    // Regions come from the consultation's list, so that counts by region add up; one given
    // before the list existed is kept as it was.
    let known = setup.regions.contains(&region)
        || state
            .store
            .participations(account.id)
            .await?
            .iter()
            .any(|p| p.consultation_slug == consultation.slug && p.region == region);
    if !region.is_empty() && !known {
        broken.push(FieldError::new(
            "region",
            "unknown_region",
            "Choose a region from this consultation's list.",
        ));
    }
    if !broken.is_empty() {
        return Err(Refusal::Validation(broken).into());
    }
    let organisation_id = match &join.organisation {
        None => None,
        Some(organisation) => {
            if !state.store.is_member(account.id, organisation).await? {
                return Err(Refusal::Validation(vec![FieldError::new(
                    "organisation",
                    "not_member",
                    "You can speak only for an organisation you are a member of.",
                )])
                .into());
            }
            // An organisation speaks in its own stakeholder group, so that counts by group
            // cannot be swelled under another group's name.
            let group = state
                .store
                .organisations()
                .await?
                .into_iter()
                .find(|o| o.slug == *organisation)
                .map(|o| o.stakeholder_group);
            if group.is_some_and(|g| g != join.stakeholder_group) {
                return Err(Refusal::Validation(vec![FieldError::new(
                    "organisation",
                    "other_group",
                    "This organisation belongs to another stakeholder group: choose its group \
                     to speak for it, or take part without it.",
                )])
                .into());
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

/// Creates a consultation (administrators with two-factor sign-in): its address, titles,
/// description, access, conveners, stakeholder groups and regions. Its first round is opened
/// next, with a text imported from a document (see `text-preview`) or written clause by clause.
#[utoipa::path(post, path = "/api/v1/consultations", tag = "consultations",
    request_body = NewConsultation,
    responses(
        (status = 201, body = Consultation),
        (status = 401, body = ApiError),
        (status = 403, body = ApiError, description = "Not an administrator, or without two-factor sign-in"),
        (status = 409, body = ApiError, description = "A consultation has this address"),
        (status = 422, body = ApiError, description = "A malformed address, no title, an unknown convener, duplicate regions"),
    ))]
async fn create_consultation(
    State(state): State<AppState>,
    Admin(admin): Admin,
    ApiJson(new): ApiJson<NewConsultation>,
) -> Result<(StatusCode, ApiJson<Consultation>), AppError> {
    let (slug, settings) = new.check().map_err(Refusal::Validation)?;
    let setup = NewSetup {
        slug: &slug,
        access: new.access,
        conveners: &new.conveners,
        settings: &settings,
    };
    state
        .store
        .create_consultation(&setup, None, Some(admin.id))
        .await?;
    tracing::info!(event = "consultation_created", by = admin.id, %slug, "consultation created");
    Ok((StatusCode::CREATED, answer(&state, &slug).await?))
}

/// Changes a consultation's titles, description, stakeholder groups and regions
/// (administrators). A field left out keeps its value; one given replaces it whole.
/// Participants keep the region they gave, even one taken off the list.
#[utoipa::path(put, path = "/api/v1/consultations/{slug}", tag = "consultations",
    params(ConsultationParams),
    request_body = SettingsChange,
    responses(
        (status = 200, body = Consultation),
        (status = 401, body = ApiError),
        (status = 403, body = ApiError),
        (status = 404, body = ApiError),
        (status = 409, body = ApiError, description = "Archived"),
        (status = 422, body = ApiError, description = "No title, no group, duplicate regions"),
    ))]
async fn change_consultation(
    State(state): State<AppState>,
    Admin(admin): Admin,
    ApiPath(slug): ApiPath<String>,
    ApiJson(change): ApiJson<SettingsChange>,
) -> Result<ApiJson<Consultation>, AppError> {
    let consultation = state.store.existing_consultation(&slug).await?;
    crate::domain::access::require_changeable(&consultation)?;
    let current = state.store.setup_of(consultation.id).await?;
    let settings = change
        .applied_to(ConsultationSettings {
            titles: current.titles,
            description: current.description,
            stakeholder_groups: current.stakeholder_groups,
            regions: current.regions,
        })
        .check()
        .map_err(Refusal::Validation)?;
    state
        .store
        .change_settings(consultation.id, &settings, admin.id)
        .await?;
    tracing::info!(event = "consultation_changed", by = admin.id, %slug, "consultation changed");
    answer(&state, &slug).await
}

/// Archives a consultation (administrators): it stays readable and its records downloadable,
/// and nothing in it changes any more. Refused while a round takes comments or positions or
/// awaits the publishing of its results; archiving again changes nothing.
#[utoipa::path(post, path = "/api/v1/consultations/{slug}/archive", tag = "consultations",
    params(ConsultationParams),
    responses(
        (status = 200, body = Consultation),
        (status = 401, body = ApiError),
        (status = 403, body = ApiError),
        (status = 404, body = ApiError),
        (status = 409, body = ApiError, description = "A round is still taking comments or positions, or is closed with its results unpublished"),
    ))]
async fn archive_consultation(
    State(state): State<AppState>,
    Admin(admin): Admin,
    ApiPath(slug): ApiPath<String>,
) -> Result<ApiJson<Consultation>, AppError> {
    let consultation = state.store.existing_consultation(&slug).await?;
    if state.store.archive(consultation.id, admin.id).await? {
        tracing::info!(event = "consultation_archived", by = admin.id, %slug, "consultation archived");
    }
    answer(&state, &slug).await
}

/// Reads a draft text from a document — Markdown, plain text, DOCX or ODT, named by the
/// request's `Content-Type`, at most 10 MB — and answers how it would be cut into a preamble
/// and clauses (conveners only). Nothing is saved: the convener corrects the cut, then opens a
/// round with it.
#[utoipa::path(post, path = "/api/v1/consultations/{slug}/text-preview", tag = "convening",
    params(ConsultationParams),
    request_body(description = "The document itself", content(
        (String = "text/markdown"),
        (String = "text/plain"),
        (Vec<u8> = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
        (Vec<u8> = "application/vnd.oasis.opendocument.text"),
    )),
    responses(
        (status = 200, body = DraftText),
        (status = 401, body = ApiError),
        (status = 403, body = ApiError),
        (status = 404, body = ApiError),
        (status = 409, body = ApiError, description = "Archived"),
        (status = 413, body = ApiError, description = "Larger than 10 MB, or unpacks to more than 64 MB"),
        (status = 415, body = ApiError, description = "Not a kind of document Concord reads, or not the kind it says"),
        (status = 422, body = ApiError, description = "A damaged document, or one with no text"),
    ))]
async fn preview_text(
    Convening { .. }: Convening,
    ApiDocument(format, bytes): ApiDocument,
) -> Result<ApiJson<DraftText>, AppError> {
    // Reading a large document is work for a blocking thread, not for the server's own.
    let blocks = tokio::task::spawn_blocking(move || document::read(format, &bytes))
        .await
        .map_err(|e| AppError::Internal(e.into()))??;
    Ok(ApiJson(shared::draft::split(&blocks)))
}

/// The consultation `slug` as the API shows it.
async fn answer(state: &AppState, slug: &str) -> Result<ApiJson<Consultation>, AppError> {
    state
        .store
        .consultation(slug)
        .await?
        .map(ApiJson)
        .ok_or(Refusal::NotFound("consultation").into())
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
    params(ConsultationParams),
    responses((status = 200, body = Consultation), (status = 404, body = ApiError)))]
async fn get_consultation(
    State(state): State<AppState>,
    ApiPath(slug): ApiPath<String>,
) -> Result<ApiJson<Consultation>, AppError> {
    answer(&state, &slug).await
}
