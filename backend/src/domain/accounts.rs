//! The rules of accounts that need no HTTP: how guessable a new password may be, when failed
//! sign-ins and wrong codes make the next attempt wait, the key failures are counted under, and
//! tokens with the digests they are stored as.

use crate::refusal::Refusal;
use crate::state::AppState;
use crate::store::{Account, SignInFailures, StoreError, session_id};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rand::RngCore;
use sha2::{Digest, Sha256};
use shared::FieldError;
use shared::{AccountExport, PasswordChange, SessionInfo};
use std::time::Duration;

/// Refuses a new password that is among the most common or most easily guessed (ASVS 6.2.4):
/// zxcvbn estimates how many guesses it would take, using dictionaries of leaked passwords,
/// words, names and keyboard patterns, and the handle itself; under a million is refused.
pub fn check_not_guessable(password: &str, handle: &str) -> Result<(), FieldError> {
    if zxcvbn::zxcvbn(password, &[handle]).score() < zxcvbn::Score::Two {
        return Err(FieldError::new(
            "password",
            "too_common",
            "This password is among the most common or easily guessed ones. Choose another: \
             a few unusual words together work well.",
        ));
    }
    Ok(())
}

/// How far back failed sign-ins count.
pub const THROTTLE_WINDOW: Duration = Duration::from_secs(15 * 60);
/// Failures allowed in the window for one handle from one address.
pub const MAX_FAILURES_PAIR: i64 = 5;
/// Failures allowed in the window for one handle from all addresses together: guessing spread
/// over many machines. A stranger can hold an account shut only while they keep failing, and
/// for one window after.
pub const MAX_FAILURES_HANDLE: i64 = 20;
/// Failures allowed in the window from one address for all handles together (credential stuffing).
pub const MAX_FAILURES_ADDRESS: i64 = 50;

/// Whether recent failures mean the next attempt must wait (ASVS 6.3.1).
pub fn throttled(failures: &SignInFailures) -> bool {
    failures.pair >= MAX_FAILURES_PAIR
        || failures.handle >= MAX_FAILURES_HANDLE
        || failures.address >= MAX_FAILURES_ADDRESS
}

/// Wrong second-factor codes an account may give, across all its sign-ins, before its second
/// factor locks. Only an accepted code counts them down again, never a correct password.
pub const SECOND_FACTOR_FREE_FAILURES: i64 = 10;
/// How long the second factor stays locked after its first lock; doubled by each further wrong
/// code, up to [`SECOND_FACTOR_LONGEST_LOCK`].
pub const SECOND_FACTOR_FIRST_LOCK: Duration = Duration::from_secs(60);
/// The longest the second factor stays locked after one wrong code.
pub const SECOND_FACTOR_LONGEST_LOCK: Duration = Duration::from_secs(24 * 60 * 60);

/// How long an account with `failures` wrong second-factor codes, the last at `last_ms`, must
/// still wait at `now_ms` before trying another; `None` when it may try now.
pub fn second_factor_wait(failures: i64, last_ms: Option<i64>, now_ms: i64) -> Option<Duration> {
    let over = failures - SECOND_FACTOR_FREE_FAILURES;
    if over < 0 {
        return None;
    }
    let lock = SECOND_FACTOR_FIRST_LOCK
        .saturating_mul(1 << over.min(20))
        .min(SECOND_FACTOR_LONGEST_LOCK);
    let elapsed = u64::try_from(now_ms - last_ms.unwrap_or(now_ms)).unwrap_or(0);
    lock.checked_sub(Duration::from_millis(elapsed))
        .filter(|left| !left.is_zero())
}

/// The key under which failures for a typed handle are counted, whether or not it exists.
pub fn handle_key(typed: &str) -> String {
    typed.trim().to_lowercase().chars().take(64).collect()
}

/// A new random token (256 bits: a session, a pending sign-in, an invitation) and the digest
/// under which it is stored.
pub fn new_token() -> (String, String) {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    let token = URL_SAFE_NO_PAD.encode(bytes);
    let digest = token_digest(&token);
    (token, digest)
}

/// The stored form of a token.
pub fn token_digest(token: &str) -> String {
    URL_SAFE_NO_PAD.encode(Sha256::digest(token.as_bytes()))
}

/// The keyed digest (HMAC-SHA256) under which `address` is counted.
pub fn address_pseudonym(key: &[u8], address: &str) -> String {
    use hmac::{Hmac, Mac};
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(key)
        .unwrap_or_else(|_| unreachable!("HMAC takes a key of any length"));
    mac.update(address.as_bytes());
    URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes())
}

