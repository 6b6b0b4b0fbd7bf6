//! Who takes part in a consultation: its conveners, whether it is open or by invitation, and
//! the participants it lets in.

use super::Store;
use super::StoreError;
use super::audit::Entry;
use crate::refusal::Refusal;
use shared::{ConsultationAccess, Convener, Participation, StakeholderGroup};

/// A consultation as the access rules need it.
#[derive(Debug, Clone)]
pub struct ConsultationRef {
    pub id: i64,
    pub slug: String,
    pub title: String,
    pub access: ConsultationAccess,
    /// Archived: read-only (see `domain::access::require_changeable`).
    pub archived: bool,
    /// Its conveners must sign in with a passkey to act on it.
    pub conveners_need_passkey: bool,
}

/// How the audit log names a consultation.
fn consultation_subject(id: i64) -> String {
    format!("consultation:{id}")
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
        let row: Option<(i64, String, String, String, Option<i64>, i64)> = sqlx::query_as(
            "SELECT id, slug, title, access, archived_at_ms, conveners_need_passkey \
             FROM consultations WHERE slug = $1",
        )
        .bind(slug)
        .fetch_optional(&self.pool)
        .await?;
        row.map(|(id, slug, title, access, archived_at_ms, need_passkey)| {
            Ok(ConsultationRef {
                id,
                slug,
                title,
                access: parse_access(&access)?,
                archived: archived_at_ms.is_some(),
                conveners_need_passkey: need_passkey != 0,
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

    /// Makes the consultation's conveners sign in with a passkey to act on it, or no longer.
    pub async fn set_passkey_rule(
        &self,
        consultation_id: i64,
        required: bool,
        by: i64,
    ) -> Result<(), StoreError> {
        let mut tx = self.write_tx().await?;
        sqlx::query("UPDATE consultations SET conveners_need_passkey = $1 WHERE id = $2")
            .bind(i64::from(required))
            .bind(consultation_id)
            .execute(&mut *tx)
            .await?;
        let subject = consultation_subject(consultation_id);
        let entry = Entry::new(Some(by), "consultation.convener_passkeys_set", subject)
            .in_consultation(consultation_id)
            .with(serde_json::json!({ "required": required }));
        self.commit_audited(tx, entry).await
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
}
