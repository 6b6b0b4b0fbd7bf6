//! Participants' proposals (an amendment to a clause, or a new clause) and the conveners'
//! response to each.

use super::StoreError;
use super::audit::{self, Entry};
use super::moderation::{Answered, response_from};
use super::{Store, now_ms};
use shared::{ProposalKind, Response, Verdict};

impl Store {
    /// Sets the conveners' response to a proposal (again replaces it).
    pub async fn respond_to_proposal(
        &self,
        clause_id: i64,
        verdict: Verdict,
        explanation: &str,
        by: i64,
    ) -> Result<(), StoreError> {
        self.set_response(Answered::Proposal, clause_id, verdict, explanation, by)
            .await
    }

    /// The conveners' response to a proposal, if any.
    pub async fn proposal_response(&self, clause_id: i64) -> Result<Option<Response>, StoreError> {
        let row: Option<(String, String, i64)> = sqlx::query_as(
            "SELECT verdict, explanation, at_ms FROM proposal_responses WHERE clause_id = $1",
        )
        .bind(clause_id)
        .fetch_optional(&self.pool)
        .await?;
        row.map(|(verdict, explanation, at_ms)| response_from(&verdict, explanation, at_ms))
            .transpose()
    }

    /// Adds a participant's proposal to round `round_id` as a clause of kind `kind`, numbered
    /// after the round's other proposals (-1, -2, …) with the key `proposal-N`; its key.
    pub async fn add_proposal(
        &self,
        round_id: i64,
        kind: ProposalKind,
        amends_id: Option<i64>,
        title: &str,
        body_md: &str,
        by: i64,
    ) -> Result<String, StoreError> {
        // Two proposals at once on PostgreSQL may both take the next number; the second tries
        // again with the one after.
        let mut attempt = 0;
        loop {
            attempt += 1;
            let mut tx = self.write_tx().await?;
            let number: i64 = sqlx::query_scalar(
                "SELECT COALESCE(MIN(CASE WHEN number < 0 THEN number END), 0) - 1 \
                 FROM clauses WHERE round_id = $1",
            )
            .bind(round_id)
            .fetch_one(&mut *tx)
            .await?;
            let key = format!("proposal-{}", -number);
            let inserted: Result<i64, _> = sqlx::query_scalar(
                "INSERT INTO clauses (round_id, key, number, title, body_md, kind, amends_id, \
                     proposed_by, proposed_at_ms) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) \
                 RETURNING id",
            )
            .bind(round_id)
            .bind(&key)
            .bind(number)
            .bind(title)
            .bind(body_md)
            .bind(kind.as_str())
            .bind(amends_id)
            .bind(by)
            .bind(now_ms())
            .fetch_one(&mut *tx)
            .await;
            match inserted {
                Ok(id) => {
                    let entry = Entry::new(Some(by), "proposal.made", format!("clause:{id}")).with(
                        serde_json::json!({
                            "kind": kind.as_str(),
                            "amends_id": amends_id,
                            "title": title,
                            "body_md": body_md,
                        }),
                    );
                    audit::append_on_clause(&mut tx, self.backend, id, entry).await?;
                    tx.commit().await?;
                    return Ok(key);
                }
                Err(sqlx::Error::Database(e)) if e.is_unique_violation() && attempt < 5 => {}
                Err(e) => return Err(e.into()),
            }
        }
    }
}
