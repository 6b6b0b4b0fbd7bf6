//! The audit log: one entry per state change, written in the same transaction as the change,
//! each carrying the SHA-256 of the entry before it, so that altering, removing or inserting an
//! entry breaks the chain from there on. [`Store::verify_audit`] walks the chain and names the
//! first entry that does not match.
//!
//! An entry says who acted (an account id, never a handle or address), what happened (a stable
//! action name), in which consultation, to what (`comment:12`, `clause:7`), and the details as
//! JSON with sorted keys.

use super::StoreError;
use super::{Backend, Store, now_ms};
use serde_json::Value;
use sha2::{Digest, Sha256};

/// The hash before the first entry.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// One state change to record.
#[derive(Debug, Clone)]
pub struct Entry {
    pub actor: Option<i64>,
    pub action: &'static str,
    pub consultation: Option<i64>,
    pub subject: String,
    pub details: Value,
}

impl Entry {
    pub fn new(actor: Option<i64>, action: &'static str, subject: String) -> Self {
        Self {
            actor,
            action,
            consultation: None,
            subject,
            details: Value::Null,
        }
    }

    pub fn in_consultation(mut self, consultation: i64) -> Self {
        self.consultation = Some(consultation);
        self
    }

    pub fn with(mut self, details: Value) -> Self {
        self.details = details;
        self
    }
}

/// An entry as stored.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Stored {
    pub id: i64,
    pub at_ms: i64,
    pub actor_id: Option<i64>,
    pub action: String,
    pub consultation_id: Option<i64>,
    pub subject: String,
    pub details: String,
    pub prev_hash: String,
    pub hash: String,
}

impl Stored {
    /// The hash this entry must carry, from its fields and the previous entry's hash.
    pub fn expected_hash(&self) -> String {
        entry_hash(
            &self.prev_hash,
            self.id,
            self.at_ms,
            self.actor_id,
            &self.action,
            self.consultation_id,
            &self.subject,
            &self.details,
        )
    }
}

/// SHA-256 over every field, each on its own line, in hex.
#[allow(clippy::too_many_arguments)] // one hash over one entry's fields
pub fn entry_hash(
    prev_hash: &str,
    id: i64,
    at_ms: i64,
    actor: Option<i64>,
    action: &str,
    consultation: Option<i64>,
    subject: &str,
    details: &str,
) -> String {
    let mut hash = Sha256::new();
    let optional = |n: Option<i64>| n.map(|n| n.to_string()).unwrap_or_default();
    for field in [
        prev_hash,
        &id.to_string(),
        &at_ms.to_string(),
        &optional(actor),
        action,
        &optional(consultation),
        subject,
        details,
    ] {
        hash.update(field.as_bytes());
        hash.update(b"\n");
    }
    format!("{:x}", hash.finalize())
}

/// The next entry after the head `(last_id, last_hash)`, ready to insert, and the new head.
pub fn next(entry: &Entry, last_id: i64, last_hash: &str) -> Stored {
    // serde_json's maps keep keys sorted, so the same details always give the same text.
    let details = entry.details.to_string();
    let mut stored = Stored {
        id: last_id + 1,
        at_ms: now_ms(),
        actor_id: entry.actor,
        action: entry.action.to_owned(),
        consultation_id: entry.consultation,
        subject: entry.subject.clone(),
        details,
        prev_hash: last_hash.to_owned(),
        hash: String::new(),
    };
    stored.hash = stored.expected_hash();
    stored
}

pub const INSERT: &str = "INSERT INTO audit_log (id, at_ms, actor_id, action, consultation_id, \
    subject, details, prev_hash, hash) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)";
pub const MOVE_HEAD: &str = "UPDATE audit_head SET last_id = $1, last_hash = $2 WHERE one = 1";

