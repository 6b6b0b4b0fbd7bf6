//! Consultations, their rounds and clauses, and positions with the counts kept beside them.
//!
//! Every position also adds one to a row of `tally_counts` (clause, stance, stakeholder group,
//! region) in the same transaction, and a change of position moves that one from one row to
//! another; so reading a tally sums a handful of rows however many positions there are.

use super::audit::{self, Entry};
use super::cast::{Cast, Counted, InTransaction, cast_with};
use super::notices::TallyNotice;
use super::{OnConflict, StoreError};
use super::{Store, count, now_ms, parse_phase, parse_stance, participation};
use crate::markdown;
use crate::refusal::Refusal;
use shared::{
    ClauseResults, ClauseSummary, ConsensusLevel, Consultation, ConsultationSummary, Counting,
    GroupTally, MinorityStatement, Phase, Position, ProposalInfo, ProposalKind, RegionTally,
    Results, Round, RoundRedline, RoundResults, RoundSummary, Rule, Schedule, StakeholderGroup,
    Stance, Tally, chambered, text_redline,
};
use sqlx::FromRow;

/// The maintained counts of a clause, row by row.
pub(super) const TALLY_COUNTS: &str =
    "SELECT stance, stakeholder_group, region, n FROM tally_counts WHERE clause_id = $1";

/// A clause located by consultation, round and key, with what the handlers need to decide.
#[derive(Debug, Clone, FromRow)]
pub struct ClauseRow {
    pub id: i64,
    pub consultation_id: i64,
    pub consultation_access: String,
    pub consultation_slug: String,
    pub consultation_title: String,
    pub consultation_archived_at_ms: Option<i64>,
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

const CLAUSE_COLUMNS: &str = "\
    SELECT k.id, c.id AS consultation_id, c.access AS consultation_access, \
           c.slug AS consultation_slug, c.title AS consultation_title, \
           c.archived_at_ms AS consultation_archived_at_ms, r.id AS round_id, r.slug AS round_slug, r.title AS round_title, r.phase, \
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
        })
    }
}

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

const ROUND_COLUMNS: &str = "SELECT r.id, r.consultation_id, r.slug, r.title, r.preamble_md, \
    r.phase, r.commenting_at_ms, r.voting_at_ms, r.closing_at_ms, r.hide_results, \
    r.previous_round_id, r.rule, r.abstentions_count, r.counting FROM rounds r";

