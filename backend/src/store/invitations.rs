//! Invitation links to a consultation kept to those invited: issued with an expiry and a use
//! limit, stored by their token's digest, revoked, previewed and accepted.

use super::StoreError;
use super::audit::Entry;
use super::participation::parse_group;
use super::{Store, now_ms};
use crate::refusal::Refusal;
use shared::{Invitation, InvitationPreview, InvitationStatus, Participation, StakeholderGroup};
use sqlx::FromRow;

/// How the audit log names an invitation (never by its token).
fn invitation_subject(id: i64) -> String {
    format!("invitation:{id}")
}

/// What a new invitation records.
#[derive(Debug, Clone)]
pub struct InvitationDraft<'a> {
    pub consultation_id: i64,
    pub token_hash: &'a str,
    pub organisation_id: Option<i64>,
    pub stakeholder_group: StakeholderGroup,
    pub note: &'a str,
    pub created_by: i64,
    pub expires_at_ms: i64,
}

/// An invitation row with its consultation and organisation.
#[derive(Debug, Clone, FromRow)]
struct InvitationRow {
    id: i64,
    consultation_id: i64,
    consultation_slug: String,
    consultation_title: String,
    organisation_id: Option<i64>,
    organisation_slug: Option<String>,
    organisation_name: Option<String>,
    organisation_region: Option<String>,
    stakeholder_group: String,
    note: String,
    created_at_ms: i64,
    expires_at_ms: i64,
    accepted_by: Option<i64>,
    accepted_by_handle: Option<String>,
    accepted_at_ms: Option<i64>,
    revoked_at_ms: Option<i64>,
}

const INVITATION_COLUMNS: &str = "\
    SELECT i.id, i.consultation_id, c.slug AS consultation_slug, c.title AS consultation_title, \
           i.organisation_id, o.slug AS organisation_slug, o.name AS organisation_name, \
           o.region AS organisation_region, \
           i.stakeholder_group, i.note, i.created_at_ms, i.expires_at_ms, i.accepted_by, \
           CASE WHEN a.deleted_at_ms IS NULL THEN a.handle END AS accepted_by_handle, \
           i.accepted_at_ms, i.revoked_at_ms \
    FROM invitations i JOIN consultations c ON c.id = i.consultation_id \
    LEFT JOIN organisations o ON o.id = i.organisation_id \
    LEFT JOIN accounts a ON a.id = i.accepted_by";

impl InvitationRow {
    fn status(&self, now: i64) -> InvitationStatus {
        if self.revoked_at_ms.is_some() {
            InvitationStatus::Revoked
        } else if self.accepted_at_ms.is_some() {
            InvitationStatus::Accepted
        } else if self.expires_at_ms < now {
            InvitationStatus::Expired
        } else {
            InvitationStatus::Sent
        }
    }

    fn group(&self) -> Result<StakeholderGroup, StoreError> {
        parse_group(&self.stakeholder_group)
    }

    fn into_invitation(self, now: i64) -> Result<Invitation, StoreError> {
        Ok(Invitation {
            id: self.id,
            status: self.status(now),
            stakeholder_group: self.group()?,
            organisation: self.organisation_slug,
            organisation_name: self.organisation_name,
            note: self.note,
            created_at_ms: self.created_at_ms,
            expires_at_ms: self.expires_at_ms,
            accepted_by: self.accepted_by_handle,
        })
    }

    fn participation(&self) -> Result<Participation, StoreError> {
        Ok(Participation {
            consultation_slug: self.consultation_slug.clone(),
            consultation_title: self.consultation_title.clone(),
            stakeholder_group: self.group()?,
            organisation: self.organisation_slug.clone(),
            region: self.organisation_region.clone().unwrap_or_default(),
        })
    }
}

impl Store {
    // ---- invitations ------------------------------------------------------------------------

