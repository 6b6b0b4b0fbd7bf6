//! Rounds: each one with its phase, schedule and rules, as a list, as read with its clauses, as
//! results, and as a redline against the round before; opening one and moving its phase.

use super::clauses::{CLAUSE_COLUMNS, ClauseRow, ClauseText, parse_wire, proposal_info};
use super::{OnConflict, StoreError};
use super::{Store, count, now_ms, parse_phase, parse_stance, participation};
use crate::markdown;
use crate::refusal::Refusal;
use shared::{
    ClauseResults, ClauseSummary, Counting, Phase, Round, RoundRedline, RoundResults, RoundSummary,
    Rule, Schedule, Tally, chambered, text_redline,
};
use sqlx::FromRow;

/// A round as stored: enough to list it and to decide what it allows.
#[derive(Debug, Clone, FromRow)]
pub struct RoundRow {
    pub id: i64,
    pub consultation_id: i64,
    pub slug: String,
    pub title: String,
    /// What comes before the clauses (Markdown).
    pub preamble_md: String,
    #[sqlx(flatten)]
    pub state: RoundState,
}

pub(super) const ROUND_COLUMNS: &str = "SELECT r.id, r.consultation_id, r.slug, r.title, r.preamble_md, \
    r.phase, r.commenting_at_ms, r.voting_at_ms, r.closing_at_ms, r.hide_results, \
    r.previous_round_id, r.rule, r.abstentions_count, r.counting FROM rounds r";

impl RoundRow {
    pub(super) fn summary(&self) -> Result<RoundSummary, StoreError> {
        self.state.summary(self.slug.clone(), self.title.clone())
    }
}

/// Where a round stands and how it counts, as both round and clause rows carry it.
#[derive(Debug, Clone, FromRow)]
pub struct RoundState {
    /// The phase as stored; [`RoundState::phase`] adds the scheduled changes that are due.
    pub phase: String,
    pub commenting_at_ms: Option<i64>,
    pub voting_at_ms: Option<i64>,
    pub closing_at_ms: Option<i64>,
    pub hide_results: i64,
    pub previous_round_id: Option<i64>,
    pub rule: String,
    pub abstentions_count: i64,
    pub counting: String,
}

impl RoundState {
    /// The round's schedule.
    pub fn schedule(&self) -> Schedule {
        Schedule {
            commenting_at_ms: self.commenting_at_ms,
            voting_at_ms: self.voting_at_ms,
            closing_at_ms: self.closing_at_ms,
        }
    }

    /// The round's phase now, scheduled changes that are due included.
    pub fn phase(&self) -> Result<Phase, StoreError> {
        Ok(self
            .schedule()
            .effective_phase(parse_phase(&self.phase)?, now_ms()))
    }

    /// Whether the round hides results from participants now.
    pub fn hides_results(&self) -> Result<bool, StoreError> {
        Ok(self.hide_results != 0 && self.phase()? < Phase::Closed)
    }

    /// How the round decides.
    pub fn rule(&self) -> Result<Rule, StoreError> {
        parse_wire(Rule::parse, &self.rule, "rule")
    }

    /// Whose positions the round counts.
    pub fn counting(&self) -> Result<Counting, StoreError> {
        parse_wire(Counting::parse, &self.counting, "counting")
    }

    /// The round as listed, with its phase now and its next deadline.
    pub(super) fn summary(&self, slug: String, title: String) -> Result<RoundSummary, StoreError> {
        let now = now_ms();
        let schedule = self.schedule();
        let phase = schedule.effective_phase(parse_phase(&self.phase)?, now);
        Ok(RoundSummary {
            slug,
            title,
            phase,
            deadline: schedule.next_change(phase, now),
        })
    }
}

impl Store {
    /// The rounds of a consultation, newest first.
    pub async fn rounds_of(&self, consultation_id: i64) -> Result<Vec<RoundRow>, StoreError> {
        Ok(sqlx::query_as(&format!(
            "{ROUND_COLUMNS} WHERE r.consultation_id = $1 ORDER BY r.opened_at_ms DESC, r.id DESC"
        ))
        .bind(consultation_id)
        .fetch_all(&self.pool)
        .await?)
    }