impl RoundRow {
    fn summary(&self) -> Result<RoundSummary, StoreError> {
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
    fn summary(&self, slug: String, title: String) -> Result<RoundSummary, StoreError> {
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

/// A proposal's description from its row; `None` for a clause of the text.
fn proposal_info(
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
fn parse_wire<T>(parse: fn(&str) -> Option<T>, s: &str, what: &str) -> Result<T, StoreError> {
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

/// How a participant takes part in a consultation: their group, organisation and region.
#[derive(Debug, Clone, FromRow)]
pub struct Standing {
    pub stakeholder_group: String,
    pub region: String,
    /// The organisation they speak for, with its stakeholder group.
    pub organisation_id: Option<i64>,
    pub organisation_group: Option<String>,
    /// Whether they represent that organisation.
    pub represents: i64,
}

pub(super) const STANDING: &str = "\
    SELECT p.stakeholder_group, \
           CASE WHEN o.id IS NULL THEN p.region ELSE o.region END AS region, \
           p.organisation_id, o.stakeholder_group AS organisation_group, \
           CASE WHEN o.representative_id = p.account_id THEN 1 ELSE 0 END AS represents \
    FROM participants p LEFT JOIN organisations o ON o.id = p.organisation_id \
    WHERE p.consultation_id = $1 AND p.account_id = $2";

#[derive(FromRow)]
struct PositionRow {
    stance: String,
    reason: Option<String>,
    updated_at_ms: i64,
    receipt: String,
}

impl PositionRow {
    fn into_position(self) -> Result<Position, StoreError> {
        Ok(Position {
            stance: parse_stance(&self.stance)?,
            reason: self.reason,
            updated_at_ms: self.updated_at_ms,
            receipt: self.receipt,
        })
    }
}

/// Builds results from `(stance, group, region, count)` rows.
pub(crate) fn results_from(
    rows: Vec<(String, String, String, i64)>,
) -> Result<Results, StoreError> {
    let mut results = Results::default();
    let mut groups: Vec<(Option<StakeholderGroup>, Tally)> = Vec::new();
    let mut regions: Vec<(String, Tally)> = Vec::new();
    for (stance, group, region, n) in rows {
        let stance = parse_stance(&stance)?;
        let n = count(n);
        if n == 0 {
            continue;
        }
        let group = match group.as_str() {
            "" => None,
            g => Some(participation::parse_group(g)?),
        };
        results.total.add(stance, n);
        match groups.iter_mut().find(|(g, _)| *g == group) {
            Some((_, tally)) => tally.add(stance, n),
            None => {
                let mut tally = Tally::default();
                tally.add(stance, n);
                groups.push((group, tally));
            }
        }
        match regions.iter_mut().find(|(r, _)| *r == region) {
            Some((_, tally)) => tally.add(stance, n),
            None => {
                let mut tally = Tally::default();
                tally.add(stance, n);
                regions.push((region, tally));
            }
        }
    }
    let rank = |g: &Option<StakeholderGroup>| {
        g.map_or(StakeholderGroup::ALL.len(), |g| {
            StakeholderGroup::ALL
                .iter()
                .position(|x| *x == g)
                .unwrap_or(0)
        })
    };
    groups.sort_by_key(|(g, _)| rank(g));
    regions.sort_by(|(a, _), (b, _)| (a.is_empty(), a).cmp(&(b.is_empty(), b)));
    results.by_group = groups
        .into_iter()
        .map(|(group, tally)| GroupTally { group, tally })
        .collect();
    results.by_region = regions
        .into_iter()
        .map(|(region, tally)| RegionTally { region, tally })
        .collect();
    Ok(results)
}

impl Store {
    /// Every consultation with its newest round, by title.
    pub async fn list_consultations(&self) -> Result<Vec<ConsultationSummary>, StoreError> {
        #[derive(FromRow)]
        struct Row {
            id: i64,
            slug: String,
            title: String,
            description: String,
            access: String,
        }
        let rows: Vec<Row> = sqlx::query_as(
            "SELECT id, slug, title, description, access FROM consultations ORDER BY title",
        )
        .fetch_all(&self.pool)
        .await?;
        let mut list = Vec::with_capacity(rows.len());
        for row in rows {
            let current_round = self
                .rounds_of(row.id)
                .await?
                .first()
                .map(RoundRow::summary)
                .transpose()?;
            let setup = self.setup_of(row.id).await?;
            list.push(ConsultationSummary {
                access: participation::parse_access(&row.access)?,
                slug: row.slug,
                title: row.title,
                description: row.description,
                current_round,
                titles: setup.titles,
                archived: setup.archived,
            });
        }
        Ok(list)
    }

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

    /// One consultation with its rounds, newest first.
    pub async fn consultation(&self, slug: &str) -> Result<Option<Consultation>, StoreError> {
        let Some(head) = self.consultation_ref(slug).await? else {
            return Ok(None);
        };
        let description: String =
            sqlx::query_scalar("SELECT description FROM consultations WHERE id = $1")
                .bind(head.id)
                .fetch_one(&self.pool)
                .await?;
        let rounds = self.rounds_of(head.id).await?;
        let (comments, answered) = self.answered(head.id).await?;
        let setup = self.setup_of(head.id).await?;
        Ok(Some(Consultation {
            titles: setup.titles,
            stakeholder_groups: setup.stakeholder_groups,
            regions: setup.regions,
            archived: setup.archived,
            comments: count(comments),
            answered: count(answered),
            slug: head.slug,
            title: head.title,
            description,
            access: head.access,
            rounds: rounds
                .iter()
                .map(RoundRow::summary)
                .collect::<Result<_, _>>()?,
        }))
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

    /// The results of a clause, from the maintained counts.
    pub async fn results(&self, clause_id: i64) -> Result<Results, StoreError> {
        let fetch = sqlx::query_as(TALLY_COUNTS)
            .bind(clause_id)
            .fetch_all(&self.pool);
        self.remembered(
            |cache| cache.results(clause_id),
            async {
                self.count_tally_read();
                results_from(fetch.await?)
            },
            |cache, ticket, results| cache.keep_results(ticket, clause_id, results),
        )
        .await
    }

    /// An account's current position on a clause.
    pub async fn position(
        &self,
        clause_id: i64,
        account_id: i64,
    ) -> Result<Option<Position>, StoreError> {
        let row: Option<PositionRow> = sqlx::query_as(
            "SELECT stance, reason, updated_at_ms, receipt FROM positions \
             WHERE clause_id = $1 AND account_id = $2 AND organisation_id IS NULL",
        )
        .bind(clause_id)
        .bind(account_id)
        .fetch_optional(&self.pool)
        .await?;
        row.map(PositionRow::into_position).transpose()
    }

    /// An organisation's current position on a clause (rounds counting per organisation).
    pub async fn organisation_position(
        &self,
        clause_id: i64,
        organisation_id: i64,
    ) -> Result<Option<Position>, StoreError> {
        let row: Option<PositionRow> = sqlx::query_as(
            "SELECT stance, reason, updated_at_ms, receipt FROM positions \
             WHERE clause_id = $1 AND organisation_id = $2",
        )
        .bind(clause_id)
        .bind(organisation_id)
        .fetch_optional(&self.pool)
        .await?;
        row.map(PositionRow::into_position).transpose()
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

    /// A round's whole text as one redline against the previous round.
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
            clauses: text_redline(&previous, &current),
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

    /// How an account takes part in a consultation, once stated.
    pub async fn standing(
        &self,
        consultation_id: i64,
        account_id: i64,
    ) -> Result<Option<Standing>, StoreError> {
        Ok(sqlx::query_as(STANDING)
            .bind(consultation_id)
            .bind(account_id)
            .fetch_optional(&self.pool)
            .await?)
    }

    /// Takes or changes a position on `clause`, keeping the change in the history with its
    /// receipt and moving the counts; refuses with [`Refusal::PhaseClosed`] unless the round is
    /// voting when the write commits, and with [`Refusal::GroupRequired`] until the participant
    /// has said in which stakeholder group they take part. The write reads the clause's new
    /// results once, before it commits, and answers them: with SQLite they are also kept in
    /// what the store remembers; with PostgreSQL the same transaction sends them to every
    /// process ([`TallyNotice`]), so they arrive in the order the casts committed.
    pub async fn cast_position(
        &self,
        clause: &ClauseRow,
        account_id: i64,
        stance: Stance,
        reason: Option<&str>,
    ) -> Result<Counted, StoreError> {
        let cast = Cast {
            clause_id: clause.id,
            account_id,
            stance,
            reason: reason.map(str::to_owned),
        };
        // SQLite commits one transaction at a time: casts arriving together share one commit.
        if let Some(writer) = &self.writer {
            return writer.cast(cast).await;
        }
        // PostgreSQL may refuse one of two simultaneous first positions of the same voter on the
        // same clause (both saw no earlier one); the retry then finds the other's.
        let mut attempt = 0;
        loop {
            attempt += 1;
            match self.cast_in_transaction(clause, &cast).await {
                Err(StoreError::Database(sqlx::Error::Database(e)))
                    if e.is_unique_violation() && attempt < 3 => {}
                other => return other,
            }
        }
    }

    /// One attempt at a cast on PostgreSQL. Every cast moves the audit log's one head row, so
    /// casts commit one after another, and the counts read after that move are the counts at
    /// this commit.
    async fn cast_in_transaction(
        &self,
        clause: &ClauseRow,
        cast: &Cast,
    ) -> Result<Counted, StoreError> {
        let mut tx = self.write_tx().await?;
        let position = cast_with(&mut InTransaction(&mut tx, self.backend), cast).await?;
        self.count_tally_read();
        let results = results_from(
            sqlx::query_as(TALLY_COUNTS)
                .bind(clause.id)
                .fetch_all(&mut *tx)
                .await?,
        )?;
        let notice = TallyNotice::new(clause.round_id, &clause.key, results.total);
        notice.send(&mut tx).await?;
        tx.commit().await?;
        Ok(Counted { position, results })
    }

    /// States (or restates) how an account takes part in a consultation.
    pub async fn join_consultation(
        &self,
        consultation_id: i64,
        account_id: i64,
        group: StakeholderGroup,
        organisation_id: Option<i64>,
        region: &str,
    ) -> Result<(), StoreError> {
        let mut tx = self.write_tx().await?;
        sqlx::query(
            "INSERT INTO participants (consultation_id, account_id, stakeholder_group, \
                 organisation_id, region, joined_at_ms) VALUES ($1, $2, $3, $4, $5, $6) \
             ON CONFLICT (consultation_id, account_id) DO UPDATE \
             SET stakeholder_group = excluded.stakeholder_group, \
                 organisation_id = excluded.organisation_id, region = excluded.region",
        )
        .bind(consultation_id)
        .bind(account_id)
        .bind(group.as_str())
        .bind(organisation_id)
        .bind(region)
        .bind(now_ms())
        .execute(&mut *tx)
        .await?;
        let subject = format!("account:{account_id}");
        let entry = Entry::new(Some(account_id), "participation.stated", subject)
            .in_consultation(consultation_id)
            .with(serde_json::json!({
                "stakeholder_group": group.as_str(),
                "organisation_id": organisation_id,
                "region": region,
            }));
        self.commit_audited(tx, entry).await
    }

    // ---- loading text (demo, later: import) ------------------------------------------------

    /// Creates the consultation `slug` (titled in English, with the default groups and regions)
    /// unless it exists; returns its id and whether it was new.
    pub async fn ensure_consultation(
        &self,
        slug: &str,
        title: &str,
        description: &str,
    ) -> Result<(i64, bool), StoreError> {
        if let Some(id) = sqlx::query_scalar("SELECT id FROM consultations WHERE slug = $1")
            .bind(slug)
            .fetch_optional(&self.pool)
            .await?
        {
            return Ok((id, false));
        }
        let settings = shared::ConsultationSettings {
            titles: vec![shared::LocalTitle {
                language: shared::Language::En,
                title: title.to_owned(),
            }],
            description: description.to_owned(),
            ..shared::ConsultationSettings::default()
        };
        let new = super::NewSetup {
            slug,
            access: shared::ConsultationAccess::Open,
            conveners: &[],
            settings: &settings,
        };
        Ok((self.create_consultation(&new, None, None).await?, true))
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
        self.forget();
        Ok(())
    }
}