    /// Records a new invitation.
    pub async fn create_invitation(
        &self,
        draft: &InvitationDraft<'_>,
    ) -> Result<Invitation, StoreError> {
        let mut tx = self.write_tx().await?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO invitations (consultation_id, token_hash, organisation_id, \
                 stakeholder_group, note, created_by, created_at_ms, expires_at_ms) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
        )
        .bind(draft.consultation_id)
        .bind(draft.token_hash)
        .bind(draft.organisation_id)
        .bind(draft.stakeholder_group.as_str())
        .bind(draft.note)
        .bind(draft.created_by)
        .bind(now_ms())
        .bind(draft.expires_at_ms)
        .fetch_one(&mut *tx)
        .await?;
        // The token's digest stays out of the log: the log may be exported.
        let entry = Entry::new(
            Some(draft.created_by),
            "invitation.issued",
            invitation_subject(id),
        )
        .in_consultation(draft.consultation_id)
        .with(serde_json::json!({
            "stakeholder_group": draft.stakeholder_group.as_str(),
            "organisation_id": draft.organisation_id,
            "expires_at_ms": draft.expires_at_ms,
        }));
        self.commit_audited(tx, entry).await?;
        let row: InvitationRow = sqlx::query_as(&format!("{INVITATION_COLUMNS} WHERE i.id = $1"))
            .bind(id)
            .fetch_one(&self.pool)
            .await?;
        row.into_invitation(now_ms())
    }

    /// The invitations of a consultation, newest first.
    pub async fn invitations(&self, consultation_id: i64) -> Result<Vec<Invitation>, StoreError> {
        let rows: Vec<InvitationRow> = sqlx::query_as(&format!(
            "{INVITATION_COLUMNS} WHERE i.consultation_id = $1 ORDER BY i.id DESC"
        ))
        .bind(consultation_id)
        .fetch_all(&self.pool)
        .await?;
        let now = now_ms();
        rows.into_iter().map(|r| r.into_invitation(now)).collect()
    }

    /// Revokes an unused invitation of the consultation. `None` when there is no such
    /// invitation; otherwise the invitation as it now stands (an accepted one stays accepted).
    pub async fn revoke_invitation(
        &self,
        consultation_id: i64,
        id: i64,
        by: i64,
    ) -> Result<Option<Invitation>, StoreError> {
        let mut tx = self.write_tx().await?;
        let done = sqlx::query(
            "UPDATE invitations SET revoked_at_ms = $1 WHERE id = $2 AND consultation_id = $3 \
             AND accepted_at_ms IS NULL AND revoked_at_ms IS NULL",
        )
        .bind(now_ms())
        .bind(id)
        .bind(consultation_id)
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() == 1 {
            let entry = Entry::new(Some(by), "invitation.revoked", invitation_subject(id))
                .in_consultation(consultation_id);
            self.commit_audited(tx, entry).await?;
        } else {
            // Nothing to revoke: nothing changed, nothing to record.
            tx.rollback().await?;
        }
        let row: Option<InvitationRow> = sqlx::query_as(&format!(
            "{INVITATION_COLUMNS} WHERE i.id = $1 AND i.consultation_id = $2"
        ))
        .bind(id)
        .bind(consultation_id)
        .fetch_optional(&self.pool)
        .await?;
        row.map(|r| r.into_invitation(now_ms())).transpose()
    }

    async fn invitation_row(&self, token_hash: &str) -> Result<Option<InvitationRow>, StoreError> {
        Ok(
            sqlx::query_as(&format!("{INVITATION_COLUMNS} WHERE i.token_hash = $1"))
                .bind(token_hash)
                .fetch_optional(&self.pool)
                .await?,
        )
    }

    /// What the invitation with this token offers.
    pub async fn invitation_preview(
        &self,
        token_hash: &str,
    ) -> Result<Option<InvitationPreview>, StoreError> {
        let Some(row) = self.invitation_row(token_hash).await? else {
            return Ok(None);
        };
        Ok(Some(InvitationPreview {
            status: row.status(now_ms()),
            stakeholder_group: row.group()?,
            consultation_slug: row.consultation_slug,
            consultation_title: row.consultation_title,
            organisation_name: row.organisation_name,
            expires_at_ms: row.expires_at_ms,
        }))
    }

    /// Accepts the invitation with this token for `account_id`, once: the account takes part in
    /// the consultation in the invitation's stakeholder group, and becomes a member of its
    /// organisation if it names one. Accepting again by the same account changes nothing.
    pub async fn accept_invitation(
        &self,
        token_hash: &str,
        account_id: i64,
    ) -> Result<Participation, StoreError> {
        let now = now_ms();
        let mut tx = self.write_tx().await?;
        let claimed = sqlx::query(
            "UPDATE invitations SET accepted_by = $1, accepted_at_ms = $2 \
             WHERE token_hash = $3 AND accepted_at_ms IS NULL AND revoked_at_ms IS NULL \
             AND expires_at_ms >= $2",
        )
        .bind(account_id)
        .bind(now)
        .bind(token_hash)
        .execute(&mut *tx)
        .await?;
        let row: Option<InvitationRow> =
            sqlx::query_as(&format!("{INVITATION_COLUMNS} WHERE i.token_hash = $1"))
                .bind(token_hash)
                .fetch_optional(&mut *tx)
                .await?;
        let Some(row) = row else {
            return Err(Refusal::NotFound("invitation").into());
        };
        if claimed.rows_affected() == 0 {
            return match row.status(now) {
                InvitationStatus::Accepted if row.accepted_by == Some(account_id) => {
                    row.participation()
                }
                InvitationStatus::Accepted | InvitationStatus::Sent => {
                    Err(Refusal::InvitationUsed.into())
                }
                InvitationStatus::Revoked => Err(Refusal::InvitationRevoked.into()),
                InvitationStatus::Expired => Err(Refusal::InvitationExpired.into()),
            };
        }
        sqlx::query(
            "INSERT INTO participants (consultation_id, account_id, stakeholder_group, \
                 organisation_id, joined_at_ms) VALUES ($1, $2, $3, $4, $5) \
             ON CONFLICT (consultation_id, account_id) DO UPDATE \
             SET stakeholder_group = excluded.stakeholder_group, \
                 organisation_id = excluded.organisation_id",
        )
        .bind(row.consultation_id)
        .bind(account_id)
        .bind(&row.stakeholder_group)
        .bind(row.organisation_id)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        if let Some(organisation_id) = row.organisation_id {
            sqlx::query(
                "INSERT INTO memberships (account_id, organisation_id, status, requested_at_ms) \
                 VALUES ($1, $2, 'member', $3) ON CONFLICT (account_id, organisation_id) \
                 DO UPDATE SET status = 'member'",
            )
            .bind(account_id)
            .bind(organisation_id)
            .bind(now)
            .execute(&mut *tx)
            .await?;
        }
        let entry = Entry::new(
            Some(account_id),
            "invitation.accepted",
            invitation_subject(row.id),
        )
        .in_consultation(row.consultation_id)
        .with(serde_json::json!({
            "stakeholder_group": row.stakeholder_group,
            "organisation_id": row.organisation_id,
        }));
        self.commit_audited(tx, entry).await?;
        row.participation()
    }
}
