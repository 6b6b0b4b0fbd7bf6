//! Load benchmarks of the annual review, each against a baseline measured in the same run on the
//! same machine (the figures go to `docs/performance.md`):
//!
//! - `positions`: durable position writes over HTTP from 64 concurrent clients, against a bare
//!   axum JSON endpoint (target: ≥ 0.25× its throughput, p99 < 50 ms); then bursts of one cast
//!   per client from sessions due a new last-seen time, against the same from fresh sessions
//!   (target: p99 < 50 ms);
//! - `tally`: reading a clause with 1,000,000 positions, against a static 1 KB response
//!   (target: ≤ 2× its latency);
//! - `live`: 2,000 live-tally subscribers on one process receiving a new position, against one
//!   subscriber (target: all within 1 s);
//! - `comments`: reading a page of the discussion of a clause with 5,000 comments, against a
//!   static 1 KB response (target: ≤ 2× its latency).
//!
//! Run with `scripts/bench/review [--postgres] [positions|tally|live|comments]`. On SQLite both
//! servers run in this process on loopback, as the clients do, so they share the machine's cores
//! alike. With `--postgres`, Concord is two processes of the release binary on one database of
//! the local PostgreSQL server (`support/cluster.rs`), the clients spread over both, and the
//! position writes are also set against PostgreSQL's own rate of one-row commits (pgbench).

use axum::Json;
use axum::routing::{get, post};
use serde_json::{Value, json};
use std::time::{Duration, Instant};
use tests::{CLAUSE, Db, TestApp, spawn_app};

#[path = "support/cluster.rs"]
mod cluster;
#[path = "support/latency.rs"]
mod latency;
use latency::{Run, header};

const CLIENTS: usize = 64;
const RUN: Duration = Duration::from_secs(5);

#[tokio::main]
async fn main() {
    let wanted: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with('-'))
        .collect();
    let runs = |name: &str| wanted.is_empty() || wanted.iter().any(|w| w == name);
    let postgres = std::env::args().any(|a| a == "--postgres");
    if runs("positions") {
        positions(postgres).await;
    }
    if runs("tally") {
        tally(postgres).await;
    }
    if runs("live") {
        live(postgres).await;
    }
    if runs("comments") {
        comments().await;
    }
}

