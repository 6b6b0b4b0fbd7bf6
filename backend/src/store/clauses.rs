//! Clauses: found by their path or id, with their text, the proposal they came from, the
//! comments they answer, and what conveners attach once a round closes (consensus, minority
//! statements).

use super::StoreError;
use super::audit::{self, Entry};
use super::rounds::RoundState;
use super::{Store, now_ms, participation};
use crate::refusal::Refusal;
use shared::{ConsensusLevel, MinorityStatement, ProposalInfo, ProposalKind, RoundSummary};
use sqlx::FromRow;

/// A clause located by consultation, round and key, with what the handlers need to decide.
#[derive(Debug, Clone, FromRow)]
pub struct ClauseRow {
    pub id: i64,
    pub consultation_id: i64,
    pub consultation_access: String,
    pub consultation_slug: String,
    pub consultation_title: String,
    pub consultation_archived_at_ms: Option<i64>,
    pub consultation_needs_passkey: i64,
    pub round_id: i64,
    pub round_slug: String,
    pub round_title: String,
    #[sqlx(flatten)]
    pub state: RoundState,
    pub key: String,
    pub number: i64,
    pub title: String,
    pub body_md: String,
    pub change_note: String,
    pub consensus: Option<String>,
    /// `text`, or the kind of a participant's proposal.
    pub kind: String,
    /// An amendment's clause, by key.
    pub amends_key: Option<String>,
    pub proposed_by_handle: Option<String>,
    pub proposed_at_ms: Option<i64>,
}

pub(super) const CLAUSE_COLUMNS: &str = "\
    SELECT k.id, c.id AS consultation_id, c.access AS consultation_access, \
           c.slug AS consultation_slug, c.title AS consultation_title, \
           c.archived_at_ms AS consultation_archived_at_ms, \
           c.conveners_need_passkey AS consultation_needs_passkey, \
           r.id AS round_id, r.slug AS round_slug, r.title AS round_title, r.phase, \
           r.commenting_at_ms, r.voting_at_ms, r.closing_at_ms, r.hide_results, \
           r.previous_round_id, r.rule, r.abstentions_count, r.counting, \
           k.key, k.number, k.title, k.body_md, k.change_note, k.consensus, k.kind, \
           (SELECT a.key FROM clauses a WHERE a.id = k.amends_id) AS amends_key, \
           (SELECT CASE WHEN p.deleted_at_ms IS NULL THEN p.handle END FROM accounts p \
            WHERE p.id = k.proposed_by) AS proposed_by_handle, k.proposed_at_ms \
    FROM clauses k JOIN rounds r ON r.id = k.round_id \
    JOIN consultations c ON c.id = r.consultation_id";

impl ClauseRow {
    /// The round as listed, with its phase now and its next deadline.
    pub fn round_summary(&self) -> Result<RoundSummary, StoreError> {
        self.state
            .summary(self.round_slug.clone(), self.round_title.clone())
    }

    /// The consensus level designated for the clause, if any.
    pub fn consensus(&self) -> Result<Option<ConsensusLevel>, StoreError> {
        self.consensus
            .as_deref()
            .map(|c| parse_wire(ConsensusLevel::parse, c, "consensus level"))
            .transpose()
    }

    /// What makes it a proposal, if it is one.
    pub fn proposal(&self) -> Result<Option<ProposalInfo>, StoreError> {
        proposal_info(
            &self.kind,
            self.amends_key.clone(),
            self.proposed_by_handle.clone(),
            self.proposed_at_ms,
        )
    }

    /// The clause's consultation, as the access rules need it.
    pub fn consultation(&self) -> Result<participation::ConsultationRef, StoreError> {
        Ok(participation::ConsultationRef {
            id: self.consultation_id,
            slug: self.consultation_slug.clone(),
            title: self.consultation_title.clone(),
            access: participation::parse_access(&self.consultation_access)?,
            archived: self.consultation_archived_at_ms.is_some(),
            conveners_need_passkey: self.consultation_needs_passkey != 0,
        })
    }
}

/// A proposal's description from its row; `None` for a clause of the text.
pub(super) fn proposal_info(
    kind: &str,
    amends: Option<String>,
    author: Option<String>,
    proposed_at_ms: Option<i64>,
) -> Result<Option<ProposalInfo>, StoreError> {
    if kind == "text" {
        return Ok(None);
    }
    Ok(Some(ProposalInfo {
        kind: parse_wire(ProposalKind::parse, kind, "proposal kind")?,
        amends,
        author,
        proposed_at_ms: proposed_at_ms.unwrap_or_default(),
    }))
}

/// A value read back from the database (CHECK constraints keep it valid).
pub(super) fn parse_wire<T>(
    parse: fn(&str) -> Option<T>,
    s: &str,
    what: &str,
) -> Result<T, StoreError> {
    parse(s).ok_or_else(|| StoreError::Corrupt(format!("unknown {what} {s:?}")))
}

/// Demo or imported text of one clause.
#[derive(Debug, Clone)]
pub struct ClauseText<'a> {
    pub key: &'a str,
    pub number: i64,
    pub title: &'a str,
    pub body_md: &'a str,
}

