//! Comments: threads and replies, comments on a passage, edits with their history, and pages
//! of a clause's threads as the public or its conveners see them.

use super::StoreError;
use super::audit::{self, Entry};
use super::moderation::response_from;
use super::{Account, Store, now_ms};
use crate::markdown;
use crate::refusal::Refusal;
use bytes::Bytes;
use shared::{
    Comment, CommentPage, CommentVersion, FieldError, Language, MAX_DEPTH, NewComment, Passage,
    Phase, THREADS_PER_PAGE,
};
use sqlx::FromRow;
use std::collections::HashMap;

/// A comment as the public sees it, with its response (the `WHERE` is added by each query).
const COMMENT_COLUMNS: &str = "\
    SELECT m.id, CASE WHEN a.deleted_at_ms IS NULL THEN a.handle END AS author, \
           o.name AS organisation, m.body, m.created_at_ms, m.parent_id, m.depth, \
           m.passage_exact, m.passage_prefix, m.passage_suffix, m.language, m.edited_at_ms, \
           m.hidden_reason, r.verdict, r.explanation, r.at_ms AS response_at_ms \
    FROM comments m JOIN accounts a ON a.id = m.account_id \
    LEFT JOIN organisations o ON o.id = a.shown_organisation_id \
    LEFT JOIN comment_responses r ON r.comment_id = m.id";

#[derive(FromRow)]
struct CommentRow {
    id: i64,
    author: Option<String>,
    organisation: Option<String>,
    body: String,
    created_at_ms: i64,
    parent_id: Option<i64>,
    depth: i64,
    passage_exact: Option<String>,
    passage_prefix: Option<String>,
    passage_suffix: Option<String>,
    language: Option<String>,
    edited_at_ms: Option<i64>,
    hidden_reason: Option<String>,
    verdict: Option<String>,
    explanation: Option<String>,
    response_at_ms: Option<i64>,
}

/// Whose eyes a comment is shown to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Audience {
    /// Everyone: a hidden comment shows only the conveners' reason.
    Public,
    /// The conveners' record: hidden comments with their text.
    Conveners,
}

impl CommentRow {
    fn into_comment(self, audience: Audience) -> Result<Comment, StoreError> {
        let shown = self.hidden_reason.is_none() || audience == Audience::Conveners;
        let response = match (self.verdict, self.explanation, self.response_at_ms) {
            (Some(verdict), Some(explanation), Some(at_ms)) => {
                Some(response_from(&verdict, explanation, at_ms)?)
            }
            _ => None,
        };
        Ok(Comment {
            id: self.id,
            author: self.author,
            organisation: self.organisation,
            body_html: if shown {
                markdown::render_comment(&self.body)
            } else {
                String::new()
            },
            body: if shown { self.body } else { String::new() },
            created_at_ms: self.created_at_ms,
            parent_id: self.parent_id,
            depth: self.depth,
            passage: self.passage_exact.map(|exact| Passage {
                exact,
                prefix: self.passage_prefix.unwrap_or_default(),
                suffix: self.passage_suffix.unwrap_or_default(),
            }),
            language: self.language.as_deref().and_then(Language::parse),
            edited_at_ms: self.edited_at_ms,
            hidden: self.hidden_reason,
            response,
            replies: Vec::new(),
        })
    }
}

/// Nests comments (in id order) under their parents; the order is kept at every level.
fn nest(comments: Vec<Comment>) -> Vec<Comment> {
    type Children = HashMap<Option<i64>, Vec<Comment>>;
    fn attach(comment: &mut Comment, children: &mut Children) {
        if let Some(mut replies) = children.remove(&Some(comment.id)) {
            for reply in &mut replies {
                attach(reply, children);
            }
            comment.replies = replies;
        }
    }
    let mut children = Children::new();
    for comment in comments {
        children.entry(comment.parent_id).or_default().push(comment);
    }
    let mut roots = children.remove(&None).unwrap_or_default();
    for root in &mut roots {
        attach(root, &mut children);
    }
    roots
}

/// A comment located for a change: where it is and whose it is.
#[derive(Debug, Clone, FromRow)]
pub struct CommentRef {
    pub id: i64,
    pub clause_id: i64,
    pub account_id: i64,
    pub hidden: i64,
}