/// Reading pages of a discussion of 5,000 comments (1,000 threads of a comment and four
/// replies), against a static 1 KB answer.
async fn comments() {
    const THREADS: i64 = 1_000;
    let base = baseline().await;
    let app = spawn_app(Db::Sqlite).await;
    let clause = "(SELECT k.id FROM clauses k JOIN rounds r ON r.id = k.round_id \
                  WHERE r.slug = '2019' AND k.key = 'protect-individuals')";
    app.execute(
        &format!(
            "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $1) \
             INSERT INTO comments (clause_id, account_id, body, created_at_ms, phase) \
             SELECT {clause}, (SELECT MIN(id) FROM accounts), \
                    'Bench comment ' || i || ': the *public core* of the internet should be \
                     defined, with [a reference](https://example.org/' || i || ') and a list:\n\n\
                     - DNS root\n- routing\n- trust anchors', i, 'voting' FROM n"
        ),
        &[THREADS],
    )
    .await;
    app.execute(
        &format!(
            "WITH RECURSIVE n(j) AS (SELECT 1 UNION ALL SELECT j + 1 FROM n WHERE j < 4) \
             INSERT INTO comments (clause_id, account_id, body, created_at_ms, phase, parent_id, \
                 thread_id, depth) \
             SELECT m.clause_id, m.account_id, 'A reply, number ' || j || ', agreeing **mostly**.', \
                    m.created_at_ms + j, 'voting', m.id, m.id, 1 \
             FROM comments m, n WHERE m.clause_id = {clause} AND m.body LIKE 'Bench comment %'"
        ),
        &[],
    )
    .await;
    app.execute("PRAGMA wal_checkpoint(TRUNCATE)", &[]).await;
    app.execute("ANALYZE", &[]).await;
    let (_, first) = tests::parts(app.get(&format!("{CLAUSE}/comments")).await).await;
    let total = first["total"].as_i64().unwrap_or(0);
    assert!(total >= 5 * THREADS, "the clause holds {total} comments");
    // A page from the middle of the discussion.
    let mut after = first["next_after"].as_i64().expect("more pages");
    for _ in 0..24 {
        let (_, page) =
            tests::parts(app.get(&format!("{CLAUSE}/comments?after={after}")).await).await;
        after = page["next_after"].as_i64().expect("more pages");
    }
    let middle = format!("{CLAUSE}/comments?after={after}");
    let size = app.get(&middle).await.bytes().await.expect("body").len();

    let reader = || vec![app.another_browser()];
    let stat = format!("{base}/static");
    let baseline_run = load(reader(), move |client, _| {
        let stat = stat.clone();
        async move {
            let response = client.client.get(&stat).send().await.expect("send");
            let status = response.status().as_u16();
            response.bytes().await.expect("body");
            status
        }
    })
    .await;
    let first_run = load(reader(), |client, _| async move {
        let response = client.get(&format!("{CLAUSE}/comments")).await;
        let status = response.status().as_u16();
        response.bytes().await.expect("body");
        status
    })
    .await;
    let middle_run = load(reader(), move |client, _| {
        let middle = middle.clone();
        async move {
            let response = client.get(&middle).await;
            let status = response.status().as_u16();
            response.bytes().await.expect("body");
            status
        }
    })
    .await;
    println!(
        "\nReading a page (20 threads, {size} bytes) of a clause with {total} comments, one client, {RUN:?} each (SQLite)"
    );
    header();
    baseline_run.line("static 1 KB answer (baseline)");
    first_run.line("Concord first page");
    middle_run.line("Concord page 26 (?after=…)");
    println!(
        "latency ratio Concord / baseline (mean): first page {:.2}×, page 26 {:.2}× (target ≤ 2×)",
        first_run.mean_ms() / baseline_run.mean_ms(),
        middle_run.mean_ms() / baseline_run.mean_ms()
    );
}

/// Where a benchmark's Concord runs: one server in this process over SQLite, or two processes
/// of the release binary over one PostgreSQL database.
enum Deployment {
    Sqlite(TestApp),
    Postgres(Box<cluster::Cluster>, TestApp),
}

impl Deployment {
    async fn start(postgres: bool) -> Deployment {
        if postgres {
            let cluster = Box::new(cluster::Cluster::start(2).await);
            let first = cluster.browser(0);
            Deployment::Postgres(cluster, first)
        } else {
            Deployment::Sqlite(spawn_app(Db::Sqlite).await)
        }
    }

    /// A browser of the first (or only) instance, for arranging what a benchmark needs.
    fn app(&self) -> &TestApp {
        match self {
            Deployment::Sqlite(app) | Deployment::Postgres(_, app) => app,
        }
    }

    /// A fresh browser of instance `i` (modulo their number).
    fn browser(&self, i: usize) -> TestApp {
        match self {
            Deployment::Sqlite(app) => app.another_browser(),
            Deployment::Postgres(cluster, _) => cluster.browser(i % cluster.addresses().len()),
        }
    }

    /// Every instance's address.
    fn addresses(&self) -> Vec<String> {
        match self {
            Deployment::Sqlite(app) => vec![app.address.clone()],
            Deployment::Postgres(cluster, _) => cluster.addresses(),
        }
    }

    fn is_postgres(&self) -> bool {
        matches!(self, Deployment::Postgres(..))
    }

    /// How the figures are labelled.
    fn name(&self) -> &'static str {
        match self {
            Deployment::Sqlite(_) => "SQLite, one process",
            Deployment::Postgres(..) => "PostgreSQL, two processes",
        }
    }
}

/// A bare axum server with a JSON echo and a static 1 KB answer; its address.
async fn baseline() -> String {
    let kilobyte = "x".repeat(1024);
    let app = axum::Router::new()
        .route(
            "/echo",
            post(|Json(body): Json<Value>| async move { Json(json!({"ok": true, "got": body})) }),
        )
        .route(
            "/static",
            get(move || {
                let k = kilobyte.clone();
                async move { k }
            }),
        );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let address = format!("http://{}", listener.local_addr().expect("address"));
    tokio::spawn(async move { axum::serve(listener, app).await });
    address
}

