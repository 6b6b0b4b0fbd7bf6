//! Second factors as stored: TOTP secrets sealed under the server secret, the last step used,
//! single-use recovery codes as digests.

use super::audit::Entry;
use super::passkeys::{account_subject, replace_recovery_codes};
use super::sessions::end_other_sessions;
use super::{Store, StoreError, now_ms};
use sqlx::FromRow;

/// An account's TOTP settings as stored.
#[derive(Debug, Clone, FromRow)]
pub struct StoredTotp {
    pub secret_base32: String,
    pub confirmed_at_ms: Option<i64>,
    pub last_step: i64,
}

impl Store {
    // ---- two-factor sign-in --------------------------------------------------------------

    /// Seals TOTP secrets with `secret_box` (the server secret's, read when the process starts).
    pub fn use_server_secret(&self, secret_box: crate::secrets::SecretBox) {
        // A second call keeps the first: one process, one server secret.
        let _ = self.secret_box.set(secret_box);
    }

    pub(super) fn secret_box(&self) -> Result<&crate::secrets::SecretBox, StoreError> {
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
            unusable(&format!(
                "account {account_id}: it does not open under this server secret (was the \
                 secret changed, or the row written or copied behind Concord's back?)"
            ))
        })?;
        Ok(Some(stored))
    }

    /// Whether sign-in asks this account for a second factor: an authenticator app or a passkey.
    pub async fn two_factor_enabled(&self, account_id: i64) -> Result<bool, StoreError> {
        let factors: i64 = sqlx::query_scalar(super::passkeys::FACTORS)
            .bind(account_id)
            .fetch_one(&self.pool)
            .await?;
        Ok(factors > 0)
    }

    /// Whether the account's authenticator app is on (its secret confirmed).
    pub async fn totp_enabled(&self, account_id: i64) -> Result<bool, StoreError> {
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

    /// Turns TOTP on after a first good code, replacing the recovery codes, in the audit log.
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
        replace_recovery_codes(&mut tx, account_id, recovery_digests).await?;
        let entry = Entry::new(
            Some(account_id),
            "totp.enabled",
            account_subject(account_id),
        );
        self.commit_audited(tx, entry).await
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

    /// Turns the authenticator app off, in the audit log. When it was the account's last
    /// factor (no passkey), the recovery codes go too and sign-in asks for a password only —
    /// unless `keep_a_factor` (an administrator), when it is refused.
    pub async fn disable_totp(
        &self,
        account_id: i64,
        keep_a_factor: bool,
        current_session: &str,
    ) -> Result<(), StoreError> {
        let mut tx = self.write_tx().await?;
        let removed = sqlx::query("DELETE FROM totp_secrets WHERE account_id = $1")
            .bind(account_id)
            .execute(&mut *tx)
            .await?;
        if removed.rows_affected() == 0 {
            // No app was on: nothing changes, nobody is signed out, nothing is recorded.
            return Ok(());
        }
        let entry = Entry::new(
            Some(account_id),
            "totp.disabled",
            account_subject(account_id),
        );
        let removal = (account_id, keep_a_factor, current_session);
        self.finish_factor_removal(tx, removal, entry).await
    }
}

/// Logs why an account's stored TOTP secret gives no codes, and tells the client only that
/// codes cannot be checked now, pointing to its recovery codes.
pub fn unusable(why: &str) -> StoreError {
    tracing::error!(event = "totp_secret_unusable", %why, "a stored TOTP secret makes no codes");
    StoreError::Unavailable(
        "Codes from your authenticator app cannot be checked just now. Sign in with a recovery \
         code, or try again later.",
    )
}
