//! Who takes part in a consultation: its conveners, whether it is open or by invitation, the
//! invitation links and the participants they let in; organisations' verification and
//! representatives; the organisation a participant shows next to their handle.

use super::StoreError;
use super::audit::Entry;
use super::{Store, now_ms};
use crate::refusal::Refusal;
use shared::{
    ConsultationAccess, Convener, Invitation, InvitationPreview, InvitationStatus, Participation,
    StakeholderGroup,
};
use sqlx::FromRow;

/// A consultation as the access rules need it.
#[derive(Debug, Clone)]
pub struct ConsultationRef {
    pub id: i64,
    pub slug: String,
    pub title: String,
    pub access: ConsultationAccess,
    /// Archived: read-only (see [`crate::auth::require_changeable`]).
    pub archived: bool,
}

/// How the audit log names an invitation (never by its token).
fn invitation_subject(id: i64) -> String {
    format!("invitation:{id}")
}

/// How the audit log names a consultation.
fn consultation_subject(id: i64) -> String {
    format!("consultation:{id}")
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

/// What setting an organisation's representative came to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RepresentativeOutcome {
    Set,
    NoSuchOrganisation,
    NotAMember,
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

/// A stakeholder group read back from the database (a CHECK constraint keeps it valid).
pub(super) fn parse_group(s: &str) -> Result<StakeholderGroup, StoreError> {
    StakeholderGroup::parse(s)
        .ok_or_else(|| StoreError::Corrupt(format!("unknown stakeholder group {s:?}")))
}

pub(super) fn parse_access(s: &str) -> Result<ConsultationAccess, StoreError> {
    ConsultationAccess::parse(s)
        .ok_or_else(|| StoreError::Corrupt(format!("unknown consultation access {s:?}")))
}

impl Store {
    // ---- consultations' access and conveners -----------------------------------------------

    /// A consultation's id, title, access and whether it is archived.
    pub async fn consultation_ref(
        &self,
        slug: &str,
    ) -> Result<Option<ConsultationRef>, StoreError> {
        let row: Option<(i64, String, String, String, Option<i64>)> = sqlx::query_as(
            "SELECT id, slug, title, access, archived_at_ms FROM consultations WHERE slug = $1",
        )
        .bind(slug)
        .fetch_optional(&self.pool)
        .await?;
        row.map(|(id, slug, title, access, archived_at_ms)| {
            Ok(ConsultationRef {
                id,
                slug,
                title,
                access: parse_access(&access)?,
                archived: archived_at_ms.is_some(),
            })
        })
        .transpose()
    }

    /// The consultation `slug`, or [`Refusal::NotFound`].
    pub async fn existing_consultation(&self, slug: &str) -> Result<ConsultationRef, StoreError> {
        self.consultation_ref(slug)
            .await?
            .ok_or(Refusal::NotFound("consultation").into())
    }

    /// Opens a consultation to anyone or keeps it to those invited.
    pub async fn set_access(
        &self,
        consultation_id: i64,
        access: ConsultationAccess,
        by: i64,
    ) -> Result<(), StoreError> {
        let mut tx = self.write_tx().await?;
        sqlx::query("UPDATE consultations SET access = $1 WHERE id = $2")
            .bind(access.as_str())
            .bind(consultation_id)
            .execute(&mut *tx)
            .await?;
        let subject = consultation_subject(consultation_id);
        let entry = Entry::new(Some(by), "consultation.access_set", subject)
            .in_consultation(consultation_id)
            .with(serde_json::json!({ "access": access.as_str() }));
        self.commit_audited(tx, entry).await
    }

    /// The slugs of the consultations an account convenes, by slug.
    pub async fn convenes(&self, account_id: i64) -> Result<Vec<String>, StoreError> {
        Ok(sqlx::query_scalar(
            "SELECT c.slug FROM conveners v JOIN consultations c ON c.id = v.consultation_id \
             WHERE v.account_id = $1 ORDER BY c.slug",
        )
        .bind(account_id)
        .fetch_all(&self.pool)
        .await?)
    }

    /// Whether an account convenes this consultation.
    pub async fn is_convener(
        &self,
        account_id: i64,
        consultation_id: i64,
    ) -> Result<bool, StoreError> {
        self.exists(
            "SELECT 1 FROM conveners WHERE account_id = $1 AND consultation_id = $2",
            account_id,
            consultation_id,
        )
        .await
    }

    /// Whether an account accepted an invitation to this consultation.
    pub async fn takes_part(
        &self,
        account_id: i64,
        consultation_id: i64,
    ) -> Result<bool, StoreError> {
        self.exists(
            "SELECT 1 FROM participants WHERE account_id = $1 AND consultation_id = $2",
            account_id,
            consultation_id,
        )
        .await
    }

    async fn exists(&self, sql: &str, a: i64, b: i64) -> Result<bool, StoreError> {
        let row: Option<i64> = sqlx::query_scalar(sql)
            .bind(a)
            .bind(b)
            .fetch_optional(&self.pool)
            .await?;
        Ok(row.is_some())
    }

    /// The conveners of a consultation, by handle.
    pub async fn conveners(&self, consultation_id: i64) -> Result<Vec<Convener>, StoreError> {
        let rows: Vec<(String, i64)> = sqlx::query_as(
            "SELECT a.handle, \
                    (SELECT COUNT(*) FROM totp_secrets t \
                      WHERE t.account_id = a.id AND t.confirmed_at_ms IS NOT NULL) \
             FROM conveners v JOIN accounts a ON a.id = v.account_id \
             WHERE v.consultation_id = $1 ORDER BY a.handle",
        )
        .bind(consultation_id)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .into_iter()
            .map(|(handle, two_factor)| Convener {
                handle,
                two_factor: two_factor > 0,
            })
            .collect())
    }

    /// Makes `handle` a convener of the consultation (again is harmless); whether such an
    /// account exists.
    pub async fn add_convener(
        &self,
        consultation_id: i64,
        handle: &str,
        by: i64,
    ) -> Result<bool, StoreError> {
        let mut tx = self.write_tx().await?;
        let done = sqlx::query(
            "INSERT INTO conveners (consultation_id, account_id) \
             SELECT $1, id FROM accounts WHERE handle = $2 AND deleted_at_ms IS NULL \
             ON CONFLICT (consultation_id, account_id) DO NOTHING",
        )
        .bind(consultation_id)
        .bind(handle)
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() != 1 {
            // Unknown, or named already: nothing changed, nothing to record.
            drop(tx);
            return self.convener_named(consultation_id, handle).await;
        }
        let entry = Entry::new(
            Some(by),
            "convener.named",
            consultation_subject(consultation_id),
        )
        .in_consultation(consultation_id)
        .with(serde_json::json!({ "handle": handle }));
        self.commit_audited(tx, entry).await?;
        Ok(true)
    }

    async fn convener_named(&self, consultation_id: i64, handle: &str) -> Result<bool, StoreError> {
        Ok(self
            .conveners(consultation_id)
            .await?
            .iter()
            .any(|c| c.handle == handle))
    }

    /// Stops `handle` convening the consultation; whether they did.
    pub async fn remove_convener(
        &self,
        consultation_id: i64,
        handle: &str,
        by: i64,
    ) -> Result<bool, StoreError> {
        let mut tx = self.write_tx().await?;
        let done = sqlx::query(
            "DELETE FROM conveners WHERE consultation_id = $1 \
             AND account_id = (SELECT id FROM accounts WHERE handle = $2)",
        )
        .bind(consultation_id)
        .bind(handle)
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() != 1 {
            return Ok(false);
        }
        let subject = consultation_subject(consultation_id);
        let entry = Entry::new(Some(by), "convener.removed", subject)
            .in_consultation(consultation_id)
            .with(serde_json::json!({ "handle": handle }));
        self.commit_audited(tx, entry).await?;
        Ok(true)
    }

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

    /// The consultations an account takes part in by invitation, by title.
    pub async fn participations(&self, account_id: i64) -> Result<Vec<Participation>, StoreError> {
        let rows: Vec<(String, String, String, Option<String>, String)> = sqlx::query_as(
            "SELECT c.slug, c.title, p.stakeholder_group, o.slug, \
                    CASE WHEN o.id IS NULL THEN p.region ELSE o.region END \
             FROM participants p \
             JOIN consultations c ON c.id = p.consultation_id \
             LEFT JOIN organisations o ON o.id = p.organisation_id \
             WHERE p.account_id = $1 ORDER BY c.title",
        )
        .bind(account_id)
        .fetch_all(&self.pool)
        .await?;
        rows.into_iter()
            .map(|(slug, title, group, organisation, region)| {
                Ok(Participation {
                    consultation_slug: slug,
                    consultation_title: title,
                    stakeholder_group: parse_group(&group)?,
                    organisation,
                    region,
                })
            })
            .collect()
    }

    // ---- organisations: verification, representatives, shown organisation ------------------

    /// An organisation's id.
    pub async fn organisation_id(&self, slug: &str) -> Result<Option<i64>, StoreError> {
        Ok(
            sqlx::query_scalar("SELECT id FROM organisations WHERE slug = $1")
                .bind(slug)
                .fetch_optional(&self.pool)
                .await?,
        )
    }

    /// Marks a self-declared organisation as checked; whether it exists.
    pub async fn verify_organisation(&self, slug: &str, by: i64) -> Result<bool, StoreError> {
        let mut tx = self.write_tx().await?;
        let done = sqlx::query("UPDATE organisations SET verified = 1 WHERE slug = $1")
            .bind(slug)
            .execute(&mut *tx)
            .await?;
        if done.rows_affected() != 1 {
            return Ok(false);
        }
        let entry = Entry::new(
            Some(by),
            "organisation.verified",
            format!("organisation:{slug}"),
        );
        self.commit_audited(tx, entry).await?;
        Ok(true)
    }

    /// Whether an account is a member (not only asking) of the organisation.
    pub async fn is_member(&self, account_id: i64, slug: &str) -> Result<bool, StoreError> {
        let row: Option<i64> = sqlx::query_scalar(
            "SELECT 1 FROM memberships m JOIN organisations o ON o.id = m.organisation_id \
             WHERE m.account_id = $1 AND o.slug = $2 AND m.status = 'member'",
        )
        .bind(account_id)
        .bind(slug)
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.is_some())
    }

    /// Whether an account represents the organisation.
    pub async fn is_representative(&self, account_id: i64, slug: &str) -> Result<bool, StoreError> {
        let row: Option<i64> = sqlx::query_scalar(
            "SELECT 1 FROM organisations WHERE slug = $1 AND representative_id = $2",
        )
        .bind(slug)
        .bind(account_id)
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.is_some())
    }

    /// Names a member as the organisation's representative.
    pub async fn set_representative(
        &self,
        slug: &str,
        handle: &str,
        by: i64,
    ) -> Result<RepresentativeOutcome, StoreError> {
        if self.organisation_id(slug).await?.is_none() {
            return Ok(RepresentativeOutcome::NoSuchOrganisation);
        }
        let mut tx = self.write_tx().await?;
        let done = sqlx::query(
            "UPDATE organisations SET representative_id = \
               (SELECT m.account_id FROM memberships m JOIN accounts a ON a.id = m.account_id \
                 WHERE a.handle = $1 AND m.status = 'member' \
                   AND m.organisation_id = organisations.id) \
             WHERE slug = $2 AND EXISTS \
               (SELECT 1 FROM memberships m JOIN accounts a ON a.id = m.account_id \
                 WHERE a.handle = $1 AND m.status = 'member' \
                   AND m.organisation_id = organisations.id)",
        )
        .bind(handle)
        .bind(slug)
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() != 1 {
            return Ok(RepresentativeOutcome::NotAMember);
        }
        let entry = Entry::new(
            Some(by),
            "representative.named",
            format!("organisation:{slug}"),
        )
        .with(serde_json::json!({ "handle": handle }));
        self.commit_audited(tx, entry).await?;
        Ok(RepresentativeOutcome::Set)
    }

    /// Shows the organisation `slug` next to the account's handle, or none; `false` when the
    /// account is not a member of it.
    pub async fn set_shown_organisation(
        &self,
        account_id: i64,
        slug: Option<&str>,
    ) -> Result<bool, StoreError> {
        let organisation_id = match slug {
            None => None,
            Some(slug) => {
                if !self.is_member(account_id, slug).await? {
                    return Ok(false);
                }
                self.organisation_id(slug).await?
            }
        };
        sqlx::query("UPDATE accounts SET shown_organisation_id = $1 WHERE id = $2")
            .bind(organisation_id)
            .bind(account_id)
            .execute(&self.pool)
            .await?;
        Ok(true)
    }

    /// The slug of the organisation an account shows next to its handle.
    pub async fn shown_organisation(&self, account_id: i64) -> Result<Option<String>, StoreError> {
        Ok(sqlx::query_scalar(
            "SELECT o.slug FROM accounts a JOIN organisations o ON o.id = a.shown_organisation_id \
             WHERE a.id = $1",
        )
        .bind(account_id)
        .fetch_optional(&self.pool)
        .await?)
    }
}