impl Store {
    /// One page of a clause's threads (first comments after `after`, with all their replies),
    /// for everyone, as JSON: kept serialized, since every reader gets the same.
    pub async fn comment_page_json(
        &self,
        clause_id: i64,
        after: Option<i64>,
    ) -> Result<Bytes, StoreError> {
        let key = (clause_id, after.unwrap_or(0));
        let fetch = async {
            let page = self.stored_comment_page(clause_id, after).await?;
            serde_json::to_vec(&page)
                .map(Bytes::from)
                .map_err(|e| StoreError::Internal(e.into()))
        };
        self.remembered(
            |cache| cache.comments(key),
            fetch,
            |cache, ticket, page| cache.keep_comments(ticket, key, page),
        )
        .await
    }

    async fn stored_comment_page(
        &self,
        clause_id: i64,
        after: Option<i64>,
    ) -> Result<CommentPage, StoreError> {
        let limit = i64::try_from(THREADS_PER_PAGE).unwrap_or(20);
        let roots: Vec<CommentRow> = sqlx::query_as(&format!(
            "{COMMENT_COLUMNS} WHERE m.clause_id = $1 AND m.parent_id IS NULL AND m.id > $2 \
             ORDER BY m.id LIMIT $3"
        ))
        .bind(clause_id)
        .bind(after.unwrap_or(0))
        .bind(limit + 1)
        .fetch_all(&self.pool)
        .await?;
        let more = roots.len() > THREADS_PER_PAGE;
        let roots: Vec<CommentRow> = roots.into_iter().take(THREADS_PER_PAGE).collect();
        let mut comments = Vec::new();
        if let (Some(first), Some(last)) = (roots.first(), roots.last()) {
            // The page's threads are exactly those whose first comment is in its id range.
            let replies: Vec<CommentRow> = sqlx::query_as(&format!(
                "{COMMENT_COLUMNS} WHERE m.clause_id = $1 AND m.thread_id BETWEEN $2 AND $3 \
                 ORDER BY m.id"
            ))
            .bind(clause_id)
            .bind(first.id)
            .bind(last.id)
            .fetch_all(&self.pool)
            .await?;
            for row in roots.into_iter().chain(replies) {
                comments.push(row.into_comment(Audience::Public)?);
            }
        }
        let threads = nest(comments);
        let (total, answered): (i64, i64) = sqlx::query_as(
            "SELECT COUNT(*), COUNT(r.comment_id) FROM comments m \
             LEFT JOIN comment_responses r ON r.comment_id = m.id WHERE m.clause_id = $1",
        )
        .bind(clause_id)
        .fetch_one(&self.pool)
        .await?;
        Ok(CommentPage {
            next_after: if more {
                threads.last().map(|t| t.id)
            } else {
                None
            },
            threads,
            total,
            answered,
        })
    }

    /// One comment, without its replies.
    pub async fn comment(&self, id: i64, audience: Audience) -> Result<Comment, StoreError> {
        let row: CommentRow = sqlx::query_as(&format!("{COMMENT_COLUMNS} WHERE m.id = $1"))
            .bind(id)
            .fetch_optional(&self.pool)
            .await?
            .ok_or(Refusal::NotFound("comment"))?;
        row.into_comment(audience)
    }

    /// The clause a comment is on.
    pub async fn clause_of_comment(&self, id: i64) -> Result<i64, StoreError> {
        sqlx::query_scalar("SELECT clause_id FROM comments WHERE id = $1")
            .bind(id)
            .fetch_optional(&self.pool)
            .await?
            .ok_or(Refusal::NotFound("comment").into())
    }

    /// The comment `id` if it is in consultation `consultation_id`.
    pub async fn comment_in(
        &self,
        consultation_id: i64,
        id: i64,
    ) -> Result<CommentRef, StoreError> {
        sqlx::query_as(
            "SELECT m.id, m.clause_id, m.account_id, \
                    CASE WHEN m.hidden_reason IS NULL THEN 0 ELSE 1 END AS hidden \
             FROM comments m JOIN clauses k ON k.id = m.clause_id \
             JOIN rounds r ON r.id = k.round_id WHERE m.id = $1 AND r.consultation_id = $2",
        )
        .bind(id)
        .bind(consultation_id)
        .fetch_optional(&self.pool)
        .await?
        .ok_or(Refusal::NotFound("comment").into())
    }