/// Appends `entry` inside the transaction `tx`.
pub async fn append(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    backend: Backend,
    entry: Entry,
) -> Result<(), StoreError> {
    // PostgreSQL: lock the head until this transaction ends; SQLite's write transaction
    // (BEGIN IMMEDIATE) already excludes every other writer.
    let lock = match backend {
        Backend::Postgres => " FOR UPDATE",
        Backend::Sqlite => "",
    };
    let (last_id, last_hash): (i64, String) = sqlx::query_as(&format!(
        "SELECT last_id, last_hash FROM audit_head WHERE one = 1{lock}"
    ))
    .fetch_one(&mut **tx)
    .await?;
    let stored = next(&entry, last_id, &last_hash);
    sqlx::query(INSERT)
        .bind(stored.id)
        .bind(stored.at_ms)
        .bind(stored.actor_id)
        .bind(&stored.action)
        .bind(stored.consultation_id)
        .bind(&stored.subject)
        .bind(&stored.details)
        .bind(&stored.prev_hash)
        .bind(&stored.hash)
        .execute(&mut **tx)
        .await?;
    sqlx::query(MOVE_HEAD)
        .bind(stored.id)
        .bind(&stored.hash)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Appends `entry` for a change to clause `clause_id` (or to something on it), naming the
/// clause's consultation.
pub async fn append_on_clause(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    backend: Backend,
    clause_id: i64,
    entry: Entry,
) -> Result<(), StoreError> {
    let consultation: i64 = sqlx::query_scalar(
        "SELECT r.consultation_id FROM clauses k JOIN rounds r ON r.id = k.round_id \
         WHERE k.id = $1",
    )
    .bind(clause_id)
    .fetch_one(&mut **tx)
    .await?;
    append(tx, backend, entry.in_consultation(consultation)).await
}

/// What [`Store::verify_audit`] found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// Every entry matches; the number of entries and the last hash.
    Intact { entries: i64, head: String },
    /// The first entry that does not match, and why.
    Broken { entry: i64, why: String },
}

impl Store {
    /// The audit chain's head: how many entries it has, and the last one's hash.
    pub async fn audit_head(&self) -> Result<(i64, String), StoreError> {
        Ok(
            sqlx::query_as("SELECT last_id, last_hash FROM audit_head WHERE one = 1")
                .fetch_one(&self.pool)
                .await?,
        )
    }

    /// The hash of entry `id`, if the log has it.
    pub async fn audit_hash_at(&self, id: i64) -> Result<Option<String>, StoreError> {
        Ok(
            sqlx::query_scalar("SELECT hash FROM audit_log WHERE id = $1")
                .bind(id)
                .fetch_optional(&self.pool)
                .await?,
        )
    }

    /// Walks the audit log from its first entry, checking each hash and each link.
    pub async fn verify_audit(&self) -> Result<Verdict, StoreError> {
        use futures_util::TryStreamExt;
        let mut rows = sqlx::query_as::<_, Stored>(
            "SELECT id, at_ms, actor_id, action, consultation_id, subject, details, prev_hash, \
                    hash FROM audit_log ORDER BY id",
        )
        .fetch(&self.pool);
        let (mut previous, mut expected_id, mut entries) = (GENESIS.to_owned(), 1, 0);
        while let Some(row) = rows.try_next().await? {
            let broken = |why: String| Verdict::Broken { entry: row.id, why };
            if row.id != expected_id {
                return Ok(Verdict::Broken {
                    entry: expected_id,
                    why: format!("entry {expected_id} is missing (the next is {})", row.id),
                });
            }
            if row.prev_hash != previous {
                return Ok(broken(format!(
                    "it names {} as the previous hash, but entry {} hashes to {previous}",
                    row.prev_hash,
                    row.id - 1
                )));
            }
            let computed = row.expected_hash();
            if row.hash != computed {
                return Ok(broken(format!(
                    "its content hashes to {computed}, not to the {} it carries",
                    row.hash
                )));
            }
            previous = row.hash;
            expected_id += 1;
            entries += 1;
        }
        let (last_id, last_hash): (i64, String) =
            sqlx::query_as("SELECT last_id, last_hash FROM audit_head WHERE one = 1")
                .fetch_one(&self.pool)
                .await?;
        if last_id != entries || last_hash != previous {
            return Ok(Verdict::Broken {
                entry: last_id,
                why: format!(
                    "the head names entry {last_id} ({last_hash}) but the log ends at entry \
                     {entries} ({previous})"
                ),
            });
        }
        Ok(Verdict::Intact {
            entries,
            head: previous,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_entry_hashes_its_fields_and_the_previous_hash() {
        let entry = Entry::new(Some(3), "comment.posted", "comment:9".into())
            .in_consultation(1)
            .with(serde_json::json!({"b": 2, "a": 1}));
        let first = next(&entry, 0, GENESIS);
        assert_eq!(first.id, 1);
        assert_eq!(first.details, r#"{"a":1,"b":2}"#, "keys sorted");
        assert_eq!(first.hash, first.expected_hash());
        let second = next(&entry, first.id, &first.hash);
        assert_eq!(second.prev_hash, first.hash);
        assert_ne!(second.hash, first.hash);
        let mut altered = first.clone();
        altered.subject = "comment:10".into();
        assert_ne!(altered.expected_hash(), first.hash);
    }
}
