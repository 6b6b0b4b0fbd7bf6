//! `concord import BUNDLE.zip`: loads a round's record from another instance, after checking
//! the bundle against that instance's public key. Everything is written in one transaction or
//! nothing is. People become accounts that cannot sign in, remembered with the pseudonym (and
//! handle) the record gave them, so exporting the round again here gives the same data files.

use super::bundle::{self, Refusal};
use super::{CommentRecord, DataFile, Person, Record, ResponseRecord, SCHEMA_VERSION};
use crate::store::{Store, StoreError, audit, now_ms};
use sqlx::Any;
use std::collections::HashMap;
use std::io::{Read, Seek};

/// Why an import wrote nothing.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error("bundle refused: {0}")]
    Refused(#[from] Refusal),
    #[error("a consultation {0:?} is already here; nothing was imported")]
    Exists(String),
    #[error("record.json is not a record this version reads: {0}")]
    Invalid(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<sqlx::Error> for ImportError {
    fn from(e: sqlx::Error) -> Self {
        Self::Store(StoreError::Database(e))
    }
}

/// What was imported.
#[derive(Debug)]
pub struct Imported {
    pub consultation: String,
    pub round: String,
    pub comments: usize,
    pub positions: usize,
}

/// Checks `bundle` against `key`, then loads its round into `store`; `by` is the administrator
/// who imports it (none from the command line).
pub async fn import(
    store: &Store,
    mut bundle: impl Read + Seek,
    key: &minisign::PublicKey,
    by: Option<i64>,
) -> Result<Imported, ImportError> {
    bundle::verify(&mut bundle, key)?;
    let mut zip = zip::ZipArchive::new(bundle).map_err(|e| Refusal::NotZip(e.to_string()))?;
    let entry = zip
        .by_name(DataFile::Json.name())
        .map_err(|_| Refusal::Missing(DataFile::Json.name().into()))?;
    let record: Record = serde_json::from_reader(std::io::BufReader::new(entry))
        .map_err(|e| ImportError::Invalid(e.to_string()))?;
    if record.schema_version > SCHEMA_VERSION {
        return Err(Refusal::NewerSchema {
            found: record.schema_version,
            supported: SCHEMA_VERSION,
        }
        .into());
    }
    super::checks::check(&record)?;
    load(store, &record, by).await
}

fn ms(time: &str) -> Result<i64, ImportError> {
    let at = humantime::parse_rfc3339(time)
        .map_err(|e| ImportError::Invalid(format!("time {time:?}: {e}")))?;
    let since = at
        .duration_since(std::time::UNIX_EPOCH)
        .map_err(|e| ImportError::Invalid(format!("time {time:?}: {e}")))?;
    i64::try_from(since.as_millis()).map_err(|e| ImportError::Invalid(e.to_string()))
}

type Tx = sqlx::Transaction<'static, Any>;

/// The accounts standing for the record's people, made as they are met.
struct People {
    consultation_id: i64,
    by_pseudonym: HashMap<String, i64>,
    by_handle: HashMap<Option<String>, i64>,
    organisations: HashMap<String, i64>,
    now: i64,
}

impl People {
    async fn account(
        &mut self,
        tx: &mut Tx,
        pseudonym: Option<&str>,
        handle: Option<&str>,
    ) -> Result<i64, ImportError> {
        if let Some(id) = pseudonym.and_then(|p| self.by_pseudonym.get(p)) {
            return Ok(*id);
        }
        if pseudonym.is_none()
            && let Some(id) = self.by_handle.get(&handle.map(str::to_owned))
        {
            return Ok(*id);
        }
        let n = self.by_pseudonym.len() + self.by_handle.len() + 1;
        let placeholder = format!("~record-{}-{n}", self.consultation_id);
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO accounts (handle, password_hash, created_at_ms, deleted_at_ms) \
             VALUES ($1, '', $2, $2) RETURNING id",
        )
        .bind(&placeholder)
        .bind(self.now)
        .fetch_one(&mut **tx)
        .await?;
        sqlx::query(
            "INSERT INTO record_people (account_id, consultation_id, pseudonym, handle) \
             VALUES ($1, $2, $3, $4)",
        )
        .bind(id)
        .bind(self.consultation_id)
        .bind(pseudonym)
        .bind(handle)
        .execute(&mut **tx)
        .await?;
        match pseudonym {
            Some(p) => self.by_pseudonym.insert(p.to_owned(), id),
            None => self.by_handle.insert(handle.map(str::to_owned), id),
        };
        Ok(id)
    }

    async fn person(&mut self, tx: &mut Tx, person: &Person) -> Result<i64, ImportError> {
        self.account(tx, Some(&person.pseudonym), person.handle.as_deref())
            .await
    }

    /// A convener named by handle (or not named, in a public record).
    async fn convener(&mut self, tx: &mut Tx, handle: Option<&str>) -> Result<i64, ImportError> {
        self.account(tx, None, handle).await
    }

    /// An organisation by slug: the one of this instance, or one made for the record.
    async fn organisation(
        &mut self,
        tx: &mut Tx,
        slug: &str,
        name: &str,
        group: Option<&str>,
    ) -> Result<i64, ImportError> {
        if let Some(id) = self.organisations.get(slug) {
            return Ok(*id);
        }
        let found: Option<i64> = sqlx::query_scalar("SELECT id FROM organisations WHERE slug = $1")
            .bind(slug)
            .fetch_optional(&mut **tx)
            .await?;
        let id = match found {
            Some(id) => id,
            None => sqlx::query_scalar(
                "INSERT INTO organisations (slug, name, stakeholder_group, region, created_at_ms) \
                     VALUES ($1, $2, $3, '', $4) RETURNING id",
            )
            .bind(slug)
            .bind(name)
            .bind(group.unwrap_or("civil_society"))
            .bind(self.now)
            .fetch_one(&mut **tx)
            .await?,
        };
        self.organisations.insert(slug.to_owned(), id);
        Ok(id)
    }
}

const PROPOSAL_RESPONSE: &str = "INSERT INTO proposal_responses \
     (clause_id, verdict, explanation, account_id, at_ms) VALUES ($1, $2, $3, $4, $5)";
const COMMENT_RESPONSE: &str = "INSERT INTO comment_responses \
     (comment_id, verdict, explanation, account_id, at_ms) VALUES ($1, $2, $3, $4, $5)";

/// Stores a convener's `response` to proposal or comment `id` with `sql`, one of the two above.
async fn respond(
    tx: &mut Tx,
    people: &mut People,
    sql: &str,
    id: i64,
    response: &ResponseRecord,
) -> Result<(), ImportError> {
    let convener = people.convener(tx, response.by.as_deref()).await?;
    sqlx::query(sql)
        .bind(id)
        .bind(&response.verdict)
        .bind(&response.explanation)
        .bind(convener)
        .bind(ms(&response.at)?)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

async fn load(store: &Store, record: &Record, by: Option<i64>) -> Result<Imported, ImportError> {
    let mut tx = store.write_tx().await?;
    let now = now_ms();
    let slug = &record.consultation.slug;
    let taken: Option<i64> = sqlx::query_scalar("SELECT id FROM consultations WHERE slug = $1")
        .bind(slug)
        .fetch_optional(&mut *tx)
        .await?;
    if taken.is_some() {
        return Err(ImportError::Exists(slug.clone()));
    }
    let settings = super::checks::settings(record)?;
    let consultation_id: i64 = sqlx::query_scalar(
        "INSERT INTO consultations (slug, title, description, stakeholder_groups, created_at_ms) \
         VALUES ($1, $2, $3, $4, $5) RETURNING id",
    )
    .bind(slug)
    .bind(settings.main_title())
    .bind(&settings.description)
    .bind(crate::store::setup::groups_column(
        &settings.stakeholder_groups,
    ))
    .bind(now)
    .fetch_one(&mut *tx)
    .await?;
    crate::store::setup::write_settings(&mut tx, consultation_id, &settings).await?;
    let round = &record.round;
    let opened = ms(&round.opened_at)?;
    // The previous round holds the clauses' earlier wording, so redlines read as they did.
    let previous_id = match &round.previous_round {
        None => None,
        Some(previous) => {
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO rounds (consultation_id, slug, title, phase, opened_at_ms) \
                 VALUES ($1, $2, $2, 'closed', $3) RETURNING id",
            )
            .bind(consultation_id)
            .bind(previous)
            .bind(opened - 1)
            .fetch_one(&mut *tx)
            .await?;
            let earlier = record
                .clauses
                .iter()
                .filter_map(|c| Some((c, c.previous.as_ref()?)));
            for (number, (clause, wording)) in (1i64..).zip(earlier) {
                sqlx::query(
                    "INSERT INTO clauses (round_id, key, number, title, body_md) \
                     VALUES ($1, $2, $3, $4, $5)",
                )
                .bind(id)
                .bind(&clause.key)
                .bind(number)
                .bind(&wording.title)
                .bind(&wording.body)
                .execute(&mut *tx)
                .await?;
            }
            Some(id)
        }
    };
    let round_id: i64 = sqlx::query_scalar(
        "INSERT INTO rounds (consultation_id, slug, title, phase, opened_at_ms, previous_round_id, \
             hide_results, rule, abstentions_count, counting, preamble_md) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id",
    )
    .bind(consultation_id)
    .bind(&round.slug)
    .bind(&round.title)
    .bind(&round.phase)
    .bind(opened)
    .bind(previous_id)
    .bind(i64::from(round.results_hidden_until_close))
    .bind(&round.rule)
    .bind(i64::from(round.abstentions_count))
    .bind(&round.counting)
    .bind(&round.preamble)
    .fetch_one(&mut *tx)
    .await?;

    let mut people = People {
        consultation_id,
        by_pseudonym: HashMap::new(),
        by_handle: HashMap::new(),
        organisations: HashMap::new(),
        now,
    };
    let mut clauses: HashMap<&str, i64> = HashMap::new();
    for clause in &record.clauses {
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO clauses (round_id, key, number, title, body_md, change_note, consensus) \
             VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
        )
        .bind(round_id)
        .bind(&clause.key)
        .bind(clause.number)
        .bind(&clause.title)
        .bind(&clause.body)
        .bind(&clause.change_note)
        .bind(&clause.consensus)
        .fetch_one(&mut *tx)
        .await?;
        clauses.insert(&clause.key, id);
        for statement in &clause.minority_statements {
            let organisation = people
                .organisation(
                    &mut tx,
                    &statement.organisation,
                    &statement.organisation_name,
                    None,
                )
                .await?;
            let writer = people.convener(&mut tx, None).await?;
            sqlx::query(
                "INSERT INTO minority_statements (clause_id, organisation_id, body, written_by, \
                     written_at_ms) VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(id)
            .bind(organisation)
            .bind(&statement.body)
            .bind(writer)
            .bind(ms(&statement.written_at)?)
            .execute(&mut *tx)
            .await?;
        }
    }
    for proposal in &record.proposals {
        let number: i64 = proposal
            .key
            .strip_prefix("proposal-")
            .and_then(|n| n.parse::<i64>().ok())
            .ok_or_else(|| ImportError::Invalid(format!("proposal key {:?}", proposal.key)))?;
        let amends = match &proposal.amends {
            Some(key) => Some(*clauses.get(key.as_str()).ok_or_else(|| {
                ImportError::Invalid(format!("{} amends unknown clause {key:?}", proposal.key))
            })?),
            None => None,
        };
        let by = people.person(&mut tx, &proposal.proposer).await?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO clauses (round_id, key, number, title, body_md, kind, amends_id, \
                 proposed_by, proposed_at_ms) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
        )
        .bind(round_id)
        .bind(&proposal.key)
        .bind(-number)
        .bind(&proposal.title)
        .bind(&proposal.body)
        .bind(&proposal.kind)
        .bind(amends)
        .bind(by)
        .bind(ms(&proposal.proposed_at)?)
        .fetch_one(&mut *tx)
        .await?;
        clauses.insert(&proposal.key, id);
        if let Some(response) = &proposal.response {
            respond(&mut tx, &mut people, PROPOSAL_RESPONSE, id, response).await?;
        }
    }
    let clause_of = |key: &str| {
        clauses
            .get(key)
            .copied()
            .ok_or_else(|| ImportError::Invalid(format!("unknown clause {key:?}")))
    };

    // Comments in the order they were written, so they keep their numbers.
    let mut comments: Vec<&CommentRecord> = record.comments.iter().collect();
    comments.sort_by_key(|c| c.id);
    let mut ids: HashMap<u64, i64> = HashMap::new();
    for comment in &comments {
        let author = people.person(&mut tx, &comment.author).await?;
        let known = |n: u64| {
            ids.get(&n)
                .copied()
                .ok_or_else(|| ImportError::Invalid(format!("comment {n} refers to a later one")))
        };
        let parent = match comment.parent {
            Some(p) => Some(known(p)?),
            None => None,
        };
        // A thread's first comment has none (as when written here).
        let thread = if comment.thread == comment.id {
            None
        } else {
            Some(known(comment.thread)?)
        };
        let passage = comment.passage.as_ref();
        let language = match comment.language.as_deref() {
            Some(tag) => Some(shared::Language::parse(tag).ok_or_else(|| {
                ImportError::Invalid(format!(
                    "comment {} has unknown language {tag:?}",
                    comment.id
                ))
            })?),
            None => None,
        };
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO comments (clause_id, account_id, body, created_at_ms, phase, parent_id, \
                 thread_id, depth, passage_exact, passage_prefix, passage_suffix, edited_at_ms, \
                 hidden_reason, language) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14) RETURNING id",
        )
        .bind(clause_of(&comment.clause)?)
        .bind(author)
        .bind(comment.body.clone().unwrap_or_default())
        .bind(ms(&comment.posted_at)?)
        .bind(&comment.phase)
        .bind(parent)
        .bind(thread)
        .bind(comment.depth)
        .bind(passage.map(|p| p.exact.as_str()))
        .bind(passage.map(|p| p.prefix.as_str()))
        .bind(passage.map(|p| p.suffix.as_str()))
        .bind(comment.edited_at.as_deref().map(ms).transpose()?)
        .bind(&comment.hidden_reason)
        .bind(language.map(shared::Language::as_str))
        .fetch_one(&mut *tx)
        .await?;
        ids.insert(comment.id, id);
        if let Some(response) = &comment.response {
            respond(&mut tx, &mut people, COMMENT_RESPONSE, id, response).await?;
        }
    }
    for entry in &record.moderation {
        let comment = *ids.get(&entry.comment).ok_or_else(|| {
            ImportError::Invalid(format!("moderation of comment {}", entry.comment))
        })?;
        let convener = people.convener(&mut tx, entry.by.as_deref()).await?;
        sqlx::query(
            "INSERT INTO moderation_log (consultation_id, comment_id, action, reason, account_id, \
                 at_ms) VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(consultation_id)
        .bind(comment)
        .bind(&entry.action)
        .bind(&entry.reason)
        .bind(convener)
        .bind(ms(&entry.at)?)
        .execute(&mut *tx)
        .await?;
    }
    for position in &record.positions {
        let clause = clause_of(&position.clause)?;
        let voter = people.person(&mut tx, &position.voter).await?;
        let organisation = match &position.organisation {
            Some(slug) => Some(
                people
                    .organisation(&mut tx, slug, slug, position.stakeholder_group.as_deref())
                    .await?,
            ),
            None => None,
        };
        let cast = ms(&position.cast_at)?;
        let group = position.stakeholder_group.as_deref().unwrap_or("");
        // A cast's history row and, for the standing one, the position: the same columns.
        let cast_with = |sql| {
            sqlx::query(sql)
                .bind(clause)
                .bind(voter)
                .bind(&position.position)
                .bind(&position.reason)
                .bind(cast)
                .bind(group)
                .bind(&position.region)
                .bind(&position.receipt)
                .bind(organisation)
        };
        cast_with(crate::store::INSERT_CHANGE)
            .bind("voting")
            .execute(&mut *tx)
            .await?;
        if position.current {
            cast_with(crate::store::INSERT_POSITION)
                .execute(&mut *tx)
                .await?;
        }
    }
    // The counts follow from the standing positions, as they did where the record was made.
    sqlx::query(
        "INSERT INTO tally_counts (clause_id, stance, stakeholder_group, region, n) \
         SELECT p.clause_id, p.stance, p.stakeholder_group, p.region, COUNT(*) \
         FROM positions p JOIN clauses k ON k.id = p.clause_id WHERE k.round_id = $1 \
         GROUP BY p.clause_id, p.stance, p.stakeholder_group, p.region",
    )
    .bind(round_id)
    .execute(&mut *tx)
    .await?;
    let entry = audit::Entry::new(by, "record.imported", format!("round:{round_id}"))
        .in_consultation(consultation_id)
        .with(serde_json::json!({
            "consultation": slug,
            "round": round.slug,
            "visibility": record.visibility.as_str(),
        }));
    store.commit_audited(tx, entry).await?;
    store.forget().await;
    Ok(Imported {
        consultation: slug.clone(),
        round: round.slug.clone(),
        comments: record.comments.len(),
        positions: record.positions.len(),
    })
}
