//! Live updates through server-sent events: every position cast is announced to the conveners
//! watching its round's tally, and every new or changed comment to everyone reading its clause.
//! With SQLite (one process) the announcement goes straight to the watchers; with PostgreSQL it
//! goes through `NOTIFY`, and every process — the one that wrote included — hears it with
//! `LISTEN` and tells its own watchers, so a change on one process reaches watchers connected to
//! another.

use crate::http::error::AppError;
use crate::state::AppState;
use crate::store::{Audience, Backend, COMMENT_CHANNEL, TALLY_CHANNEL, TallyNotice};
use shared::Comment;
use std::time::Duration;
use tokio::sync::{broadcast, watch};

/// A new or changed comment (as the public sees it), for the readers of its clause.
#[derive(Debug, Clone)]
pub struct CommentEvent {
    pub clause_id: i64,
    pub comment: Comment,
}

/// What the hub carries.
#[derive(Debug, Clone)]
pub enum Announcement {
    Tally(TallyNotice),
    Comment(Box<CommentEvent>),
}

/// This process's watchers.
#[derive(Debug, Clone)]
pub struct Hub {
    sender: broadcast::Sender<Announcement>,
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

    /// How many live streams this process is serving.
    pub fn subscribers(&self) -> usize {
        self.sender.receiver_count()
    }

    /// Starts watching everything (the caller keeps the events it follows).
    pub fn subscribe(&self) -> broadcast::Receiver<Announcement> {
        self.sender.subscribe()
    }

    fn publish(&self, event: Announcement) {
        // Nobody watching is not an error.
        let _ = self.sender.send(event);
    }
}

/// Tells this process's watchers the new tally a cast answered. With PostgreSQL the cast's own
/// transaction has already told every process, this one included, so there is nothing to do.
pub fn announce(state: &AppState, notice: TallyNotice) {
    if state.store.backend() == Backend::Sqlite {
        state.hub.publish(Announcement::Tally(notice));
    }
}

/// Announces that comment `comment` (on clause `clause_id`) is new or changed. A failure only
/// delays what readers see, so it is logged, not returned.
pub async fn announce_comment(state: &AppState, clause_id: i64, comment: &Comment) {
    let outcome = match state.store.backend() {
        Backend::Sqlite => {
            state
                .hub
                .publish(Announcement::Comment(Box::new(CommentEvent {
                    clause_id,
                    comment: comment.clone(),
                })));
            Ok(())
        }
        Backend::Postgres => {
            let payload = comment.id.to_string();
            state.store.notify(COMMENT_CHANNEL, &payload).await
        }
    };
    if let Err(e) = outcome {
        tracing::warn!(error = %e, "comment not announced");
    }
}

/// Reads the comment and hands it to this process's readers.
async fn tell_readers(state: &AppState, comment_id: i64) -> Result<(), AppError> {
    let clause_id = state.store.clause_of_comment(comment_id).await?;
    let comment = state.store.comment(comment_id, Audience::Public).await?;
    state
        .hub
        .publish(Announcement::Comment(Box::new(CommentEvent {
            clause_id,
            comment,
        })));
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
    listener
        .listen_all([TALLY_CHANNEL, COMMENT_CHANNEL])
        .await?;
    state.hub.listening.send_replace(true);
    loop {
        let notification = listener.recv().await?;
        let payload = notification.payload();
        match notification.channel() {
            // The tally travels whole: nobody reads it again.
            TALLY_CHANNEL => match serde_json::from_str::<TallyNotice>(payload) {
                Ok(notice) => state.hub.publish(Announcement::Tally(notice)),
                Err(e) => tracing::warn!(error = %e, "a tally notice that does not read"),
            },
            // A comment gone since (its clause removed from a draft) is nobody's news.
            COMMENT_CHANNEL => {
                let Ok(id) = payload.parse::<i64>() else {
                    continue;
                };
                if let Err(e) = tell_readers(state, id).await {
                    tracing::warn!(error = %e, comment = id, "comment not told to readers");
                }
            }
            _ => {}
        }
    }
}
