//! Positions with the counts kept beside them, and casting one on PostgreSQL (SQLite casts
//! through [`super::batch`]; both follow [`super::cast::cast_with`]).
//!
//! Every position also adds one to a row of `tally_counts` (clause, stance, stakeholder group,
//! region) in the same transaction, and a change of position moves that one from one row to
//! another; so reading a tally sums a handful of rows however many positions there are.

use super::StoreError;
use super::cast::{Cast, Counted};
use super::clauses::ClauseRow;
use super::{Store, count, parse_stance, participation};
use shared::{GroupTally, Position, RegionTally, Results, StakeholderGroup, Stance, Tally};
use sqlx::FromRow;

/// The maintained counts of a clause, row by row.
pub(super) const TALLY_COUNTS: &str =
    "SELECT stance, stakeholder_group, region, n FROM tally_counts WHERE clause_id = $1";

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

    /// Takes or changes a position on `clause`, keeping the change in the history with its
    /// receipt and moving the counts; refuses with [`Refusal::PhaseClosed`] unless the round is
    /// voting when the write commits, and with [`Refusal::GroupRequired`] until the participant
    /// has said in which stakeholder group they take part. The write reads the clause's new
    /// results once, before it commits, answers them and keeps them in what the store
    /// remembers; with PostgreSQL the same transaction also sends them to every process
    /// ([`super::TallyNotice`]), so they arrive in the order the casts committed.
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
        // Casts arriving together share one commit (see `batch` and `pg_batch`).
        self.writer.cast(cast).await
    }
}
