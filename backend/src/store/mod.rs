//! Storage: one [`Store`] over SQLite (the embedded default) and PostgreSQL, through sqlx's `Any`
//! driver so both run the same SQL and the same test suite. Each query is written out next to
//! the function that runs it; placeholders are `$1`, `$2`, … which both databases accept.
//!
//! This file connects, migrates and holds what every part shares; each family of tables has a
//! file of its own: accounts, sessions, throttle, two_factor, keys; organisations;
//! consultations, setup, participation, invitations; rounds, drafting, clauses, translations;
//! positions, cast (with batch and pg_batch, group commit); comments, moderation, proposals;
//! following (what feeds and calendars read), reminders (e-mail);
//! dashboard, audit, notices (PostgreSQL's); and cache, what one process remembers.

pub use error::{OnConflict, StoreError, database_unavailable, writer_unavailable};
use shared::{Phase, Stance};
use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::{AnyPool, Executor};
use std::collections::HashMap;
use std::str::FromStr;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

mod accounts;
pub mod audit;
mod batch;
pub mod cache;
mod cast;
mod clauses;
mod comments;
mod consultations;
mod dashboard;
mod drafting;
mod error;
mod following;
mod invitations;
mod keys;
mod moderation;
mod notices;
mod organisations;
mod participation;
pub mod passkeys;
mod pg_batch;
mod positions;
mod proposals;
pub mod reminders;
mod rounds;
mod sessions;
pub(crate) mod setup;
mod throttle;
mod translations;
mod two_factor;
pub use accounts::{ADMIN, Account, PARTICIPANT, StoredCredentials};
pub use cast::Counted;
pub(crate) use cast::{INSERT_CHANGE, INSERT_POSITION};
pub use clauses::{ClauseRow, ClauseText};
pub use comments::{Audience, CommentRef};
pub use consultations::Standing;
pub use drafting::{ClauseDraft, UnknownComments};
pub use following::{Change, DAY_MS, DayCount, FollowedRound, GivenResponse, RoundChange};
pub use invitations::InvitationDraft;
pub use keys::RecordKey;
pub use notices::{COMMENT_CHANNEL, FORGET_CHANNEL, TALLY_CHANNEL, TallyNotice};
pub use organisations::RepresentativeOutcome;
pub use participation::ConsultationRef;
use participation::parse_group;
pub(crate) use positions::results_from;
pub use rounds::RoundRow;
pub use sessions::{SESSION_IDLE, SESSION_LIFETIME, StoredSession, session_id};
pub use setup::{FirstRound, NewSetup, Setup};
pub use throttle::SignInFailures;
pub use translations::Translated;
pub use two_factor::{StoredTotp, unusable};

/// Which database a [`Store`] talks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// The database behind Concord; cheap to clone.
#[derive(Clone, Debug)]
pub struct Store {
    pool: AnyPool,
    backend: Backend,
    /// Where the database is, for PostgreSQL notifications (it may hold a password).
    url: DatabaseUrl,
    /// How many times the counts of a clause were read from the database.
    tally_reads: std::sync::Arc<std::sync::atomic::AtomicU64>,
    /// The group-commit writer of positions (SQLite's thread or PostgreSQL's task).
    writer: batch::Writer,
    /// The record signer of [`Store::record_signer`], once read.
    signer: std::sync::Arc<tokio::sync::OnceCell<std::sync::Arc<crate::secrets::Signer>>>,
    /// What TOTP secrets are sealed with ([`Store::use_server_secret`]).
    secret_box: std::sync::Arc<std::sync::OnceLock<crate::secrets::SecretBox>>,
    /// Whether this server sends mail (see [`reminders`]): happenings are written only then.
    mail_on: std::sync::Arc<std::sync::atomic::AtomicBool>,
    /// What this process remembers between requests (see [`cache`]).
    cache: std::sync::Arc<cache::Cache>,
    /// This process among those on one PostgreSQL database, so that it can tell its own
    /// notifications from the others'.
    process: u64,
    /// How many notifications from other processes made this one forget something.
    heard: std::sync::Arc<std::sync::atomic::AtomicU64>,
    /// The SQLite database file; `None` with PostgreSQL.
    sqlite_path: Option<std::path::PathBuf>,
    /// Sessions seen in use and due a new last-seen time, by token digest: written together
    /// now and then by [`Store::keep_seen`], not each on its own request, where it waited on
    /// SQLite's write lock behind the position writer.
    seen: std::sync::Arc<std::sync::Mutex<HashMap<String, i64>>>,
}

