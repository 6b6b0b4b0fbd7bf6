//! Comments, proposals and moderation, and the live stream of a clause's comments.

use super::{BASE, clause_url, follow, get, no_content, seg, send, unreachable, with_json};
use gloo_net::http::Request;
use shared::{
    ApiError, Comment, CommentEdit, CommentPage, CommentVersion, CreatedProposal, FlaggedComment,
    Moderation, ModerationEntry, NewComment, NewProposal, NewResponse, Reason,
};

/// `GET …/clauses/{key}/comments`: the page of threads after thread `after`.
pub async fn list_comments(
    slug: &str,
    round: &str,
    key: &str,
    after: Option<i64>,
) -> Result<CommentPage, ApiError> {
    let query = after.map(|a| format!("?after={a}")).unwrap_or_default();
    get(&format!("{}/comments{query}", clause_url(slug, round, key))).await
}

/// Every comment on a clause, page after page, each thread's replies after its first comment.
pub async fn all_comments(slug: &str, round: &str, key: &str) -> Result<Vec<Comment>, ApiError> {
    fn flatten(mut comment: Comment, into: &mut Vec<Comment>) {
        let replies = std::mem::take(&mut comment.replies);
        into.push(comment);
        for reply in replies {
            flatten(reply, into);
        }
    }
    let mut all = Vec::new();
    let mut after = None;
    loop {
        let page = list_comments(slug, round, key, after).await?;
        for thread in page.threads {
            flatten(thread, &mut all);
        }
        match page.next_after {
            Some(next) => after = Some(next),
            None => return Ok(all),
        }
    }
}

/// `GET …/clauses/{key}/comments/live`: the clause's new and changed comments as they happen.
pub fn follow_comments(slug: &str, round: &str, key: &str, on: impl FnMut(Comment) + 'static) {
    let url = format!("{}/comments/live", clause_url(slug, round, key));
    follow(&url, "comment", on);
}

fn comment_url(slug: &str, id: i64) -> String {
    format!("{BASE}/consultations/{}/comments/{id}", seg(slug))
}

/// `PUT /consultations/{slug}/comments/{id}`: rewrite one's own comment.
pub async fn edit_comment(slug: &str, id: i64, edit: &CommentEdit) -> Result<Comment, ApiError> {
    send(Request::put(&comment_url(slug, id)), edit).await
}

/// `GET …/comments/{id}/versions` (conveners).
pub async fn comment_versions(slug: &str, id: i64) -> Result<Vec<CommentVersion>, ApiError> {
    get(&format!("{}/versions", comment_url(slug, id))).await
}

/// `POST …/comments/{id}/flags`
pub async fn flag_comment(slug: &str, id: i64, reason: &Reason) -> Result<(), ApiError> {
    let request = with_json(
        Request::post(&format!("{}/flags", comment_url(slug, id))),
        reason,
    )?;
    no_content(request.send().await.map_err(unreachable)?).await
}

/// `POST …/comments/{id}/moderation` (conveners).
pub async fn moderate_comment(
    slug: &str,
    id: i64,
    moderation: &Moderation,
) -> Result<Comment, ApiError> {
    let url = format!("{}/moderation", comment_url(slug, id));
    send(Request::post(&url), moderation).await
}

/// `PUT …/comments/{id}/response` (conveners).
pub async fn respond_to_comment(
    slug: &str,
    id: i64,
    response: &NewResponse,
) -> Result<Comment, ApiError> {
    send(
        Request::put(&format!("{}/response", comment_url(slug, id))),
        response,
    )
    .await
}

/// `POST /consultations/{slug}/rounds/{round}/proposals`
pub async fn propose(
    slug: &str,
    round: &str,
    proposal: &NewProposal,
) -> Result<CreatedProposal, ApiError> {
    let url = format!(
        "{BASE}/consultations/{}/rounds/{}/proposals",
        seg(slug),
        seg(round)
    );
    send(Request::post(&url), proposal).await
}

/// `PUT …/clauses/{key}/response`: the conveners' response to a proposal.
pub async fn respond_to_proposal(
    slug: &str,
    round: &str,
    key: &str,
    response: &NewResponse,
) -> Result<shared::Response, ApiError> {
    let url = format!("{}/response", clause_url(slug, round, key));
    send(Request::put(&url), response).await
}

/// `GET /consultations/{slug}/moderation/queue` (conveners).
pub async fn moderation_queue(slug: &str) -> Result<Vec<FlaggedComment>, ApiError> {
    get(&format!(
        "{BASE}/consultations/{}/moderation/queue",
        seg(slug)
    ))
    .await
}

/// `GET /consultations/{slug}/moderation/log`
pub async fn moderation_log(slug: &str) -> Result<Vec<ModerationEntry>, ApiError> {
    get(&format!(
        "{BASE}/consultations/{}/moderation/log",
        seg(slug)
    ))
    .await
}

/// `POST …/clauses/{key}/comments`
pub async fn post_comment(
    slug: &str,
    round: &str,
    key: &str,
    comment: &NewComment,
) -> Result<Comment, ApiError> {
    let url = format!("{}/comments", clause_url(slug, round, key));
    send(Request::post(&url), comment).await
}
