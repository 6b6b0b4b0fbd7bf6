//! What conveners do to rounds: open the next one from the newest, edit its text while it is a
//! draft, move it through its phases by hand or by schedule.

use super::audit::{self, Entry};
use super::reminders::{Happening, record_event};
use super::{Backend, RoundRow, Store, now_ms};
use super::{OnConflict, StoreError};
use crate::refusal::Refusal;
use shared::{DraftText, NewRound, Phase, RoundRules, Schedule, may_move};

/// An audit entry for a convener's change to `round`.
fn round_entry(
    round: &RoundRow,
    by: i64,
    action: &'static str,
    details: serde_json::Value,
) -> Entry {
    Entry::new(Some(by), action, format!("round:{}", round.id))
        .in_consultation(round.consultation_id)
        .with(details)
}

/// A round reaching phase `phase` at `at_ms`, for those who follow it by e-mail.
fn phase_happening(round: &RoundRow, phase: Phase, at_ms: i64) -> Happening<'static> {
    Happening {
        kind: "phase_change",
        consultation_id: round.consultation_id,
        round_id: Some(round.id),
        phase: Some(phase.as_str()),
        at_ms,
        comment_id: None,
    }
}

/// What the audit log keeps of a draft clause.
fn draft_details(key: &str, draft: &ClauseDraft<'_>) -> serde_json::Value {
    serde_json::json!({
        "key": key,
        "title": draft.title,
        "body_md": draft.body_md,
        "change_note": draft.change_note,
        "responds_to": draft.responds_to,
    })
}

/// A clause's new text, checked.
#[derive(Debug, Clone)]
pub struct ClauseDraft<'a> {
    pub title: &'a str,
    pub body_md: &'a str,
    pub change_note: &'a str,
    pub responds_to: &'a [i64],
}

/// What refusing an edit of a clause's responses comes to: the ids that are not comments on the
/// same clause in the previous round.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownComments(pub Vec<i64>);

/// A round about to be opened as a draft.
pub(super) struct Opening<'a> {
    pub consultation_id: i64,
    pub slug: &'a str,
    pub title: &'a str,
    pub rules: &'a NewRound,
    /// The newest round so far, whose text is copied when no `text` is given.
    pub newest: Option<i64>,
    pub text: Option<&'a DraftText>,
}

