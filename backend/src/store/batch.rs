//! Group commit for SQLite. SQLite makes one transaction durable at a time, and each commit waits
//! for the disk; so positions cast at the same moment are written by one thread, on its own
//! connection, in one transaction, each inside its own savepoint (one refused cast does not undo
//! the others), and every caller is answered once that shared transaction has committed — never
//! before. The thread runs each statement itself, prepared once, instead of handing each to a
//! connection's worker and waiting for it.
//!
//! Before committing, the writer reads the new results of every clause it touched; once the
//! commit is durable it hands them to the cache, in the order the batches were written.

use super::StoreError;
use super::audit::{self, Entry};
use super::cache::Cache;
use super::cast::Counted;
use super::cast::{
    CLAUSE_ROUND, Cast, CountKey, INSERT_CHANGE, INSERT_POSITION, MOVE_COUNT, Steps, Written,
    cast_with,
};
use super::consultations::{STANDING, Standing};
use super::positions::{TALLY_COUNTS, results_from};
use super::rounds::RoundState;
use futures_util::FutureExt;
use rusqlite::{Connection, OptionalExtension, TransactionBehavior, params};
use shared::{Position, Results};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;
use tokio::sync::{mpsc, oneshot};

/// The most casts one transaction takes.
pub(super) const MAX_BATCH: usize = 256;

/// A cast waiting for the writer, with where to send its outcome.
#[derive(Debug)]
pub(super) struct Request {
    pub cast: Cast,
    pub reply: oneshot::Sender<Result<Counted, StoreError>>,
}

/// The handle through which casts reach the writer (SQLite's thread, or with PostgreSQL
/// [`super::pg_batch`]'s task).
#[derive(Debug, Clone)]
pub struct Writer {
    requests: mpsc::Sender<Request>,
}

impl Writer {
    /// Starts the writer thread over the SQLite database at `path`; it stops once every handle
    /// is dropped.
    pub fn start(path: PathBuf, cache: Arc<Cache>, reads: Arc<AtomicU64>) -> std::io::Result<Self> {
        let (requests, received) = mpsc::channel(4 * MAX_BATCH);
        std::thread::Builder::new()
            .name("concord-positions".into())
            .spawn(move || run(&path, &cache, &reads, received))?;
        Ok(Self { requests })
    }

    /// Starts the writer of a PostgreSQL process on a thread of its own (its own runtime and
    /// connection: under a deadline's load, a task among thousands of requests' would wait its
    /// turn at each of a batch's statements); it stops once every handle is dropped.
    pub(super) fn start_postgres(writer: super::pg_batch::PgWriter) -> std::io::Result<Self> {
        let (requests, received) = mpsc::channel(4 * MAX_BATCH);
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()?;
        std::thread::Builder::new()
            .name("concord-positions".into())
            .spawn(move || runtime.block_on(writer.run(received)))?;
        Ok(Self { requests })
    }

    /// Casts a position; answers once it is durable (or refused).
    pub async fn cast(&self, cast: Cast) -> Result<Counted, StoreError> {
        let (reply, outcome) = oneshot::channel();
        let stopped = || StoreError::Internal(anyhow::anyhow!("the position writer stopped"));
        self.requests
            .send(Request { cast, reply })
            .await
            .map_err(|_| stopped())?;
        outcome.await.map_err(|_| stopped())?
    }
}

fn run(path: &Path, cache: &Cache, reads: &AtomicU64, mut received: mpsc::Receiver<Request>) {
    let mut connection = None;
    while let Some(first) = received.blocking_recv() {
        let mut batch = vec![first];
        while batch.len() < MAX_BATCH {
            match received.try_recv() {
                Ok(request) => batch.push(request),
                Err(_) => break,
            }
        }
        let opened = match connection.take() {
            Some(connection) => Ok(connection),
            None => open(path),
        };
        match opened {
            Ok(mut opened) => {
                write(&mut opened, batch, cache, reads);
                connection = Some(opened);
            }
            // Tried again with the next batch.
            Err(e) => answer_all(batch, &e),
        }
    }
}