/// Refuses while the failed password checks of `handle_key` (from `address`, from
/// anywhere, or of any handle from `address`) are too many: sign-in and every place a signed-in
/// person types their password again count the same failures, so a stolen session cannot guess
/// the password either.
pub async fn refuse_if_throttled(
    state: &AppState,
    handle_key: &str,
    address: &str,
) -> Result<(), StoreError> {
    let since = crate::store::now_ms() - crate::store::ms(THROTTLE_WINDOW);
    let failures = state
        .store
        .sign_in_failures(handle_key, address, since)
        .await?;
    if throttled(&failures) {
        tracing::warn!(
            event = "password_throttled",
            ?failures,
            "password check refused: too many failures"
        );
        return Err(Refusal::TooManyAttempts {
            retry_after_secs: THROTTLE_WINDOW.as_secs(),
            what: crate::refusal::Attempts::SignIns,
        }
        .into());
    }
    Ok(())
}

/// Counts a failed password check of `handle_key` from `address` (see [`refuse_if_throttled`]).
pub async fn record_password_failure(
    state: &AppState,
    handle_key: &str,
    address: &str,
) -> Result<(), StoreError> {
    let since = crate::store::now_ms() - crate::store::ms(THROTTLE_WINDOW);
    state
        .store
        .record_sign_in_failure(handle_key, address, since)
        .await?;
    Ok(())
}

/// Refuses with a field error on `field` unless `password` is the account's (ASVS 7.5.1), and
/// with 429 after as many failures as sign-in allows: wrong passwords count as failed sign-ins
/// of the account, so a stolen session cannot guess it.
pub async fn require_password(
    state: &AppState,
    account: &Account,
    address: &str,
    password: String,
    field: &str,
) -> Result<(), StoreError> {
    let key = handle_key(&account.handle);
    refuse_if_throttled(state, &key, address).await?;
    let stored = state.store.password_hash(account.id).await?;
    if crate::hashing::verify_password(password, Some(stored)).await? {
        state.store.clear_sign_in_failures(&key, address).await?;
        return Ok(());
    }
    record_password_failure(state, &key, address).await?;
    tracing::info!(
        event = "password_check_failed",
        account = account.id,
        "wrong password re-entered"
    );
    Err(Refusal::Validation(vec![FieldError::new(
        field,
        "wrong",
        "This is not your password.",
    )])
    .into())
}

/// The account's sessions as its owner sees them, marking the one making the request
/// (`current`, the digest of its token).
pub async fn sessions(
    state: &AppState,
    account_id: i64,
    current: Option<&str>,
) -> Result<Vec<SessionInfo>, StoreError> {
    let sessions = state.store.sessions_of(account_id).await?;
    Ok(sessions
        .into_iter()
        .map(|s| SessionInfo {
            current: current == Some(s.token_hash.as_str()),
            id: session_id(&s.token_hash),
            created_at_ms: s.created_at_ms,
            last_seen_at_ms: s.last_seen_at_ms,
        })
        .collect())
}

/// Ends session `id` of `account` (one of its others, from its list).
pub async fn end_session(state: &AppState, account: &Account, id: &str) -> Result<(), StoreError> {
    if !state.store.end_session_of(account.id, id).await? {
        return Err(Refusal::NotFound("session").into());
    }
    tracing::info!(
        event = "session_ended",
        account = account.id,
        "session ended by its owner"
    );
    Ok(())
}

/// Changes `account`'s password, given again from `address`, ending its other sessions if
/// asked (all but `current`).
pub async fn change_password(
    state: &AppState,
    account: &Account,
    address: &str,
    current: Option<&str>,
    change: PasswordChange,
) -> Result<(), StoreError> {
    change.check().map_err(Refusal::Validation)?;
    require_password(
        state,
        account,
        address,
        change.current_password,
        "current_password",
    )
    .await?;
    check_not_guessable(&change.new_password, &account.handle).map_err(|mut e| {
        e.field = "new_password".to_owned();
        Refusal::Validation(vec![e])
    })?;
    let hash = crate::hashing::hash_password(change.new_password).await?;
    let keep_only = current.filter(|_| change.end_other_sessions);
    state
        .store
        .change_password(account.id, &hash, keep_only)
        .await?;
    tracing::info!(
        event = "password_changed",
        account = account.id,
        ended_other_sessions = change.end_other_sessions,
        "password changed"
    );
    Ok(())
}