/// Runs `clients` loops, each sending `request(client, i)` until `RUN` is over.
async fn load<F, Fut>(clients: Vec<TestApp>, request: F) -> Run
where
    F: Fn(TestApp, usize) -> Fut + Clone + Send + 'static,
    Fut: std::future::Future<Output = u16> + Send,
{
    let start = Instant::now();
    let deadline = start + RUN;
    let mut tasks = tokio::task::JoinSet::new();
    for client in clients {
        let request = request.clone();
        tasks.spawn(async move {
            let mut latencies = Vec::new();
            let mut i = 0;
            while Instant::now() < deadline {
                let sent = Instant::now();
                let status = request(client.clone_for_bench(), i).await;
                assert!((200..300).contains(&status), "answered {status}");
                latencies.push(sent.elapsed());
                i += 1;
            }
            latencies
        });
    }
    let mut latencies = Vec::new();
    while let Some(done) = tasks.join_next().await {
        latencies.extend(done.expect("client"));
    }
    let elapsed = start.elapsed();
    latencies.sort();
    Run { latencies, elapsed }
}

/// Durable position writes from 64 clients, against a bare JSON endpoint (and with PostgreSQL,
/// against its own one-row commits).
async fn positions(postgres: bool) {
    let base = baseline().await;
    let deployment = Deployment::start(postgres).await;
    let app = deployment.app();
    let mut voters = Vec::with_capacity(CLIENTS);
    for i in 0..CLIENTS {
        let voter = deployment.browser(i);
        voter
            .sign_up(&format!("voter-{i}"), "a long passphrase")
            .await;
        voter.join("civil_society").await;
        voters.push(voter);
    }
    let echo_clients: Vec<TestApp> = (0..CLIENTS).map(|_| app.another_browser()).collect();
    let echo = format!("{base}/echo");
    let bare = load(echo_clients, move |client, i| {
        let echo = echo.clone();
        async move {
            let body = json!({"stance": if i % 2 == 0 { "endorse" } else { "abstain" }});
            client
                .client
                .post(&echo)
                .json(&body)
                .send()
                .await
                .expect("send")
                .status()
                .as_u16()
        }
    })
    .await;
    let writers: Vec<TestApp> = voters.iter().map(TestApp::clone_for_bench).collect();
    let writes = load(voters, |voter, i| async move {
        let stance = if i % 2 == 0 { "endorse" } else { "abstain" };
        voter
            .cast_position(CLAUSE, json!({ "stance": stance }))
            .await
            .status()
            .as_u16()
    })
    .await;
    let name = deployment.name();
    println!(
        "\nDurable position writes over HTTP, {CLIENTS} concurrent clients, {RUN:?} each ({name})"
    );
    header();
    bare.line("bare axum JSON endpoint (baseline)");
    writes.line("Concord PUT …/position");
    if deployment.is_postgres() {
        let commits = pgbench(&app.database_url, CLIENTS).await;
        println!(
            "{:<34} {commits:>10.0}   (PostgreSQL's own one-row commits, pgbench, {CLIENTS} connections)",
            "PostgreSQL commits (limit)"
        );
        println!(
            "Concord / PostgreSQL's one-row commits: {:.3}×",
            writes.per_second() / commits
        );
    }
    println!(
        "throughput ratio Concord / baseline: {:.3}× (target ≥ 0.25×); Concord p99 {:.1} ms (target < 50 ms)",
        writes.per_second() / bare.per_second(),
        writes.percentile(0.99)
    );
    // Bursts of one cast per client, from sessions just read afresh: fresh ones, then ones due
    // a new last-seen time (their last request over a minute ago), as after a quiet spell.
    let fresh = bursts(app, &writers, false).await;
    let due = bursts(app, &writers, true).await;
    println!("\nBursts of {CLIENTS} casts, one per client, {BURSTS} times ({name})");
    header();
    fresh.line("sessions fresh (baseline)");
    due.line("sessions due a last-seen time");
    println!(
        "p99 ratio due / fresh: {:.2}×; due p99 {:.1} ms (target < 50 ms)",
        due.percentile(0.99) / fresh.percentile(0.99),
        due.percentile(0.99)
    );
}

