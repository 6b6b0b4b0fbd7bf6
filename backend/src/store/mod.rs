//! Storage: one [`Store`] over SQLite (the embedded default) and PostgreSQL, through sqlx's `Any`
//! driver so both run the same SQL and the same test suite. Each query is written out next to
//! the function that runs it; placeholders are `$1`, `$2`, … which both databases accept.

use crate::refusal::Refusal;
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
pub use error::{OnConflict, StoreError, database_unavailable, writer_unavailable};
use shared::{
    AccountExport, ClauseRef, ExportedComment, ExportedFlag, ExportedPosition, ExportedProposal,
    Membership, MembershipRequest, MembershipStatus, Organisation, Phase, ProposalKind, Stance,
};
use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::{AnyPool, Executor, FromRow};
use std::collections::HashMap;
use std::str::FromStr;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

pub mod audit;
mod batch;
pub mod cache;
mod cast;
mod dashboard;
mod deliberation;
mod drafting;
mod error;
mod participation;
mod review;
pub(crate) mod setup;
pub(crate) use cast::{INSERT_CHANGE, INSERT_POSITION};
pub use deliberation::{Audience, CommentRef};
pub use drafting::{ClauseDraft, Translated, UnknownComments};
use participation::parse_group;
pub use participation::{ConsultationRef, InvitationDraft, RepresentativeOutcome};
pub(crate) use review::results_from as review_results_from;
pub use review::{ClauseRow, ClauseText, RoundRow, Standing};
pub use setup::{FirstRound, NewSetup, Setup};

/// A session ends after this long without use (ASVS 7.3.1).
pub const SESSION_IDLE: Duration = Duration::from_secs(7 * 24 * 3600);
/// A session ends this long after sign-in whatever its use (ASVS 7.3.2).
pub const SESSION_LIFETIME: Duration = Duration::from_secs(30 * 24 * 3600);

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
    /// SQLite's group-commit writer of positions; `None` with PostgreSQL.
    writer: Option<batch::Writer>,
    /// The record signer of [`Store::record_signer`], once read.
    signer: std::sync::Arc<tokio::sync::OnceCell<std::sync::Arc<crate::record::bundle::Signer>>>,
    /// What TOTP secrets are sealed with ([`Store::use_server_secret`]).
    secret_box: std::sync::Arc<std::sync::OnceLock<crate::secrets::SecretBox>>,
    /// What this process remembers between requests; `None` with PostgreSQL.
    cache: Option<std::sync::Arc<cache::Cache>>,
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

/// An account as the session layer sees it.
#[derive(Debug, Clone, FromRow)]
pub struct Account {
    pub id: i64,
    pub handle: String,
    /// `participant` or `admin`.
    pub role: String,
}