    /// One round of a consultation.
    pub async fn round_row(
        &self,
        consultation_id: i64,
        slug: &str,
    ) -> Result<Option<RoundRow>, StoreError> {
        Ok(sqlx::query_as(&format!(
            "{ROUND_COLUMNS} WHERE r.consultation_id = $1 AND r.slug = $2"
        ))
        .bind(consultation_id)
        .bind(slug)
        .fetch_optional(&self.pool)
        .await?)
    }

    /// One round with its clauses in order, each with its tally (unless `show_results` is false)
    /// and comment count.
    pub async fn round(
        &self,
        consultation: &participation::ConsultationRef,
        row: &RoundRow,
        show_results: bool,
    ) -> Result<Round, StoreError> {
        #[derive(FromRow)]
        struct ClauseLine {
            id: i64,
            key: String,
            number: i64,
            title: String,
            comment_count: i64,
            kind: String,
            amends: Option<String>,
            author: Option<String>,
            proposed_at_ms: Option<i64>,
        }
        let lines: Vec<ClauseLine> = sqlx::query_as(
            "SELECT k.id, k.key, k.number, k.title, \
                    (SELECT COUNT(*) FROM comments WHERE clause_id = k.id) AS comment_count, \
                    k.kind, a.key AS amends, \
                    CASE WHEN p.deleted_at_ms IS NULL THEN p.handle END AS author, \
                    k.proposed_at_ms \
             FROM clauses k LEFT JOIN clauses a ON a.id = k.amends_id \
             LEFT JOIN accounts p ON p.id = k.proposed_by \
             WHERE k.round_id = $1 ORDER BY k.number",
        )
        .bind(row.id)
        .fetch_all(&self.pool)
        .await?;
        let counts: Vec<(i64, String, i64)> = sqlx::query_as(
            "SELECT t.clause_id, t.stance, CAST(SUM(t.n) AS BIGINT) FROM tally_counts t \
             JOIN clauses k ON k.id = t.clause_id WHERE k.round_id = $1 \
             GROUP BY t.clause_id, t.stance",
        )
        .bind(row.id)
        .fetch_all(&self.pool)
        .await?;
        let mut clauses = Vec::with_capacity(lines.len());
        let mut proposals = Vec::new();
        for line in lines {
            let mut tally = Tally::default();
            for (_, stance, n) in counts.iter().filter(|(id, _, _)| *id == line.id) {
                tally.add(parse_stance(stance)?, count(*n));
            }
            let proposal =
                proposal_info(&line.kind, line.amends, line.author, line.proposed_at_ms)?;
            let summary = ClauseSummary {
                key: line.key,
                // A proposal is numbered -1, -2, … as proposed; it shows as P1, P2, …
                number: line.number.abs(),
                title: line.title,
                tally: show_results.then_some(tally),
                comment_count: count(line.comment_count),
                proposal,
            };
            match summary.proposal {
                None => clauses.push(summary),
                Some(_) => proposals.push(summary),
            }
        }
        proposals.sort_by_key(|p| p.number);
        let previous_round = match row.state.previous_round_id {
            Some(id) => {
                sqlx::query_scalar("SELECT slug FROM rounds WHERE id = $1")
                    .bind(id)
                    .fetch_optional(&self.pool)
                    .await?
            }
            None => None,
        };
        let summary = row.summary()?;
        Ok(Round {
            consultation_slug: consultation.slug.clone(),
            consultation_title: consultation.title.clone(),
            slug: summary.slug,
            title: summary.title,
            phase: summary.phase,
            deadline: summary.deadline,
            schedule: row.state.schedule(),
            hide_results: row.state.hide_results != 0,
            rule: row.state.rule()?,
            abstentions_count: row.state.abstentions_count != 0,
            counting: row.state.counting()?,
            previous_round,
            preamble_html: markdown::render(&row.preamble_md),
            preamble_md: row.preamble_md.clone(),
            clauses,
            proposals,
        })
    }

