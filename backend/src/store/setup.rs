//! Setting consultations up: creating one with its titles, stakeholder groups, regions and
//! conveners (from the command line, with its first round's text in the same transaction),
//! changing those later, archiving it, and reading all that back.

use super::audit::{self, Entry};
use super::participation::parse_group;
use super::{OnConflict, StoreError};
use super::{Store, drafting, now_ms};
use crate::refusal::Refusal;
use shared::{
    ConsultationAccess, ConsultationSettings, DraftText, FieldError, Language, LocalTitle,
    NewRound, StakeholderGroup,
};

type Tx = sqlx::Transaction<'static, sqlx::Any>;

/// A consultation's set-up as read back.
#[derive(Debug, Clone, Default)]
pub struct Setup {
    pub titles: Vec<LocalTitle>,
    pub description: String,
    pub stakeholder_groups: Vec<StakeholderGroup>,
    pub regions: Vec<String>,
    pub archived: bool,
}

/// A consultation to create: its address, access, conveners (by handle) and settings, all
/// checked.
#[derive(Debug, Clone)]
pub struct NewSetup<'a> {
    pub slug: &'a str,
    pub access: ConsultationAccess,
    pub conveners: &'a [String],
    pub settings: &'a ConsultationSettings,
}

/// The first round to open with a new consultation: its slug, title, rules and text.
#[derive(Debug, Clone)]
pub struct FirstRound<'a> {
    pub slug: &'a str,
    pub title: &'a str,
    pub rules: &'a NewRound,
    pub text: &'a DraftText,
}

/// The groups as stored: space-separated wire names.
pub(crate) fn groups_column(groups: &[StakeholderGroup]) -> String {
    groups
        .iter()
        .map(|g| g.as_str())
        .collect::<Vec<_>>()
        .join(" ")
}

/// What the audit log keeps of a consultation's settings.
fn settings_details(settings: &ConsultationSettings) -> serde_json::Value {
    serde_json::json!({
        "titles": settings.titles.iter()
            .map(|t| serde_json::json!({"language": t.language.as_str(), "title": t.title}))
            .collect::<Vec<_>>(),
        "description": settings.description,
        "stakeholder_groups": groups_column(&settings.stakeholder_groups),
        "regions": settings.regions,
    })
}

/// Writes a consultation's titles and regions in place of those it had.
/// Holds the consultation's row until `tx` ends, and refuses with 409 `archived` when it is
/// archived: what a change that must not land in an archived consultation does first, so that
/// archiving waits for it or it sees the archiving.
pub(crate) async fn hold_unarchived(tx: &mut Tx, consultation_id: i64) -> Result<(), StoreError> {
    let held = sqlx::query(
        "UPDATE consultations SET archived_at_ms = archived_at_ms \
         WHERE id = $1 AND archived_at_ms IS NULL",
    )
    .bind(consultation_id)
    .execute(&mut **tx)
    .await?
    .rows_affected();
    if held == 0 {
        return Err(Refusal::Archived.into());
    }
    Ok(())
}

