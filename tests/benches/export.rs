//! Export of a round with a million comments to CSV (`scripts/bench/export [COMMENTS]`):
//! `concord export --format csv` (every CSV file of the record) against `sqlite3 -csv` dumping
//! the same comment rows (the export's own query) from the same database file, in one run.
//! Prints each one's best time of three, throughput, and peak memory (from `/usr/bin/time`).

#[path = "support/measure.rs"]
mod measure;

use measure::measure;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Instant;

fn sqlite(db: &Path, sql: &str) -> String {
    let output = Command::new("sqlite3")
        .arg(db)
        .arg(sql)
        .output()
        .expect("sqlite3");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout)
        .expect("UTF-8")
        .trim()
        .to_owned()
}

fn main() {
    let comments: u64 = std::env::args()
        .skip(1)
        .find_map(|a| a.parse().ok())
        .unwrap_or(1_000_000);
    let concord = std::env::var("CONCORD_BIN").unwrap_or_else(|_| {
        concat!(env!("CARGO_MANIFEST_DIR"), "/../target/release/concord").into()
    });
    let dir = tempfile::tempdir().expect("directory");
    let db = dir.path().join("bench.db");
    let url = format!("sqlite://{}", db.display());
    let loaded = Command::new(&concord)
        .args(["demo", "--database-url", &url])
        .stderr(Stdio::null())
        .status()
        .expect("concord");
    assert!(loaded.success());
    let round = sqlite(
        &db,
        "SELECT r.id FROM rounds r JOIN consultations c ON c.id = r.consultation_id \
         WHERE c.slug = 'paris-call' AND r.slug = '2019'",
    );
    let started = Instant::now();
    sqlite(
        &db,
        &format!(
            "BEGIN;
             WITH RECURSIVE seq(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM seq WHERE i < 1000)
             INSERT INTO accounts (handle, password_hash, created_at_ms)
                 SELECT 'bench-' || i, '', 0 FROM seq;
             CREATE TEMP TABLE k (n INTEGER PRIMARY KEY, id INTEGER);
             INSERT INTO k (id) SELECT id FROM clauses WHERE round_id = {round} AND kind = 'text'
                 ORDER BY id;
             WITH RECURSIVE seq(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM seq WHERE i < {last})
             INSERT INTO comments (clause_id, account_id, body, created_at_ms, phase, depth)
                 SELECT (SELECT id FROM k WHERE n = 1 + i % (SELECT COUNT(*) FROM k)),
                        (SELECT MIN(id) FROM accounts WHERE handle LIKE 'bench-%') + i % 1000,
                        'Comment ' || i || ': the clause should say \"who\" decides, and how, '
                          || 'before the next round opens; civil society must be heard.',
                        1700000000000 + i, 'commenting', 0
                 FROM seq;
             UPDATE comments SET thread_id = id WHERE thread_id IS NULL;
             COMMIT;",
            last = comments - 1
        ),
    );
    let total = sqlite(
        &db,
        &format!(
            "SELECT COUNT(*) FROM comments c JOIN clauses k ON k.id = c.clause_id \
             WHERE k.round_id = {round}"
        ),
    );
    println!(
        "database: {total} comments in the round, {:.0} MB, filled in {:.1} s",
        std::fs::metadata(&db).expect("size").len() as f64 / 1e6,
        started.elapsed().as_secs_f64()
    );

    let query = backend::record::COMMENTS.replace("$1", &round);
    let dump = dir.path().join("sqlite3.csv");
    let ours = dir.path().join("export");
    let mut baseline = (f64::MAX, 0);
    let mut export = (f64::MAX, 0);
    for _ in 0..3 {
        let b = measure(
            Command::new("sqlite3").arg("-csv").arg(&db).arg(&query),
            &dump,
        );
        let e = measure(
            Command::new(&concord).args([
                "export",
                "--database-url",
                &url,
                "--consultation",
                "paris-call",
                "--round",
                "2019",
                "--format",
                "csv",
                "--visibility",
                "convener",
                "--output",
                ours.to_str().expect("UTF-8 path"),
            ]),
            &dir.path().join("export.log"),
        );
        baseline = (baseline.0.min(b.0), baseline.1.max(b.1));
        export = (export.0.min(e.0), export.1.max(e.1));
    }
    let rows = std::fs::read_to_string(ours.join("comments.csv"))
        .expect("comments.csv")
        .lines()
        .count()
        - 1;
    assert_eq!(rows.to_string(), total, "every comment exported");
    let size = |p: &Path| std::fs::metadata(p).map(|m| m.len()).unwrap_or(0) as f64 / 1e6;
    println!(
        "sqlite3 -csv (comments)      : {:.2} s, {:.0} rows/s, {:.0} MB, peak {:.1} MB",
        baseline.0,
        rows as f64 / baseline.0,
        size(&dump),
        baseline.1 as f64 / 1024.0
    );
    println!(
        "concord export --format csv  : {:.2} s, {:.0} rows/s, {:.0} MB comments.csv, peak {:.1} MB",
        export.0,
        rows as f64 / export.0,
        size(&ours.join("comments.csv")),
        export.1 as f64 / 1024.0
    );
    println!(
        "throughput: {:.2}× sqlite3 -csv (target ≥ 0.5×); peak memory {:.1} MB (target ≤ 64 MB)",
        baseline.0 / export.0,
        export.1 as f64 / 1024.0
    );
}
