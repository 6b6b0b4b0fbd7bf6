//! Casting a position: one set of rules ([`cast_with`]) over two ways of reaching the database —
//! sqlx inside a PostgreSQL transaction, and SQLite's own connection in the group-commit writer
//! ([`super::batch`]), where each statement runs on the writer's thread with no hop to another.
//! Both run the same SQL.

use super::StoreError;
use super::audit::{self, Entry};
use super::consultations::{STANDING, Standing};
use super::rounds::RoundState;
use super::{Backend, now_ms};
use crate::refusal::Refusal;
use shared::{Counting, Position, Results, Stance};

/// One position to cast.
#[derive(Debug, Clone)]
pub struct Cast {
    pub clause_id: i64,
    pub account_id: i64,
    pub stance: Stance,
    pub reason: Option<String>,
}

/// A position as written, and the results of its clause once it counts.
#[derive(Debug, Clone)]
pub struct Counted {
    pub position: Position,
    pub results: Results,
}

/// The row of `tally_counts` a position counts in: stance, stakeholder group, region.
pub type CountKey = (String, String, String);

/// A position as written to `positions` and, with its phase, to `position_changes`.
pub struct Written<'a> {
    pub cast: &'a Cast,
    pub at_ms: i64,
    pub stakeholder_group: &'a str,
    pub region: &'a str,
    pub receipt: &'a str,
    pub organisation: Option<i64>,
    pub phase: &'static str,
}

/// The round state of a clause, with its consultation.
pub const CLAUSE_ROUND: &str = "\
    SELECT r.consultation_id, r.phase, r.commenting_at_ms, r.voting_at_ms, r.closing_at_ms, \
           r.hide_results, r.previous_round_id, r.rule, r.abstentions_count, r.counting \
    FROM clauses k JOIN rounds r ON r.id = k.round_id WHERE k.id = $1";

pub const TAKE_PERSONAL: &str = "DELETE FROM positions WHERE clause_id = $1 AND account_id = $2 \
    RETURNING stance, stakeholder_group, region";

pub const TAKE_ORGANISATIONAL: &str = "DELETE FROM positions \
    WHERE clause_id = $1 AND organisation_id = $2 RETURNING stance, stakeholder_group, region";

pub const MOVE_COUNT: &str = "\
    INSERT INTO tally_counts (clause_id, stance, stakeholder_group, region, n) \
    VALUES ($1, $2, $3, $4, $5) \
    ON CONFLICT (clause_id, stance, stakeholder_group, region) DO UPDATE \
    SET n = tally_counts.n + excluded.n";

pub const INSERT_POSITION: &str = "\
    INSERT INTO positions (clause_id, account_id, stance, reason, updated_at_ms, \
        stakeholder_group, region, receipt, organisation_id) \
    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)";

pub const INSERT_CHANGE: &str = "\
    INSERT INTO position_changes (clause_id, account_id, stance, reason, cast_at_ms, \
        stakeholder_group, region, receipt, organisation_id, phase) \
    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)";

