//! Group commit for SQLite. SQLite makes one transaction durable at a time, and each commit waits
//! for the disk; so positions cast at the same moment are written by one task in one
//! transaction, each inside its own savepoint (one refused cast does not undo the others), and
//! every caller is answered once that shared transaction has committed — never before.

use super::review::{Cast, cast_in};
use crate::error::AppError;
use shared::Position;
use sqlx::AnyPool;
use tokio::sync::{mpsc, oneshot};

/// The most casts one transaction takes.
const MAX_BATCH: usize = 256;

/// A cast waiting for the writer, with where to send its outcome.
#[derive(Debug)]
struct Request {
    cast: Cast,
    reply: oneshot::Sender<Result<Position, AppError>>,
}

/// The handle through which casts reach the writer task.
#[derive(Debug, Clone)]
pub struct Writer {
    requests: mpsc::Sender<Request>,
}

impl Writer {
    /// Starts the writer task over `pool`.
    pub fn start(pool: AnyPool) -> Self {
        let (requests, received) = mpsc::channel(4 * MAX_BATCH);
        tokio::spawn(run(pool, received));
        Self { requests }
    }

    /// Casts a position; answers once it is durable (or refused).
    pub async fn cast(&self, cast: Cast) -> Result<Position, AppError> {
        let (reply, outcome) = oneshot::channel();
        let stopped = || AppError::Internal(anyhow::anyhow!("the position writer stopped"));
        self.requests
            .send(Request { cast, reply })
            .await
            .map_err(|_| stopped())?;
        outcome.await.map_err(|_| stopped())?
    }
}

async fn run(pool: AnyPool, mut received: mpsc::Receiver<Request>) {
    while let Some(first) = received.recv().await {
        let mut batch = vec![first];
        while batch.len() < MAX_BATCH {
            match received.try_recv() {
                Ok(request) => batch.push(request),
                Err(_) => break,
            }
        }
        write(&pool, batch).await;
    }
}

/// Writes a batch in one transaction and answers every request.
async fn write(pool: &AnyPool, batch: Vec<Request>) {
    let failed = |what: &str, e: &sqlx::Error| AppError::Internal(anyhow::anyhow!("{what}: {e}"));
    let mut tx = match pool.begin_with("BEGIN IMMEDIATE").await {
        Ok(tx) => tx,
        Err(e) => {
            for request in batch {
                let _ = request
                    .reply
                    .send(Err(failed("starting a transaction", &e)));
            }
            return;
        }
    };
    let mut outcomes = Vec::with_capacity(batch.len());
    for request in &batch {
        outcomes.push(in_savepoint(&mut tx, &request.cast).await);
    }
    match tx.commit().await {
        Ok(()) => {
            for (request, outcome) in batch.into_iter().zip(outcomes) {
                let _ = request.reply.send(outcome);
            }
        }
        Err(e) => {
            for request in batch {
                let _ = request.reply.send(Err(failed("committing positions", &e)));
            }
        }
    }
}

/// Casts inside a savepoint, undoing only this cast if it fails.
async fn in_savepoint(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    cast: &Cast,
) -> Result<Position, AppError> {
    sqlx::query("SAVEPOINT cast").execute(&mut **tx).await?;
    let outcome = cast_in(tx, cast).await;
    if outcome.is_err() {
        sqlx::query("ROLLBACK TO SAVEPOINT cast")
            .execute(&mut **tx)
            .await?;
    }
    sqlx::query("RELEASE SAVEPOINT cast")
        .execute(&mut **tx)
        .await?;
    outcome
}
