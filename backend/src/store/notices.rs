//! PostgreSQL notifications, through which every process hears what another wrote: the new
//! tally of a clause, carried whole so that no process reads it again, and the id of a comment
//! that is new or changed. With SQLite there is one process and nothing to send.

use super::{Store, StoreError};
use serde::{Deserialize, Serialize};
use shared::{LiveTally, Tally};

/// The channel of new tallies ([`TallyNotice`] as JSON).
pub const TALLY_CHANNEL: &str = "concord_tally";
/// The channel of new or changed comments (the comment's id).
pub const COMMENT_CHANNEL: &str = "concord_comment";

/// A clause's new tally, for the watchers of its round.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TallyNotice {
    pub round_id: i64,
    pub tally: LiveTally,
}

impl TallyNotice {
    pub fn new(round_id: i64, key: &str, tally: Tally) -> Self {
        Self {
            round_id,
            tally: LiveTally {
                clause: key.to_owned(),
                tally,
            },
        }
    }

    /// Sends the notice when `tx` commits (PostgreSQL delivers notifications in commit order).
    pub async fn send(
        &self,
        tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    ) -> Result<(), StoreError> {
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
