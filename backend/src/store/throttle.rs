//! The counts behind throttling: failed sign-ins by handle and address, new accounts by
//! address, wrong second-factor codes by account.

use super::{Store, StoreError, audit, now_ms};
use sqlx::FromRow;

/// Counts of recent failed sign-ins, see [`Store::sign_in_failures`].
#[derive(Debug, Clone, Copy, FromRow)]
pub struct SignInFailures {
    pub pair: i64,
    pub handle: i64,
    pub address: i64,
}

impl Store {
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
                super::passkeys::account_subject(account_id),
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
}