/// The writer's connection, set up as every other: write-ahead log, `synchronous=FULL`.
fn open(path: &Path) -> rusqlite::Result<Connection> {
    let connection = Connection::open(path)?;
    connection.execute_batch(
        "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON; \
         PRAGMA secure_delete = ON;",
    )?;
    connection.busy_timeout(Duration::from_secs(5))?;
    Ok(connection)
}

fn answer_all(batch: Vec<Request>, e: &rusqlite::Error) {
    for request in batch {
        // SQLite's own failures keep their code, so a full disk answers 503, not 500.
        let error = match e {
            rusqlite::Error::SqliteFailure(failure, message) => {
                StoreError::Writer(rusqlite::Error::SqliteFailure(*failure, message.clone()))
            }
            other => StoreError::Internal(anyhow::anyhow!("writing positions: {other}")),
        };
        let _ = request.reply.send(Err(error));
    }
}

/// Writes a batch in one transaction and answers every request.
fn write(connection: &mut Connection, batch: Vec<Request>, cache: &Cache, reads: &AtomicU64) {
    match write_batch(connection, &batch, reads) {
        Ok((outcomes, results)) => {
            let results: HashMap<i64, Result<Results, String>> = results
                .into_iter()
                .map(|(clause_id, results)| match results {
                    Ok(results) => {
                        cache.put_results(clause_id, results.clone());
                        (clause_id, Ok(results))
                    }
                    Err(e) => {
                        cache.forget();
                        (clause_id, Err(e.to_string()))
                    }
                })
                .collect();
            for (request, outcome) in batch.into_iter().zip(outcomes) {
                let counted =
                    outcome.and_then(|position| match results.get(&request.cast.clause_id) {
                        Some(Ok(results)) => Ok(Counted {
                            position,
                            results: results.clone(),
                        }),
                        Some(Err(e)) => Err(StoreError::Corrupt(e.clone())),
                        None => Err(StoreError::Internal(anyhow::anyhow!(
                            "a cast went uncounted"
                        ))),
                    });
                let _ = request.reply.send(counted);
            }
        }
        Err(e) => answer_all(batch, &e),
    }
}

type Outcomes = Vec<Result<Position, StoreError>>;
type NewResults = Vec<(i64, Result<Results, StoreError>)>;

fn write_batch(
    connection: &mut Connection,
    batch: &[Request],
    reads: &AtomicU64,
) -> rusqlite::Result<(Outcomes, NewResults)> {
    let tx = connection.transaction_with_behavior(TransactionBehavior::Immediate)?;
    // The audit log's head, read once: each cast's entry follows the last committed one, and
    // the head moves once, before the commit.
    let head: (i64, String) = tx
        .prepare_cached("SELECT last_id, last_hash FROM audit_head WHERE one = 1")?
        .query_row([], |r| Ok((r.get(0)?, r.get(1)?)))?;
    let mut steps = OnConnection {
        connection: &tx,
        head: head.clone(),
        pending: None,
        rounds: HashMap::new(),
    };
    let mut outcomes = Vec::with_capacity(batch.len());
    for request in batch {
        steps.connection.execute_batch("SAVEPOINT cast")?;
        // Nothing in these steps waits, so the cast completes on its first poll.
        let outcome = cast_with(&mut steps, &request.cast)
            .now_or_never()
            .unwrap_or_else(|| Err(StoreError::Internal(anyhow::anyhow!("a cast waited"))));
        if outcome.is_ok() {
            if let Some(pending) = steps.pending.take() {
                steps.head = pending;
            }
        } else {
            steps.pending = None;
            steps
                .connection
                .execute_batch("ROLLBACK TO SAVEPOINT cast")?;
        }
        steps.connection.execute_batch("RELEASE SAVEPOINT cast")?;
        outcomes.push(outcome);
    }
    if steps.head != head {
        tx.prepare_cached(audit::MOVE_HEAD)?
            .execute(params![steps.head.0, steps.head.1])?;
    }
    let mut touched: Vec<i64> = batch.iter().map(|r| r.cast.clause_id).collect();
    touched.sort_unstable();
    touched.dedup();
    let mut results = Vec::with_capacity(touched.len());
    for clause_id in touched {
        reads.fetch_add(1, Ordering::Relaxed);
        let rows = tx
            .prepare_cached(TALLY_COUNTS)?
            .query_map([clause_id], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        results.push((clause_id, results_from(rows)));
    }
    tx.commit()?;
    Ok((outcomes, results))
}

/// [`Steps`] on the writer's connection, with the audit log's head as far as this batch has
/// written it, and the entry of the cast under way.
struct OnConnection<'c> {
    connection: &'c Connection,
    head: (i64, String),
    pending: Option<(i64, String)>,
    /// Clauses' rounds as read in this batch: nobody else writes while its transaction lasts.
    rounds: HashMap<i64, (i64, RoundState)>,
}