impl Store {
    /// Finds a clause by consultation slug, round slug and clause key.
    pub async fn clause(
        &self,
        consultation: &str,
        round: &str,
        key: &str,
    ) -> Result<Option<ClauseRow>, StoreError> {
        let path = (consultation.to_owned(), round.to_owned(), key.to_owned());
        let sql = format!("{CLAUSE_COLUMNS} WHERE c.slug = $1 AND r.slug = $2 AND k.key = $3");
        let fetch = sqlx::query_as(&sql)
            .bind(consultation)
            .bind(round)
            .bind(key)
            .fetch_optional(&self.pool);
        self.remembered(
            |cache| cache.clause(&path).map(Some),
            async { Ok(fetch.await?) },
            |cache, ticket, row: &Option<ClauseRow>| {
                if let Some(row) = row {
                    cache.keep_clause(ticket, path.clone(), row);
                }
            },
        )
        .await
    }

    /// The clause `id`.
    pub async fn clause_by_id(&self, id: i64) -> Result<ClauseRow, StoreError> {
        sqlx::query_as(&format!("{CLAUSE_COLUMNS} WHERE k.id = $1"))
            .bind(id)
            .fetch_optional(&self.pool)
            .await?
            .ok_or(Refusal::NotFound("clause").into())
    }

    /// The clause with the same key in the round `round_id`, with its round's slug.
    pub async fn clause_in_round(
        &self,
        round_id: i64,
        key: &str,
    ) -> Result<Option<ClauseRow>, StoreError> {
        Ok(
            sqlx::query_as(&format!("{CLAUSE_COLUMNS} WHERE r.id = $1 AND k.key = $2"))
                .bind(round_id)
                .bind(key)
                .fetch_optional(&self.pool)
                .await?,
        )
    }

    /// The ids of the previous round's comments that led to a clause's change.
    pub async fn responds_to(&self, clause_id: i64) -> Result<Vec<i64>, StoreError> {
        Ok(sqlx::query_scalar(
            "SELECT comment_id FROM clause_responses WHERE clause_id = $1 ORDER BY comment_id",
        )
        .bind(clause_id)
        .fetch_all(&self.pool)
        .await?)
    }
    /// The round and key of a clause.
    pub async fn clause_place(&self, clause_id: i64) -> Result<Option<(i64, String)>, StoreError> {
        Ok(
            sqlx::query_as("SELECT round_id, key FROM clauses WHERE id = $1")
                .bind(clause_id)
                .fetch_optional(&self.pool)
                .await?,
        )
    }

    /// The minority statements attached to a clause, by organisation name.
    pub async fn minority_statements(
        &self,
        clause_id: i64,
    ) -> Result<Vec<MinorityStatement>, StoreError> {
        let rows: Vec<(String, String, String, i64)> = sqlx::query_as(
            "SELECT o.slug, o.name, s.body, s.written_at_ms FROM minority_statements s \
             JOIN organisations o ON o.id = s.organisation_id \
             WHERE s.clause_id = $1 ORDER BY o.name",
        )
        .bind(clause_id)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .into_iter()
            .map(
                |(organisation, organisation_name, body, written_at_ms)| MinorityStatement {
                    organisation,
                    organisation_name,
                    body,
                    written_at_ms,
                },
            )
            .collect())
    }

    /// Attaches (or replaces) an organisation's minority statement on a clause.
    pub async fn set_minority_statement(
        &self,
        clause_id: i64,
        organisation_id: i64,
        body: &str,
        written_by: i64,
    ) -> Result<(), StoreError> {
        let mut tx = self.write_tx().await?;
        sqlx::query(
            "INSERT INTO minority_statements (clause_id, organisation_id, body, written_by, \
                 written_at_ms) VALUES ($1, $2, $3, $4, $5) \
             ON CONFLICT (clause_id, organisation_id) DO UPDATE \
             SET body = excluded.body, written_by = excluded.written_by, \
                 written_at_ms = excluded.written_at_ms",
        )
        .bind(clause_id)
        .bind(organisation_id)
        .bind(body)
        .bind(written_by)
        .bind(now_ms())
        .execute(&mut *tx)
        .await?;
        let subject = format!("clause:{clause_id}");
        let entry = Entry::new(Some(written_by), "minority_statement.attached", subject)
            .with(serde_json::json!({ "organisation_id": organisation_id, "body": body }));
        audit::append_on_clause(&mut tx, self.backend, clause_id, entry).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Designates a clause's consensus level.
    pub async fn set_consensus(
        &self,
        clause: &ClauseRow,
        level: ConsensusLevel,
        by: i64,
    ) -> Result<(), StoreError> {
        let mut tx = self.write_tx().await?;
        sqlx::query("UPDATE clauses SET consensus = $1 WHERE id = $2")
            .bind(level.as_str())
            .bind(clause.id)
            .execute(&mut *tx)
            .await?;
        let subject = format!("clause:{}", clause.id);
        let entry = Entry::new(Some(by), "clause.consensus_designated", subject)
            .in_consultation(clause.consultation_id)
            .with(serde_json::json!({ "level": level.as_str() }));
        self.commit_audited(tx, entry).await
    }
}
