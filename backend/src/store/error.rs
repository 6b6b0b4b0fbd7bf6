//! What the store fails with. No HTTP here: `http::error` answers each failure, a refusal with
//! its status and words, a fault with a generic 500 or, when the database is away, a 503.

use crate::refusal::Refusal;

/// Everything a store function can fail with.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// What is stored refuses the request: no such row, a name taken, a phase that does not
    /// allow it.
    #[error(transparent)]
    Refused(#[from] Refusal),
    #[error("database: {0}")]
    Database(#[from] sqlx::Error),
    #[error("database (position writer): {0}")]
    Writer(#[from] rusqlite::Error),
    #[error("stored data is inconsistent: {0}")]
    Corrupt(String),
    /// Something stored cannot be used just now (a second-factor secret that does not open);
    /// the words say what the person can do instead.
    #[error("unavailable: {0}")]
    Unavailable(&'static str),
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

/// Whether an error of the SQLite position writer says the database is busy, full or away.
pub fn writer_unavailable(e: &rusqlite::Error) -> bool {
    match e {
        rusqlite::Error::SqliteFailure(failure, _) => sqlite_unavailable(failure.extended_code),
        _ => false,
    }
}

/// SQLite's codes for a full disk, I/O failures, a busy or locked database, one that cannot be
/// opened (primary codes; extended codes carry them in their low byte).
fn sqlite_unavailable(code: i32) -> bool {
    matches!(code & 0xff, 5 | 6 | 10 | 13 | 14)
}

/// Whether a database error says the database is away, busy past its timeout or out of space.
pub fn database_unavailable(e: &sqlx::Error) -> bool {
    match e {
        sqlx::Error::PoolTimedOut | sqlx::Error::PoolClosed | sqlx::Error::Io(_) => true,
        sqlx::Error::Database(db) => {
            let code = db.code().unwrap_or_default();
            match code.parse::<i32>() {
                // SQLite reports numbers.
                Ok(n) => sqlite_unavailable(n),
                // PostgreSQL: connection exceptions, shutting down, out of disk or memory.
                Err(_) => {
                    code.starts_with("08") || code.starts_with("57P") || code.starts_with("53")
                }
            }
        }
        _ => false,
    }
}

/// Maps a unique-constraint violation to a domain error, in one place rather than at each call.
pub trait OnConflict<T> {
    /// Turns a unique violation into `conflict`; other errors stay database errors.
    fn on_conflict(self, conflict: Refusal) -> Result<T, StoreError>;
}

impl<T> OnConflict<T> for Result<T, sqlx::Error> {
    fn on_conflict(self, conflict: Refusal) -> Result<T, StoreError> {
        self.map_err(|err| match &err {
            sqlx::Error::Database(db) if db.is_unique_violation() => StoreError::Refused(conflict),
            _ => StoreError::Database(err),
        })
    }
}