/// Inserts a draft round with its text and its audit entry, in `tx`. Returns its id.
pub(super) async fn insert_round(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    backend: Backend,
    opening: &Opening<'_>,
    by: Option<i64>,
) -> Result<i64, StoreError> {
    let rules = opening.rules;
    let preamble = match opening.text {
        Some(text) => text.preamble_md.clone(),
        None => match opening.newest {
            Some(newest) => {
                sqlx::query_scalar("SELECT preamble_md FROM rounds WHERE id = $1")
                    .bind(newest)
                    .fetch_one(&mut **tx)
                    .await?
            }
            None => String::new(),
        },
    };
    let round_id: i64 = sqlx::query_scalar(
        "INSERT INTO rounds (consultation_id, slug, title, phase, opened_at_ms, \
             previous_round_id, hide_results, rule, abstentions_count, counting, preamble_md) \
         VALUES ($1, $2, $3, 'draft', $4, $5, $6, $7, $8, $9, $10) RETURNING id",
    )
    .bind(opening.consultation_id)
    .bind(opening.slug)
    .bind(opening.title)
    .bind(now_ms())
    .bind(opening.newest)
    .bind(i64::from(rules.hide_results))
    .bind(rules.rule.as_str())
    .bind(i64::from(rules.abstentions_count))
    .bind(rules.counting.as_str())
    .bind(&preamble)
    .fetch_one(&mut **tx)
    .await
    .on_conflict(Refusal::RoundExists)?;
    let mut details = serde_json::json!({
        "slug": opening.slug,
        "title": opening.title,
        "from_round_id": opening.newest,
        "hide_results": rules.hide_results,
        "rule": rules.rule.as_str(),
        "abstentions_count": rules.abstentions_count,
        "counting": rules.counting.as_str(),
    });
    match (opening.text, opening.newest) {
        (Some(text), _) => {
            for (number, clause) in (1i64..).zip(&text.clauses) {
                sqlx::query(
                    "INSERT INTO clauses (round_id, key, number, title, body_md) \
                     VALUES ($1, $2, $3, $4, $5)",
                )
                .bind(round_id)
                .bind(&clause.key)
                .bind(number)
                .bind(&clause.title)
                .bind(&clause.body_md)
                .execute(&mut **tx)
                .await?;
            }
            // The text itself is the round's; the log keeps its digest and its clauses' names.
            let digest = hex_sha256(&serde_json::to_vec(text).unwrap_or_default());
            details["imported_text"] = serde_json::json!({
                "sha256": digest,
                "preamble_characters": text.preamble_md.chars().count(),
                "clauses": text.clauses.iter()
                    .map(|c| serde_json::json!({"key": c.key, "title": c.title}))
                    .collect::<Vec<_>>(),
            });
        }
        (None, Some(newest)) => {
            sqlx::query(
                "INSERT INTO clauses (round_id, key, number, title, body_md) \
                 SELECT $1, key, number, title, body_md FROM clauses WHERE round_id = $2 \
                 AND kind = 'text'",
            )
            .bind(round_id)
            .bind(newest)
            .execute(&mut **tx)
            .await?;
            // Translations come along; they say so once the new wording departs from theirs.
            sqlx::query(
                "INSERT INTO clause_translations (clause_id, language, title, body_md, \
                     source_title, source_body_md, updated_at_ms) \
                 SELECT n.id, t.language, t.title, t.body_md, t.source_title, t.source_body_md, \
                     t.updated_at_ms \
                 FROM clause_translations t JOIN clauses o ON o.id = t.clause_id \
                 JOIN clauses n ON n.round_id = $1 AND n.key = o.key \
                 WHERE o.round_id = $2 AND o.kind = 'text'",
            )
            .bind(round_id)
            .bind(newest)
            .execute(&mut **tx)
            .await?;
        }
        (None, None) => {}
    }
    let entry = Entry::new(by, "round.opened", format!("round:{round_id}"))
        .in_consultation(opening.consultation_id)
        .with(details);
    audit::append(tx, backend, entry).await?;
    Ok(round_id)
}

