//! With PostgreSQL, each process listens for every process's notifications and hands them to
//! its own watchers: a tally arrives whole, a comment by its id (it is read as the public sees
//! it, once per process). The same notifications, and those of any other write, tell the store
//! what it must forget ([`crate::store::cache`]).

use super::hub::{Announcement, CommentEvent, Hub};
use crate::store::{
    Audience, Backend, COMMENT_CHANNEL, FORGET_CHANNEL, Store, StoreError, TALLY_CHANNEL,
    TallyNotice,
};
use std::time::Duration;

/// With PostgreSQL, listens for the announcements of every process until the server stops,
/// reconnecting after a failure.
pub async fn listen(store: Store, hub: Hub) {
    if store.backend() != Backend::Postgres {
        return;
    }
    loop {
        if let Err(e) = listen_once(&store, &hub).await {
            hub.listening(false);
            store.hearing(false);
            tracing::warn!(error = %e, "live tally listener stopped; reconnecting");
        }
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
}

async fn listen_once(store: &Store, hub: &Hub) -> Result<(), StoreError> {
    let mut listener = sqlx::postgres::PgListener::connect(store.url()).await?;
    listener
        .listen_all([TALLY_CHANNEL, COMMENT_CHANNEL, FORGET_CHANNEL])
        .await?;
    hub.listening(true);
    store.hearing(true);
    let own = store.process().to_string();
    loop {
        // `recv` would reconnect by itself and drop what was sent meanwhile; this process
        // must know, so that it forgets and stops remembering until it hears again.
        let Some(notification) = listener.try_recv().await? else {
            return Err(StoreError::Internal(anyhow::anyhow!(
                "the listening connection was lost"
            )));
        };
        let payload = notification.payload();
        match notification.channel() {
            // The tally travels whole: nobody reads it again.
            TALLY_CHANNEL => match serde_json::from_str::<TallyNotice>(payload) {
                Ok(notice) => {
                    if notice.from != store.process() {
                        store.heard_write(Some(notice.clause_id));
                    }
                    hub.publish(Announcement::Tally(notice));
                }
                Err(e) => tracing::warn!(error = %e, "a tally notice that does not read"),
            },
            FORGET_CHANNEL if payload != own => store.heard_write(None),
            // A comment gone since (its clause removed from a draft) is nobody's news.
            COMMENT_CHANNEL => {
                let Ok(id) = payload.parse::<i64>() else {
                    continue;
                };
                if let Err(e) = tell_readers(store, hub, id).await {
                    tracing::warn!(error = %e, comment = id, "comment not told to readers");
                }
            }
            _ => {}
        }
    }
}

/// Reads the comment and hands it to this process's readers.
async fn tell_readers(store: &Store, hub: &Hub, comment_id: i64) -> Result<(), StoreError> {
    let clause_id = store.clause_of_comment(comment_id).await?;
    let comment = store.comment(comment_id, Audience::Public).await?;
    hub.publish(Announcement::Comment(Box::new(CommentEvent {
        clause_id,
        comment,
    })));
    Ok(())
}