pub(crate) async fn write_settings(
    tx: &mut Tx,
    consultation_id: i64,
    settings: &ConsultationSettings,
) -> Result<(), StoreError> {
    for table in ["consultation_titles", "consultation_regions"] {
        sqlx::query(&format!("DELETE FROM {table} WHERE consultation_id = $1"))
            .bind(consultation_id)
            .execute(&mut **tx)
            .await?;
    }
    for title in &settings.titles {
        sqlx::query(
            "INSERT INTO consultation_titles (consultation_id, language, title) \
             VALUES ($1, $2, $3)",
        )
        .bind(consultation_id)
        .bind(title.language.as_str())
        .bind(&title.title)
        .execute(&mut **tx)
        .await?;
    }
    for (position, region) in (1i64..).zip(&settings.regions) {
        sqlx::query(
            "INSERT INTO consultation_regions (consultation_id, position, name) \
             VALUES ($1, $2, $3)",
        )
        .bind(consultation_id)
        .bind(position)
        .bind(region)
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}

impl Store {
    /// Creates a consultation, and with `first_round` its first round as a draft, in one
    /// transaction with their audit entries. `by` is the administrator (none from the command
    /// line). Unknown conveners are refused field by field; a taken slug is
    /// [`Refusal::ConsultationExists`]. Returns the consultation's id.
    pub async fn create_consultation(
        &self,
        new: &NewSetup<'_>,
        first_round: Option<&FirstRound<'_>>,
        by: Option<i64>,
    ) -> Result<i64, StoreError> {
        let mut tx = self.write_tx().await?;
        let mut conveners: Vec<(i64, String)> = Vec::new();
        let mut broken = Vec::new();
        for (i, handle) in new.conveners.iter().enumerate() {
            let handle = handle.trim().to_lowercase();
            let id: Option<i64> = sqlx::query_scalar(
                "SELECT id FROM accounts WHERE handle = $1 AND deleted_at_ms IS NULL",
            )
            .bind(&handle)
            .fetch_optional(&mut *tx)
            .await?;
            match id {
                Some(id) if conveners.iter().all(|(c, _)| *c != id) => conveners.push((id, handle)),
                Some(_) => {}
                None => broken.push(FieldError::new(
                    &format!("conveners[{i}]"),
                    "unknown_account",
                    format!("There is no account with the handle {handle:?}."),
                )),
            }
        }
        if !broken.is_empty() {
            return Err(Refusal::Validation(broken).into());
        }
        let settings = new.settings;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO consultations (slug, title, description, access, stakeholder_groups, \
                 created_at_ms) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
        )
        .bind(new.slug)
        .bind(settings.main_title())
        .bind(&settings.description)
        .bind(new.access.as_str())
        .bind(groups_column(&settings.stakeholder_groups))
        .bind(now_ms())
        .fetch_one(&mut *tx)
        .await
        .on_conflict(Refusal::ConsultationExists)?;
        write_settings(&mut tx, id, settings).await?;
        for (convener, _) in &conveners {
            sqlx::query("INSERT INTO conveners (consultation_id, account_id) VALUES ($1, $2)")
                .bind(id)
                .bind(convener)
                .execute(&mut *tx)
                .await?;
        }
        let mut details = settings_details(settings);
        details["slug"] = new.slug.into();
        details["access"] = new.access.as_str().into();
        details["conveners"] = conveners.iter().map(|(_, h)| h.as_str()).collect();
        let entry = Entry::new(by, "consultation.created", format!("consultation:{id}"))
            .in_consultation(id)
            .with(details);
        audit::append(&mut tx, self.backend, entry).await?;
        if let Some(round) = first_round {
            let opening = drafting::Opening {
                consultation_id: id,
                slug: round.slug,
                title: round.title,
                rules: round.rules,
                newest: None,
                text: Some(round.text),
            };
            drafting::insert_round(&mut tx, self.backend, &opening, by).await?;
        }
        tx.commit().await?;
        self.forget().await;
        Ok(id)
    }

    /// Changes a consultation's titles, description, groups and regions. Participants keep the
    /// region they gave, even one taken off the list.
    pub async fn change_settings(
        &self,
        consultation_id: i64,
        settings: &ConsultationSettings,
        by: i64,
    ) -> Result<(), StoreError> {
        let mut tx = self.write_tx().await?;
        sqlx::query(
            "UPDATE consultations SET title = $1, description = $2, stakeholder_groups = $3 \
             WHERE id = $4",
        )
        .bind(settings.main_title())
        .bind(&settings.description)
        .bind(groups_column(&settings.stakeholder_groups))
        .bind(consultation_id)
        .execute(&mut *tx)
        .await?;
        write_settings(&mut tx, consultation_id, settings).await?;
        let entry = Entry::new(
            Some(by),
            "consultation.settings_changed",
            format!("consultation:{consultation_id}"),
        )
        .in_consultation(consultation_id)
        .with(settings_details(settings));
        self.commit_audited(tx, entry).await?;
        self.forget().await;
        Ok(())
    }

    /// Archives a consultation: from then on it is read-only. Refused while one of its rounds
    /// takes comments or positions, or is closed with its results unpublished (they could not
    /// be published afterwards).
    /// Answers whether it was archived now (not before).
    pub async fn archive(&self, consultation_id: i64, by: i64) -> Result<bool, StoreError> {
        let mut tx = self.write_tx().await?;
        // First the consultation's row, which a phase move holds too (see `hold_unarchived`), so
        // a round cannot open while the consultation is archived.
        let changed = sqlx::query(
            "UPDATE consultations SET archived_at_ms = $1 WHERE id = $2 AND archived_at_ms IS NULL",
        )
        .bind(now_ms())
        .bind(consultation_id)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if changed == 0 {
            // Archived already: nothing to record.
            return Ok(false);
        }
        let unfinished: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM rounds WHERE consultation_id = $1 \
             AND phase IN ('commenting', 'voting', 'closed')",
        )
        .bind(consultation_id)
        .fetch_one(&mut *tx)
        .await?;
        if unfinished > 0 {
            return Err(Refusal::RoundStillOpen.into());
        }
        // A schedule set before would move a round on after archiving.
        sqlx::query(
            "UPDATE rounds SET commenting_at_ms = NULL, voting_at_ms = NULL, \
             closing_at_ms = NULL WHERE consultation_id = $1",
        )
        .bind(consultation_id)
        .execute(&mut *tx)
        .await?;
        let entry = Entry::new(
            Some(by),
            "consultation.archived",
            format!("consultation:{consultation_id}"),
        )
        .in_consultation(consultation_id);
        self.commit_audited(tx, entry).await?;
        self.forget().await;
        Ok(true)
    }

    /// A consultation's titles, groups, regions and whether it is archived.
    pub async fn setup_of(&self, consultation_id: i64) -> Result<Setup, StoreError> {
        let (description, groups, archived_at_ms): (String, String, Option<i64>) = sqlx::query_as(
            "SELECT description, stakeholder_groups, archived_at_ms FROM consultations \
             WHERE id = $1",
        )
        .bind(consultation_id)
        .fetch_one(&self.pool)
        .await?;
        let mut titles = Vec::new();
        let rows: Vec<(String, String)> = sqlx::query_as(
            "SELECT language, title FROM consultation_titles WHERE consultation_id = $1",
        )
        .bind(consultation_id)
        .fetch_all(&self.pool)
        .await?;
        for (language, title) in rows {
            let language = Language::parse(&language)
                .ok_or_else(|| StoreError::Corrupt(format!("unknown language {language:?}")))?;
            titles.push(LocalTitle { language, title });
        }
        titles.sort_by_key(|t| Language::ALL.iter().position(|l| *l == t.language));
        let regions = sqlx::query_scalar(
            "SELECT name FROM consultation_regions WHERE consultation_id = $1 ORDER BY position",
        )
        .bind(consultation_id)
        .fetch_all(&self.pool)
        .await?;
        Ok(Setup {
            titles,
            description,
            stakeholder_groups: groups
                .split_whitespace()
                .map(parse_group)
                .collect::<Result<_, _>>()?,
            regions,
            archived: archived_at_ms.is_some(),
        })
    }
}
