//! Keys the server keeps in the database: the random keys behind pseudonyms, and the list of
//! record-signing public keys with the dates each was in use (the secret key lives in a file).

use super::{Store, StoreError, now_ms};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;

/// A key that has signed this instance's records: its id and public key (the key line of a
/// minisign `.pub` file), and the times it signed from and until (`None`: in use).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordKey {
    pub key_id: String,
    pub public_key: String,
    pub from_ms: i64,
    pub until_ms: Option<i64>,
}

impl Store {
    /// The key under which network addresses are turned into pseudonyms for throttling: derived
    /// from the server secret, which every process shares and the database does not hold.
    pub async fn address_key(&self) -> Result<Vec<u8>, StoreError> {
        Ok(self.secret_box()?.address_key().to_vec())
    }

    /// The key under which records name people by pseudonym.
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
    pub fn use_signer(&self, signer: std::sync::Arc<crate::secrets::Signer>) {
        // A second call keeps the first key: one process signs with one key.
        let _ = self.signer.set(signer);
    }

    /// The key that signs this instance's records, given by [`Store::use_signer`].
    pub async fn record_signer(
        &self,
    ) -> Result<std::sync::Arc<crate::secrets::Signer>, StoreError> {
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
        signer: &crate::secrets::Signer,
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
        signer: &crate::secrets::Signer,
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
        signer: &crate::secrets::Signer,
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
}