/// Everything held about `account`, for its owner to download.
pub async fn export(
    state: &AppState,
    account: &Account,
    current: Option<&str>,
) -> Result<AccountExport, StoreError> {
    let mut export = state.store.export(account).await?;
    export.sessions = sessions(state, account.id, current).await?;
    tracing::info!(
        event = "account_exported",
        account = account.id,
        "personal data exported"
    );
    Ok(export)
}

/// Deletes `account`, its password given again from `address`.
pub async fn delete(
    state: &AppState,
    account: &Account,
    address: &str,
    password: String,
) -> Result<(), StoreError> {
    require_password(state, account, address, password, "password").await?;
    state.store.delete_account(account.id).await?;
    tracing::info!(
        event = "account_deleted",
        account = account.id,
        "account deleted"
    );
    Ok(())
}

/// Shows `organisation` (one `account` is a member of) next to its handle, or none.
pub async fn show_organisation(
    state: &AppState,
    account: &Account,
    organisation: Option<&str>,
) -> Result<(), StoreError> {
    if !state
        .store
        .set_shown_organisation(account.id, organisation)
        .await?
    {
        return Err(Refusal::Validation(vec![FieldError::new(
            "shown_organisation",
            "not_member",
            "You can show only an organisation you are a member of.",
        )])
        .into());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hashing::{hash_password, verify_password};

    #[tokio::test]
    async fn a_password_verifies_against_its_own_hash_only() {
        let hash = hash_password("correct horse".into()).await.unwrap();
        assert!(hash.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"));
        assert!(
            verify_password("correct horse".into(), Some(hash.clone()))
                .await
                .unwrap()
        );
        assert!(
            !verify_password("wrong horse".into(), Some(hash))
                .await
                .unwrap()
        );
        assert!(!verify_password("anything".into(), None).await.unwrap());
    }

    #[test]
    fn common_and_handle_based_passwords_are_refused_and_passphrases_accepted() {
        for weak in [
            "password",
            "12345678",
            "qwertyuiop",
            "iloveyou1",
            "ada-lovelace1",
        ] {
            assert!(check_not_guessable(weak, "ada-lovelace").is_err(), "{weak}");
        }
        for strong in [
            "a long passphrase",
            "correct horse battery",
            "tulip-orbit-sandal",
        ] {
            assert!(
                check_not_guessable(strong, "ada-lovelace").is_ok(),
                "{strong}"
            );
        }
    }

    #[test]
    fn each_failure_limit_throttles_on_its_own() {
        let minute = 60_000;
        assert_eq!(second_factor_wait(9, Some(0), 0), None);
        assert_eq!(
            second_factor_wait(10, Some(0), 0),
            Some(Duration::from_secs(60))
        );
        assert_eq!(second_factor_wait(10, Some(0), minute), None);
        assert_eq!(
            second_factor_wait(12, Some(0), minute),
            Some(Duration::from_secs(180))
        );
        assert_eq!(
            second_factor_wait(1_000, Some(0), 0),
            Some(SECOND_FACTOR_LONGEST_LOCK)
        );
        let none = SignInFailures {
            pair: 0,
            handle: 0,
            address: 0,
        };
        assert!(!throttled(&none));
        assert!(throttled(&SignInFailures {
            pair: MAX_FAILURES_PAIR,
            ..none
        }));
        assert!(throttled(&SignInFailures {
            handle: MAX_FAILURES_HANDLE,
            ..none
        }));
        assert!(throttled(&SignInFailures {
            address: MAX_FAILURES_ADDRESS,
            ..none
        }));
        let below = SignInFailures {
            pair: MAX_FAILURES_PAIR - 1,
            handle: MAX_FAILURES_HANDLE - 1,
            address: MAX_FAILURES_ADDRESS - 1,
        };
        assert!(!throttled(&below));
    }

    #[test]
    fn an_address_pseudonym_depends_on_the_address_and_the_key() {
        let a = address_pseudonym(b"key one", "192.0.2.1");
        assert_eq!(a, address_pseudonym(b"key one", "192.0.2.1"));
        assert_ne!(a, address_pseudonym(b"key one", "192.0.2.2"));
        assert_ne!(a, address_pseudonym(b"key two", "192.0.2.1"));
        assert!(!a.contains("192"));
    }

    #[test]
    fn session_tokens_are_long_random_and_stored_only_as_digests() {
        let (a, a_digest) = new_token();
        let (b, _) = new_token();
        assert_ne!(a, b);
        assert_eq!(a.len(), 43); // 256 bits, base64url
        assert_ne!(a, a_digest);
        assert_eq!(token_digest(&a), a_digest);
    }
}
