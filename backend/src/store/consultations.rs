//! Consultations as listed and read, joining one, and making sure one exists (the demo).

use super::StoreError;
use super::audit::Entry;
use super::rounds::RoundRow;
use super::{Store, count, now_ms, participation};
use shared::{Consultation, ConsultationSummary, StakeholderGroup};
use sqlx::FromRow;

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
            conveners_need_passkey: head.conveners_need_passkey,
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
        let subject = super::passkeys::account_subject(account_id);
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
}
