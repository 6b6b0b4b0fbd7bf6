//! Passkeys as stored: each account's credentials (public keys, nothing secret), the
//! ceremonies under way (taken once, by whichever process finishes them), and the account
//! security events the owner sees.

use super::audit::Entry;
use super::error::OnConflict;
use super::sessions::end_other_sessions;
use super::{Account, Store, StoreError, now_ms};
use crate::refusal::{PasskeyProblem, Refusal};
use sqlx::FromRow;

/// A passkey of an account as stored.
#[derive(Debug, Clone, FromRow)]
pub struct StoredPasskey {
    pub id: i64,
    pub account_id: i64,
    pub name: String,
    /// The relying-party library's credential, JSON.
    pub credential: String,
    pub created_at_ms: i64,
    pub last_used_at_ms: Option<i64>,
}

impl StoredPasskey {
    /// The passkey as its owner sees it.
    pub fn info(self) -> shared::PasskeyInfo {
        shared::PasskeyInfo {
            id: self.id,
            name: self.name,
            created_at_ms: self.created_at_ms,
            last_used_at_ms: self.last_used_at_ms,
        }
    }
}

/// What a ceremony is for; a ceremony answers only its own purpose.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    /// Adding a passkey to a signed-in account.
    Register,
    /// The second factor of a sign-in whose password was right.
    SecondFactor,
}

impl Purpose {
    fn as_str(self) -> &'static str {
        match self {
            Self::Register => "register",
            Self::SecondFactor => "second_factor",
        }
    }
}

/// A ceremony taken back from the database.
#[derive(Debug, FromRow)]
pub struct Ceremony {
    pub account_id: i64,
    pub purpose: String,
    pub state: String,
    pub created_at_ms: i64,
}

impl Ceremony {
    /// Whether this ceremony is for `purpose`.
    pub fn is_for(&self, purpose: Purpose) -> bool {
        self.purpose == purpose.as_str()
    }
}

/// The account id under which sign-in ceremonies are sealed (see [`Store::seal_sign_in`]): no
/// account has it, so a sealed TOTP secret never opens as a ceremony, nor the reverse.
const SIGN_IN_SEAL: i64 = 0;

/// A new passkey, checked, ready to store.
pub struct NewPasskey<'a> {
    pub credential_id: &'a str,
    pub name: &'a str,
    pub credential: &'a str,
}

/// One entry of an account's security events.
#[derive(Debug, Clone, FromRow)]
pub struct SecurityEvent {
    pub at_ms: i64,
    pub action: String,
}

/// How the audit log names an account.
pub fn account_subject(account_id: i64) -> String {
    format!("account:{account_id}")
}

impl Store {
    /// The random id authenticators keep for `account_id`, made on first use.
    pub async fn passkey_user_id(&self, account_id: i64) -> Result<String, StoreError> {
        let fresh = webauthn_rs::prelude::Uuid::new_v4().to_string();
        sqlx::query(
            "UPDATE accounts SET passkey_user_id = $1 WHERE id = $2 AND passkey_user_id IS NULL",
        )
        .bind(&fresh)
        .bind(account_id)
        .execute(&self.pool)
        .await?;
        Ok(
            sqlx::query_scalar("SELECT passkey_user_id FROM accounts WHERE id = $1")
                .bind(account_id)
                .fetch_one(&self.pool)
                .await?,
        )
    }

    /// The passkeys of an account, oldest first.
    pub async fn passkeys_of(&self, account_id: i64) -> Result<Vec<StoredPasskey>, StoreError> {
        Ok(sqlx::query_as(
            "SELECT id, account_id, name, credential, created_at_ms, last_used_at_ms \
             FROM passkeys WHERE account_id = $1 ORDER BY id",
        )
        .bind(account_id)
        .fetch_all(&self.pool)
        .await?)
    }