/// What casting needs from the database, inside the transaction that will hold the cast.
pub trait Steps {
    /// The consultation and round state of the clause.
    async fn clause_round(&mut self, clause_id: i64) -> Result<(i64, RoundState), StoreError>;
    async fn standing(
        &mut self,
        consultation_id: i64,
        account_id: i64,
    ) -> Result<Option<Standing>, StoreError>;
    /// Deletes the position `sql` names (with the clause and the voter or organisation as
    /// parameters) and answers the count it was in.
    async fn take_old(
        &mut self,
        sql: &str,
        clause_id: i64,
        whose: i64,
    ) -> Result<Option<CountKey>, StoreError>;
    async fn move_count(
        &mut self,
        clause_id: i64,
        key: &CountKey,
        delta: i64,
    ) -> Result<(), StoreError>;
    /// Writes the position and its entry in the history.
    async fn write(&mut self, position: &Written<'_>) -> Result<(), StoreError>;
    /// Appends the cast to the audit log.
    async fn record(&mut self, entry: Entry) -> Result<(), StoreError>;
}

/// Takes or changes a position through `steps`: refuses unless the round is voting now, until
/// the participant has a stakeholder group, and (per organisation) unless they represent it;
/// moves the one count from the old row of `tally_counts` to the new; keeps the change.
pub async fn cast_with(steps: &mut impl Steps, cast: &Cast) -> Result<Position, StoreError> {
    let now = now_ms();
    let (consultation_id, state) = steps.clause_round(cast.clause_id).await?;
    let phase = state.phase()?;
    if !phase.accepts_positions() {
        return Err(Refusal::PhaseClosed(phase).into());
    }
    let Some(mut standing) = steps.standing(consultation_id, cast.account_id).await? else {
        return Err(Refusal::GroupRequired.into());
    };
    // Per organisation, its representative casts the one position, in its group.
    let organisation = match state.counting()? {
        Counting::Person => None,
        Counting::Organisation => {
            let (Some(organisation), Some(group), 1) = (
                standing.organisation_id,
                standing.organisation_group.clone(),
                standing.represents,
            ) else {
                return Err(Refusal::NotRepresentative.into());
            };
            standing.stakeholder_group = group;
            Some(organisation)
        }
    };
    let old = match organisation {
        None => {
            steps
                .take_old(TAKE_PERSONAL, cast.clause_id, cast.account_id)
                .await?
        }
        Some(organisation) => {
            steps
                .take_old(TAKE_ORGANISATIONAL, cast.clause_id, organisation)
                .await?
        }
    };
    let new_key = (
        cast.stance.as_str().to_owned(),
        standing.stakeholder_group.clone(),
        standing.region.clone(),
    );
    for (key, delta) in count_moves(old, new_key) {
        steps.move_count(cast.clause_id, &key, delta).await?;
    }
    let receipt = receipt(cast, now);
    steps
        .write(&Written {
            cast,
            at_ms: now,
            stakeholder_group: &standing.stakeholder_group,
            region: &standing.region,
            receipt: &receipt,
            organisation,
            phase: phase.as_str(),
        })
        .await?;
    steps
        .record(
            Entry::new(
                Some(cast.account_id),
                "position.cast",
                format!("clause:{}", cast.clause_id),
            )
            .in_consultation(consultation_id)
            .with(serde_json::json!({
                "stance": cast.stance.as_str(),
                "reason": cast.reason,
                "organisation": organisation,
                "stakeholder_group": standing.stakeholder_group,
                "region": standing.region,
                "receipt": receipt,
            })),
        )
        .await?;
    Ok(Position {
        stance: cast.stance,
        reason: cast.reason.clone(),
        updated_at_ms: now,
        receipt,
    })
}

/// The counts to move when a position leaves `old` for `new`: one onto the new row and one off
/// the old, in a fixed order, so that simultaneous casts on PostgreSQL cannot wait on each other
/// in a circle; nothing when the row stays the same.
fn count_moves(old: Option<CountKey>, new: CountKey) -> Vec<(CountKey, i64)> {
    let mut moves = vec![(new.clone(), 1)];
    match old {
        Some(old) if old == new => moves.clear(),
        Some(old) => moves.push((old, -1)),
        None => {}
    }
    moves.sort();
    moves
}

/// The receipt of a cast: a digest of what was cast, when, and 128 random bits, so that nobody
/// can work out from the position which receipt is whose. It starts with `r`: base64 may start
/// with `-`, which spreadsheets read as a formula and the CSV files' guard therefore changes.
fn receipt(cast: &Cast, at_ms: i64) -> String {
    use base64::Engine;
    use sha2::{Digest, Sha256};
    let mut nonce = [0u8; 16];
    rand::RngCore::fill_bytes(&mut rand::rng(), &mut nonce);
    let mut hash = Sha256::new();
    hash.update(nonce);
    hash.update(cast.clause_id.to_be_bytes());
    hash.update(cast.stance.as_str());
    hash.update(cast.reason.as_deref().unwrap_or("").as_bytes());
    hash.update(at_ms.to_be_bytes());
    format!(
        "r{}",
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(hash.finalize())
    )
}

/// [`Steps`] inside a sqlx transaction (PostgreSQL).
pub struct InTransaction<'t, 'c>(pub &'t mut sqlx::Transaction<'c, sqlx::Any>, pub Backend);

#[derive(sqlx::FromRow)]
struct ClauseRound {
    consultation_id: i64,
    #[sqlx(flatten)]
    state: RoundState,
}

impl Steps for InTransaction<'_, '_> {
    async fn clause_round(&mut self, clause_id: i64) -> Result<(i64, RoundState), StoreError> {
        let row: ClauseRound = sqlx::query_as(CLAUSE_ROUND)
            .bind(clause_id)
            .fetch_one(&mut **self.0)
            .await?;
        Ok((row.consultation_id, row.state))
    }

    async fn standing(
        &mut self,
        consultation_id: i64,
        account_id: i64,
    ) -> Result<Option<Standing>, StoreError> {
        Ok(sqlx::query_as(STANDING)
            .bind(consultation_id)
            .bind(account_id)
            .fetch_optional(&mut **self.0)
            .await?)
    }

    async fn take_old(
        &mut self,
        sql: &str,
        clause_id: i64,
        whose: i64,
    ) -> Result<Option<CountKey>, StoreError> {
        Ok(sqlx::query_as(sql)
            .bind(clause_id)
            .bind(whose)
            .fetch_optional(&mut **self.0)
            .await?)
    }

    async fn move_count(
        &mut self,
        clause_id: i64,
        (stance, group, region): &CountKey,
        delta: i64,
    ) -> Result<(), StoreError> {
        sqlx::query(MOVE_COUNT)
            .bind(clause_id)
            .bind(stance)
            .bind(group)
            .bind(region)
            .bind(delta)
            .execute(&mut **self.0)
            .await?;
        Ok(())
    }

    async fn write(&mut self, p: &Written<'_>) -> Result<(), StoreError> {
        let c = p.cast;
        for sql in [INSERT_POSITION, INSERT_CHANGE] {
            let mut query = sqlx::query(sql)
                .bind(c.clause_id)
                .bind(c.account_id)
                .bind(c.stance.as_str())
                .bind(c.reason.as_deref())
                .bind(p.at_ms)
                .bind(p.stakeholder_group)
                .bind(p.region)
                .bind(p.receipt)
                .bind(p.organisation);
            if sql == INSERT_CHANGE {
                query = query.bind(p.phase);
            }
            query.execute(&mut **self.0).await?;
        }
        Ok(())
    }

    async fn record(&mut self, entry: Entry) -> Result<(), StoreError> {
        audit::append(self.0, self.1, entry).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(stance: &str) -> CountKey {
        (stance.into(), "academia".into(), "Europe".into())
    }

    #[test]
    fn a_change_moves_one_count_in_a_fixed_order() {
        assert_eq!(count_moves(None, key("oppose")), vec![(key("oppose"), 1)]);
        assert_eq!(count_moves(Some(key("oppose")), key("oppose")), vec![]);
        assert_eq!(
            count_moves(Some(key("oppose")), key("abstain")),
            vec![(key("abstain"), 1), (key("oppose"), -1)]
        );
        assert_eq!(
            count_moves(Some(key("abstain")), key("oppose")),
            vec![(key("abstain"), -1), (key("oppose"), 1)]
        );
    }
}
