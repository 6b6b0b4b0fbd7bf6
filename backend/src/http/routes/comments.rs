//! Comments: a clause's threads, replies and comments on a passage; editing one's own comment;
//! flags; the conveners' moderation, its public log, and their responses; the live stream of a
//! clause's new and changed comments.

use super::clauses::{ClausePath, find_clause};
use super::params::{ClauseParams, ConsultationParams};
use crate::domain;
use crate::http::auth::{Convening, SignedIn};
use crate::http::error::AppError;
use crate::http::extract::{ApiJson, ApiPath, ApiQuery};
use crate::live::{Announcement, LiveEvents};
use crate::state::AppState;
use crate::store::Account;
use crate::store::CommentRef;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use shared::{
    ApiError, Comment, CommentEdit, CommentPage, CommentVersion, FlaggedComment, Moderation,
    ModerationEntry, NewComment, NewResponse, Reason,
};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_comments, post_comment))
        .routes(routes!(live_comments))
        .routes(routes!(edit_comment))
        .routes(routes!(comment_versions))
        .routes(routes!(flag_comment))
        .routes(routes!(moderate_comment))
        .routes(routes!(respond_to_comment))
        .routes(routes!(moderation_queue))
        .routes(routes!(moderation_log))
}

/// Which page of threads.
#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
struct PageQuery {
    /// The `next_after` of the previous page; the first page without it.
    after: Option<i64>,
}

/// A page of a clause's threads — first comments, oldest first, each with its replies nested
/// — with how many comments the clause has and how many the conveners answered.
#[utoipa::path(get, path = "/api/v1/consultations/{slug}/rounds/{round}/clauses/{key}/comments",
    tag = "clauses", params(ClauseParams, PageQuery),
    responses(
        (status = 200, body = CommentPage),
        (status = 400, body = ApiError, description = "`after` is not a number"),
        (status = 404, body = ApiError),
    ))]
async fn list_comments(
    State(state): State<AppState>,
    path: ClausePath,
    ApiQuery(page): ApiQuery<PageQuery>,
) -> Result<impl IntoResponse, AppError> {
    let row = find_clause(&state, path).await?;
    let json = state.store.comment_page_json(row.id, page.after).await?;
    Ok(([(header::CONTENT_TYPE, "application/json")], json))
}

/// Posts a comment on a clause while the round takes comments: on the clause, on a passage of
/// it, or as a reply to another comment on it. The body is Markdown.
#[utoipa::path(post, path = "/api/v1/consultations/{slug}/rounds/{round}/clauses/{key}/comments",
    tag = "clauses", params(ClauseParams), request_body = NewComment,
    responses(
        (status = 201, body = Comment),
        (status = 401, body = ApiError, description = "Not signed in"),
        (status = 403, body = ApiError, description = "By invitation only, and not invited"),
        (status = 404, body = ApiError),
        (status = 409, body = ApiError, description = "The round's phase does not take comments"),
        (status = 422, body = ApiError, description = "Empty or over-long comment, a reply to a comment on another clause, or a passage that is not in the clause"),
    ))]
async fn post_comment(
    State(state): State<AppState>,
    SignedIn(account): SignedIn,
    path: ClausePath,
    ApiJson(comment): ApiJson<NewComment>,
) -> Result<(StatusCode, ApiJson<Comment>), AppError> {
    let clause = find_clause(&state, path).await?;
    let comment = domain::comments::post(&state, &account, &clause, comment).await?;
    Ok((StatusCode::CREATED, ApiJson(comment)))
}

/// The clause's new and changed comments as they happen, as server-sent events: a `comment`
/// event with each one (as everyone sees it; replies are not nested in it).
#[utoipa::path(get,
    path = "/api/v1/consultations/{slug}/rounds/{round}/clauses/{key}/comments/live",
    tag = "clauses", params(ClauseParams),
    responses(
        (status = 200, description = "`text/event-stream` of `comment` events, each a Comment", content_type = "text/event-stream", body = Comment),
        (status = 404, body = ApiError),
    ))]