/// How often the last-seen times of sessions in use are written.
pub const SEEN_EVERY: Duration = Duration::from_secs(2);

/// A database URL, which `Debug` never prints.
#[derive(Clone)]
struct DatabaseUrl(std::sync::Arc<str>);

impl std::fmt::Debug for DatabaseUrl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("DatabaseUrl(…)")
    }
}

/// Milliseconds since the Unix epoch, now.
pub fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}

/// A duration in milliseconds, as the store keeps times.
pub fn ms(d: Duration) -> i64 {
    i64::try_from(d.as_millis()).unwrap_or(i64::MAX)
}

pub(crate) fn parse_phase(s: &str) -> Result<Phase, StoreError> {
    Phase::parse(s).ok_or_else(|| StoreError::Corrupt(format!("unknown phase {s:?}")))
}

fn parse_stance(s: &str) -> Result<Stance, StoreError> {
    Stance::parse(s).ok_or_else(|| StoreError::Corrupt(format!("unknown stance {s:?}")))
}

fn count(n: i64) -> u64 {
    u64::try_from(n).unwrap_or(0)
}

impl Store {
    /// Connects to `url` (`sqlite://…` or `postgres://…`). A SQLite file is created if missing and
    /// every connection runs in WAL mode with `synchronous=FULL` and foreign keys on, so that an
    /// acknowledged write survives a crash or power cut.
    pub async fn connect(url: &str) -> Result<Self, sqlx::Error> {
        sqlx::any::install_default_drivers();
        let backend = if url.starts_with("sqlite:") {
            Backend::Sqlite
        } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            Backend::Postgres
        } else {
            return Err(sqlx::Error::Configuration(
                "DATABASE_URL must start with sqlite:// or postgres://".into(),
            ));
        };
        let url = if backend == Backend::Sqlite && !url.contains("mode=") {
            let sep = if url.contains('?') { '&' } else { '?' };
            format!("{url}{sep}mode=rwc")
        } else {
            url.to_owned()
        };
        let options = AnyConnectOptions::from_str(&url)?;
        let pool = AnyPoolOptions::new()
            .max_connections(if backend == Backend::Sqlite { 8 } else { 10 })
            // When PostgreSQL is away, say so (503) within seconds rather than hold every
            // request for sqlx's default 30 s; the pool reconnects by itself when it is back.
            .acquire_timeout(Duration::from_secs(if backend == Backend::Sqlite {
                30
            } else {
                3
            }))
            .after_connect(move |conn, _meta| {
                Box::pin(async move {
                    if backend == Backend::Sqlite {
                        // secure_delete: what is deleted (an account's address, say) is
                        // overwritten, not left in free pages of the file.
                        conn.execute(
                            "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; \
                             PRAGMA foreign_keys = ON; PRAGMA secure_delete = ON; PRAGMA busy_timeout = 5000;",
                        )
                        .await?;
                    }
                    Ok(())
                })
            })
            .connect_with(options)
            .await?;
        let tally_reads = std::sync::Arc::<std::sync::atomic::AtomicU64>::default();
        let process = rand::random();
        let (writer, cache, sqlite_path) = match backend {
            Backend::Sqlite => {
                let cache = std::sync::Arc::<cache::Cache>::default();
                let path = sqlx::sqlite::SqliteConnectOptions::from_str(&url)?
                    .get_filename()
                    .to_owned();
                let writer =
                    batch::Writer::start(path.clone(), cache.clone(), tally_reads.clone())?;
                (writer, cache, Some(path))
            }
            // Until this process listens to the others, it remembers nothing ([`Store::hearing`]).
            Backend::Postgres => {
                let cache = std::sync::Arc::new(cache::Cache::deaf());
                let writer = batch::Writer::start_postgres(pg_batch::PgWriter {
                    url: url.clone(),
                    cache: cache.clone(),
                    reads: tally_reads.clone(),
                    process,
                })?;
                (writer, cache, None)
            }
        };
        Ok(Self {
            tally_reads,
            writer,
            cache,
            pool,
            backend,
            url: DatabaseUrl(url.into()),
            signer: std::sync::Arc::default(),
            secret_box: std::sync::Arc::default(),
            mail_on: std::sync::Arc::default(),
            sqlite_path,
            seen: std::sync::Arc::default(),
            process,
            heard: std::sync::Arc::default(),
        })
    }

    /// Writes the last-seen times of the sessions used since the last time, in one transaction.
    pub async fn write_seen(&self) -> Result<(), StoreError> {
        let seen = match self.seen.lock() {
            Ok(mut seen) => std::mem::take(&mut *seen),
            Err(_) => return Ok(()),
        };
        if seen.is_empty() {
            return Ok(());
        }
        let update = |(token_hash, at_ms): (&String, &i64)| {
            sqlx::query(
                "UPDATE sessions SET last_seen_at_ms = $1 \
                 WHERE token_hash = $2 AND last_seen_at_ms < $1",
            )
            .bind(*at_ms)
            .bind(token_hash.clone())
        };
        match self.backend {
            // SQLite: one transaction, so as to wait once for the write lock.
            Backend::Sqlite => {
                let mut tx = self.write_tx().await?;
                for seen in &seen {
                    update(seen).execute(&mut *tx).await?;
                }
                tx.commit().await?;
            }
            // PostgreSQL: one row at a time, so that no two processes writing their sessions'
            // times (or anything else that touches several sessions) can wait on each other.
            Backend::Postgres => {
                for seen in &seen {
                    update(seen).execute(&self.pool).await?;
                }
            }
        }
        Ok(())
    }

    /// Writes sessions' last-seen times every [`SEEN_EVERY`], for as long as the server runs.
    pub async fn keep_seen(self) {
        let mut every = tokio::time::interval(SEEN_EVERY);
        every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            every.tick().await;
            if let Err(e) = self.write_seen().await {
                tracing::warn!(error = %e, "sessions' last-seen times not written; tried again later");
            }
        }
    }

    /// Appends `entry` to the audit log in `tx`, then commits: the change and its record are
    /// durable together or not at all.
    pub(crate) async fn commit_audited(
        &self,
        mut tx: sqlx::Transaction<'static, sqlx::Any>,
        entry: audit::Entry,
    ) -> Result<(), StoreError> {
        audit::append(&mut tx, self.backend, entry).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Forgets what this process remembers, after a write that may have changed anything (see
    /// [`cache`]); with PostgreSQL, tells every other process to forget too. A failure to tell
    /// them is logged: they forget within [`cache::LIFETIME`] anyway.
    pub async fn forget(&self) {
        self.forget_here();
        if self.backend == Backend::Postgres
            && let Err(e) = self.notify(FORGET_CHANNEL, &self.process.to_string()).await
        {
            tracing::warn!(error = %e, "other processes not told to forget");
        }
    }

    fn forget_here(&self) {
        self.cache.forget();
    }

    /// This process's id among those on one database, carried by its notifications.
    pub fn process(&self) -> u64 {
        self.process
    }

    /// With PostgreSQL: whether this process hears the others' notifications. While it does
    /// not, it remembers nothing (it could not know when to forget); when it starts again, it
    /// forgets what it had.
    pub fn hearing(&self, on: bool) {
        self.cache.forget();
        self.cache.trust(on);
    }

    /// Another process wrote: forgets everything (`clause` `None`) or the results of `clause`.
    pub fn heard_write(&self, clause: Option<i64>) {
        match clause {
            None => self.cache.forget(),
            Some(clause_id) => self.cache.forget_results(clause_id),
        }
        self.heard
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    }

    /// Changes whenever anything but a position may have changed (a session ended, a role
    /// taken away); `None` when this process cannot tell (it does not hear the others).
    pub fn epoch(&self) -> Option<u64> {
        self.trusted_cache().map(cache::Cache::epoch)
    }

    /// Whether this process answers from what it remembers (with PostgreSQL, only while it
    /// hears the others).
    pub fn remembering(&self) -> bool {
        self.trusted_cache().is_some()
    }

    /// What this process remembers, while it may answer from it.
    fn trusted_cache(&self) -> Option<&cache::Cache> {
        self.cache.if_trusted()
    }

    /// How many writes of other processes this one has heard of (PostgreSQL).
    pub fn writes_heard(&self) -> u64 {
        self.heard.load(std::sync::atomic::Ordering::Relaxed)
    }

    /// Answers from what this process remembers (`recall`) when it can, otherwise from the
    /// database (`fetch`), and remembers that answer (`keep`) unless a write came in between.
    async fn remembered<T>(
        &self,
        recall: impl FnOnce(&cache::Cache) -> Option<T>,
        fetch: impl Future<Output = Result<T, StoreError>>,
        keep: impl FnOnce(&cache::Cache, cache::Ticket, &T),
    ) -> Result<T, StoreError> {
        let Some(cache) = self.trusted_cache() else {
            return fetch.await;
        };
        if let Some(value) = recall(cache) {
            return Ok(value);
        }
        let ticket = cache.ticket();
        let value = fetch.await?;
        keep(cache, ticket, &value);
        Ok(value)
    }

    /// How many times this store has read the counts of a clause from the database (not from
    /// what it remembers): a cast reads them once, in its own write, and nothing after.
    pub fn tally_reads(&self) -> u64 {
        self.tally_reads.load(std::sync::atomic::Ordering::Relaxed)
    }

    fn count_tally_read(&self) {
        self.tally_reads
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    }

    /// The database URL, for a listener of PostgreSQL notifications.
    pub fn url(&self) -> &str {
        &self.url.0
    }

    /// Which database this store uses.
    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// Begins a transaction that will write. On SQLite it takes the write lock at once
    /// (`BEGIN IMMEDIATE`), waiting its turn under the busy timeout: a transaction that read
    /// first and then tried to write could otherwise fail when another wrote in between.
    pub async fn write_tx(&self) -> Result<sqlx::Transaction<'static, sqlx::Any>, sqlx::Error> {
        match self.backend {
            Backend::Sqlite => self.pool.begin_with("BEGIN IMMEDIATE").await,
            Backend::Postgres => self.pool.begin().await,
        }
    }

    /// Applies the migrations not yet applied.
    pub async fn migrate(&self) -> Result<(), sqlx::migrate::MigrateError> {
        match self.backend {
            Backend::Sqlite => sqlx::migrate!("migrations/sqlite").run(&self.pool).await,
            Backend::Postgres => sqlx::migrate!("migrations/postgres").run(&self.pool).await,
        }
    }

    /// Whether the database answers and has every migration this binary carries applied.
    pub async fn ready(&self) -> Result<bool, StoreError> {
        let migrator = match self.backend {
            Backend::Sqlite => sqlx::migrate!("migrations/sqlite"),
            Backend::Postgres => sqlx::migrate!("migrations/postgres"),
        };
        let latest = migrator.iter().map(|m| m.version).max();
        let applied: Option<i64> =
            sqlx::query_scalar("SELECT MAX(version) FROM _sqlx_migrations WHERE success")
                .fetch_one(&self.pool)
                .await?;
        Ok(applied == latest)
    }

    /// Writes a consistent copy of this SQLite database to `path` (`VACUUM INTO`).
    pub async fn vacuum_into(&self, path: &str) -> Result<(), StoreError> {
        sqlx::query("VACUUM INTO $1")
            .bind(path)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Closes every connection (at shutdown).
    pub async fn close(&self) {
        self.pool.close().await;
    }

    /// The connection pool, for what reads the database its own way (a record's snapshot).
    pub(crate) fn pool(&self) -> &AnyPool {
        &self.pool
    }

    /// The SQLite database file; `None` with PostgreSQL.
    pub(crate) fn sqlite_path(&self) -> Option<&std::path::Path> {
        self.sqlite_path.as_deref()
    }
}

#[cfg(test)]
mod tests {
    use super::DatabaseUrl;

    #[test]
    fn debug_output_never_shows_the_database_url() {
        let url = DatabaseUrl("postgres://concord:secret@db/concord".into());
        assert!(!format!("{url:?}").contains("secret"));
    }
}
