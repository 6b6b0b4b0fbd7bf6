//! Accounts: creating one, its credentials and role, changing its password, deleting it with
//! everything it wrote kept under a retired name, and the export of all it holds.

use super::sessions::end_other_sessions;
use super::{OnConflict, Store, StoreError, audit, now_ms, parse_stance};
use crate::refusal::Refusal;
use shared::{
    AccountExport, ClauseRef, ExportedComment, ExportedFlag, ExportedPosition, ExportedProposal,
    ProposalKind,
};
use sqlx::FromRow;

/// An account as the session layer sees it.
#[derive(Debug, Clone, FromRow)]
pub struct Account {
    pub id: i64,
    pub handle: String,
    /// `participant` or `admin`.
    pub role: String,
}

/// The digest under which a deleted account's handle is kept from being chosen again.
fn retired_handle_digest(handle: &str) -> String {
    use sha2::{Digest, Sha256};
    Sha256::digest(handle.to_lowercase().as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The credentials stored for an account.
#[derive(Debug, FromRow)]
pub struct StoredCredentials {
    pub id: i64,
    pub password_hash: String,
    pub role: String,
}

impl Account {
    /// Whether the account administers this Concord (acting as such also needs two factors).
    pub fn is_admin(&self) -> bool {
        self.role == ADMIN
    }
}

/// The role of an administrator.
pub const ADMIN: &str = "admin";
/// The role of everyone else.
pub const PARTICIPANT: &str = "participant";

impl Store {
    // ---- accounts and sessions -------------------------------------------------------------

    /// Creates an account; a taken handle is [`Refusal::HandleTaken`].
    pub async fn create_account(
        &self,
        handle: &str,
        password_hash: &str,
    ) -> Result<i64, StoreError> {
        let mut tx = self.write_tx().await?;
        let retired: Option<String> =
            sqlx::query_scalar("SELECT digest FROM retired_handles WHERE digest = $1")
                .bind(retired_handle_digest(handle))
                .fetch_optional(&mut *tx)
                .await?;
        if retired.is_some() {
            return Err(Refusal::HandleTaken.into());
        }
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO accounts (handle, password_hash, created_at_ms) VALUES ($1, $2, $3) \
             RETURNING id",
        )
        .bind(handle)
        .bind(password_hash)
        .bind(now_ms())
        .fetch_one(&mut *tx)
        .await
        .on_conflict(Refusal::HandleTaken)?;
        let entry = audit::Entry::new(
            Some(id),
            "account.created",
            super::passkeys::account_subject(id),
        );
        self.commit_audited(tx, entry).await?;
        Ok(id)
    }

    /// The stored credentials of `handle`, if such an account exists.
    pub async fn credentials(&self, handle: &str) -> Result<Option<StoredCredentials>, StoreError> {
        Ok(sqlx::query_as(
            "SELECT id, password_hash, role FROM accounts WHERE handle = $1 AND deleted_at_ms IS NULL",
        )
        .bind(handle)
        .fetch_optional(&self.pool)
        .await?)
    }

    /// The password hash of an account.
    pub async fn password_hash(&self, account_id: i64) -> Result<String, StoreError> {
        Ok(
            sqlx::query_scalar("SELECT password_hash FROM accounts WHERE id = $1")
                .bind(account_id)
                .fetch_one(&self.pool)
                .await?,
        )
    }

    /// Replaces an account's password; with `keep_only`, also ends every other session.
    pub async fn change_password(
        &self,
        account_id: i64,
        password_hash: &str,
        keep_only: Option<&str>,
    ) -> Result<(), StoreError> {
        let mut tx = self.write_tx().await?;
        sqlx::query("UPDATE accounts SET password_hash = $1 WHERE id = $2")
            .bind(password_hash)
            .bind(account_id)
            .execute(&mut *tx)
            .await?;
        if let Some(current) = keep_only {
            end_other_sessions(&mut tx, account_id, current).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Deletes an account: its handle, password and sessions go, and so do its positions in
    /// rounds that are not closed; its comments stay (as a former participant's) and its
    /// positions stay in closed tallies, linked only to an anonymous tombstone.
    pub async fn delete_account(&self, account_id: i64) -> Result<(), StoreError> {
        // Open: neither closed nor published, nor past a scheduled close (a number of ours,
        // written into the SQL).
        let open_rounds = format!(
            "SELECT k.id FROM clauses k JOIN rounds r ON r.id = k.round_id \
             WHERE r.phase NOT IN ('closed', 'published') \
               AND (r.closing_at_ms IS NULL OR r.closing_at_ms > {})",
            now_ms()
        );
        let mut tx = self.write_tx().await?;
        for sql in [
            // The withdrawn positions leave the counts too.
            format!(
                "UPDATE tally_counts SET n = n - (SELECT COUNT(*) FROM positions p \
                   WHERE p.account_id = $1 AND p.clause_id = tally_counts.clause_id \
                     AND p.stance = tally_counts.stance \
                     AND p.stakeholder_group = tally_counts.stakeholder_group \
                     AND p.region = tally_counts.region) \
                 WHERE clause_id IN ({open_rounds})"
            ),
            format!("DELETE FROM positions WHERE account_id = $1 AND clause_id IN ({open_rounds})"),
            format!(
                "DELETE FROM position_changes WHERE account_id = $1 AND clause_id IN ({open_rounds})"
            ),
            "DELETE FROM sessions WHERE account_id = $1".to_owned(),
            "DELETE FROM pending_sign_ins WHERE account_id = $1".to_owned(),
            "DELETE FROM totp_secrets WHERE account_id = $1".to_owned(),
            "DELETE FROM recovery_codes WHERE account_id = $1".to_owned(),
            "DELETE FROM passkeys WHERE account_id = $1".to_owned(),
            "DELETE FROM passkey_ceremonies WHERE account_id = $1".to_owned(),
            "DELETE FROM email_addresses WHERE account_id = $1".to_owned(),
            "DELETE FROM email_verifications WHERE account_id = $1".to_owned(),
            "DELETE FROM reminder_choices WHERE account_id = $1".to_owned(),
            "DELETE FROM mails WHERE account_id = $1".to_owned(),
            "DELETE FROM memberships WHERE account_id = $1".to_owned(),
            "DELETE FROM conveners WHERE account_id = $1".to_owned(),
            "UPDATE organisations SET representative_id = NULL WHERE representative_id = $1"
                .to_owned(),
        ] {
            sqlx::query(&sql).bind(account_id).execute(&mut *tx).await?;
        }
        // The handle stays someone else's for good: only its digest is kept for that.
        let handle: String = sqlx::query_scalar("SELECT handle FROM accounts WHERE id = $1")
            .bind(account_id)
            .fetch_one(&mut *tx)
            .await?;
        sqlx::query(
            "INSERT INTO retired_handles (digest) \
             SELECT $1 WHERE NOT EXISTS (SELECT 1 FROM retired_handles WHERE digest = $1)",
        )
        .bind(retired_handle_digest(&handle))
        .execute(&mut *tx)
        .await?;
        // '~' cannot start a handle, so the tombstone can never be signed into or chosen.
        sqlx::query(
            "UPDATE accounts SET handle = '~deleted-' || CAST(id AS TEXT), password_hash = '', \
             shown_organisation_id = NULL, passkey_user_id = NULL, deleted_at_ms = $1 WHERE id = $2",
        )
        .bind(now_ms())
        .bind(account_id)
        .execute(&mut *tx)
        .await?;
        // History stays as it was; the deletion is one more entry.
        let entry = audit::Entry::new(
            Some(account_id),
            "account.deleted",
            super::passkeys::account_subject(account_id),
        );
        audit::append(&mut tx, self.backend, entry).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Everything stored about an account, for its owner.
    pub async fn export(&self, account: &Account) -> Result<AccountExport, StoreError> {
        #[derive(FromRow)]
        struct Written {
            consultation: String,
            round: String,
            clause: String,
            body: String,
            at_ms: i64,
            reason: Option<String>,
            receipt: String,
        }
        let place = "FROM clauses k JOIN rounds r ON r.id = k.round_id \
                     JOIN consultations c ON c.id = r.consultation_id";
        let created_at_ms: i64 =
            sqlx::query_scalar("SELECT created_at_ms FROM accounts WHERE id = $1")
                .bind(account.id)
                .fetch_one(&self.pool)
                .await?;
        let comments: Vec<Written> = sqlx::query_as(&format!(
            "SELECT c.slug AS consultation, r.slug AS round, k.key AS clause, m.body, \
                    m.created_at_ms AS at_ms, NULL AS reason, '' AS receipt \
             {place} JOIN comments m ON m.clause_id = k.id WHERE m.account_id = $1 ORDER BY m.id"
        ))
        .bind(account.id)
        .fetch_all(&self.pool)
        .await?;
        let positions: Vec<Written> = sqlx::query_as(&format!(
            "SELECT c.slug AS consultation, r.slug AS round, k.key AS clause, p.stance AS body, \
                    p.cast_at_ms AS at_ms, p.reason, p.receipt \
             {place} JOIN position_changes p ON p.clause_id = k.id \
             WHERE p.account_id = $1 ORDER BY p.id"
        ))
        .bind(account.id)
        .fetch_all(&self.pool)
        .await?;
        let on = |w: &Written| ClauseRef {
            consultation: w.consultation.clone(),
            round: w.round.clone(),
            clause: w.clause.clone(),
        };
        #[derive(FromRow)]
        struct Proposed {
            consultation: String,
            round: String,
            clause: String,
            kind: String,
            title: String,
            body_md: String,
            proposed_at_ms: Option<i64>,
        }
        let proposals: Vec<Proposed> = sqlx::query_as(
            "SELECT c.slug AS consultation, r.slug AS round, k.key AS clause, k.kind, \
                        k.title, k.body_md, k.proposed_at_ms \
                 FROM clauses k JOIN rounds r ON r.id = k.round_id \
                 JOIN consultations c ON c.id = r.consultation_id \
                 WHERE k.proposed_by = $1 ORDER BY k.id",
        )
        .bind(account.id)
        .fetch_all(&self.pool)
        .await?;
        let flags: Vec<(i64, String, i64)> = sqlx::query_as(
            "SELECT comment_id, reason, flagged_at_ms FROM comment_flags WHERE account_id = $1 \
             ORDER BY flagged_at_ms",
        )
        .bind(account.id)
        .fetch_all(&self.pool)
        .await?;
        let passkeys = self.passkeys_of(account.id).await?;
        let email_address = self.email_address(account.id).await?.map(|e| e.address);
        let reminders = self
            .reminder_choices(account.id)
            .await?
            .into_iter()
            .map(|c| c.asked())
            .filter(|c| c.reminders != shared::following::Reminders::default())
            .collect();
        Ok(AccountExport {
            passkeys: passkeys.into_iter().map(|p| p.info()).collect(),
            email_address,
            reminders,
            proposals: proposals
                .into_iter()
                .map(|p| {
                    Ok(ExportedProposal {
                        kind: ProposalKind::parse(&p.kind).ok_or_else(|| {
                            StoreError::Corrupt(format!("unknown proposal kind {:?}", p.kind))
                        })?,
                        on: ClauseRef {
                            consultation: p.consultation,
                            round: p.round,
                            clause: p.clause,
                        },
                        title: p.title,
                        body_md: p.body_md,
                        proposed_at_ms: p.proposed_at_ms.unwrap_or_default(),
                    })
                })
                .collect::<Result<_, StoreError>>()?,
            flags: flags
                .into_iter()
                .map(|(comment_id, reason, flagged_at_ms)| ExportedFlag {
                    comment_id,
                    reason,
                    flagged_at_ms,
                })
                .collect(),
            handle: account.handle.clone(),
            created_at_ms,
            sessions: Vec::new(),
            memberships: self.memberships_of(account.id).await?,
            participations: self.participations(account.id).await?,
            convenes: self.convenes(account.id).await?,
            shown_organisation: self.shown_organisation(account.id).await?,
            comments: comments
                .iter()
                .map(|w| ExportedComment {
                    on: on(w),
                    body: w.body.clone(),
                    created_at_ms: w.at_ms,
                })
                .collect(),
            positions: positions
                .iter()
                .map(|w| {
                    Ok(ExportedPosition {
                        on: on(w),
                        stance: parse_stance(&w.body)?,
                        reason: w.reason.clone(),
                        cast_at_ms: w.at_ms,
                        receipt: w.receipt.clone(),
                    })
                })
                .collect::<Result<_, StoreError>>()?,
        })
    }

    /// Gives `handle` the role `role`; whether such an account exists.
    pub async fn set_role(&self, handle: &str, role: &str) -> Result<bool, StoreError> {
        let mut tx = self.write_tx().await?;
        let done = sqlx::query(
            "UPDATE accounts SET role = $1 WHERE handle = $2 AND deleted_at_ms IS NULL",
        )
        .bind(role)
        .bind(handle)
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() != 1 {
            return Ok(false);
        }
        let entry = audit::Entry::new(None, "account.role_set", format!("account:{handle}"))
            .with(serde_json::json!({ "role": role, "by": "concord admin" }));
        self.commit_audited(tx, entry).await?;
        Ok(true)
    }
}