/// The SHA-256 digest of `bytes` in lower-case hex.
fn hex_sha256(bytes: &[u8]) -> String {
    use sha2::{Digest, Sha256};
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

impl Store {
    /// Opens a new draft round of a consultation: with `text` when given (imported and
    /// checked), else with the text of its newest round (same keys, numbers, titles, bodies and
    /// preamble). The newest round must be closed or published.
    pub async fn open_round(
        &self,
        consultation_id: i64,
        slug: &str,
        title: &str,
        new: &NewRound,
        text: Option<&DraftText>,
        by: i64,
    ) -> Result<(), StoreError> {
        if self.round_row(consultation_id, slug).await?.is_some() {
            return Err(Refusal::RoundExists.into());
        }
        let newest = self.rounds_of(consultation_id).await?.into_iter().next();
        if let Some(newest) = &newest
            && newest.state.phase()? < Phase::Closed
        {
            return Err(Refusal::PreviousRoundOpen.into());
        }
        let mut tx = self.write_tx().await?;
        // Again under the consultation's row, so two rounds opened at once cannot both pass.
        super::setup::hold_unarchived(&mut tx, consultation_id).await?;
        let (same_slug, unfinished): (i64, i64) = sqlx::query_as(
            "SELECT COALESCE(SUM(CASE WHEN slug = $2 THEN 1 ELSE 0 END), 0), \
                 COALESCE(SUM(CASE WHEN phase IN ('draft', 'commenting', 'voting') \
                     THEN 1 ELSE 0 END), 0) \
             FROM rounds WHERE consultation_id = $1",
        )
        .bind(consultation_id)
        .bind(slug)
        .fetch_one(&mut *tx)
        .await?;
        if same_slug > 0 {
            return Err(Refusal::RoundExists.into());
        }
        if unfinished > 0 {
            return Err(Refusal::PreviousRoundOpen.into());
        }
        let opening = Opening {
            consultation_id,
            slug,
            title,
            rules: new,
            newest: newest.as_ref().map(|r| r.id),
            text,
        };
        let round_id = insert_round(&mut tx, self.backend, &opening, Some(by)).await?;
        if self.mail_on() {
            let happening = Happening {
                kind: "new_round",
                consultation_id: opening.consultation_id,
                round_id: Some(round_id),
                phase: None,
                at_ms: now_ms(),
                comment_id: None,
            };
            record_event(&mut tx, happening).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Moves a round to `to` by hand. Scheduled changes already due are dropped, so a past time
    /// does not undo the move; the audit log records them first, each at its time, so that
    /// followers still learn of them (see `domain::following`).
    pub async fn move_phase(&self, round: &RoundRow, to: Phase, by: i64) -> Result<(), StoreError> {
        let from = round.state.phase()?;
        if !may_move(from, to) {
            return Err(Refusal::PhaseMoveRefused(from, to).into());
        }
        let now = now_ms();
        let stored = super::parse_phase(&round.state.phase)?;
        let due: Vec<_> = (round.state.schedule().changes())
            .filter(|c| c.at_ms <= now && c.phase > stored)
            .collect();
        let schedule = round.state.schedule().without_past(now);
        // Only from the phase read above: a simultaneous move or a due schedule wins otherwise.
        let mut tx = self.write_tx().await?;
        super::setup::hold_unarchived(&mut tx, round.consultation_id).await?;
        let done = sqlx::query(
            "UPDATE rounds SET phase = $1, commenting_at_ms = $2, voting_at_ms = $3, \
                 closing_at_ms = $4 WHERE id = $5 AND phase = $6",
        )
        .bind(to.as_str())
        .bind(schedule.commenting_at_ms)
        .bind(schedule.voting_at_ms)
        .bind(schedule.closing_at_ms)
        .bind(round.id)
        .bind(&round.state.phase)
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() == 0 {
            return Err(Refusal::PhaseMoveRefused(from, to).into());
        }
        let mut reached = stored;
        for change in due {
            let details = serde_json::json!({
                "from": reached.as_str(),
                "to": change.phase.as_str(),
                "scheduled_at_ms": change.at_ms,
            });
            let mut entry = round_entry(round, by, "round.phase_moved", details);
            // The schedule moved it, not the convener.
            entry.actor = None;
            audit::append(&mut tx, self.backend, entry).await?;
            reached = change.phase;
            if self.mail_on() {
                record_event(&mut tx, phase_happening(round, change.phase, change.at_ms)).await?;
            }
        }
        if self.mail_on() {
            record_event(&mut tx, phase_happening(round, to, now)).await?;
        }
        let details = serde_json::json!({ "from": from.as_str(), "to": to.as_str() });
        let entry = round_entry(round, by, "round.phase_moved", details);
        audit::append(&mut tx, self.backend, entry).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Sets how a round decides, until it closes.
    pub async fn set_rules(
        &self,
        round: &RoundRow,
        rules: &RoundRules,
        by: i64,
    ) -> Result<(), StoreError> {
        let phase = round.state.phase()?;
        if phase >= Phase::Closed {
            return Err(Refusal::PhaseClosed(phase).into());
        }
        let mut tx = self.write_tx().await?;
        sqlx::query("UPDATE rounds SET rule = $1, abstentions_count = $2 WHERE id = $3")
            .bind(rules.rule.as_str())
            .bind(i64::from(rules.abstentions_count))
            .bind(round.id)
            .execute(&mut *tx)
            .await?;
        let details = serde_json::json!({
            "rule": rules.rule.as_str(),
            "abstentions_count": rules.abstentions_count,
        });
        let entry = round_entry(round, by, "round.rules_set", details);
        audit::append(&mut tx, self.backend, entry).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Replaces a round's schedule (the caller has checked it).
    pub async fn set_schedule(
        &self,
        round: &RoundRow,
        schedule: &Schedule,
        by: i64,
    ) -> Result<(), StoreError> {
        let mut tx = self.write_tx().await?;
        sqlx::query(
            "UPDATE rounds SET commenting_at_ms = $1, voting_at_ms = $2, closing_at_ms = $3 \
             WHERE id = $4",
        )
        .bind(schedule.commenting_at_ms)
        .bind(schedule.voting_at_ms)
        .bind(schedule.closing_at_ms)
        .bind(round.id)
        .execute(&mut *tx)
        .await?;
        let details = serde_json::to_value(schedule).unwrap_or_default();
        let entry = round_entry(round, by, "round.scheduled", details);
        audit::append(&mut tx, self.backend, entry).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Refuses unless the round is a draft now.
    fn require_draft(round: &RoundRow) -> Result<(), StoreError> {
        match round.state.phase()? {
            Phase::Draft => Ok(()),
            phase => Err(Refusal::PhaseClosed(phase).into()),
        }
    }

    /// The ids among `ids` that are not comments on clause `key` of the round before `round`.
    async fn unknown_comments(
        &self,
        round: &RoundRow,
        key: &str,
        ids: &[i64],
    ) -> Result<Vec<i64>, StoreError> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let known: Vec<i64> = match round.state.previous_round_id {
            Some(previous) => {
                sqlx::query_scalar(
                    "SELECT m.id FROM comments m JOIN clauses k ON k.id = m.clause_id \
                 WHERE k.round_id = $1 AND k.key = $2",
                )
                .bind(previous)
                .bind(key)
                .fetch_all(&self.pool)
                .await?
            }
            None => Vec::new(),
        };
        Ok(ids
            .iter()
            .copied()
            .filter(|id| !known.contains(id))
            .collect())
    }

    /// Rewrites a clause of a draft round; `Ok(Err(..))` names responses that are not comments
    /// on this clause in the previous round; `Ok(Ok(false))` when there is no such clause.
    pub async fn edit_clause(
        &self,
        round: &RoundRow,
        key: &str,
        draft: &ClauseDraft<'_>,
        by: i64,
    ) -> Result<Result<bool, UnknownComments>, StoreError> {
        Self::require_draft(round)?;
        let unknown = self.unknown_comments(round, key, draft.responds_to).await?;
        if !unknown.is_empty() {
            return Ok(Err(UnknownComments(unknown)));
        }
        let mut tx = self.write_tx().await?;
        let id: Option<i64> = sqlx::query_scalar(
            "UPDATE clauses SET title = $1, body_md = $2, change_note = $3 \
             WHERE round_id = $4 AND key = $5 AND kind = 'text' RETURNING id",
        )
        .bind(draft.title)
        .bind(draft.body_md)
        .bind(draft.change_note)
        .bind(round.id)
        .bind(key)
        .fetch_optional(&mut *tx)
        .await?;
        let Some(id) = id else {
            return Ok(Ok(false));
        };
        sqlx::query("DELETE FROM clause_responses WHERE clause_id = $1")
            .bind(id)
            .execute(&mut *tx)
            .await?;
        for comment in draft.responds_to {
            sqlx::query(
                "INSERT INTO clause_responses (clause_id, comment_id) VALUES ($1, $2) \
                 ON CONFLICT (clause_id, comment_id) DO NOTHING",
            )
            .bind(id)
            .bind(comment)
            .execute(&mut *tx)
            .await?;
        }
        let details = draft_details(key, draft);
        self.commit_audited(tx, round_entry(round, by, "clause.edited", details))
            .await?;
        Ok(Ok(true))
    }

    /// Adds a clause at the end of a draft round under a key made from its title (see
    /// [`shared::rules::clause_key`]); returns the key.
    pub async fn add_clause(
        &self,
        round: &RoundRow,
        draft: &ClauseDraft<'_>,
        by: i64,
    ) -> Result<String, StoreError> {
        Self::require_draft(round)?;
        let taken: Vec<String> = sqlx::query_scalar(
            "SELECT key FROM clauses WHERE round_id = $1 \
             UNION SELECT key FROM clauses WHERE round_id = $2",
        )
        .bind(round.id)
        .bind(round.state.previous_round_id.unwrap_or(0))
        .fetch_all(&self.pool)
        .await?;
        let key = shared::rules::clause_key(draft.title, &taken);
        let mut tx = self.write_tx().await?;
        sqlx::query(
            "INSERT INTO clauses (round_id, key, number, title, body_md, change_note) \
             VALUES ($1, $2, (SELECT COALESCE(MAX(number), 0) + 1 FROM clauses WHERE round_id = $1), \
                     $3, $4, $5)",
        )
        .bind(round.id)
        .bind(&key)
        .bind(draft.title)
        .bind(draft.body_md)
        .bind(draft.change_note)
        .execute(&mut *tx)
        .await?;
        let details = draft_details(&key, draft);
        self.commit_audited(tx, round_entry(round, by, "clause.added", details))
            .await?;
        Ok(key)
    }

    /// Removes a clause from a draft round and closes the gap in the numbering; whether there
    /// was such a clause.
    pub async fn remove_clause(
        &self,
        round: &RoundRow,
        key: &str,
        by: i64,
    ) -> Result<bool, StoreError> {
        Self::require_draft(round)?;
        let mut tx = self.write_tx().await?;
        let removed: Option<i64> = sqlx::query_scalar(
            "DELETE FROM clauses WHERE round_id = $1 AND key = $2 AND kind = 'text' \
                 RETURNING id",
        )
        .bind(round.id)
        .bind(key)
        .fetch_optional(&mut *tx)
        .await?;
        if removed.is_none() {
            return Ok(false);
        }
        renumber(&mut tx, round.id, None).await?;
        let details = serde_json::json!({ "key": key });
        self.commit_audited(tx, round_entry(round, by, "clause.removed", details))
            .await?;
        Ok(true)
    }

    /// Puts a draft round's clauses in the order of `keys`, which must name each clause once;
    /// whether it did.
    pub async fn reorder_clauses(
        &self,
        round: &RoundRow,
        keys: &[String],
        by: i64,
    ) -> Result<bool, StoreError> {
        Self::require_draft(round)?;
        let mut current: Vec<String> =
            sqlx::query_scalar("SELECT key FROM clauses WHERE round_id = $1 AND kind = 'text'")
                .bind(round.id)
                .fetch_all(&self.pool)
                .await?;
        let mut wanted = keys.to_vec();
        current.sort();
        wanted.sort();
        if current != wanted {
            return Ok(false);
        }
        let mut tx = self.write_tx().await?;
        renumber(&mut tx, round.id, Some(keys)).await?;
        let details = serde_json::json!({ "keys": keys });
        self.commit_audited(tx, round_entry(round, by, "clauses.reordered", details))
            .await?;
        Ok(true)
    }
}

/// Numbers a round's clauses 1, 2, 3… in the order of `keys` (or in their present order),
/// going through negative numbers so the uniqueness of numbers holds at every step.
async fn renumber(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    round_id: i64,
    keys: Option<&[String]>,
) -> Result<(), StoreError> {
    let keys: Vec<String> = match keys {
        Some(keys) => keys.to_vec(),
        None => {
            sqlx::query_scalar(
                "SELECT key FROM clauses WHERE round_id = $1 AND kind = 'text' ORDER BY number",
            )
            .bind(round_id)
            .fetch_all(&mut **tx)
            .await?
        }
    };
    // Out of the way first (proposals hold the small negative numbers).
    sqlx::query(
        "UPDATE clauses SET number = -1000000 - number WHERE round_id = $1 AND kind = 'text'",
    )
    .bind(round_id)
    .execute(&mut **tx)
    .await?;
    for (number, key) in (1_i64..).zip(&keys) {
        sqlx::query("UPDATE clauses SET number = $1 WHERE round_id = $2 AND key = $3")
            .bind(number)
            .bind(round_id)
            .bind(key)
            .execute(&mut **tx)
            .await?;
    }
    Ok(())
}
