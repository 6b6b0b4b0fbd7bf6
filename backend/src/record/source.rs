//! Where an export reads from: one read-only snapshot of the database, so that every file of a
//! record (and the audit-chain head it names) shows the same moment. Rows are handed over one
//! at a time, never collected, so a round with a million comments exports in constant memory.
//!
//! SQLite is read through its own rusqlite connection (as the position writer writes), which
//! streams rows several times faster than sqlx's worker thread; PostgreSQL through a
//! `REPEATABLE READ` transaction of the pool. Both run the same SQL (`$1`, `$2`, … placeholders).

use anyhow::{Context, Result};
use futures_util::TryStreamExt;
use sqlx::Row;
use sqlx::any::AnyRow;
use std::path::Path;

/// One row of an answer, read by column name.
pub trait Fields {
    fn int(&self, column: &str) -> Result<Option<i64>>;
    fn text(&self, column: &str) -> Result<Option<String>>;

    /// A column that is never NULL.
    fn int_at(&self, column: &str) -> Result<i64> {
        self.int(column)?
            .with_context(|| format!("column {column} is NULL"))
    }

    /// A text column that is never NULL.
    fn text_at(&self, column: &str) -> Result<String> {
        self.text(column)?
            .with_context(|| format!("column {column} is NULL"))
    }
}

/// A consistent, read-only view of the database.
pub trait Source: Send {
    /// Runs `sql` with the integer arguments `$1`, `$2`, … and hands every row to `row`.
    fn each(
        &mut self,
        sql: &str,
        args: &[i64],
        row: &mut dyn FnMut(&dyn Fields) -> Result<()>,
    ) -> Result<()>;
}

/// SQLite, through a read-only connection inside one read transaction.
pub struct SqliteSource {
    connection: rusqlite::Connection,
}

impl SqliteSource {
    pub fn open(path: &Path) -> Result<Self> {
        let connection = rusqlite::Connection::open_with_flags(
            path,
            rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY | rusqlite::OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .with_context(|| format!("opening {} to read", path.display()))?;
        connection.busy_timeout(std::time::Duration::from_secs(5))?;
        // The snapshot starts with the first read and holds until the connection closes.
        connection.execute_batch("BEGIN")?;
        Ok(Self { connection })
    }
}

impl Fields for rusqlite::Row<'_> {
    fn int(&self, column: &str) -> Result<Option<i64>> {
        Ok(self.get(column)?)
    }

    fn text(&self, column: &str) -> Result<Option<String>> {
        Ok(self.get(column)?)
    }
}

impl Source for SqliteSource {
    fn each(
        &mut self,
        sql: &str,
        args: &[i64],
        row: &mut dyn FnMut(&dyn Fields) -> Result<()>,
    ) -> Result<()> {
        let mut statement = self.connection.prepare_cached(sql)?;
        for (n, arg) in args.iter().enumerate() {
            let name = format!("${}", n + 1);
            let index = statement
                .parameter_index(&name)?
                .with_context(|| format!("no {name} in {sql}"))?;
            statement.raw_bind_parameter(index, arg)?;
        }
        let mut rows = statement.raw_query();
        while let Some(r) = rows.next()? {
            row(r)?;
        }
        Ok(())
    }
}

/// PostgreSQL, through one `REPEATABLE READ, READ ONLY` transaction (rolled back when dropped).
pub struct PostgresSource {
    runtime: tokio::runtime::Handle,
    transaction: sqlx::Transaction<'static, sqlx::Any>,
}

impl PostgresSource {
    pub async fn begin(pool: &sqlx::AnyPool) -> Result<Self> {
        use sqlx::Executor;
        let mut transaction = pool.begin().await?;
        transaction
            .execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            .await?;
        Ok(Self {
            runtime: tokio::runtime::Handle::current(),
            transaction,
        })
    }
}

impl Fields for AnyRow {
    fn int(&self, column: &str) -> Result<Option<i64>> {
        Ok(self.try_get(column)?)
    }

    fn text(&self, column: &str) -> Result<Option<String>> {
        Ok(self.try_get(column)?)
    }
}

impl Source for PostgresSource {
    /// Called from a blocking thread: each row is awaited on the runtime that began the
    /// transaction.
    fn each(
        &mut self,
        sql: &str,
        args: &[i64],
        row: &mut dyn FnMut(&dyn Fields) -> Result<()>,
    ) -> Result<()> {
        let mut query = sqlx::query(sql);
        for arg in args {
            query = query.bind(*arg);
        }
        let mut rows = query.fetch(&mut *self.transaction);
        while let Some(r) = self.runtime.block_on(rows.try_next())? {
            row(&r)?;
        }
        Ok(())
    }
}

/// A read-only snapshot of `store`'s database for an export.
pub async fn snapshot(store: &crate::store::Store) -> anyhow::Result<Box<dyn Source>> {
    Ok(match store.sqlite_path() {
        Some(path) => Box::new(SqliteSource::open(path)?),
        None => Box::new(PostgresSource::begin(store.pool()).await?),
    })
}
