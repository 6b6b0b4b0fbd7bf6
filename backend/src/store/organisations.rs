//! Organisations and memberships: declared by participants, verified by administrators, with
//! names that look like another's flagged.

use super::audit::Entry;
use super::{OnConflict, Store, StoreError, audit, now_ms, parse_group};
use crate::refusal::Refusal;
use shared::{Membership, MembershipRequest, MembershipStatus, Organisation};
use sqlx::FromRow;
use std::collections::HashMap;

/// What an organisation's name looks like on screen, for finding lookalikes: its Unicode
/// confusables skeleton (UTS #39: `Ⅽ` and `С` read as `C`, `0` as `O`, `I` as `l`), in lower
/// case, letters and digits only. Two names with the same key can be mistaken for each other.
fn lookalike_key(name: &str) -> String {
    unicode_security::confusable_detection::skeleton(name)
        .flat_map(char::to_lowercase)
        .filter(|c| c.is_alphanumeric())
        .collect()
}

impl Store {
    // ---- organisations ----------------------------------------------------------------------

    /// Every organisation, by name, each that looks like an earlier one saying which.
    pub async fn organisations(&self) -> Result<Vec<Organisation>, StoreError> {
        #[derive(FromRow)]
        struct Row {
            id: i64,
            slug: String,
            name: String,
            stakeholder_group: String,
            region: String,
            verified: i64,
            representative: Option<String>,
        }
        let rows: Vec<Row> = sqlx::query_as(
            "SELECT o.id, o.slug, o.name, o.stakeholder_group, o.region, o.verified, \
                    a.handle AS representative \
             FROM organisations o LEFT JOIN accounts a ON a.id = o.representative_id \
             ORDER BY o.name",
        )
        .fetch_all(&self.pool)
        .await?;
        // The earliest organisation of each look is the original; later ones look like it.
        let mut originals: HashMap<String, (i64, String)> = HashMap::new();
        for r in &rows {
            let earliest = originals
                .entry(lookalike_key(&r.name))
                .or_insert((r.id, r.name.clone()));
            if r.id < earliest.0 {
                *earliest = (r.id, r.name.clone());
            }
        }
        rows.into_iter()
            .map(|r| {
                let original = &originals[&lookalike_key(&r.name)];
                Ok(Organisation {
                    looks_like: (original.0 != r.id).then(|| original.1.clone()),
                    stakeholder_group: parse_group(&r.stakeholder_group)?,
                    slug: r.slug,
                    name: r.name,
                    region: r.region,
                    verified: r.verified != 0,
                    representative: r.representative,
                })
            })
            .collect()
    }

    /// The name of the earliest organisation whose name looks like `name` on screen, if any.
    pub async fn lookalike(&self, name: &str) -> Result<Option<String>, StoreError> {
        let names: Vec<String> = sqlx::query_scalar("SELECT name FROM organisations ORDER BY id")
            .fetch_all(&self.pool)
            .await?;
        let key = lookalike_key(name);
        Ok(names.into_iter().find(|n| lookalike_key(n) == key))
    }