    /// The passages quoted by the clause's comments that are not hidden.
    pub async fn passages(&self, clause_id: i64) -> Result<Vec<Passage>, StoreError> {
        let rows: Vec<(String, Option<String>, Option<String>)> = sqlx::query_as(
            "SELECT passage_exact, passage_prefix, passage_suffix FROM comments \
             WHERE clause_id = $1 AND passage_exact IS NOT NULL AND hidden_reason IS NULL",
        )
        .bind(clause_id)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .into_iter()
            .map(|(exact, prefix, suffix)| Passage {
                exact,
                prefix: prefix.unwrap_or_default(),
                suffix: suffix.unwrap_or_default(),
            })
            .collect())
    }

    /// Adds a comment (the caller has checked the phase, the body and that the passage is in
    /// the clause). A reply must answer a comment on the same clause; a reply to a comment at
    /// the deepest level joins that comment's own replies' level instead.
    pub async fn add_comment(
        &self,
        clause_id: i64,
        author: &Account,
        comment: &NewComment,
        phase: Phase,
    ) -> Result<Comment, StoreError> {
        let (body, passage, language) = (
            comment.body.as_str(),
            comment.passage.as_ref(),
            comment.language,
        );
        let (parent_id, thread_id, depth) = match comment.parent_id {
            None => (None, None, 0),
            Some(parent_id) => {
                let parent: Option<(i64, Option<i64>, Option<i64>, i64)> = sqlx::query_as(
                    "SELECT clause_id, parent_id, thread_id, depth FROM comments WHERE id = $1",
                )
                .bind(parent_id)
                .fetch_optional(&self.pool)
                .await?;
                let Some((parent_clause, grandparent, thread, depth)) = parent else {
                    return Err(not_on_this_clause());
                };
                if parent_clause != clause_id {
                    return Err(not_on_this_clause());
                }
                let thread = thread.unwrap_or(parent_id);
                if depth >= MAX_DEPTH {
                    (grandparent, Some(thread), depth)
                } else {
                    (Some(parent_id), Some(thread), depth + 1)
                }
            }
        };
        let mut tx = self.write_tx().await?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO comments (clause_id, account_id, body, created_at_ms, phase, parent_id, \
                 thread_id, depth, passage_exact, passage_prefix, passage_suffix, language) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING id",
        )
        .bind(clause_id)
        .bind(author.id)
        .bind(body)
        .bind(now_ms())
        .bind(phase.as_str())
        .bind(parent_id)
        .bind(thread_id)
        .bind(depth)
        .bind(passage.map(|p| p.exact.as_str()))
        .bind(passage.map(|p| p.prefix.as_str()))
        .bind(passage.map(|p| p.suffix.as_str()))
        .bind(language.map(Language::as_str))
        .fetch_one(&mut *tx)
        .await?;
        let entry = Entry::new(Some(author.id), "comment.posted", format!("comment:{id}")).with(
            serde_json::json!({
                "clause_id": clause_id,
                "parent_id": parent_id,
                "body": body,
                "passage": passage.map(|p| &p.exact),
                "language": language.map(Language::as_str),
            }),
        );
        audit::append_on_clause(&mut tx, self.backend, clause_id, entry).await?;
        tx.commit().await?;
        self.comment(id, Audience::Public).await
    }

    /// Rewrites a comment, keeping the wording it replaces.
    pub async fn edit_comment(
        &self,
        comment: &CommentRef,
        body: &str,
    ) -> Result<Comment, StoreError> {
        let (id, now) = (comment.id, now_ms());
        let mut tx = self.write_tx().await?;
        sqlx::query(
            "INSERT INTO comment_versions (comment_id, body, written_at_ms) \
             SELECT id, body, COALESCE(edited_at_ms, created_at_ms) FROM comments WHERE id = $1",
        )
        .bind(id)
        .execute(&mut *tx)
        .await?;
        sqlx::query("UPDATE comments SET body = $1, edited_at_ms = $2 WHERE id = $3")
            .bind(body)
            .bind(now)
            .bind(id)
            .execute(&mut *tx)
            .await?;
        let entry = Entry::new(
            Some(comment.account_id),
            "comment.edited",
            format!("comment:{id}"),
        )
        .with(serde_json::json!({ "body": body }));
        audit::append_on_clause(&mut tx, self.backend, comment.clause_id, entry).await?;
        tx.commit().await?;
        self.comment(id, Audience::Public).await
    }

    /// The earlier wordings of a comment, oldest first.
    pub async fn comment_versions(&self, id: i64) -> Result<Vec<CommentVersion>, StoreError> {
        let rows: Vec<(String, i64)> = sqlx::query_as(
            "SELECT body, written_at_ms FROM comment_versions WHERE comment_id = $1 ORDER BY id",
        )
        .bind(id)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .into_iter()
            .map(|(body, written_at_ms)| CommentVersion {
                body,
                written_at_ms,
            })
            .collect())
    }
}

fn not_on_this_clause() -> StoreError {
    Refusal::Validation(vec![FieldError::new(
        "parent_id",
        "not_on_this_clause",
        "A reply answers a comment on the same clause.",
    )])
    .into()
}
