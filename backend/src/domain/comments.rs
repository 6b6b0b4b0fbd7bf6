//! Comments: who may write one, what it must carry, and what follows: the stored comment is
//! told to every reader of its clause, on every process.

use super::access;
use crate::refusal::Refusal;
use crate::state::AppState;
use crate::store::{Account, Audience, ClauseRow, CommentRef, StoreError};
use shared::{
    Comment, CommentEdit, FieldError, Moderation, NewComment, NewResponse, Reason, find_passage,
};

/// Posts `account`'s comment (or reply, or comment on a passage) on `clause` while its round
/// Comment `id` of consultation `slug`, to be edited or flagged by `account`: refused in an
/// archived consultation, and to one who may not take part in it.
pub async fn to_change(
    state: &AppState,
    account: &Account,
    slug: &str,
    id: i64,
) -> Result<CommentRef, StoreError> {
    let consultation = state.store.existing_consultation(slug).await?;
    access::require_changeable(&consultation)?;
    if !access::may_take_part(state, account, &consultation).await? {
        return Err(Refusal::NotInvited.into());
    }
    state.store.comment_in(consultation.id, id).await
}

/// takes comments; a passage must be words of the clause's current text.
pub async fn post(
    state: &AppState,
    account: &Account,
    clause: &ClauseRow,
    comment: NewComment,
) -> Result<Comment, StoreError> {
    access::require_taking_part(state, account, clause).await?;
    let (body, passage) = comment.check().map_err(Refusal::Validation)?;
    let phase = clause.state.phase()?;
    if !phase.accepts_comments() {
        return Err(Refusal::PhaseClosed(phase).into());
    }
    if let Some(passage) = &passage {
        let words = crate::markdown::words(&clause.body_md);
        let words: Vec<&str> = words.iter().map(String::as_str).collect();
        if find_passage(&words, passage).is_none() {
            return Err(Refusal::Validation(vec![FieldError::new(
                "passage",
                "not_in_text",
                "These words are not in the clause. Choose words from its current text.",
            )])
            .into());
        }
    }
    let new = NewComment {
        body,
        passage,
        ..comment
    };
    let comment = state
        .store
        .add_comment(clause.id, account, &new, phase)
        .await?;
    metrics::counter!(crate::ops::metrics::COMMENTS).increment(1);
    state.hub.comment(&state.store, clause.id, &comment).await;
    Ok(comment)
}

/// Rewrites `account`'s own comment `found` while its round takes comments, unless the
/// conveners hid it; readers see that it was edited, conveners its earlier wordings.
pub async fn edit(
    state: &AppState,
    account: &Account,
    found: &CommentRef,
    edit: &CommentEdit,
) -> Result<Comment, StoreError> {
    if found.account_id != account.id {
        return Err(Refusal::NotAuthor.into());
    }
    if found.hidden != 0 {
        return Err(Refusal::CommentHidden.into());
    }
    let clause = state.store.clause_by_id(found.clause_id).await?;
    let phase = clause.state.phase()?;
    if !phase.accepts_comments() {
        return Err(Refusal::PhaseClosed(phase).into());
    }
    let body = edit.check().map_err(Refusal::Validation)?;
    let comment = state.store.edit_comment(found, &body).await?;
    state
        .hub
        .comment(&state.store, found.clause_id, &comment)
        .await;
    Ok(comment)
}

/// Hides or restores comment `found` of consultation `consultation_id`, by one of its conveners
/// `by`, with the reason kept in the public log; answers the comment as everyone now sees it.
pub async fn moderate(
    state: &AppState,
    (consultation_id, by): (i64, &Account),
    found: &CommentRef,
    moderation: &Moderation,
) -> Result<Comment, StoreError> {
    let reason = moderation.check().map_err(Refusal::Validation)?;
    state
        .store
        .moderate(consultation_id, found, moderation.action, &reason, by.id)
        .await?;
    tracing::info!(
        event = "comment_moderated",
        by = by.id,
        comment = found.id,
        action = moderation.action.as_str(),
        "comment moderated"
    );
    let comment = state.store.comment(found.id, Audience::Public).await?;
    state
        .hub
        .comment(&state.store, found.clause_id, &comment)
        .await;
    Ok(comment)
}

/// Flags comment `found` for the conveners, with `account`'s reason; not one's own comment.
pub async fn flag(
    state: &AppState,
    account: &Account,
    found: &CommentRef,
    flag: &Reason,
) -> Result<(), StoreError> {
    if found.account_id == account.id {
        return Err(Refusal::OwnComment.into());
    }
    let reason = flag.check().map_err(Refusal::Validation)?;
    state.store.flag(found, account.id, &reason).await
}

/// Gives (or replaces) the conveners' response to comment `found`, by convener `by`; every reader
/// of its clause sees the comment with it.
pub async fn respond(
    state: &AppState,
    by: &Account,
    found: &CommentRef,
    response: &NewResponse,
) -> Result<Comment, StoreError> {
    let explanation = response.check().map_err(Refusal::Validation)?;
    let comment = state
        .store
        .respond(found.id, response.verdict, &explanation, by.id)
        .await?;
    state
        .hub
        .comment(&state.store, found.clause_id, &comment)
        .await;
    Ok(comment)
}