    /// The passkey with credential id `credential_id`, with its account and that account's
    /// authenticator user id.
    pub async fn passkey_by_credential(
        &self,
        credential_id: &str,
    ) -> Result<Option<(StoredPasskey, Account, Option<String>)>, StoreError> {
        let Some(passkey): Option<StoredPasskey> = sqlx::query_as(
            "SELECT id, account_id, name, credential, created_at_ms, last_used_at_ms \
             FROM passkeys WHERE credential_id = $1",
        )
        .bind(credential_id)
        .fetch_optional(&self.pool)
        .await?
        else {
            return Ok(None);
        };
        let (id, handle, role, user): (i64, String, String, Option<String>) =
            sqlx::query_as("SELECT id, handle, role, passkey_user_id FROM accounts WHERE id = $1")
                .bind(passkey.account_id)
                .fetch_one(&self.pool)
                .await?;
        Ok(Some((passkey, Account { id, handle, role }, user)))
    }

    /// How many passkeys the account has.
    pub async fn passkey_count(&self, account_id: i64) -> Result<i64, StoreError> {
        Ok(
            sqlx::query_scalar("SELECT COUNT(*) FROM passkeys WHERE account_id = $1")
                .bind(account_id)
                .fetch_one(&self.pool)
                .await?,
        )
    }

