//! Group commit for PostgreSQL. Every cast moves the audit log's one head row and a few hot rows
//! of `tally_counts` (a deadline's casts land on the same clauses, stances and groups), so casts
//! in transactions of their own wait on each other's locks and commit one at a time. Instead,
//! each process's casts arriving together share one transaction, each inside its own savepoint
//! (one refused cast does not undo the others), and every caller is answered once that
//! transaction has committed — never before.
//!
//! The transaction takes the audit head first: batches of several processes then follow one
//! another, and no two can wait on each other's rows in a circle. Before committing, it reads
//! the new results of every clause it touched once and sends them to every process
//! ([`TallyNotice`], delivered at the commit, in commit order); once committed it keeps them in
//! this process's cache.

use super::batch::{MAX_BATCH, Request};
use super::cache::Cache;
use super::cast::{Counted, InTransaction, cast_with};
use super::error::database_unavailable;
use super::positions::{TALLY_COUNTS, results_from};
use super::{Backend, StoreError, TallyNotice};
use shared::{LiveTally, Position, Results};
use sqlx::{AnyConnection, Connection};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use tokio::sync::mpsc;

/// What the writer task needs.
pub(super) struct PgWriter {
    /// Where the database is: the writer keeps a connection of its own, so that a deadline's
    /// readers, queueing for the pool's connections, never hold the casts up.
    pub url: String,
    pub cache: Arc<Cache>,
    pub reads: Arc<AtomicU64>,
    /// This process's id, carried by its tally notices.
    pub process: u64,
}

impl PgWriter {
    /// Writes the casts `received` brings, batch after batch, until every sender is dropped.
    pub async fn run(self, mut received: mpsc::Receiver<Request>) {
        let mut connection = None;
        while let Some(first) = received.recv().await {
            let mut batch = vec![first];
            while batch.len() < MAX_BATCH {
                match received.try_recv() {
                    Ok(request) => batch.push(request),
                    Err(_) => break,
                }
            }
            self.write(&mut connection, batch).await;
        }
    }

    /// Writes a batch in one transaction and answers every request.
    async fn write(&self, connection: &mut Option<AnyConnection>, batch: Vec<Request>) {
        let cache = self.cache.if_trusted();
        // Taken before the commit: a later batch's notice from another process, arriving before
        // these results are kept, makes the cache drop them rather than keep older counts.
        let ticket = cache.map(|cache| cache.ticket());
        let written = match connection {
            Some(open) => self.write_batch(open, &batch).await,
            None => match AnyConnection::connect(&self.url).await {
                Ok(open) => self.write_batch(connection.insert(open), &batch).await,
                Err(e) => Err(e.into()),
            },
        };
        match written {
            Ok((outcomes, results)) => {
                if let (Some(cache), Some(ticket)) = (cache, ticket) {
                    for (clause_id, results) in &results {
                        cache.keep_results(ticket, *clause_id, results);
                    }
                }
                for (request, outcome) in batch.into_iter().zip(outcomes) {
                    let counted = outcome.and_then(|position| {
                        let results = results
                            .iter()
                            .find(|(id, _)| *id == request.cast.clause_id)
                            .map(|(_, r)| r.clone())
                            .ok_or_else(|| anyhow::anyhow!("a cast went uncounted"))?;
                        Ok(Counted { position, results })
                    });
                    let _ = request.reply.send(counted);
                }
            }
            Err(e) => {
                // Opened again for the next batch: this one may be broken.
                *connection = None;
                let unavailable =
                    matches!(&e, StoreError::Database(db) if database_unavailable(db));
                tracing::warn!(error = %e, casts = batch.len(), "a batch of positions failed");
                for request in batch {
                    let error = if unavailable {
                        StoreError::Unavailable(
                            "The database does not answer just now. Try again in a moment.",
                        )
                    } else {
                        StoreError::Internal(anyhow::anyhow!("writing positions: {e}"))
                    };
                    let _ = request.reply.send(Err(error));
                }
            }
        }
    }

    async fn write_batch(
        &self,
        connection: &mut AnyConnection,
        batch: &[Request],
    ) -> Result<(Vec<Result<Position, StoreError>>, Vec<(i64, Results)>), StoreError> {
        let mut tx = connection.begin().await?;
        sqlx::query("SELECT last_id FROM audit_head WHERE one = 1 FOR UPDATE")
            .execute(&mut *tx)
            .await?;
        let mut outcomes = Vec::with_capacity(batch.len());
        for request in batch {
            sqlx::query("SAVEPOINT one_cast").execute(&mut *tx).await?;
            let outcome = cast_with(
                &mut InTransaction(&mut tx, Backend::Postgres),
                &request.cast,
            )
            .await;
            if outcome.is_err() {
                sqlx::query("ROLLBACK TO SAVEPOINT one_cast")
                    .execute(&mut *tx)
                    .await?;
            }
            sqlx::query("RELEASE SAVEPOINT one_cast")
                .execute(&mut *tx)
                .await?;
            outcomes.push(outcome);
        }
        let mut touched: Vec<i64> = batch.iter().map(|r| r.cast.clause_id).collect();
        touched.sort_unstable();
        touched.dedup();
        let mut results = Vec::with_capacity(touched.len());
        for clause_id in touched {
            self.reads.fetch_add(1, Ordering::Relaxed);
            let counted = results_from(
                sqlx::query_as(TALLY_COUNTS)
                    .bind(clause_id)
                    .fetch_all(&mut *tx)
                    .await?,
            )?;
            let (round_id, key): (i64, String) =
                sqlx::query_as("SELECT round_id, key FROM clauses WHERE id = $1")
                    .bind(clause_id)
                    .fetch_one(&mut *tx)
                    .await?;
            let notice = TallyNotice {
                round_id,
                clause_id,
                tally: LiveTally {
                    clause: key,
                    tally: counted.total,
                },
                from: self.process,
            };
            notice.send(&mut tx).await?;
            results.push((clause_id, counted));
        }
        tx.commit().await?;
        Ok((outcomes, results))
    }
}