async fn live_comments(
    State(state): State<AppState>,
    path: ClausePath,
) -> Result<LiveEvents, AppError> {
    let row = find_clause(&state, path).await?;
    let following = state.hub.follow(&state.store, "live comments").await;
    let clause_id = row.id;
    let pick = move |event| match event {
        Announcement::Comment(event) if event.clause_id == clause_id => Some(event.comment),
        _ => None,
    };
    Ok(following.events("comment", Vec::new(), pick, || async { true }))
}

/// The path of a comment: consultation slug, comment id.
type CommentPath = ApiPath<(String, i64)>;

/// The comment a path names, and the clause it is on.
async fn find_comment(
    state: &AppState,
    ApiPath((slug, id)): CommentPath,
) -> Result<CommentRef, AppError> {
    let consultation = state.store.existing_consultation(&slug).await?;
    Ok(state.store.comment_in(consultation.id, id).await?)
}

/// The comment a path names, to be edited or flagged by `account`: 409 `archived` in an
/// archived consultation, 403 `not_invited` for one who may not take part in it.
async fn find_comment_to_change(
    state: &AppState,
    account: &Account,
    ApiPath((slug, id)): CommentPath,
) -> Result<CommentRef, AppError> {
    Ok(crate::domain::comments::to_change(state, account, &slug, id).await?)
}

/// The path parameters that name a comment (for the OpenAPI document).
#[derive(utoipa::IntoParams)]
#[into_params(parameter_in = Path)]
#[allow(dead_code)] // read by utoipa's derive only
struct CommentParams {
    /// The consultation's slug.
    slug: String,
    /// The comment's id.
    id: i64,
}

/// Rewrites one's own comment while the round takes comments; readers see that it was edited,
/// and conveners its earlier wordings.
#[utoipa::path(put, path = "/api/v1/consultations/{slug}/comments/{id}",
    tag = "clauses", params(CommentParams), request_body = CommentEdit,
    responses(
        (status = 200, body = Comment),
        (status = 401, body = ApiError),
        (status = 403, body = ApiError, description = "Not the comment's author"),
        (status = 404, body = ApiError),
        (status = 409, body = ApiError, description = "Hidden by the conveners, the round no longer takes comments, or the consultation is archived"),
        (status = 422, body = ApiError, description = "Empty or over-long comment"),
    ))]
async fn edit_comment(
    State(state): State<AppState>,
    SignedIn(account): SignedIn,
    path: CommentPath,
    ApiJson(edit): ApiJson<CommentEdit>,
) -> Result<ApiJson<Comment>, AppError> {
    let found = find_comment_to_change(&state, &account, path).await?;
    let comment = domain::comments::edit(&state, &account, &found, &edit).await?;
    Ok(ApiJson(comment))
}

/// The earlier wordings of an edited comment, oldest first (conveners only).
#[utoipa::path(get, path = "/api/v1/consultations/{slug}/comments/{id}/versions",
    tag = "convening", params(CommentParams),
    responses(
        (status = 200, body = Vec<CommentVersion>),
        (status = 401, body = ApiError),
        (status = 403, body = ApiError),
        (status = 404, body = ApiError),
    ))]
async fn comment_versions(
    State(state): State<AppState>,
    _convening: Convening,
    path: CommentPath,
) -> Result<ApiJson<Vec<CommentVersion>>, AppError> {
    let found = find_comment(&state, path).await?;
    Ok(ApiJson(state.store.comment_versions(found.id).await?))
}

/// Flags another participant's comment for the conveners, with a reason (once per comment).
#[utoipa::path(post, path = "/api/v1/consultations/{slug}/comments/{id}/flags",
    tag = "clauses", params(CommentParams), request_body = Reason,
    responses(
        (status = 204, description = "Flagged; the conveners will see it in their queue"),
        (status = 401, body = ApiError),
        (status = 404, body = ApiError),
        (status = 403, body = ApiError, description = "An invitation-only consultation one was not invited to"),
        (status = 409, body = ApiError, description = "One's own comment, flagged already, or the consultation is archived"),
        (status = 422, body = ApiError, description = "No reason, or an over-long one"),
    ))]
