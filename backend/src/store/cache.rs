//! What one server process remembers between requests: live sessions, clauses by their path,
//! the results of clauses and pages of their comments, so that reading a tally or a thread or
//! casting a position costs no query beyond the position's own writes.
//!
//! With SQLite, Concord is the database's only writer, so it knows when these change: every
//! write through the API forgets everything (`forget`, called by a middleware after each
//! request that is not a read, on every route but a position's), except a position, whose
//! writer puts the new results of its clause instead, in the order the writes committed. A reader that filled an entry from the database while a write was
//! forgetting it does not keep what it read: each fill carries the generation it started in,
//! and is dropped if anything was forgotten since. Changes written straight into the file by
//! another program (`concord admin`, an operator's SQL) are seen after at most [`LIFETIME`]; so
//! are a session's idle and absolute time limits (checked each time an entry is filled).
//!
//! With PostgreSQL several processes share the database, and each remembers alike. Every
//! process hears the others' writes through notifications ([`super::notices`]): a write through
//! the API makes every other process forget everything, a cast the results of its clause. A
//! reader on another process than the writer's may therefore see the state before a write
//! until the notification arrives (PostgreSQL sends it at the commit; on one machine it arrives
//! within a millisecond or two), and never longer than [`LIFETIME`]. A process that does not
//! hear the others (its listening connection lost) remembers nothing until it hears them again.

use super::{Account, ClauseRow};
use bytes::Bytes;
use shared::Results;
use std::collections::HashMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

/// How long an entry is trusted without being forgotten.
pub const LIFETIME: Duration = Duration::from_millis(250);

/// Entries beyond this many make the cache start over (it never grows without bound).
const CAPACITY: usize = 10_000;

/// A consultation slug, round slug and clause key.
type ClausePath = (String, String, String);

#[derive(Debug)]
pub struct Cache {
    inner: Mutex<Inner>,
    /// Whether entries may be kept and answered; false while a PostgreSQL process does not
    /// hear the others.
    trusted: AtomicBool,
}

impl Default for Cache {
    fn default() -> Self {
        Self {
            inner: Mutex::default(),
            trusted: AtomicBool::new(true),
        }
    }
}

#[derive(Debug, Default)]
struct Inner {
    generation: u64,
    /// How many times everything was forgotten.
    epoch: u64,
    /// Accounts by the digest of their session token.
    sessions: HashMap<String, Entry<Account>>,
    clauses: HashMap<ClausePath, Entry<ClauseRow>>,
    results: HashMap<i64, Entry<Results>>,
    /// Pages of comments by clause and the thread they start after, as the JSON every reader
    /// gets.
    comments: HashMap<(i64, i64), Entry<Bytes>>,
}

#[derive(Debug)]
struct Entry<T> {
    value: T,
    filled: Instant,
}

/// The moment a reader went to the database; see [`Cache::keep_clause`].
#[derive(Debug, Clone, Copy)]
pub struct Ticket(u64);

impl<T: Clone> Entry<T> {
    fn fresh(&self) -> Option<T> {
        (self.filled.elapsed() < LIFETIME).then(|| self.value.clone())
    }
}

impl Cache {
    /// A cache that trusts nothing until [`Cache::trust`] says so.
    pub fn deaf() -> Self {
        Self {
            trusted: AtomicBool::new(false),
            ..Self::default()
        }
    }

    /// Whether entries may be kept and answered.
    pub fn trusted(&self) -> bool {
        self.trusted.load(Ordering::Acquire)
    }

    /// This cache, while its entries may be kept and answered.
    pub fn if_trusted(&self) -> Option<&Self> {
        self.trusted().then_some(self)
    }

    pub fn trust(&self, on: bool) {
        self.trusted.store(on, Ordering::Release);
    }

    fn inner(&self) -> std::sync::MutexGuard<'_, Inner> {
        // A panic while holding the lock leaves nothing half-done worth refusing.
        self.inner
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Taken before reading the database, to keep what was read only if nothing changed since.
    pub fn ticket(&self) -> Ticket {
        Ticket(self.inner().generation)
    }