/// PostgreSQL's rate of one-row inserts, each its own transaction, from `clients` connections
/// for [`RUN`] (pgbench on a table of its own in `database_url`'s database): what the disk and
/// the server allow, whatever runs above them.
async fn pgbench(database_url: &str, clients: usize) -> f64 {
    let app_table = "CREATE TABLE IF NOT EXISTS bench_commit (id BIGSERIAL PRIMARY KEY, v INTEGER)";
    let pool = sqlx::PgPool::connect(database_url).await.expect("connect");
    sqlx::query(app_table).execute(&pool).await.expect("table");
    pool.close().await;
    let dir = tempfile::tempdir().expect("temporary directory");
    let script = dir.path().join("commit.sql");
    std::fs::write(&script, "INSERT INTO bench_commit (v) VALUES (1);\n").expect("script");
    let output = std::process::Command::new("pgbench")
        .args(["-n", "-j", "2", "-c", &clients.to_string()])
        .args(["-T", &RUN.as_secs().to_string(), "-f"])
        .arg(&script)
        .arg(database_url)
        .output()
        .expect("pgbench (Debian package postgresql-contrib or postgresql-client)");
    let text = String::from_utf8_lossy(&output.stdout);
    text.lines()
        .find_map(|l| l.strip_prefix("tps = "))
        .and_then(|rest| rest.split_whitespace().next()?.parse().ok())
        .unwrap_or_else(|| {
            panic!(
                "pgbench said: {text}{}",
                String::from_utf8_lossy(&output.stderr)
            )
        })
}

/// How many bursts [`bursts`] sends.
const BURSTS: usize = 20;

/// [`BURSTS`] bursts of one cast from each of `voters` at once, each after the server has
/// forgotten the sessions (so it reads them afresh); with `due`, every session's last request
/// seems over a minute old, so each is due a new last-seen time.
async fn bursts(app: &TestApp, voters: &[TestApp], due: bool) -> Run {
    let start = Instant::now();
    let mut latencies = Vec::new();
    for round in 0..BURSTS {
        if due {
            app.execute(
                "UPDATE sessions SET last_seen_at_ms = last_seen_at_ms - $1",
                &[2 * 60 * 1000],
            )
            .await;
        }
        app.until_the_server_notices().await;
        let mut casts = tokio::task::JoinSet::new();
        for voter in voters {
            let voter = voter.clone_for_bench();
            casts.spawn(async move {
                let stance = if round % 2 == 0 { "endorse" } else { "abstain" };
                let sent = Instant::now();
                let status = voter
                    .cast_position(CLAUSE, json!({ "stance": stance }))
                    .await
                    .status()
                    .as_u16();
                assert!((200..300).contains(&status), "answered {status}");
                sent.elapsed()
            });
        }
        while let Some(latency) = casts.join_next().await {
            latencies.push(latency.expect("cast"));
        }
    }
    latencies.sort();
    Run {
        latencies,
        elapsed: start.elapsed(),
    }
}

