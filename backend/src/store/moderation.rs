//! What conveners do with comments: the flags participants raise, the moderation queue, hiding
//! and restoring (with a public log), and their responses to comments and proposals.

use super::audit::{self, Entry};
use super::comments::{Audience, CommentRef};
use super::{OnConflict, StoreError};
use super::{Store, now_ms};
use crate::refusal::Refusal;
use shared::{Comment, FlaggedComment, ModerationAction, ModerationEntry, Response, Verdict};
use sqlx::FromRow;

/// What the conveners answer.
#[derive(Debug, Clone, Copy)]
pub(super) enum Answered {
    Comment,
    Proposal,
}

/// A response as stored.
pub(super) fn response_from(
    verdict: &str,
    explanation: String,
    at_ms: i64,
) -> Result<Response, StoreError> {
    Ok(Response {
        verdict: Verdict::parse(verdict)
            .ok_or_else(|| StoreError::Corrupt(format!("unknown verdict {verdict:?}")))?,
        explanation,
        at_ms,
    })
}

impl Store {
    /// Flags a comment; a second flag by the same account is [`ErrorCode::AlreadyFlagged`].
    pub async fn flag(
        &self,
        comment: &CommentRef,
        account_id: i64,
        reason: &str,
    ) -> Result<(), StoreError> {
        let id = comment.id;
        let mut tx = self.write_tx().await?;
        sqlx::query(
            "INSERT INTO comment_flags (comment_id, account_id, reason, flagged_at_ms) \
             VALUES ($1, $2, $3, $4)",
        )
        .bind(id)
        .bind(account_id)
        .bind(reason)
        .bind(now_ms())
        .execute(&mut *tx)
        .await
        .on_conflict(Refusal::AlreadyFlagged)?;
        let entry = Entry::new(Some(account_id), "comment.flagged", format!("comment:{id}"))
            .with(serde_json::json!({ "reason": reason }));
        audit::append_on_clause(&mut tx, self.backend, comment.clause_id, entry).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Comments flagged since the conveners last acted on them, oldest first.
    pub async fn moderation_queue(
        &self,
        consultation_id: i64,
    ) -> Result<Vec<FlaggedComment>, StoreError> {
        #[derive(FromRow)]
        struct Flagged {
            id: i64,
            round: String,
            clause: String,
        }
        let flagged: Vec<Flagged> = sqlx::query_as(
            "SELECT m.id, r.slug AS round, k.key AS clause FROM comments m \
             JOIN clauses k ON k.id = m.clause_id JOIN rounds r ON r.id = k.round_id \
             WHERE r.consultation_id = $1 AND EXISTS ( \
                 SELECT 1 FROM comment_flags f WHERE f.comment_id = m.id AND f.flagged_at_ms >= \
                     COALESCE((SELECT MAX(l.at_ms) FROM moderation_log l \
                               WHERE l.comment_id = m.id), 0)) \
             ORDER BY m.id",
        )
        .bind(consultation_id)
        .fetch_all(&self.pool)
        .await?;
        let mut queue = Vec::with_capacity(flagged.len());
        for f in flagged {
            let reasons = sqlx::query_scalar(
                "SELECT reason FROM comment_flags WHERE comment_id = $1 ORDER BY flagged_at_ms",
            )
            .bind(f.id)
            .fetch_all(&self.pool)
            .await?;
            queue.push(FlaggedComment {
                round: f.round,
                clause: f.clause,
                comment: self.comment(f.id, Audience::Conveners).await?,
                reasons,
            });
        }
        Ok(queue)
    }

    /// Hides or restores a comment with a public reason, logging the action; hiding a hidden
    /// comment changes nothing.
    pub async fn moderate(
        &self,
        consultation_id: i64,
        comment: &CommentRef,
        action: ModerationAction,
        reason: &str,
        by: i64,
    ) -> Result<(), StoreError> {
        if action == ModerationAction::Hide && comment.hidden != 0 {
            return Ok(());
        }
        let mut tx = self.write_tx().await?;
        sqlx::query("UPDATE comments SET hidden_reason = $1 WHERE id = $2")
            .bind(match action {
                ModerationAction::Hide => Some(reason),
                ModerationAction::Restore => None,
            })
            .bind(comment.id)
            .execute(&mut *tx)
            .await?;
        sqlx::query(
            "INSERT INTO moderation_log (consultation_id, comment_id, action, reason, account_id, \
                 at_ms) VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(consultation_id)
        .bind(comment.id)
        .bind(action.as_str())
        .bind(reason)
        .bind(by)
        .bind(now_ms())
        .execute(&mut *tx)
        .await?;
        let action_name = match action {
            ModerationAction::Hide => "comment.hidden",
            ModerationAction::Restore => "comment.restored",
        };
        let entry = Entry::new(Some(by), action_name, format!("comment:{}", comment.id))
            .in_consultation(consultation_id)
            .with(serde_json::json!({ "reason": reason }));
        audit::append(&mut tx, self.backend, entry).await?;
        tx.commit().await?;
        Ok(())
    }

    /// A consultation's moderation log, newest first (without who acted: "the conveners").
    pub async fn moderation_log(
        &self,
        consultation_id: i64,
    ) -> Result<Vec<ModerationEntry>, StoreError> {
        let rows: Vec<(String, String, i64, String, String, i64)> = sqlx::query_as(
            "SELECT r.slug, k.key, l.comment_id, l.action, l.reason, l.at_ms \
             FROM moderation_log l JOIN comments m ON m.id = l.comment_id \
             JOIN clauses k ON k.id = m.clause_id JOIN rounds r ON r.id = k.round_id \
             WHERE l.consultation_id = $1 ORDER BY l.id DESC",
        )
        .bind(consultation_id)
        .fetch_all(&self.pool)
        .await?;
        rows.into_iter()
            .map(|(round, clause, comment_id, action, reason, at_ms)| {
                Ok(ModerationEntry {
                    round,
                    clause,
                    comment_id,
                    action: ModerationAction::parse(&action).ok_or_else(|| {
                        StoreError::Corrupt(format!("unknown moderation action {action:?}"))
                    })?,
                    reason,
                    at_ms,
                })
            })
            .collect()
    }

    /// Sets the conveners' response to a comment (again replaces it).
    pub async fn respond(
        &self,
        id: i64,
        verdict: Verdict,
        explanation: &str,
        by: i64,
    ) -> Result<Comment, StoreError> {
        self.set_response(Answered::Comment, id, verdict, explanation, by)
            .await?;
        self.comment(id, Audience::Public).await
    }

    pub(super) async fn set_response(
        &self,
        what: Answered,
        id: i64,
        verdict: Verdict,
        explanation: &str,
        by: i64,
    ) -> Result<(), StoreError> {
        let (table, key, subject) = match what {
            Answered::Comment => ("comment_responses", "comment_id", "comment"),
            Answered::Proposal => ("proposal_responses", "clause_id", "clause"),
        };
        let mut tx = self.write_tx().await?;
        sqlx::query(&format!(
            "INSERT INTO {table} ({key}, verdict, explanation, account_id, at_ms) \
             VALUES ($1, $2, $3, $4, $5) ON CONFLICT ({key}) DO UPDATE \
             SET verdict = excluded.verdict, explanation = excluded.explanation, \
                 account_id = excluded.account_id, at_ms = excluded.at_ms"
        ))
        .bind(id)
        .bind(verdict.as_str())
        .bind(explanation)
        .bind(by)
        .bind(now_ms())
        .execute(&mut *tx)
        .await?;
        let clause_id = match what {
            Answered::Comment => {
                sqlx::query_scalar("SELECT clause_id FROM comments WHERE id = $1")
                    .bind(id)
                    .fetch_one(&mut *tx)
                    .await?
            }
            Answered::Proposal => id,
        };
        let entry = Entry::new(Some(by), "response.given", format!("{subject}:{id}"))
            .with(serde_json::json!({ "verdict": verdict.as_str(), "explanation": explanation }));
        audit::append_on_clause(&mut tx, self.backend, clause_id, entry).await?;
        if self.mail_on() && matches!(what, Answered::Comment) {
            let (consultation_id, round_id): (i64, i64) = sqlx::query_as(
                "SELECT r.consultation_id, r.id FROM clauses k JOIN rounds r ON r.id = k.round_id \
                 WHERE k.id = $1",
            )
            .bind(clause_id)
            .fetch_one(&mut *tx)
            .await?;
            let happening = super::reminders::Happening {
                kind: "response",
                consultation_id,
                round_id: Some(round_id),
                phase: None,
                at_ms: now_ms(),
                comment_id: Some(id),
            };
            super::reminders::record_event(&mut tx, happening).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// How many comments a consultation has, and how many of them have a response.
    pub async fn answered(&self, consultation_id: i64) -> Result<(i64, i64), StoreError> {
        Ok(sqlx::query_as(
            "SELECT COUNT(*), COUNT(x.comment_id) FROM comments m \
             JOIN clauses k ON k.id = m.clause_id JOIN rounds r ON r.id = k.round_id \
             LEFT JOIN comment_responses x ON x.comment_id = m.id \
             WHERE r.consultation_id = $1",
        )
        .bind(consultation_id)
        .fetch_one(&self.pool)
        .await?)
    }
}
