//! This process's watchers: one broadcast of every announcement, and [`Following::events`], the
//! one way a route turns what it follows into server-sent events.

use crate::store::cache::LIFETIME;
use crate::store::{Backend, COMMENT_CHANNEL, Store, TallyNotice};
use axum::response::sse::{Event, KeepAlive, KeepAliveStream, Sse};
use futures_util::StreamExt;
use futures_util::stream::BoxStream;
use serde::Serialize;
use shared::Comment;
use std::convert::Infallible;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::sync::{broadcast, watch};
use tokio_stream::wrappers::BroadcastStream;

/// A live route's answer: server-sent events, kept alive.
pub type LiveEvents = Sse<KeepAliveStream<BoxStream<'static, Result<Event, Infallible>>>>;

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

    /// Says whether this process hears the other processes' announcements (PostgreSQL).
    pub(super) fn listening(&self, on: bool) {
        self.listening.send_replace(on);
    }

    /// Starts following what happens: once this process hears the others (PostgreSQL; it waits
    /// up to 5 seconds), every announcement from now on. Read what is now after this, so that no
    /// change falls in between.
    pub async fn follow(&self, store: &Store, what: &'static str) -> Following {
        if store.backend() == Backend::Postgres
            && !self.until_listening(Duration::from_secs(5)).await
        {
            tracing::warn!(
                what,
                "live stream opened before this process listens to the others"
            );
        }
        Following {
            changes: BroadcastStream::new(self.sender.subscribe()),
            closed: Box::pin(self.closed()),
            store: store.clone(),
        }
    }

    /// Tells this process's watchers the new tally a cast answered. With PostgreSQL the cast's
    /// own transaction has already told every process, this one included: nothing to do.
    pub fn tally(&self, store: &Store, notice: TallyNotice) {
        if store.backend() == Backend::Sqlite {
            self.publish(Announcement::Tally(notice));
        }
    }

    /// Tells every process's readers that comment `comment` (on clause `clause_id`) is new or
    /// changed. A failure only delays what readers see, so it is logged, not returned.
    pub async fn comment(&self, store: &Store, clause_id: i64, comment: &Comment) {
        let outcome = match store.backend() {
            Backend::Sqlite => {
                self.publish(Announcement::Comment(Box::new(CommentEvent {
                    clause_id,
                    comment: comment.clone(),
                })));
                Ok(())
            }
            Backend::Postgres => {
                let payload = comment.id.to_string();
                store.notify(COMMENT_CHANNEL, &payload).await
            }
        };
        if let Err(e) = outcome {
            tracing::warn!(error = %e, "comment not announced");
        }
    }

    pub(super) fn publish(&self, event: Announcement) {
        // Nobody watching is not an error.
        let _ = self.sender.send(event);
    }
}

/// Announcements from the moment [`Hub::follow`] was called, until the server shuts down.
pub struct Following {
    changes: BroadcastStream<Announcement>,
    closed: Pin<Box<dyn Future<Output = ()> + Send>>,
    /// Tells when `still` needs asking again.
    store: Store,
}

impl Following {
    /// Server-sent events named `name`: first each of `now`, then each announcement `pick`
    /// keeps, for as long as `still` says the follower may see it. `still` is asked before an
    /// announcement unless nothing but positions has changed since it last said yes, less than
    /// [`LIFETIME`] ago: under a deadline's load of casts, thousands of watchers would
    /// otherwise each ask the database about their session for every cast.
    pub fn events<T, P, S, F>(
        self,
        name: &'static str,
        now: Vec<T>,
        pick: P,
        still: S,
    ) -> LiveEvents
    where
        T: Serialize + Send + 'static,
        P: Fn(Announcement) -> Option<T> + Send + Sync + 'static,
        S: Fn() -> F + Send + Sync + 'static,
        F: Future<Output = bool> + Send + 'static,
    {
        let (store, checked) = (self.store, Arc::new(Mutex::new(None::<(u64, Instant)>)));
        let still = move || {
            let epoch = store.epoch();
            let recent = checked
                .lock()
                .ok()
                .and_then(|c| *c)
                .is_some_and(|(e, at)| Some(e) == epoch && at.elapsed() < LIFETIME);
            let (checked, asking) = (checked.clone(), (!recent).then(&still));
            async move {
                let Some(asking) = asking else {
                    return true;
                };
                let yes = asking.await;
                if let (true, Some(epoch), Ok(mut checked)) = (yes, epoch, checked.lock()) {
                    *checked = Some((epoch, Instant::now()));
                }
                yes
            }
        };
        let changes = self
            .changes
            .filter_map(move |event| futures_util::future::ready(event.ok().and_then(&pick)))
            .take_while(move |_| still());
        let events = futures_util::stream::iter(now)
            .chain(changes)
            .take_until(self.closed)
            .map(move |item| {
                Ok(Event::default()
                    .event(name)
                    .json_data(item)
                    .unwrap_or_default())
            });
        Sse::new(events.boxed()).keep_alive(KeepAlive::default())
    }
}