/// Reading a clause with a million positions, against a static 1 KB answer.
async fn tally(postgres: bool) {
    const POSITIONS: i64 = 1_000_000;
    let base = baseline().await;
    let deployment = Deployment::start(postgres).await;
    let app = deployment.app();
    let seeding = Instant::now();
    let numbers = if postgres {
        "WITH n(i) AS (SELECT generate_series(1, $1::bigint))"
    } else {
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $1)"
    };
    app.execute(
        &format!(
            "{numbers} INSERT INTO accounts (handle, password_hash, created_at_ms) \
             SELECT 'bench-' || i, '', 0 FROM n"
        ),
        &[POSITIONS],
    )
    .await;
    app.execute(
        "INSERT INTO positions (clause_id, account_id, stance, updated_at_ms, stakeholder_group, region) \
         SELECT k.id, a.id, CASE a.id % 4 WHEN 0 THEN 'endorse' WHEN 1 THEN 'oppose' \
                WHEN 2 THEN 'abstain' ELSE 'endorse_with_reservation' END, 0, \
                CASE a.id % 3 WHEN 0 THEN 'civil_society' WHEN 1 THEN 'government' ELSE 'academia' END, \
                'Region ' || (a.id % 7) \
         FROM accounts a, clauses k JOIN rounds r ON r.id = k.round_id \
         WHERE a.handle LIKE 'bench-%' AND r.slug = '2019' AND k.key = 'protect-individuals'",
        &[],
    )
    .await;
    app.execute(
        "DELETE FROM tally_counts WHERE clause_id = (SELECT k.id FROM clauses k JOIN rounds r \
           ON r.id = k.round_id WHERE r.slug = '2019' AND k.key = 'protect-individuals')",
        &[],
    )
    .await;
    app.execute(
        "INSERT INTO tally_counts (clause_id, stance, stakeholder_group, region, n) \
         SELECT clause_id, stance, stakeholder_group, region, COUNT(*) FROM positions \
         WHERE clause_id = (SELECT k.id FROM clauses k JOIN rounds r ON r.id = k.round_id \
                            WHERE r.slug = '2019' AND k.key = 'protect-individuals') \
         GROUP BY clause_id, stance, stakeholder_group, region",
        &[],
    )
    .await;
    // Fold the seeding's write-ahead log back into the database, as SQLite's own checkpoints
    // (or PostgreSQL's autovacuum) would over time, so that reads do not measure the bulk load.
    if postgres {
        app.execute("VACUUM ANALYZE", &[]).await;
    } else {
        app.execute("PRAGMA wal_checkpoint(TRUNCATE)", &[]).await;
        app.execute("ANALYZE", &[]).await;
    }
    app.until_the_server_notices().await;
    let (_, clause) = tests::parts(app.get(CLAUSE).await).await;
    let total: u64 = ["endorse", "endorse_with_reservation", "oppose", "abstain"]
        .iter()
        .filter_map(|s| clause["results"]["total"][s].as_u64())
        .sum();
    assert!(
        total >= POSITIONS as u64,
        "the clause holds {total} positions"
    );
    println!(
        "\nseeded {total} positions in {:.1} s",
        seeding.elapsed().as_secs_f64()
    );

    let reader = || vec![app.another_browser()];
    // One client, its requests alternating over the instances.
    let instances = std::sync::Arc::new(deployment.addresses());
    let on = move |i: usize, path: &str| format!("{}{path}", instances[i % instances.len()]);
    let stat = format!("{base}/static");
    let baseline_run = load(reader(), move |client, _| {
        let stat = stat.clone();
        async move {
            client
                .client
                .get(&stat)
                .send()
                .await
                .expect("send")
                .status()
                .as_u16()
        }
    })
    .await;
    let reading = |path: String| {
        let on = on.clone();
        load(reader(), move |client, i| {
            let url = on(i, &path);
            async move {
                client
                    .client
                    .get(url)
                    .send()
                    .await
                    .expect("send")
                    .status()
                    .as_u16()
            }
        })
    };
    let clause_run = reading(CLAUSE.to_owned()).await;
    // The clause's results alone.
    let results_run = reading(format!("{CLAUSE}/results")).await;
    // The same page for a clause with the demo's few positions: the cost of a million is the gap.
    let few_run = reading(tests::OTHER_CLAUSE.to_owned()).await;
    let name = deployment.name();
    println!("\nReading one clause with {total} positions, one client, {RUN:?} each ({name})");
    header();
    baseline_run.line("static 1 KB answer (baseline)");
    clause_run.line("Concord GET …/clauses/{key}");
    few_run.line("the same, a clause with 1 position");
    results_run.line("Concord GET …/clauses/{key}/results");
    println!(
        "latency ratio Concord / baseline (mean): clause page {:.2}×, results alone {:.2}× (target ≤ 2×)",
        clause_run.mean_ms() / baseline_run.mean_ms(),
        results_run.mean_ms() / baseline_run.mean_ms()
    );
}