/// Ends every session of `account_id` but the one whose token digest is `current`: what a
/// change of password or second factor does, so that whoever held another session (a stolen
/// one) must sign in again with the new credentials.
async fn end_other_sessions(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    account_id: i64,
    current: &str,
) -> Result<(), StoreError> {
    sqlx::query("DELETE FROM sessions WHERE account_id = $1 AND token_hash <> $2")
        .bind(account_id)
        .bind(current)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// The digest under which a deleted account's handle is kept from being chosen again.
fn retired_handle_digest(handle: &str) -> String {
    use sha2::{Digest, Sha256};
    Sha256::digest(handle.to_lowercase().as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Counts of recent failed sign-ins, see [`Store::sign_in_failures`].
#[derive(Debug, Clone, Copy, FromRow)]
pub struct SignInFailures {
    pub pair: i64,
    pub handle: i64,
    pub address: i64,
}

/// How much of a session's digest identifies it to its owner (96 bits).
const SESSION_ID_LEN: usize = 16;

/// The id under which a session is shown to its owner: the start of its token's digest, which
/// says nothing usable about the token itself.
pub fn session_id(token_hash: &str) -> String {
    token_hash.chars().take(SESSION_ID_LEN).collect()
}

/// A session as stored (its token only as a digest).
#[derive(Debug, Clone, FromRow)]
pub struct StoredSession {
    pub token_hash: String,
    pub created_at_ms: i64,
    pub last_seen_at_ms: i64,
}

/// An account's TOTP settings as stored.
#[derive(Debug, Clone, FromRow)]
pub struct StoredTotp {
    pub secret_base32: String,
    pub confirmed_at_ms: Option<i64>,
    pub last_step: i64,
}

/// The credentials stored for an account.
#[derive(Debug, FromRow)]
pub struct StoredCredentials {
    pub id: i64,
    pub password_hash: String,
    pub role: String,
}

impl Account {
    /// Whether the account administers this Concord (acting as such also needs two factors).
    pub fn is_admin(&self) -> bool {
        self.role == ADMIN
    }
}

/// The role of an administrator.
pub const ADMIN: &str = "admin";
/// The role of everyone else.
pub const PARTICIPANT: &str = "participant";

fn parse_phase(s: &str) -> Result<Phase, StoreError> {
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
                        conn.execute(
                            "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; \
                             PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 5000;",
                        )
                        .await?;
                    }
                    Ok(())
                })
            })
            .connect_with(options)
            .await?;
        let (writer, cache, sqlite_path) = match backend {
            Backend::Sqlite => {
                let cache = std::sync::Arc::<cache::Cache>::default();
                let path = sqlx::sqlite::SqliteConnectOptions::from_str(&url)?
                    .get_filename()
                    .to_owned();
                let writer = batch::Writer::start(path.clone(), cache.clone())?;
                (Some(writer), Some(cache), Some(path))
            }
            Backend::Postgres => (None, None, None),
        };
        Ok(Self {
            writer,
            cache,
            pool,
            backend,
            url: DatabaseUrl(url.into()),
            signer: std::sync::Arc::default(),
            secret_box: std::sync::Arc::default(),
            sqlite_path,
            seen: std::sync::Arc::default(),
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
        let mut tx = self.write_tx().await?;
        for (token_hash, at_ms) in &seen {
            sqlx::query(
                "UPDATE sessions SET last_seen_at_ms = $1 \
                 WHERE token_hash = $2 AND last_seen_at_ms < $1",
            )
            .bind(at_ms)
            .bind(token_hash)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
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

    /// Forgets what this process remembers, after a write that may have changed anything
    /// (see [`cache`]).
    pub fn forget(&self) {
        if let Some(cache) = &self.cache {
            cache.forget();
        }
    }

    /// Answers from what this process remembers (`recall`) when it can, otherwise from the
    /// database (`fetch`), and remembers that answer (`keep`) unless a write came in between.
    async fn remembered<T>(
        &self,
        recall: impl FnOnce(&cache::Cache) -> Option<T>,
        fetch: impl Future<Output = Result<T, StoreError>>,
        keep: impl FnOnce(&cache::Cache, cache::Ticket, &T),
    ) -> Result<T, StoreError> {
        let Some(cache) = &self.cache else {
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

    // ---- accounts and sessions -------------------------------------------------------------

    /// Creates an account; a taken handle is [`Refusal::HandleTaken`].
    pub async fn create_account(
        &self,
        handle: &str,
        password_hash: &str,
    ) -> Result<i64, StoreError> {
        let mut tx = self.write_tx().await?;
        let retired: Option<String> =
            sqlx::query_scalar("SELECT digest FROM retired_handles WHERE digest = $1")
                .bind(retired_handle_digest(handle))
                .fetch_optional(&mut *tx)
                .await?;
        if retired.is_some() {
            return Err(Refusal::HandleTaken.into());
        }
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO accounts (handle, password_hash, created_at_ms) VALUES ($1, $2, $3) \
             RETURNING id",
        )
        .bind(handle)
        .bind(password_hash)
        .bind(now_ms())
        .fetch_one(&mut *tx)
        .await
        .on_conflict(Refusal::HandleTaken)?;
        let entry = audit::Entry::new(Some(id), "account.created", format!("account:{id}"));
        self.commit_audited(tx, entry).await?;
        Ok(id)
    }

    /// The stored credentials of `handle`, if such an account exists.
    pub async fn credentials(&self, handle: &str) -> Result<Option<StoredCredentials>, StoreError> {
        Ok(sqlx::query_as(
            "SELECT id, password_hash, role FROM accounts WHERE handle = $1 AND deleted_at_ms IS NULL",
        )
        .bind(handle)
        .fetch_optional(&self.pool)
        .await?)
    }

    /// Failed sign-ins since `since_ms`: for this handle from this address, for this handle from
    /// anywhere, and from this address for any handle.
    pub async fn sign_in_failures(
        &self,
        handle_key: &str,
        address: &str,
        since_ms: i64,
    ) -> Result<SignInFailures, StoreError> {
        Ok(sqlx::query_as(
            "SELECT \
               (SELECT COUNT(*) FROM sign_in_failures \
                 WHERE handle_key = $1 AND address = $2 AND at_ms >= $3) AS pair, \
               (SELECT COUNT(*) FROM sign_in_failures WHERE handle_key = $1 AND at_ms >= $3) AS handle, \
               (SELECT COUNT(*) FROM sign_in_failures WHERE address = $2 AND at_ms >= $3) AS address",
        )
        .bind(handle_key)
        .bind(address)
        .bind(since_ms)
        .fetch_one(&self.pool)
        .await?)
    }

    /// Records a failed sign-in and forgets those older than `forget_before_ms`.
    pub async fn record_sign_in_failure(
        &self,
        handle_key: &str,
        address: &str,
        forget_before_ms: i64,
    ) -> Result<(), StoreError> {
        let mut tx = self.write_tx().await?;
        sqlx::query("DELETE FROM sign_in_failures WHERE at_ms < $1")
            .bind(forget_before_ms)
            .execute(&mut *tx)
            .await?;
        sqlx::query(
            "INSERT INTO sign_in_failures (handle_key, address, at_ms) VALUES ($1, $2, $3)",
        )
        .bind(handle_key)
        .bind(address)
        .bind(now_ms())
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Forgets the failed sign-ins of this handle from this address (after a success).
    pub async fn clear_sign_in_failures(
        &self,
        handle_key: &str,
        address: &str,
    ) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM sign_in_failures WHERE handle_key = $1 AND address = $2")
            .bind(handle_key)
            .bind(address)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Counts a sign-up from `address` unless `limit` came from it in the last minute already;
    /// answers whether it was counted. Forgets sign-ups older than an hour.
    pub async fn count_sign_up(&self, address: &str, limit: u32) -> Result<bool, StoreError> {
        let now = now_ms();
        let mut tx = self.write_tx().await?;
        sqlx::query("DELETE FROM sign_ups WHERE at_ms < $1")
            .bind(now - 60 * 60 * 1000)
            .execute(&mut *tx)
            .await?;
        let recent: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM sign_ups WHERE address = $1 AND at_ms >= $2")
                .bind(address)
                .bind(now - 60 * 1000)
                .fetch_one(&mut *tx)
                .await?;
        if recent >= i64::from(limit) {
            return Ok(false);
        }
        sqlx::query("INSERT INTO sign_ups (address, at_ms) VALUES ($1, $2)")
            .bind(address)
            .bind(now)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(true)
    }

    /// An account's wrong second-factor codes since the last accepted one, and when the last
    /// came.
    pub async fn second_factor_failures(
        &self,
        account_id: i64,
    ) -> Result<(i64, Option<i64>), StoreError> {
        Ok(sqlx::query_as(
            "SELECT second_factor_failures, second_factor_failed_at_ms FROM accounts WHERE id = $1",
        )
        .bind(account_id)
        .fetch_one(&self.pool)
        .await?)
    }

    /// Counts a wrong second-factor code of `account_id`; the count reaching `locks_at` enters
    /// the audit log as the second factor's lock. Gives the new count.
    pub async fn record_second_factor_failure(
        &self,
        account_id: i64,
        locks_at: i64,
    ) -> Result<i64, StoreError> {
        let mut tx = self.write_tx().await?;
        let failures: i64 = sqlx::query_scalar(
            "UPDATE accounts SET second_factor_failures = second_factor_failures + 1, \
             second_factor_failed_at_ms = $1 WHERE id = $2 RETURNING second_factor_failures",
        )
        .bind(now_ms())
        .bind(account_id)
        .fetch_one(&mut *tx)
        .await?;
        if failures == locks_at {
            let entry = audit::Entry::new(
                None,
                "account.second_factor_locked",
                format!("account:{account_id}"),
            )
            .with(serde_json::json!({ "failures": failures }));
            self.commit_audited(tx, entry).await?;
        } else {
            tx.commit().await?;
        }
        Ok(failures)
    }

    /// Forgets an account's wrong second-factor codes, once one is accepted.
    pub async fn clear_second_factor_failures(&self, account_id: i64) -> Result<(), StoreError> {
        sqlx::query(
            "UPDATE accounts SET second_factor_failures = 0, second_factor_failed_at_ms = NULL \
             WHERE id = $1 AND second_factor_failures > 0",
        )
        .bind(account_id)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// The key under which network addresses are turned into pseudonyms for throttling: derived
    /// from the server secret, which every process shares and the database does not hold.
    pub async fn address_key(&self) -> Result<Vec<u8>, StoreError> {
        Ok(self.secret_box()?.address_key().to_vec())
    }

    /// The key under which records name people by pseudonym ([`crate::record`]).
    pub async fn pseudonym_key(&self) -> Result<Vec<u8>, StoreError> {
        self.random_key("record_pseudonyms").await
    }

    /// 32 random bytes kept under `name`, made on first use.
    async fn random_key(&self, name: &str) -> Result<Vec<u8>, StoreError> {
        let mut fresh = [0u8; 32];
        rand::RngCore::fill_bytes(&mut rand::rng(), &mut fresh);
        let stored = self.server_key(name, &fresh).await?;
        Ok(stored)
    }

    /// Signs records with `signer` (read from the key file when the process starts).
    pub fn use_signer(&self, signer: std::sync::Arc<crate::record::bundle::Signer>) {
        // A second call keeps the first key: one process signs with one key.
        let _ = self.signer.set(signer);
    }

    /// The key that signs this instance's records, given by [`Store::use_signer`].
    pub async fn record_signer(
        &self,
    ) -> Result<std::sync::Arc<crate::record::bundle::Signer>, StoreError> {
        self.signer.get().cloned().ok_or_else(|| {
            StoreError::Internal(anyhow::anyhow!(
                "no record-signing key was given to this process"
            ))
        })
    }

    /// The record-signing key as earlier versions kept it, in the database (an unencrypted
    /// minisign key box), with when it was made; `None` once moved out.
    pub async fn kept_record_key(&self) -> Result<Option<(String, i64)>, StoreError> {
        let row: Option<(String, i64)> = sqlx::query_as(
            "SELECT key_base64, created_at_ms FROM server_keys WHERE name = 'record_signing'",
        )
        .fetch_optional(&self.pool)
        .await?;
        row.map(|(kept, at)| {
            let kept = STANDARD
                .decode(kept)
                .ok()
                .and_then(|bytes| String::from_utf8(bytes).ok())
                .ok_or_else(|| StoreError::Corrupt("record signing key".to_owned()))?;
            Ok((kept, at))
        })
        .transpose()
    }

    /// Deletes the record-signing key kept in the database, once it is safe in its file,
    /// and lists its public half as having signed since `since_ms`.
    pub async fn forget_kept_record_key(
        &self,
        signer: &crate::record::bundle::Signer,
        since_ms: i64,
    ) -> Result<(), StoreError> {
        let mut tx = self.write_tx().await?;
        Self::list_record_key(&mut tx, signer, since_ms).await?;
        sqlx::query("DELETE FROM server_keys WHERE name = 'record_signing'")
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Lists `signer`'s public key as the one in use from now, the one before it as having
    /// signed until now. A key that was retired is refused: signing with it again would make
    /// its dates lie.
    pub async fn register_record_key(
        &self,
        signer: &crate::record::bundle::Signer,
    ) -> Result<(), StoreError> {
        let mut tx = self.write_tx().await?;
        let key_id = signer.key_id();
        let until: Option<Option<i64>> =
            sqlx::query_scalar("SELECT signed_until_ms FROM record_keys WHERE key_id = $1")
                .bind(&key_id)
                .fetch_optional(&mut *tx)
                .await?;
        match until {
            Some(None) => return Ok(()),
            Some(Some(_)) => {
                return Err(StoreError::Internal(anyhow::anyhow!(
                    "the record key {key_id} was replaced by a newer one; sign with the \
                     newest key, or make a new one with `concord keygen`"
                )));
            }
            None => {}
        }
        let now = now_ms();
        sqlx::query("UPDATE record_keys SET signed_until_ms = $1 WHERE signed_until_ms IS NULL")
            .bind(now)
            .execute(&mut *tx)
            .await?;
        Self::list_record_key(&mut tx, signer, now).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn list_record_key(
        tx: &mut sqlx::Transaction<'static, sqlx::Any>,
        signer: &crate::record::bundle::Signer,
        since_ms: i64,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO record_keys (key_id, public_key, signed_from_ms) VALUES ($1, $2, $3) \
             ON CONFLICT (key_id) DO NOTHING",
        )
        .bind(signer.key_id())
        .bind(signer.public_key_line().map_err(StoreError::Internal)?)
        .bind(since_ms)
        .execute(&mut **tx)
        .await?;
        Ok(())
    }

    /// Every key that has signed this instance's records, the one in use first.
    pub async fn record_keys(&self) -> Result<Vec<RecordKey>, StoreError> {
        let rows: Vec<(String, String, i64, Option<i64>)> = sqlx::query_as(
            "SELECT key_id, public_key, signed_from_ms, signed_until_ms FROM record_keys \
             ORDER BY signed_until_ms IS NOT NULL, signed_from_ms DESC",
        )
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .into_iter()
            .map(|(key_id, public_key, from_ms, until_ms)| RecordKey {
                key_id,
                public_key,
                from_ms,
                until_ms,
            })
            .collect())
    }

    /// The secret kept under `name` in `server_keys`; `fresh` is stored first if there is
    /// none (when several processes race, the first one's stays).
    async fn server_key(&self, name: &str, fresh: &[u8]) -> Result<Vec<u8>, StoreError> {
        sqlx::query(
            "INSERT INTO server_keys (name, key_base64, created_at_ms) VALUES ($1, $2, $3) \
             ON CONFLICT (name) DO NOTHING",
        )
        .bind(name)
        .bind(STANDARD.encode(fresh))
        .bind(now_ms())
        .execute(&self.pool)
        .await?;
        let stored: String =
            sqlx::query_scalar("SELECT key_base64 FROM server_keys WHERE name = $1")
                .bind(name)
                .fetch_one(&self.pool)
                .await?;
        STANDARD
            .decode(stored)
            .map_err(|e| StoreError::Corrupt(format!("server key {name}: {e}")))
    }

    /// A read-only snapshot of the database for an export.
    pub async fn record_source(
        &self,
    ) -> Result<Box<dyn crate::record::source::Source>, StoreError> {
        use crate::record::source::{PostgresSource, SqliteSource};
        let source: Box<dyn crate::record::source::Source> = match &self.sqlite_path {
            Some(path) => Box::new(SqliteSource::open(path).map_err(StoreError::Internal)?),
            None => Box::new(
                PostgresSource::begin(&self.pool)
                    .await
                    .map_err(StoreError::Internal)?,
            ),
        };
        Ok(source)
    }

    /// Records a new session for `account_id` under the hash of its token.
    pub async fn create_session(
        &self,
        token_hash: &str,
        account_id: i64,
    ) -> Result<(), StoreError> {
        let now = now_ms();
        sqlx::query(
            "INSERT INTO sessions (token_hash, account_id, created_at_ms, last_seen_at_ms) \
             VALUES ($1, $2, $3, $3)",
        )
        .bind(token_hash)
        .bind(account_id)
        .bind(now)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// The account of a live session, refreshing its idle clock at most once a minute (so that
    /// reading pages does not cost a durable write each time); an expired session is deleted.
    pub async fn session_account(&self, token_hash: &str) -> Result<Option<Account>, StoreError> {
        self.remembered(
            |cache| cache.session(token_hash).map(Some),
            self.stored_session_account(token_hash),
            |cache, ticket, account| {
                if let Some(account) = account {
                    cache.keep_session(ticket, token_hash, account);
                }
            },
        )
        .await
    }

    /// [`Store::session_account`] from the database.
    async fn stored_session_account(
        &self,
        token_hash: &str,
    ) -> Result<Option<Account>, StoreError> {
        #[derive(FromRow)]
        struct Row {
            id: i64,
            handle: String,
            role: String,
            created_at_ms: i64,
            last_seen_at_ms: i64,
        }
        let now = now_ms();
        let Some(row): Option<Row> = sqlx::query_as(
            "SELECT a.id, a.handle, a.role, s.created_at_ms, s.last_seen_at_ms \
             FROM sessions s JOIN accounts a ON a.id = s.account_id WHERE s.token_hash = $1",
        )
        .bind(token_hash)
        .fetch_optional(&self.pool)
        .await?
        else {
            return Ok(None);
        };
        if row.last_seen_at_ms < now - ms(SESSION_IDLE)
            || row.created_at_ms < now - ms(SESSION_LIFETIME)
        {
            self.delete_session(token_hash).await?;
            return Ok(None);
        }
        if row.last_seen_at_ms < now - 60_000
            && let Ok(mut seen) = self.seen.lock()
        {
            seen.insert(token_hash.to_owned(), now);
        }
        Ok(Some(Account {
            id: row.id,
            handle: row.handle,
            role: row.role,
        }))
    }

    /// The sessions of an account, most recently used first.
    pub async fn sessions_of(&self, account_id: i64) -> Result<Vec<StoredSession>, StoreError> {
        Ok(sqlx::query_as(
            "SELECT token_hash, created_at_ms, last_seen_at_ms FROM sessions \
             WHERE account_id = $1 ORDER BY last_seen_at_ms DESC",
        )
        .bind(account_id)
        .fetch_all(&self.pool)
        .await?)
    }

    /// Ends the session of `account_id` whose id (see [`session_id`]) is `id`; whether one was.
    pub async fn end_session_of(&self, account_id: i64, id: &str) -> Result<bool, StoreError> {
        if id.len() != SESSION_ID_LEN {
            return Ok(false);
        }
        let ended = sqlx::query(&format!(
            "DELETE FROM sessions WHERE account_id = $1 AND substr(token_hash, 1, {SESSION_ID_LEN}) = $2"
        ))
        .bind(account_id)
        .bind(id)
        .execute(&self.pool)
        .await?;
        Ok(ended.rows_affected() > 0)
    }

    /// The password hash of an account.
    pub async fn password_hash(&self, account_id: i64) -> Result<String, StoreError> {
        Ok(
            sqlx::query_scalar("SELECT password_hash FROM accounts WHERE id = $1")
                .bind(account_id)
                .fetch_one(&self.pool)
                .await?,
        )
    }

    /// Replaces an account's password; with `keep_only`, also ends every other session.
    pub async fn change_password(
        &self,
        account_id: i64,
        password_hash: &str,
        keep_only: Option<&str>,
    ) -> Result<(), StoreError> {
        let mut tx = self.write_tx().await?;
        sqlx::query("UPDATE accounts SET password_hash = $1 WHERE id = $2")
            .bind(password_hash)
            .bind(account_id)
            .execute(&mut *tx)
            .await?;
        if let Some(current) = keep_only {
            end_other_sessions(&mut tx, account_id, current).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Deletes an account: its handle, password and sessions go, and so do its positions in
    /// rounds that are not closed; its comments stay (as a former participant's) and its
    /// positions stay in closed tallies, linked only to an anonymous tombstone.
    pub async fn delete_account(&self, account_id: i64) -> Result<(), StoreError> {
        // Open: neither closed nor published, nor past a scheduled close (a number of ours,
        // written into the SQL).
        let open_rounds = format!(
            "SELECT k.id FROM clauses k JOIN rounds r ON r.id = k.round_id \
             WHERE r.phase NOT IN ('closed', 'published') \
               AND (r.closing_at_ms IS NULL OR r.closing_at_ms > {})",
            now_ms()
        );
        let mut tx = self.write_tx().await?;
        for sql in [
            // The withdrawn positions leave the counts too.
            format!(
                "UPDATE tally_counts SET n = n - (SELECT COUNT(*) FROM positions p \
                   WHERE p.account_id = $1 AND p.clause_id = tally_counts.clause_id \
                     AND p.stance = tally_counts.stance \
                     AND p.stakeholder_group = tally_counts.stakeholder_group \
                     AND p.region = tally_counts.region) \
                 WHERE clause_id IN ({open_rounds})"
            ),
            format!("DELETE FROM positions WHERE account_id = $1 AND clause_id IN ({open_rounds})"),
            format!(
                "DELETE FROM position_changes WHERE account_id = $1 AND clause_id IN ({open_rounds})"
            ),
            "DELETE FROM sessions WHERE account_id = $1".to_owned(),
            "DELETE FROM pending_sign_ins WHERE account_id = $1".to_owned(),
            "DELETE FROM totp_secrets WHERE account_id = $1".to_owned(),
            "DELETE FROM recovery_codes WHERE account_id = $1".to_owned(),
            "DELETE FROM memberships WHERE account_id = $1".to_owned(),
            "DELETE FROM conveners WHERE account_id = $1".to_owned(),
            "UPDATE organisations SET representative_id = NULL WHERE representative_id = $1"
                .to_owned(),
        ] {
            sqlx::query(&sql).bind(account_id).execute(&mut *tx).await?;
        }
        // The handle stays someone else's for good: only its digest is kept for that.
        let handle: String = sqlx::query_scalar("SELECT handle FROM accounts WHERE id = $1")
            .bind(account_id)
            .fetch_one(&mut *tx)
            .await?;
        sqlx::query(
            "INSERT INTO retired_handles (digest) \
             SELECT $1 WHERE NOT EXISTS (SELECT 1 FROM retired_handles WHERE digest = $1)",
        )
        .bind(retired_handle_digest(&handle))
        .execute(&mut *tx)
        .await?;
        // '~' cannot start a handle, so the tombstone can never be signed into or chosen.
        sqlx::query(
            "UPDATE accounts SET handle = '~deleted-' || CAST(id AS TEXT), password_hash = '', \
             shown_organisation_id = NULL, deleted_at_ms = $1 WHERE id = $2",
        )
        .bind(now_ms())
        .bind(account_id)
        .execute(&mut *tx)
        .await?;
        // History stays as it was; the deletion is one more entry.
        let entry = audit::Entry::new(
            Some(account_id),
            "account.deleted",
            format!("account:{account_id}"),
        );
        audit::append(&mut tx, self.backend, entry).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Everything stored about an account, for its owner.
    pub async fn export(&self, account: &Account) -> Result<AccountExport, StoreError> {
        #[derive(FromRow)]
        struct Written {
            consultation: String,
            round: String,
            clause: String,
            body: String,
            at_ms: i64,
            reason: Option<String>,
            receipt: String,
        }
        let place = "FROM clauses k JOIN rounds r ON r.id = k.round_id \
                     JOIN consultations c ON c.id = r.consultation_id";
        let created_at_ms: i64 =
            sqlx::query_scalar("SELECT created_at_ms FROM accounts WHERE id = $1")
                .bind(account.id)
                .fetch_one(&self.pool)
                .await?;
        let comments: Vec<Written> = sqlx::query_as(&format!(
            "SELECT c.slug AS consultation, r.slug AS round, k.key AS clause, m.body, \
                    m.created_at_ms AS at_ms, NULL AS reason, '' AS receipt \
             {place} JOIN comments m ON m.clause_id = k.id WHERE m.account_id = $1 ORDER BY m.id"
        ))
        .bind(account.id)
        .fetch_all(&self.pool)
        .await?;
        let positions: Vec<Written> = sqlx::query_as(&format!(
            "SELECT c.slug AS consultation, r.slug AS round, k.key AS clause, p.stance AS body, \
                    p.cast_at_ms AS at_ms, p.reason, p.receipt \
             {place} JOIN position_changes p ON p.clause_id = k.id \
             WHERE p.account_id = $1 ORDER BY p.id"
        ))
        .bind(account.id)
        .fetch_all(&self.pool)
        .await?;
        let on = |w: &Written| ClauseRef {
            consultation: w.consultation.clone(),
            round: w.round.clone(),
            clause: w.clause.clone(),
        };
        #[derive(FromRow)]
        struct Proposed {
            consultation: String,
            round: String,
            clause: String,
            kind: String,
            title: String,
            body_md: String,
            proposed_at_ms: Option<i64>,
        }
        let proposals: Vec<Proposed> = sqlx::query_as(
            "SELECT c.slug AS consultation, r.slug AS round, k.key AS clause, k.kind, \
                        k.title, k.body_md, k.proposed_at_ms \
                 FROM clauses k JOIN rounds r ON r.id = k.round_id \
                 JOIN consultations c ON c.id = r.consultation_id \
                 WHERE k.proposed_by = $1 ORDER BY k.id",
        )
        .bind(account.id)
        .fetch_all(&self.pool)
        .await?;
        let flags: Vec<(i64, String, i64)> = sqlx::query_as(
            "SELECT comment_id, reason, flagged_at_ms FROM comment_flags WHERE account_id = $1 \
             ORDER BY flagged_at_ms",
        )
        .bind(account.id)
        .fetch_all(&self.pool)
        .await?;
        Ok(AccountExport {
            proposals: proposals
                .into_iter()
                .map(|p| {
                    Ok(ExportedProposal {
                        kind: ProposalKind::parse(&p.kind).ok_or_else(|| {
                            StoreError::Corrupt(format!("unknown proposal kind {:?}", p.kind))
                        })?,
                        on: ClauseRef {
                            consultation: p.consultation,
                            round: p.round,
                            clause: p.clause,
                        },
                        title: p.title,
                        body_md: p.body_md,
                        proposed_at_ms: p.proposed_at_ms.unwrap_or_default(),
                    })
                })
                .collect::<Result<_, StoreError>>()?,
            flags: flags
                .into_iter()
                .map(|(comment_id, reason, flagged_at_ms)| ExportedFlag {
                    comment_id,
                    reason,
                    flagged_at_ms,
                })
                .collect(),
            handle: account.handle.clone(),
            created_at_ms,
            sessions: Vec::new(),
            memberships: self.memberships_of(account.id).await?,
            participations: self.participations(account.id).await?,
            convenes: self.convenes(account.id).await?,
            shown_organisation: self.shown_organisation(account.id).await?,
            comments: comments
                .iter()
                .map(|w| ExportedComment {
                    on: on(w),
                    body: w.body.clone(),
                    created_at_ms: w.at_ms,
                })
                .collect(),
            positions: positions
                .iter()
                .map(|w| {
                    Ok(ExportedPosition {
                        on: on(w),
                        stance: parse_stance(&w.body)?,
                        reason: w.reason.clone(),
                        cast_at_ms: w.at_ms,
                        receipt: w.receipt.clone(),
                    })
                })
                .collect::<Result<_, StoreError>>()?,
        })
    }

    // ---- two-factor sign-in --------------------------------------------------------------

    /// Seals TOTP secrets with `secret_box` (the server secret's, read when the process starts).
    pub fn use_server_secret(&self, secret_box: crate::secrets::SecretBox) {
        // A second call keeps the first: one process, one server secret.
        let _ = self.secret_box.set(secret_box);
    }

    fn secret_box(&self) -> Result<&crate::secrets::SecretBox, StoreError> {
        self.secret_box.get().ok_or_else(|| {
            StoreError::Internal(anyhow::anyhow!(
                "no server secret was given to this process"
            ))
        })
    }

    /// Seals every TOTP secret an earlier version stored plainly; how many. All or none.
    pub async fn seal_plain_totp_secrets(&self) -> Result<usize, StoreError> {
        let secret_box = self.secret_box()?;
        let mut tx = self.write_tx().await?;
        let plain: Vec<(i64, String)> =
            sqlx::query_as("SELECT account_id, secret_base32 FROM totp_secrets")
                .fetch_all(&mut *tx)
                .await?;
        let mut sealed = 0;
        for (account_id, secret) in plain {
            if crate::secrets::is_sealed(&secret) {
                continue;
            }
            sqlx::query("UPDATE totp_secrets SET secret_base32 = $1 WHERE account_id = $2")
                .bind(secret_box.seal(account_id, &secret)?)
                .bind(account_id)
                .execute(&mut *tx)
                .await?;
            sealed += 1;
        }
        tx.commit().await?;
        Ok(sealed)
    }

    /// Whether the server secret opens the stored second-factor secrets (tried on one; `true`
    /// when there are none): `false` says the secret was changed.
    pub async fn server_secret_opens(&self) -> Result<bool, StoreError> {
        let row: Option<(i64, String)> =
            sqlx::query_as("SELECT account_id, secret_base32 FROM totp_secrets LIMIT 1")
                .fetch_optional(&self.pool)
                .await?;
        Ok(match row {
            Some((account_id, sealed)) => self.secret_box()?.open(account_id, &sealed).is_some(),
            None => true,
        })
    }

    /// How many TOTP secrets are stored sealed, and how many plainly (by an earlier version).
    pub async fn totp_secrets_stored(&self) -> Result<(i64, i64), StoreError> {
        let all: Vec<String> = sqlx::query_scalar("SELECT secret_base32 FROM totp_secrets")
            .fetch_all(&self.pool)
            .await?;
        let sealed = all.iter().filter(|s| crate::secrets::is_sealed(s)).count() as i64;
        Ok((sealed, all.len() as i64 - sealed))
    }

    /// The account's TOTP secret (opened), whether it is confirmed, and the last step accepted.
    /// A secret that does not open under this server secret (it was changed, or the row was
    /// copied from another account) is logged here and answered as unavailable: the client
    /// learns nothing of why, and may use a recovery code.
    pub async fn totp_secret(&self, account_id: i64) -> Result<Option<StoredTotp>, StoreError> {
        let stored: Option<StoredTotp> = sqlx::query_as(
            "SELECT secret_base32, confirmed_at_ms, last_step FROM totp_secrets WHERE account_id = $1",
        )
        .bind(account_id)
        .fetch_optional(&self.pool)
        .await?;
        let Some(mut stored) = stored else {
            return Ok(None);
        };
        // Every row was sealed when the process started; a plain one now was written behind
        // its back, and is not trusted.
        let opened = crate::secrets::is_sealed(&stored.secret_base32)
            .then(|| {
                self.secret_box()
                    .map(|b| b.open(account_id, &stored.secret_base32))
            })
            .transpose()?
            .flatten();
        stored.secret_base32 = opened.ok_or_else(|| {
            crate::two_factor::unusable(&format!(
                "account {account_id}: it does not open under this server secret (was the \
                 secret changed, or the row written or copied behind Concord's back?)"
            ))
        })?;
        Ok(Some(stored))
    }

    /// Whether sign-in asks this account for a second factor.
    pub async fn two_factor_enabled(&self, account_id: i64) -> Result<bool, StoreError> {
        let confirmed: Option<Option<i64>> =
            sqlx::query_scalar("SELECT confirmed_at_ms FROM totp_secrets WHERE account_id = $1")
                .bind(account_id)
                .fetch_optional(&self.pool)
                .await?;
        Ok(confirmed.flatten().is_some())
    }

    /// Starts (or restarts) enrolment with a new, unconfirmed secret, stored sealed.
    pub async fn begin_totp(&self, account_id: i64, secret_base32: &str) -> Result<(), StoreError> {
        let sealed = self.secret_box()?.seal(account_id, secret_base32)?;
        sqlx::query(
            "INSERT INTO totp_secrets (account_id, secret_base32, confirmed_at_ms, last_step) \
             VALUES ($1, $2, NULL, 0) ON CONFLICT (account_id) DO UPDATE \
             SET secret_base32 = excluded.secret_base32, confirmed_at_ms = NULL, last_step = 0",
        )
        .bind(account_id)
        .bind(&sealed)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Turns TOTP on after a first good code, replacing the recovery codes.
    pub async fn confirm_totp(
        &self,
        account_id: i64,
        step: i64,
        recovery_digests: &[String],
        current_session: &str,
    ) -> Result<(), StoreError> {
        let mut tx = self.write_tx().await?;
        end_other_sessions(&mut tx, account_id, current_session).await?;
        sqlx::query(
            "UPDATE totp_secrets SET confirmed_at_ms = $1, last_step = $2 WHERE account_id = $3",
        )
        .bind(now_ms())
        .bind(step)
        .bind(account_id)
        .execute(&mut *tx)
        .await?;
        sqlx::query("DELETE FROM recovery_codes WHERE account_id = $1")
            .bind(account_id)
            .execute(&mut *tx)
            .await?;
        for digest in recovery_digests {
            sqlx::query("INSERT INTO recovery_codes (account_id, code_hash) VALUES ($1, $2)")
                .bind(account_id)
                .bind(digest)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Accepts a TOTP step if no later or equal one was accepted before: a code works once, even
    /// with several server processes racing (ASVS 6.5.1).
    pub async fn accept_totp_step(&self, account_id: i64, step: i64) -> Result<bool, StoreError> {
        let done = sqlx::query(
            "UPDATE totp_secrets SET last_step = $1 \
             WHERE account_id = $2 AND last_step < $1 AND confirmed_at_ms IS NOT NULL",
        )
        .bind(step)
        .bind(account_id)
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Uses up a recovery code; whether it was valid and unused.
    pub async fn use_recovery_code(
        &self,
        account_id: i64,
        digest: &str,
    ) -> Result<bool, StoreError> {
        let done = sqlx::query(
            "UPDATE recovery_codes SET used_at_ms = $1 \
             WHERE account_id = $2 AND code_hash = $3 AND used_at_ms IS NULL",
        )
        .bind(now_ms())
        .bind(account_id)
        .bind(digest)
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Turns two-factor sign-in off.
    pub async fn disable_two_factor(
        &self,
        account_id: i64,
        current_session: &str,
    ) -> Result<(), StoreError> {
        let mut tx = self.write_tx().await?;
        end_other_sessions(&mut tx, account_id, current_session).await?;
        for sql in [
            "DELETE FROM totp_secrets WHERE account_id = $1",
            "DELETE FROM recovery_codes WHERE account_id = $1",
        ] {
            sqlx::query(sql).bind(account_id).execute(&mut *tx).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Records a sign-in whose password was right and that waits for its second factor.
    pub async fn create_pending_sign_in(
        &self,
        token_hash: &str,
        account_id: i64,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO pending_sign_ins (token_hash, account_id, created_at_ms) VALUES ($1, $2, $3)",
        )
        .bind(token_hash)
        .bind(account_id)
        .bind(now_ms())
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// The account of a pending sign-in younger than `max_age_ms` that has had fewer than
    /// `max_attempts` tries, counting this one.
    pub async fn pending_sign_in(
        &self,
        token_hash: &str,
        max_age_ms: i64,
        max_attempts: i64,
    ) -> Result<Option<Account>, StoreError> {
        let counted = sqlx::query(
            "UPDATE pending_sign_ins SET attempts = attempts + 1 \
             WHERE token_hash = $1 AND created_at_ms >= $2 AND attempts < $3",
        )
        .bind(token_hash)
        .bind(now_ms() - max_age_ms)
        .bind(max_attempts)
        .execute(&self.pool)
        .await?;
        if counted.rows_affected() == 0 {
            self.end_pending_sign_in(token_hash).await?;
            return Ok(None);
        }
        Ok(sqlx::query_as(
            "SELECT a.id, a.handle, a.role FROM pending_sign_ins p \
             JOIN accounts a ON a.id = p.account_id \
             WHERE p.token_hash = $1",
        )
        .bind(token_hash)
        .fetch_optional(&self.pool)
        .await?)
    }

    /// Forgets a pending sign-in.
    pub async fn end_pending_sign_in(&self, token_hash: &str) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM pending_sign_ins WHERE token_hash = $1")
            .bind(token_hash)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Gives `handle` the role `role`; whether such an account exists.
    pub async fn set_role(&self, handle: &str, role: &str) -> Result<bool, StoreError> {
        let mut tx = self.write_tx().await?;
        let done = sqlx::query(
            "UPDATE accounts SET role = $1 WHERE handle = $2 AND deleted_at_ms IS NULL",
        )
        .bind(role)
        .bind(handle)
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() != 1 {
            return Ok(false);
        }
        let entry = audit::Entry::new(None, "account.role_set", format!("account:{handle}"))
            .with(serde_json::json!({ "role": role, "by": "concord admin" }));
        self.commit_audited(tx, entry).await?;
        Ok(true)
    }

    // ---- organisations ----------------------------------------------------------------------

    /// Every organisation, by name, each that looks like an earlier one saying which.
    pub async fn organisations(&self) -> Result<Vec<Organisation>, StoreError> {
        #[derive(FromRow)]
        struct Row {
            id: i64,
            slug: String,
            name: String,
            stakeholder_group: String,
            region: String,
            verified: i64,
            representative: Option<String>,
        }
        let rows: Vec<Row> = sqlx::query_as(
            "SELECT o.id, o.slug, o.name, o.stakeholder_group, o.region, o.verified, \
                    a.handle AS representative \
             FROM organisations o LEFT JOIN accounts a ON a.id = o.representative_id \
             ORDER BY o.name",
        )
        .fetch_all(&self.pool)
        .await?;
        // The earliest organisation of each look is the original; later ones look like it.
        let mut originals: HashMap<String, (i64, String)> = HashMap::new();
        for r in &rows {
            let earliest = originals
                .entry(lookalike_key(&r.name))
                .or_insert((r.id, r.name.clone()));
            if r.id < earliest.0 {
                *earliest = (r.id, r.name.clone());
            }
        }
        rows.into_iter()
            .map(|r| {
                let original = &originals[&lookalike_key(&r.name)];
                Ok(Organisation {
                    looks_like: (original.0 != r.id).then(|| original.1.clone()),
                    stakeholder_group: parse_group(&r.stakeholder_group)?,
                    slug: r.slug,
                    name: r.name,
                    region: r.region,
                    verified: r.verified != 0,
                    representative: r.representative,
                })
            })
            .collect()
    }

    /// The name of the earliest organisation whose name looks like `name` on screen, if any.
    pub async fn lookalike(&self, name: &str) -> Result<Option<String>, StoreError> {
        let names: Vec<String> = sqlx::query_scalar("SELECT name FROM organisations ORDER BY id")
            .fetch_all(&self.pool)
            .await?;
        let key = lookalike_key(name);
        Ok(names.into_iter().find(|n| lookalike_key(n) == key))
    }

    /// Adds an organisation, with `founder` as its first member when a participant declares
    /// it; a taken slug is [`Refusal::OrganisationExists`].
    pub async fn create_organisation(
        &self,
        organisation: &Organisation,
        founder: Option<i64>,
        by: i64,
    ) -> Result<(), StoreError> {
        let now = now_ms();
        let mut tx = self.write_tx().await?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO organisations (slug, name, stakeholder_group, region, verified, created_at_ms) \
             VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
        )
        .bind(&organisation.slug)
        .bind(&organisation.name)
        .bind(organisation.stakeholder_group.as_str())
        .bind(&organisation.region)
        .bind(i64::from(organisation.verified))
        .bind(now)
        .fetch_one(&mut *tx)
        .await
        .on_conflict(Refusal::OrganisationExists)?;
        if let Some(account_id) = founder {
            sqlx::query(
                "INSERT INTO memberships (account_id, organisation_id, status, requested_at_ms) \
                 VALUES ($1, $2, 'member', $3)",
            )
            .bind(account_id)
            .bind(id)
            .bind(now)
            .execute(&mut *tx)
            .await?;
        }
        let subject = format!("organisation:{}", organisation.slug);
        let entry =
            audit::Entry::new(Some(by), "organisation.created", subject).with(serde_json::json!({
                "name": organisation.name,
                "stakeholder_group": organisation.stakeholder_group.as_str(),
                "region": organisation.region,
                "verified": organisation.verified,
                "looks_like": organisation.looks_like,
            }));
        self.commit_audited(tx, entry).await
    }

    // ---- memberships ------------------------------------------------------------------------

    /// Asks for `account_id` to join organisation `slug` (nothing changes if it asked or belongs
    /// already); `None` when there is no such organisation.
    pub async fn request_membership(
        &self,
        account_id: i64,
        slug: &str,
    ) -> Result<Option<Membership>, StoreError> {
        let Some(organisation_id): Option<i64> =
            sqlx::query_scalar("SELECT id FROM organisations WHERE slug = $1")
                .bind(slug)
                .fetch_optional(&self.pool)
                .await?
        else {
            return Ok(None);
        };
        let mut tx = self.write_tx().await?;
        let done = sqlx::query(
            "INSERT INTO memberships (account_id, organisation_id, status, requested_at_ms) \
             VALUES ($1, $2, 'requested', $3) ON CONFLICT (account_id, organisation_id) DO NOTHING",
        )
        .bind(account_id)
        .bind(organisation_id)
        .bind(now_ms())
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() == 1 {
            let subject = format!("organisation:{slug}");
            let entry = audit::Entry::new(Some(account_id), "membership.requested", subject);
            self.commit_audited(tx, entry).await?;
        } else {
            tx.rollback().await?;
        }
        Ok(self
            .memberships_of(account_id)
            .await?
            .into_iter()
            .find(|m| m.organisation == slug))
    }

    /// The organisations an account belongs to or asked to join, by name.
    pub async fn memberships_of(&self, account_id: i64) -> Result<Vec<Membership>, StoreError> {
        let rows: Vec<(String, String, String)> = sqlx::query_as(
            "SELECT o.slug, o.name, m.status FROM memberships m \
             JOIN organisations o ON o.id = m.organisation_id WHERE m.account_id = $1 ORDER BY o.name",
        )
        .bind(account_id)
        .fetch_all(&self.pool)
        .await?;
        rows.into_iter()
            .map(|(organisation, organisation_name, status)| {
                Ok(Membership {
                    organisation,
                    organisation_name,
                    status: MembershipStatus::parse(&status).ok_or_else(|| {
                        StoreError::Corrupt(format!("membership status {status:?}"))
                    })?,
                })
            })
            .collect()
    }

    /// The requests to join that wait for an answer, oldest first: all of them, or those of the
    /// organisations `represented_by` represents.
    pub async fn membership_requests(
        &self,
        represented_by: Option<i64>,
    ) -> Result<Vec<MembershipRequest>, StoreError> {
        let rows: Vec<(String, String, String)> = sqlx::query_as(
            "SELECT o.slug, o.name, a.handle FROM memberships m \
             JOIN organisations o ON o.id = m.organisation_id JOIN accounts a ON a.id = m.account_id \
             WHERE m.status = 'requested' AND a.deleted_at_ms IS NULL \
               AND ($1 IS NULL OR o.representative_id = $1) ORDER BY m.requested_at_ms",
        )
        .bind(represented_by)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .into_iter()
            .map(
                |(organisation, organisation_name, handle)| MembershipRequest {
                    organisation,
                    organisation_name,
                    handle,
                },
            )
            .collect())
    }

    /// Accepts `handle`'s request to join `slug`; whether there was such a request.
    pub async fn accept_membership(
        &self,
        slug: &str,
        handle: &str,
        by: i64,
    ) -> Result<bool, StoreError> {
        let mut tx = self.write_tx().await?;
        let done = sqlx::query(
            "UPDATE memberships SET status = 'member' WHERE status = 'requested' \
             AND organisation_id = (SELECT id FROM organisations WHERE slug = $1) \
             AND account_id = (SELECT id FROM accounts WHERE handle = $2)",
        )
        .bind(slug)
        .bind(handle)
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() != 1 {
            return Ok(false);
        }
        let entry = audit::Entry::new(
            Some(by),
            "membership.accepted",
            format!("organisation:{slug}"),
        )
        .with(serde_json::json!({ "handle": handle }));
        self.commit_audited(tx, entry).await?;
        Ok(true)
    }

    /// Ends a session.
    pub async fn delete_session(&self, token_hash: &str) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM sessions WHERE token_hash = $1")
            .bind(token_hash)
            .execute(&self.pool)
            .await?;
        Ok(())
    }
}

/// A key that has signed this instance's records: its id and public key (the key line of a
/// minisign `.pub` file), and the times it signed from and until (`None`: in use).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordKey {
    pub key_id: String,
    pub public_key: String,
    pub from_ms: i64,
    pub until_ms: Option<i64>,
}

/// What an organisation's name looks like on screen, for finding lookalikes: its Unicode
/// confusables skeleton (UTS #39: `Ⅽ` and `С` read as `C`, `0` as `O`, `I` as `l`), in lower
/// case, letters and digits only. Two names with the same key can be mistaken for each other.
fn lookalike_key(name: &str) -> String {
    unicode_security::confusable_detection::skeleton(name)
        .flat_map(char::to_lowercase)
        .filter(|c| c.is_alphanumeric())
        .collect()
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