async fn flag_comment(
    State(state): State<AppState>,
    SignedIn(account): SignedIn,
    path: CommentPath,
    ApiJson(flag): ApiJson<Reason>,
) -> Result<StatusCode, AppError> {
    let found = find_comment_to_change(&state, &account, path).await?;
    domain::comments::flag(&state, &account, &found, &flag).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Hides a comment with a reason readers see in its place, or restores it — also the way to
/// keep a flagged comment as it is (conveners only). Every action enters the public moderation
/// log; hiding a hidden comment changes nothing.
#[utoipa::path(post, path = "/api/v1/consultations/{slug}/comments/{id}/moderation",
    tag = "convening", params(CommentParams), request_body = Moderation,
    responses(
        (status = 200, body = Comment, description = "The comment as everyone now sees it"),
        (status = 401, body = ApiError),
        (status = 403, body = ApiError),
        (status = 404, body = ApiError),
        (status = 422, body = ApiError, description = "No reason, or an unknown action"),
    ))]
async fn moderate_comment(
    State(state): State<AppState>,
    convening: Convening,
    path: CommentPath,
    ApiJson(moderation): ApiJson<Moderation>,
) -> Result<ApiJson<Comment>, AppError> {
    let found = find_comment(&state, path).await?;
    let comment = domain::comments::moderate(
        &state,
        (convening.consultation.id, &convening.account),
        &found,
        &moderation,
    )
    .await?;
    Ok(ApiJson(comment))
}

/// Gives the conveners' official response to a comment — noted, accepted, partly accepted or
/// not accepted — with an explanation; again replaces it (conveners only).
#[utoipa::path(put, path = "/api/v1/consultations/{slug}/comments/{id}/response",
    tag = "convening", params(CommentParams), request_body = NewResponse,
    responses(
        (status = 200, body = Comment),
        (status = 401, body = ApiError),
        (status = 403, body = ApiError),
        (status = 404, body = ApiError),
        (status = 422, body = ApiError, description = "No explanation, or an unknown verdict"),
    ))]
async fn respond_to_comment(
    State(state): State<AppState>,
    convening: Convening,
    path: CommentPath,
    ApiJson(response): ApiJson<NewResponse>,
) -> Result<ApiJson<Comment>, AppError> {
    let found = find_comment(&state, path).await?;
    let comment = domain::comments::respond(&state, &convening.account, &found, &response).await?;
    Ok(ApiJson(comment))
}

/// Comments flagged since the conveners last acted on them, with the reasons given (conveners
/// only; hidden comments with their text).
#[utoipa::path(get, path = "/api/v1/consultations/{slug}/moderation/queue", tag = "convening",
    params(ConsultationParams),
    responses(
        (status = 200, body = Vec<FlaggedComment>),
        (status = 401, body = ApiError),
        (status = 403, body = ApiError),
        (status = 404, body = ApiError),
    ))]
async fn moderation_queue(
    State(state): State<AppState>,
    convening: Convening,
) -> Result<ApiJson<Vec<FlaggedComment>>, AppError> {
    Ok(ApiJson(
        state
            .store
            .moderation_queue(convening.consultation.id)
            .await?,
    ))
}

/// Every moderation action of a consultation, newest first: public, so that anyone can see
/// what was hidden or restored and why (not by whom: "the conveners").
#[utoipa::path(get, path = "/api/v1/consultations/{slug}/moderation/log", tag = "consultations",
    params(ConsultationParams),
    responses((status = 200, body = Vec<ModerationEntry>), (status = 404, body = ApiError)))]
async fn moderation_log(
    State(state): State<AppState>,
    ApiPath(slug): ApiPath<String>,
) -> Result<ApiJson<Vec<ModerationEntry>>, AppError> {
    let consultation = state.store.existing_consultation(&slug).await?;
    Ok(ApiJson(state.store.moderation_log(consultation.id).await?))
}