    /// A round's whole text as one redline against the previous round, as readers see it.
    pub async fn round_redline(
        &self,
        consultation: &participation::ConsultationRef,
        round: &RoundRow,
    ) -> Result<RoundRedline, StoreError> {
        let current: Vec<(i64, String, String, String)> = sqlx::query_as(
            "SELECT number, key, title, body_md FROM clauses WHERE round_id = $1 AND kind = 'text' \
             ORDER BY number",
        )
        .bind(round.id)
        .fetch_all(&self.pool)
        .await?;
        let (previous_round, previous) = match round.state.previous_round_id {
            Some(id) => {
                let slug: Option<String> =
                    sqlx::query_scalar("SELECT slug FROM rounds WHERE id = $1")
                        .bind(id)
                        .fetch_optional(&self.pool)
                        .await?;
                let text: Vec<(String, String, String)> = sqlx::query_as(
                    "SELECT key, title, body_md FROM clauses WHERE round_id = $1 AND kind = 'text' \
                     ORDER BY number",
                )
                .bind(id)
                .fetch_all(&self.pool)
                .await?;
                (slug, text)
            }
            None => (None, Vec::new()),
        };
        Ok(RoundRedline {
            consultation_slug: consultation.slug.clone(),
            consultation_title: consultation.title.clone(),
            round: round.summary()?,
            previous_round,
            clauses: text_redline(&previous, &current, crate::markdown::styled_words),
        })
    }

    /// The results of every clause of a round: counts, the result under the round's rule, the
    /// consensus level and the minority statements.
    pub async fn round_results(
        &self,
        consultation: &participation::ConsultationRef,
        round: &RoundRow,
    ) -> Result<RoundResults, StoreError> {
        let clauses: Vec<ClauseRow> = sqlx::query_as(&format!(
            "{CLAUSE_COLUMNS} WHERE r.id = $1 AND k.kind = 'text' ORDER BY k.number"
        ))
        .bind(round.id)
        .fetch_all(&self.pool)
        .await?;
        let (rule, abstentions) = (round.state.rule()?, round.state.abstentions_count != 0);
        let mut list = Vec::with_capacity(clauses.len());
        for clause in clauses {
            let results = self.results(clause.id).await?;
            list.push(ClauseResults {
                chambered: chambered(&results, rule, abstentions),
                consensus: clause.consensus()?,
                minority_statements: self.minority_statements(clause.id).await?,
                key: clause.key,
                number: clause.number,
                title: clause.title,
                results,
            });
        }
        Ok(RoundResults {
            consultation_slug: consultation.slug.clone(),
            consultation_title: consultation.title.clone(),
            round: round.summary()?,
            counting: round.state.counting()?,
            clauses: list,
        })
    }

    /// Adds a round with its clauses in one transaction; it follows the newest round so far.
    pub async fn add_round(
        &self,
        consultation_id: i64,
        slug: &str,
        title: &str,
        phase: Phase,
        opened_at_ms: i64,
        clauses: &[ClauseText<'_>],
    ) -> Result<(), StoreError> {
        let mut tx = self.write_tx().await?;
        let round_id: i64 = sqlx::query_scalar(
            "INSERT INTO rounds (consultation_id, slug, title, phase, opened_at_ms, \
                 previous_round_id) \
             VALUES ($1, $2, $3, $4, $5, (SELECT id FROM rounds WHERE consultation_id = $1 \
                                          ORDER BY opened_at_ms DESC, id DESC LIMIT 1)) \
             RETURNING id",
        )
        .bind(consultation_id)
        .bind(slug)
        .bind(title)
        .bind(phase.as_str())
        .bind(opened_at_ms)
        .fetch_one(&mut *tx)
        .await
        .on_conflict(Refusal::RoundExists)?;
        for clause in clauses {
            sqlx::query(
                "INSERT INTO clauses (round_id, key, number, title, body_md) \
                 VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(round_id)
            .bind(clause.key)
            .bind(clause.number)
            .bind(clause.title)
            .bind(clause.body_md)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Sets a round's phase (demo loading).
    pub async fn set_phase(
        &self,
        consultation: &str,
        round: &str,
        phase: Phase,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "UPDATE rounds SET phase = $1 WHERE slug = $2 AND consultation_id = \
             (SELECT id FROM consultations WHERE slug = $3)",
        )
        .bind(phase.as_str())
        .bind(round)
        .bind(consultation)
        .execute(&self.pool)
        .await?;
        self.forget().await;
        Ok(())
    }
}