    /// Adds an organisation, with `founder` as its first member when a participant declares
    /// it; a taken slug is [`Refusal::OrganisationExists`].
    pub async fn create_organisation(
        &self,
        organisation: &Organisation,
        founder: Option<i64>,
        by: i64,
    ) -> Result<(), StoreError> {
        let now = now_ms();
        let mut tx = self.write_tx().await?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO organisations (slug, name, stakeholder_group, region, verified, created_at_ms) \
             VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
        )
        .bind(&organisation.slug)
        .bind(&organisation.name)
        .bind(organisation.stakeholder_group.as_str())
        .bind(&organisation.region)
        .bind(i64::from(organisation.verified))
        .bind(now)
        .fetch_one(&mut *tx)
        .await
        .on_conflict(Refusal::OrganisationExists)?;
        if let Some(account_id) = founder {
            sqlx::query(
                "INSERT INTO memberships (account_id, organisation_id, status, requested_at_ms) \
                 VALUES ($1, $2, 'member', $3)",
            )
            .bind(account_id)
            .bind(id)
            .bind(now)
            .execute(&mut *tx)
            .await?;
        }
        let subject = format!("organisation:{}", organisation.slug);
        let entry =
            audit::Entry::new(Some(by), "organisation.created", subject).with(serde_json::json!({
                "name": organisation.name,
                "stakeholder_group": organisation.stakeholder_group.as_str(),
                "region": organisation.region,
                "verified": organisation.verified,
                "looks_like": organisation.looks_like,
            }));
        self.commit_audited(tx, entry).await
    }

    // ---- memberships ------------------------------------------------------------------------

    /// Asks for `account_id` to join organisation `slug` (nothing changes if it asked or belongs
    /// already); `None` when there is no such organisation.
    pub async fn request_membership(
        &self,
        account_id: i64,
        slug: &str,
    ) -> Result<Option<Membership>, StoreError> {
        let Some(organisation_id): Option<i64> =
            sqlx::query_scalar("SELECT id FROM organisations WHERE slug = $1")
                .bind(slug)
                .fetch_optional(&self.pool)
                .await?
        else {
            return Ok(None);
        };
        let mut tx = self.write_tx().await?;
        let done = sqlx::query(
            "INSERT INTO memberships (account_id, organisation_id, status, requested_at_ms) \
             VALUES ($1, $2, 'requested', $3) ON CONFLICT (account_id, organisation_id) DO NOTHING",
        )
        .bind(account_id)
        .bind(organisation_id)
        .bind(now_ms())
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() == 1 {
            let subject = format!("organisation:{slug}");
            let entry = audit::Entry::new(Some(account_id), "membership.requested", subject);
            self.commit_audited(tx, entry).await?;
        } else {
            tx.rollback().await?;
        }
        Ok(self
            .memberships_of(account_id)
            .await?
            .into_iter()
            .find(|m| m.organisation == slug))
    }

    /// The organisations an account belongs to or asked to join, by name.
    pub async fn memberships_of(&self, account_id: i64) -> Result<Vec<Membership>, StoreError> {
        let rows: Vec<(String, String, String)> = sqlx::query_as(
            "SELECT o.slug, o.name, m.status FROM memberships m \
             JOIN organisations o ON o.id = m.organisation_id WHERE m.account_id = $1 ORDER BY o.name",
        )
        .bind(account_id)
        .fetch_all(&self.pool)
        .await?;
        rows.into_iter()
            .map(|(organisation, organisation_name, status)| {
                Ok(Membership {
                    organisation,
                    organisation_name,
                    status: MembershipStatus::parse(&status).ok_or_else(|| {
                        StoreError::Corrupt(format!("membership status {status:?}"))
                    })?,
                })
            })
            .collect()
    }

    /// The requests to join that wait for an answer, oldest first: all of them, or those of the
    /// organisations `represented_by` represents.
    pub async fn membership_requests(
        &self,
        represented_by: Option<i64>,
    ) -> Result<Vec<MembershipRequest>, StoreError> {
        let rows: Vec<(String, String, String)> = sqlx::query_as(
            "SELECT o.slug, o.name, a.handle FROM memberships m \
             JOIN organisations o ON o.id = m.organisation_id JOIN accounts a ON a.id = m.account_id \
             WHERE m.status = 'requested' AND a.deleted_at_ms IS NULL \
               AND ($1 IS NULL OR o.representative_id = $1) ORDER BY m.requested_at_ms",
        )
        .bind(represented_by)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .into_iter()
            .map(
                |(organisation, organisation_name, handle)| MembershipRequest {
                    organisation,
                    organisation_name,
                    handle,
                },
            )
            .collect())
    }

    /// Accepts `handle`'s request to join `slug`; whether there was such a request.
    pub async fn accept_membership(
        &self,
        slug: &str,
        handle: &str,
        by: i64,
    ) -> Result<bool, StoreError> {
        let mut tx = self.write_tx().await?;
        let done = sqlx::query(
            "UPDATE memberships SET status = 'member' WHERE status = 'requested' \
             AND organisation_id = (SELECT id FROM organisations WHERE slug = $1) \
             AND account_id = (SELECT id FROM accounts WHERE handle = $2)",
        )
        .bind(slug)
        .bind(handle)
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() != 1 {
            return Ok(false);
        }
        let entry = audit::Entry::new(
            Some(by),
            "membership.accepted",
            format!("organisation:{slug}"),
        )
        .with(serde_json::json!({ "handle": handle }));
        self.commit_audited(tx, entry).await?;
        Ok(true)
    }
}

/// What setting an organisation's representative came to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RepresentativeOutcome {
    Set,
    NoSuchOrganisation,
    NotAMember,
}

impl Store {
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
