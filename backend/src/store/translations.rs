//! Clauses in other languages: the conveners' translations, each marked outdated once the
//! clause it translates changes.

use super::StoreError;
use super::audit::Entry;
use super::{ClauseRow, RoundRow, Store, now_ms};
use crate::markdown;
use crate::refusal::Refusal;
use shared::{ClauseTranslation, Language, Phase};
use std::collections::HashMap;

/// A clause's translation into one language, as the reading pages show it.
#[derive(Debug, Clone)]
pub struct Translated {
    pub title: String,
    pub body_md: String,
    /// The original changed after it was translated.
    pub outdated: bool,
}

/// Whether the original (title, body) changed since a translation was made from `source`.
fn outdated(source: (&str, &str), original: (&str, &str)) -> bool {
    source != original
}

/// A stored translation and the original it was made from.
#[derive(sqlx::FromRow)]
struct TranslationRow {
    language: String,
    title: String,
    body_md: String,
    source_title: String,
    source_body_md: String,
}

impl Store {
    /// The conveners' translations of `clause`, in the order of [`Language::ALL`].
    pub async fn translations(
        &self,
        clause: &ClauseRow,
    ) -> Result<Vec<ClauseTranslation>, StoreError> {
        let rows: Vec<TranslationRow> = sqlx::query_as(
            "SELECT language, title, body_md, source_title, source_body_md \
             FROM clause_translations WHERE clause_id = $1",
        )
        .bind(clause.id)
        .fetch_all(&self.pool)
        .await?;
        let mut translations = rows
            .into_iter()
            .map(|row| {
                let language = Language::parse(&row.language).ok_or_else(|| {
                    StoreError::Internal(anyhow::anyhow!("unknown language {:?}", row.language))
                })?;
                Ok(ClauseTranslation {
                    language,
                    outdated: outdated(
                        (&row.source_title, &row.source_body_md),
                        (&clause.title, &clause.body_md),
                    ),
                    body_html: markdown::render_clause(&row.body_md, &[]),
                    title: row.title,
                    body_md: row.body_md,
                })
            })
            .collect::<Result<Vec<_>, StoreError>>()?;
        translations.sort_by_key(|t| Language::ALL.iter().position(|l| *l == t.language));
        Ok(translations)
    }

    /// The translations into `language` of a round's clauses, by clause key.
    pub async fn round_translations(
        &self,
        round_id: i64,
        language: Language,
    ) -> Result<HashMap<String, Translated>, StoreError> {
        let rows: Vec<(String, String, String, String, String, String, String)> = sqlx::query_as(
            "SELECT k.key, k.title, k.body_md, t.title, t.body_md, t.source_title, \
                 t.source_body_md \
             FROM clause_translations t JOIN clauses k ON k.id = t.clause_id \
             WHERE k.round_id = $1 AND t.language = $2",
        )
        .bind(round_id)
        .bind(language.as_str())
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .into_iter()
            .map(
                |(key, title, body, t_title, t_body, source_title, source_body)| {
                    let translated = Translated {
                        outdated: outdated((&source_title, &source_body), (&title, &body)),
                        title: t_title,
                        body_md: t_body,
                    };
                    (key, translated)
                },
            )
            .collect())
    }

    /// Sets the translation of `clause` into `language` (made from its current wording), or
    /// removes it when `text` is `None`; returns whether there was one to remove. Translations
    /// can be given until the round closes; `by` is `None` for the demo's.
    pub async fn translate(
        &self,
        round: &RoundRow,
        clause: &ClauseRow,
        language: Language,
        text: Option<(&str, &str)>,
        by: Option<i64>,
    ) -> Result<bool, StoreError> {
        match round.state.phase()? {
            phase @ (Phase::Closed | Phase::Published) => {
                return Err(Refusal::PhaseClosed(phase).into());
            }
            Phase::Draft | Phase::Commenting | Phase::Voting => {}
        }
        let mut tx = self.write_tx().await?;
        let removed =
            sqlx::query("DELETE FROM clause_translations WHERE clause_id = $1 AND language = $2")
                .bind(clause.id)
                .bind(language.as_str())
                .execute(&mut *tx)
                .await?
                .rows_affected()
                > 0;
        let details = serde_json::json!({
            "key": clause.key,
            "language": language.as_str(),
            "title": text.map(|(title, _)| title),
            "body_md": text.map(|(_, body)| body),
        });
        let action = match text {
            Some((title, body_md)) => {
                sqlx::query(
                    "INSERT INTO clause_translations (clause_id, language, title, body_md, \
                         source_title, source_body_md, updated_at_ms) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7)",
                )
                .bind(clause.id)
                .bind(language.as_str())
                .bind(title)
                .bind(body_md)
                .bind(&clause.title)
                .bind(&clause.body_md)
                .bind(now_ms())
                .execute(&mut *tx)
                .await?;
                "clause.translated"
            }
            None if removed => "clause.translation_removed",
            None => return Ok(false),
        };
        let entry = Entry::new(by, action, format!("round:{}", round.id))
            .in_consultation(round.consultation_id)
            .with(details);
        self.commit_audited(tx, entry).await?;
        Ok(removed)
    }
}