/// How long after a cast each of `watchers` live-tally subscribers sees it; sorted.
async fn fan_out(
    instances: &[String],
    convener: &TestApp,
    voter: &TestApp,
    watchers: usize,
    stance: &'static str,
) -> Vec<Duration> {
    let live = |i: usize| {
        format!(
            "{}/api/v1/consultations/paris-call/rounds/2019/live",
            instances[i % instances.len()]
        )
    };
    let ready = std::sync::Arc::new(tokio::sync::Semaphore::new(0));
    let started_at = std::sync::Arc::new(std::sync::OnceLock::<Instant>::new());
    let marker = format!(r#""{stance}":1"#);
    let mut tasks = tokio::task::JoinSet::new();
    // Subscribers spread over the instances; with one watcher, on another instance than the
    // voter's when there are several.
    for w in 0..watchers {
        let (client, live, ready, started_at, marker) = (
            convener.client.clone(),
            live(w + 1),
            ready.clone(),
            started_at.clone(),
            marker.clone(),
        );
        tasks.spawn(async move {
            let mut response = client.get(&live).send().await.expect("subscribe");
            let mut text = String::new();
            let mut announced = false;
            loop {
                let chunk = response.chunk().await.expect("read").expect("stream open");
                text.push_str(&String::from_utf8_lossy(&chunk));
                if !announced && text.matches("event: tally").count() >= 9 {
                    announced = true;
                    text.clear();
                    ready.add_permits(1);
                }
                if announced
                    && text
                        .lines()
                        .any(|l| l.contains("protect-individuals") && l.contains(&marker))
                {
                    let at = started_at.get().copied().expect("the cast happened");
                    return at.elapsed();
                }
            }
        });
    }
    ready
        .acquire_many(u32::try_from(watchers).expect("count"))
        .await
        .expect("ready")
        .forget();
    started_at.set(Instant::now()).expect("once");
    let cast = voter
        .cast_position(CLAUSE, json!({"stance": stance, "reason": "Because."}))
        .await;
    assert_eq!(cast.status(), 200);
    let mut latencies = Vec::with_capacity(watchers);
    while let Some(done) = tasks.join_next().await {
        latencies.push(done.expect("a watcher"));
    }
    latencies.sort();
    latencies
}

/// 2,000 live-tally subscribers (spread over the instances), against one.
async fn live(postgres: bool) {
    const WATCHERS: usize = 2000;
    let deployment = Deployment::start(postgres).await;
    let app = deployment.app();
    let convener = app.new_admin("chair").await;
    let voter = app.another_browser();
    voter.sign_up("voter", "a long passphrase").await;
    voter.join("civil_society").await;
    let instances = deployment.addresses();
    let one = fan_out(&instances, &convener, &voter, 1, "oppose").await;
    let many = fan_out(&instances, &convener, &voter, WATCHERS, "abstain").await;
    let ms = |d: &Duration| d.as_secs_f64() * 1000.0;
    let at = |v: &[Duration], p: f64| ms(&v[((v.len() as f64 - 1.0) * p).round() as usize]);
    println!(
        "\nLive tally: time from a cast to each subscriber's event ({}; the cast on the first)",
        deployment.name()
    );
    println!(
        "{:<34} {:>9} {:>9} {:>9} {:>9}",
        "", "received", "p50 ms", "p99 ms", "max ms"
    );
    println!(
        "{:<34} {:>9} {:>9.1} {:>9.1} {:>9.1}",
        "1 subscriber (baseline)",
        one.len(),
        at(&one, 0.5),
        at(&one, 0.99),
        ms(one.last().expect("one"))
    );
    println!(
        "{:<34} {:>9} {:>9.1} {:>9.1} {:>9.1}",
        format!("{WATCHERS} subscribers"),
        many.len(),
        at(&many, 0.5),
        at(&many, 0.99),
        ms(many.last().expect("many"))
    );
    println!(
        "slowest of {WATCHERS} / the single subscriber: {:.1}×; all within {:.0} ms (target: all within 1 000 ms)",
        ms(many.last().expect("many")) / ms(one.last().expect("one")),
        ms(many.last().expect("many"))
    );
}