impl Steps for OnConnection<'_> {
    async fn clause_round(&mut self, clause_id: i64) -> Result<(i64, RoundState), StoreError> {
        if let Some(known) = self.rounds.get(&clause_id) {
            return Ok(known.clone());
        }
        let read: (i64, RoundState) =
            self.connection
                .prepare_cached(CLAUSE_ROUND)?
                .query_row([clause_id], |r| {
                    Ok((
                        r.get(0)?,
                        RoundState {
                            phase: r.get(1)?,
                            commenting_at_ms: r.get(2)?,
                            voting_at_ms: r.get(3)?,
                            closing_at_ms: r.get(4)?,
                            hide_results: r.get(5)?,
                            previous_round_id: r.get(6)?,
                            rule: r.get(7)?,
                            abstentions_count: r.get(8)?,
                            counting: r.get(9)?,
                        },
                    ))
                })?;
        self.rounds.insert(clause_id, read.clone());
        Ok(read)
    }

    async fn standing(
        &mut self,
        consultation_id: i64,
        account_id: i64,
    ) -> Result<Option<Standing>, StoreError> {
        Ok(self
            .connection
            .prepare_cached(STANDING)?
            .query_row([consultation_id, account_id], |r| {
                Ok(Standing {
                    stakeholder_group: r.get(0)?,
                    region: r.get(1)?,
                    organisation_id: r.get(2)?,
                    organisation_group: r.get(3)?,
                    represents: r.get(4)?,
                })
            })
            .optional()?)
    }

    async fn take_old(
        &mut self,
        sql: &str,
        clause_id: i64,
        whose: i64,
    ) -> Result<Option<CountKey>, StoreError> {
        Ok(self
            .connection
            .prepare_cached(sql)?
            .query_row([clause_id, whose], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?))
            })
            .optional()?)
    }

    async fn move_count(
        &mut self,
        clause_id: i64,
        (stance, group, region): &CountKey,
        delta: i64,
    ) -> Result<(), StoreError> {
        self.connection
            .prepare_cached(MOVE_COUNT)?
            .execute(params![clause_id, stance, group, region, delta])?;
        Ok(())
    }

    async fn write(&mut self, p: &Written<'_>) -> Result<(), StoreError> {
        let c = p.cast;
        let common = params![
            c.clause_id,
            c.account_id,
            c.stance.as_str(),
            c.reason,
            p.at_ms,
            p.stakeholder_group,
            p.region,
            p.receipt,
            p.organisation,
        ];
        self.connection
            .prepare_cached(INSERT_POSITION)?
            .execute(common)?;
        let mut with_phase = common.to_vec();
        with_phase.push(&p.phase);
        self.connection
            .prepare_cached(INSERT_CHANGE)?
            .execute(with_phase.as_slice())?;
        Ok(())
    }

    async fn record(&mut self, entry: Entry) -> Result<(), StoreError> {
        let s = audit::next(&entry, self.head.0, &self.head.1);
        self.connection
            .prepare_cached(audit::INSERT)?
            .execute(params![
                s.id,
                s.at_ms,
                s.actor_id,
                s.action,
                s.consultation_id,
                s.subject,
                s.details,
                s.prev_hash,
                s.hash
            ])?;
        self.pending = Some((s.id, s.hash));
        Ok(())
    }
}