    pub fn session(&self, token_hash: &str) -> Option<Account> {
        self.inner().sessions.get(token_hash).and_then(Entry::fresh)
    }

    pub fn keep_session(&self, ticket: Ticket, token_hash: &str, account: &Account) {
        let mut inner = self.inner();
        if inner.generation == ticket.0 {
            inner.make_room();
            inner
                .sessions
                .insert(token_hash.to_owned(), Entry::new(account.clone()));
        }
    }

    pub fn clause(&self, path: &ClausePath) -> Option<ClauseRow> {
        self.inner().clauses.get(path).and_then(Entry::fresh)
    }

    pub fn keep_clause(&self, ticket: Ticket, path: ClausePath, row: &ClauseRow) {
        let mut inner = self.inner();
        if inner.generation == ticket.0 {
            inner.make_room();
            inner.clauses.insert(path, Entry::new(row.clone()));
        }
    }

    pub fn results(&self, clause_id: i64) -> Option<Results> {
        self.inner().results.get(&clause_id).and_then(Entry::fresh)
    }

    pub fn keep_results(&self, ticket: Ticket, clause_id: i64, results: &Results) {
        let mut inner = self.inner();
        if inner.generation == ticket.0 {
            inner.make_room();
            inner.results.insert(clause_id, Entry::new(results.clone()));
        }
    }

    pub fn comments(&self, key: (i64, i64)) -> Option<Bytes> {
        self.inner().comments.get(&key).and_then(Entry::fresh)
    }

    pub fn keep_comments(&self, ticket: Ticket, key: (i64, i64), page: &Bytes) {
        let mut inner = self.inner();
        if inner.generation == ticket.0 {
            inner.make_room();
            inner.comments.insert(key, Entry::new(page.clone()));
        }
    }

    /// Remembers the new results of a clause that the position writer has just committed
    /// (forgetting them first, so that no reader that started before keeps older ones).
    pub fn put_results(&self, clause_id: i64, results: Results) {
        let mut inner = self.inner();
        inner.generation += 1;
        inner.make_room();
        inner.results.insert(clause_id, Entry::new(results));
    }

    /// Forgets the results of `clause_id` (another process cast on it).
    pub fn forget_results(&self, clause_id: i64) {
        let mut inner = self.inner();
        inner.generation += 1;
        inner.results.remove(&clause_id);
    }

    /// Changes each time everything is forgotten: while it stays the same, nothing but the
    /// positions of clauses has changed (within [`LIFETIME`]).
    pub fn epoch(&self) -> u64 {
        self.inner().epoch
    }

    /// Forgets everything (anything may have changed).
    pub fn forget(&self) {
        let mut inner = self.inner();
        inner.generation += 1;
        inner.epoch += 1;
        inner.clear();
    }
}

impl<T> Entry<T> {
    fn new(value: T) -> Self {
        Self {
            value,
            filled: Instant::now(),
        }
    }
}

impl Inner {
    fn make_room(&mut self) {
        let len = self.sessions.len() + self.clauses.len() + self.results.len();
        if len + self.comments.len() >= CAPACITY {
            self.clear();
        }
    }

    fn clear(&mut self) {
        self.sessions.clear();
        self.clauses.clear();
        self.results.clear();
        self.comments.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_fill_that_started_before_a_change_is_not_kept() {
        let cache = Cache::default();
        let results = Results::default();
        let before = cache.ticket();
        cache.forget();
        cache.keep_results(before, 7, &results);
        assert!(cache.results(7).is_none());
        let after = cache.ticket();
        cache.keep_results(after, 7, &results);
        assert_eq!(cache.results(7), Some(results));
    }

    #[test]
    fn forgetting_everything_empties_every_map() {
        let cache = Cache::default();
        cache.keep_results(cache.ticket(), 1, &Results::default());
        cache.forget();
        assert!(cache.results(1).is_none());
    }
}
