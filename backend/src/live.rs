//! The live tally: every position cast is announced to the conveners watching its round through
//! server-sent events. With SQLite (one process) the announcement goes straight to the watchers;
//! with PostgreSQL it goes through `NOTIFY`, and every process — the one that wrote included —
//! hears it with `LISTEN` and tells its own watchers, so a position cast on one process reaches
//! watchers connected to another.

use crate::error::AppError;
use crate::state::AppState;
use crate::store::Backend;
use shared::{LiveTally, Tally};
use std::time::Duration;
use tokio::sync::{broadcast, watch};

/// The channel PostgreSQL notifications travel on.
const CHANNEL: &str = "concord_tally";

/// A new tally of one clause, for the watchers of its round.
#[derive(Debug, Clone)]
pub struct TallyEvent {
    pub round_id: i64,
    pub tally: LiveTally,
}

/// This process's watchers.
#[derive(Debug, Clone)]
pub struct Hub {
    sender: broadcast::Sender<TallyEvent>,
    /// Turns true when the server shuts down, which ends every live stream (graceful shutdown
    /// waits for open connections, and these would never end by themselves).
    closing: std::sync::Arc<watch::Sender<bool>>,
    /// True while this process listens for other processes' announcements (PostgreSQL).
    listening: std::sync::Arc<watch::Sender<bool>>,
}

impl Default for Hub {
    fn default() -> Self {
        // A watcher that falls this far behind skips to the newest tallies.
        let (sender, _) = broadcast::channel(4096);
        Self {
            sender,
            closing: std::sync::Arc::new(watch::channel(false).0),
            listening: std::sync::Arc::new(watch::channel(false).0),
        }
    }
}

impl Hub {
    /// Waits (up to `limit`) until this process hears other processes' announcements, so that a
    /// stream opened now misses none; whether it does.
    pub async fn until_listening(&self, limit: Duration) -> bool {
        let mut listening = self.listening.subscribe();
        tokio::time::timeout(limit, listening.wait_for(|on| *on))
            .await
            .is_ok_and(|r| r.is_ok())
    }

    /// Ends every live stream of this process.
    pub fn close(&self) {
        self.closing.send_replace(true);
    }

    /// Resolves when the server begins to shut down.
    pub fn closed(&self) -> impl Future<Output = ()> + Send + use<> {
        let mut closing = self.closing.subscribe();
        async move {
            let _ = closing.wait_for(|closing| *closing).await;
        }
    }

    /// Starts watching every round (the caller keeps the events of its own).
    pub fn subscribe(&self) -> broadcast::Receiver<TallyEvent> {
        self.sender.subscribe()
    }

    fn publish(&self, event: TallyEvent) {
        // Nobody watching is not an error.
        let _ = self.sender.send(event);
    }
}

/// Announces the new tally of clause `clause_id` (key `key`, in round `round_id`).
pub async fn announce(
    state: &AppState,
    clause_id: i64,
    round_id: i64,
    key: &str,
    tally: Tally,
) -> Result<(), AppError> {
    match state.store.backend() {
        Backend::Sqlite => {
            state.hub.publish(TallyEvent {
                round_id,
                tally: LiveTally {
                    clause: key.to_owned(),
                    tally,
                },
            });
            Ok(())
        }
        Backend::Postgres => state.store.notify(CHANNEL, &clause_id.to_string()).await,
    }
}

/// Reads the clause's tally and hands it to this process's watchers.
async fn tell_watchers(state: &AppState, clause_id: i64) -> Result<(), AppError> {
    let Some((round_id, key)) = state.store.clause_place(clause_id).await? else {
        return Ok(());
    };
    let total = state.store.results(clause_id).await?.total;
    state.hub.publish(TallyEvent {
        round_id,
        tally: LiveTally {
            clause: key,
            tally: total,
        },
    });
    Ok(())
}

/// With PostgreSQL, listens for the announcements of every process until the server stops,
/// reconnecting after a failure.
pub async fn listen(state: AppState) {
    if state.store.backend() != Backend::Postgres {
        return;
    }
    loop {
        if let Err(e) = listen_once(&state).await {
            state.hub.listening.send_replace(false);
            tracing::warn!(error = %e, "live tally listener stopped; reconnecting");
        }
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
}

async fn listen_once(state: &AppState) -> Result<(), AppError> {
    let mut listener = sqlx::postgres::PgListener::connect(state.store.url()).await?;
    listener.listen(CHANNEL).await?;
    state.hub.listening.send_replace(true);
    loop {
        let notification = listener.recv().await?;
        if let Ok(clause_id) = notification.payload().parse::<i64>() {
            tell_watchers(state, clause_id).await?;
        }
    }
}
