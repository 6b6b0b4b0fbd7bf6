//! Sessions, stored by their token's digest only, and the pending sign-ins that wait for a
//! second factor.

use super::{Account, Backend, Store, StoreError, ms, now_ms};
use sqlx::FromRow;
use std::time::Duration;

/// A session ends after this long without use (ASVS 7.3.1).
pub const SESSION_IDLE: Duration = Duration::from_secs(7 * 24 * 3600);
/// A session ends this long after sign-in whatever its use (ASVS 7.3.2).
pub const SESSION_LIFETIME: Duration = Duration::from_secs(30 * 24 * 3600);

/// Ends every session of `account_id` but the one whose token digest is `current`: what a
/// change of password or second factor does, so that whoever held another session (a stolen
/// one) must sign in again with the new credentials.
pub(super) async fn end_other_sessions(
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

impl Store {
    /// Records a new session for `account_id` under the hash of its token, signed in `with`
    /// (`password`, `totp`, `recovery_code` or `passkey`).
    pub async fn create_session(
        &self,
        token_hash: &str,
        account_id: i64,
        with: &str,
    ) -> Result<(), StoreError> {
        let now = now_ms();
        sqlx::query(
            "INSERT INTO sessions (token_hash, account_id, created_at_ms, last_seen_at_ms, \
             signed_in_with) VALUES ($1, $2, $3, $3, $4)",
        )
        .bind(token_hash)
        .bind(account_id)
        .bind(now)
        .bind(with)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// The account of a live session, refreshing its idle clock at most once a minute (so that
    /// reading pages does not cost a durable write each time); an expired session is deleted.
    pub async fn session_account(&self, token_hash: &str) -> Result<Option<Account>, StoreError> {
        self.session_account_for(token_hash, false).await
    }

    /// [`Store::session_account`] for a request that reads (`writing` false) or may write. With
    /// PostgreSQL a write asks the database, not what this process remembers: a session ended
    /// through another process could otherwise still write here until the notification
    /// arrives (a few milliseconds).
    pub async fn session_account_for(
        &self,
        token_hash: &str,
        writing: bool,
    ) -> Result<Option<Account>, StoreError> {
        if writing && self.backend == Backend::Postgres {
            return self.stored_session_account(token_hash).await;
        }
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

    /// Ends a session.
    pub async fn delete_session(&self, token_hash: &str) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM sessions WHERE token_hash = $1")
            .bind(token_hash)
            .execute(&self.pool)
            .await?;
        Ok(())
    }
}
