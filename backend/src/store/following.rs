//! What a consultation's followers learn, read for its feed and calendar: its rounds with their
//! schedules, the phase changes and schedules the audit log recorded, the conveners' responses
//! to comments that are not hidden, and each day's count of new comments per clause. Nothing
//! here reads a comment's text or who wrote it.

use super::rounds::{ROUND_COLUMNS, RoundRow};
use super::{Store, StoreError};
use shared::{Phase, Schedule};
use sqlx::FromRow;

/// A round with when it was opened and when its schedule was last set.
#[derive(Debug, Clone, FromRow)]
pub struct FollowedRound {
    #[sqlx(flatten)]
    pub row: RoundRow,
    pub opened_at_ms: i64,
    /// When a convener last set its schedule; `None`: never.
    pub scheduled_at_ms: Option<i64>,
}

/// An entry of the audit log about a round: a phase change or a schedule.
#[derive(Debug, Clone)]
pub struct RoundChange {
    /// The entry's id in the audit log.
    pub id: i64,
    pub at_ms: i64,
    pub round_id: i64,
    pub change: Change,
}

/// What a [`RoundChange`] recorded.
#[derive(Debug, Clone)]
pub enum Change {
    /// The round reached phase `to`: as scheduled at `scheduled_at_ms`, or by hand (`None`).
    Moved {
        to: Phase,
        scheduled_at_ms: Option<i64>,
    },
    /// A convener set the schedule.
    Scheduled(Schedule),
}

/// The conveners' response to a comment that is not hidden.
#[derive(Debug, Clone, FromRow)]
pub struct GivenResponse {
    pub comment_id: i64,
    pub round_id: i64,
    pub clause_key: String,
    pub clause_title: String,
    pub verdict: String,
    pub explanation: String,
    pub at_ms: i64,
}

/// How many comments a clause received on one day (UTC).
#[derive(Debug, Clone, FromRow)]
pub struct DayCount {
    /// Days since the Unix epoch.
    pub day: i64,
    pub clause_key: String,
    pub clause_number: i64,
    pub clause_title: String,
    pub comments: i64,
}

/// One day in milliseconds.
pub const DAY_MS: i64 = 24 * 60 * 60 * 1000;

impl Store {
    /// The rounds of a consultation, oldest first, each with when it opened and when its
    /// schedule was last set.
    pub async fn followed_rounds(
        &self,
        consultation_id: i64,
    ) -> Result<Vec<FollowedRound>, StoreError> {
        Ok(sqlx::query_as(&format!(
            "{ROUND_COLUMNS_WITH_TIMES} WHERE r.consultation_id = $1 \
             ORDER BY r.opened_at_ms, r.id",
            ROUND_COLUMNS_WITH_TIMES = round_columns_with_times()
        ))
        .bind(consultation_id)
        .fetch_all(&self.pool)
        .await?)
    }

    /// When the consultation was created.
    pub async fn consultation_created(&self, consultation_id: i64) -> Result<i64, StoreError> {
        Ok(
            sqlx::query_scalar("SELECT created_at_ms FROM consultations WHERE id = $1")
                .bind(consultation_id)
                .fetch_one(&self.pool)
                .await?,
        )
    }

    /// The phase changes and schedules the audit log recorded for a consultation's rounds
    /// (round `round_id` alone when given), newest first, at most `limit`.
    pub async fn round_changes(
        &self,
        consultation_id: i64,
        round_id: Option<i64>,
        limit: i64,
    ) -> Result<Vec<RoundChange>, StoreError> {
        let rows: Vec<(i64, i64, String, String, String)> = sqlx::query_as(
            "SELECT id, at_ms, subject, action, details FROM audit_log \
             WHERE consultation_id = $1 AND action IN ('round.phase_moved', 'round.scheduled') \
               AND ($2 IS NULL OR subject = $2) \
             ORDER BY id DESC LIMIT $3",
        )
        .bind(consultation_id)
        .bind(round_id.map(|id| format!("round:{id}")))
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        rows.into_iter()
            .map(|(id, at_ms, subject, action, details)| {
                let corrupt = |what: &str| StoreError::Corrupt(format!("audit entry {id}: {what}"));
                let round_id = subject
                    .strip_prefix("round:")
                    .and_then(|id| id.parse().ok())
                    .ok_or_else(|| corrupt(&subject))?;
                let details: serde_json::Value =
                    serde_json::from_str(&details).map_err(|e| corrupt(&e.to_string()))?;
                let change = if action == "round.scheduled" {
                    Change::Scheduled(
                        serde_json::from_value(details).map_err(|e| corrupt(&e.to_string()))?,
                    )
                } else {
                    Change::Moved {
                        to: details["to"]
                            .as_str()
                            .and_then(Phase::parse)
                            .ok_or_else(|| corrupt("no phase"))?,
                        scheduled_at_ms: details["scheduled_at_ms"].as_i64(),
                    }
                };
                Ok(RoundChange {
                    id,
                    at_ms,
                    round_id,
                    change,
                })
            })
            .collect()
    }

    /// The conveners' responses to the comments of a consultation (of round `round_id` alone
    /// when given) that are not hidden, newest first, at most `limit`.
    pub async fn given_responses(
        &self,
        consultation_id: i64,
        round_id: Option<i64>,
        limit: i64,
    ) -> Result<Vec<GivenResponse>, StoreError> {
        Ok(sqlx::query_as(
            "SELECT x.comment_id, k.round_id, k.key AS clause_key, k.title AS clause_title, \
                    x.verdict, x.explanation, x.at_ms \
             FROM comment_responses x JOIN comments m ON m.id = x.comment_id \
             JOIN clauses k ON k.id = m.clause_id JOIN rounds r ON r.id = k.round_id \
             WHERE r.consultation_id = $1 AND ($2 IS NULL OR r.id = $2) \
               AND m.hidden_reason IS NULL \
             ORDER BY x.at_ms DESC, x.comment_id DESC LIMIT $3",
        )
        .bind(consultation_id)
        .bind(round_id)
        .bind(limit)
        .fetch_all(&self.pool)
        .await?)
    }

    /// How many comments each clause of round `round_id` received on each day (UTC) from day
    /// `from` up to, not including, day `until` (days since the Unix epoch).
    pub async fn comments_per_day(
        &self,
        round_id: i64,
        from: i64,
        until: i64,
    ) -> Result<Vec<DayCount>, StoreError> {
        Ok(sqlx::query_as(
            "SELECT m.created_at_ms / $4 AS day, k.key AS clause_key, \
                    k.number AS clause_number, k.title AS clause_title, COUNT(*) AS comments \
             FROM comments m JOIN clauses k ON k.id = m.clause_id \
             WHERE k.round_id = $1 AND m.created_at_ms >= $2 AND m.created_at_ms < $3 \
             GROUP BY m.created_at_ms / $4, k.id, k.key, k.number, k.title \
             ORDER BY day DESC, k.number",
        )
        .bind(round_id)
        .bind(from * DAY_MS)
        .bind(until * DAY_MS)
        .bind(DAY_MS)
        .fetch_all(&self.pool)
        .await?)
    }
}

/// A round's columns, with when it opened and when its schedule was last set.
fn round_columns_with_times() -> String {
    ROUND_COLUMNS.replacen(
        " FROM rounds r",
        ", r.opened_at_ms, (SELECT MAX(a.at_ms) FROM audit_log a \
             WHERE a.consultation_id = r.consultation_id AND a.action = 'round.scheduled' \
               AND a.subject = 'round:' || r.id) \
             AS scheduled_at_ms FROM rounds r",
        1,
    )
}