    /// Keeps a ceremony's `state` under the digest of its token (for an account: a sign-in
    /// without one keeps nothing, see [`Store::seal_sign_in`]). Ceremonies older than
    /// `lifetime_ms` are deleted on the way.
    pub async fn open_ceremony(
        &self,
        token_hash: &str,
        account_id: i64,
        purpose: Purpose,
        state: &str,
        lifetime_ms: i64,
    ) -> Result<(), StoreError> {
        let now = now_ms();
        self.forget_ceremonies_before(now - lifetime_ms).await?;
        sqlx::query(
            "INSERT INTO passkey_ceremonies (token_hash, account_id, purpose, state, created_at_ms) \
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(token_hash)
        .bind(account_id)
        .bind(purpose.as_str())
        .bind(state)
        .bind(now)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    async fn forget_ceremonies_before(&self, when_ms: i64) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM passkey_ceremonies WHERE created_at_ms < $1")
            .bind(when_ms)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// A sign-in ceremony's `state` and the moment it began, sealed under the server secret
    /// into the token the browser carries: a sign-in begun by anyone keeps nothing here, so no
    /// flood of them can fill the database or crowd out others.
    pub fn seal_sign_in(&self, state: &str, at_ms: i64) -> Result<String, StoreError> {
        Ok(self
            .secret_box()?
            .seal(SIGN_IN_SEAL, &format!("{at_ms}:{state}"))?)
    }

    /// The state and start of the sign-in ceremony sealed in `token`, if this server sealed it.
    pub fn open_sign_in(&self, token: &str) -> Result<Option<(i64, String)>, StoreError> {
        let opened = self.secret_box()?.open(SIGN_IN_SEAL, token);
        Ok(opened.and_then(|text| {
            let (at, state) = text.split_once(':')?;
            Some((at.parse().ok()?, state.to_owned()))
        }))
    }

    /// Whether the sign-in ceremony of token digest `token_hash` was answered already.
    pub async fn sign_in_answered(&self, token_hash: &str) -> Result<bool, StoreError> {
        let found: Option<String> = sqlx::query_scalar(
            "SELECT purpose FROM passkey_ceremonies \
             WHERE token_hash = $1 AND purpose = 'sign_in_answered'",
        )
        .bind(token_hash)
        .fetch_optional(&self.pool)
        .await?;
        Ok(found.is_some())
    }

    /// Records that the sign-in ceremony of token digest `token_hash` was answered; `false`
    /// when it was already (a replay), even with several processes racing. Kept for
    /// `lifetime_ms`, after which the token has expired anyway.
    pub async fn answer_sign_in_once(
        &self,
        token_hash: &str,
        lifetime_ms: i64,
    ) -> Result<bool, StoreError> {
        let now = now_ms();
        self.forget_ceremonies_before(now - lifetime_ms).await?;
        let answered = sqlx::query(
            "INSERT INTO passkey_ceremonies (token_hash, account_id, purpose, state, created_at_ms) \
             VALUES ($1, NULL, 'sign_in_answered', '', $2) ON CONFLICT (token_hash) DO NOTHING",
        )
        .bind(token_hash)
        .bind(now)
        .execute(&self.pool)
        .await?;
        Ok(answered.rows_affected() == 1)
    }

    /// Takes (deletes and answers) the ceremony under `token_hash`: it answers once, even with
    /// several processes racing.
    pub async fn take_ceremony(&self, token_hash: &str) -> Result<Option<Ceremony>, StoreError> {
        Ok(sqlx::query_as(
            "DELETE FROM passkey_ceremonies WHERE token_hash = $1 AND account_id IS NOT NULL \
             RETURNING account_id, purpose, state, created_at_ms",
        )
        .bind(token_hash)
        .fetch_optional(&self.pool)
        .await?)
    }

    /// Adds a passkey to the account, ending its other sessions, in the audit log. With
    /// `recovery_digests` (its first factor), they become its recovery codes. Refuses a
    /// credential registered already, to this account or another.
    pub async fn add_passkey(
        &self,
        account_id: i64,
        passkey: NewPasskey<'_>,
        recovery_digests: Option<&[String]>,
        current_session: &str,
    ) -> Result<i64, StoreError> {
        let mut tx = self.write_tx().await?;
        end_other_sessions(&mut tx, account_id, current_session).await?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO passkeys (account_id, credential_id, name, credential, created_at_ms) \
             VALUES ($1, $2, $3, $4, $5) RETURNING id",
        )
        .bind(account_id)
        .bind(passkey.credential_id)
        .bind(passkey.name)
        .bind(passkey.credential)
        .bind(now_ms())
        .fetch_one(&mut *tx)
        .await
        .on_conflict(Refusal::PasskeyTaken)?;
        if let Some(digests) = recovery_digests {
            replace_recovery_codes(&mut tx, account_id, digests).await?;
        }
        let entry = Entry::new(
            Some(account_id),
            "passkey.added",
            account_subject(account_id),
        )
        .with(serde_json::json!({ "passkey": id }));
        self.commit_audited(tx, entry).await?;
        Ok(id)
    }

    /// Removes passkey `id` of the account, ending its other sessions, in the audit log. When
    /// it was the account's last factor (no other passkey, no authenticator app), its recovery
    /// codes go too and sign-in asks for a password only — unless `keep_a_factor` (an
    /// administrator), when it is refused. Whether there was such a passkey.
    pub async fn remove_passkey(
        &self,
        account_id: i64,
        id: i64,
        keep_a_factor: bool,
        current_session: &str,
    ) -> Result<bool, StoreError> {
        let mut tx = self.write_tx().await?;
        let removed = sqlx::query("DELETE FROM passkeys WHERE id = $1 AND account_id = $2")
            .bind(id)
            .bind(account_id)
            .execute(&mut *tx)
            .await?;
        if removed.rows_affected() == 0 {
            return Ok(false);
        }
        let entry = Entry::new(
            Some(account_id),
            "passkey.removed",
            account_subject(account_id),
        )
        .with(serde_json::json!({ "passkey": id }));
        let removal = (account_id, keep_a_factor, current_session);
        self.finish_factor_removal(tx, removal, entry).await?;
        Ok(true)
    }

    /// Finishes, in `tx`, the removal of a second factor of account `account_id`: with none
    /// left, its recovery codes go too and sign-in asks for a password only — unless
    /// `keep_a_factor` (an administrator), when nothing is removed; the account's sessions but
    /// `current_session` end, and `entry` enters the audit log.
    pub(super) async fn finish_factor_removal(
        &self,
        mut tx: sqlx::Transaction<'static, sqlx::Any>,
        (account_id, keep_a_factor, current_session): (i64, bool, &str),
        entry: Entry,
    ) -> Result<(), StoreError> {
        if factors_left(&mut tx, account_id).await? == 0 {
            if keep_a_factor {
                return Err(Refusal::LastFactor.into());
            }
            sqlx::query("DELETE FROM recovery_codes WHERE account_id = $1")
                .bind(account_id)
                .execute(&mut *tx)
                .await?;
        }
        end_other_sessions(&mut tx, account_id, current_session).await?;
        self.commit_audited(tx, entry).await
    }

    /// Records a use of passkey `id` whose answer carried signature counter `count`, with its
    /// credential as updated. Refuses a count that is not above the one stored (unless the
    /// authenticator keeps none): two answers with one count are a copy or a replay, even
    /// when two processes check them at once.
    pub async fn passkey_used(
        &self,
        id: i64,
        count: i64,
        credential: Option<&str>,
    ) -> Result<(), StoreError> {
        let used = sqlx::query(
            "UPDATE passkeys SET last_used_at_ms = $1, sign_count = $2, \
             credential = COALESCE($3, credential) \
             WHERE id = $4 AND (sign_count < $2 OR ($2 = 0 AND sign_count = 0))",
        )
        .bind(now_ms())
        .bind(count)
        .bind(credential)
        .bind(id)
        .execute(&self.pool)
        .await?;
        if used.rows_affected() == 0 {
            tracing::warn!(
                event = "passkey_counter_not_raised",
                passkey = id,
                count,
                "refused"
            );
            return Err(Refusal::PasskeyRefused(PasskeyProblem::Counter).into());
        }
        Ok(())
    }

    /// How the session `token_hash` was signed in (`password`, `totp`, `recovery_code`,
    /// `passkey`), if it exists.
    pub async fn signed_in_with(&self, token_hash: &str) -> Result<Option<String>, StoreError> {
        Ok(
            sqlx::query_scalar("SELECT signed_in_with FROM sessions WHERE token_hash = $1")
                .bind(token_hash)
                .fetch_optional(&self.pool)
                .await?,
        )
    }

    /// The account's latest security events (created, second factors added and removed, locked
    /// after wrong codes), newest first.
    pub async fn security_events(
        &self,
        account_id: i64,
        limit: i64,
    ) -> Result<Vec<SecurityEvent>, StoreError> {
        Ok(sqlx::query_as(
            "SELECT at_ms, action FROM audit_log WHERE subject = $1 AND actor_id = $2 \
             ORDER BY id DESC LIMIT $3",
        )
        .bind(account_subject(account_id))
        .bind(account_id)
        .bind(limit)
        .fetch_all(&self.pool)
        .await?)
    }
}

/// How many second factors account `$1` has: its passkeys, and a confirmed authenticator app.
pub(super) const FACTORS: &str = "SELECT (SELECT COUNT(*) FROM passkeys WHERE account_id = $1) + \
    (SELECT COUNT(*) FROM totp_secrets WHERE account_id = $1 AND confirmed_at_ms IS NOT NULL)";

/// How many second factors the account has left, in `tx` (see [`FACTORS`]).
pub(super) async fn factors_left(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    account_id: i64,
) -> Result<i64, StoreError> {
    Ok(sqlx::query_scalar(FACTORS)
        .bind(account_id)
        .fetch_one(&mut **tx)
        .await?)
}

/// Replaces the account's recovery codes with `digests`.
pub(super) async fn replace_recovery_codes(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    account_id: i64,
    digests: &[String],
) -> Result<(), StoreError> {
    sqlx::query("DELETE FROM recovery_codes WHERE account_id = $1")
        .bind(account_id)
        .execute(&mut **tx)
        .await?;
    for digest in digests {
        sqlx::query("INSERT INTO recovery_codes (account_id, code_hash) VALUES ($1, $2)")
            .bind(account_id)
            .bind(digest)
            .execute(&mut **tx)
            .await?;
    }
    Ok(())
}
