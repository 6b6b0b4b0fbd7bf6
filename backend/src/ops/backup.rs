//! `concord backup` and `concord restore` for SQLite: an online, consistent copy (`VACUUM
//! INTO`, which reads one snapshot while the server keeps writing), and putting a copy back
//! only once SQLite's integrity check and the audit chain both pass.

use crate::store::audit::Verdict;
use crate::store::{Backend, Store};
use anyhow::{Context, Result, bail};
use std::path::{Path, PathBuf};

/// The file behind an `sqlite://` URL.
fn sqlite_file(url: &str) -> Result<PathBuf> {
    use std::str::FromStr;
    let options = sqlx::sqlite::SqliteConnectOptions::from_str(url)
        .context("backup and restore are for SQLite; with PostgreSQL use pg_dump and pg_restore")?;
    Ok(options.get_filename().to_owned())
}

/// SQLite's own check of every page and index of `path`: `ok`, or what is wrong.
fn integrity(path: &Path) -> Result<String> {
    let connection =
        rusqlite::Connection::open_with_flags(path, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)?;
    let verdict: String = connection.query_row("PRAGMA integrity_check", [], |row| row.get(0))?;
    Ok(verdict)
}

/// Writes a consistent copy of the database at `url` to `output`, and checks it.
pub async fn backup(url: &str, output: &Path) -> Result<()> {
    if output.exists() {
        bail!("{} exists already; choose a new file", output.display());
    }
    let store = Store::connect(url).await?;
    if store.backend() != Backend::Sqlite {
        bail!("backup is for SQLite; with PostgreSQL use pg_dump");
    }
    let target = output
        .to_str()
        .context("the backup's path is not UTF-8")?
        .to_owned();
    store.vacuum_into(&target).await?;
    store.close().await;
    let verdict = integrity(output)?;
    if verdict != "ok" {
        bail!("the copy fails SQLite's integrity check: {verdict}");
    }
    Ok(())
}

/// Puts `backup` in place of the database at `url` once it passes both checks.
pub async fn restore(url: &str, backup: &Path) -> Result<()> {
    let target = sqlite_file(url)?;
    let verdict = integrity(backup)
        .with_context(|| format!("{} is not a readable SQLite database", backup.display()))?;
    if verdict != "ok" {
        bail!(
            "refused: {} fails SQLite's integrity check: {verdict}",
            backup.display()
        );
    }
    // Check the audit chain on a copy beside the target, then move that copy into place.
    let staged = target.with_extension("restoring");
    std::fs::copy(backup, &staged).with_context(|| format!("copying to {}", staged.display()))?;
    let checked = async {
        let store = Store::connect(&format!("sqlite://{}", staged.display())).await?;
        let verdict = store.verify_audit().await;
        store.close().await;
        anyhow::Ok(verdict?)
    }
    .await;
    match checked {
        Ok(Verdict::Intact { .. }) => {}
        Ok(Verdict::Broken { entry, why }) => {
            let _ = std::fs::remove_file(&staged);
            bail!("refused: the backup's audit log is broken at entry {entry}: {why}");
        }
        Err(e) => {
            let _ = std::fs::remove_file(&staged);
            return Err(e.context("refused: the backup is not a Concord database"));
        }
    }
    for suffix in ["-wal", "-shm"] {
        let mut side = staged.clone().into_os_string();
        side.push(suffix);
        let _ = std::fs::remove_file(side);
        let mut old = target.clone().into_os_string();
        old.push(suffix);
        let _ = std::fs::remove_file(old);
    }
    std::fs::rename(&staged, &target)
        .with_context(|| format!("moving the backup to {}", target.display()))?;
    Ok(())
}
