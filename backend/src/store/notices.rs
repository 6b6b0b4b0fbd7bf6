//! PostgreSQL notifications, through which every process hears what another wrote: the new
//! tally of a clause, carried whole so that no process reads it again; the id of a comment
//! that is new or changed; and that a process wrote something, so that the others forget what
//! they remember ([`super::cache`]). With SQLite there is one process and nothing to send.

use super::{ClauseRow, Store, StoreError};
use serde::{Deserialize, Serialize};
use shared::{LiveTally, Tally};

/// The channel of new tallies ([`TallyNotice`] as JSON).
pub const TALLY_CHANNEL: &str = "concord_tally";
/// The channel of new or changed comments (the comment's id).
pub const COMMENT_CHANNEL: &str = "concord_comment";
/// The channel of writes that may have changed anything (the writing process's id).
pub const FORGET_CHANNEL: &str = "concord_forget";

/// A clause's new tally, for the watchers of its round (and, from another process, the sign
/// that what this one remembers of the clause's results is out of date).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TallyNotice {
    pub round_id: i64,
    pub clause_id: i64,
    pub tally: LiveTally,
    /// The process that cast ([`Store::process`]).
    #[serde(default)]
    pub from: u64,
}

impl TallyNotice {
    pub fn new(clause: &ClauseRow, tally: Tally) -> Self {
        Self {
            round_id: clause.round_id,
            clause_id: clause.id,
            tally: LiveTally {
                clause: clause.key.clone(),
                tally,
            },
            from: 0,
        }
    }

    /// Sends the notice when `tx` commits (PostgreSQL delivers notifications in commit order).
    pub async fn send(&self, tx: &mut sqlx::Transaction<'_, sqlx::Any>) -> Result<(), StoreError> {
        let payload = serde_json::to_string(self).map_err(anyhow::Error::from)?;
        notify(&mut **tx, TALLY_CHANNEL, payload).await
    }
}

impl Store {
    /// Sends a PostgreSQL notification to every listening process.
    pub async fn notify(&self, channel: &str, payload: &str) -> Result<(), StoreError> {
        notify(&self.pool, channel, payload.to_owned()).await
    }
}

/// Sends `payload` on `channel` through `executor`: at once on the pool, at its commit in a
/// transaction.
async fn notify<'e>(
    executor: impl sqlx::Executor<'e, Database = sqlx::Any>,
    channel: &str,
    payload: String,
) -> Result<(), StoreError> {
    sqlx::query("SELECT pg_notify($1, $2)")
        .bind(channel.to_owned())
        .bind(payload)
        .execute(executor)
        .await?;
    Ok(())
}
